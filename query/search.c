/* Query parsing, matching and ranking (include/timtin/query.h).
 *
 * A query becomes a tree of nodes (term, phrase, and, or, not). Matching is document-at-a-
 * time per segment: every node implements seek(target) = first matching doc >= target, with
 * leapfrogging for AND and positions checked for phrases. Scoring is BM25F (indexer/bm25.h)
 * with index-wide statistics, an exact-diacritic tier and a proximity bonus for query
 * syllables that stand together (docs/ranking.md). This first version scores every match
 * (exhaustive top-k); block-max pruning over the stored impacts is the next step. */
#include "timtin/query.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/bm25.h"
#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"

#define END UINT32_MAX
#define EXACT_TIER 1000.0       /* per syllable typed with diacritics and found in its exact form:
                                   exact-form matches rank above variant-only matches */
#define PROX_WEIGHT 0.5         /* proximity bonus per adjacent query pair, times the pair's idf */

enum { N_TERM, N_PHRASE, N_AND, N_OR, N_NOT };

typedef struct qnode {
  int type;
  struct qnode **kids;
  int nkids;
  uint32_t doc;
  /* term */
  char folded[TT_DICT_MAX_KEY + 1], exact[TT_DICT_MAX_KEY + 1];
  int has_diac;              /* exact differs from folded */
  int strict;
  double idf;
  uint64_t df;
  tt_plist_cursor cur, ecur; /* folded (positions), exact (no positions) */
  int open, eopen;
  uint32_t edoc;
} qnode;

typedef struct qctx {
  tt_reader *r;
  tt_analyzer *an;
  const char *q;
  size_t len, i;
  int strict;
  int depth;
  const tt_segment *seg;
  double seg_ratio;          /* max(1, index avg / segment avg) over the fields */
  char **terms;              /* positive folded syllables for highlighting */
  size_t nterms, capterms;
} qctx;

/* ------------------------------------------------------------------ parser */

static int syntax(qctx *c, size_t at, const char *what)
{
  int col = (int)(at > c->len ? c->len : at);
  return tt_error_set(TT_ESYNTAX, "%s at position %d\n  %.*s\n  %*s^", what, col + 1,
                      (int)(c->len > 400 ? 400 : c->len), c->q, col, "");
}

static qnode *node_new(int type)
{
  qnode *n = tt_calloc(1, sizeof *n);
  if (n) n->type = type;
  return n;
}

static void node_free(qnode *n)
{
  if (!n) return;
  for (int i = 0; i < n->nkids; i++) node_free(n->kids[i]);
  tt_free(n->kids);
  if (n->open) tt_plist_close(&n->cur);
  if (n->eopen) tt_plist_close(&n->ecur);
  tt_free(n);
}

static int add_kid(qnode *p, qnode *k)
{
  qnode **kids = tt_realloc(p->kids, (size_t)(p->nkids + 1) * sizeof *kids);
  TT_CHECK_ALLOC(kids);
  p->kids = kids;
  p->kids[p->nkids++] = k;
  return 0;
}

static void skip_space(qctx *c)
{
  while (c->i < c->len && (c->q[c->i] == ' ' || c->q[c->i] == '\t' || c->q[c->i] == '\n' || c->q[c->i] == '\r')) c->i++;
}

static int remember_term(qctx *c, const char *folded)
{
  for (size_t i = 0; i < c->nterms; i++) if (!strcmp(c->terms[i], folded)) return 0;
  if (c->nterms == c->capterms) {
    size_t cap = c->capterms ? c->capterms * 2 : 8;
    char **t = tt_realloc(c->terms, cap * sizeof *t);
    TT_CHECK_ALLOC(t);
    c->terms = t;
    c->capterms = cap;
  }
  c->terms[c->nterms] = tt_strndup(folded, strlen(folded));
  TT_CHECK_ALLOC(c->terms[c->nterms]);
  c->nterms++;
  return 0;
}

