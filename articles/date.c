/* Dates for articles: ISO 8601 parsing and formatting (tt_parse_date, tt_format_date in
 * include/timtin/article.h) and the display forms of Vietnamese news pages
 * (tt_articles__parse_display_date, used by the .txt reader).
 *
 * All arithmetic is our own days-from-civil computation on the proleptic Gregorian calendar, so
 * nothing depends on the TZ variable, timegm() or the C library's time tables. Vietnam keeps
 * UTC+7 all year, which is why a fixed offset is enough for "Vietnam time". */
#include "articles/date.h"

#include <stdio.h>
#include <string.h>

#include "common/error.h"
#include "timtin/article.h"

/* ------------------------------------------------------------------ civil arithmetic */

/* The computation shifts the year to start in March, so the leap day is the last day of the
 * shifted year, and counts 400-year eras of 146097 days each. */
int64_t tt_articles__days_from_civil(int64_t y, int m, int d)
{
  if (m <= 2) y -= 1;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;                                   /* 0..399 */
  int64_t mp = m > 2 ? m - 3 : m + 9;                            /* March = 0 */
  int64_t doy = (153 * mp + 2) / 5 + (d - 1);                    /* 0..365 */
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;           /* 0..146096 */
  return era * 146097 + doe - 719468;                            /* 719468: 0000-03-01 .. 1970-01-01 */
}

void tt_articles__civil_from_days(int64_t days, int64_t *y, int *m, int *d)
{
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int tt_articles__days_in_month(int64_t y, int m)
{
  static const unsigned char dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12) return 0;
  return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

int tt_articles__make_time(int y, int mo, int d, int hh, int mi, int ss, int offset_s, int64_t *out)
{
  if (y < TT_DATE_MIN_YEAR || y > TT_DATE_MAX_YEAR) return TT_EINVAL;
  if (mo < 1 || mo > 12 || d < 1 || d > tt_articles__days_in_month(y, mo)) return TT_EINVAL;
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59 || ss < 0 || ss > 60) return TT_EINVAL;
  if (ss == 60) ss = 59;
  *out = tt_articles__days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss - offset_s;
  return 0;
}

/* ------------------------------------------------------------------ ISO 8601 */

typedef struct cursor {
  const char *s;
  size_t n, i;
} cursor;

static int at_end(const cursor *c) { return c->i >= c->n; }
static int peek(const cursor *c) { return c->i < c->n ? (unsigned char)c->s[c->i] : -1; }
static int accept(cursor *c, char ch)
{
  if (peek(c) != (unsigned char)ch) return 0;
  c->i++;
  return 1;
}

/* Exactly k digits (k <= 9). */
static int fixed_digits(cursor *c, int k, int *out)
{
  if (c->n - c->i < (size_t)k) return 0;
  int v = 0;
  for (int j = 0; j < k; j++) {
    char ch = c->s[c->i + (size_t)j];
    if (ch < '0' || ch > '9') return 0;
    v = v * 10 + (ch - '0');
  }
  c->i += (size_t)k;
  *out = v;
  return 1;
}

static int is_digit_at(const cursor *c) { int ch = peek(c); return ch >= '0' && ch <= '9'; }

