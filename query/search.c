/* Search: counts, top-k, facets and streaming of every match (include/timtin/query.h).
 *
 * The parser (parse.c) turns the query into a tree; match.c evaluates the tree on one segment
 * at a time. This file owns what is done per segment (docs/ranking.md, "Evaluation"):
 *
 *  Phase 1, the exact match set: qseg_eval turns the tree into a bitmap over the segment's
 *  documents. Lists are decoded block by block into bits (doc ids only: frequencies only for
 *  title:/body:, positions only for the candidates of phrases and NEAR), ANDs intersect, a
 *  sparse side probes the other list with skip-table seeks instead of decoding it; deletions
 *  are masked out and the bits counted. Totals are exact, always, and cost no scoring.
 *
 *  Phase 2, only if something needs the documents (top k, facets, streaming): the set bits are
 *  visited in doc order. For the top k by relevance a document is scored only if it can still
 *  enter the heap, tested from cheapest to dearest:
 *    - whole 64-doc words are dropped when the k-th score needs more exact-form tiers than the
 *      documents have (bitmaps of the exact-form lists), or when they hold no document of the
 *      essential kids of a top-level OR (MaxScore over the OR's kids) or only documents in
 *      fewer of its kids than a winner needs;
 *    - a window bound: the block maxima of every list (qseg_bound), valid up to the first
 *      block end among them, plus the tiers the doc has and the largest proximity bonus;
 *    - a per-document bound from the kept match sets (which OR kids the doc is in);
 *    - then the cursors are positioned on the doc and the bound is refined (exact lists,
 *      rarest first), the score without proximity computed, and proximity (positions) last.
 *  Ties go to the lower doc id, which is already in the heap, so "bound not above the k-th
 *  score" skips exactly the documents that cannot enter.
 *
 *  A query of one syllable (or one keyword) on a segment without deletions skips both phases:
 *  the count is the document frequency, and the top k visits only the blocks whose maximum can
 *  win; the others are not even decoded.
 */
#include "timtin/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/bm25.h"
#include "query/about.h"
#include "query/query_int.h"

#define BOUND_EPS 1e-9


/* ------------------------------------------------------------------ top-k heap */

typedef struct heap {
  tt_hit *h;
  size_t n, cap;
  int by_date;
} heap;

/* Is a ranked below b? Relevance: score, then doc id (lower first). Date: newest first, then
 * doc id. Both orders are total, so pages of any size concatenate to the same list. */
static inline int worse(int by_date, const tt_hit *a, const tt_hit *b)
{
  if (by_date) {
    if (a->published != b->published) return a->published < b->published;
  } else if (a->score != b->score) {
    return a->score < b->score;
  }
  return a->doc > b->doc;
}

static void heap_push(heap *hp, const tt_hit *x)
{
  if (hp->cap == 0) return;
  if (hp->n == hp->cap) {
    if (!worse(hp->by_date, &hp->h[0], x)) return;
    hp->h[0] = *x;
    for (size_t i = 0;;) {
      size_t l = 2 * i + 1, r = l + 1, m = i;
      if (l < hp->n && worse(hp->by_date, &hp->h[l], &hp->h[m])) m = l;
      if (r < hp->n && worse(hp->by_date, &hp->h[r], &hp->h[m])) m = r;
      if (m == i) break;
      tt_hit t = hp->h[i]; hp->h[i] = hp->h[m]; hp->h[m] = t;
      i = m;
    }
    return;
  }
  hp->h[hp->n++] = *x;
  for (size_t i = hp->n - 1; i > 0;) {
    size_t p = (i - 1) / 2;
    if (!worse(hp->by_date, &hp->h[i], &hp->h[p])) break;
    tt_hit t = hp->h[i]; hp->h[i] = hp->h[p]; hp->h[p] = t;
    i = p;
  }
}

static int cmp_rel(const void *a, const void *b)
{
  return worse(0, a, b) ? 1 : worse(0, b, a) ? -1 : 0;
}

static int cmp_date(const void *a, const void *b)
{
  return worse(1, a, b) ? 1 : worse(1, b, a) ? -1 : 0;
}

/* ------------------------------------------------------------------ facets */

#define MONTH_Y0 1900
#define MONTH_N ((2201 - MONTH_Y0) * 12)

typedef struct src_slot {
  char *name;
  size_t len;
  uint64_t hash, count;
} src_slot;

typedef struct facets {
  uint64_t *months;     /* MONTH_N counters */
  uint64_t unknown;     /* matches without a (usable) date */
  src_slot *tab;        /* open addressing, power-of-two capacity */
  size_t cap, n;
} facets;

/* Days since 1970-01-01 -> civil year and month (proleptic Gregorian; eras of 400 years). */
static void civil_month(int64_t days, int64_t *y, int *m)
{
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static void facet_month(facets *f, int64_t t)
{
  if (t == TT_DATE_UNKNOWN || t < -4000000000000LL || t > 4000000000000LL) { f->unknown++; return; }
  int64_t local = t + 7 * 3600;            /* Vietnam time, UTC+7 all year */
  int64_t days = local / 86400 - (local % 86400 < 0);
  int64_t y;
  int m;
  civil_month(days, &y, &m);
  if (y < MONTH_Y0 || y > 2200) { f->unknown++; return; }
  f->months[(y - MONTH_Y0) * 12 + (m - 1)]++;
}

static uint64_t fnv1a(const char *s, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) { h ^= (unsigned char)s[i]; h *= 1099511628211ull; }
  return h;
}