/* Analyze text [a, b) into term nodes; one token gives a term, several give a phrase.
 * *out is NULL when the text has no searchable token. */
static int make_terms(qctx *c, size_t a, size_t b, int phrase, int negated, qnode **out)
{
  *out = NULL;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, c->q + a, b - a, 0, &an));
  if (an.n == 0) return 0;
  qnode *p = an.n > 1 || phrase ? node_new(N_PHRASE) : NULL;
  if (an.n > 1 || phrase) TT_CHECK_ALLOC(p);
  for (size_t i = 0; i < an.n; i++) {
    const tt_token *t = &an.tokens[i];
    qnode *n = node_new(N_TERM);
    if (!n) { node_free(p); return tt_error_set(TT_ENOMEM, "out of memory"); }
    snprintf(n->folded, sizeof n->folded, "%.*s", (int)t->folded_len, t->folded);
    snprintf(n->exact, sizeof n->exact, "%.*s", (int)t->exact_len, t->exact);
    n->has_diac = (t->flags & TT_TOKEN_FOLDED) != 0;
    n->strict = c->strict;
    if (!negated && remember_term(c, n->folded)) { node_free(n); node_free(p); return TT_ENOMEM; }
    if (!p) { *out = n; return 0; }
    if (add_kid(p, n)) { node_free(n); node_free(p); return TT_ENOMEM; }
  }
  if (p->nkids == 1) { qnode *k = p->kids[0]; p->nkids = 0; node_free(p); *out = k; return 0; }
  *out = p;
  return 0;
}

static int parse_or(qctx *c, qnode **out, int negated);

/* atom := '"' text '"' | '(' query ')' | word */
static int parse_atom(qctx *c, qnode **out, int negated)
{
  *out = NULL;
  skip_space(c);
  if (c->i >= c->len) return syntax(c, c->i, "expected a word");
  char ch = c->q[c->i];
  if (ch == '"') {
    size_t start = ++c->i;
    while (c->i < c->len && c->q[c->i] != '"') c->i++;
    if (c->i >= c->len) return syntax(c, start - 1, "unbalanced quote");
    size_t end = c->i++;
    TT_FORWARD(make_terms(c, start, end, 1, negated, out));
    if (!*out) return syntax(c, start - 1, "empty phrase");
    return 0;
  }
  if (ch == '(') {
    size_t open = c->i++;
    if (++c->depth > 64) return syntax(c, open, "parentheses nested too deep");
    qnode *and = node_new(N_AND);
    TT_CHECK_ALLOC(and);
    for (;;) {
      skip_space(c);
      if (c->i >= c->len) { node_free(and); return syntax(c, open, "unbalanced parenthesis"); }
      if (c->q[c->i] == ')') { c->i++; break; }
      qnode *k;
      int rc = parse_or(c, &k, negated);
      if (rc) { node_free(and); return rc; }
      if (k && add_kid(and, k)) { node_free(k); node_free(and); return TT_ENOMEM; }
    }
    c->depth--;
    if (and->nkids == 0) { node_free(and); return syntax(c, open, "empty parentheses"); }
    if (and->nkids == 1) { *out = and->kids[0]; and->nkids = 0; node_free(and); return 0; }
    *out = and;
    return 0;
  }
  if (ch == ')') return syntax(c, c->i, "unbalanced parenthesis");
  size_t start = c->i;
  while (c->i < c->len && !strchr(" \t\r\n\"()", c->q[c->i])) c->i++;
  return make_terms(c, start, c->i, 0, negated, out);
}

static int is_kw(qctx *c, const char *kw)
{
  size_t n = strlen(kw);
  return c->i + n <= c->len && !memcmp(c->q + c->i, kw, n) &&
         (c->i + n == c->len || strchr(" \t\r\n(\"", c->q[c->i + n]));
}

