/* Unit tests: indexer/vbyte (tt_vbyte_*) — edge values, exact bytes, truncation, over-long
 * and out-of-range encodings. Inputs are exact-size heap copies so ASan sees any over-read. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/vbyte.h"

static size_t dec32(uint32_t *v, const uint8_t *b, size_t n)
{
  uint8_t *copy = calloc(n ? n : 1, 1);
  memcpy(copy, b, n);
  size_t k = tt_vbyte_decode32(v, copy, copy + n);
  free(copy);
  return k;
}

static size_t dec64(uint64_t *v, const uint8_t *b, size_t n)
{
  uint8_t *copy = calloc(n ? n : 1, 1);
  memcpy(copy, b, n);
  size_t k = tt_vbyte_decode64(v, copy, copy + n);
  free(copy);
  return k;
}

static void test_edge_values(void **state)
{
  (void)state;
  struct { uint32_t v; size_t n; uint8_t b[5]; } cases[] = {
    {0, 1, {0x00}},
    {1, 1, {0x01}},
    {127, 1, {0x7F}},
    {128, 2, {0x80, 0x01}},
    {16383, 2, {0xFF, 0x7F}},
    {16384, 3, {0x80, 0x80, 0x01}},
    {(1u << 28) - 1, 4, {0xFF, 0xFF, 0xFF, 0x7F}},
    {1u << 28, 5, {0x80, 0x80, 0x80, 0x80, 0x01}},
    {0xFFFFFFFFu, 5, {0xFF, 0xFF, 0xFF, 0xFF, 0x0F}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    uint8_t out[TT_VBYTE_MAX32];
    assert_int_equal(tt_vbyte_encode32(out, cases[i].v), cases[i].n);
    assert_int_equal(tt_vbyte_len32(cases[i].v), cases[i].n);
    assert_memory_equal(out, cases[i].b, cases[i].n);
    uint32_t v = 12345;
    assert_int_equal(dec32(&v, out, cases[i].n), cases[i].n);
    assert_int_equal(v, cases[i].v);
    /* every truncation fails */
    for (size_t t = 0; t < cases[i].n; t++) assert_int_equal(dec32(&v, out, t), 0);
    /* the same value through the 64-bit coder */
    uint8_t o64[TT_VBYTE_MAX64];
    assert_int_equal(tt_vbyte_encode64(o64, cases[i].v), cases[i].n);
    uint64_t w;
    assert_int_equal(dec64(&w, o64, cases[i].n), cases[i].n);
    assert_true(w == cases[i].v);
  }
}

static void test_u64(void **state)
{
  (void)state;
  uint64_t vals[] = {0, 127, 128, 0xFFFFFFFFull, 0x100000000ull, 0x7FFFFFFFFFFFFFFFull,
                     0xFFFFFFFFFFFFFFFFull, 1ull << 63, 0x3FFFFFFFFull};
  for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++) {
    uint8_t out[TT_VBYTE_MAX64];
    size_t n = tt_vbyte_encode64(out, vals[i]);
    assert_int_equal(n, tt_vbyte_len64(vals[i]));
    assert_true(n <= TT_VBYTE_MAX64);
    uint64_t w;
    assert_int_equal(dec64(&w, out, n), n);
    assert_true(w == vals[i]);
    for (size_t t = 0; t < n; t++) assert_int_equal(dec64(&w, out, t), 0);
  }
  uint8_t max[TT_VBYTE_MAX64];
  assert_int_equal(tt_vbyte_encode64(max, UINT64_MAX), 10);
  assert_int_equal(max[9], 0x01);
  uint64_t w;
  max[9] = 0x02; /* bit 64 */
  assert_int_equal(dec64(&w, max, 10), 0);
  uint8_t eleven[11];
  memset(eleven, 0x80, 10);
  eleven[10] = 0;
  assert_int_equal(dec64(&w, eleven, 11), 0);
}

static void test_bad_encodings(void **state)
{
  (void)state;
  uint32_t v;
  const uint8_t over32[] = {0xFF, 0xFF, 0xFF, 0xFF, 0x10};      /* 2^32 */
  assert_int_equal(dec32(&v, over32, 5), 0);
  const uint8_t six[] = {0x80, 0x80, 0x80, 0x80, 0x80, 0x00};   /* 6 bytes */
  assert_int_equal(dec32(&v, six, 6), 0);
  const uint8_t overlong[] = {0x80, 0x00};                      /* 0 in two bytes */
  assert_int_equal(dec32(&v, overlong, 2), 0);
  const uint8_t overlong2[] = {0x81, 0x80, 0x00};
  assert_int_equal(dec32(&v, overlong2, 3), 0);
  const uint8_t cont[] = {0x80};
  assert_int_equal(dec32(&v, cont, 1), 0);
  assert_int_equal(dec32(&v, cont, 0), 0);
  uint64_t w;
  assert_int_equal(dec64(&w, overlong, 2), 0);
}

static void test_random_and_arrays(void **state)
{
  (void)state;
  uint64_t r = 88172645463325252ull;
  uint32_t vals[1000], back[1000];
  uint8_t *buf = malloc(1000 * TT_VBYTE_MAX32);
  size_t n = 0;
  for (int i = 0; i < 1000; i++) {
    r ^= r << 13; r ^= r >> 7; r ^= r << 17;
    vals[i] = (uint32_t)r >> ((r >> 40) % 32); /* all lengths 1..5 */
    n += tt_vbyte_encode32(buf + n, vals[i]);
  }
  uint8_t *exact = malloc(n);
  memcpy(exact, buf, n);
  assert_int_equal(tt_vbyte_decode32_n(back, 1000, exact, exact + n), n);
  assert_memory_equal(back, vals, sizeof vals);
  assert_int_equal(tt_vbyte_decode32_n(back, 1000, exact, exact + n - 1), 0);
  assert_int_equal(tt_vbyte_decode32_n(back, 1001, exact, exact + n), 0);
  free(exact);
  free(buf);

  tt_buf b = TT_BUF_INIT;
  assert_int_equal(tt_vbyte_put32(&b, 300), 0);
  assert_int_equal(tt_vbyte_put64(&b, 1ull << 40), 0);
  assert_int_equal(b.n, 2 + 6);
  uint32_t x;
  uint64_t y;
  const uint8_t *p = (const uint8_t *)b.p;
  size_t k = tt_vbyte_decode32(&x, p, p + b.n);
  assert_int_equal(k, 2);
  assert_int_equal(x, 300);
  assert_int_equal(tt_vbyte_decode64(&y, p + k, p + b.n), 6);
  assert_true(y == 1ull << 40);
  tt_buf_fini(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_edge_values),
    cmocka_unit_test(test_u64),
    cmocka_unit_test(test_bad_encodings),
    cmocka_unit_test(test_random_and_arrays),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
