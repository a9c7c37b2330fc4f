/* Unit tests: text/simhash. The fingerprints are stored in the doc table (and checked by
 * `timtin check`), so the fast tt_simhash_text must give exactly what the definition gives:
 * here the definition is written out plainly (words split at bytes <= ' ' and ,.;:!?"()'-,
 * ASCII lower-cased, FNV-1a per word, shingle = mix(w0 * 31 + mix(w1) * 17 + mix(w2)), one
 * counter per bit) and compared on fixed texts, edge cases and random ones. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/simhash.h"

static uint64_t ref_mix(uint64_t x)
{
  x ^= x >> 30; x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27; x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

static int ref_sep(unsigned char c)
{
  return c <= ' ' || (c && strchr(",.;:!?\"()'-", c));
}

static uint64_t ref_simhash(const char *s, size_t n, size_t *nwords)
{
  const unsigned char *u = (const unsigned char *)s;
  uint64_t w[3] = {0, 0, 0};
  uint64_t ones[64] = {0};
  size_t words = 0, shingles = 0, i = 0;
  while (i < n) {
    if (ref_sep(u[i])) { i++; continue; }
    uint64_t h = 14695981039346656037ull;
    for (; i < n && !ref_sep(u[i]); i++) {
      unsigned c = u[i] >= 'A' && u[i] <= 'Z' ? u[i] + 32u : u[i];
      h = (h ^ c) * 1099511628211ull;
    }
    w[0] = w[1]; w[1] = w[2]; w[2] = h;
    if (++words < 3) continue;
    uint64_t sh = ref_mix(w[0] * 31 + ref_mix(w[1]) * 17 + ref_mix(w[2]));
    for (int b = 0; b < 64; b++) ones[b] += sh >> b & 1;
    shingles++;
  }
  *nwords = words;
  uint64_t out = 0;
  for (int b = 0; b < 64; b++) if (2 * ones[b] > shingles) out |= 1ull << b;
  return out;
}

static void check(const char *s, size_t n)
{
  size_t a = 99, b = 98;
  uint64_t want = ref_simhash(s, n, &a);
  uint64_t got = tt_simhash_text(s, n, &b);
  assert_int_equal(b, a);
  if (got != want) fail_msg("simhash of %zu bytes: %016llx, the definition gives %016llx", n,
                            (unsigned long long)got, (unsigned long long)want);
}

static void test_fixed(void **state)
{
  (void)state;
  const char *t[] = {
    "", " ", "a", "a b", "a b c", " a b c ", "a,b.c", "Bộ Y tế cho biết: (ngày 3/4) \"bệnh viện\" - đã xong!",
    "x\x01y\x7f" "z\xff" "w", "word", "ONE two Three", "...a", "a...", "\t\na\r\nb\tc  d",
  };
  for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) check(t[i], strlen(t[i]));
  /* a bounded view: the byte after the view is a word byte, which must not be read as one */
  check("a b cd", 5);
  check("a b c d", 6);
  /* ASCII case only: same fingerprint (other letters are compared as bytes) */
  size_t w;
  const char *up = "Bệnh viện Bach Mai HA NOI", *lo = "bệnh viện bach mai ha noi";
  assert_true(tt_simhash_text(up, strlen(up), &w) == tt_simhash_text(lo, strlen(lo), &w));
  assert_int_equal(w, 6);
}

/* Long texts: the counters are folded at 3, 15 and 255 shingles; every count around those
 * thresholds, and texts that end with and without a separator. */
static void test_lengths(void **state)
{
  (void)state;
  char *buf = malloc(40000);
  assert_non_null(buf);
  uint32_t x = 12345;
  size_t n = 0;
  for (size_t words = 0; words < 1200; words++) {
    size_t len = 1 + (x >> 7) % 7;
    for (size_t k = 0; k < len; k++) {
      x = x * 1103515245u + 12345u;
      buf[n++] = (char)("abcdeXYZ\xE1\xBB\x87"[(x >> 16) % 11]);
    }
    check(buf, n);
    buf[n++] = " ,\n"[(x >> 20) % 3];
    check(buf, n);
  }
  free(buf);
}

/* Random bytes, with separators and capitals frequent. */
static void test_random(void **state)
{
  (void)state;
  char buf[3000];
  uint32_t x = 7;
  for (int it = 0; it < 3000; it++) {
    x = x * 1103515245u + 12345u;
    size_t n = (x >> 8) % (it % 10 == 0 ? sizeof buf : 80);
    for (size_t i = 0; i < n; i++) {
      x = x * 1103515245u + 12345u;
      unsigned r = x >> 16;
      buf[i] = r % 4 ? "ab c,.-\nXY\xE1\x80"[(r >> 4) % 13] : (char)(r >> 4);
    }
    check(buf, n);
  }
}

static void test_doc(void **state)
{
  (void)state;
  /* under TT_SIMHASH_MIN_WORDS words: no fingerprint */
  const char *few = "một hai ba";
  assert_true(tt_simhash_doc(few, strlen(few)) == TT_SIMHASH_NONE);
  char buf[600];
  size_t n = 0;
  for (int i = 0; i < TT_SIMHASH_MIN_WORDS; i++) n += (size_t)snprintf(buf + n, sizeof buf - n, "w%d ", i);
  size_t w;
  uint64_t h = tt_simhash_text(buf, n, &w);
  assert_int_equal(w, TT_SIMHASH_MIN_WORDS);
  assert_true(tt_simhash_doc(buf, n) == (h ? h : 1));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_fixed),
    cmocka_unit_test(test_lengths),
    cmocka_unit_test(test_random),
    cmocka_unit_test(test_doc),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