static int facet_source(facets *f, const char *s, size_t n)
{
  if (f->n * 2 >= f->cap) {
    size_t cap = f->cap ? f->cap * 2 : 64;
    src_slot *t = tt_calloc(cap, sizeof *t);
    TT_CHECK_ALLOC(t);
    for (size_t i = 0; i < f->cap; i++) {
      if (!f->tab[i].name) continue;
      size_t j = f->tab[i].hash & (cap - 1);
      while (t[j].name) j = (j + 1) & (cap - 1);
      t[j] = f->tab[i];
    }
    tt_free(f->tab);
    f->tab = t;
    f->cap = cap;
  }
  uint64_t h = fnv1a(s, n);
  size_t j = h & (f->cap - 1);
  while (f->tab[j].name) {
    if (f->tab[j].hash == h && f->tab[j].len == n && !memcmp(f->tab[j].name, s, n)) { f->tab[j].count++; return 0; }
    j = (j + 1) & (f->cap - 1);
  }
  char *name = tt_strndup(s, n);
  TT_CHECK_ALLOC(name);
  f->tab[j] = (src_slot){name, n, h, 1};
  f->n++;
  return 0;
}

static void facets_free(facets *f)
{
  if (!f) return;
  for (size_t i = 0; i < f->cap; i++) tt_free(f->tab[i].name);
  tt_free(f->tab);
  tt_free(f->months);
}

static int cmp_src(const void *a, const void *b)
{
  const src_slot *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  int c = memcmp(x->name, y->name, x->len < y->len ? x->len : y->len);
  return c ? c : (x->len > y->len) - (x->len < y->len);
}

/* Move the counters into out->sources / out->months. */
static int facets_export(facets *f, size_t limit, tt_results *out)
{
  size_t m = 0;
  for (size_t i = 0; i < f->cap; i++) if (f->tab[i].name) f->tab[m++] = f->tab[i];
  if (m) qsort(f->tab, m, sizeof *f->tab, cmp_src);
  size_t ns = m < limit ? m : limit;
  out->sources = tt_calloc(ns ? ns : 1, sizeof *out->sources);
  TT_CHECK_ALLOC(out->sources);
  for (size_t i = 0; i < ns; i++) {
    out->sources[i].value = f->tab[i].name;
    out->sources[i].count = f->tab[i].count;
    f->tab[i].name = NULL;
  }
  out->nsources = ns;
  for (size_t i = ns; i < m; i++) { tt_free(f->tab[i].name); f->tab[i].name = NULL; }
  f->cap = m;   /* only the compacted prefix is live now */
  /* every month from the first to the last with a match (zeros included: a histogram) */
  size_t first = MONTH_N, last = 0;
  for (size_t i = 0; i < MONTH_N; i++)
    if (f->months[i]) { if (first == MONTH_N) first = i; last = i; }
  size_t nm = (f->unknown ? 1 : 0) + (first < MONTH_N ? last - first + 1 : 0);
  out->months = tt_calloc(nm ? nm : 1, sizeof *out->months);
  TT_CHECK_ALLOC(out->months);
  size_t k = 0;
  for (size_t i = first; i < MONTH_N && i <= last; i++) {
    char buf[16];
    snprintf(buf, sizeof buf, "%04d-%02d", (int)(MONTH_Y0 + i / 12), (int)(i % 12 + 1));
    out->months[k].value = tt_strndup(buf, strlen(buf));
    TT_CHECK_ALLOC(out->months[k].value);
    out->months[k++].count = f->months[i];
    out->nmonths = k;
  }
  if (f->unknown) {
    out->months[k].value = tt_strndup("unknown", 7);
    TT_CHECK_ALLOC(out->months[k].value);
    out->months[k++].count = f->unknown;
    out->nmonths = k;
  }
  return 0;
}

/* ------------------------------------------------------------------ the match loop */

typedef struct run {
  tt_reader *r;
  qtree *t;
  int exhaustive;
  int no_pairs;
  heap hp;                 /* cap 0: no top-k */
  facets *fc;              /* NULL: no facets */
  tt_match_fn fn;          /* NULL: no streaming */
  void *ctx;
  int fn_score;
  uint64_t total;
  qnode **tiers;           /* scratch for competitive(): one slot per Q_TERM node */
  qnode *tierv[16];        /* tier terms whose exact-form sets are built (MAX_TIER_SETS) */
  uint64_t *M;             /* match set of the segment */
  qabout *about;           /* entities the query names (query/about.h), or NULL; its maximum is
                              part of t->maxprox, so every bound below already allows for it */
  size_t Mcap;
} run;

static inline double full_score(run *u, qseg *q, qnode *root, uint32_t d)
{
  double s = qseg_score(q, root, d) + qseg_proximity(q, root, d);
  int rc = qabout_add(u->about, d, &s);
  if (rc && !q->err) q->err = rc;
  return s;
}

/* One syllable or keyword, no deletions, relevance top-k without facets: count = df; visit
 * only the blocks whose bound can enter the heap. */
static int run_single(run *u, qseg *q, qnode *n, uint32_t s)
{
  if (!n->open) return 0;
  tt_plist_cursor *c = n->cur;
  u->total += tt_plist_df(c);
  heap *hp = &u->hp;
  if (hp->cap == 0) return 0;
  uint64_t base = u->r->base[s];
  int on = 0, rc;
  for (;;) {
    uint32_t last = tt_plist_block_last_doc(c);
    if (last == UINT32_MAX) break;
    if (hp->n == hp->cap) {
      double b = 0;
      if (n->type == Q_TERM)
        b = n->idf * tt_bm25_sat(tt_plist_block_max(c) / TT_IMPACT_SCALE * q->ratio) + (n->tier ? Q_EXACT_TIER : 0);
      if (b + BOUND_EPS <= hp->h[0].score) {
        rc = tt_plist_next_block(c);
        on = 0;
        if (rc == TT_ITEROVER) break;
        if (rc) return rc;
        continue;
      }
    }
    if (!on) {
      rc = tt_plist_next(c);
      if (rc == TT_ITEROVER) break;
      if (rc) return rc;
      on = 1;
    }
    for (;;) {
      uint32_t d = tt_plist_doc(c);
      if (d > last) break;
      n->doc = d;
      n->fresh = 0;
      tt_hit h = {base + d, qseg_score(q, n, d), tt_seg_published(q->seg, d)};
      if (q->err) return q->err;
      heap_push(hp, &h);
      rc = tt_plist_next(c);
      if (rc == TT_ITEROVER) return 0;
      if (rc) return rc;
    }
  }
  return 0;
}

