/* Unit tests: common/alloc (byte accounting and tt_array_reserve). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "common/alloc.h"

static void test_reserve_grows_and_keeps(void **state)
{
  (void)state;
  uint32_t *v = NULL;
  size_t cap = 0, n = 0;
  for (uint32_t i = 0; i < 10000; i++) {
    assert_int_equal(tt_array_reserve(v, cap, n + 1), 0);
    assert_true(cap >= n + 1);
    v[n++] = i * 7u;
  }
  for (uint32_t i = 0; i < 10000; i++) assert_int_equal(v[i], i * 7u);
  /* doubling: 10000 appends took at most 16 * 2^10 slots */
  assert_true(cap <= 16384);
  size_t before = cap;
  uint32_t *same = v;
  assert_int_equal(tt_array_reserve(v, cap, 5), 0);  /* enough room: nothing moves */
  assert_ptr_equal(v, same);
  assert_int_equal(cap, before);
  assert_int_equal(tt_array_reserve(v, cap, cap * 5 + 3), 0);  /* a jump past doubling */
  assert_true(cap >= before * 5 + 3);
  for (uint32_t i = 0; i < 10000; i++) assert_int_equal(v[i], i * 7u);
  tt_free(v);
}

static void test_reserve_overflow_leaves_array(void **state)
{
  (void)state;
  char **v = NULL;
  size_t cap = 0;
  assert_int_equal(tt_array_reserve(v, cap, 3), 0);
  v[0] = "kept";
  char **old = v;
  size_t oldcap = cap;
  /* need * sizeof *v does not fit in size_t: refused, array and capacity unchanged */
  assert_int_equal(tt_array_reserve(v, cap, SIZE_MAX / 4), -1);
  assert_ptr_equal(v, old);
  assert_int_equal(cap, oldcap);
  assert_string_equal(v[0], "kept");
  tt_free(v);
}

static void test_accounting(void **state)
{
  (void)state;
  size_t base = tt_alloc_used();
  void *p = tt_malloc(1000);
  assert_non_null(p);
  assert_true(tt_alloc_used() >= base + 1000);
  p = tt_realloc(p, 100000);
  assert_non_null(p);
  assert_true(tt_alloc_used() >= base + 100000);
  tt_free(p);
  assert_int_equal(tt_alloc_used(), base);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_reserve_grows_and_keeps),
    cmocka_unit_test(test_reserve_overflow_leaves_array),
    cmocka_unit_test(test_accounting),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