/* clause := ['-' | 'NOT'] atom ('OR' atom)* */
static int parse_or(qctx *c, qnode **out, int negated)
{
  *out = NULL;
  skip_space(c);
  int neg = 0;
  if (c->i < c->len && c->q[c->i] == '-' && c->i + 1 < c->len && !strchr(" \t\r\n", c->q[c->i + 1])) { neg = 1; c->i++; }
  else if (is_kw(c, "NOT")) { neg = 1; c->i += 3; }
  if (is_kw(c, "OR")) return syntax(c, c->i, "OR needs a word on both sides");
  qnode *first;
  TT_FORWARD(parse_atom(c, &first, negated ^ neg));
  qnode *or = NULL;
  for (;;) {
    size_t save = c->i;
    skip_space(c);
    if (!is_kw(c, "OR")) { c->i = save; break; }
    size_t at = c->i;
    c->i += 2;
    skip_space(c);
    if (c->i >= c->len || c->q[c->i] == ')') { node_free(first); node_free(or); return syntax(c, at, "OR needs a word on both sides"); }
    qnode *k;
    int rc = parse_atom(c, &k, negated ^ neg);
    if (rc) { node_free(first); node_free(or); return rc; }
    if (!k) continue;
    if (!or) {
      or = node_new(N_OR);
      if (!or || (first && add_kid(or, first))) { node_free(first); node_free(k); node_free(or); return TT_ENOMEM; }
      first = NULL;
    }
    if (add_kid(or, k)) { node_free(k); node_free(or); return TT_ENOMEM; }
  }
  qnode *res = or ? or : first;
  if (res && or && or->nkids == 1) { res = or->kids[0]; or->nkids = 0; node_free(or); }
  if (res && neg) {
    qnode *n = node_new(N_NOT);
    if (!n || add_kid(n, res)) { node_free(res); tt_free(n); return TT_ENOMEM; }
    res = n;
  }
  *out = res;
  return 0;
}

static int parse(qctx *c, qnode **out)
{
  qnode *and = node_new(N_AND);
  TT_CHECK_ALLOC(and);
  for (;;) {
    skip_space(c);
    if (c->i >= c->len) break;
    if (c->q[c->i] == ')') { node_free(and); return syntax(c, c->i, "unbalanced parenthesis"); }
    qnode *k;
    int rc = parse_or(c, &k, 0);
    if (rc) { node_free(and); return rc; }
    if (k && add_kid(and, k)) { node_free(k); node_free(and); return TT_ENOMEM; }
  }
  int pos = 0;
  for (int i = 0; i < and->nkids; i++) pos += and->kids[i]->type != N_NOT;
  if (and->nkids && !pos) { node_free(and); return syntax(c, 0, "a query needs at least one word that is not excluded"); }
  *out = and;
  return 0;
}

/* ------------------------------------------------------------------ statistics */

static int term_stats(qctx *c, qnode *n)
{
  if (n->type == N_TERM) {
    char scratch[TT_DICT_MAX_KEY + 1];
    uint64_t df = 0;
    const char *key = n->strict && n->has_diac ? n->exact : n->folded;
    for (uint32_t s = 0; s < c->r->nsegs; s++) {
      tt_dict_entry e;
      int rc = tt_dict_lookup(&c->r->segs[s].dict, key, strlen(key), &e, scratch);
      if (rc == 0) df += e.df;
      else if (rc != TT_ENOTFOUND) return rc;
    }
    n->df = df;
    double N = (double)c->r->base[c->r->nsegs];
    n->idf = df ? tt_bm25_idf(N, (double)df) : 0;
    return 0;
  }
  for (int i = 0; i < n->nkids; i++) TT_FORWARD(term_stats(c, n->kids[i]));
  return 0;
}

/* ------------------------------------------------------------------ per-segment matching */

