/* Unit tests: common/json, the JSONL object scanner — values, escapes, errors, and agreement
 * with jansson on generated objects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "timtin/errors.h"

static const char *keys[] = {"url", "title", "body", "published", "id"};

static int scan(const char *s, tt_json_value *v, tt_buf *b, size_t *col)
{
  const char *what;
  return tt_json_scan_object(s, strlen(s), keys, 5, v, b, col, &what);
}

static void test_values(void **state)
{
  (void)state;
  tt_buf b = TT_BUF_INIT;
  tt_json_value v[5];
  size_t col;
  const char *s = " {\"url\":\"https://x.vn/a\", \"extra\":{\"a\":[1,2,{\"b\":null}]},"
                  "\"title\":\"B\\u1ec7nh vi\\u1ec7n \\\"K\\\"\\n\",\"body\":\"\", \"id\":42, \"published\":null} ";
  assert_int_equal(scan(s, v, &b, &col), 0);
  assert_int_equal(v[0].type, TT_JSON_STRING);
  assert_int_equal(v[0].len, 14);
  assert_memory_equal(v[0].s, "https://x.vn/a", 14);
  assert_int_equal(v[1].type, TT_JSON_STRING);
  assert_string_equal(v[1].s, "Bệnh viện \"K\"\n");
  assert_int_equal(v[2].type, TT_JSON_STRING);
  assert_int_equal(v[2].len, 0);
  assert_int_equal(v[3].type, TT_JSON_NULL);
  assert_int_equal(v[4].type, TT_JSON_NUMBER);
  assert_memory_equal(v[4].s, "42", 2);
  /* absent key, surrogate pair, NUL escape, repeated key (last wins) */
  assert_int_equal(scan("{\"body\":\"a\\u0000b \\ud83d\\ude00\",\"url\":\"1\",\"url\":\"2\"}", v, &b, &col), 0);
  assert_int_equal(v[1].type, TT_JSON_ABSENT);
  assert_int_equal(v[2].len, 8);
  assert_memory_equal(v[2].s, "a\0b \xF0\x9F\x98\x80", 8);
  assert_memory_equal(v[0].s, "2", 1);
  tt_buf_fini(&b);
}

