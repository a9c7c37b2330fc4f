/* Fuzz target: the article readers and the date parsers.
 *
 * The first input byte picks the name the input is read under (which picks the format: JSONL,
 * JSONL behind a gzip name, .txt, .html, or content sniffing); the rest is read from memory
 * with tt_article_reader_open_mem until the end. Every article must have sane lengths and
 * NUL-terminated strings, offsets must stay within the size, and any date that parses must
 * format and parse back to itself. Seeds: tests/fuzz/seeds/fuzz_articles/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "articles/date.h"
#include "timtin/article.h"
#include "timtin/errors.h"

static void check(int cond)
{
  if (!cond) abort();
}

static void check_field(const char *s, size_t n)
{
  check(s != NULL);
  check(s[n] == 0);
}

static void read_all(const uint8_t *data, size_t size, const char *name)
{
  tt_article_reader *r;
  if (tt_article_reader_open_mem(&r, data, size, name)) return;
  for (int guard = 0; guard < 1000000; guard++) {
    tt_article a;
    int rc = tt_article_reader_next(r, &a);
    if (rc == TT_ITEROVER) break;
    check(tt_article_reader_offset(r) <= size);
    if (rc == TT_EINVAL) {
      check(tt_error_last()[0] != 0);
      continue;
    }
    if (rc) break;
    check_field(a.url, a.url_len);
    check_field(a.title, a.title_len);
    check_field(a.source, a.source_len);
    check_field(a.body, a.body_len);
    check_field(a.id, a.id_len);
    check(a.url_len > 0);
    if (a.published != TT_DATE_UNKNOWN) {
      char buf[40];
      int64_t back;
      tt_format_date(a.published, buf, sizeof buf);
      check(tt_parse_date(buf, strlen(buf), &back) == 0 && back == a.published);
    }
  }
  tt_article_reader_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const names[] = {"in.jsonl", "in.jsonl.gz", "in.txt", "in.html", "in"};
  if (size == 0) return 0;
  const char *name = names[data[0] % 5];
  read_all(data + 1, size - 1, name);

  /* The date parsers on the raw bytes. */
  size_t n = size - 1 < 64 ? size - 1 : 64;
  int64_t t, back;
  if (tt_parse_date((const char *)data + 1, n, &t) == 0) {
    char buf[40];
    tt_format_date(t, buf, sizeof buf);
    check(tt_parse_date(buf, strlen(buf), &back) == 0 && back == t);
  }
  if (tt_articles__parse_display_date((const char *)data + 1, size - 1, &t)) {
    char buf[40];
    tt_format_date(t, buf, sizeof buf);
    check(tt_parse_date(buf, strlen(buf), &back) == 0 && back == t);
  }
  return 0;
}
