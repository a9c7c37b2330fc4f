/* query/about: aboutness, a score component for queries that name an entity (docs/ranking.md
 * "Aboutness").
 *
 * A query names an entity through a field (`person:"Trần Văn Thuấn"`) or when a run of its
 * words or a stretch of a phrase, folded and joined by spaces, is the key of an entity term the
 * index holds ("tran van thuan" -> "person:tran van thuan"). For each named entity (at most
 * QABOUT_MAX) a document that mentions it gets
 *
 *   about = QABOUT_WEIGHT · idf(entity) · (0.5 · [named in the title]
 *                                         + 0.3 · body_mentions / (body_mentions + 1)
 *                                         + 0.2 · earliness)
 *
 * earliness = 1 for a title mention, else 1 − (offset of the first body mention / body length),
 * all read from the entity term's postings (title tf, body tf, first position). The largest
 * value, QABOUT_WEIGHT · Σ idf, is a constant of the query that search.c adds to its bounds
 * (like the proximity bonus), so pruned top-k stays equal to exhaustive scoring. */
#ifndef TT_QUERY_ABOUT_H
#define TT_QUERY_ABOUT_H

#include <stdint.h>

#include "query/query_int.h"

#define QABOUT_MAX 8          /* entities a query can name */
#define QABOUT_WEIGHT 2.0

typedef struct qabout qabout;

/* The entities the query tree root names. *out = NULL when there are none (then every other
 * function is a no-op on it). Returns 0 or an error (TT_ENOMEM, index errors). */
int    qabout_new(qabout **out, tt_reader *r, const qnode *root);
void   qabout_free(qabout *a);                 /* NULL is a no-op */
double qabout_max(const qabout *a);            /* upper bound of qabout_add's addition; 0 for NULL */
/* Position the entity lists on segment s (before any qabout_add for its documents). */
int    qabout_open(qabout *a, uint32_t s);
/* Add doc d's aboutness (d: local id in the open segment; ids must not decrease between calls
 * within a segment) to *score. Returns 0 or an error. */
int    qabout_add(qabout *a, uint32_t d, double *score);

#endif
