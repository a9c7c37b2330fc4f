/* Matching, scoring and score bounds of a query tree on one segment (query/query_int.h).
 *
 * Document-at-a-time: every node implements seek(target) = its first matching doc >= target.
 * AND leapfrogs over its iterator kids, cheapest first (the rarest list proposes candidates,
 * the others confirm them with skip-table seeks that never decode the blocks they jump over),
 * then checks positions (phrase, NEAR) and filters (dates, exclusions). Frequencies are decoded
 * only for documents that are scored, positions only for documents whose doc ids already agree.
 *
 * Scores are BM25F per syllable (indexer/bm25.h) with index-wide statistics, plus the exact-form
 * tier and the proximity bonus (docs/ranking.md). qseg_bound turns the block maxima stored in
 * the postings into an upper bound of the score over a window of documents, which lets the
 * top-k loop count documents without scoring them. */
#include "query/query_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/error.h"
#include "indexer/bm25.h"
#include "indexer/pairs.h"

/* ------------------------------------------------------------------ opening */

/* Open key's list on the segment; known: its entry as the parse found it (NULL: look it up). */
static int open_list(qseg *q, const char *key, const qdent *known, int want_pos, tt_plist_cursor *cur,
                     uint8_t *open, uint8_t *positional, uint32_t *df)
{
  const tt_segment *s = q->seg;
  tt_dict_entry e;
  *df = 0;
  if (known) {
    if (!known->found) return 0;
    e.post_off = known->post_off;
    e.post_len = known->post_len;
    e.flags = known->flags;
  } else {
    char scratch[TT_DICT_MAX_KEY + 1];
    int rc = tt_dict_lookup(&s->dict, key, strlen(key), &e, scratch);
    if (rc == TT_ENOTFOUND) return 0;
    if (rc) return rc;
  }
  if (e.post_off > s->post.len || e.post_len > s->post.len - e.post_off)
    return tt_error_set(TT_ECORRUPT, "%s: postings of '%s' out of range", s->post.path, key);
  int pos = want_pos && (e.flags & TT_DICT_POSITIONAL);
  int rc = tt_plist_open(cur, s->post.data + e.post_off, e.post_len, pos);
  if (rc) { tt_plist_close(cur); return rc; }
  *open = 1;
  if (positional) *positional = (uint8_t)pos;
  *df = tt_plist_df(cur);
  return 0;
}

static void order_kids(qnode *n, int only_iter)
{
  /* insertion sort of kid indexes by cost (few kids) */
  int m = 0;
  for (int i = 0; i < n->nkids; i++) {
    int t = n->kids[i]->type;
    if (only_iter && (t == Q_NOT || t == Q_DATE)) continue;
    n->order[m++] = i;
  }
  if (only_iter && m == 0)   /* only filters: the first date filter enumerates */
    for (int i = 0; i < n->nkids && !m; i++)
      if (n->kids[i]->type == Q_DATE) n->order[m++] = i;
  for (int i = 1; i < m; i++) {
    int v = n->order[i], j = i;
    while (j > 0 && n->kids[n->order[j - 1]]->cost > n->kids[v]->cost) { n->order[j] = n->order[j - 1]; j--; }
    n->order[j] = v;
  }
  n->niter = m;
}

static int open_node(qseg *q, qnode *n)
{
  n->fresh = 1;
  n->doc = 0;
  n->wok = 0;
  n->vdoc = UINT32_MAX;
  switch (n->type) {
  case Q_TERM:
  case Q_KEY: {
    if (n->open) { tt_plist_close(n->cur); n->open = 0; }
    if (n->eopen) { tt_plist_close(n->ecur); n->eopen = 0; }
    uint32_t df = 0, edf = 0;
    /* the parse looked up (for df) the key the match counts: exact when strict */
    const qdent *known = n->dent ? &n->dent[q->seg - q->r->segs] : NULL;
    int kexact = n->strict && n->exact;
    TT_FORWARD(open_list(q, n->key, kexact ? NULL : known, n->type == Q_TERM, n->cur, &n->open, &n->positional, &df));
    if (n->exact && (n->strict || n->tier))
      TT_FORWARD(open_list(q, n->exact, kexact ? known : NULL, 0, n->ecur, &n->eopen, NULL, &edf));
    n->cost = n->strict ? edf : df;
    if (n->strict && !n->eopen) n->cost = 0;
    return 0;
  }
  case Q_DATE:
    n->cost = q->seg->ndocs;
    return 0;
  case Q_NONE:
    n->cost = 0;
    return 0;
  default:
    break;
  }
  for (int i = 0; i < n->nkids; i++) TT_FORWARD(open_node(q, n->kids[i]));
  n->pairs_on = n->pairs && q->seg->pairs == TT_PAIRS_ID && !q->no_pairs;
  if (n->pairs_on)
    for (int i = 0; i + 1 < n->nkids; i++)
      if (n->pairs[i]) TT_FORWARD(open_node(q, n->pairs[i]));
  switch (n->type) {
  case Q_AND:
    order_kids(n, 1);
    n->cost = n->niter ? n->kids[n->order[0]]->cost : 0;
    break;
  case Q_PHRASE:
  case Q_NEAR:
    order_kids(n, 0);
    n->cost = n->kids[n->order[0]]->cost;
    if (n->pairs_on)
      for (int i = 0; i + 1 < n->nkids; i++)
        if (n->pairs[i] && n->pairs[i]->cost < n->cost) n->cost = n->pairs[i]->cost;
    break;
  case Q_OR:
    n->cost = 0;
    for (int i = 0; i < n->nkids; i++) n->cost += n->kids[i]->cost;
    break;
  default:
    n->cost = n->nkids ? n->kids[0]->cost : 0;
    break;
  }
  return 0;
}

static void reset_sets(qnode *n)
{
  n->ebits_ok = 0;
  n->kept = 0;
  n->psc_on = 0;
  n->psc_lazy = 0;
  n->psc_win = 0;
  for (int i = 0; i < n->nkids; i++) reset_sets(n->kids[i]);
  if (n->pairs)
    for (int i = 0; i + 1 < n->nkids; i++)
      if (n->pairs[i]) n->pairs[i]->ebits_ok = 0;
}

int qseg_open(qseg *q, tt_reader *r, uint32_t s, qnode *root, int no_pairs)
{
  q->no_pairs = no_pairs;
  q->rank = 0;
  reset_sets(root);
  q->r = r;
  q->seg = &r->segs[s];
  q->err = 0;
  const tt_segment *g = q->seg;
  double at = g->ndocs ? (double)g->sum_title / g->ndocs : 1;
  double ab = g->ndocs ? (double)g->sum_body / g->ndocs : 1;
  q->ratio = 1;
  if (at > 0 && r->avg_title / at > q->ratio) q->ratio = r->avg_title / at;
  if (ab > 0 && r->avg_body / ab > q->ratio) q->ratio = r->avg_body / ab;
  q->ratio *= 1.0001;   /* rounding slack */
  q->words = ((size_t)g->ndocs + 63) / 64;
  q->nt_doc = q->nb_doc = UINT32_MAX;
  return open_node(q, root);
}

int qseg_rewind(qseg *q, qnode *root)
{
  q->err = 0;
  return open_node(q, root);
}

