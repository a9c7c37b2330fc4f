/* Fuzz target: arbitrary bytes as a query (tests/fuzz, docs/testing.md). A small real index is
 * built once in a temporary folder; every input is parsed and run with options taken from its
 * first byte (sort, strict, facets, offset, exhaustive), its hits are fetched and given
 * snippets, and every match is streamed. It must never crash, leak or read out of bounds; a
 * syntax error is a fine answer, and so is any other error code with a message. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

static char dir[64];
static tt_reader *reader;

static void cleanup(void)
{
  tt_reader_close(reader);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
  if (system(cmd)) {}
}

static void build(void)
{
  snprintf(dir, sizeof dir, "/tmp/tt_fuzzquery_%d", (int)getpid());
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.threads = 1;
  o.memory_budget = (size_t)64 << 10;   /* several segments */
  o.merge = 0;
  tt_writer *w;
  if (tt_writer_open(&w, dir, &o)) abort();
  static const char *words[] = {"bệnh", "viện", "Bạch", "Mai", "y", "tế", "hoà", "thuý", "1816", "72-NQ/TW",
                                "đề", "án", "khoẻ", "B\xC3\xAA\xCC\xA3nh", "sức", "khỏe", "Trần", "Văn", "Thuấn",
                                "covid-19", "tiêm", "vắc", "xin", "trẻ", "em"};
  static const char *sources[] = {"VnExpress", "Sức khỏe & Đời sống", "Tuổi Trẻ"};
  char body[8192], title[256], url[96];
  for (int d = 0; d < 240; d++) {
    size_t n = 0, t = 0;
    for (int k = 0; k < 120; k++)
      n += (size_t)snprintf(body + n, sizeof body - n, "%s%s", words[(d * 7 + k * k + k / 5) % 25], k % 11 == 10 ? ". " : " ");
    for (int k = 0; k < 6; k++) t += (size_t)snprintf(title + t, sizeof title - t, "%s ", words[(d + k * 3) % 25]);
    snprintf(url, sizeof url, "https://www.site%d.vn/suc-khoe/bai-%d.html", d % 3, d);
    tt_article a = {url, strlen(url), title, t, sources[d % 3], strlen(sources[d % 3]), body, n, "", 0,
                    d % 17 == 0 ? INT64_MIN : 1546300800 + (int64_t)d * 86400 * 9};
    if (tt_writer_add(w, &a)) abort();
    if (d == 100 && tt_writer_commit(w)) abort();
  }
  if (tt_writer_commit(w)) abort();
  if (tt_writer_delete(w, "https://www.site1.vn/suc-khoe/bai-7.html", strlen("https://www.site1.vn/suc-khoe/bai-7.html"))) abort();
  if (tt_writer_commit(w)) abort();
  tt_writer_close(w);
  if (tt_reader_open(&reader, dir, 0)) abort();
  atexit(cleanup);
}

static int count_cb(void *ctx, const tt_hit *h)
{
  (void)h;
  ++*(uint64_t *)ctx;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!reader) build();
  if (size == 0) return 0;
  uint8_t flags = data[0];
  const char *q = (const char *)data + 1;
  size_t len = size - 1;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  o.sort_date = flags & 1;
  o.exact = (flags >> 1) & 1;
  o.facets = (flags >> 2) & 1;
  o.offset = (flags >> 3) & 3;
  o.exhaustive = (flags >> 5) & 1;
  o.limit = (flags >> 6) ? 5 : 0;
  tt_results res;
  int rc = tt_search(reader, q, len, &o, &res);
  if (rc == 0) {
    for (size_t i = 0; i < res.n; i++) {
      tt_doc d;
      if (tt_hit_fetch(reader, res.hits[i].doc, 1, &d)) abort();
      tt_snippet sn;
      if (tt_snippet_make(d.body, d.body_len, res.terms, res.nterms, 120, &sn) == 0) {
        for (size_t k = 0; k < sn.nranges; k++)
          if (sn.ranges[k][0] >= sn.ranges[k][1] || sn.ranges[k][1] > sn.len) abort();
        tt_snippet_fini(&sn);
      }
    }
    uint64_t n = 0, total = 0;
    if ((flags & 0x80) && tt_search_each(reader, q, len, &o, (flags >> 4) & 1, count_cb, &n, &total) == 0 &&
        (n != res.total || total != res.total))
      abort();   /* streaming and counting must agree */
    tt_results_fini(&res);
  } else if (tt_error_last()[0] == 0) {
    abort();     /* every error comes with a message */
  }
  return 0;
}
