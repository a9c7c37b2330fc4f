/* Per-article entity summary (include/timtin/entities.h, tt_entity_tally): the mentions of an
 * article's title and body grouped by (type, key), with the mention count, the title count, the
 * first position, and the most frequent canonical spelling and role. The indexer stores one
 * "ent:" term per line (docs/format.md "Entity terms"); `timtin search --json` recomputes the same
 * lines for its hits from the stored text.
 *
 * Mentions are recorded as fixed-size records with their strings in one buffer (offsets, so
 * growth never leaves a dangling pointer); tt_entity_tally_get sorts the records by (type, key,
 * order of arrival) and walks the groups. */
#include "timtin/entities.h"

#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "timtin/errors.h"

#define VOTE_MAX 16   /* distinct spellings / roles compared per entity (the rest do not vote) */

typedef struct rec {
  uint32_t type, seq, pos;
  uint32_t key, key_len, canon, canon_len, role, role_len;   /* offsets into strs */
} rec;

struct tt_entity_tally {
  rec *r;
  size_t n, cap;
  tt_buf strs;
  tt_entity_summary *out;
  size_t outcap;
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
  tt_buf_fini(&t->strs);
  tt_free(t);
}

void tt_entity_tally_reset(tt_entity_tally *t)
{
  t->n = 0;
  tt_buf_reset(&t->strs);
}

static int put(tt_entity_tally *t, const char *s, size_t n, uint32_t *off, uint32_t *len)
{
  if (t->strs.n + n + 1 > UINT32_MAX) return tt_error_set(TT_ENOMEM, "entity tally: too many mentions");
  *off = (uint32_t)t->strs.n;
  *len = (uint32_t)n;
  if (tt_buf_append(&t->strs, s, n) || tt_buf_putc(&t->strs, 0)) return tt_error_set(TT_ENOMEM, "out of memory");
  return 0;
}

int tt_entity_tally_add(tt_entity_tally *t, const tt_entity_mention *m, size_t n, const tt_analysis *an)
{
  if (!t || (n && (!m || !an))) return tt_error_set(TT_EINVAL, "tt_entity_tally_add: NULL argument");
  for (size_t i = 0; i < n; i++) {
    if (m[i].first_token >= an->n) continue;
    if (tt_array_reserve(t->r, t->cap, t->n + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
    rec *r = &t->r[t->n];
    r->type = (uint32_t)m[i].type;
    r->seq = (uint32_t)t->n;
    r->pos = an->tokens[m[i].first_token].pos;
    TT_FORWARD(put(t, m[i].key, m[i].key_len, &r->key, &r->key_len));
    TT_FORWARD(put(t, m[i].canonical, m[i].canonical_len, &r->canon, &r->canon_len));
    TT_FORWARD(put(t, m[i].role ? m[i].role : "", m[i].role ? m[i].role_len : 0, &r->role, &r->role_len));
    t->n++;
  }
  return 0;
}

static _Thread_local const char *tl_strs;   /* qsort has no context argument */

static int cmp_rec(const void *a, const void *b)
{
  const rec *x = a, *y = b;
  if (x->type != y->type) return x->type < y->type ? -1 : 1;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = memcmp(tl_strs + x->key, tl_strs + y->key, n);
  if (c) return c;
  if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int cmp_sum(const void *a, const void *b)
{
  const tt_entity_summary *x = a, *y = b;
  if (x->first_pos != y->first_pos) return x->first_pos < y->first_pos ? -1 : 1;
  if (x->type != y->type) return x->type < y->type ? -1 : 1;
  return strcmp(x->key, y->key);
}

/* The most frequent string among the records [a, b) (field: canon or role), ties to the first
 * seen; skip_empty ignores "". Returns the offset of the winner, or UINT32_MAX. */
static uint32_t vote(const tt_entity_tally *t, const rec *v, size_t a, size_t b, int role, int skip_empty)
{
  uint32_t off[VOTE_MAX], len[VOTE_MAX], cnt[VOTE_MAX];
  int nd = 0;
  for (size_t i = a; i < b; i++) {
    uint32_t o = role ? v[i].role : v[i].canon, l = role ? v[i].role_len : v[i].canon_len;
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

int tt_entity_tally_get(tt_entity_tally *t, uint32_t title_end, const tt_entity_summary **out, size_t *n)
{
  if (!t || !out || !n) return tt_error_set(TT_EINVAL, "tt_entity_tally_get: NULL argument");
  *out = NULL;
  *n = 0;
  if (!t->n) return 0;
  /* records arrive in mention order; sort a copy's order by (type, key, arrival) */
  tl_strs = t->strs.p;
  qsort(t->r, t->n, sizeof *t->r, cmp_rec);
  if (t->outcap < t->n) {
    tt_entity_summary *o = tt_realloc(t->out, t->n * sizeof *o);
    TT_CHECK_ALLOC(o);
    t->out = o;
    t->outcap = t->n;
  }
  size_t m = 0;
  for (size_t a = 0; a < t->n;) {
    size_t b = a + 1;
    while (b < t->n && t->r[b].type == t->r[a].type && t->r[b].key_len == t->r[a].key_len &&
           !memcmp(t->strs.p + t->r[b].key, t->strs.p + t->r[a].key, t->r[a].key_len))
      b++;
    tt_entity_summary *s = &t->out[m++];
    s->type = (tt_entity_type)t->r[a].type;
    s->key = t->strs.p + t->r[a].key;
    s->canonical = t->strs.p + vote(t, t->r, a, b, 0, 0);
    uint32_t ro = vote(t, t->r, a, b, 1, 1);
    s->role = ro == UINT32_MAX ? "" : t->strs.p + ro;
    s->mentions = (uint32_t)(b - a);
    s->title_mentions = 0;
    s->first_pos = UINT32_MAX;
    for (size_t i = a; i < b; i++) {
      if (t->r[i].pos < title_end) s->title_mentions++;
      if (t->r[i].pos < s->first_pos) s->first_pos = t->r[i].pos;
    }
    a = b;
  }
  /* restore arrival order, so that a later add appends after the right records */
  for (size_t i = 0; i < t->n; i++) {
    while (t->r[i].seq != i) {
      rec x = t->r[i];
      t->r[i] = t->r[x.seq];
      t->r[x.seq] = x;
    }
  }
  qsort(t->out, m, sizeof *t->out, cmp_sum);
  *out = t->out;
  *n = m;
  return 0;
}
