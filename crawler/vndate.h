/* Dates as Vietnamese news pages print them, for the extractor (crawler/extract.c). All times
 * are Vietnam time (UTC+7, no daylight saving). ISO 8601 goes through tt_parse_date. */
#ifndef TT_CRAWLER_VNDATE_H
#define TT_CRAWLER_VNDATE_H

#include <stddef.h>
#include <stdint.h>

#define TT_VN_UTC_OFFSET (7 * 3600)

/* Seconds since the epoch of a Vietnam wall-clock time. Returns 0, or -1 when a field is out
 * of range (years 1990..2100 only: a news date outside is a misreading). */
int tt_vndate__make(int y, int mo, int d, int hh, int mi, int64_t *out);

/* Civil year/month/day of t shifted to Vietnam time. */
void tt_vndate__civil(int64_t t, int *y, int *mo, int *d);

/* A display date at the start of s:
 *   "12/06/2024 | 12:45 PM"   "Thứ Bẩy, ngày 14/03/2026 11:25"   "Chủ Nhật, 01/12/2024 - 04:03"
 *   "ngày 12/3/2026"   "24/7/2024"   "08:34 17/03/2025"   "2024-06-12 12:45"
 * Returns the bytes matched, or 0. */
size_t tt_vndate__display(const char *s, size_t n, int64_t *out);

#endif
