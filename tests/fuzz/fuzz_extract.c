/* Fuzz target: HTML bytes -> tt_extract_html (charset sniffing and conversion, gumbo, block
 * scoring, dates, link resolution and URL normalization). The first byte picks the declared
 * Content-Type. Every result must be NUL-terminated valid UTF-8, links must be http(s) URLs
 * that normalize to themselves. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/utf8.h"
#include "crawler/url.h"
#include "timtin/crawl.h"

static void check(int c) { if (!c) abort(); }

static void valid_utf8(const char *s)
{
  size_t n = strlen(s), i = 0;
  while (i < n) {
    uint32_t cp;
    i += tt_utf8_decode((const unsigned char *)s + i, n - i, &cp);
    check(cp != TT_UTF8_INVALID);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *const types[] = {NULL, "text/html; charset=utf-8", "text/html; charset=windows-1258",
                                      "text/html; charset=bogus", "text/html;charset=\"iso-8859-1\""};
  if (!size) return 0;
  tt_extract_options o = TT_EXTRACT_OPTIONS_INIT;
  o.content_type = types[data[0] % 5];
  o.want_links = 1;
  o.fetch_time = 1721901600;
  tt_extracted e;
  if (tt_extract_html(&e, "http://fuzz.vn/a/b.html", data + 1, size - 1, &o) == 0) {
    valid_utf8(e.title);
    valid_utf8(e.body);
    valid_utf8(e.source);
    tt_buf b = TT_BUF_INIT;
    for (size_t i = 0; i < e.nlinks; i++) {
      check(!strncmp(e.links[i], "http://", 7) || !strncmp(e.links[i], "https://", 8));
      check(tt_url__normalize(e.links[i], &b) == 0 && !strcmp(b.p, e.links[i]));
    }
    tt_buf_fini(&b);
    tt_extracted_fini(&e);
  }
  return 0;
}