/* Can doc d (inside the current window, every node placed by qseg_place) beat thr? The
 * bound of the nodes on d, then, rarest exact list first, each exact-form tier the doc turns
 * out not to have is taken off. */
static int competitive(run *u, qseg *q, qnode *root, uint32_t d, double thr)
{
  int nt = 0;
  double b = qseg_dbound(q, root, d, u->tiers, &nt) + u->t->maxprox - qabout_max(u->about) + qabout_bound(u->about, d);
  if (b + BOUND_EPS <= thr) return 0;
  qnode **t = u->tiers;
  for (int i = 1; i < nt; i++) {
    qnode *v = t[i];
    int j = i;
    while (j > 0 && tt_plist_df(t[j - 1]->ecur) > tt_plist_df(v->ecur)) { t[j] = t[j - 1]; j--; }
    t[j] = v;
  }
  for (int i = 0; i < nt; i++) {
    if (t[i]->ebits_ok) {   /* the exact-form set is built: no seek */
      if (t[i]->bits[d >> 6] >> (d & 63) & 1) continue;
      b -= Q_EXACT_TIER;
      if (b + BOUND_EPS <= thr) return 0;
      continue;
    }
    int rc = tt_plist_seek(t[i]->ecur, d);
    if (rc == 0 && tt_plist_doc(t[i]->ecur) == d) continue;
    if (rc && rc != TT_ITEROVER) { q->err = rc; return 0; }
    b -= Q_EXACT_TIER;
    if (b + BOUND_EPS <= thr) return 0;
  }
  return 1;
}

/* Flat queries scored a term at a time in phase 2: an AND of plain syllables (`phát triển`), or
 * one top-level OR, kept, whose kids are plain syllables or such ANDs (`(a b) OR (c d)`), with
 * filters (keywords, dates, exclusions) beside. A candidate's bound from the kept sets is
 * refined one term at a time, the term's window bound replaced by its exact score, and the
 * document is dropped as soon as the bound cannot beat the k-th score: the cursors of the terms
 * after it are not moved, their frequencies not read. */
#define FAST_TERMS 32
#define FAST_TAB_VARS 3   /* per-doc parts of a group that fast_bound looks up in a table */

typedef struct fast {
  int on;
  qnode *top;                 /* the OR whose kids are the groups, or NULL: the root is the group */
  int ng;
  qnode *g[Q_KEEP_MAX];       /* groups: a Q_TERM or a flat Q_AND */
  int gt[Q_KEEP_MAX + 1];     /* terms of group i: t[gt[i] .. gt[i + 1]), in kid order */
  qnode *t[FAST_TERMS];
  double sc[FAST_TERMS];
  int po[FAST_TERMS];         /* placing order of the terms of a group: largest idf first */
  int gp[Q_KEEP_MAX + 1];     /* proximity pairs of group i: p[gp[i] .. gp[i + 1]) */
  const qnode *p[FAST_TERMS]; /* the pair term whose kept set tells adjacency, or NULL */
  double pb[FAST_TERMS];      /* the bonus of that pair */
  /* fast_bound's split of a group's bound: gc[g], constant over the window (fast_window), plus
   * vw[i] for each i in gv[g] .. gv[g + 1]) whose set vb[i] holds the doc (the exact-form
   * tiers and proximity pairs whose sets were built; fast_vars) */
  double gc[Q_KEEP_MAX];
  int gv[Q_KEEP_MAX + 1];
  const uint64_t *vb[2 * FAST_TERMS];
  double vw[2 * FAST_TERMS];
  int tab;                    /* every group has at most FAST_TAB_VARS vars: fast_bound reads T */
  double S[Q_KEEP_MAX][1 << FAST_TAB_VARS];          /* sum of vw over each subset of g's vars */
  double T[Q_KEEP_MAX][2 << FAST_TAB_VARS];          /* [g][in g | subset << 1]: d's part of g */
  size_t w;                   /* the 64-doc word the next two hold (fast_word) */
  uint64_t K[Q_KEEP_MAX];     /* word w of the groups' kept sets (all ones without a top OR) */
  uint64_t V[2 * FAST_TERMS]; /* word w of the sets vb[] */
} fast;

static int plain_term(const qnode *k) { return k->type == Q_TERM && !k->strict && k->field == F_ANY; }
static int filter_kid(const qnode *k)
{
  return k->type == Q_KEY || k->type == Q_DATE || k->type == Q_NOT || k->type == Q_NONE;
}

/* An AND of plain syllables and filters: its score is the sum of the syllables' in kid order. */
static int flat_and(const qnode *n)
{
  if (n->type != Q_AND) return 0;
  int c = 0;
  for (int i = 0; i < n->nkids; i++) {
    if (plain_term(n->kids[i])) c++;
    else if (!filter_kid(n->kids[i])) return 0;
  }
  return c > 0;
}

