/* Entities with article counts, over the whole index or as the facet of a query
 * (include/timtin/query.h, tt_entity_list_get; docs/entities.md "Counting entities").
 *
 * The indexer stores one non-positional term per article and entity (indexer/writer.c,
 * add_entity_terms; docs/format.md "Entity terms"):
 *
 *   "ent:" type ":" key US canonical US role        (US = 0x1F)
 *
 * so one key has a term per spelling/role combination and segment, and the sum of their
 * document frequencies is the number of articles that mention the entity. For one type this
 * file
 *   1. scans the "ent:<type>:" keys of every segment's dictionary (a prefix scan: seek to the
 *      prefix, read while it matches) and groups the terms by key; the summed df is an upper
 *      bound of the entity's count (exact when no segment has deletions and there is no query);
 *   2. visits the groups by decreasing bound and computes each exact count, walking a term's
 *      postings against a mask (the query's match set, or the live documents of a segment with
 *      deletions) only where one is needed; it stops as soon as a bound falls below the
 *      limit-th exact count found, which cannot be beaten any more;
 *   3. names each entity by the spelling with the most (counted) articles and, for persons, the
 *      non-empty role with the most.
 * The match set of a query comes from tt_search_each (doc ids in index order) as one bitmap
 * over the global doc ids: one bit per article of the snapshot. */
#include "timtin/query.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/entities.h"
#include "timtin/errors.h"

#define US 0x1F

typedef struct eterm {
  uint32_t seg;
  uint32_t df;
  uint64_t post_off, post_len;
  uint32_t canon, canon_len, role, role_len;   /* offsets into the string buffer */
  uint32_t next;                               /* next term of the group, or UINT32_MAX */
  uint64_t count;                              /* exact count (once the group is evaluated) */
} eterm;

typedef struct egroup {
  uint32_t key, key_len;
  uint64_t bound;
  uint32_t first;                              /* first term */
  uint64_t count;
} egroup;

typedef struct escan {
  tt_buf strs;
  eterm *t;
  size_t nt, capt;
  egroup *g;
  size_t ng, capg;
  uint32_t *slot;                              /* hash of keys -> group index + 1 */
  size_t nslot;
} escan;

static void escan_fini(escan *s)
{
  tt_buf_fini(&s->strs);
  tt_free(s->t);
  tt_free(s->g);
  tt_free(s->slot);
  memset(s, 0, sizeof *s);
}

static uint64_t fnv(const char *p, size_t n)
{
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; i++) { h ^= (unsigned char)p[i]; h *= 1099511628211ull; }
  return h;
}

static int put_str(escan *s, const char *p, size_t n, uint32_t *off)
{
  if (s->strs.n + n + 1 > UINT32_MAX) return tt_error_set(TT_ENOMEM, "entities: too many names");
  *off = (uint32_t)s->strs.n;
  if (tt_buf_append(&s->strs, p, n) || tt_buf_putc(&s->strs, 0)) return tt_error_set(TT_ENOMEM, "out of memory");
  return 0;
}

static int grow_slots(escan *s)
{
  size_t n = s->nslot ? s->nslot * 2 : 1024;
  uint32_t *t = tt_calloc(n, sizeof *t);
  TT_CHECK_ALLOC(t);
  for (size_t i = 0; i < s->ng; i++) {
    size_t j = fnv(s->strs.p + s->g[i].key, s->g[i].key_len) & (n - 1);
    while (t[j]) j = (j + 1) & (n - 1);
    t[j] = (uint32_t)i + 1;
  }
  tt_free(s->slot);
  s->slot = t;
  s->nslot = n;
  return 0;
}

/* The group of key (created if new). */
static int group_of(escan *s, const char *key, size_t len, uint32_t *out)
{
  if ((s->ng + 1) * 2 > s->nslot) TT_FORWARD(grow_slots(s));
  size_t j = fnv(key, len) & (s->nslot - 1);
  while (s->slot[j]) {
    egroup *g = &s->g[s->slot[j] - 1];
    if (g->key_len == len && !memcmp(s->strs.p + g->key, key, len)) { *out = s->slot[j] - 1; return 0; }
    j = (j + 1) & (s->nslot - 1);
  }
  if (s->ng == s->capg) {
    size_t cap = s->capg ? s->capg * 2 : 256;
    egroup *g = tt_realloc(s->g, cap * sizeof *g);
    TT_CHECK_ALLOC(g);
    s->g = g;
    s->capg = cap;
  }
  if (s->ng >= UINT32_MAX - 1) return tt_error_set(TT_ENOMEM, "entities: too many names");
  egroup *g = &s->g[s->ng];
  memset(g, 0, sizeof *g);
  TT_FORWARD(put_str(s, key, len, &g->key));
  g->key_len = (uint32_t)len;
  g->first = UINT32_MAX;
  s->slot[j] = (uint32_t)s->ng + 1;
  *out = (uint32_t)s->ng++;
  return 0;
}

