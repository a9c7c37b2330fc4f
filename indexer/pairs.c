/* Syllable-pair terms (indexer/pairs.h): the compiled list and the pair keys. */
#include "indexer/pairs.h"

#include <string.h>

static const char *const words[TT_PAIRS_N] = {
#include "indexer/pairs_list.inc"
};

int tt_pairs_id(const char *s, size_t n)
{
  if (n > TT_PAIRS_WORD_MAX) return -1;
  int lo = 0, hi = TT_PAIRS_N;   /* binary search; the list is in byte order */
  while (lo < hi) {
    int mid = (lo + hi) / 2;
    const char *w = words[mid];
    size_t m = strlen(w);
    int c = memcmp(w, s, m < n ? m : n);
    if (!c) c = m < n ? -1 : m > n;
    if (!c) return mid;
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return -1;
}

const char *tt_pairs_word(int id) { return id >= 0 && id < TT_PAIRS_N ? words[id] : ""; }

size_t tt_pairs_key(char *out, int a, int b)
{
  const char *x = tt_pairs_word(a), *y = tt_pairs_word(b);
  size_t nx = strlen(x), ny = strlen(y);
  out[0] = TT_PAIRS_MARK;
  memcpy(out + 1, x, nx);
  out[1 + nx] = ' ';
  memcpy(out + 2 + nx, y, ny);
  out[2 + nx + ny] = 0;
  return 2 + nx + ny;
}
