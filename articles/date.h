/* Civil-date arithmetic and the date forms found on Vietnamese news pages, shared by the
 * article readers (articles/text.c, articles/html.c). The public side is tt_parse_date and
 * tt_format_date in include/timtin/article.h. */
#ifndef TT_ARTICLES_DATE_H
#define TT_ARTICLES_DATE_H

#include <stddef.h>
#include <stdint.h>

#define TT_DATE_MIN_YEAR 1900
#define TT_DATE_MAX_YEAR 2200
#define TT_VN_OFFSET     (7 * 3600)   /* Vietnam time is UTC+7 all year (no daylight saving) */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (m 1..12, d 1..31).
 * Exact for any y that fits comfortably in int64 (no table, no TZ, no libc). */
int64_t tt_articles__days_from_civil(int64_t y, int m, int d);

/* Inverse of the above. */
void tt_articles__civil_from_days(int64_t days, int64_t *y, int *m, int *d);

int tt_articles__days_in_month(int64_t y, int m);   /* m 1..12 */

/* Validate a wall-clock date-time and turn it into seconds since the epoch, the wall clock
 * being offset_s seconds ahead of UTC. Returns 0, or TT_EINVAL when a field is out of range
 * (year outside TT_DATE_MIN_YEAR..TT_DATE_MAX_YEAR, day past the end of the month, ...).
 * A leap second (ss == 60) is accepted and counted as :59. No message is recorded. */
int tt_articles__make_time(int y, int mo, int d, int hh, int mi, int ss, int offset_s, int64_t *out);

/* Recognize a display date at the start of s, in the forms used by the seed pages:
 *   "12/06/2024 | 12:45 PM"   "17/03/2025 | 08:34 AM"   "16/03/2026 | 11:20 AM"
 *   "Thứ Bẩy, ngày 14/03/2026 11:25"   "Chủ Nhật, ngày 01/12/2024 04:03"
 *   "ngày 12/3/2026"          "24/7/2024"
 * Day first, 24-hour clock unless AM/PM (or SA/CH) follows, Vietnam time; a date without a time
 * is midnight. Returns the bytes matched (the date, and the time when one follows), or 0 when s
 * does not start with such a date or the date is invalid. */
size_t tt_articles__parse_display_date(const char *s, size_t n, int64_t *out);

#endif
