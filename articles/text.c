/* Plain-text articles (.txt): the layout of the seed files in corpus/seeds/, which is what a
 * "copy the page text" export of a news site gives: headline, date line, body.
 * Called by articles/reader.c; tools/seeds2jsonl.py applies the same rules in Python. */
#include "articles/reader.h"

#include <string.h>

#include "articles/date.h"
#include "common/error.h"

#define DATE_LOOKAHEAD 5   /* non-blank lines after the title searched for the date */

typedef struct line {
  const char *p;
  size_t n;
} line;

static int blank_byte(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v'; }

static int is_blank(line l)
{
  for (size_t i = 0; i < l.n; i++)
    if (!blank_byte(l.p[i])) return 0;
  return 1;
}

/* Line at *pos (advanced past its "\n"); a trailing "\r" is dropped. */
static line next_line(const char *data, size_t len, size_t *pos)
{
  line l = {data + *pos, 0};
  const char *nl = memchr(l.p, '\n', len - *pos);
  l.n = nl ? (size_t)(nl - l.p) : len - *pos;
  *pos += l.n + (nl != NULL);
  if (l.n && l.p[l.n - 1] == '\r') l.n--;
  return l;
}

/* Only blanks and '|' left: the line holds nothing but the date. */
static int only_separators(const char *p, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!blank_byte(p[i]) && p[i] != '|') return 0;
  return 1;
}

int tt_articles__parse_txt(const char *data, size_t len, tt_article_doc *doc)
{
  size_t pos = 0;
  if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3)) pos = 3;   /* UTF-8 byte order mark */

  line title = {NULL, 0};
  while (pos < len) {
    line l = next_line(data, len, &pos);
    if (!is_blank(l)) { title = l; break; }
  }
  if (!title.p) return tt_error_set(TT_EINVAL, "no text");
  while (title.n && blank_byte(title.p[0])) { title.p++; title.n--; }
  while (title.n && blank_byte(title.p[title.n - 1])) title.n--;
  if (tt_buf_append(&doc->title, title.p, title.n)) return TT_ENOMEM;

  /* The date: on one of the first non-blank lines after the title. */
  size_t body_start = pos, drop_at = (size_t)-1, drop_end = 0;
  size_t scan = pos;
  for (int seen = 0; scan < len && seen < DATE_LOOKAHEAD;) {
    size_t at = scan;
    line l = next_line(data, len, &scan);
    if (is_blank(l)) continue;
    seen++;
    int64_t t;
    size_t used = tt_articles__parse_display_date(l.p, l.n, &t);
    if (used) {
      doc->published = t;
      if (only_separators(l.p + used, l.n - used)) { drop_at = at; drop_end = scan; }
      break;
    }
  }

  /* The body: the remaining lines, minus the date line, without blank lines at either end. */
  size_t lead = doc->body.n;
  int started = 0;
  size_t keep = lead;          /* body length up to the last non-blank line */
  pos = body_start;
  while (pos < len) {
    size_t at = pos;
    line l = next_line(data, len, &pos);
    if (at == drop_at) { pos = drop_end; continue; }
    if (!started && is_blank(l)) continue;
    if (started && tt_buf_putc(&doc->body, '\n')) return TT_ENOMEM;
    started = 1;
    if (tt_buf_append(&doc->body, l.p, l.n)) return TT_ENOMEM;
    if (!is_blank(l)) keep = doc->body.n;
  }
  if (doc->body.p) {
    doc->body.n = keep;
    doc->body.p[keep] = 0;
  }
  return 0;
}