static int fast_group(fast *f, qnode *g)
{
  if (f->ng >= Q_KEEP_MAX) return 0;
  int nt = f->gt[f->ng];
  if (plain_term(g)) {
    if (nt >= FAST_TERMS) return 0;
    f->t[nt++] = g;
  } else if (flat_and(g)) {
    for (int i = 0; i < g->nkids; i++) {
      if (!plain_term(g->kids[i])) continue;
      if (nt >= FAST_TERMS) return 0;
      f->t[nt++] = g->kids[i];
    }
  } else {
    return 0;
  }
  /* place the terms with the largest idf first: their window bounds leave the most to lose,
   * so a doc that cannot win is dropped after fewer placements */
  int g0 = f->gt[f->ng];
  for (int i = g0; i < nt; i++) {
    int j = i;
    while (j > g0 && f->t[f->po[j - 1]]->idf < f->t[i]->idf) { f->po[j] = f->po[j - 1]; j--; }
    f->po[j] = i;
  }
  /* the proximity pairs qseg_bits_bound counts for an AND: adjacent Q_TERM kids */
  int np = f->gp[f->ng];
  if (g->type == Q_AND)
    for (int i = 0; i + 1 < g->nkids; i++) {
      const qnode *a = g->kids[i], *k = g->kids[i + 1];
      if (a->type != Q_TERM || k->type != Q_TERM) continue;
      if (np >= FAST_TERMS) return 0;
      f->p[np] = g->pairs_on ? g->pairs[i] : NULL;
      f->pb[np++] = Q_PROX_WEIGHT * (a->idf < k->idf ? a->idf : k->idf);
    }
  f->g[f->ng++] = g;
  f->gt[f->ng] = nt;
  f->gp[f->ng] = np;
  return 1;
}

/* top: the kept top-level OR of the MaxScore split, or NULL. */
static void fast_setup(fast *f, qnode *root, qnode *top)
{
  f->on = 0;
  f->ng = 0;
  f->gt[0] = 0;
  f->gp[0] = 0;
  f->top = NULL;
  if (flat_and(root)) {
    f->on = fast_group(f, root);
    return;
  }
  if (!top) return;
  for (int i = 0; i < top->nkids; i++)
    if (!fast_group(f, top->kids[i])) return;
  f->top = top;
  f->on = 1;
}

/* The per-document parts of fast_bound: the tiers and pairs whose sets were built (once per
 * segment, after qseg_exact_bits and qseg_pair_bits). */
static void fast_vars(fast *f)
{
  int nv = 0;
  f->gv[0] = 0;
  for (int g = 0; g < f->ng; g++) {
    for (int i = f->gt[g]; i < f->gt[g + 1]; i++) {
      const qnode *t = f->t[i];
      if (t->open && t->tier && t->eopen && t->ebits_ok) { f->vb[nv] = t->bits; f->vw[nv++] = Q_EXACT_TIER; }
    }
    for (int i = f->gp[g]; i < f->gp[g + 1]; i++) {
      const qnode *p = f->p[i];
      if (p && p->ebits_ok) { f->vb[nv] = p->bits; f->vw[nv++] = f->pb[i]; }
    }
    f->gv[g + 1] = nv;
  }
  f->tab = 1;
  for (int g = 0; g < f->ng; g++) {
    int n = f->gv[g + 1] - f->gv[g];
    if (n > FAST_TAB_VARS) { f->tab = 0; break; }
    for (int p = 0; p < 1 << n; p++) {
      double x = 0;
      for (int k = 0; k < n; k++)
        if (p >> k & 1) x += f->vw[f->gv[g] + k];
      f->S[g][p] = x;
    }
  }
}

/* The window parts of fast_bound (after each qseg_bound): per group, the open terms' window
 * bounds, the tiers and the pairs that no set decides. */
static void fast_window(fast *f)
{
  for (int g = 0; g < f->ng; g++) {
    double c = 0;
    for (int i = f->gt[g]; i < f->gt[g + 1]; i++) {
      const qnode *t = f->t[i];
      if (!t->open) continue;
      c += t->wbm;
      if (t->tier && t->eopen && !t->ebits_ok) c += Q_EXACT_TIER;
    }
    for (int i = f->gp[g]; i < f->gp[g + 1]; i++) {
      const qnode *p = f->p[i];
      if (!(p && p->ebits_ok)) c += f->pb[i];
    }
    f->gc[g] = c;
    if (f->tab) {
      int n = f->gv[g + 1] - f->gv[g];
      for (int p = 0; p < 1 << n; p++) {
        f->T[g][p << 1] = 0;
        f->T[g][p << 1 | 1] = c + f->S[g][p];
      }
    }
  }
}

/* qseg_bound(root, d, win) of a fast query: the groups' terms are all the terms it scores (the
 * other kids are filters), summed without the tree walk; a term whose block still holds d
 * costs a comparison (qseg_bound keeps it). */
static double fast_wbound(const fast *f, qseg *q, uint32_t d, uint32_t *win)
{
  double b = 0;
  for (int i = 0; i < f->gt[f->ng]; i++) b += qseg_bound(q, f->t[i], d, win);
  return b;
}

/* Load word w of the sets fast_bound reads. */
static void fast_word(fast *f, size_t w)
{
  f->w = w;
  for (int g = 0; g < f->ng; g++) f->K[g] = f->top ? f->g[g]->kbits[w] : ~0ull;
  for (int i = 0; i < f->gv[f->ng]; i++) f->V[i] = f->vb[i][w];
}

/* qseg_bits_bound(root, d) for a fast query, without the tree walk (the same terms: each open
 * term's window bound plus its tier unless the exact-form set says the doc lacks it; each
 * proximity pair unless its kept set says the two are not adjacent; only the groups d is in).
 * d is in word f->w. Summed in another order than qseg_bits_bound, so it may differ in the
 * last bits: it only prunes, with BOUND_EPS to spare. */
static double fast_bound(const fast *f, uint32_t d)
{
  unsigned sh = d & 63;
  double b = 0;
  if (f->tab) {   /* without a branch on the doc's bits: they are unpredictable */
    for (int g = 0; g < f->ng; g++) {
      unsigned x = (unsigned)(f->K[g] >> sh & 1);
      for (int i = f->gv[g], k = 1; i < f->gv[g + 1]; i++, k++) x |= (unsigned)(f->V[i] >> sh & 1) << k;
      b += f->T[g][x];
    }
    return b;
  }
  for (int g = 0; g < f->ng; g++) {
    if (!(f->K[g] >> sh & 1)) continue;
    b += f->gc[g];
    for (int i = f->gv[g]; i < f->gv[g + 1]; i++)
      if (f->V[i] >> sh & 1) b += f->vw[i];
  }
  return b;
}