static int restart_cursor(tt_plist_cursor *c, int pos)
{
  const uint8_t *data = c->data;
  size_t len = c->len;
  tt_plist_close(c);
  return tt_plist_open(c, data, len, pos);
}

/* qseg_rewind without the dictionary lookups: every open cursor is reopened on the bytes it
 * was opened on (the lists, costs and kid orders of qseg_open stay valid: same segment). */
static int restart_node(qnode *n)
{
  n->fresh = 1;
  n->doc = 0;
  n->wok = 0;
  n->vdoc = UINT32_MAX;
  if (n->type == Q_TERM || n->type == Q_KEY) {
    if (n->open) TT_FORWARD(restart_cursor(n->cur, n->positional));
    if (n->eopen) TT_FORWARD(restart_cursor(n->ecur, 0));
    return 0;
  }
  for (int i = 0; i < n->nkids; i++) TT_FORWARD(restart_node(n->kids[i]));
  if (n->pairs_on)
    for (int i = 0; i + 1 < n->nkids; i++)
      if (n->pairs[i]) TT_FORWARD(restart_node(n->pairs[i]));
  return 0;
}

int qseg_restart(qseg *q, qnode *root)
{
  q->err = 0;
  return restart_node(root);
}

/* ------------------------------------------------------------------ positions */

static int grow_spans(qnode *n, size_t want)
{
  if (want <= n->capsp) return 0;
  size_t cap = n->capsp ? n->capsp : 64;
  while (cap < want) cap *= 2;
  uint32_t *p = tt_realloc(n->sp, cap * sizeof *p);
  TT_CHECK_ALLOC(p);
  n->sp = p;
  n->capsp = cap;
  return 0;
}

/* Is position p (of a match of length len) in field f of a doc whose title has tl tokens?
 * Title positions are 0..tl-1, body positions start at tl+1 (docs/format.md). */
static inline int in_field(int f, uint32_t p, uint32_t tl)
{
  return f == F_ANY || (f == F_TITLE ? p < tl : p > tl);
}

static int term_positions(qseg *q, qnode *n, const uint32_t **p, uint32_t *np)
{
  if (!n->open || !n->positional) { *p = NULL; *np = 0; return 0; }
  int rc = tt_plist_positions(n->cur, p, np);
  if (rc) q->err = rc;
  return rc;
}

/* First index i in [lo, n) with P[i] >= want (n if none): branch-free bisection, so the
 * unpredictable outcome of each comparison costs no misprediction. */
static inline uint32_t lower_bound(const uint32_t *P, uint32_t lo, uint32_t n, uint32_t want)
{
  if (lo >= n) return n;
  const uint32_t *base = P + lo;
  uint32_t len = n - lo;
  while (len > 1) {
    uint32_t half = len / 2;
    base = base[half] < want ? base + half : base;
    len -= half;
  }
  return (uint32_t)(base - P) + (*base < want);
}

/* Start positions of the matches of phrase n in doc d (all kids on d), restricted to the
 * phrase's field, into n->sp; first_only may stop at the first. The kids are taken by
 * increasing frequency in d: the rarest gives the candidate starts, each next kid filters them
 * (bisecting its positions), so a document is usually rejected before
 * the positions of its most frequent syllables are decoded. Returns the count (0 on error, with
 * q->err set). */
static size_t phrase_spans(qseg *q, qnode *n, uint32_t d, int first_only)
{
  int m = n->nkids;
  int ix[16], *I = ix;
  uint32_t tf[16], *T = tf;
  if (m > 16) {
    I = tt_malloc((size_t)m * sizeof *I);
    T = tt_malloc((size_t)m * sizeof *T);
    if (!I || !T) {
      tt_free(I == ix ? NULL : I);
      tt_free(T == tf ? NULL : T);
      q->err = tt_error_set(TT_ENOMEM, "out of memory");
      n->nsp = 0;
      return 0;
    }
  }
  for (int k = 0; k < m; k++) {
    qnode *kid = n->kids[k];
    T[k] = kid->open ? tt_plist_tf_title(kid->cur) + tt_plist_tf_body(kid->cur) : 0;
    int j = k;
    while (j > 0 && T[I[j - 1]] > T[k]) { I[j] = I[j - 1]; j--; }
    I[j] = k;
  }
  size_t ns = 0;
  for (int t = 0; t < m; t++) {
    int k = I[t];
    const uint32_t *P;
    uint32_t N;
    if (term_positions(q, n->kids[k], &P, &N) || N == 0) { ns = 0; break; }
    if (t == 0) {
      if (grow_spans(n, N)) { q->err = TT_ENOMEM; ns = 0; break; }
      for (uint32_t x = 0; x < N; x++)
        if (P[x] >= (uint32_t)k) n->sp[ns++] = P[x] - (uint32_t)k;
      continue;
    }
    size_t out = 0;
    uint32_t j = 0;
    for (size_t i = 0; i < ns; i++) {
      uint32_t st = n->sp[i];
      if (st > UINT32_MAX - (uint32_t)k) break;
      uint32_t want = st + (uint32_t)k;
      j = lower_bound(P, j, N, want);
      if (j >= N) break;
      if (P[j] == want) n->sp[out++] = st;
    }
    ns = out;
    if (!ns) break;
  }
  if (ns && n->field) {
    uint32_t tl = tt_seg_title_len(q->seg, d);
    size_t out = 0;
    for (size_t i = 0; i < ns; i++) if (in_field(n->field, n->sp[i], tl)) n->sp[out++] = n->sp[i];
    ns = out;
  }
  if (ns && first_only) ns = 1;
  if (I != ix) { tt_free(I); tt_free(T); }
  n->nsp = ns;
  return ns;
}

/* Occurrences of a NEAR operand (term or phrase) in doc d: start positions in k->sp, length in
 * *len. */
static size_t operand_spans(qseg *q, qnode *k, uint32_t d, uint32_t *len)
{
  if (k->type == Q_PHRASE) {
    *len = (uint32_t)k->nkids;
    return phrase_spans(q, k, d, 0);
  }
  *len = 1;
  const uint32_t *p;
  uint32_t np;
  if (term_positions(q, k, &p, &np)) return 0;
  if (grow_spans(k, np ? np : 1)) { q->err = TT_ENOMEM; return 0; }
  uint32_t tl = k->field ? tt_seg_title_len(q->seg, d) : 0;
  size_t c = 0;
  for (uint32_t i = 0; i < np; i++)
    if (in_field(k->field, p[i], tl)) k->sp[c++] = p[i];
  k->nsp = c;
  return c;
}

/* Some occurrence of b starts after occurrence a ends, within dist positions, in the same
 * field. A and B sorted. */
static int near_after(const uint32_t *A, size_t na, uint32_t la, const uint32_t *B, size_t nb,
                      uint32_t dist, uint32_t tl)
{
  size_t j = 0;
  for (size_t i = 0; i < na; i++) {
    uint64_t end = (uint64_t)A[i] + la - 1;
    while (j < nb && B[j] <= end) j++;
    if (j >= nb) return 0;
    if (B[j] - end <= dist && (A[i] < tl) == (B[j] < tl)) return 1;
  }
  return 0;
}

