/* query/about: aboutness, a score component for queries that name an entity (docs/ranking.md
 * "Aboutness").
 *
 * A query names an entity through a field (`person:"Trần Văn Thuấn"`) or when a run of its
 * words or a stretch of a phrase, folded and joined by spaces, is the key of an entity term the
 * index holds ("tran van thuan" -> "person:tran van thuan"). For each named entity (at most
 * QABOUT_MAX) a document that mentions it gets
 *
 *   about = w · (0.4 · [named in the title] + 0.3 · (m − 1) / (m + 1) + 0.3 · earliness)
 *   w     = min(QABOUT_CAP, QABOUT_WEIGHT · syllables of the name · idf(entity term))
 *
 * m = mentions (title and body), earliness = 1 for a title mention, else 1 − (offset of the first
 * body mention / body length); all read from the entity term's postings (title tf, body tf,
 * first position). A single mention at the end of an article gets about 0, one in the title at
 * least 0.7 · w. w grows with the syllables because the BM25F part of a name typed as words is
 * a sum over its syllables. The largest value, Σ w, is a constant of the query that search.c
 * adds to its bounds (like the proximity bonus), so pruned top-k stays equal to exhaustive
 * scoring; QABOUT_MAX · QABOUT_CAP = 200 keeps it well below the exact-form tier (1000). */
#ifndef TT_QUERY_ABOUT_H
#define TT_QUERY_ABOUT_H

#include <stdint.h>

#include "query/query_int.h"

#define QABOUT_MAX 4          /* entities a query can name (the first found) */
#define QABOUT_WEIGHT 2.0
#define QABOUT_CAP 50.0       /* largest weight of one entity */

typedef struct qabout qabout;

/* The entities the query tree root names. *out = NULL when there are none (then every other
 * function is a no-op on it). Returns 0 or an error (TT_ENOMEM, index errors). */
int    qabout_new(qabout **out, tt_reader *r, const qnode *root);
void   qabout_free(qabout *a);                 /* NULL is a no-op */
double qabout_max(const qabout *a);            /* upper bound of qabout_add's addition; 0 for NULL */
/* Position the entity lists on segment s (before any qabout_add for its documents). */
int    qabout_open(qabout *a, uint32_t s);
/* Upper bound of qabout_add's addition for doc d of the open segment: over the entities whose
 * lists hold d, the aboutness with earliness taken as 1 (read with the lists in qabout_open;
 * exact for a title mention); 0 for NULL. Never above qabout_max. Cheapest when the docs asked
 * do not decrease (each entity remembers where it found the last one). */
double qabout_bound(qabout *a, uint32_t d);
/* Add doc d's aboutness (d: local id in the open segment; ids must not decrease between calls
 * within a segment) to *score. Returns 0 or an error. */
int    qabout_add(qabout *a, uint32_t d, double *score);

#endif