/* Step 1: every "ent:<type>:" term of every segment, grouped by key. */
static int scan_terms(escan *s, tt_reader *r, const char *prefix)
{
  size_t pl = strlen(prefix);
  for (uint32_t seg = 0; seg < r->nsegs; seg++) {
    tt_dict_iter it;
    int rc = tt_dict_iter_seek(&it, &r->segs[seg].dict, prefix, pl);
    if (rc == TT_ITEROVER || rc == TT_ENOTFOUND) continue;
    if (rc) return rc;
    for (;;) {
      tt_dict_entry e;
      rc = tt_dict_iter_next(&it, &e);
      if (rc == TT_ITEROVER) break;
      if (rc) return rc;
      if (e.key_len < pl || memcmp(e.key, prefix, pl)) break;
      const char *k = e.key + pl, *end = e.key + e.key_len;
      const char *u1 = memchr(k, US, (size_t)(end - k));
      if (!u1 || u1 == k) continue;   /* not a term this version writes: ignored */
      const char *c = u1 + 1;
      const char *u2 = memchr(c, US, (size_t)(end - c));
      if (!u2) continue;
      uint32_t gi = 0;
      TT_FORWARD(group_of(s, k, (size_t)(u1 - k), &gi));
      if (s->nt == s->capt) {
        size_t cap = s->capt ? s->capt * 2 : 256;
        eterm *t = tt_realloc(s->t, cap * sizeof *t);
        TT_CHECK_ALLOC(t);
        s->t = t;
        s->capt = cap;
      }
      if (s->nt >= UINT32_MAX - 1) return tt_error_set(TT_ENOMEM, "entities: too many names");
      eterm *t = &s->t[s->nt];
      memset(t, 0, sizeof *t);
      t->seg = seg;
      t->df = e.df;
      t->post_off = e.post_off;
      t->post_len = e.post_len;
      TT_FORWARD(put_str(s, c, (size_t)(u2 - c), &t->canon));
      t->canon_len = (uint32_t)(u2 - c);
      TT_FORWARD(put_str(s, u2 + 1, (size_t)(end - u2 - 1), &t->role));
      t->role_len = (uint32_t)(end - u2 - 1);
      egroup *g = &s->g[gi];
      t->next = g->first;
      g->first = (uint32_t)s->nt++;
      g->bound += e.df;
    }
  }
  return 0;
}

/* Documents of term t's postings whose bit is set in mask (bits of the segment's local ids). */
static int count_masked(tt_reader *r, const eterm *t, const uint64_t *mask, uint64_t *out)
{
  const tt_segment *g = &r->segs[t->seg];
  if (t->post_off > g->post.len || t->post_len > g->post.len - t->post_off)
    return tt_error_set(TT_ECORRUPT, "%s: postings of an entity term out of range", g->post.path);
  tt_plist_cursor c;
  int rc = tt_plist_open(&c, g->post.data + t->post_off, t->post_len, 0);
  uint64_t n = 0;
  while (!rc && !(rc = tt_plist_next(&c))) {
    uint32_t d = tt_plist_doc(&c);
    if (d >= g->ndocs) { rc = tt_error_set(TT_ECORRUPT, "%s: entity posting past the last document", g->post.path); break; }
    n += mask[d >> 6] >> (d & 63) & 1;
  }
  tt_plist_close(&c);
  if (rc != TT_ITEROVER) return rc ? rc : tt_error_set(TT_ECORRUPT, "%s: entity postings", g->post.path);
  *out = n;
  return 0;
}

/* Per-segment masks: NULL = every document counts (no query, no deletions). */
typedef struct masks {
  uint64_t **m;
  uint32_t n;
} masks;

static void masks_fini(masks *k)
{
  for (uint32_t i = 0; i < k->n; i++) tt_free(k->m[i]);
  tt_free(k->m);
  memset(k, 0, sizeof *k);
}

static int masks_alloc(masks *k, tt_reader *r)
{
  k->m = tt_calloc(r->nsegs ? r->nsegs : 1, sizeof *k->m);
  TT_CHECK_ALLOC(k->m);
  k->n = r->nsegs;
  return 0;
}

static uint64_t *seg_mask(masks *k, tt_reader *r, uint32_t s)
{
  if (!k->m[s]) k->m[s] = tt_calloc(((size_t)r->segs[s].ndocs + 63) / 64 + 1, sizeof(uint64_t));
  return k->m[s];
}