static int open_list(const tt_segment *s, const char *key, int positional, tt_plist_cursor *cur, int *open)
{
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_entry e;
  int rc = tt_dict_lookup(&s->dict, key, strlen(key), &e, scratch);
  if (rc == TT_ENOTFOUND) return 0;
  if (rc) return rc;
  if (e.post_off > s->post.len || e.post_len > s->post.len - e.post_off)
    return tt_error_set(TT_ECORRUPT, "%s: postings of '%s' out of range", s->post.path, key);
  if (positional && !(e.flags & TT_DICT_POSITIONAL)) positional = 0;
  rc = tt_plist_open(cur, s->post.data + e.post_off, e.post_len, positional);
  if (rc) { tt_plist_close(cur); return rc; }
  *open = 1;
  return 0;
}

static int seg_open(qctx *c, qnode *n)
{
  if (n->type == N_TERM) {
    if (n->open) { tt_plist_close(&n->cur); n->open = 0; }
    if (n->eopen) { tt_plist_close(&n->ecur); n->eopen = 0; }
    TT_FORWARD(open_list(c->seg, n->folded, 1, &n->cur, &n->open));
    if (n->has_diac) TT_FORWARD(open_list(c->seg, n->exact, 0, &n->ecur, &n->eopen));
    n->doc = 0;
    n->edoc = 0;
    return 0;
  }
  for (int i = 0; i < n->nkids; i++) TT_FORWARD(seg_open(c, n->kids[i]));
  n->doc = 0;
  return 0;
}

static uint32_t seek(qctx *c, qnode *n, uint32_t target, int *err);

/* Positions of term node n at its current doc. */
static int positions(qnode *n, const uint32_t **p, uint32_t *np)
{
  return tt_plist_positions(&n->cur, p, np);
}

static int phrase_ok(qnode *n, int *err)
{
  /* candidate positions from the first term, checked against the others at offset k */
  const uint32_t *p0;
  uint32_t n0;
  if ((*err = positions(n->kids[0], &p0, &n0))) return 0;
  for (uint32_t a = 0; a < n0; a++) {
    int ok = 1;
    for (int k = 1; k < n->nkids && ok; k++) {
      const uint32_t *pk;
      uint32_t nk;
      if ((*err = positions(n->kids[k], &pk, &nk))) return 0;
      uint32_t want = p0[a] + (uint32_t)k;
      uint32_t lo = 0, hi = nk;
      while (lo < hi) { uint32_t m = (lo + hi) / 2; if (pk[m] < want) lo = m + 1; else hi = m; }
      ok = lo < nk && pk[lo] == want;
    }
    if (ok) return 1;
  }
  return 0;
}

static uint32_t seek_term(qnode *n, uint32_t target, int *err)
{
  tt_plist_cursor *cur = n->strict && n->has_diac ? &n->ecur : &n->cur;
  int open = n->strict && n->has_diac ? n->eopen : n->open;
  if (!open) return n->doc = END;
  if (n->strict && n->has_diac) {
    /* the exact list decides; the folded list follows for positions and frequencies */
    int rc = tt_plist_seek(&n->ecur, target);
    if (rc == TT_ITEROVER) return n->doc = END;
    if (rc) { *err = rc; return n->doc = END; }
    uint32_t d = tt_plist_doc(&n->ecur);
    rc = n->open ? tt_plist_seek(&n->cur, d) : TT_ITEROVER;
    if (rc == TT_ITEROVER || (rc == 0 && tt_plist_doc(&n->cur) != d)) { *err = tt_error_set(TT_ECORRUPT, "exact and folded lists of '%s' disagree", n->exact); return n->doc = END; }
    if (rc) { *err = rc; return n->doc = END; }
    return n->doc = d;
  }
  int rc = tt_plist_seek(cur, target);
  if (rc == TT_ITEROVER) return n->doc = END;
  if (rc) { *err = rc; return n->doc = END; }
  return n->doc = tt_plist_doc(cur);
}