static int near_ok(qseg *q, qnode *n, uint32_t d)
{
  qnode *a = n->kids[0], *b = n->kids[1];
  uint32_t la, lb;
  size_t na = operand_spans(q, a, d, &la);
  if (!na) return 0;
  size_t nb = operand_spans(q, b, d, &lb);
  if (!nb) return 0;
  uint32_t tl = tt_seg_title_len(q->seg, d);
  if (n->field) {   /* keep only occurrences in the field (both must be there) */
    size_t c = 0;
    for (size_t i = 0; i < na; i++) if (in_field(n->field, a->sp[i], tl)) a->sp[c++] = a->sp[i];
    na = c;
    c = 0;
    for (size_t i = 0; i < nb; i++) if (in_field(n->field, b->sp[i], tl)) b->sp[c++] = b->sp[i];
    nb = c;
  }
  return near_after(a->sp, na, la, b->sp, nb, n->near, tl) ||
         near_after(b->sp, nb, lb, a->sp, na, n->near, tl);
}

/* ------------------------------------------------------------------ seeking */

static uint32_t seek_term(qseg *q, qnode *n, uint32_t t)
{
  tt_plist_cursor *drv = n->strict ? n->ecur : n->cur;
  if (n->strict ? !n->eopen : !n->open) return Q_END;
  for (;;) {
    int rc = tt_plist_seek(drv, t);
    if (rc) {
      if (rc != TT_ITEROVER) q->err = rc;
      return Q_END;
    }
    uint32_t d = tt_plist_doc(drv);
    if (n->field == F_TITLE ? tt_plist_tf_title(drv) == 0 : n->field == F_BODY ? tt_plist_tf_body(drv) == 0 : 0) {
      if (d >= Q_END - 1) return Q_END;
      t = d + 1;
      continue;
    }
    if (n->strict) {   /* the folded list follows, for frequencies and positions */
      rc = n->open ? tt_plist_seek(n->cur, d) : TT_ITEROVER;
      if (rc == TT_ITEROVER || (rc == 0 && tt_plist_doc(n->cur) != d)) {
        q->err = tt_error_set(TT_ECORRUPT, "%s: exact and folded lists of '%s' disagree", q->seg->name, n->exact);
        return Q_END;
      }
      if (rc) { q->err = rc; return Q_END; }
    }
    return d;
  }
}

static uint32_t seek_date(qseg *q, qnode *n, uint32_t t)
{
  for (uint32_t d = t; d < q->seg->ndocs; d++) {
    int64_t p = tt_seg_published(q->seg, d);
    if (p != TT_DATE_UNKNOWN && p >= n->lo && p < n->hi) return d;
  }
  return Q_END;
}

static inline int date_ok(const qseg *q, const qnode *n, uint32_t d)
{
  int64_t p = tt_seg_published(q->seg, d);
  return p != TT_DATE_UNKNOWN && p >= n->lo && p < n->hi;
}

/* AND, PHRASE, NEAR: leapfrog the iterators to a common doc, then verify. */
static uint32_t seek_all(qseg *q, qnode *n, uint32_t t)
{
  uint32_t d = t;
  int m = n->niter;
  if (m == 0) return Q_END;
  for (;;) {
    int agree = 0, k = 0;
    while (agree < m) {
      qnode *kid = n->kids[n->order[k]];
      uint32_t kd = qseg_seek(q, kid, d);
      if (kd == Q_END || q->err) return Q_END;
      if (kd == d) agree++;
      else { d = kd; agree = 1; }
      if (++k == m) k = 0;
    }
    if (d >= q->seg->ndocs) return Q_END;
    int ok = 1;
    if (n->type == Q_PHRASE) ok = phrase_spans(q, n, d, 1) > 0;
    else if (n->type == Q_NEAR) ok = near_ok(q, n, d);
    else {
      for (int i = 0; i < n->nkids && ok; i++) {
        qnode *kid = n->kids[i];
        if (kid->type == Q_DATE) ok = date_ok(q, kid, d);
        else if (kid->type == Q_NOT) ok = qseg_seek(q, kid->kids[0], d) != d;
      }
    }
    if (q->err) return Q_END;
    if (ok) return d;
    if (d >= Q_END - 1) return Q_END;
    d++;
  }
}

static uint32_t seek_or(qseg *q, qnode *n, uint32_t t)
{
  uint32_t best = Q_END;
  for (int i = 0; i < n->nkids; i++) {
    uint32_t kd = qseg_seek(q, n->kids[i], t);
    if (kd < best) best = kd;
  }
  return q->err ? Q_END : best;
}

uint32_t qseg_seek(qseg *q, qnode *n, uint32_t t)
{
  if (!n->fresh && (n->doc == Q_END || t <= n->doc)) return n->doc;
  n->fresh = 0;
  uint32_t d;
  switch (n->type) {
  case Q_TERM:
  case Q_KEY: d = seek_term(q, n, t); break;
  case Q_AND:
  case Q_PHRASE:
  case Q_NEAR: d = seek_all(q, n, t); break;
  case Q_OR: d = seek_or(q, n, t); break;
  case Q_DATE: d = seek_date(q, n, t); break;
  default: d = Q_END; break;
  }
  return n->doc = d;
}

/* ------------------------------------------------------------------ scoring */

/* tt_bm25_ptf(tft, tfb, title length, body length, index averages) of doc d, the same operations
 * in the same order (so the same bits), with the two length norms kept for the doc's other
 * terms: a document scored term by term divides once per field, not once per term. */
static inline double doc_ptf(qseg *q, uint32_t tft, uint32_t tfb, uint32_t d)
{
  double x = 0;
  if (tft) {
    if (q->nt_doc != d) {
      double avgt = q->r->avg_title;
      q->nt = 1 - TT_BM25_B_TITLE + TT_BM25_B_TITLE * tt_seg_title_len(q->seg, d) / (avgt > 0 ? avgt : 1);
      q->nt_doc = d;
    }
    x += TT_BM25_W_TITLE * tft / q->nt;
  }
  if (tfb) {
    if (q->nb_doc != d) {
      double avgb = q->r->avg_body;
      q->nb = 1 - TT_BM25_B_BODY + TT_BM25_B_BODY * tt_seg_body_len(q->seg, d) / (avgb > 0 ? avgb : 1);
      q->nb_doc = d;
    }
    x += tfb / q->nb;
  }
  return x;
}

/* Score of term n on d (n->doc) with frequencies tft, tfb there. */
static inline double score_tf(qseg *q, qnode *n, uint32_t d, uint32_t tft, uint32_t tfb)
{
  if (n->field == F_BODY) tft = 0;
  if (n->field == F_TITLE) tfb = 0;
  double ptf = doc_ptf(q, tft, tfb, d);
  double sc = n->idf * tt_bm25_sat(ptf);
  if (n->tier && n->eopen) {
    if (n->ebits_ok) return sc + (n->bits[d >> 6] >> (d & 63) & 1 ? Q_EXACT_TIER : 0);
    int rc = tt_plist_seek(n->ecur, d);
    if (rc == 0 && tt_plist_doc(n->ecur) == d) sc += Q_EXACT_TIER;
    else if (rc && rc != TT_ITEROVER) q->err = rc;
  }
  return sc;
}

static double score_term(qseg *q, qnode *n, uint32_t d)
{
  if (n->doc != d || !n->open) return 0;
  return score_tf(q, n, d, n->field == F_BODY ? 0 : tt_plist_tf_title(n->cur),
                  n->field == F_TITLE ? 0 : tt_plist_tf_body(n->cur));
}

