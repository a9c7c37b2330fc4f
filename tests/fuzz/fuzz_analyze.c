/* Fuzz target: the analyzer (tt_analyze, tt_normalize_word) on arbitrary bytes.
 *
 * Beyond "no crash, no out-of-bounds read" (ASan/UBSan), every run checks the contract:
 * tokens in order, positions consecutive from first_pos, byte ranges inside the input and not
 * overlapping, NUL-terminated forms of the stated lengths, the flags right; and the token's
 * forms are what tt_normalize_word makes of its original bytes, and folding is idempotent
 * (folded(exact(x)) == folded(x)). A violation aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timtin/analyze.h"

#define CHECK(c)                                                                 \
  do {                                                                           \
    if (!(c)) {                                                                  \
      fprintf(stderr, "fuzz_analyze: %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                   \
    }                                                                            \
  } while (0)

static tt_analyzer *an;
static char buf1[1 << 16], buf2[1 << 16];

static void cleanup(void) { tt_analyzer_free(an); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!an) {
    CHECK(tt_analyzer_new(&an) == 0);
    atexit(cleanup);
  }
  const char *s = (const char *)data;
  uint32_t first = size ? data[0] * 1000u : 0;
  tt_analysis r;
  CHECK(tt_analyze(an, s, size, first, &r) == 0);
  uint32_t prev_end = 0;
  for (size_t i = 0; i < r.n; i++) {
    const tt_token *t = &r.tokens[i];
    CHECK(t->pos == first + i);
    CHECK(t->start < t->end && t->end <= size && t->start >= prev_end);
    prev_end = t->end;
    CHECK(t->exact_len > 0 && strlen(t->exact) == t->exact_len);
    CHECK(strlen(t->folded) == t->folded_len);
    CHECK(!!(t->flags & TT_TOKEN_FOLDED) ==
          (t->exact_len != t->folded_len || memcmp(t->exact, t->folded, t->exact_len) != 0));
    if (i >= 64) continue;  /* the checks below are slow; the first tokens are enough */
    int n = tt_normalize_word(s + t->start, t->end - t->start, 0, buf1, sizeof buf1);
    CHECK(n >= 0 && strcmp(buf1, t->exact) == 0);
    n = tt_normalize_word(t->exact, t->exact_len, 1, buf1, sizeof buf1);
    CHECK(n >= 0 && strcmp(buf1, t->folded) == 0);
  }
  CHECK(r.invalid_utf8 <= size && r.dropped <= size);

  /* tt_normalize_word on the whole input: folding the exact form changes nothing */
  if (size < 1024) {
    int le = tt_normalize_word(s, size, 0, buf1, sizeof buf1);
    int lf = tt_normalize_word(s, size, 1, buf2, sizeof buf2);
    CHECK(le >= 0 && lf >= 0);
    static char again[1 << 16];
    CHECK(tt_normalize_word(buf1, (size_t)le, 1, again, sizeof again) == lf);
    CHECK(strcmp(again, buf2) == 0);
    CHECK(tt_normalize_word(buf1, (size_t)le, 0, again, sizeof again) == le);
    CHECK(strcmp(again, buf1) == 0);
  }
  return 0;
}
