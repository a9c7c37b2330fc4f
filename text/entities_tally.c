/* Per-article entity summary (include/timtin/entities.h, tt_entity_tally): the mentions of an
 * article's title and body grouped by (type, key), with the mention count, the title count, the
 * first position, and the most frequent canonical spelling and role. The indexer stores one
 * "ent:" term per line (docs/format.md "Entity terms"); `timtin search --json` recomputes the same
 * lines for its hits from the stored text.
 *
 * Mentions are recorded as fixed-size records with their strings in one buffer (offsets, so
 * growth never leaves a dangling pointer); tt_entity_tally_get groups the records by (type,
 * key) through a hash, each group a list in order of arrival (what the spelling and role votes
 * break ties by), and sorts the groups' summaries. */
#include "timtin/entities.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/endian.h"
#include "common/error.h"
#include "timtin/errors.h"

#define VOTE_MAX 16   /* distinct spellings / roles compared per entity (the rest do not vote) */

typedef struct rec {
  uint32_t type, next, pos;   /* next: the group's next record in arrival order (get) */
  uint32_t key, key_len, canon, canon_len, role, role_len;   /* offsets into strs */
} rec;

struct tt_entity_tally {
  rec *r;
  size_t n, cap;
  tt_buf strs;
  tt_entity_summary *out;
  size_t outcap;
  /* tt_entity_tally_get's grouping: a hash of (type, key) to groups, each a list of its
     records in arrival order */
  uint32_t *slot; size_t slotcap;       /* group + 1, 0 = empty; slotcap a power of two */
  uint32_t *gfirst, *glast; size_t gcap;
};

int tt_entity_tally_new(tt_entity_tally **out)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_entity_tally_new: NULL out");
  *out = tt_calloc(1, sizeof **out);
  TT_CHECK_ALLOC(*out);
  return 0;
}

void tt_entity_tally_free(tt_entity_tally *t)
{
  if (!t) return;
  tt_free(t->r);
  tt_free(t->out);
  tt_free(t->slot); tt_free(t->gfirst); tt_free(t->glast);
  tt_buf_fini(&t->strs);
  tt_free(t);
}

void tt_entity_tally_reset(tt_entity_tally *t)
{
  t->n = 0;
  tt_buf_reset(&t->strs);
}

/* Copy s (n bytes) and a NUL to strs, where room was reserved. */
static void put(tt_entity_tally *t, const char *s, size_t n, uint32_t *off, uint32_t *len)
{
  *off = (uint32_t)t->strs.n;
  *len = (uint32_t)n;
  if (n) memcpy(t->strs.p + t->strs.n, s, n);
  t->strs.p[t->strs.n + n] = 0;
  t->strs.n += n + 1;
}