/* qseg_score of a phrase that place_kept put on d: its kids' kept frequencies (their cursors
 * are behind), summed as qseg_score sums. Not inlined: qseg_score, called per posting of a
 * single syllable, would save more registers. */
static TT_NOINLINE double score_kept(qseg *q, qnode *n, uint32_t d)
{
  double s = 0;
  for (int i = 0; i < n->nkids; i++) {
    qnode *k = n->kids[i];
    if (k->doc == d && k->open) s += score_tf(q, k, d, k->vtft, k->vtfb);
  }
  return s;
}

double qseg_score(qseg *q, qnode *n, uint32_t d)
{
  switch (n->type) {
  case Q_TERM: return score_term(q, n, d);
  case Q_KEY:
  case Q_NOT:
  case Q_DATE:
  case Q_NONE: return 0;
  default: {
    if (n->vdoc == d) return score_kept(q, n, d);   /* a phrase place_kept put on d */
    double s = 0;
    for (int i = 0; i < n->nkids; i++)
      if (n->kids[i]->doc == d) s += qseg_score(q, n->kids[i], d);
    return s;
  }
  }
}

/* Do a and b (both on d) stand next to each other, a first? */
static int adjacent(qseg *q, qnode *a, qnode *b)
{
  const uint32_t *pa, *pb;
  uint32_t na, nb;
  if (term_positions(q, a, &pa, &na)) return 0;
  /* a's positions pointer stays valid: b's cursor is another cursor */
  if (term_positions(q, b, &pb, &nb)) return 0;
  uint32_t x = 0, y = 0;
  while (x < na && y < nb) {
    if (pa[x] + 1 == pb[y]) return 1;
    if (pa[x] + 1 < pb[y]) x++;
    else y++;
  }
  return 0;
}

/* Is d in the list of pair term k (a segment with pair terms)? Targets increase. */
static int pair_has(qseg *q, qnode *k, uint32_t d)
{
  if (!k->open) return 0;
  int rc = tt_plist_seek(k->cur, d);
  if (rc) {
    if (rc != TT_ITEROVER) q->err = rc;
    return 0;
  }
  return tt_plist_doc(k->cur) == d;
}

double qseg_proximity(qseg *q, qnode *n, uint32_t d)
{
  double bonus = 0;
  if (n->type != Q_AND && n->type != Q_OR) return 0;
  if (n->type == Q_AND) {
    for (int i = 0; i + 1 < n->nkids; i++) {
      qnode *a = n->kids[i], *b = n->kids[i + 1];
      if (a->type != Q_TERM || b->type != Q_TERM || a->doc != d || b->doc != d) continue;
      if (n->pairs_on && n->pairs[i] ? pair_has(q, n->pairs[i], d) : adjacent(q, a, b)) bonus += Q_PROX_WEIGHT * (a->idf < b->idf ? a->idf : b->idf);
    }
  }
  for (int i = 0; i < n->nkids; i++) {
    qnode *k = n->kids[i];
    if ((k->type == Q_AND || k->type == Q_OR) && k->doc == d) bonus += qseg_proximity(q, k, d);
  }
  return bonus;
}

/* ------------------------------------------------------------------ bounds */

static size_t psc_find(qnode *n, uint32_t d);

/* Bound of phrase n (psc_win) over [d, *win]: the largest kept BM25F part of its matches in
 * the rest of d's range of 256 docs (the window is lowered to its end). Tight where the block
 * maxima of its syllables are loose, and no skip-table search per syllable and window. (Ranges
 * of 32, 64, 256, 1024 and 4096 docs: 256 took the fewest instructions on the bench's phrase
 * and entity queries.) */
static double psc_window(qnode *n, uint32_t d, uint32_t *win)
{
  uint32_t lim = d | 255;
  if (lim < *win) *win = lim;
  else lim = *win;
  double b = 0;
  for (size_t i = psc_find(n, d); i < n->npsc && n->pscdoc[i] <= lim; i++)
    if (n->psc[i] > b) b = n->psc[i];
  return b;
}

double qseg_bound(qseg *q, qnode *n, uint32_t d, uint32_t *win)
{
  switch (n->type) {
  case Q_TERM: {
    if (!n->open) return 0;
    /* The block found for an earlier target (targets increase) ends at or after d: its
     * maximum still bounds every posting of the term in [d, wlast]. The cursor is left where
     * it is (a shallow move would make the next placing decode from the block start). */
    if (n->wok && d <= n->wlast) {
      if (n->wlast < *win) *win = n->wlast;
      return n->wbm;
    }
    int rc = tt_plist_seek_block(n->cur, d);
    if (rc) {
      n->wok = 0;
      if (rc != TT_ITEROVER) q->err = rc;
      return 0;
    }
    uint32_t last = tt_plist_block_last_doc(n->cur);
    if (last < *win) *win = last;
    double ptf = tt_plist_block_max(n->cur) / TT_IMPACT_SCALE * q->ratio;
    n->wbm = n->idf * tt_bm25_sat(ptf);
    n->wlast = last;
    n->wok = 1;
    return n->wbm;
  }
  case Q_KEY:
  case Q_NOT:
  case Q_DATE:
  case Q_NONE: return 0;
  default: {
    if (n->psc_win) return psc_window(n, d, win);
    double b = 0;
    for (int i = 0; i < n->nkids; i++) b += qseg_bound(q, n->kids[i], d, win);
    return b;
  }
  }
}

double qseg_dbound(qseg *q, qnode *n, uint32_t d, qnode **tiers, int *nt)
{
  switch (n->type) {
  case Q_TERM:
    if (n->doc != d || !n->open) return 0;
    if (n->tier && n->eopen) {
      tiers[(*nt)++] = n;
      return n->wbm + Q_EXACT_TIER;
    }
    return n->wbm;
  case Q_KEY:
  case Q_NOT:
  case Q_DATE:
  case Q_NONE: return 0;
  default: {
    if (n->psc_win) {   /* its exact part, and the tiers as the kids count them */
      size_t at = psc_find(n, d);
      double b = at < n->npsc && n->pscdoc[at] == d ? n->psc[at] : HUGE_VAL;
      for (int i = 0; i < n->nkids; i++) {
        qnode *k = n->kids[i];
        if (k->doc == d && k->open && k->tier && k->eopen) {
          tiers[(*nt)++] = k;
          b += Q_EXACT_TIER;
        }
      }
      return b;
    }
    double b = 0;
    for (int i = 0; i < n->nkids; i++)
      if (n->kids[i]->doc == d) b += qseg_dbound(q, n->kids[i], d, tiers, nt);
    return b;
  }
  }
}

int qtree_count_terms(const qnode *n)
{
  int c = n->type == Q_TERM;
  for (int i = 0; i < n->nkids; i++) c += qtree_count_terms(n->kids[i]);
  return c;
}

/* ------------------------------------------------------------------ bitmaps (exact counts) */

static int ensure_words(qseg *q, uint64_t **bits, size_t *cap)
{
  if (*cap >= q->words && *bits) return 0;
  size_t w = q->words ? q->words : 1;
  uint64_t *b = tt_realloc(*bits, w * sizeof *b);
  if (!b) return q->err = tt_error_set(TT_ENOMEM, "out of memory");
  *bits = b;
  *cap = w;
  return 0;
}

