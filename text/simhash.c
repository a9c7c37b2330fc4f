/* Simhash (Charikar 2002) for syndicated copies (text/simhash.h). Words are lower-cased
 * ASCII bytes and UTF-8 sequences split at spaces and punctuation; shingles of three words are
 * hashed with FNV-1a and a 64-bit finalizer (splitmix). The same TTXVN story on two sites
 * differs in the byline, captions and the last lines, which moves a few bits only. */
#include "text/simhash.h"

#include <pthread.h>
#include <string.h>

#include "common/alloc.h"

static uint64_t mix(uint64_t x)
{
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* word_byte[c]: 0 for a word separator (bytes <= ' ' and ,.;:!?"()'-), else c with ASCII
 * lower-cased: one load and test per byte (this runs over every indexed body). */
static uint8_t word_byte[256];

static void tables_init(void)
{
  for (unsigned c = 0; c < 256; c++) word_byte[c] = (uint8_t)(c <= ' ' ? 0 : c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char *p = ",.;:!?\"()'-"; *p; p++) word_byte[(unsigned char)*p] = 0;
}

/* The vote counters, bit-sliced in three levels of SWAR lanes so that a shingle costs two masks
 * and two additions instead of one addition per bit:
 *   a[r]  2-bit lanes, r = 0, 1: lane j of a[r] counts bit 2j + r; at most 3 shingles, then
 *   b[r]  4-bit lanes, r = 0..3: lane m counts bit 4m + r; at most 5 folds of a (15), then
 *   c[s]  8-bit lanes, s = 0..7: lane q counts bit 8q + COFF[s] (= 4 (s & 1) + s / 2); at most
 *         17 folds of b (255), then
 *   ones[64], the exact counts. The result is the same as counting each bit on its own. */
static const unsigned char COFF[8] = {0, 4, 1, 5, 2, 6, 3, 7};
#define M2 0x5555555555555555ull
#define M4 0x3333333333333333ull
#define M8 0x0F0F0F0F0F0F0F0Full

typedef struct votes {
  uint64_t a[2], b[4], c[8];
  unsigned na, nb;          /* shingles in a (0..3), folds of a in b (0..5) */
  unsigned nc;              /* folds of b in c (0..17) */
  uint32_t ones[64];
} votes;

static void fold_b(votes *v)
{
  for (int s = 0; s < 8; s++) v->c[s] += (v->b[s >> 1] >> (4 * (s & 1))) & M8;
  memset(v->b, 0, sizeof v->b);
  v->nb = 0;
  if (++v->nc == 17) {
    for (int s = 0; s < 8; s++)
      for (int q = 0; q < 8; q++) v->ones[8 * q + COFF[s]] += (uint32_t)(v->c[s] >> (8 * q) & 0xFF);
    memset(v->c, 0, sizeof v->c);
    v->nc = 0;
  }
}

static void fold_a(votes *v)
{
  for (int r = 0; r < 4; r++) v->b[r] += (v->a[r & 1] >> (2 * (r >> 1))) & M4;
  v->a[0] = v->a[1] = 0;
  v->na = 0;
  if (++v->nb == 5) fold_b(v);
}

/* Everything still in a, b and c into ones. */
static void votes_finish(votes *v)
{
  fold_a(v);
  fold_b(v);
  for (int s = 0; s < 8; s++)
    for (int q = 0; q < 8; q++) v->ones[8 * q + COFF[s]] += (uint32_t)(v->c[s] >> (8 * q) & 0xFF);
}

/* Bit b of the result is set when more shingle hashes have bit b set than clear (Charikar's
 * +1/-1 vote per bit).
 *
 * The byte loops test no bound: the last word is found first (its start j and end l), every
 * earlier word ends at a separator before j, and the separator scan before a word stops at a
 * word byte, at j at the latest. */
uint64_t tt_simhash_text(const char *s, size_t n, size_t *nwords)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, tables_init);
  votes v;
  memset(&v, 0, sizeof v);
  uint64_t w0 = 0, w1 = 0, w2 = 0, m1 = 0, m2 = 0;   /* last three word hashes, mix() of two */
  size_t words = 0, shingles = 0, i = 0;
  const unsigned char *u = (const unsigned char *)s;
  size_t l = n;
  while (l > 0 && !word_byte[u[l - 1]]) l--;
  size_t j = l;
  while (j > 0 && word_byte[u[j - 1]]) j--;
  while (i < l) {
    while (!word_byte[u[i]]) i++;
    uint64_t h = 14695981039346656037ull;
    if (i < j) {
      for (unsigned c; (c = word_byte[u[i]]) != 0; i++) h = (h ^ c) * 1099511628211ull;
    } else {
      for (; i < l; i++) h = (h ^ word_byte[u[i]]) * 1099511628211ull;
    }
    w0 = w1; w1 = w2; w2 = h;
    m1 = m2; m2 = mix(h);
    words++;
    if (words < 3) continue;
    uint64_t sh = mix(w0 * 31 + m1 * 17 + m2);
    v.a[0] += sh & M2;
    v.a[1] += (sh >> 1) & M2;
    shingles++;
    if (++v.na == 3) fold_a(&v);
  }
  votes_finish(&v);
  if (nwords) *nwords = words;
  uint64_t out = 0;
  for (int b = 0; b < 64; b++) if (2 * (uint64_t)v.ones[b] > shingles) out |= 1ull << b;
  return out;
}

uint64_t tt_simhash_doc(const char *body, size_t n)
{
  size_t words;
  uint64_t h = tt_simhash_text(body, n, &words);
  if (words < TT_SIMHASH_MIN_WORDS) return TT_SIMHASH_NONE;
  return h == TT_SIMHASH_NONE ? 1 : h;
}

typedef struct entry { uint64_t h; long id; long next[4]; } entry;

struct tt_simhash_index {
  long *heads;     /* 4 bands x 65536 buckets: index of the newest entry, or -1 */
  entry *e;
  size_t n, cap;
};

tt_simhash_index *tt_simhash_index_new(void)
{
  tt_simhash_index *ix = tt_calloc(1, sizeof *ix);
  if (!ix) return NULL;
  ix->heads = tt_malloc(4 * 65536 * sizeof(long));
  if (!ix->heads) { tt_free(ix); return NULL; }
  for (size_t i = 0; i < 4 * 65536; i++) ix->heads[i] = -1;
  return ix;
}

void tt_simhash_index_free(tt_simhash_index *ix)
{
  if (!ix) return;
  tt_free(ix->heads);
  tt_free(ix->e);
  tt_free(ix);
}

long tt_simhash_index_match_add(tt_simhash_index *ix, uint64_t h, long id, int maxd)
{
  long found = -1;
  for (int b = 0; b < 4 && found < 0; b++) {
    unsigned key = (unsigned)(h >> (16 * b)) & 0xFFFF;
    for (long k = ix->heads[b * 65536 + key]; k >= 0; k = ix->e[k].next[b])
      if (tt_simhash_distance(ix->e[k].h, h) <= maxd) { found = ix->e[k].id; break; }
  }
  if (tt_array_reserve(ix->e, ix->cap, ix->n + 1)) return found;
  entry *en = &ix->e[ix->n];
  en->h = h;
  en->id = id;
  for (int b = 0; b < 4; b++) {
    unsigned key = (unsigned)(h >> (16 * b)) & 0xFFFF;
    en->next[b] = ix->heads[b * 65536 + key];
    ix->heads[b * 65536 + key] = (long)ix->n;
  }
  ix->n++;
  return found;
}
