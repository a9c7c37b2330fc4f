/* In-memory inversion of a segment under construction (indexer/inverter.h).
 *
 * A per-document pass turns the tokens into 64-bit keys (term index << 32 | position), sorts
 * them, and appends one record per distinct term to that term's vbyte stream. Streams are
 * decoded only at flush. The term table is open addressing over XXH3 hashes. */
#include "indexer/inverter.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/vbyte.h"

struct tt_inverter {
  tt_inv_term *terms;    /* nterms entries */
  size_t nterms, capterms;
  uint64_t *hashes;      /* per term */
  uint32_t *slots;       /* open-addressing table of term index + 1 (0 = empty) */
  size_t nslots;         /* power of two */
  tt_buf keys;           /* all key bytes */
  uint64_t *scratch;     /* per-document keys */
  size_t capscratch;
  tt_inv_term **sorted;
  size_t stream_bytes;   /* capacity of all streams */
};

int tt_inverter_new(tt_inverter **out)
{
  *out = NULL;
  tt_inverter *inv = tt_calloc(1, sizeof *inv);
  TT_CHECK_ALLOC(inv);
  inv->nslots = 1 << 16;
  inv->slots = tt_calloc(inv->nslots, sizeof *inv->slots);
  if (!inv->slots) { tt_free(inv); return tt_error_set(TT_ENOMEM, "out of memory (inverter)"); }
  *out = inv;
  return 0;
}

void tt_inverter_reset(tt_inverter *inv)
{
  for (size_t i = 0; i < inv->nterms; i++) tt_buf_fini(&inv->terms[i].stream);
  inv->nterms = 0;
  inv->stream_bytes = 0;
  memset(inv->slots, 0, inv->nslots * sizeof *inv->slots);
  tt_buf_reset(&inv->keys);
  tt_free(inv->sorted);
  inv->sorted = NULL;
}

void tt_inverter_free(tt_inverter *inv)
{
  if (!inv) return;
  tt_inverter_reset(inv);
  tt_free(inv->terms);
  tt_free(inv->hashes);
  tt_free(inv->slots);
  tt_free(inv->scratch);
  tt_buf_fini(&inv->keys);
  tt_free(inv);
}

size_t tt_inverter_bytes(const tt_inverter *inv)
{
  return inv->capterms * (sizeof(tt_inv_term) + sizeof(uint64_t)) +
         inv->nslots * sizeof(uint32_t) + inv->keys.cap + inv->stream_bytes +
         inv->capscratch * sizeof(uint64_t);
}

size_t tt_inverter_nterms(const tt_inverter *inv) { return inv->nterms; }

const char *tt_inverter_key(const tt_inverter *inv, const tt_inv_term *t)
{
  return inv->keys.p + t->key_off;
}

static int grow_table(tt_inverter *inv)
{
  size_t n = inv->nslots * 2;
  uint32_t *s = tt_calloc(n, sizeof *s);
  TT_CHECK_ALLOC(s);
  for (size_t i = 0; i < inv->nterms; i++) {
    size_t j = inv->hashes[i] & (n - 1);
    while (s[j]) j = (j + 1) & (n - 1);
    s[j] = (uint32_t)i + 1;
  }
  tt_free(inv->slots);
  inv->slots = s;
  inv->nslots = n;
  return 0;
}

/* Index of the term with this key, created if new. Returns -1 on out of memory. */
static int64_t term_id(tt_inverter *inv, const char *key, uint32_t len, int positional)
{
  uint64_t h = XXH3_64bits(key, len) ^ (uint64_t)positional;
  size_t mask = inv->nslots - 1, j = h & mask;
  for (;;) {
    uint32_t s = inv->slots[j];
    if (!s) break;
    tt_inv_term *t = &inv->terms[s - 1];
    if (inv->hashes[s - 1] == h && t->key_len == len && t->positional == (uint32_t)positional &&
        !memcmp(inv->keys.p + t->key_off, key, len))
      return s - 1;
    j = (j + 1) & mask;
  }
  if (inv->nterms == inv->capterms) {
    size_t cap = inv->capterms ? inv->capterms * 2 : 4096;
    tt_inv_term *nt = tt_realloc(inv->terms, cap * sizeof *nt);
    if (!nt) return -1;
    inv->terms = nt;
    uint64_t *nh = tt_realloc(inv->hashes, cap * sizeof *nh);
    if (!nh) return -1;
    inv->hashes = nh;
    inv->capterms = cap;
  }
  if (inv->keys.n + len > UINT32_MAX) return -1;
  size_t id = inv->nterms++;
  tt_inv_term *t = &inv->terms[id];
  memset(t, 0, sizeof *t);
  t->key_off = (uint32_t)inv->keys.n;
  t->key_len = len;
  t->positional = (uint32_t)positional;
  if (tt_buf_append(&inv->keys, key, len) || tt_buf_putc(&inv->keys, 0)) return -1;
  inv->hashes[id] = h;
  inv->slots[j] = (uint32_t)id + 1;
  if (inv->nterms * 2 > inv->nslots && grow_table(inv)) return -1;
  return (int64_t)id;
}

