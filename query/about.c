/* Aboutness: which entities a query names, and how much an article is about them
 * (query/about.h; docs/ranking.md "Aboutness"). */
#include "query/about.h"

#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "indexer/bm25.h"

#define RUN_MAX 8   /* longest word run compared with entity keys (persons have 2-4 syllables) */

typedef struct aent {
  char *key;                /* "person:tran van thuan" */
  double w;                 /* QABOUT_WEIGHT · idf */
  tt_plist_cursor cur;
  int open;
  uint64_t *bits;           /* the open segment's documents that mention it (qabout_bound) */
  size_t bitcap;            /* words allocated */
  uint32_t *ubdoc;          /* the open segment's documents in the list, increasing ... */
  double *ub;               /* ... and their aboutness with earliness 1 (qabout_bound) */
  size_t nub, ubcap;
  size_t ubat;              /* where qabout_bound found the last doc it was asked about */
} aent;

struct qabout {
  tt_reader *r;
  const tt_segment *seg;
  aent e[QABOUT_MAX];
  int n;
};

static const char *const fields[] = {"person:", "hospital:", "program:"};

static int is_entity_key(const char *k)
{
  for (int i = 0; i < 3; i++)
    if (!strncmp(k, fields[i], strlen(fields[i]))) return 1;
  return 0;
}

/* Index-wide document frequency of key. */
static int df_of(tt_reader *r, const char *key, size_t len, uint64_t *df)
{
  char scratch[TT_DICT_MAX_KEY + 1];
  *df = 0;
  for (uint32_t s = 0; s < r->nsegs; s++) {
    tt_dict_entry e;
    int rc = tt_dict_lookup(&r->segs[s].dict, key, len, &e, scratch);
    if (rc == 0) *df += e.df;
    else if (rc != TT_ENOTFOUND) return rc;
  }
  return 0;
}

/* Add entity term key if the index has it and it is not there yet. *added says whether. */
static int add(qabout *a, const char *key, size_t len, int *added)
{
  *added = 0;
  if (a->n == QABOUT_MAX || len > TT_DICT_MAX_KEY) return 0;
  for (int i = 0; i < a->n; i++)
    if (strlen(a->e[i].key) == len && !memcmp(a->e[i].key, key, len)) { *added = 1; return 0; }
  uint64_t df;
  TT_FORWARD(df_of(a->r, key, len, &df));
  if (!df) return 0;
  aent *e = &a->e[a->n];
  memset(e, 0, sizeof *e);
  e->key = tt_strndup(key, len);
  TT_CHECK_ALLOC(e->key);
  int words = 1;
  for (const char *k = strchr(e->key, ':') + 1; *k; k++) words += *k == ' ';
  e->w = QABOUT_WEIGHT * words * tt_bm25_idf((double)a->r->base[a->r->nsegs], (double)df);
  if (e->w > QABOUT_CAP) e->w = QABOUT_CAP;
  a->n++;
  *added = 1;
  return 0;
}

/* Greedy, longest first: the runs of syllables [i, j) of terms[] (folded keys) whose joined
 * text is an entity key of some type. */
static int scan_run(qabout *a, qnode *const *terms, int n)
{
  tt_buf b = TT_BUF_INIT;
  int rc = 0;
  for (int i = 0; i + 1 < n && !rc;) {
    int found = 0;
    for (int j = (n - i > RUN_MAX ? i + RUN_MAX : n); j >= i + 2 && !found && !rc; j--) {
      for (int f = 0; f < 3 && !found && !rc; f++) {
        tt_buf_reset(&b);
        if (tt_buf_puts(&b, fields[f])) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
        for (int k = i; k < j && !rc; k++)
          if ((k > i && tt_buf_putc(&b, ' ')) || tt_buf_puts(&b, terms[k]->key)) rc = tt_error_set(TT_ENOMEM, "out of memory");
        if (!rc) rc = add(a, b.p, b.n, &found);
      }
      if (found) i = j;
    }
    if (!found) i++;
  }
  tt_buf_fini(&b);
  return rc;
}

static int plain_term(const qnode *n) { return n->type == Q_TERM && n->key && !strchr(n->key, ':'); }