static int ensure_bits(qseg *q, qnode *n) { return ensure_words(q, &n->bits, &n->bitcap); }

static inline int has_bit(const uint64_t *b, uint32_t d) { return (int)(b[d >> 6] >> (d & 63) & 1); }

static int any_bits(const uint64_t *b, size_t w)
{
  for (size_t i = 0; i < w; i++)
    if (b[i]) return 1;
  return 0;
}

/* Set bits of b[0, w), counting only until lim is reached (the result is then >= lim). Without
 * -mpopcnt, __builtin_popcountll is a library call per word (__popcountdi2); the popcnt
 * instruction is used where the CPU has it (x86-64 since 2008), checked at run time. */
#define Q_BITS_BODY                                                  \
  size_t c = 0;                                                      \
  for (size_t i = 0; i < w; i++)                                     \
    if ((c += (size_t)__builtin_popcountll(b[i])) >= lim) return c;  \
  return c;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
__attribute__((target("popcnt"))) static size_t bits_upto_hw(const uint64_t *b, size_t w, size_t lim) { Q_BITS_BODY }
static size_t bits_upto_sw(const uint64_t *b, size_t w, size_t lim) { Q_BITS_BODY }
static size_t bits_upto(const uint64_t *b, size_t w, size_t lim)
{
  return __builtin_cpu_supports("popcnt") ? bits_upto_hw(b, w, lim) : bits_upto_sw(b, w, lim);
}
#else
static size_t bits_upto(const uint64_t *b, size_t w, size_t lim) { Q_BITS_BODY }
#endif
#undef Q_BITS_BODY

/* Is the number of set bits below lim? */
static int fewer_bits(const uint64_t *b, size_t w, size_t lim) { return bits_upto(b, w, lim) < lim; }

static inline int field_ok(const qnode *n, tt_plist_cursor *c)
{
  if (n->field == F_TITLE) return tt_plist_tf_title(c) > 0;
  if (n->field == F_BODY) return tt_plist_tf_body(c) > 0;
  return 1;
}

/* OR the docs of list c (restricted to mask) into out. A sparse mask is probed with seeks;
 * otherwise the list is decoded block after block. zeroed: out is all zeros, so a dense list
 * is set unmasked and the mask applied a word at a time afterwards (cheaper than reading the
 * mask for every posting). */
static void list_bits(qseg *q, const qnode *n, tt_plist_cursor *c, uint64_t *out, const uint64_t *mask,
                      int zeroed)
{
  uint32_t nd = q->seg->ndocs;
  int rc;
  if (mask && fewer_bits(mask, q->words, ((size_t)tt_plist_df(c) + 7) / 8)) {
    for (size_t w = 0; w < q->words; w++) {
      uint64_t m = mask[w];
      while (m) {
        uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
        m &= m - 1;
        rc = tt_plist_seek_near(c, d);
        if (rc) {
          if (rc != TT_ITEROVER) q->err = rc;
          return;
        }
        if (tt_plist_doc(c) == d && field_ok(n, c)) out[w] |= 1ull << (d & 63);
      }
    }
    return;
  }
  if (!n->field) {   /* a block at a time: no per-posting cursor step */
    while ((rc = tt_plist_next(c)) == 0) {
      uint32_t k;
      const uint32_t *D = tt_plist_block_docs(c, &k);
      /* doc ids increase within a block (the codec sums gaps + 1): the last one bounds all */
      if (D[k - 1] >= nd) {
        q->err = tt_error_set(TT_ECORRUPT, "%s: postings of '%s' name doc %u of %u", q->seg->name, n->key, D[k - 1], nd);
        return;
      }
      /* the bits of one 64-doc word are gathered in a register and stored when the word
       * changes: or-ing each doc into memory makes every posting of a dense list wait for the
       * store of the one before (same word) */
      size_t cw = D[0] >> 6;
      uint64_t acc = 0;
      for (uint32_t i = 0; i < k; i++) {
        uint32_t d = D[i];
        size_t w = d >> 6;
        if (w != cw) {
          out[cw] |= mask && !zeroed ? acc & mask[cw] : acc;
          cw = w;
          acc = 0;
        }
        acc |= 1ull << (d & 63);
      }
      out[cw] |= mask && !zeroed ? acc & mask[cw] : acc;
      tt_plist_to_block_end(c);
    }
    if (rc != TT_ITEROVER) { q->err = rc; return; }
    if (mask && zeroed)
      for (size_t w = 0; w < q->words; w++) out[w] &= mask[w];
    return;
  }
  while ((rc = tt_plist_next(c)) == 0) {
    uint32_t d = tt_plist_doc(c);
    if (d >= nd) {
      q->err = tt_error_set(TT_ECORRUPT, "%s: postings of '%s' name doc %u of %u", q->seg->name, n->key, d, nd);
      return;
    }
    if (mask && !has_bit(mask, d)) continue;
    if (n->field && !field_ok(n, c)) continue;
    out[d >> 6] |= 1ull << (d & 63);
  }
  if (rc != TT_ITEROVER) q->err = rc;
}

static void date_bits(qseg *q, const qnode *n, uint64_t *out, const uint64_t *mask)
{
  memset(out, 0, q->words * sizeof *out);
  uint32_t nd = q->seg->ndocs;
  if (mask) {
    for (size_t w = 0; w < q->words; w++)
      for (uint64_t m = mask[w]; m; m &= m - 1) {
        uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
        if (date_ok(q, n, d)) out[w] |= 1ull << (d & 63);
      }
    return;
  }
  for (uint32_t d = 0; d < nd; d++)
    if (date_ok(q, n, d)) out[d >> 6] |= 1ull << (d & 63);
}

/* tt_plist_seek for targets that are usually a few postings ahead (dense candidates): a target
 * in the decoded block is found inline (tt_plist_seek_near), only one past the block calls the
 * skip-table seek. (Until qent5: up to four next() first, then the call; the call's in-block
 * bisection was ~100 instructions of every seek of a phrase check.) */
static inline int step_to(tt_plist_cursor *c, uint32_t t)
{
  return tt_plist_seek_near(c, t);
}

/* Is n a phrase of plain syllables (the kids verify_positions seeks without the tree walk)? */
static int plain_phrase(const qnode *n)
{
  if (n->type != Q_PHRASE) return 0;
  for (int i = 0; i < n->nkids; i++) {
    const qnode *k = n->kids[i];
    if (k->type != Q_TERM || k->strict || k->field) return 0;
  }
  return 1;
}

/* Room for one more kept match of phrase n (pscdoc, psc, ptf). Returns 0 or TT_ENOMEM (in
 * q->err). */
static int psc_reserve(qseg *q, qnode *n)
{
  if (n->npsc < n->psccap) return 0;
  size_t cap = n->psccap ? 2 * n->psccap : 256;
  uint32_t *dv = tt_realloc(n->pscdoc, cap * sizeof *dv);
  if (!dv) return q->err = tt_error_set(TT_ENOMEM, "out of memory");
  n->pscdoc = dv;
  double *sv = tt_realloc(n->psc, cap * sizeof *sv);
  if (!sv) return q->err = tt_error_set(TT_ENOMEM, "out of memory");
  n->psc = sv;
  uint32_t *tv = tt_realloc(n->ptf, cap * 2 * (size_t)n->nkids * sizeof *tv);
  if (!tv) return q->err = tt_error_set(TT_ENOMEM, "out of memory");
  n->ptf = tv;
  n->psccap = cap;
  return 0;
}