/* Can d beat thr? b: its bound from the kept sets (qseg_bits_bound + the aboutness maximum),
 * above thr. Places the terms one by one; on 1, *s0 is d's score without proximity, summed in
 * the order qseg_score sums (so equal to it), and the nodes are on d for qseg_proximity. */
static int fast_doc(fast *f, qseg *q, qnode *root, uint32_t d, double b, double thr, double *s0)
{
  size_t w = d >> 6;
  uint64_t bit = 1ull << (d & 63);
  /* first the terms whose decoded block holds d (placed without decoding anything), then the
   * others: a doc that loses is often dropped before a block is decoded for it */
  uint64_t done = 0;
  for (int pass = 0; pass < 2; pass++)
  for (int g = 0; g < f->ng; g++) {
    qnode *G = f->g[g];
    if (f->top && !(G->kbits[w] & bit)) continue;
    for (int j = f->gt[g]; j < f->gt[g + 1]; j++) {
      int i = f->po[j];
      qnode *t = f->t[i];
      if (done >> i & 1) continue;
      if (!pass && t->open && !tt_plist_in_block(t->cur, d)) continue;
      done |= 1ull << i;
      double tb = 0;
      if (t->open) {
        tb = t->wbm;
        if (t->tier && t->eopen && (!t->ebits_ok || (t->bits[w] & bit))) tb += Q_EXACT_TIER;
      }
      double sc = qseg_term_place_score(q, t, d);
      if (q->err) return 0;
      f->sc[i] = sc;
      b += sc - tb;
      if (b + BOUND_EPS <= thr) return 0;
    }
  }
  double s = 0;
  for (int g = 0; g < f->ng; g++) {
    qnode *G = f->g[g];
    if (f->top && !(G->kbits[w] & bit)) {
      G->doc = Q_END;
      G->fresh = 1;
      continue;
    }
    double gs = 0;
    for (int i = f->gt[g]; i < f->gt[g + 1]; i++) gs += f->sc[i];
    s += gs;
    G->doc = d;
    G->fresh = 0;
  }
  if (f->top) { f->top->doc = d; f->top->fresh = 0; }
  root->doc = d;
  root->fresh = 0;
  *s0 = s;
  return 1;
}

/* Position every node of the tree on d (a member of the match set). */
static int position(qseg *q, qnode *root, uint32_t d)
{
  qseg_place(q, root, d);
  return q->err;
}

static void tier_terms(qnode *n, qnode **v, int *nv)
{
  if (n->type == Q_TERM) {
    if (n->tier && n->eopen) v[(*nv)++] = n;
    return;
  }
  if (n->type == Q_NOT) return;
  for (int i = 0; i < n->nkids; i++) tier_terms(n->kids[i], v, nv);
}

/* Sum of the list-wide BM25 bounds of the terms (no tiers). */
static double max_bm25(qseg *q, const qnode *n)
{
  if (n->type == Q_TERM)
    return n->open ? n->idf * tt_bm25_sat(tt_plist_max_impact(n->cur) / TT_IMPACT_SCALE * q->ratio) : 0;
  if (n->type == Q_NOT) return 0;
  double b = 0;
  for (int i = 0; i < n->nkids; i++) b += max_bm25(q, n->kids[i]);
  return b;
}

#define MAX_TIER_SETS 16

/* Bits of word w set in at least need of the exact-form sets. */
static uint64_t at_least(qnode **tv, int nt, size_t w, int need)
{
  uint64_t ge[MAX_TIER_SETS + 1];
  ge[0] = ~0ull;
  for (int k = 1; k <= need; k++) ge[k] = 0;
  for (int t = 0; t < nt; t++) {
    uint64_t e = tv[t]->bits[w];
    for (int k = need; k >= 1; k--) ge[k] |= ge[k - 1] & e;
  }
  return ge[need];
}

static int ensure_words(uint64_t **b, size_t *cap, size_t w)
{
  if (*cap >= w && *b) return 0;
  uint64_t *p = tt_realloc(*b, (w ? w : 1) * sizeof *p);
  TT_CHECK_ALLOC(p);
  *b = p;
  *cap = w ? w : 1;
  return 0;
}

/* qseg_keep_score of the lazy phrases on candidate d (not inlined: the candidate loop of the
 * other queries keeps its registers). Returns 0 or the error (q->err). */
static TT_NOINLINE int keep_lazy(qseg *q, qnode **lazy, int n, uint32_t d)
{
  for (int i = 0; i < n; i++)
    if (qseg_keep_score(q, lazy[i], d)) return q->err;
  return 0;
}

/* Phase 1: the match set of the segment as a bitmap (exact count). Phase 2: the matches that
 * need more (facets, streaming, top-k candidates), in doc order. */
