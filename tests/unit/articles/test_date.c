/* Unit tests: ISO 8601 dates (tt_parse_date, tt_format_date), the civil-date arithmetic and
 * the display dates of Vietnamese news pages (articles/date.h). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <string.h>

#include "articles/date.h"
#include "timtin/article.h"
#include "timtin/errors.h"

/* 2024-06-12 12:45:00 in Vietnam = 05:45:00 UTC. */
#define T_2024_06_12_1245 1718171100

static int64_t parse_ok(const char *s)
{
  int64_t t = 0;
  int rc = tt_parse_date(s, strlen(s), &t);
  if (rc) fail_msg("\"%s\" refused: %s", s, tt_error_last());
  return t;
}

static void parse_bad(const char *s)
{
  int64_t t = 42;
  int rc = tt_parse_date(s, strlen(s), &t);
  if (rc != TT_EINVAL) fail_msg("\"%s\" accepted as %lld", s, (long long)t);
  assert_int_equal(t, 42);                   /* *out untouched on failure */
  assert_true(strlen(tt_error_last()) > 0);
}

static void test_iso_forms(void **state)
{
  (void)state;
  assert_int_equal(parse_ok("2024-06-12T12:45:00+07:00"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T05:45:00Z"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12t05:45:00z"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45:00"), T_2024_06_12_1245);      /* no zone = Vietnam */
  assert_int_equal(parse_ok("2024-06-12 12:45:00"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45:00.123456+07:00"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45:00,5+07:00"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T00:45:00-05:00"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45:00+0700"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T12:45:00+07"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("2024-06-12T11:15:00+05:30"), T_2024_06_12_1245);
  assert_int_equal(parse_ok("  2024-06-12T12:45:00+07:00 \n"), T_2024_06_12_1245);
  /* date only: midnight in Vietnam */
  assert_int_equal(parse_ok("2024-06-12"), 1718150400 - 7 * 3600);
  /* the length is honoured: bytes after len are not looked at */
  const char *s = "2024-06-12T05:45:00Zgarbage";
  int64_t t;
  assert_int_equal(tt_parse_date(s, 20, &t), 0);
  assert_int_equal(t, T_2024_06_12_1245);
}

static void test_iso_leap_and_ranges(void **state)
{
  (void)state;
  assert_int_equal(parse_ok("2024-02-29T00:00:00Z"), 1709164800);
  assert_int_equal(parse_ok("2000-02-29T00:00:00Z"), 951782400);             /* 400-year rule */
  parse_bad("2023-02-29");
  parse_bad("1900-02-29");                                                    /* 100-year rule */
  parse_bad("2100-02-29");
  parse_bad("2024-04-31");
  parse_bad("2024-13-01");
  parse_bad("2024-00-10");
  parse_bad("2024-01-00");
  parse_bad("2024-01-32");
  /* years: 1900..2200 only, four digits */
  assert_int_equal(parse_ok("1900-01-01T00:00:00Z"), -2208988800LL);
  assert_int_equal(parse_ok("2200-12-31T23:59:59Z"), 7289654399LL);
  parse_bad("1899-12-31T23:59:59Z");
  parse_bad("2201-01-01");
  parse_bad("99999-01-01");
  parse_bad("+2024-01-01");
  parse_bad("0000-01-01");
  /* times and zones */
  parse_bad("2024-06-12T24:00:00");
  parse_bad("2024-06-12T23:60:00");
  parse_bad("2024-06-12T23:59:61");
  assert_int_equal(parse_ok("2016-12-31T23:59:60Z"), parse_ok("2016-12-31T23:59:59Z"));   /* leap second */
  assert_int_equal(parse_ok("2024-06-12T12:45:00+14:00"), T_2024_06_12_1245 + 7 * 3600 - 14 * 3600);
  parse_bad("2024-06-12T12:45:00+15:00");
  parse_bad("2024-06-12T12:45:00+07:60");
  parse_bad("2024-06-12T12:45:00+7");
  parse_bad("2024-06-12T12:45:00+07:0");
}

static void test_iso_junk(void **state)
{
  (void)state;
  parse_bad("");
  parse_bad("   ");
  parse_bad("2024");
  parse_bad("2024-06");
  parse_bad("2024-6-12");
  parse_bad("2024/06/12");
  parse_bad("12/06/2024");
  parse_bad("2024-06-12T");
  parse_bad("2024-06-12X12:45");
  parse_bad("2024-06-12T12");
  parse_bad("2024-06-12T12:4");
  parse_bad("2024-06-12T12:45:00.");
  parse_bad("2024-06-12T12:45:00.+07:00");
  parse_bad("2024-06-12T12:45:00+07:00 trailing");
  parse_bad("2024-06-12T12:45:00ZZ");
  parse_bad("2024-06-120");
  parse_bad("２０２４-06-12");
  int64_t t;
  assert_int_equal(tt_parse_date(NULL, 0, &t), TT_EINVAL);
  assert_int_equal(tt_parse_date("2024-06-12\0T00", 14, &t), TT_EINVAL);
}

static void test_format(void **state)
{
  (void)state;
  char buf[64];
  tt_format_date(T_2024_06_12_1245, buf, sizeof buf);
  assert_string_equal(buf, "2024-06-12T12:45:00+07:00");
  tt_format_date(0, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01T07:00:00+07:00");
  tt_format_date(-1, buf, sizeof buf);
  assert_string_equal(buf, "1970-01-01T06:59:59+07:00");
  tt_format_date(-2208988800LL, buf, sizeof buf);
  assert_string_equal(buf, "1900-01-01T07:00:00+07:00");
  tt_format_date(1709164800 - 7 * 3600, buf, sizeof buf);
  assert_string_equal(buf, "2024-02-29T00:00:00+07:00");
  tt_format_date(1709164800 + 17 * 3600 - 1, buf, sizeof buf);
  assert_string_equal(buf, "2024-02-29T23:59:59+07:00");
  strcpy(buf, "x");
  tt_format_date(TT_DATE_UNKNOWN, buf, sizeof buf);
  assert_string_equal(buf, "");
  /* extremes do not overflow or crash; a small buffer truncates */
  tt_format_date(INT64_MAX, buf, sizeof buf);
  assert_true(strlen(buf) > 20);
  tt_format_date(INT64_MIN + 1, buf, sizeof buf);
  assert_true(strlen(buf) > 20);
  char small[8];
  tt_format_date(T_2024_06_12_1245, small, sizeof small);
  assert_string_equal(small, "2024-06");
  tt_format_date(T_2024_06_12_1245, small, 0);   /* no room: nothing written, no crash */
}

static void test_round_trip(void **state)
{
  (void)state;
  int64_t lo = parse_ok("1900-01-01T00:00:00Z"), hi = parse_ok("2200-12-31T23:59:59Z");
  char buf[40];
  int n = 0;
  for (int64_t t = lo; t <= hi; t += 86400 * 7 + 3607) {    /* walks through every weekday and hour */
    tt_format_date(t, buf, sizeof buf);
    int64_t back;
    assert_int_equal(tt_parse_date(buf, strlen(buf), &back), 0);
    if (back != t) fail_msg("%lld -> %s -> %lld", (long long)t, buf, (long long)back);
    n++;
  }
  assert_true(n > 15000);
}

static void test_civil(void **state)
{
  (void)state;
  assert_int_equal(tt_articles__days_from_civil(1970, 1, 1), 0);
  assert_int_equal(tt_articles__days_from_civil(2000, 3, 1), 11017);
  assert_int_equal(tt_articles__days_from_civil(1969, 12, 31), -1);
  assert_int_equal(tt_articles__days_from_civil(1600, 1, 1), -135140);
  /* inverse over 700 years, day by day */
  int64_t first = tt_articles__days_from_civil(1700, 1, 1), last = tt_articles__days_from_civil(2400, 12, 31);
  int64_t py = 1699;
  int pm = 12, pd = 31;
  for (int64_t z = first; z <= last; z++) {
    int64_t y;
    int m, d;
    tt_articles__civil_from_days(z, &y, &m, &d);
    assert_int_equal(tt_articles__days_from_civil(y, m, d), z);
    /* consecutive: the next day of (py, pm, pd) */
    if (d == 1) {
      assert_true(pd == tt_articles__days_in_month(py, pm));
      assert_true(m == pm % 12 + 1);
    } else {
      assert_int_equal(d, pd + 1);
      assert_int_equal(m, pm);
    }
    py = y;
    pm = m;
    pd = d;
  }
  assert_int_equal(tt_articles__days_in_month(2024, 2), 29);
  assert_int_equal(tt_articles__days_in_month(2023, 2), 28);
  assert_int_equal(tt_articles__days_in_month(2024, 13), 0);
}

static void display_ok(const char *s, const char *iso, size_t used)
{
  int64_t t = 0;
  size_t n = tt_articles__parse_display_date(s, strlen(s), &t);
  if (!n) fail_msg("display date \"%s\" not recognized", s);
  char buf[40];
  tt_format_date(t, buf, sizeof buf);
  if (strcmp(buf, iso)) fail_msg("\"%s\" -> %s, expected %s", s, buf, iso);
  if (n != used) fail_msg("\"%s\": %zu bytes used, expected %zu", s, n, used);
}

static void display_bad(const char *s)
{
  int64_t t;
  size_t n = tt_articles__parse_display_date(s, strlen(s), &t);
  if (n) fail_msg("\"%s\" taken as a date (%zu bytes)", s, n);
}

static void test_display_dates(void **state)
{
  (void)state;
  display_ok("12/06/2024 | 12:45 PM", "2024-06-12T12:45:00+07:00", 21);
  display_ok("17/03/2025 | 08:34 AM", "2025-03-17T08:34:00+07:00", 21);
  display_ok("12/06/2024 | 12:05 AM", "2024-06-12T00:05:00+07:00", 21);
  display_ok("16/03/2026 | 11:20 AM  ", "2026-03-16T11:20:00+07:00", 21);
  display_ok("12/06/2024 12:45pm", "2024-06-12T12:45:00+07:00", 18);
  display_ok("12/06/2024 08:45 CH", "2024-06-12T20:45:00+07:00", 19);
  const char *glued = "Thứ Bẩy, ngày 14/03/2026 11:25Sáng 14/3/2026, tại tỉnh Bắc Ninh";
  display_ok(glued, "2026-03-14T11:25:00+07:00", strlen("Thứ Bẩy, ngày 14/03/2026 11:25"));
  display_ok("Chủ Nhật, ngày 01/12/2024 04:03", "2024-12-01T04:03:00+07:00", strlen("Chủ Nhật, ngày 01/12/2024 04:03"));
  display_ok("Thứ Sáu, ngày 13/03/2026 23:11", "2026-03-13T23:11:00+07:00", strlen("Thứ Sáu, ngày 13/03/2026 23:11"));
  display_ok("ngày 12/3/2026", "2026-03-12T00:00:00+07:00", strlen("ngày 12/3/2026"));
  display_ok("24/7/2024", "2024-07-24T00:00:00+07:00", 9);
  display_ok("24/7/2024, Hà Nội", "2024-07-24T00:00:00+07:00", 9);
  display_ok("29/02/2024 | 10:00:30 AM", "2024-02-29T10:00:30+07:00", 24);
  /* a bad time keeps the date */
  display_ok("12/06/2024 | 13:45 PM", "2024-06-12T00:00:00+07:00", 10);
  display_ok("12/06/2024 | 25:00", "2024-06-12T00:00:00+07:00", 10);
  /* AM/PM must be a word of its own */
  display_ok("12/06/2024 11:25AMx", "2024-06-12T11:25:00+07:00", 16);
  /* the forms the crawler's extractor meets in page bylines */
  display_ok("08:34 17/03/2025", "2025-03-17T08:34:00+07:00", 16);
  display_ok("08:34, ngày 17/03/2025 (GMT+7)", "2025-03-17T08:34:00+07:00", strlen("08:34, ngày 17/03/2025"));
  display_ok("2024-06-12 12:45", "2024-06-12T12:45:00+07:00", 16);
  display_ok("2024-06-12T07:05:09 tin", "2024-06-12T07:05:09+07:00", 19);
  display_ok("2024-06-12 hôm nay", "2024-06-12T00:00:00+07:00", 10);
  display_ok("12-06-2024 - 12:45 CH", "2024-06-12T12:45:00+07:00", 21);
  display_ok("12.06.2024", "2024-06-12T00:00:00+07:00", 10);
  display_ok("\n  Chủ Nhật, 01/12/2024 - 04:03", "2024-12-01T04:03:00+07:00", strlen("\n  Chủ Nhật, 01/12/2024 - 04:03"));
  display_bad("12/06-2024");
  display_bad("08:34 hôm nay");
  display_bad("99:99 12/06/2024");
  display_bad("2024-02-30 10:00");
  display_bad("24/7");
  display_bad("BBK - Chiều 24/7, Đoàn công tác");
  display_bad("31/02/2024");
  display_bad("12/13/2024");
  display_bad("12/06/24");
  display_bad("12/06/20245");
  display_bad("123/06/2024");
  display_bad("12/06/1800");
  display_bad("Thứ trưởng Bộ Y tế 12/06/2024");
  display_bad("");
  display_bad("Thứ Bẩy");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_iso_forms),
    cmocka_unit_test(test_iso_leap_and_ranges),
    cmocka_unit_test(test_iso_junk),
    cmocka_unit_test(test_format),
    cmocka_unit_test(test_round_trip),
    cmocka_unit_test(test_civil),
    cmocka_unit_test(test_display_dates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