/* Keep match d of plain phrase n, every kid's cursor on d: its BM25F part as score_term
 * computes it (n->psc; doc_ptf: the length norms once per doc, the same bits) and the kids'
 * frequencies (n->ptf). Returns 0 or TT_ENOMEM (q->err). */
TT_INLINE int psc_keep(qseg *q, qnode *n, uint32_t d)
{
  if (n->npsc == n->psccap && psc_reserve(q, n)) return q->err;
  uint32_t *tf = n->ptf + n->npsc * 2 * (size_t)n->nkids;
  double s = 0;
  for (int i = 0; i < n->nkids; i++) {
    qnode *k = n->kids[i];
    uint32_t tft = tt_plist_tf_title(k->cur), tfb = tt_plist_tf_body(k->cur);
    tf[2 * i] = tft;
    tf[2 * i + 1] = tfb;
    s += k->idf * tt_bm25_sat(doc_ptf(q, tft, tfb, d));
  }
  n->pscdoc[n->npsc] = d;
  n->psc[n->npsc++] = s;
  return 0;
}

/* Does plain phrase n (plain_phrase) match candidate d? phrase_spans for the candidates of
 * phase 1, cheaper where most candidates fail: the kids are put on d one at a time, cheapest list
 * first (n->order), and each filters the starts the first gave, so a rejected document usually
 * costs two seeks and two position reads. On a match every kid is left on d (for the caller's
 * scores) and n->sp[0] is the first start.
 *
 * paired: d is in the list of every pair term of n (n->pairs[i]: kids i and i + 1 stand adjacent
 * somewhere in d). A kid next to a checked kid that has a single position in d, across a pair,
 * then needs no positions: the pair's occurrence must be at that position, so the kid stands at
 * st + k for every remaining start st. (A kid implied so is not known to have a single position,
 * so it implies nothing further.) Returns 1 or 0; errors go to q->err. */
static int verify_phrase(qseg *q, qnode *n, uint32_t d, int paired)
{
  int m = n->nkids;
  uint8_t single[18] = {0};   /* single[k + 1]: kid k was checked and has one position */
  uint8_t onv[16] = {0};      /* kid k was put on d */
  if (m > 16) paired = 0;
  size_t ns = 0;
  for (int t = 0; t < m; t++) {
    int k = n->order[t];
    qnode *kid = n->kids[k];
    if (paired && ((single[k] && n->pairs[k - 1]) || (single[k + 2] && k + 1 < m && n->pairs[k])))
      continue;
    int rc = kid->open ? step_to(kid->cur, d) : TT_ITEROVER;
    if (rc || tt_plist_doc(kid->cur) != d) {
      if (rc && rc != TT_ITEROVER) q->err = rc;
      return 0;
    }
    kid->doc = d;
    kid->fresh = 0;
    if (k < 16) onv[k] = 1;
    const uint32_t *P;
    uint32_t N;
    if (term_positions(q, kid, &P, &N) || N == 0) return 0;
    if (paired) single[k + 1] = N == 1;
    if (t == 0) {
      if (grow_spans(n, N)) { q->err = TT_ENOMEM; return 0; }
      for (uint32_t x = 0; x < N; x++)
        if (P[x] >= (uint32_t)k) n->sp[ns++] = P[x] - (uint32_t)k;
    } else {
      size_t out = 0;
      uint32_t j = 0;
      for (size_t i = 0; i < ns; i++) {
        uint32_t st = n->sp[i];
        if (st > UINT32_MAX - (uint32_t)k) break;
        uint32_t want = st + (uint32_t)k;
        j = lower_bound(P, j, N, want);
        if (j >= N) break;
        if (P[j] == want) n->sp[out++] = st;
      }
      ns = out;
    }
    if (!ns) return 0;
  }
  if (n->field) {
    uint32_t tl = tt_seg_title_len(q->seg, d);
    size_t out = 0;
    for (size_t i = 0; i < ns; i++) if (in_field(n->field, n->sp[i], tl)) n->sp[out++] = n->sp[i];
    if (!(ns = out)) return 0;
  }
  n->nsp = 1;
  if (paired)   /* the kids implied: on d too (their lists hold d, as the pairs do) */
    for (int k = 0; k < m; k++) {
      qnode *kid = n->kids[k];
      if (onv[k]) continue;
      int rc = kid->open ? step_to(kid->cur, d) : TT_ITEROVER;
      if (rc || tt_plist_doc(kid->cur) != d) {
        q->err = rc && rc != TT_ITEROVER ? rc
               : tt_error_set(TT_ECORRUPT, "%s: '%s' lacks doc %u that a pair term of it has", q->seg->name, kid->key, d);
        return 0;
      }
      kid->doc = d;
      kid->fresh = 0;
    }
  return 1;
}

/* Candidates of a phrase or NEAR in out: keep those whose positions agree. A phrase of plain
 * syllables also keeps the BM25F part of the score of each match (n->psc). paired: every
 * candidate is in the list of each pair term of the phrase (verify_phrase). The kids' cursors
 * are reopened on the lists qseg_open found (no dictionary lookups). */
static void verify_positions(qseg *q, qnode *n, uint64_t *out, int paired)
{
  for (int i = 0; i < n->nkids; i++)
    if ((q->err = restart_node(n->kids[i]))) return;
  int keep = plain_phrase(n);
  if (keep) {
    n->npsc = 0;
    n->pscat = 0;
    n->psc_on = 1;
  }
  for (size_t w = 0; w < q->words; w++) {
    for (uint64_t m = out[w]; m; m &= m - 1) {
      uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
      int ok = 1;
      if (keep) {
        ok = verify_phrase(q, n, d, paired);
        if (q->err) return;
        if (!ok) {
          out[w] &= ~(1ull << (d & 63));
          continue;
        }
      }
      for (int i = 0; i < n->nkids && ok && !keep; i++) {
        qnode *k = n->kids[i];
        if (k->type == Q_TERM && !k->strict && !k->field) {   /* the common case, without the tree walk */
          int rc = k->open ? step_to(k->cur, d) : TT_ITEROVER;
          if (rc && rc != TT_ITEROVER) { q->err = rc; return; }
          ok = rc == 0 && tt_plist_doc(k->cur) == d;
          k->doc = ok ? d : Q_END;
          k->fresh = !ok;
        } else {
          ok = qseg_seek(q, k, d) == d;
        }
      }
      if (ok && !keep) ok = n->type == Q_PHRASE ? phrase_spans(q, n, d, 1) > 0 : near_ok(q, n, d);
      if (q->err) return;
      if (!ok) {
        out[w] &= ~(1ull << (d & 63));
      } else if (keep) {
        if (psc_keep(q, n, d)) return;
      }
    }
  }
}

/* A phrase of two plain syllables whose pair term decided its matches (no positions read) is
 * kept lazily: phase 2 calls qseg_keep_score for each match it would bound, and only those get
 * their BM25F part and kids' frequencies kept (see qseg_keep_score). */
