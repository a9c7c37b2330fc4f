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

/* byte_bits[x] (filled with word_byte on first use): the 8 bits of x spread into the 8 bytes of a word (bit i -> byte i = 0 or 1), so
 * that one addition counts 8 bit positions at once (SWAR). */
static uint64_t byte_bits[256];
static void tables_init(void)
{
  for (unsigned c = 0; c < 256; c++) word_byte[c] = (uint8_t)(c <= ' ' ? 0 : c >= 'A' && c <= 'Z' ? c + 32 : c);
  for (const char *p = ",.;:!?\"()'-"; *p; p++) word_byte[(unsigned char)*p] = 0;
  for (unsigned x = 0; x < 256; x++) {
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v |= (uint64_t)(x >> i & 1) << (8 * i);
    byte_bits[x] = v;
  }
}

/* ones[8 * k + i] += the byte lanes of acc[k] (bit 8k + i of the shingles seen), then clear. */
static void flush(uint64_t acc[8], uint32_t ones[64])
{
  for (int k = 0; k < 8; k++) {
    for (int i = 0; i < 8; i++) ones[8 * k + i] += (uint32_t)(acc[k] >> (8 * i) & 0xFF);
    acc[k] = 0;
  }
}

/* Bit b of the result is set when more shingle hashes have bit b set than clear (Charikar's
 * +1/-1 vote per bit). The votes are counted in byte lanes, flushed every 255 shingles. */
uint64_t tt_simhash_text(const char *s, size_t n, size_t *nwords)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, tables_init);
  uint32_t ones[64] = {0};
  uint64_t acc[8] = {0};
  uint64_t w0 = 0, w1 = 0, w2 = 0, m1 = 0, m2 = 0;   /* last three word hashes, mix() of two */
  size_t words = 0, shingles = 0, i = 0, lane = 0;
  const unsigned char *u = (const unsigned char *)s;
  while (i < n) {
    while (i < n && !word_byte[u[i]]) i++;
    if (i >= n) break;
    uint64_t h = 14695981039346656037ull;
    for (unsigned c; i < n && (c = word_byte[u[i]]) != 0; i++) h = (h ^ c) * 1099511628211ull;
    w0 = w1; w1 = w2; w2 = h;
    m1 = m2; m2 = mix(h);
    words++;
    if (words < 3) continue;
    uint64_t sh = mix(w0 * 31 + m1 * 17 + m2);
    for (int k = 0; k < 8; k++) acc[k] += byte_bits[sh >> (8 * k) & 0xFF];
    shingles++;
    if (++lane == 255) { flush(acc, ones); lane = 0; }
  }
  flush(acc, ones);
  if (nwords) *nwords = words;
  uint64_t out = 0;
  for (int b = 0; b < 64; b++) if (2 * (uint64_t)ones[b] > shingles) out |= 1ull << b;
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
