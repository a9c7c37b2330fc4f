/* Display dates of Vietnamese news pages (crawler/vndate.h). A small cursor parser; the civil
 * day count is the usual era computation (days from 1970-01-01, proleptic Gregorian). */
#include "crawler/vndate.h"

#include <string.h>

static int64_t days_from_civil(int64_t y, int m, int d)
{
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void tt_vndate__civil(int64_t t, int *y, int *mo, int *d)
{
  int64_t z = (t + TT_VN_UTC_OFFSET) / 86400 - (((t + TT_VN_UTC_OFFSET) % 86400) < 0) + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *mo = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*mo <= 2));
}

int tt_vndate__make(int y, int mo, int d, int hh, int mi, int64_t *out)
{
  static const int dm[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (y < 1990 || y > 2100 || mo < 1 || mo > 12 || d < 1 || d > dm[mo - 1]) return -1;
  if (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return -1;
  if (hh < 0 || hh > 23 || mi < 0 || mi > 59) return -1;
  *out = days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 - TT_VN_UTC_OFFSET;
  return 0;
}

typedef struct cur { const char *s; size_t n, i; } cur;

static int digit(const cur *c) { return c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9'; }

/* 1..max digits. */
static int num(cur *c, int max, int *v)
{
  int k = 0;
  *v = 0;
  while (k < max && digit(c)) { *v = *v * 10 + (c->s[c->i++] - '0'); k++; }
  if (digit(c)) return 0;    /* too many digits */
  return k;
}

static int lit(cur *c, const char *w)
{
  size_t l = strlen(w);
  if (c->n - c->i < l || memcmp(c->s + c->i, w, l)) return 0;
  c->i += l;
  return 1;
}

static void blanks(cur *c)
{
  while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n')) c->i++;
}

/* H:MM [AM|PM|SA|CH]; returns 1 and sets hh/mi. */
static int clock(cur *c, int *hh, int *mi)
{
  cur s = *c;
  if (!num(&s, 2, hh) || !lit(&s, ":") || num(&s, 2, mi) != 2) return 0;
  if (lit(&s, ":")) { int ss; if (num(&s, 2, &ss) != 2) return 0; }
  cur t = s;
  blanks(&t);
  int half = 0;
  if (t.n - t.i >= 2) {
    char a = (char)(t.s[t.i] & ~32), b = (char)(t.s[t.i + 1] & ~32);
    int after = t.i + 2 < t.n ? (unsigned char)t.s[t.i + 2] : ' ';
    int word = (after | 32) >= 'a' && (after | 32) <= 'z';
    if (!word && ((a == 'A' && b == 'M') || (a == 'S' && b == 'A'))) half = 1;
    if (!word && ((a == 'P' && b == 'M') || (a == 'C' && b == 'H'))) half = 2;
  }
  if (half) {
    if (*hh < 1 || *hh > 12) return 0;
    if (*hh == 12) *hh = 0;
    if (half == 2) *hh += 12;
    s = t;
    s.i += 2;
  }
  if (*hh > 23 || *mi > 59) return 0;
  *c = s;
  return 1;
}

/* d/m/yyyy (or d-m-yyyy, d.m.yyyy) */
static int dmy(cur *c, int *d, int *mo, int *y)
{
  cur s = *c;
  if (!num(&s, 2, d)) return 0;
  char sep = s.i < s.n ? s.s[s.i] : 0;
  if (sep != '/' && sep != '-' && sep != '.') return 0;
  s.i++;
  if (!num(&s, 2, mo) || s.i >= s.n || s.s[s.i] != sep) return 0;
  s.i++;
  if (num(&s, 4, y) != 4) return 0;
  *c = s;
  return 1;
}

size_t tt_vndate__display(const char *str, size_t n, int64_t *out)
{
  cur c = {str, n, 0};
  blanks(&c);
  int hh = 0, mi = 0, d, mo, y;
  /* ISO-like "2024-06-12 12:45" */
  {
    cur s = c;
    if (num(&s, 4, &y) == 4 && lit(&s, "-") && num(&s, 2, &mo) && lit(&s, "-") && num(&s, 2, &d)) {
      size_t end = s.i;
      cur t = s;
      if ((lit(&t, " ") || lit(&t, "T")) && clock(&t, &hh, &mi)) end = t.i; else hh = mi = 0;
      if (tt_vndate__make(y, mo, d, hh, mi, out) == 0) return end;
      return 0;
    }
  }
  /* time first: "08:34 17/03/2025", "08:34, ngày 17/03/2025" */
  {
    cur s = c;
    if (clock(&s, &hh, &mi)) {
      blanks(&s);
      while (s.i < s.n && (s.s[s.i] == ',' || s.s[s.i] == '-' || s.s[s.i] == '|')) { s.i++; blanks(&s); }
      if (lit(&s, "ngày ") || lit(&s, "Ngày ")) blanks(&s);
      if (dmy(&s, &d, &mo, &y) && tt_vndate__make(y, mo, d, hh, mi, out) == 0) return s.i;
      return 0;
    }
  }
  /* weekday: "Thứ Hai, " ... "Thứ Bẩy, ", "Chủ Nhật, " (a comma within 20 bytes) */
  if (lit(&c, "Thứ ") || lit(&c, "thứ ") || lit(&c, "THỨ ") || lit(&c, "Chủ ") || lit(&c, "chủ ") || lit(&c, "CHỦ ")) {
    size_t j = c.i, lim = c.i + 20 < c.n ? c.i + 20 : c.n;
    while (j < lim && str[j] != ',') j++;
    if (j == lim) return 0;
    c.i = j + 1;
    blanks(&c);
  }
  if (lit(&c, "ngày ") || lit(&c, "Ngày ") || lit(&c, "NGÀY ")) blanks(&c);
  if (!dmy(&c, &d, &mo, &y)) return 0;
  size_t end = c.i;
  cur s = c;
  blanks(&s);
  if (s.i < s.n && (s.s[s.i] == '|' || s.s[s.i] == '-' || s.s[s.i] == ',')) { s.i++; blanks(&s); }
  hh = mi = 0;
  if (clock(&s, &hh, &mi)) end = s.i; else hh = mi = 0;
  if (tt_vndate__make(y, mo, d, hh, mi, out)) return 0;
  return end;
}
