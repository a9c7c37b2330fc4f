/* Dates: ISO 8601 parsing and formatting (include/timtin/article.h), with our own civil-date
 * arithmetic (days from 1970-01-01 in the proleptic Gregorian calendar), independent of TZ. */
#include "timtin/article.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"

#define VN_OFFSET (7 * 3600)

/* Days since 1970-01-01 of y-m-d (m 1..12). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  unsigned yoe = (unsigned)(y - era * 400);
  unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  unsigned doe = (unsigned)(z - era * 146097);
  unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int tt_days_in_month(int64_t y, unsigned m);
int tt_days_in_month(int64_t y, unsigned m)
{
  static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : dm[m - 1];
}

int64_t tt_civil_to_time(int y, int m, int d, int hh, int mm, int ss, int offset_s);
int64_t tt_civil_to_time(int y, int m, int d, int hh, int mm, int ss, int offset_s)
{
  return days_from_civil(y, (unsigned)m, (unsigned)d) * 86400 + hh * 3600 + mm * 60 + ss - offset_s;
}

static int digits(const char *s, size_t len, size_t at, size_t n, int *out)
{
  if (at + n > len) return 0;
  int v = 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[at + i];
    if (c < '0' || c > '9') return 0;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return 1;
}

int tt_parse_date(const char *s, size_t len, int64_t *out)
{
  while (len && (s[len - 1] == ' ' || s[len - 1] == '\t')) len--;
  while (len && (*s == ' ' || *s == '\t')) { s++; len--; }
  int y, m, d, hh = 0, mi = 0, ss = 0, off = VN_OFFSET;
  if (!digits(s, len, 0, 4, &y) || len < 10 || s[4] != '-' || !digits(s, len, 5, 2, &m) || s[7] != '-' ||
      !digits(s, len, 8, 2, &d))
    return tt_error_set(TT_EINVAL, "not an ISO 8601 date: %.*s", (int)(len > 40 ? 40 : len), s);
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1 || d > tt_days_in_month(y, (unsigned)m))
    return tt_error_set(TT_EINVAL, "date out of range: %.*s", (int)(len > 40 ? 40 : len), s);
  size_t i = 10;
  if (i < len) {
    if (s[i] != 'T' && s[i] != ' ') goto bad;
    i++;
    if (!digits(s, len, i, 2, &hh) || i + 2 >= len + 0 || s[i + 2] != ':' || !digits(s, len, i + 3, 2, &mi)) goto bad;
    i += 5;
    if (i < len && s[i] == ':') {
      if (!digits(s, len, i + 1, 2, &ss)) goto bad;
      i += 3;
      if (i < len && (s[i] == '.' || s[i] == ',')) {  /* fraction: ignored */
        i++;
        size_t f = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') i++;
        if (i == f) goto bad;
      }
    }
    if (hh > 23 || mi > 59 || ss > 60) goto bad;
    if (i < len) {
      if (s[i] == 'Z' && i + 1 == len) off = 0;
      else if ((s[i] == '+' || s[i] == '-') ) {
        int oh, om = 0;
        if (!digits(s, len, i + 1, 2, &oh)) goto bad;
        size_t j = i + 3;
        if (j < len && s[j] == ':') j++;
        if (j < len) { if (!digits(s, len, j, 2, &om)) goto bad; j += 2; }
        if (j != len || oh > 14 || om > 59) goto bad;
        off = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
      } else goto bad;
    }
  }
  *out = tt_civil_to_time(y, m, d, hh, mi, ss, off);
  return 0;
bad:
  return tt_error_set(TT_EINVAL, "not an ISO 8601 date-time: %.*s", (int)(len > 40 ? 40 : len), s);
}

void tt_format_date(int64_t t, char *out, size_t cap)
{
  if (t == TT_DATE_UNKNOWN) { snprintf(out, cap, "unknown"); return; }
  int64_t lt = t + VN_OFFSET;
  int64_t days = lt >= 0 ? lt / 86400 : -((-lt + 86399) / 86400);
  int64_t sec = lt - days * 86400;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%04lld-%02u-%02uT%02d:%02d:%02d+07:00", (long long)y, m, d, (int)(sec / 3600),
           (int)(sec / 60 % 60), (int)(sec % 60));
}
