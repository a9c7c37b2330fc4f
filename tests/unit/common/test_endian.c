/* Unit tests: common/endian.h — the partial little-endian load against a byte-by-byte one. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/endian.h"

static void test_upto64(void **state)
{
  (void)state;
  unsigned char buf[16];
  for (int round = 0; round < 200; round++) {
    for (size_t i = 0; i < sizeof buf; i++) buf[i] = (unsigned char)(1 + (round * 37 + i * 101) % 255);
    for (size_t n = 0; n <= 12; n++) {
      /* the bytes exactly: a copy at the end of a heap block, so that reading past n is caught
       * by the sanitizer build */
      unsigned char *p = malloc(n ? n : 1);
      assert_non_null(p);
      memcpy(p, buf, n);
      uint64_t want = 0;
      for (size_t i = 0; i < n && i < 8; i++) want |= (uint64_t)p[i] << (8 * i);
      assert_int_equal(tt_load_le_upto64(p, n), want);
      free(p);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_upto64),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