static int run_general(run *u, qseg *q, uint32_t s)
{
  qnode *root = u->t->root;
  const tt_segment *g = q->seg;
  size_t W = q->words;
  TT_FORWARD(ensure_words(&u->M, &u->Mcap, W));
  uint64_t *M = u->M;
  q->rank = u->hp.cap && !u->hp.by_date && !u->exhaustive;   /* phase 2 ranks: see qseg.rank */
  qseg_eval(q, root, M, NULL);
  if (q->err) return q->err;
  if (g->del) {
    size_t nbytes = ((size_t)g->ndocs + 7) / 8;
    for (size_t w = 0; w < W; w++) {
      uint64_t x = 0;
      size_t k0 = w * 8, k1 = k0 + 8 < nbytes ? k0 + 8 : nbytes;
      for (size_t k = k0; k < k1; k++) x |= (uint64_t)g->del[k] << (8 * (k - k0));
      M[w] &= ~x;
    }
  }
  uint64_t cnt = 0;
  for (size_t w = 0; w < W; w++) cnt += (uint64_t)__builtin_popcountll(M[w]);
  u->total += cnt;
  heap *hp = &u->hp;
  if (!cnt || (!u->fc && !u->fn && !hp->cap)) return 0;

  /* exact-form sets of the tier terms, to skip documents that lack the tiers a hit needs */
  int relevance = hp->cap && !hp->by_date && !u->exhaustive;
  int nt = 0;
  if (relevance) {
    tier_terms(root, u->tiers, &nt);
    if (nt > MAX_TIER_SETS) nt = 0;
    /* few matches (a phrase, a rare AND) against long exact-form lists: decoding the lists into
     * sets would cost more than the per-document seeks of competitive() it saves */
    uint64_t edf = 0;
    for (int i = 0; i < nt; i++) edf += tt_plist_df(u->tiers[i]->ecur);
    if (cnt * 16 < edf) nt = 0;
    for (int i = 0; i < nt; i++) {
      u->tierv[i] = u->tiers[i];
      TT_FORWARD(qseg_exact_bits(q, u->tierv[i]));
    }
    TT_FORWARD(qseg_pair_bits(q, root, cnt));
  }
  TT_FORWARD(qseg_restart(q, root));
  double maxprox = u->t->maxprox;
  double allbm25 = relevance ? max_bm25(q, root) : 0;
  int maxtiers = 0;
  if (relevance) {
    qnode **tmp = u->tiers;
    tier_terms(root, tmp, &maxtiers);
  }
  uint64_t base = u->r->base[s];
  int scanning = !u->fc && !u->fn;   /* only the top k wants the docs: skip what cannot win */

  /* MaxScore over the kids of a top-level OR: kids sorted by their largest contribution; the
   * longest prefix whose sum cannot beat the k-th score is non-essential, so a candidate must
   * be in one of the other kids' sets. */
  qnode *top = NULL;
  int nk = 0, ess = 0, kneed = 1;
  double kb[Q_KEEP_MAX];
  int ko[Q_KEEP_MAX];
  double ess_thr = -1;
  if (relevance && scanning) {
    for (int i = 0; i < root->nkids; i++) {
      qnode *k = root->kids[i];
      if (k->type == Q_KEY || k->type == Q_DATE || k->type == Q_NOT || k->type == Q_NONE) continue;
      if (top) { top = NULL; break; }
      top = k;
    }
    if (top && !(top->type == Q_OR && top->kept)) top = NULL;
    if (top) {
      nk = top->nkids;
      for (int i = 0; i < nk; i++) {
        qnode *k = top->kids[i];
        int tiers = 0;
        tier_terms(k, u->tiers, &tiers);
        kb[i] = max_bm25(q, k) + tiers * Q_EXACT_TIER + qtree_maxprox(k);
        int j = i;
        while (j > 0 && kb[ko[j - 1]] > kb[i]) { ko[j] = ko[j - 1]; j--; }
        ko[j] = i;
      }
    }
  }
  fast fa;
  fa.on = 0;
  if (relevance && scanning) fast_setup(&fa, root, top);
  if (fa.on) {
    fast_vars(&fa);
    fa.w = SIZE_MAX;
  }
  /* phrases of the root (so matching every candidate) whose scores are kept lazily */
  qnode *lazy[4];
  int nlazy = 0;
  for (int i = 0; i < root->nkids && nlazy < 4; i++)
    if (root->kids[i]->type == Q_PHRASE && root->kids[i]->psc_lazy) lazy[nlazy++] = root->kids[i];
  /* the other phrases of the root that phase 1 kept: every candidate is one of their matches */
  for (int i = 0; i < root->nkids; i++)
    if (root->kids[i]->type == Q_PHRASE && root->kids[i]->psc_on && !root->kids[i]->psc_lazy)
      root->kids[i]->psc_win = 1;
  double amax = qabout_max(u->about);   /* constant: hoisted out of the candidate loop */
  int need_pub = u->fc || u->fn || hp->by_date;
  uint32_t win = 0;
  double wbound = 0;
  int have_win = 0;
  /* Every candidate up to skip (inclusive) is known to lose: its window's bound, with as many
   * tiers as a document can have, does not beat the k-th score (which only grows). */
  uint64_t skip = 0;
  int have_skip = 0;
  int tmax = nt ? nt : maxtiers;
  for (size_t w = 0; w < W; w++) {
    uint64_t m = M[w];
    if (!m) continue;
    if (have_skip && skip >= (uint64_t)w * 64) {
      if (skip >= (uint64_t)w * 64 + 63) continue;
      m &= ~0ull << ((skip & 63) + 1);
      if (!m) continue;
    }
    if (relevance && scanning && hp->n == hp->cap) {
      double thr = hp->h[0].score;
      double room = thr - allbm25 - maxprox;
      if (room >= 0) {   /* a winner needs more than room / TIER tiers */
        double need = room / Q_EXACT_TIER;
        if (need >= maxtiers) break;   /* nothing in this segment can win */
        int k = (int)need + 1;
        if (nt && k <= nt) m &= at_least(u->tierv, nt, w, k);
        if (!m) continue;
      }
      if (top) {
        if (thr != ess_thr) {
          double sum = qabout_max(u->about);   /* a doc in no essential kid still gets it */
          for (ess = 0; ess < nk && sum + kb[ko[ess]] + BOUND_EPS <= thr; ess++) sum += kb[ko[ess]];
          /* a doc in j kids scores at most the j largest kid bounds (plus the aboutness): the
           * docs in fewer than kneed kids cannot win */
          sum = qabout_max(u->about);
          for (kneed = 1; kneed <= nk && sum + kb[ko[nk - kneed]] + BOUND_EPS <= thr; kneed++) sum += kb[ko[nk - kneed]];
          ess_thr = thr;
        }
        if (ess >= nk || kneed > nk) break;
        uint64_t e = 0;
        for (int i = ess; i < nk; i++) e |= top->kids[ko[i]]->kbits[w];
        m &= e;
        if (!m) continue;
        if (kneed > 1) {   /* in at least kneed kids: the same DP as at_least(), on kbits */
          uint64_t ge[Q_KEEP_MAX + 1];
          ge[0] = ~0ull;
          for (int j = 1; j <= kneed; j++) ge[j] = 0;
          for (int i = 0; i < nk; i++) {
            uint64_t x = top->kids[i]->kbits[w];
            for (int j = kneed; j >= 1; j--) ge[j] |= ge[j - 1] & x;
          }
          m &= ge[kneed];
          if (!m) continue;
        }
      }
    }
    while (m) {
      uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
      m &= m - 1;
      int64_t pub = need_pub ? tt_seg_published(g, d) : 0;   /* else read when d is pushed */
      int positioned = 0;
      if (u->fc) {
        facet_month(u->fc, pub);
        tt_docstore_rec rec;
        TT_FORWARD(tt_docstore_get_meta(g->docs, d, &rec));
        TT_FORWARD(facet_source(u->fc, rec.source, rec.source_len));
      }
      if (u->fn) {
        tt_hit h = {base + d, 0, pub};
        if (u->fn_score) {
          TT_FORWARD(position(q, root, d));
          positioned = 1;
          h.score = full_score(u, q, root, d);
          if (q->err) return q->err;
        }
        int rc = u->fn(u->ctx, &h);
        if (rc) return rc;
      }
      if (!hp->cap) continue;
      int full = hp->n == hp->cap;
      if (hp->by_date) {
        if (full && pub <= hp->h[0].published) continue;
      } else if (full && !u->exhaustive) {
        double thr = hp->h[0].score;
        if (!have_win || d > win) {
          win = Q_END;
          wbound = (fa.on ? fast_wbound(&fa, q, d, &win) : qseg_bound(q, root, d, &win)) + maxprox;
          if (q->err) return q->err;
          if (fa.on) fast_window(&fa);
          have_win = 1;
          if (scanning && wbound + tmax * Q_EXACT_TIER + BOUND_EPS <= thr) {
            /* the whole window loses: drop its candidates a word at a time */
            skip = win;
            have_skip = 1;
            if ((uint64_t)win >= (uint64_t)w * 64 + 63) break;
            m &= ~0ull << ((win & 63) + 1);
            continue;
          }
        }
        int tc = maxtiers;
        if (nt && !fa.on) {   /* (only the check below reads it) */
          tc = 0;
          for (int i = 0; i < nt; i++) tc += (int)(u->tierv[i]->bits[w] >> (d & 63) & 1);
        }
        double ab = amax != 0 ? qabout_bound(u->about, d) : 0;   /* only the entities d mentions add aboutness */
        /* (a fast query goes straight to fast_bound: the same terms, only the groups d is in) */
        if (!fa.on && wbound - amax + ab + tc * Q_EXACT_TIER + BOUND_EPS <= thr) continue;
        double bb;
        if (fa.on) {
          if (fa.w != w) fast_word(&fa, w);
          bb = fast_bound(&fa, d) + ab;
        } else {
          if (nlazy && keep_lazy(q, lazy, nlazy, d)) return q->err;
          bb = qseg_bits_bound(root, d) + ab;
        }
        if (bb + BOUND_EPS <= thr) continue;
        double s0;
        if (fa.on) {
          if (!fast_doc(&fa, q, root, d, bb, thr, &s0)) {
            if (q->err) return q->err;
            continue;
          }
        } else {
          if (!positioned) TT_FORWARD(position(q, root, d));
          positioned = 1;
          if (!competitive(u, q, root, d, thr)) {
            if (q->err) return q->err;
            continue;
          }
          s0 = qseg_score(q, root, d);
        }
        if (s0 + maxprox - amax + ab + BOUND_EPS <= thr) continue;
        tt_hit h = {base + d, s0 + qseg_proximity(q, root, d), tt_seg_published(g, d)};
        TT_FORWARD(qabout_add(u->about, d, &h.score));
        if (q->err) return q->err;
        heap_push(hp, &h);
        continue;
      }
      if (!positioned) TT_FORWARD(position(q, root, d));
      tt_hit h = {base + d, full_score(u, q, root, d), tt_seg_published(g, d)};
      if (q->err) return q->err;
      heap_push(hp, &h);
    }
  }
  return 0;
}