static void lazy_pair_scores(qseg *q, qnode *n)
{
  for (int i = 0; i < n->nkids; i++)
    if ((q->err = restart_node(n->kids[i]))) return;
  n->npsc = 0;
  n->pscat = 0;
  n->psc_on = 1;
  n->psc_lazy = 1;
}

int qseg_keep_score(qseg *q, qnode *n, uint32_t d)
{
  if (n->npsc && n->pscdoc[n->npsc - 1] >= d) return 0;   /* kept already (or behind) */
  for (int i = 0; i < n->nkids; i++) {
    qnode *k = n->kids[i];
    int rc = k->open ? step_to(k->cur, d) : TT_ITEROVER;
    if (rc || tt_plist_doc(k->cur) != d)
      return q->err = rc && rc != TT_ITEROVER ? rc
             : tt_error_set(TT_ECORRUPT, "%s: '%s' lacks doc %u that a pair term of it has", q->seg->name, k->key, d);
  }
  return psc_keep(q, n, d);
}

/* A phrase on a segment with pair terms: the intersection of its pair lists (a pair list is
 * exactly the documents where its two syllables stand adjacent, in the phrase's field), of the
 * exact-form sets of its strict syllables, and of the lists of syllables no pair covers; then,
 * for three syllables or more, the positions of the remaining candidates. Two syllables with
 * a pair need no positions at all. */
static void eval_phrase_pairs(qseg *q, qnode *n, uint64_t *out, const uint64_t *mask)
{
  size_t W = q->words;
  int m = n->nkids, ns = 0, all = 1;
  qnode *srcv[32], **src = srcv;
  if (2 * m > 32 && !(src = tt_malloc(2 * (size_t)m * sizeof *src))) {
    q->err = tt_error_set(TT_ENOMEM, "out of memory");
    memset(out, 0, W * sizeof *out);
    return;
  }
  for (int i = 0; i + 1 < m; i++) {
    if (n->pairs[i]) src[ns++] = n->pairs[i];
    else all = 0;
  }
  for (int i = 0; i < m; i++) {
    qnode *k = n->kids[i];
    int covered = (i > 0 && n->pairs[i - 1]) || (i + 1 < m && n->pairs[i]);
    if (k->type != Q_TERM || k->strict || !covered) src[ns++] = k;
  }
  for (int i = 1; i < ns; i++) {   /* cheapest first */
    qnode *v = src[i];
    int j = i;
    while (j > 0 && src[j - 1]->cost > v->cost) { src[j] = src[j - 1]; j--; }
    src[j] = v;
  }
  for (int i = 0; i < ns && !q->err; i++) {
    if (i == 0) {
      qseg_eval(q, src[i], out, mask);
    } else {
      qseg_eval(q, src[i], n->bits, out);
      memcpy(out, n->bits, W * sizeof *out);
    }
    if (!any_bits(out, W)) break;
  }
  if (src != srcv) tt_free(src);
  if (q->err) { memset(out, 0, W * sizeof *out); return; }
  if (!any_bits(out, W)) return;
  if (!(all && m == 2)) verify_positions(q, n, out, 1);
  else if (q->rank && plain_phrase(n)) lazy_pair_scores(q, n);
}

void qseg_eval(qseg *q, qnode *n, uint64_t *out, const uint64_t *mask)
{
  size_t W = q->words;
  if (q->err) { memset(out, 0, W * sizeof *out); return; }
  switch (n->type) {
  case Q_TERM:
  case Q_KEY:
    memset(out, 0, W * sizeof *out);
    if (n->strict ? n->eopen : n->open) list_bits(q, n, n->strict ? n->ecur : n->cur, out, mask, 1);
    return;
  case Q_DATE:
    date_bits(q, n, out, mask);
    return;
  case Q_OR:
    memset(out, 0, W * sizeof *out);
    n->kept = n->nkids <= Q_KEEP_MAX;
    for (int i = 0; i < n->nkids && !q->err; i++) {
      qnode *k = n->kids[i];
      if (n->kept) {   /* each kid's set is kept for the bounds of phase 2 */
        if (ensure_words(q, &k->kbits, &k->kbitcap)) return;
        qseg_eval(q, k, k->kbits, mask);
        for (size_t w = 0; w < W; w++) out[w] |= k->kbits[w];
        continue;
      }
      if (k->type == Q_TERM || k->type == Q_KEY) {
        if (k->strict ? k->eopen : k->open) list_bits(q, k, k->strict ? k->ecur : k->cur, out, mask, 0);
        continue;
      }
      if (ensure_bits(q, n)) return;
      qseg_eval(q, k, n->bits, mask);
      for (size_t w = 0; w < W; w++) out[w] |= n->bits[w];
    }
    return;
  case Q_AND:
  case Q_PHRASE:
  case Q_NEAR:
    break;
  default:   /* Q_NONE; Q_NOT is handled by its AND */
    memset(out, 0, W * sizeof *out);
    return;
  }
  if (ensure_bits(q, n)) { memset(out, 0, W * sizeof *out); return; }
  if (n->niter == 0) { memset(out, 0, W * sizeof *out); return; }
  if (n->type == Q_PHRASE && n->pairs_on) {
    eval_phrase_pairs(q, n, out, mask);
    return;
  }
  for (int i = 0; i < n->niter; i++) {
    qnode *k = n->kids[n->order[i]];
    if (i == 0) {
      qseg_eval(q, k, out, mask);
    } else {
      qseg_eval(q, k, n->bits, out);
      memcpy(out, n->bits, W * sizeof *out);
    }
    if (q->err) return;
    if (!any_bits(out, W)) return;
  }
  if (n->type == Q_AND) {
    for (int i = 0; i < n->nkids && !q->err; i++) {
      qnode *k = n->kids[i];
      if (k->type == Q_DATE) {
        for (size_t w = 0; w < W; w++)
          for (uint64_t m = out[w]; m; m &= m - 1) {
            uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
            if (!date_ok(q, k, d)) out[w] &= ~(1ull << (d & 63));
          }
      } else if (k->type == Q_NOT) {
        qseg_eval(q, k->kids[0], n->bits, out);
        for (size_t w = 0; w < W; w++) out[w] &= ~n->bits[w];
      }
    }
    return;
  }
  verify_positions(q, n, out, 0);
}

int qseg_exact_bits(qseg *q, qnode *n)
{
  if (ensure_bits(q, n)) return q->err;
  memset(n->bits, 0, q->words * sizeof *n->bits);
  n->ebits_ok = 1;
  if (!n->eopen) return 0;
  uint8_t f = n->field;
  n->field = F_ANY;   /* the tier counts the exact form anywhere (score_term does the same) */
  list_bits(q, n, n->ecur, n->bits, NULL, 1);
  n->field = f;
  return q->err;
}

int qseg_pair_bits(qseg *q, qnode *n, uint64_t cnt)
{
  if (n->type == Q_NOT || q->err) return q->err;
  if (n->type == Q_AND && n->pairs_on)
    for (int i = 0; i + 1 < n->nkids; i++) {
      qnode *k = n->pairs[i];
      if (!k || (k->open && cnt * 16 < tt_plist_df(k->cur))) continue;
      if (ensure_bits(q, k)) return q->err;
      memset(k->bits, 0, q->words * sizeof *k->bits);
      if (k->open) list_bits(q, k, k->cur, k->bits, NULL, 1);
      k->ebits_ok = 1;
    }
  for (int i = 0; i < n->nkids && !q->err; i++) qseg_pair_bits(q, n->kids[i], cnt);
  return q->err;
}

