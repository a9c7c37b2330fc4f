/* timtin: search — parse a query, match it against a reader snapshot, rank, and fetch hits.
 *
 * Query language (docs/query.md): words are ANDed; `OR` between two clauses; `-word` or
 * `NOT word` excludes; "quoted phrases" match adjacent syllables; `a NEAR/n b` within n
 * positions; `prefix*`; `=word` for the exact form only; fields `title:` `body:` `source:`
 * `url:` `date:` (and `person:` `hospital:` `program:` once entities are indexed). A syllable
 * typed without diacritics matches every diacritic variant; one typed with diacritics matches
 * its variants too but ranks documents with the exact form higher (strict mode: exact form
 * only). Ranking: docs/ranking.md. */
#ifndef TIMTIN_QUERY_H
#define TIMTIN_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/index.h"

typedef struct tt_search_options {
  unsigned version;
  size_t limit;        /* hits to return (default 10) */
  size_t offset;       /* hits to skip */
  int sort_date;       /* 1 = newest first (ties: index order) instead of relevance */
  int exact;           /* strict: syllables typed with diacritics match their exact form only */
  int facets;          /* 1 = fill tt_results.sources and .months (costs a metadata read per match) */
  size_t facet_limit;  /* sources to report (default 10) */
  int exhaustive;      /* 1 = score every match (no pruning; for tests and comparisons) */
  int positions_only;  /* 1 = ignore the syllable-pair terms: phrases and proximity from
                          positions only (same results, slower; for tests and comparisons) */
  int no_group;        /* 1 = every hit; 0 (default) = near-duplicates folded into the
                          higher-ranked copy, tt_results.copies filled (version >= 4) */
} tt_search_options;

#define TT_SEARCH_OPTIONS_VERSION 4
#define TT_SEARCH_OPTIONS_INIT {TT_SEARCH_OPTIONS_VERSION, 10, 0, 0, 0, 0, 10, 0, 0, 0}

/* A relevance score is exact * TT_EXACT_TIER + relevance, where exact counts the query syllables
 * typed with diacritics and found in that exact form, and relevance (BM25F + proximity, always
 * below TT_EXACT_TIER) orders documents within a tier (docs/ranking.md). */
#define TT_EXACT_TIER 1000.0

typedef struct tt_hit {
  uint64_t doc;        /* global doc id in the reader's snapshot */
  double score;        /* --sort relevance: see TT_EXACT_TIER */
  int64_t published;
} tt_hit;

/* Near-duplicates of a shown hit (grouped search): the other matching articles whose body
 * fingerprint is within Hamming distance 3 of its own (text/simhash.h), counted over every match
 * of the query, not only the ranked page. docs: the first min(n, TT_COPY_DOCS_MAX) of them in
 * index order (global doc ids, for tt_hit_fetch). */
#define TT_COPY_DOCS_MAX 3
typedef struct tt_hit_copies {
  uint64_t n;
  uint64_t docs[TT_COPY_DOCS_MAX];
} tt_hit_copies;

typedef struct tt_facet {
  char *value;         /* source name, or month "YYYY-MM" (Vietnam time), or "unknown" */
  uint64_t count;      /* matching articles */
} tt_facet;

typedef struct tt_results {
  uint64_t total;      /* exact number of matching articles */
  size_t n;            /* hits returned */
  tt_hit *hits;        /* owned; free with tt_results_fini */
  tt_hit_copies *copies; /* grouped search: n entries, copies[i] of hits[i]; NULL with no_group */
  char **terms;        /* the query's positive syllables, folded, for highlighting; a prefix
                          query contributes "pre*" */
  size_t nterms;
  char *note;          /* a remark for the user (e.g. a prefix* expansion was capped), or NULL */
  tt_facet *sources;   /* with facets: top sources by count (then name), at most facet_limit */
  size_t nsources;
  tt_facet *months;    /* with facets: every month from the first to the last with a match,
                          ascending, zeros included; "unknown" (no date) last */
  size_t nmonths;
} tt_results;