static int run_query(run *u)
{
  qnode *root = u->t->root;
  if (!root || root->nkids == 0) return 0;
  tt_reader *r = u->r;
  for (uint32_t s = 0; s < r->nsegs; s++) {
    qseg q;
    TT_FORWARD(qseg_open(&q, r, s, root, u->no_pairs));
    TT_FORWARD(qabout_open(u->about, s));
    qnode *only = root->nkids == 1 ? root->kids[0] : NULL;
    int single = only && (only->type == Q_KEY || (only->type == Q_TERM && !only->strict && only->field == F_ANY)) &&
                 !q.seg->del && !u->fc && !u->fn && !u->hp.by_date && !u->exhaustive && !u->about;
    TT_FORWARD(single ? run_single(u, &q, only, s) : run_general(u, &q, s));
  }
  return 0;
}

/* ------------------------------------------------------------------ API */

int tt_search__ranked(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
                      tt_results *out)
{
  memset(out, 0, sizeof *out);
  tt_search_options def = TT_SEARCH_OPTIONS_INIT;
  if (!o) o = &def;
  if (o->offset > ((size_t)1 << 30) || o->limit > ((size_t)1 << 30))
    return tt_error_set(TT_EINVAL, "limit/offset too large");
  tt_analyzer *an;
  TT_FORWARD(tt_analyzer_new(&an));
  qtree t;
  int rc = qtree_parse(&t, r, an, query, len, o->exact);
  tt_analyzer_free(an);
  if (rc) return rc;
  run u;
  memset(&u, 0, sizeof u);
  u.r = r;
  u.t = &t;
  u.exhaustive = o->exhaustive;
  if ((rc = qabout_new(&u.about, r, t.root))) { qtree_free(&t); return rc; }
  t.maxprox += qabout_max(u.about);
  u.no_pairs = o->version >= 3 && o->positions_only;
  u.hp.cap = o->offset + o->limit;
  if (u.hp.cap > r->base[r->nsegs]) u.hp.cap = (size_t)r->base[r->nsegs];   /* no more hits than documents */
  u.hp.by_date = o->sort_date;
  facets fc;
  memset(&fc, 0, sizeof fc);
  if (u.hp.cap && !(u.hp.h = tt_malloc(u.hp.cap * sizeof *u.hp.h))) rc = tt_error_set(TT_ENOMEM, "out of memory");
  if (!rc && o->facets) {
    fc.months = tt_calloc(MONTH_N, sizeof *fc.months);
    if (!fc.months) rc = tt_error_set(TT_ENOMEM, "out of memory");
    u.fc = &fc;
  }
  int nterm = qtree_count_terms(t.root);
  if (!rc && !(u.tiers = tt_malloc((size_t)(nterm ? nterm : 1) * sizeof *u.tiers))) rc = tt_error_set(TT_ENOMEM, "out of memory");
  if (!rc) rc = run_query(&u);
  tt_free(u.tiers);
  tt_free(u.M);
  qabout_free(u.about);
  if (!rc) {
    out->total = u.total;
    if (u.hp.n) qsort(u.hp.h, u.hp.n, sizeof *u.hp.h, o->sort_date ? cmp_date : cmp_rel);
    size_t from = o->offset < u.hp.n ? o->offset : u.hp.n;
    out->n = u.hp.n - from;
    out->hits = tt_malloc((out->n ? out->n : 1) * sizeof *out->hits);
    if (!out->hits) rc = tt_error_set(TT_ENOMEM, "out of memory");
    else if (out->n) memcpy(out->hits, u.hp.h + from, out->n * sizeof *out->hits);
  }
  if (!rc && o->facets) rc = facets_export(&fc, o->facet_limit ? o->facet_limit : 10, out);
  tt_free(u.hp.h);
  facets_free(o->facets ? &fc : NULL);
  out->terms = t.terms;
  out->nterms = t.nterms;
  out->note = t.note;
  t.terms = NULL;
  t.nterms = 0;
  t.note = NULL;
  qtree_free(&t);
  if (rc) tt_results_fini(out);
  return rc;
}