/* No query: the live documents of the segments that have deletions. */
static int live_masks(masks *k, tt_reader *r)
{
  TT_FORWARD(masks_alloc(k, r));
  for (uint32_t s = 0; s < r->nsegs; s++) {
    const tt_segment *g = &r->segs[s];
    if (!g->del) continue;
    uint64_t *m = seg_mask(k, r, s);
    TT_CHECK_ALLOC(m);
    for (uint32_t d = 0; d < g->ndocs; d++)
      if (!tt_seg_is_deleted(g, d)) m[d >> 6] |= 1ull << (d & 63);
  }
  return 0;
}

typedef struct mctx { tt_reader *r; masks *k; uint32_t seg; } mctx;

static int on_match(void *ctx, const tt_hit *h)
{
  mctx *c = ctx;
  tt_reader *r = c->r;
  while (c->seg + 1 < r->nsegs && h->doc >= r->base[c->seg + 1]) c->seg++;   /* docs arrive in order */
  uint64_t *m = seg_mask(c->k, r, c->seg);
  if (!m) return tt_error_set(TT_ENOMEM, "out of memory");
  uint64_t d = h->doc - r->base[c->seg];
  m[d >> 6] |= 1ull << (d & 63);
  return 0;
}

/* A query: its match set (every segment gets a mask, empty ones included). */
static int query_masks(masks *k, tt_reader *r, const char *q, size_t len, const tt_search_options *o,
                       uint64_t *matches)
{
  TT_FORWARD(masks_alloc(k, r));
  for (uint32_t s = 0; s < r->nsegs; s++) TT_CHECK_ALLOC(seg_mask(k, r, s));
  mctx c = {r, k, 0};
  return tt_search_each(r, q, len, o, 0, on_match, &c, matches);
}

static _Thread_local const escan *tl_scan;   /* qsort context (set just before each sort) */

static int cmp_bound(const void *a, const void *b)
{
  const egroup *x = &tl_scan->g[*(const uint32_t *)a], *y = &tl_scan->g[*(const uint32_t *)b];
  if (x->bound != y->bound) return x->bound > y->bound ? -1 : 1;
  return strcmp(tl_scan->strs.p + x->key, tl_scan->strs.p + y->key);
}

static int cmp_count(const void *a, const void *b)
{
  const egroup *x = &tl_scan->g[*(const uint32_t *)a], *y = &tl_scan->g[*(const uint32_t *)b];
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(tl_scan->strs.p + x->key, tl_scan->strs.p + y->key);
}

/* The string (canon or role) with the largest summed count over the group's terms; ties to the
 * smaller string. skip_empty ignores "". */
static const char *vote(const escan *s, const egroup *g, int role, int skip_empty)
{
  const char *best = NULL;
  uint64_t bestc = 0;
  for (uint32_t i = g->first; i != UINT32_MAX; i = s->t[i].next) {
    const eterm *t = &s->t[i];
    uint32_t off = role ? t->role : t->canon, len = role ? t->role_len : t->canon_len;
    if (skip_empty && !len) continue;
    const char *str = s->strs.p + off;
    if (best && !strcmp(best, str)) continue;
    int seen = 0;   /* summed once, at its first term */
    for (uint32_t j = g->first; j != i && !seen; j = s->t[j].next) {
      const eterm *u = &s->t[j];
      if (skip_empty && !(role ? u->role_len : u->canon_len)) continue;
      seen = !strcmp(s->strs.p + (role ? u->role : u->canon), str);
    }
    if (seen) continue;
    uint64_t c = 0;
    for (uint32_t j = i; j != UINT32_MAX; j = s->t[j].next)
      if (!strcmp(s->strs.p + (role ? s->t[j].role : s->t[j].canon), str)) c += s->t[j].count;
    if (!best || c > bestc || (c == bestc && strcmp(str, best) < 0)) { best = str; bestc = c; }
  }
  return best ? best : "";
}

