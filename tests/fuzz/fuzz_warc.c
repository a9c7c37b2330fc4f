/* Fuzz target: bytes -> the WARC reader (gzip members, record headers, Content-Length), and the
 * same bytes gzip-wrapped. Records must lie inside the decoded data; errors must carry a
 * message; the reader must end. Seeds: tests/fuzz/seeds/fuzz_warc/. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "timtin/crawl.h"
#include "timtin/errors.h"

static void check(int c) { if (!c) abort(); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  tt_warc_reader *r;
  if (tt_warc_reader_open_mem(&r, data, size, "fuzz.warc.gz")) return 0;
  tt_warc_record rec;
  int rc, n = 0;
  while ((rc = tt_warc_reader_next(r, &rec)) != TT_ITEROVER) {
    check(n++ < 100000);
    if (rc) { check(tt_error_last()[0] != 0); continue; }
    check(rec.type && rec.type_len > 0);
    check(rec.block || rec.block_len == 0);
    size_t l;
    (void)tt_warc_record_header(&rec, "Content-Length", &l);
    if (rec.block_len) check(rec.block[rec.block_len - 1] == rec.block[rec.block_len - 1]);
  }
  tt_warc_reader_close(r);
  return 0;
}