int tt_parse_date(const char *s, size_t len, int64_t *out)
{
  if (!s) return tt_error_set(TT_EINVAL, "no date");
  cursor c = {s, len, 0};
  while (c.n && (s[c.n - 1] == ' ' || s[c.n - 1] == '\t' || s[c.n - 1] == '\r' || s[c.n - 1] == '\n')) c.n--;
  while (c.i < c.n && (s[c.i] == ' ' || s[c.i] == '\t')) c.i++;
  int show = (int)(c.n - c.i > 48 ? 48 : c.n - c.i);
  const char *shown = s + c.i;

  int y, mo, d, hh = 0, mi = 0, ss = 0, off = TT_VN_OFFSET;
  /* A fifth year digit would be an extended year ("+12024" or "99999-..."): refused. */
  if (!fixed_digits(&c, 4, &y) || is_digit_at(&c) || !accept(&c, '-') || !fixed_digits(&c, 2, &mo) ||
      !accept(&c, '-') || !fixed_digits(&c, 2, &d) || is_digit_at(&c))
    goto bad;
  if (!at_end(&c)) {
    if (!(accept(&c, 'T') || accept(&c, 't') || accept(&c, ' '))) goto bad;
    if (!fixed_digits(&c, 2, &hh) || !accept(&c, ':') || !fixed_digits(&c, 2, &mi)) goto bad;
    if (accept(&c, ':')) {
      if (!fixed_digits(&c, 2, &ss)) goto bad;
      if (accept(&c, '.') || accept(&c, ',')) {       /* fraction of a second: dropped */
        if (!is_digit_at(&c)) goto bad;
        while (is_digit_at(&c)) c.i++;
      }
    }
    if (!at_end(&c)) {
      if (accept(&c, 'Z') || accept(&c, 'z')) {
        off = 0;
      } else if (peek(&c) == '+' || peek(&c) == '-') {
        int sign = peek(&c) == '-' ? -1 : 1, oh, om = 0;
        c.i++;
        if (!fixed_digits(&c, 2, &oh)) goto bad;
        if (accept(&c, ':')) {
          if (!fixed_digits(&c, 2, &om)) goto bad;
        } else if (!at_end(&c) && !fixed_digits(&c, 2, &om)) {
          goto bad;
        }
        if (oh > 14 || om > 59) goto bad;
        off = sign * (oh * 3600 + om * 60);
      } else {
        goto bad;
      }
      if (!at_end(&c)) goto bad;
    }
  }
  if (tt_articles__make_time(y, mo, d, hh, mi, ss, off, out))
    return tt_error_set(TT_EINVAL, "date out of range: \"%.*s\"", show, shown);
  return 0;
bad:
  return tt_error_set(TT_EINVAL, "not an ISO 8601 date: \"%.*s\"", show, shown);
}

void tt_format_date(int64_t t, char *out, size_t cap)
{
  if (!out || !cap) return;
  if (t == TT_DATE_UNKNOWN) { out[0] = 0; return; }
  /* Floor division first, then the offset on the remainder: no overflow for any int64. */
  int64_t days = t / 86400, sec = t % 86400;
  if (sec < 0) { sec += 86400; days--; }
  sec += TT_VN_OFFSET;
  if (sec >= 86400) { sec -= 86400; days++; }
  int64_t y;
  int m, d;
  tt_articles__civil_from_days(days, &y, &m, &d);
  snprintf(out, cap, "%04lld-%02d-%02dT%02d:%02d:%02d+07:00", (long long)y, m, d, (int)(sec / 3600),
           (int)(sec / 60 % 60), (int)(sec % 60));
}

/* ------------------------------------------------------------------ display dates */

/* 1..max digits; returns the count read (0 = none). */
static int some_digits(cursor *c, int max, int *out)
{
  int k = 0, v = 0;
  while (k < max && is_digit_at(c)) { v = v * 10 + (c->s[c->i] - '0'); c->i++; k++; }
  if (k && is_digit_at(c)) return 0;              /* too many digits: not this field */
  *out = v;
  return k;
}

static int starts_with(const cursor *c, const char *w)
{
  size_t k = strlen(w);
  return c->n - c->i >= k && !memcmp(c->s + c->i, w, k);
}

static void skip_blanks(cursor *c)
{
  while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' || c->s[c->i] == '\r')) c->i++;
}

static int ascii_upper(int ch) { return ch >= 'a' && ch <= 'z' ? ch - 32 : ch; }

/* A letter continues the word (ASCII letter or any byte of a multi-byte UTF-8 sequence). */
static int word_byte(int ch) { return ch >= 0x80 || (ascii_upper(ch) >= 'A' && ascii_upper(ch) <= 'Z'); }

/* H:MM[:SS] [AM|PM|SA|CH] at the cursor; on success moves past it (and the AM/PM word) and
 * returns 1 with hh/mi/ss set (24-hour). A clock that is out of range is not taken. */
static int clock_time(cursor *c, int *hh, int *mi, int *ss)
{
  cursor s = *c;
  *ss = 0;
  if (!some_digits(&s, 2, hh) || !accept(&s, ':') || !fixed_digits(&s, 2, mi) || is_digit_at(&s)) return 0;
  if (accept(&s, ':') && (!fixed_digits(&s, 2, ss) || is_digit_at(&s))) return 0;
  cursor t = s;
  skip_blanks(&t);
  int half = 0;                                  /* 1 = AM, 2 = PM */
  if (t.n - t.i >= 2) {
    int a = ascii_upper((unsigned char)t.s[t.i]), b = ascii_upper((unsigned char)t.s[t.i + 1]);
    int after = t.i + 2 < t.n ? (unsigned char)t.s[t.i + 2] : ' ';
    if (!word_byte(after)) {
      if ((a == 'A' && b == 'M') || (a == 'S' && b == 'A')) half = 1;
      else if ((a == 'P' && b == 'M') || (a == 'C' && b == 'H')) half = 2;
    }
  }
  if (half) {
    if (*hh < 1 || *hh > 12) return 0;
    if (*hh == 12) *hh = 0;
    if (half == 2) *hh += 12;
    s = t;
    s.i += 2;
  }
  if (*hh > 23 || *mi > 59 || *ss > 60) return 0;
  *c = s;
  return 1;
}