static int walk(qabout *a, const qnode *n)
{
  switch (n->type) {
  case Q_NOT:
    return 0;   /* what a query excludes is not what it is about */
  case Q_TERM: {
    int added;
    return n->key && is_entity_key(n->key) ? add(a, n->key, strlen(n->key), &added) : 0;
  }
  case Q_PHRASE:
  case Q_AND: {
    /* runs of consecutive plain syllables: the kids of a phrase, the unquoted words of a group */
    for (int i = 0; i < n->nkids;) {
      if (!plain_term(n->kids[i])) { TT_FORWARD(walk(a, n->kids[i])); i++; continue; }
      int j = i;
      while (j < n->nkids && plain_term(n->kids[j])) j++;
      TT_FORWARD(scan_run(a, n->kids + i, j - i));
      i = j;
    }
    return 0;
  }
  default:
    for (int i = 0; i < n->nkids; i++) TT_FORWARD(walk(a, n->kids[i]));
    return 0;
  }
}

int qabout_new(qabout **out, tt_reader *r, const qnode *root)
{
  *out = NULL;
  if (!root) return 0;
  qabout *a = tt_calloc(1, sizeof *a);
  TT_CHECK_ALLOC(a);
  a->r = r;
  int rc = walk(a, root);
  if (rc || a->n == 0) {
    qabout_free(a);
    return rc;
  }
  *out = a;
  return 0;
}

void qabout_free(qabout *a)
{
  if (!a) return;
  for (int i = 0; i < a->n; i++) {
    if (a->e[i].open) tt_plist_close(&a->e[i].cur);
    tt_free(a->e[i].bits);
    tt_free(a->e[i].ub);
    tt_free(a->e[i].ubdoc);
    tt_free(a->e[i].key);
  }
  tt_free(a);
}

double qabout_max(const qabout *a)
{
  double m = 0;
  if (a)
    for (int i = 0; i < a->n; i++) m += a->e[i].w;
  return m;
}

/* The aboutness of one document for entity weight w: title mention, mention count, earliness
 * (0..1, position of the first body mention). qabout_add scores with it; load_bits takes it
 * with earliness 1, its largest, as the document's bound, so both must stay one expression. */
static inline double about_value(double w, uint32_t tft, uint32_t tfb, double early)
{
  double m = (double)tft + tfb;
  return w * (0.4 * (tft > 0) + 0.3 * (m - 1) / (m + 1) + 0.3 * early);
}

/* e's documents in the open segment into e->bits, read with a cursor of their own (the list of
 * an entity is short: about as long as the phrase's match set or much shorter). */
static int load_bits(qabout *a, aent *e, const uint8_t *data, size_t len)
{
  uint32_t nd = a->seg->ndocs;
  size_t w = ((size_t)nd + 63) / 64;
  if (w > e->bitcap) {
    uint64_t *b = tt_realloc(e->bits, w * sizeof *b);
    TT_CHECK_ALLOC(b);
    e->bits = b;
    e->bitcap = w;
  }
  if (w) memset(e->bits, 0, w * sizeof *e->bits);
  e->nub = 0;
  e->ubat = 0;
  tt_plist_cursor c;
  int rc = tt_plist_open(&c, data, len, 0);
  while (rc == 0 && (rc = tt_plist_next(&c)) == 0) {
    uint32_t d = tt_plist_doc(&c);
    if (d >= nd) {
      rc = tt_error_set(TT_ECORRUPT, "%s: postings of '%s' name doc %u of %u", a->seg->post.path, e->key, d, nd);
      break;
    }
    e->bits[d >> 6] |= 1ull << (d & 63);
    /* about_value with earliness 1: exact for a title mention, an upper bound otherwise */
    uint32_t tft = tt_plist_tf_title(&c), tfb = tt_plist_tf_body(&c);
    if (e->nub == e->ubcap) {
      size_t cap = e->ubcap ? 2 * e->ubcap : 64;
      uint32_t *dv = tt_realloc(e->ubdoc, cap * sizeof *dv);
      if (!dv) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      e->ubdoc = dv;
      double *uv = tt_realloc(e->ub, cap * sizeof *uv);
      if (!uv) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      e->ub = uv;
      e->ubcap = cap;
    }
    if (e->nub && d <= e->ubdoc[e->nub - 1]) {
      rc = tt_error_set(TT_ECORRUPT, "%s: postings of '%s' out of order", a->seg->post.path, e->key);
      break;
    }
    e->ubdoc[e->nub] = d;
    e->ub[e->nub++] = about_value(e->w, tft, tfb, 1.0);
  }
  tt_plist_close(&c);
  return rc == TT_ITEROVER ? 0 : rc;
}