static uint32_t seek_and(qctx *c, qnode *n, uint32_t target, int *err)
{
  uint32_t d = target;
  for (;;) {
    int all = 1;
    for (int i = 0; i < n->nkids; i++) {
      qnode *k = n->kids[i];
      if (k->type == N_NOT) continue;
      uint32_t kd = seek(c, k, d, err);
      if (*err || kd == END) return n->doc = END;
      if (kd > d) { d = kd; all = 0; break; }
    }
    if (!all) continue;
    if (n->type == N_PHRASE) {
      int ok = phrase_ok(n, err);
      if (*err) return n->doc = END;
      if (!ok) { if (d == END - 1) return n->doc = END; d++; continue; }
    }
    int excluded = 0;
    for (int i = 0; i < n->nkids && !excluded; i++) {
      qnode *k = n->kids[i];
      if (k->type != N_NOT) continue;
      uint32_t kd = seek(c, k->kids[0], d, err);
      if (*err) return n->doc = END;
      excluded = kd == d;
    }
    if (!excluded) return n->doc = d;
    if (d == END - 1) return n->doc = END;
    d++;
  }
}

static uint32_t seek_or(qctx *c, qnode *n, uint32_t target, int *err)
{
  uint32_t best = END;
  for (int i = 0; i < n->nkids; i++) {
    uint32_t kd = n->kids[i]->doc;
    if (kd < target || kd == 0) kd = seek(c, n->kids[i], target, err);
    if (*err) return n->doc = END;
    if (kd < best) best = kd;
  }
  return n->doc = best;
}

static uint32_t seek(qctx *c, qnode *n, uint32_t target, int *err)
{
  switch (n->type) {
  case N_TERM: return seek_term(n, target, err);
  case N_PHRASE:
  case N_AND: return seek_and(c, n, target, err);
  case N_OR: return seek_or(c, n, target, err);
  default: return END;
  }
}

/* ------------------------------------------------------------------ scoring */

static double score_term(qctx *c, qnode *n, uint32_t d)
{
  if (n->doc != d || !n->open) return 0;
  const tt_segment *s = c->seg;
  double ptf = tt_bm25_ptf(tt_plist_tf_title(&n->cur), tt_plist_tf_body(&n->cur), tt_seg_title_len(s, d),
                           tt_seg_body_len(s, d), c->r->avg_title, c->r->avg_body);
  double sc = n->idf * tt_bm25_sat(ptf);
  if (n->has_diac && !n->strict) {
    int hit = 0;
    if (n->eopen) {
      int rc = tt_plist_seek(&n->ecur, d);
      hit = rc == 0 && tt_plist_doc(&n->ecur) == d;
    }
    if (hit) sc += EXACT_TIER;
  }
  return sc;
}

static double score(qctx *c, qnode *n, uint32_t d)
{
  switch (n->type) {
  case N_TERM: return score_term(c, n, d);
  case N_NOT: return 0;
  default: {
    double s = 0;
    for (int i = 0; i < n->nkids; i++)
      if (n->kids[i]->type != N_NOT && n->kids[i]->doc == d) s += score(c, n->kids[i], d);
    return s;
  }
  }
}

/* Proximity: for each pair of adjacent term clauses of the top-level AND that stand next to
 * each other in the document, add PROX_WEIGHT * the smaller idf. */
static double proximity(qctx *c, qnode *and, uint32_t d, int *err)
{
  double bonus = 0;
  for (int i = 0; i + 1 < and->nkids; i++) {
    qnode *a = and->kids[i], *b = and->kids[i + 1];
    if (a->type != N_TERM || b->type != N_TERM || a->doc != d || b->doc != d || !a->open || !b->open) continue;
    const uint32_t *pa, *pb;
    uint32_t na, nb;
    if ((*err = positions(a, &pa, &na)) || (*err = positions(b, &pb, &nb))) return 0;
    uint32_t x = 0, y = 0;
    int adj = 0;
    while (x < na && y < nb && !adj) {
      if (pa[x] + 1 == pb[y]) adj = 1;
      else if (pa[x] + 1 < pb[y]) x++;
      else y++;
    }
    (void)c;
    if (adj) bonus += PROX_WEIGHT * (a->idf < b->idf ? a->idf : b->idf);
  }
  return bonus;
}

