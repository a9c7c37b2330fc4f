/* timtin: search — parse a query, match it against a reader snapshot, rank, and fetch hits.
 *
 * Query language (docs/query.md): words are ANDed; `OR` between two clauses; `-word` or
 * `NOT word` excludes; "quoted phrases" match adjacent syllables; a syllable typed without
 * diacritics matches every diacritic variant, one typed with diacritics matches its variants
 * too but ranks documents with the exact form higher (strict mode: exact form only). */
#ifndef TIMTIN_QUERY_H
#define TIMTIN_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/index.h"

typedef struct tt_search_options {
  unsigned version;
  size_t limit;        /* hits to return (default 10) */
  size_t offset;       /* hits to skip */
  int sort_date;       /* 1 = newest first instead of relevance */
  int exact;           /* strict: syllables typed with diacritics match their exact form only */
} tt_search_options;

#define TT_SEARCH_OPTIONS_VERSION 1
#define TT_SEARCH_OPTIONS_INIT {TT_SEARCH_OPTIONS_VERSION, 10, 0, 0, 0}

typedef struct tt_hit {
  uint64_t doc;        /* global doc id in the reader's snapshot */
  double score;
  int64_t published;
} tt_hit;

typedef struct tt_results {
  uint64_t total;      /* exact number of matching articles */
  size_t n;            /* hits returned */
  tt_hit *hits;        /* owned; free with tt_results_fini */
  char **terms;        /* the query's positive syllables, folded (for highlighting) */
  size_t nterms;
} tt_results;

/* Run query on r. Returns 0, TT_ESYNTAX (message shows the query and points at the position),
 * or another error. */
int tt_search(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
              tt_results *out);
void tt_results_fini(tt_results *res);

/* Stored fields of a hit. Pointers valid until the next tt_hit_fetch on r. */
typedef struct tt_doc {
  const char *url, *title, *source, *body, *id;
  size_t url_len, title_len, source_len, body_len, id_len;
  int64_t published;
} tt_doc;
int tt_hit_fetch(tt_reader *r, uint64_t doc, int with_body, tt_doc *out);

/* Best passage of text for the folded terms: a snippet of about max_bytes, with highlight
 * ranges (byte offsets into the snippet). snippet is tt_malloc'd; free with free_snippet. */
typedef struct tt_snippet {
  char *text;
  size_t len;
  uint32_t (*ranges)[2];
  size_t nranges;
} tt_snippet;
int tt_snippet_make(const char *text, size_t len, char *const *terms, size_t nterms,
                    size_t max_bytes, tt_snippet *out);
void tt_snippet_fini(tt_snippet *s);

#endif
