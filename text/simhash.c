/* Simhash (Charikar 2002) for syndicated copies (text/simhash.h). Words are lower-cased
 * ASCII bytes and UTF-8 sequences split at spaces and punctuation; shingles of three words are
 * hashed with FNV-1a and a 64-bit finalizer (splitmix). The same TTXVN story on two sites
 * differs in the byline, captions and the last lines, which moves a few bits only. */
#include "text/simhash.h"

#include <string.h>

#include "common/alloc.h"

static uint64_t mix(uint64_t x)
{
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static int sep(unsigned char c)
{
  return c <= ' ' || c == ',' || c == '.' || c == ';' || c == ':' || c == '!' || c == '?' || c == '"' ||
         c == '(' || c == ')' || c == '\'' || c == '-';
}

uint64_t tt_simhash_text(const char *s, size_t n, size_t *nwords)
{
  int v[64] = {0};
  uint64_t w[3] = {0, 0, 0};
  size_t words = 0, i = 0;
  while (i < n) {
    while (i < n && sep((unsigned char)s[i])) i++;
    if (i >= n) break;
    uint64_t h = 14695981039346656037ull;
    while (i < n && !sep((unsigned char)s[i])) {
      unsigned char c = (unsigned char)s[i++];
      if (c >= 'A' && c <= 'Z') c += 32;
      h = (h ^ c) * 1099511628211ull;
    }
    w[0] = w[1]; w[1] = w[2]; w[2] = h;
    words++;
    if (words < 3) continue;
    uint64_t sh = mix(w[0] * 31 + mix(w[1]) * 17 + mix(w[2]));
    for (int b = 0; b < 64; b++) v[b] += (sh >> b & 1) ? 1 : -1;
  }
  if (nwords) *nwords = words;
  uint64_t out = 0;
  for (int b = 0; b < 64; b++) if (v[b] > 0) out |= 1ull << b;
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
  if (ix->n == ix->cap) {
    size_t cap = ix->cap ? ix->cap * 2 : 256;
    entry *e = tt_realloc(ix->e, cap * sizeof *e);
    if (!e) return found;
    ix->e = e;
    ix->cap = cap;
  }
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
