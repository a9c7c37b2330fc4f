/* Grouping of near-duplicate hits: tt_search on top of the ranked search (search.c), and
 * tt_hit_first_copy (include/timtin/query.h; docs/query.md "Near-duplicates").
 *
 * The grouped list is defined over the whole ranked list of matches: walking it in rank order,
 * a hit whose fingerprint is within distance 3 of an earlier *shown* hit is folded into it,
 * every other hit is shown. Whether a hit is shown depends only on the hits ranked above it,
 * so a page is computed from a ranked prefix long enough to hold offset + limit shown hits:
 * the ranked top offset + limit first (what an ungrouped search asks for, so a page without
 * copies costs no more), doubled while folded hits leave the page short.
 *
 * Copy counts are exact over every match, independently of the page: the candidates are the
 * live documents near a shown hit anywhere in the index (indexer/dupindex.h, a few bucket
 * probes); a candidate inside the ranked prefix matches; the others, only when there are any,
 * are checked with one streaming pass over the matches (tt_search_each without scores, stopped
 * as soon as every candidate is seen). A page without near-duplicates in the index costs the
 * fingerprint lookups only. */
#include "timtin/query.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/dupindex.h"
#include "query/query_int.h"
#include "text/simhash.h"

#define FOUND_ALL 1   /* positive: never a TT_E* code */

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

static int has(const uint64_t *v, size_t n, uint64_t x)
{
  return n && bsearch(&x, v, n, sizeof *v, cmp_u64) != NULL;
}

/* Candidates of the shown hits not in the ranked prefix: which of them match. */
typedef struct pending {
  uint64_t *doc;     /* sorted, unique */
  uint8_t *match;
  size_t n, left;
} pending;

static int mark_match(void *ctx, const tt_hit *h)
{
  pending *p = ctx;
  uint64_t *at = bsearch(&h->doc, p->doc, p->n, sizeof *p->doc, cmp_u64);
  if (at && !p->match[at - p->doc]) {
    p->match[at - p->doc] = 1;
    if (--p->left == 0) return FOUND_ALL;
  }
  return 0;
}

/* Fill out->copies for the shown hits out->hits[0..n). known: the ranked prefix's doc ids,
 * sorted. */
static int count_copies(tt_reader *r, const tt_dupindex *ix, const char *query, size_t len,
                        const tt_search_options *o, const uint64_t *known, size_t nknown,
                        tt_results *out)
{
  int rc = 0;
  uint64_t **cand = tt_calloc(out->n ? out->n : 1, sizeof *cand);
  size_t *ncand = tt_calloc(out->n ? out->n : 1, sizeof *ncand);
  pending p;
  memset(&p, 0, sizeof p);
  if (!cand || !ncand) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }
  size_t npend = 0;
  for (size_t i = 0; i < out->n && !rc; i++) {
    size_t c = tt_dupindex_near(ix, out->hits[i].doc, NULL, 0);
    if (!c) continue;
    if (!(cand[i] = tt_malloc(c * sizeof **cand))) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
    ncand[i] = tt_dupindex_near(ix, out->hits[i].doc, cand[i], c);
    for (size_t k = 0; k < ncand[i]; k++) npend += !has(known, nknown, cand[i][k]);
  }
  if (rc) goto done;
  if (npend) {
    p.doc = tt_malloc(npend * sizeof *p.doc);
    p.match = tt_calloc(npend, 1);
    if (!p.doc || !p.match) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }
    for (size_t i = 0; i < out->n; i++)
      for (size_t k = 0; k < ncand[i]; k++)
        if (!has(known, nknown, cand[i][k])) p.doc[p.n++] = cand[i][k];
    qsort(p.doc, p.n, sizeof *p.doc, cmp_u64);
    size_t u = 0;
    for (size_t k = 0; k < p.n; k++) if (!u || p.doc[u - 1] != p.doc[k]) p.doc[u++] = p.doc[k];
    p.n = p.left = u;
    rc = tt_search_each(r, query, len, o, 0, mark_match, &p, NULL);
    if (rc == FOUND_ALL) rc = 0;
    if (rc) goto done;
  }
  for (size_t i = 0; i < out->n; i++) {
    tt_hit_copies *cp = &out->copies[i];
    for (size_t k = 0; k < ncand[i]; k++) {
      uint64_t d = cand[i][k];
      int m = has(known, nknown, d);
      if (!m) { uint64_t *at = bsearch(&d, p.doc, p.n, sizeof *p.doc, cmp_u64); m = at && p.match[at - p.doc]; }
      if (!m) continue;
      if (cp->n < TT_COPY_DOCS_MAX) cp->docs[cp->n] = d;
      cp->n++;
    }
  }