static int add_stat(tt_entity_list *out, size_t *cap, int type, const escan *s, const egroup *g)
{
  if (tt_array_reserve(out->v, *cap, out->n + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  tt_entity_stat *e = &out->v[out->n];
  memset(e, 0, sizeof *e);
  e->type = type;
  e->articles = g->count;
  const char *name = vote(s, g, 0, 0), *role = type == TT_ENT_PERSON ? vote(s, g, 1, 1) : "";
  e->key = tt_strndup(s->strs.p + g->key, g->key_len);
  e->name = tt_strndup(name, strlen(name));
  e->role = tt_strndup(role, strlen(role));
  out->n++;
  if (!e->key || !e->name || !e->role) return tt_error_set(TT_ENOMEM, "out of memory");
  return 0;
}

/* Steps 2 and 3 for one type. */
static int top_of_type(tt_reader *r, masks *k, int type, size_t limit, tt_entity_list *out, size_t *cap)
{
  char prefix[32];
  snprintf(prefix, sizeof prefix, "ent:%s:", tt_entity_type_name((tt_entity_type)type));
  escan s;
  memset(&s, 0, sizeof s);
  int rc = scan_terms(&s, r, prefix);
  uint32_t *ord = NULL, *top = NULL;
  size_t ntop = 0;
  if (!rc && s.ng) {
    ord = tt_malloc(s.ng * sizeof *ord);
    top = tt_malloc((limit + 1) * sizeof *top);
    if (!ord || !top) rc = tt_error_set(TT_ENOMEM, "out of memory");
  }
  if (!rc && s.ng) {
    for (size_t i = 0; i < s.ng; i++) ord[i] = (uint32_t)i;
    tl_scan = &s;
    qsort(ord, s.ng, sizeof *ord, cmp_bound);
    for (size_t i = 0; i < s.ng && !rc; i++) {
      egroup *g = &s.g[ord[i]];
      if (ntop == limit && g->bound < s.g[top[ntop - 1]].count) break;   /* nothing left can enter */
      g->count = 0;
      for (uint32_t j = g->first; j != UINT32_MAX && !rc; j = s.t[j].next) {
        eterm *t = &s.t[j];
        const uint64_t *m = k->m[t->seg];
        if (!m) t->count = t->df;
        else rc = count_masked(r, t, m, &t->count);
        g->count += t->count;
      }
      if (rc || !g->count) continue;
      /* insert into the top list (count desc, key asc), dropping the last past limit */
      size_t at = ntop;
      top[ntop++] = ord[i];
      tl_scan = &s;
      while (at > 0 && cmp_count(&top[at], &top[at - 1]) < 0) {
        uint32_t x = top[at]; top[at] = top[at - 1]; top[at - 1] = x;
        at--;
      }
      if (ntop > limit) ntop = limit;
    }
    for (size_t i = 0; i < ntop && !rc; i++) rc = add_stat(out, cap, type, &s, &s.g[top[i]]);
  }
  tt_free(ord);
  tt_free(top);
  escan_fini(&s);
  return rc;
}

/* Articles (among the masks) marked "ent:none" by `timtin index --no-entities`. */
static int count_no_entities(tt_reader *r, const masks *k, uint64_t *out)
{
  *out = 0;
  char scratch[TT_DICT_MAX_KEY + 1];
  for (uint32_t s = 0; s < r->nsegs; s++) {
    tt_dict_entry e;
    int rc = tt_dict_lookup(&r->segs[s].dict, "ent:none", 8, &e, scratch);
    if (rc == TT_ENOTFOUND) continue;
    if (rc) return rc;
    if (!k->m[s]) { *out += e.df; continue; }
    eterm t;
    memset(&t, 0, sizeof t);
    t.seg = s;
    t.post_off = e.post_off;
    t.post_len = e.post_len;
    uint64_t n = 0;
    TT_FORWARD(count_masked(r, &t, k->m[s], &n));
    *out += n;
  }
  return 0;
}

int tt_entity_list_get(tt_reader *r, const char *query, size_t len, const tt_search_options *o, int type,
                       size_t limit, tt_entity_list *out)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_entity_list_get: NULL out");
  memset(out, 0, sizeof *out);
  if (!r) return tt_error_set(TT_EINVAL, "tt_entity_list_get: NULL reader");
  if (type < 0 || type > TT_ENT_PROGRAM)
    return tt_error_set(TT_EINVAL, "entity type %d: expected 0 (all), 1 person, 2 hospital or 3 program", type);
  if (limit == 0) limit = 10;
  if (limit > ((size_t)1 << 24)) return tt_error_set(TT_EINVAL, "entity limit too large");
  masks k;
  memset(&k, 0, sizeof k);
  int rc;
  int has_query = query && len;
  if (has_query) rc = query_masks(&k, r, query, len, o, &out->matches);
  else { rc = live_masks(&k, r); out->matches = r->live_docs; }
  if (!rc) rc = count_no_entities(r, &k, &out->no_entities);
  size_t cap = 0;
  for (int t = TT_ENT_PERSON; t <= TT_ENT_PROGRAM && !rc; t++)
    if (!type || type == t) rc = top_of_type(r, &k, t, limit, out, &cap);
  masks_fini(&k);
  if (rc) tt_entity_list_fini(out);
  return rc;
}

void tt_entity_list_fini(tt_entity_list *l)
{
  if (!l) return;
  for (size_t i = 0; i < l->n; i++) {
    tt_free(l->v[i].key);
    tt_free(l->v[i].name);
    tt_free(l->v[i].role);
  }
  tt_free(l->v);
  memset(l, 0, sizeof *l);
}