int qabout_open(qabout *a, uint32_t s)
{
  if (!a) return 0;
  a->seg = &a->r->segs[s];
  char scratch[TT_DICT_MAX_KEY + 1];
  for (int i = 0; i < a->n; i++) {
    aent *e = &a->e[i];
    if (e->open) { tt_plist_close(&e->cur); e->open = 0; }
    tt_dict_entry de;
    int rc = tt_dict_lookup(&a->seg->dict, e->key, strlen(e->key), &de, scratch);
    if (rc == TT_ENOTFOUND) continue;
    if (rc) return rc;
    if (!(de.flags & TT_DICT_POSITIONAL) || de.post_off > a->seg->post.len ||
        de.post_len > a->seg->post.len - de.post_off)
      return tt_error_set(TT_ECORRUPT, "%s: postings of '%s' out of range or without positions", a->seg->post.path, e->key);
    rc = tt_plist_open(&e->cur, a->seg->post.data + de.post_off, de.post_len, 1);
    if (rc) { tt_plist_close(&e->cur); return rc; }
    e->open = 1;
    TT_FORWARD(load_bits(a, e, a->seg->post.data + de.post_off, de.post_len));
  }
  return 0;
}

double qabout_bound(qabout *a, uint32_t d)
{
  double m = 0;
  if (a)
    for (int i = 0; i < a->n; i++) {
      aent *e = &a->e[i];
      if (!e->open || !(e->bits[d >> 6] >> (d & 63) & 1)) continue;
      /* d is in ubdoc: the callers ask in doc order, so a few steps from the last find, then a
       * bisection of the rest (from the start when d is behind it) */
      size_t lo = e->ubat, hi = e->nub;
      if (lo > hi || (lo > 0 && e->ubdoc[lo - 1] >= d)) lo = 0;
      for (int k = 0; k < 4 && lo < hi && e->ubdoc[lo] < d; k++) lo++;
      if (lo < hi && e->ubdoc[lo] < d)
        while (lo < hi) {
          size_t mid = lo + (hi - lo) / 2;
          if (e->ubdoc[mid] < d) lo = mid + 1;
          else hi = mid;
        }
      e->ubat = lo;
      m += lo < e->nub && e->ubdoc[lo] == d ? e->ub[lo] : e->w;
    }
  return m;
}

int qabout_add(qabout *a, uint32_t d, double *score)
{
  if (!a) return 0;
  const tt_segment *g = a->seg;
  for (int i = 0; i < a->n; i++) {
    aent *e = &a->e[i];
    if (!e->open) continue;
    int rc = tt_plist_seek(&e->cur, d);
    if (rc == TT_ITEROVER) { tt_plist_close(&e->cur); e->open = 0; continue; }
    if (rc) return rc;
    if (tt_plist_doc(&e->cur) != d) continue;
    uint32_t tft = tt_plist_tf_title(&e->cur), tfb = tt_plist_tf_body(&e->cur);
    double early = 1;
    if (!tft) {
      const uint32_t *pos;
      uint32_t np;
      TT_FORWARD(tt_plist_positions(&e->cur, &pos, &np));
      uint32_t tl = tt_seg_title_len(g, d), bl = tt_seg_body_len(g, d);
      double off = np && pos[0] > tl ? (double)(pos[0] - tl - 1) : 0;
      early = bl ? 1 - off / bl : 1;
      if (early < 0) early = 0;
      if (early > 1) early = 1;
    }
    *score += about_value(e->w, tft, tfb, early);
  }
  return 0;
}