done:
  for (size_t i = 0; cand && i < out->n; i++) tt_free(cand[i]);
  tt_free(cand);
  tt_free(ncand);
  tt_free(p.doc);
  tt_free(p.match);
  return rc;
}

int tt_search(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
              tt_results *out)
{
  tt_search_options def = TT_SEARCH_OPTIONS_INIT;
  if (!o) o = &def;
  int group = !(o->version >= 4 && o->no_group);
  if (!group || o->limit == 0 || o->offset > ((size_t)1 << 30) || o->limit > ((size_t)1 << 30))
    return tt_search__ranked(r, query, len, o, out);   /* counts and bad sizes: nothing to group */
  memset(out, 0, sizeof *out);
  const tt_dupindex *ix;
  TT_FORWARD(tt_reader__dups(r, &ix));
  size_t need = o->offset + o->limit;
  tt_search_options io = *o;
  io.offset = 0;
  io.limit = need;
  tt_results res;
  size_t *shown = NULL, nshown = 0;
  int rc;
  for (;;) {
    if ((rc = tt_search__ranked(r, query, len, &io, &res))) { tt_free(shown); return rc; }
    size_t *ns = tt_realloc(shown, (res.n ? res.n : 1) * sizeof *ns);
    if (!ns) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto fail; }
    shown = ns;
    nshown = 0;
    for (size_t i = 0; i < res.n; i++) {
      uint64_t h = tt_dupindex_fp(ix, res.hits[i].doc);
      int folded = 0;
      for (size_t j = 0; h != TT_SIMHASH_NONE && j < nshown && !folded; j++)
        folded = tt_simhash_near(tt_dupindex_fp(ix, res.hits[shown[j]].doc), h);
      if (!folded) shown[nshown++] = i;
    }
    if (nshown >= need || res.n < io.limit || res.n >= res.total) break;
    /* folded hits left the page short: a longer ranked prefix */
    size_t more = io.limit * 2;
    if (more > ((size_t)1 << 30)) more = (size_t)1 << 30;   /* tt_search__ranked's limit */
    if (more > res.total) more = (size_t)res.total;
    if (more <= io.limit) break;
    io.limit = more;
    tt_results_fini(&res);
  }
  /* the page: shown hits offset .. offset + limit */
  size_t from = o->offset < nshown ? o->offset : nshown, to = need < nshown ? need : nshown;
  *out = res;                      /* total, terms, note, facets move over */
  out->n = to - from;
  out->hits = tt_malloc((out->n ? out->n : 1) * sizeof *out->hits);
  out->copies = tt_calloc(out->n ? out->n : 1, sizeof *out->copies);
  uint64_t *known = tt_malloc((res.n ? res.n : 1) * sizeof *known);
  if (!out->hits || !out->copies || !known) {
    tt_free(known);
    tt_free(res.hits);
    tt_results_fini(out);
    tt_free(shown);
    return tt_error_set(TT_ENOMEM, "out of memory");
  }
  for (size_t i = from; i < to; i++) out->hits[i - from] = res.hits[shown[i]];
  for (size_t i = 0; i < res.n; i++) known[i] = res.hits[i].doc;
  qsort(known, res.n, sizeof *known, cmp_u64);
  rc = count_copies(r, ix, query, len, o, known, res.n, out);
  tt_free(known);
  tt_free(res.hits);
  tt_free(shown);
  if (rc) tt_results_fini(out);
  return rc;
fail:
  tt_results_fini(&res);
  tt_free(shown);
  return rc;
}

int tt_hit_first_copy(tt_reader *r, uint64_t doc, uint64_t *first)
{
  const tt_dupindex *ix;
  TT_FORWARD(tt_reader__dups(r, &ix));
  uint64_t lo;
  *first = tt_dupindex_near(ix, doc, &lo, 1) && lo < doc ? lo : doc;
  return 0;
}