/* Run query on r. Grouping (the default; docs/query.md "Near-duplicates"): walking the ranked
 * matches, a hit within distance 3 of a higher-ranked shown hit is folded into it and the page
 * is filled with further hits; offset and limit count shown hits, so pages concatenate; total
 * stays the number of matching articles. Returns 0, TT_ESYNTAX (message shows the query and points at the position),
 * TT_EINVAL (limit/offset too large) or another error. On error *out is empty.
 * Threads: like tt_hit_fetch, facets read the reader's document store through its built-in
 * cache, so one thread at a time per reader when o->facets is set; otherwise any number. */
int tt_search(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
              tt_results *out);
void tt_results_fini(tt_results *res);

/* Stream every match of query in index order (doc id ascending), with constant memory.
 * fn is called once per match; hit->score is the full relevance score when
 * with_scores != 0, else 0. A non-zero return from fn stops the run and is returned.
 * *total (may be NULL) gets the number of matches seen. Options used: exact.
 * fn may call tt_hit_fetch on the same reader. */
typedef int (*tt_match_fn)(void *ctx, const tt_hit *hit);
int tt_search_each(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
                   int with_scores, tt_match_fn fn, void *ctx, uint64_t *total);

/* The earliest copy of doc in the index: *first gets the lowest live doc id within distance 3
 * of doc (its own id when there is none lower, or doc has no fingerprint). For export's dup_of.
 * Returns 0 or an error (building the reader's near-duplicate index on first use). */
int tt_hit_first_copy(tt_reader *r, uint64_t doc, uint64_t *first);

/* Stored fields of a hit. Pointers valid until the next tt_hit_fetch on r. */
typedef struct tt_doc {
  const char *url, *title, *source, *body, *id;
  size_t url_len, title_len, source_len, body_len, id_len;
  int64_t published;
} tt_doc;
int tt_hit_fetch(tt_reader *r, uint64_t doc, int with_body, tt_doc *out);

/* Best passage of text for the folded terms (a term ending in '*' matches every syllable that
 * begins with it): a snippet of about max_bytes cut at token boundaries, with highlight ranges
 * (byte offsets into the snippet) covering the original bytes of each matching syllable, NFD
 * and old tone placement included. Free with tt_snippet_fini. */
typedef struct tt_snippet {
  char *text;
  size_t len;
  uint32_t (*ranges)[2];
  size_t nranges;
} tt_snippet;
int tt_snippet_make(const char *text, size_t len, char *const *terms, size_t nterms,
                    size_t max_bytes, tt_snippet *out);
void tt_snippet_fini(tt_snippet *s);

/* ---- entities over the index or over a query's matches (query/entities.c)
 *
 * The indexer stores one "ent:" term per article and entity (docs/format.md "Entity terms"):
 * the folded key, the article's most frequent canonical spelling and, for persons, its most
 * frequent role. These functions read those terms from the dictionaries of every segment. */
typedef struct tt_entity_stat {
  int type;            /* tt_entity_type of timtin/entities.h: 1 person, 2 hospital, 3 program */
  char *key;           /* folded canonical name, the value `person:"..."` looks up */
  char *name;          /* the spelling most articles use */
  char *role;          /* persons: the role most articles give (non-empty if any has one); else "" */
  uint64_t articles;   /* live articles that mention it (among the query's matches, with a query) */
} tt_entity_stat;

typedef struct tt_entity_list {
  tt_entity_stat *v;   /* owned; by type, then articles (descending), then key */
  size_t n;
  uint64_t matches;    /* articles the query matched (every live article without a query) */
  uint64_t no_entities;/* of those, articles indexed without entity recognition
                        * (`timtin index --no-entities`): their entities are not counted */
} tt_entity_list;

/* The `limit` entities of each type (type 0: every type, else only that one) mentioned by the
 * most live articles, over the whole index (query NULL or empty) or over the articles matching
 * query (the facet of a search; o: only exact is used, may be NULL). Deleted articles are not
 * counted. Exact counts; the work is one pass over the "ent:" keys of the dictionaries plus,
 * with a query or deletions, the postings of the entities that can still enter the top `limit`
 * (in decreasing order of their article counts, so the scan stops early).
 * Returns 0, TT_EINVAL (bad type), TT_ESYNTAX (query) or another error; on error *out is empty. */
int  tt_entity_list_get(tt_reader *r, const char *query, size_t len, const tt_search_options *o, int type,
                        size_t limit, tt_entity_list *out);
void tt_entity_list_fini(tt_entity_list *l);

#endif