/* ------------------------------------------------------------------ bounds */

/* Upper bound of score(n, d) for the doc the node is on, from the block-max impacts: the
 * stored impact is ptf computed with the segment's averages; scaled by seg_ratio it bounds ptf
 * under the index-wide averages (indexer/bm25.h). */
static double bound(qctx *c, qnode *n)
{
  switch (n->type) {
  case N_TERM: {
    if (!n->open) return 0;
    double ptf = tt_plist_block_max(&n->cur) / TT_IMPACT_SCALE * c->seg_ratio;
    return n->idf * tt_bm25_sat(ptf) + (n->has_diac && !n->strict ? EXACT_TIER : 0);
  }
  case N_NOT: return 0;
  default: {
    double b = 0;
    for (int i = 0; i < n->nkids; i++)
      if (n->kids[i]->type != N_NOT) b += bound(c, n->kids[i]);
    return b;
  }
  }
}

static double max_proximity(qnode *and)
{
  double b = 0;
  for (int i = 0; i + 1 < and->nkids; i++) {
    qnode *a = and->kids[i], *k = and->kids[i + 1];
    if (a->type == N_TERM && k->type == N_TERM) b += PROX_WEIGHT * (a->idf < k->idf ? a->idf : k->idf);
  }
  return b;
}

/* ------------------------------------------------------------------ top-k */

typedef struct heap { tt_hit *h; size_t n, cap; int by_date; } heap;

static int worse(const heap *hp, const tt_hit *a, const tt_hit *b)
{
  if (hp->by_date) {
    if (a->published != b->published) return a->published < b->published;
  } else if (a->score != b->score) {
    return a->score < b->score;
  }
  return a->doc > b->doc;  /* ties: lower doc id (older insertion) wins */
}

static void heap_push(heap *hp, tt_hit x)
{
  if (hp->cap == 0) return;
  if (hp->n == hp->cap) {
    if (!worse(hp, &hp->h[0], &x)) return;
    hp->h[0] = x;
  } else {
    hp->h[hp->n++] = x;
    for (size_t i = hp->n - 1; i > 0;) {
      size_t p = (i - 1) / 2;
      if (!worse(hp, &hp->h[i], &hp->h[p])) break;
      tt_hit t = hp->h[i]; hp->h[i] = hp->h[p]; hp->h[p] = t;
      i = p;
    }
    return;
  }
  for (size_t i = 0;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < hp->n && worse(hp, &hp->h[l], &hp->h[m])) m = l;
    if (r < hp->n && worse(hp, &hp->h[r], &hp->h[m])) m = r;
    if (m == i) break;
    tt_hit t = hp->h[i]; hp->h[i] = hp->h[m]; hp->h[m] = t;
    i = m;
  }
}

static const heap *sort_heap;
static int cmp_hits(const void *a, const void *b)
{
  const tt_hit *x = a, *y = b;
  if (worse(sort_heap, x, y)) return 1;
  if (worse(sort_heap, y, x)) return -1;
  return 0;
}