/* First index i of v[0..n) (increasing) with v[i] >= x, n if none. */
static size_t lower_bound_u32(const uint32_t *v, size_t n, uint32_t x)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (v[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/* Index of the first kept match of phrase n at or after d (npsc if none). Bounds and placings
 * ask in doc order and most of the docs asked are matches: a few steps from where the last
 * search ended, then a bisection of the rest. */
static size_t psc_find(qnode *n, uint32_t d)
{
  size_t at = n->pscat, N = n->npsc;
  if (at > N || (at > 0 && n->pscdoc[at - 1] >= d)) at = 0;   /* d before the last one: from the start */
  for (int i = 0; i < 4 && at < N && n->pscdoc[at] < d; i++) at++;
  if (at < N && n->pscdoc[at] < d) at += lower_bound_u32(n->pscdoc + at, N - at, d);
  n->pscat = at;
  return at;
}

double qseg_bits_bound(qnode *n, uint32_t d)
{
  switch (n->type) {
  case Q_TERM:
    if (!n->open) return 0;
    if (n->tier && n->eopen) {
      if (!n->ebits_ok || (n->bits[d >> 6] >> (d & 63) & 1)) return n->wbm + Q_EXACT_TIER;
    }
    return n->wbm;
  case Q_KEY:
  case Q_NOT:
  case Q_DATE:
  case Q_NONE: return 0;
  case Q_OR: {
    double b = 0;
    for (int i = 0; i < n->nkids; i++) {
      qnode *k = n->kids[i];
      if (n->kept && !(k->kbits[d >> 6] >> (d & 63) & 1)) continue;
      b += qseg_bits_bound(k, d);
    }
    return b;
  }
  default: {
    if (n->type == Q_PHRASE && n->psc_on) {
      size_t at = psc_find(n, d);
      if (at < n->npsc && n->pscdoc[at] == d) {
        /* its exact BM25F part (phase 1), and the tiers as the kids' bounds count them: never
         * above the sum of the kids' bounds, which need not be walked */
        double e = n->psc[at];
        for (int i = 0; i < n->nkids; i++) {
          const qnode *k = n->kids[i];
          if (k->open && k->tier && k->eopen && (!k->ebits_ok || (k->bits[d >> 6] >> (d & 63) & 1)))
            e += Q_EXACT_TIER;
        }
        return e;
      }
      if (n->psc_win) return HUGE_VAL;   /* (not kept: never asked) its kids' bounds are not kept */
    }
    double b = 0;
    for (int i = 0; i < n->nkids; i++) b += qseg_bits_bound(n->kids[i], d);
    if (n->type == Q_AND)
      for (int i = 0; i + 1 < n->nkids; i++) {
        const qnode *a = n->kids[i], *k = n->kids[i + 1];
        if (a->type != Q_TERM || k->type != Q_TERM) continue;
        const qnode *p = n->pairs_on ? n->pairs[i] : NULL;
        if (p && p->ebits_ok && !(p->bits[d >> 6] >> (d & 63) & 1)) continue;   /* not adjacent in d */
        b += Q_PROX_WEIGHT * (a->idf < k->idf ? a->idf : k->idf);
      }
    return b;
  }
  }
}

/* ------------------------------------------------------------------ placing (phase 2) */

double qseg_term_place_score(qseg *q, qnode *n, uint32_t d)
{
  n->fresh = 0;
  if (!n->open) { n->doc = Q_END; return 0; }
  int rc = tt_plist_seek_near(n->cur, d);   /* the candidates here are sparser than the list */
  if (rc == 0 && tt_plist_doc(n->cur) == d) {
    n->doc = d;
    return score_term(q, n, d);
  }
  q->err = rc && rc != TT_ITEROVER ? rc
         : tt_error_set(TT_ECORRUPT, "%s: '%s' lacks doc %u that its match set has", q->seg->name, n->key, d);
  n->doc = Q_END;
  return 0;
}

static void place_off(qnode *n)
{
  n->doc = Q_END;
  n->fresh = 1;   /* a later qseg_seek recomputes */
}

/* Put the kids of plain phrase n (psc_on) on d from the frequencies phase 1 kept for its
 * matches, without moving their cursors: qseg_score reads the kept tf_title and tf_body
 * (score_kept: the same values, so the same score bits), and nothing else in phase 2 reads a phrase kid's
 * cursor (proximity looks at the terms of ANDs). The kids stay fresh, so a qseg_seek would
 * move the cursors first. Returns 1, or 0 when d is not a kept match (then the caller places
 * the kids on their cursors). */
static int place_kept(qnode *n, uint32_t d)
{
  size_t at = psc_find(n, d);
  if (at >= n->npsc || n->pscdoc[at] != d) return 0;
  const uint32_t *tf = n->ptf + at * 2 * (size_t)n->nkids;
  n->vdoc = d;
  for (int i = 0; i < n->nkids; i++) {
    qnode *k = n->kids[i];
    k->doc = d;
    k->fresh = 1;
    k->vtft = tf[2 * i];
    k->vtfb = tf[2 * i + 1];
  }
  return 1;
}

void qseg_place(qseg *q, qnode *n, uint32_t d)
{
  n->doc = d;
  n->fresh = 0;
  switch (n->type) {
  case Q_TERM: {
    if (!n->open) return;
    int rc = step_to(n->cur, d);   /* dense candidates: usually a few postings ahead */
    if (rc == 0 && tt_plist_doc(n->cur) == d) return;
    q->err = rc && rc != TT_ITEROVER ? rc
           : tt_error_set(TT_ECORRUPT, "%s: '%s' lacks doc %u that its match set has", q->seg->name, n->key, d);
    return;
  }
  case Q_KEY:
  case Q_DATE:
  case Q_NONE:
  case Q_NOT:
    return;
  case Q_OR:
    for (int i = 0; i < n->nkids && !q->err; i++) {
      qnode *k = n->kids[i];
      if (n->kept) {
        if (k->kbits[d >> 6] >> (d & 63) & 1) qseg_place(q, k, d);
        else place_off(k);
      } else if (k->type == Q_TERM || k->type == Q_KEY) {
        tt_plist_cursor *c = k->strict ? k->ecur : k->cur;
        int open = k->strict ? k->eopen : k->open;
        int rc = open ? tt_plist_seek(c, d) : TT_ITEROVER;
        if (rc && rc != TT_ITEROVER) { q->err = rc; return; }
        if (rc == 0 && tt_plist_doc(c) == d && field_ok(k, c)) qseg_place(q, k, d);
        else place_off(k);
      } else if (qseg_seek(q, k, d) != d) {
        /* k->doc is its next match, past d */
      }
    }
    return;
  default:   /* AND, PHRASE, NEAR: every positive kid is on d */
    if (n->type == Q_PHRASE && n->psc_on && place_kept(n, d)) return;
    for (int i = 0; i < n->nkids && !q->err; i++)
      if (n->kids[i]->type != Q_NOT) qseg_place(q, n->kids[i], d);
    return;
  }
}