int tt_entity_tally_add(tt_entity_tally *t, const tt_entity_mention *m, size_t n, const tt_analysis *an)
{
  if (!t || (n && (!m || !an))) return tt_error_set(TT_EINVAL, "tt_entity_tally_add: NULL argument");
  for (size_t i = 0; i < n; i++) {
    if (m[i].first_token >= an->n) continue;
    if (tt_array_reserve(t->r, t->cap, t->n + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
    rec *r = &t->r[t->n];
    r->type = (uint32_t)m[i].type;
    r->next = UINT32_MAX;
    r->pos = an->tokens[m[i].first_token].pos;
    /* the three strings with their NULs: room reserved once */
    size_t rl = m[i].role ? m[i].role_len : 0, need = m[i].key_len + m[i].canonical_len + rl + 3;
    if (t->strs.n + need > UINT32_MAX) return tt_error_set(TT_ENOMEM, "entity tally: too many mentions");
    if (tt_buf_reserve(&t->strs, need)) return tt_error_set(TT_ENOMEM, "out of memory");
    put(t, m[i].key, m[i].key_len, &r->key, &r->key_len);
    put(t, m[i].canonical, m[i].canonical_len, &r->canon, &r->canon_len);
    put(t, m[i].role ? m[i].role : "", rl, &r->role, &r->role_len);
    t->n++;
  }
  return 0;
}

static int cmp_sum(const tt_entity_summary *x, const tt_entity_summary *y)
{
  if (x->first_pos != y->first_pos) return x->first_pos < y->first_pos ? -1 : 1;
  if (x->type != y->type) return x->type < y->type ? -1 : 1;
  return strcmp(x->key, y->key);
}

static int cmp_sum_q(const void *a, const void *b) { return cmp_sum(a, b); }

/* The most frequent string among the records of the list from r (field: canon or role), ties
 * to the first seen; skip_empty ignores "". Returns the offset of the winner, or UINT32_MAX. */
static uint32_t vote(const tt_entity_tally *t, uint32_t r, int role, int skip_empty)
{
  uint32_t off[VOTE_MAX], len[VOTE_MAX], cnt[VOTE_MAX];
  int nd = 0;
  for (; r != UINT32_MAX; r = t->r[r].next) {
    const rec *v = &t->r[r];
    uint32_t o = role ? v->role : v->canon, l = role ? v->role_len : v->canon_len;
    if (skip_empty && l == 0) continue;
    int k = 0;
    while (k < nd && !(len[k] == l && !memcmp(t->strs.p + off[k], t->strs.p + o, l))) k++;
    if (k == nd) {
      if (nd == VOTE_MAX) continue;
      off[nd] = o; len[nd] = l; cnt[nd] = 0; nd++;
    }
    cnt[k]++;
  }
  int best = -1;
  for (int k = 0; k < nd; k++) if (best < 0 || cnt[k] > cnt[best]) best = k;
  return best < 0 ? UINT32_MAX : off[best];
}

/* Hash of (type, key), eight bytes at a time. */
static uint32_t key_hash(uint32_t type, const char *s, size_t n)
{
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = (type + 1) * m ^ n;
  for (; n >= 8; s += 8, n -= 8) h = (h ^ tt_load_le64(s)) * m, h ^= h >> 29;
  h = (h ^ tt_load_le_upto64(s, n)) * m;
  return (uint32_t)(h ^ (h >> 32));
}

int tt_entity_tally_get(tt_entity_tally *t, uint32_t title_end, const tt_entity_summary **out, size_t *n)
{
  if (!t || !out || !n) return tt_error_set(TT_EINVAL, "tt_entity_tally_get: NULL argument");
  *out = NULL;
  *n = 0;
  if (!t->n) return 0;
  if (t->n > UINT32_MAX / 4) return tt_error_set(TT_ENOMEM, "entity tally: too many mentions");
  /* group the records by (type, key), each group's list in arrival order */
  size_t cap = 16;
  while (cap < t->n * 2) cap *= 2;
  if (t->slotcap < cap) {
    uint32_t *sl = tt_realloc(t->slot, cap * sizeof *sl);
    TT_CHECK_ALLOC(sl);
    t->slot = sl;
    t->slotcap = cap;
  }
  if (t->gcap < t->n) {
    uint32_t *gf = tt_realloc(t->gfirst, t->n * sizeof *gf);
    TT_CHECK_ALLOC(gf);
    t->gfirst = gf;
    uint32_t *gl = tt_realloc(t->glast, t->n * sizeof *gl);
    TT_CHECK_ALLOC(gl);
    t->glast = gl;
    t->gcap = t->n;
  }
  if (t->outcap < t->n) {
    tt_entity_summary *o = tt_realloc(t->out, t->n * sizeof *o);
    TT_CHECK_ALLOC(o);
    t->out = o;
    t->outcap = t->n;
  }
  memset(t->slot, 0, cap * sizeof *t->slot);
  size_t ng = 0;
  for (size_t i = 0; i < t->n; i++) {
    rec *r = &t->r[i];
    r->next = UINT32_MAX;
    const char *k = t->strs.p + r->key;
    for (size_t h = key_hash(r->type, k, r->key_len) & (cap - 1);; h = (h + 1) & (cap - 1)) {
      uint32_t g = t->slot[h];
      if (!g) {
        t->slot[h] = (uint32_t)++ng;
        t->gfirst[ng - 1] = t->glast[ng - 1] = (uint32_t)i;
        break;
      }
      const rec *f = &t->r[t->gfirst[g - 1]];
      if (f->type == r->type && f->key_len == r->key_len && !memcmp(t->strs.p + f->key, k, r->key_len)) {
        t->r[t->glast[g - 1]].next = (uint32_t)i;
        t->glast[g - 1] = (uint32_t)i;
        break;
      }
    }
  }
  for (size_t g = 0; g < ng; g++) {
    const rec *f = &t->r[t->gfirst[g]];
    tt_entity_summary *s = &t->out[g];
    s->type = (tt_entity_type)f->type;
    s->key = t->strs.p + f->key;
    s->canonical = t->strs.p + vote(t, t->gfirst[g], 0, 0);
    uint32_t ro = vote(t, t->gfirst[g], 1, 1);
    s->role = ro == UINT32_MAX ? "" : t->strs.p + ro;
    s->mentions = 0;
    s->title_mentions = 0;
    s->first_pos = UINT32_MAX;
    for (uint32_t i = t->gfirst[g]; i != UINT32_MAX; i = t->r[i].next) {
      s->mentions++;
      if (t->r[i].pos < title_end) s->title_mentions++;
      if (t->r[i].pos < s->first_pos) s->first_pos = t->r[i].pos;
    }
  }
  /* by first position, type, key (a total order: (type, key) are distinct); most articles
     have a few entities, so an insertion sort, else qsort */
  if (ng <= 32) {
    for (size_t a = 1; a < ng; a++) {
      tt_entity_summary x = t->out[a];
      size_t b = a;
      while (b > 0 && cmp_sum(&t->out[b - 1], &x) > 0) { t->out[b] = t->out[b - 1]; b--; }
      t->out[b] = x;
    }
  } else {
    qsort(t->out, ng, sizeof *t->out, cmp_sum_q);
  }
  *out = t->out;
  *n = ng;
  return 0;
}