int tt_search(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
              tt_results *out)
{
  memset(out, 0, sizeof *out);
  tt_search_options def = TT_SEARCH_OPTIONS_INIT;
  if (!o) o = &def;
  qctx c = {0};
  c.r = r;
  c.q = query;
  c.len = len;
  c.strict = o->exact;
  int rc = tt_analyzer_new(&c.an);
  if (rc) return rc;
  qnode *root = NULL;
  heap hp = {0};
  rc = parse(&c, &root);
  if (!rc) rc = term_stats(&c, root);
  size_t want = o->offset + o->limit;
  if (o->offset > ((size_t)1 << 30) || o->limit > ((size_t)1 << 30)) rc = tt_error_set(TT_EINVAL, "limit/offset too large");
  if (!rc) {
    hp.cap = want;
    hp.by_date = o->sort_date;
    hp.h = tt_malloc((want ? want : 1) * sizeof *hp.h);
    if (!hp.h) rc = tt_error_set(TT_ENOMEM, "out of memory");
  }
  double maxprox = root ? max_proximity(root) : 0;
  for (uint32_t s = 0; !rc && root && root->nkids && s < r->nsegs; s++) {
    c.seg = &r->segs[s];
    double at = c.seg->ndocs ? (double)c.seg->sum_title / c.seg->ndocs : 1;
    double ab = c.seg->ndocs ? (double)c.seg->sum_body / c.seg->ndocs : 1;
    c.seg_ratio = 1;
    if (at > 0 && r->avg_title / at > c.seg_ratio) c.seg_ratio = r->avg_title / at;
    if (ab > 0 && r->avg_body / ab > c.seg_ratio) c.seg_ratio = r->avg_body / ab;
    c.seg_ratio *= 1.0001;  /* rounding slack */
    rc = seg_open(&c, root);
    uint32_t d = 0;
    while (!rc) {
      int err = 0;
      d = seek(&c, root, d, &err);
      if (err) { rc = err; break; }
      if (d == END || d >= c.seg->ndocs) break;
      if (!tt_seg_is_deleted(c.seg, d)) {
        out->total++;
        tt_hit h = {r->base[s] + d, 0, tt_seg_published(c.seg, d)};
        /* score only documents that can still enter the top k (ties go to the lower id, which
         * an earlier document already holds) */
        int full = hp.n == hp.cap;
        if (hp.cap && (o->sort_date ? (!full || h.published > hp.h[0].published)
                                    : (!full || bound(&c, root) + maxprox > hp.h[0].score))) {
          if (!o->sort_date) {
            h.score = score(&c, root, d) + proximity(&c, root, d, &err);
            if (err) { rc = err; break; }
          } else {
            h.score = score(&c, root, d);
          }
          heap_push(&hp, h);
        }
      }
      if (d == END - 1) break;
      d++;
    }
  }
  if (!rc) {
    sort_heap = &hp;
    qsort(hp.h, hp.n, sizeof *hp.h, cmp_hits);
    size_t from = o->offset < hp.n ? o->offset : hp.n;
    out->n = hp.n - from;
    out->hits = tt_malloc((out->n ? out->n : 1) * sizeof *out->hits);
    if (!out->hits) rc = tt_error_set(TT_ENOMEM, "out of memory");
    else memcpy(out->hits, hp.h + from, out->n * sizeof *out->hits);
  }
  tt_free(hp.h);
  node_free(root);
  tt_analyzer_free(c.an);
  out->terms = c.terms;
  out->nterms = c.nterms;
  if (rc) tt_results_fini(out);
  return rc;
}

void tt_results_fini(tt_results *res)
{
  tt_free(res->hits);
  for (size_t i = 0; i < res->nterms; i++) tt_free(res->terms[i]);
  tt_free(res->terms);
  memset(res, 0, sizeof *res);
}

int tt_hit_fetch(tt_reader *r, uint64_t doc, int with_body, tt_doc *out)
{
  uint32_t s = 0;
  while (s + 1 < r->nsegs + 1 && doc >= r->base[s + 1]) s++;
  if (s >= r->nsegs) return tt_error_set(TT_ENOTFOUND, "no document %llu", (unsigned long long)doc);
  tt_docstore_rec rec;
  uint32_t local = (uint32_t)(doc - r->base[s]);
  int rc = with_body ? tt_docstore_get(r->segs[s].docs, local, &rec)
                     : tt_docstore_get_meta(r->segs[s].docs, local, &rec);
  if (rc) return rc;
  out->url = rec.url; out->url_len = rec.url_len;
  out->title = rec.title; out->title_len = rec.title_len;
  out->source = rec.source; out->source_len = rec.source_len;
  out->body = rec.body; out->body_len = with_body ? rec.body_len : 0;
  out->id = rec.id; out->id_len = rec.id_len;
  out->published = rec.published;
  return 0;
}
