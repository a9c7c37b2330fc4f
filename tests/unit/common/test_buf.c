/* Unit tests: common/buf (JSON escaping) and common/utf8 (strict decoding). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"

static void test_json_escape(void **state)
{
  (void)state;
  tt_buf b = TT_BUF_INIT;
  const char in[] = "a\"b\\c\n\x01 Bệnh viện\xFF";
  assert_int_equal(tt_buf_json_string(&b, in, sizeof in - 1), 0);
  assert_string_equal(b.p, "\"a\\\"b\\\\c\\n\\u0001 Bệnh viện\xEF\xBF\xBD\"");
  tt_buf_fini(&b);
}

static void test_json_nul_byte(void **state)
{
  (void)state;
  tt_buf b = TT_BUF_INIT;
  assert_int_equal(tt_buf_json_string(&b, "x\0y", 3), 0);
  assert_string_equal(b.p, "\"x\\u0000y\"");
  tt_buf_fini(&b);
}

static void test_utf8_decode(void **state)
{
  (void)state;
  uint32_t cp;
  assert_int_equal(tt_utf8_decode((const unsigned char *)"ệ", 3, &cp), 3);
  assert_int_equal(cp, 0x1EC7);
  /* overlong "/" */
  assert_int_equal(tt_utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp), 1);
  assert_int_equal(cp, TT_UTF8_INVALID);
  /* surrogate U+D800 is ill-formed: the maximal subpart is one byte */
  assert_int_equal(tt_utf8_decode((const unsigned char *)"\xED\xA0\x80", 3, &cp), 1);
  assert_int_equal(cp, TT_UTF8_INVALID);
  /* truncated sequence never reads past n */
  assert_int_equal(tt_utf8_decode((const unsigned char *)"\xE1\xBB", 2, &cp), 2);
  assert_int_equal(cp, TT_UTF8_INVALID);
  char out[4];
  for (uint32_t c = 1; c < 0x110000; c += 97) {
    if (c >= 0xD800 && c < 0xE000) continue;
    size_t n = tt_utf8_encode(c, out);
    assert_int_equal(tt_utf8_decode((unsigned char *)out, n, &cp), n);
    assert_int_equal(cp, c);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_json_escape),
    cmocka_unit_test(test_json_nul_byte),
    cmocka_unit_test(test_utf8_decode),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