/* Sort n 64-bit keys ascending (insertion sort for short runs, else quicksort). */
static void sort_u64(uint64_t *a, size_t n)
{
  while (n > 24) {
    uint64_t x = a[0], y = a[n / 2], z = a[n - 1];
    uint64_t piv = x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    size_t i = 0, j = n - 1;
    for (;;) {
      while (a[i] < piv) i++;
      while (a[j] > piv) j--;
      if (i >= j) break;
      uint64_t t = a[i]; a[i] = a[j]; a[j] = t;
      i++; j--;
    }
    /* recurse on the smaller side, loop on the larger */
    size_t left = j + 1;
    if (left < n - left) { sort_u64(a, left); a += left; n -= left; }
    else { sort_u64(a + left, n - left); n = left; }
  }
  for (size_t i = 1; i < n; i++) {
    uint64_t v = a[i];
    size_t j = i;
    while (j && a[j - 1] > v) { a[j] = a[j - 1]; j--; }
    a[j] = v;
  }
}

static int add_keys(tt_inverter *inv, const tt_token *toks, size_t n, size_t *k)
{
  for (size_t i = 0; i < n; i++) {
    const tt_token *t = &toks[i];
    int64_t id = term_id(inv, t->folded, t->folded_len, 1);
    if (id < 0) return TT_ENOMEM;
    inv->scratch[(*k)++] = (uint64_t)id << 32 | t->pos;
    if (t->flags & TT_TOKEN_FOLDED) {
      id = term_id(inv, t->exact, t->exact_len, 0);
      if (id < 0) return TT_ENOMEM;
      inv->scratch[(*k)++] = (uint64_t)id << 32 | t->pos;
    }
  }
  return 0;
}

int tt_inverter_add(tt_inverter *inv, uint32_t doc, const tt_token *title, size_t ntitle,
                    const tt_token *body, size_t nbody, uint32_t title_end)
{
  size_t need = 2 * (ntitle + nbody);
  if (need > inv->capscratch) {
    size_t cap = need + need / 2 + 256;
    uint64_t *s = tt_realloc(inv->scratch, cap * sizeof *s);
    if (!s) return tt_error_set(TT_ENOMEM, "out of memory (inverter scratch)");
    inv->scratch = s;
    inv->capscratch = cap;
  }
  size_t k = 0;
  if (add_keys(inv, title, ntitle, &k) || add_keys(inv, body, nbody, &k))
    return tt_error_set(TT_ENOMEM, "out of memory (inverter terms)");
  sort_u64(inv->scratch, k);

  uint8_t tmp[5 * 3];
  for (size_t i = 0; i < k;) {
    uint32_t id = (uint32_t)(inv->scratch[i] >> 32);
    size_t j = i;
    uint32_t tft = 0;
    while (j < k && (uint32_t)(inv->scratch[j] >> 32) == id) {
      if ((uint32_t)inv->scratch[j] < title_end) tft++;
      j++;
    }
    tt_inv_term *t = &inv->terms[id];
    size_t before = t->stream.cap;
    size_t m = tt_vbyte_encode32(tmp, doc - t->next_doc);
    m += tt_vbyte_encode32(tmp + m, tft);
    m += tt_vbyte_encode32(tmp + m, (uint32_t)(j - i) - tft);
    if (tt_buf_append(&t->stream, tmp, m)) return TT_ENOMEM;
    if (t->positional) {
      uint32_t next = 0;
      for (size_t q = i; q < j; q++) {
        uint32_t p = (uint32_t)inv->scratch[q];
        if (tt_buf_reserve(&t->stream, 5)) return TT_ENOMEM;
        t->stream.n += tt_vbyte_encode32((uint8_t *)t->stream.p + t->stream.n, p - next);
        next = p + 1;
      }
    }
    inv->stream_bytes += t->stream.cap - before;
    t->next_doc = doc + 1;
    t->df++;
    i = j;
  }
  return 0;
}

static int cmp_terms(const void *a, const void *b, void *ctx)
{
  const tt_inverter *inv = ctx;
  const tt_inv_term *x = *(tt_inv_term *const *)a, *y = *(tt_inv_term *const *)b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = memcmp(inv->keys.p + x->key_off, inv->keys.p + y->key_off, n);
  if (c) return c;
  if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
  return (int)x->positional - (int)y->positional;
}

int tt_inverter_sorted(tt_inverter *inv, tt_inv_term ***out, size_t *n)
{
  tt_free(inv->sorted);
  inv->sorted = tt_malloc((inv->nterms ? inv->nterms : 1) * sizeof *inv->sorted);
  TT_CHECK_ALLOC(inv->sorted);
  for (size_t i = 0; i < inv->nterms; i++) inv->sorted[i] = &inv->terms[i];
  qsort_r(inv->sorted, inv->nterms, sizeof *inv->sorted, cmp_terms, inv);
  *out = inv->sorted;
  *n = inv->nterms;
  return 0;
}

void tt_inv_stream_init(tt_inv_stream *s, const tt_inv_term *t)
{
  s->p = (const uint8_t *)t->stream.p;
  s->end = s->p + t->stream.n;
  s->next_doc = 0;
  s->positional = (int)t->positional;
}

int tt_inv_stream_next(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                       uint32_t *pos, uint32_t pos_cap)
{
  if (s->p >= s->end) return 0;
  uint32_t gap = 0, a = 0, b = 0;
  s->p += tt_vbyte_decode32(&gap, s->p, s->end);
  s->p += tt_vbyte_decode32(&a, s->p, s->end);
  s->p += tt_vbyte_decode32(&b, s->p, s->end);
  *doc = s->next_doc + gap;
  s->next_doc = *doc + 1;
  *tf_title = a;
  *tf_body = b;
  if (s->positional) {
    uint32_t next = 0, n = a + b;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t g = 0;
      s->p += tt_vbyte_decode32(&g, s->p, s->end);
      if (i < pos_cap) pos[i] = next + g;
      next += g + 1;
    }
  }
  return 1;
}