static void test_errors(void **state)
{
  (void)state;
  tt_buf b = TT_BUF_INIT;
  tt_json_value v[5];
  size_t col;
  const char *bad[] = {"", "[]", "{", "{\"url\"}", "{\"url\":}", "{\"url\":\"a}", "{\"url\":\"a\" \"b\":1}",
                       "{\"url\":\"\\x\"}", "{\"url\":\"\\u12\"}", "{\"url\":01}", "{\"url\":tru}", "{} x",
                       "{\"a\":[1,]}", "{\"url\":\"a\tb\"}", "{\"a\":-}", "{\"a\":1.}", "{\"a\":1e}"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    if (scan(bad[i], v, &b, &col) != TT_EINVAL) fail_msg("accepted: %s", bad[i]);
  assert_int_equal(scan("{\"url\":\"a\" \"b\":1}", v, &b, &col), TT_EINVAL);
  assert_int_equal(col, 12);
  /* nesting limit */
  char deep[300];
  size_t n = 0;
  n += (size_t)snprintf(deep, sizeof deep, "{\"a\":");
  for (int i = 0; i < 100; i++) deep[n++] = '[';
  for (int i = 0; i < 100; i++) deep[n++] = ']';
  deep[n++] = '}';
  deep[n] = 0;
  assert_int_equal(scan(deep, v, &b, &col), TT_EINVAL);
  tt_buf_fini(&b);
}

/* Differential: random objects with escapes and Vietnamese text agree with jansson. */
static void test_agrees_with_jansson(void **state)
{
  (void)state;
  static const char *parts[] = {"a", "Bệnh", "\\n", "\\\"", "\\\\", "\\u00e9", "\\u1ec7", "\\/", " ", "đ", "\\t", "x y"};
  uint64_t r = 12345;
  tt_buf b = TT_BUF_INIT;
  char s[2048];
  for (int t = 0; t < 2000; t++) {
    size_t n = (size_t)snprintf(s, sizeof s, "{");
    for (int k = 0; k < 5; k++) {
      r = r * 6364136223846793005ull + 1442695040888963407ull;
      if ((r >> 60) & 1) continue;
      n += (size_t)snprintf(s + n, sizeof s - n, "%s\"%s\":\"", n > 1 ? "," : "", keys[k]);
      int len = (int)((r >> 33) % 12);
      for (int j = 0; j < len; j++) {
        r = r * 6364136223846793005ull + 1442695040888963407ull;
        n += (size_t)snprintf(s + n, sizeof s - n, "%s", parts[(r >> 40) % 12]);
      }
      n += (size_t)snprintf(s + n, sizeof s - n, "\"");
    }
    snprintf(s + n, sizeof s - n, "}");
    json_error_t err;
    json_t *j = json_loads(s, JSON_ALLOW_NUL, &err);
    assert_non_null(j);
    tt_json_value v[5];
    size_t col;
    assert_int_equal(scan(s, v, &b, &col), 0);
    for (int k = 0; k < 5; k++) {
      json_t *x = json_object_get(j, keys[k]);
      if (!x) { assert_int_equal(v[k].type, TT_JSON_ABSENT); continue; }
      assert_int_equal(v[k].type, TT_JSON_STRING);
      assert_int_equal(v[k].len, json_string_length(x));
      assert_memory_equal(v[k].s, json_string_value(x), v[k].len);
    }
    json_decref(j);
  }
  tt_buf_fini(&b);
}

/* The string scan reads eight bytes at a time: a quote, backslash or control byte at every
 * offset of a word (and of the tail after the last whole word) must still be found. */
static void test_word_boundaries(void **state)
{
  (void)state;
  tt_buf b = TT_BUF_INIT;
  tt_json_value v[5];
  size_t col;
  char doc[128], want[64];
  for (size_t len = 0; len < 40; len++) {
    for (size_t at = 0; at < len; at++) {
      /* a control byte at offset at: an error at its column */
      memset(want, 0, sizeof want);
      for (size_t i = 0; i < len; i++) want[i] = (char)('a' + (i * 7 + 3) % 26);
      want[at] = 0x1F;
      snprintf(doc, sizeof doc, "{\"title\":\"%s\"}", want);
      assert_int_equal(scan(doc, v, &b, &col), TT_EINVAL);
      assert_int_equal(col, 11 + at);
      /* an escaped quote at offset at (fast path ends there, slow path decodes it) */
      want[at] = '\"';
      char esc[80];
      memcpy(esc, want, at);
      esc[at] = '\\';
      memcpy(esc + at + 1, want + at, len - at + 1);
      snprintf(doc, sizeof doc, "{\"title\":\"%s\"}", esc);
      assert_int_equal(scan(doc, v, &b, &col), 0);
      assert_int_equal(v[1].len, len);
      assert_memory_equal(v[1].s, want, len);
    }
    /* no special byte: the closing quote ends it wherever it falls; non-ASCII bytes included */
    for (size_t i = 0; i < len; i++) want[i] = (char)((i % 3 == 2) ? 0xE1 : 'k');
    want[len] = 0;
    snprintf(doc, sizeof doc, "{\"title\":\"%s\"}", want);
    assert_int_equal(scan(doc, v, &b, &col), 0);
    assert_int_equal(v[1].len, len);
    assert_memory_equal(v[1].s, want, len);
    /* unterminated: the error is at the end of the text */
    snprintf(doc, sizeof doc, "{\"title\":\"%s", want);
    assert_int_equal(scan(doc, v, &b, &col), TT_EINVAL);
    assert_int_equal(col, strlen(doc) + 1);
  }
  tt_buf_fini(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_values),
    cmocka_unit_test(test_errors),
    cmocka_unit_test(test_word_boundaries),
    cmocka_unit_test(test_agrees_with_jansson),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