/* d/m/yyyy, d-m-yyyy or d.m.yyyy (one separator throughout). */
static int day_month_year(cursor *c, int *d, int *mo, int *y)
{
  cursor s = *c;
  if (!some_digits(&s, 2, d)) return 0;
  int sep = peek(&s);
  if (sep != '/' && sep != '-' && sep != '.') return 0;
  s.i++;
  if (!some_digits(&s, 2, mo) || !accept(&s, (char)sep) || !fixed_digits(&s, 4, y) || is_digit_at(&s)) return 0;
  *c = s;
  return 1;
}

size_t tt_articles__parse_display_date(const char *s, size_t n, int64_t *out)
{
  cursor c = {s, n, 0};
  skip_blanks(&c);
  int d, mo, y, hh = 0, mi = 0, ss = 0;
  int64_t t;
  /* ISO-like "2024-06-12 12:45" (a space or T, an optional clock, no zone: Vietnam time) */
  {
    cursor s2 = c;
    if (fixed_digits(&s2, 4, &y) && !is_digit_at(&s2) && accept(&s2, '-') && some_digits(&s2, 2, &mo) &&
        accept(&s2, '-') && some_digits(&s2, 2, &d)) {
      size_t end = s2.i;
      cursor t2 = s2;
      if ((accept(&t2, ' ') || accept(&t2, 'T')) && clock_time(&t2, &hh, &mi, &ss)) end = t2.i;
      else hh = mi = ss = 0;
      if (tt_articles__make_time(y, mo, d, hh, mi, ss, TT_VN_OFFSET, &t)) return 0;
      *out = t;
      return end;
    }
  }
  /* Clock first: "08:34 17/03/2025", "08:34, ngày 17/03/2025", "08:34 - 17/03/2025" */
  {
    cursor s2 = c;
    if (clock_time(&s2, &hh, &mi, &ss)) {
      skip_blanks(&s2);
      while (accept(&s2, ',') || accept(&s2, '-') || accept(&s2, '|')) skip_blanks(&s2);
      if (starts_with(&s2, "ngày ") || starts_with(&s2, "Ngày ") || starts_with(&s2, "NGÀY ")) {
        s2.i += strlen("ngày ");
        skip_blanks(&s2);
      }
      if (!day_month_year(&s2, &d, &mo, &y) || tt_articles__make_time(y, mo, d, hh, mi, ss, TT_VN_OFFSET, &t)) return 0;
      *out = t;
      return s2.i;
    }
  }
  /* Weekday prefix: "Thứ Hai, " .. "Thứ Bẩy, ", "Chủ Nhật, " (either case of the first letter). */
  if (starts_with(&c, "Thứ ") || starts_with(&c, "thứ ") || starts_with(&c, "Chủ ") || starts_with(&c, "chủ ") ||
      starts_with(&c, "THỨ ") || starts_with(&c, "CHỦ ")) {
    size_t limit = c.i + 24 < c.n ? c.i + 24 : c.n;
    size_t j = c.i;
    while (j < limit && s[j] != ',') j++;
    if (j == limit) return 0;
    c.i = j + 1;
    skip_blanks(&c);
  }
  if (starts_with(&c, "ngày ") || starts_with(&c, "Ngày ") || starts_with(&c, "NGÀY ")) {
    c.i += strlen("ngày ");
    skip_blanks(&c);
  }
  if (!day_month_year(&c, &d, &mo, &y)) return 0;
  if (tt_articles__make_time(y, mo, d, 0, 0, 0, TT_VN_OFFSET, &t)) return 0;
  size_t end = c.i;
  /* Optional clock after separators " | ", " - ", ", " or plain blanks; a bad clock keeps the date. */
  skip_blanks(&c);
  if (accept(&c, '|') || accept(&c, '-') || accept(&c, ',')) skip_blanks(&c);
  int64_t tc;
  if (clock_time(&c, &hh, &mi, &ss) && tt_articles__make_time(y, mo, d, hh, mi, ss, TT_VN_OFFSET, &tc) == 0) {
    t = tc;
    end = c.i;
  }
  *out = t;
  return end;
}