int tt_search_each(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
                   int with_scores, tt_match_fn fn, void *ctx, uint64_t *total)
{
  if (total) *total = 0;
  if (!fn) return tt_error_set(TT_EINVAL, "tt_search_each: no callback");
  tt_analyzer *an;
  TT_FORWARD(tt_analyzer_new(&an));
  qtree t;
  int rc = qtree_parse(&t, r, an, query, len, o ? o->exact : 0);
  tt_analyzer_free(an);
  if (rc) return rc;
  run u;
  memset(&u, 0, sizeof u);
  u.r = r;
  u.t = &t;
  u.fn = fn;
  u.ctx = ctx;
  u.fn_score = with_scores;
  if (with_scores && (rc = qabout_new(&u.about, r, t.root))) { qtree_free(&t); return rc; }
  u.no_pairs = o && o->version >= 3 && o->positions_only;
  int nterm = qtree_count_terms(t.root);
  if (!(u.tiers = tt_malloc((size_t)(nterm ? nterm : 1) * sizeof *u.tiers))) rc = tt_error_set(TT_ENOMEM, "out of memory");
  if (!rc) rc = run_query(&u);
  tt_free(u.tiers);
  tt_free(u.M);
  qabout_free(u.about);
  if (total) *total = u.total;
  qtree_free(&t);
  return rc;
}

void tt_results_fini(tt_results *res)
{
  tt_free(res->hits);
  tt_free(res->copies);
  for (size_t i = 0; i < res->nterms; i++) tt_free(res->terms[i]);
  tt_free(res->terms);
  tt_free(res->note);
  for (size_t i = 0; i < res->nsources; i++) tt_free(res->sources[i].value);
  tt_free(res->sources);
  for (size_t i = 0; i < res->nmonths; i++) tt_free(res->months[i].value);
  tt_free(res->months);
  memset(res, 0, sizeof *res);
}

int tt_hit_fetch(tt_reader *r, uint64_t doc, int with_body, tt_doc *out)
{
  if (doc >= r->base[r->nsegs]) return tt_error_set(TT_ENOTFOUND, "no document %llu", (unsigned long long)doc);
  uint32_t lo = 0, hi = r->nsegs;   /* last segment with base <= doc */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r->base[mid] <= doc) lo = mid;
    else hi = mid;
  }
  tt_docstore_rec rec;
  uint32_t local = (uint32_t)(doc - r->base[lo]);
  int rc = with_body ? tt_docstore_get(r->segs[lo].docs, local, &rec)
                     : tt_docstore_get_meta(r->segs[lo].docs, local, &rec);
  if (rc) return rc;
  out->url = rec.url; out->url_len = rec.url_len;
  out->title = rec.title; out->title_len = rec.title_len;
  out->source = rec.source; out->source_len = rec.source_len;
  out->body = rec.body; out->body_len = with_body ? rec.body_len : 0;
  out->id = rec.id; out->id_len = rec.id_len;
  out->published = rec.published;
  return 0;
}
