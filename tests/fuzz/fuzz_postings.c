/* Fuzz target: the postings-list cursor (indexer/postings_codec.h) on arbitrary bytes.
 *
 * The first input byte picks how the list is read (with or without positions, and a mix of
 * next / seek / seek_block / next_block driven by later bytes); the rest is the list, copied
 * into an exact-size heap buffer so that ASan sees any read past its end. Every call must
 * return one of its documented codes, doc ids must strictly increase, positions too.
 * A valid list written by the writer from the fuzz bytes is also round-tripped each run, so the
 * writer/cursor pair is exercised on odd shapes (huge gaps, tf and positions). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "indexer/postings_codec.h"

#define CHECK(x) do { if (!(x)) abort(); } while (0)

static void walk(const uint8_t *list, size_t len, int with_pos, const uint8_t *ops, size_t nops)
{
  tt_plist_cursor c;
  int rc = tt_plist_open(&c, list, len, with_pos);
  if (rc) {
    CHECK(rc == TT_ECORRUPT);
    tt_plist_close(&c);
    return;
  }
  int64_t prev = -1;
  size_t k = 0;
  for (int guard = 0; guard < 1 << 20; guard++) {
    uint8_t op = nops ? ops[k++ % nops] : 0;
    uint32_t arg = (uint32_t)(prev + 1) + (uint32_t)(op >> 2) * (uint32_t)(op >> 2);
    switch (op & 3) {
    case 0: rc = tt_plist_next(&c); break;
    case 1: rc = tt_plist_seek(&c, arg); break;
    case 2:
      rc = tt_plist_seek_block(&c, arg);
      (void)tt_plist_block_max(&c);
      (void)tt_plist_block_last_doc(&c);
      if (!rc) rc = tt_plist_next(&c);
      break;
    default:
      rc = tt_plist_next_block(&c);
      if (!rc) rc = tt_plist_next(&c);
      break;
    }
    if (rc) {
      CHECK(rc == TT_ITEROVER || rc == TT_ECORRUPT);
      break;
    }
    uint32_t d = tt_plist_doc(&c);
    CHECK((int64_t)d > prev);
    prev = d;
    (void)tt_plist_tf_title(&c);
    (void)tt_plist_tf_body(&c);
    CHECK(tt_plist_block_last_doc(&c) >= d);
    if (with_pos) {
      const uint32_t *p;
      uint32_t n;
      rc = tt_plist_positions(&c, &p, &n);
      if (rc) {
        CHECK(rc == TT_ECORRUPT);
        break;
      }
      for (uint32_t i = 1; i < n; i++) CHECK(p[i] > p[i - 1]);
    }
    if (d == UINT32_MAX) break;
  }
  (void)tt_plist_max_impact(&c);
  tt_plist_close(&c);
}

/* Build a valid list from the bytes and check the cursor returns exactly it. */
static void roundtrip(const uint8_t *data, size_t size)
{
  int with_pos = size && (data[0] & 1);
  tt_plist_writer w;
  tt_plist_writer_init(&w, with_pos);
  uint32_t docs[600], tfs[600], npos[600];
  uint32_t pos[64];
  size_t n = 0;
  uint64_t doc = 0;
  for (size_t i = 1; i + 2 < size && n < 600; i += 3) {
    uint32_t g = data[i];
    if (g > 250) g = (uint32_t)g << 24;                       /* occasional huge gap */
    doc += g + (n ? 1 : 0);
    if (doc > UINT32_MAX) break;
    docs[n] = (uint32_t)doc;
    tfs[n] = data[i + 1] & 7;
    npos[n] = with_pos ? (data[i + 2] % 64) : 0;
    for (uint32_t j = 0; j < npos[n]; j++) pos[j] = j * (data[i + 2] + 1u) + data[i + 1];
    CHECK(tt_plist_writer_add(&w, docs[n], tfs[n] & 1, tfs[n], pos, npos[n], data[i]) == 0);
    n++;
  }
  tt_buf out = TT_BUF_INIT;
  tt_plist_info info;
  CHECK(tt_plist_writer_finish(&w, &out, &info) == 0);
  CHECK(info.df == n && info.bytes == out.n);
  tt_plist_cursor c;
  CHECK(tt_plist_open(&c, (const uint8_t *)out.p, out.n, with_pos) == 0);
  for (size_t i = 0; i < n; i++) {
    CHECK(tt_plist_next(&c) == 0);
    CHECK(tt_plist_doc(&c) == docs[i]);
    CHECK(tt_plist_tf_body(&c) == tfs[i] && tt_plist_tf_title(&c) == (tfs[i] & 1));
    if (with_pos) {
      const uint32_t *p;
      uint32_t m;
      CHECK(tt_plist_positions(&c, &p, &m) == 0 && m == npos[i]);
    }
  }
  CHECK(tt_plist_next(&c) == TT_ITEROVER);
  tt_plist_close(&c);
  tt_buf_fini(&out);
  tt_plist_writer_fini(&w);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (size < 1) return 0;
  uint8_t mode = data[0];
  const uint8_t *list = data + 1;
  size_t len = size - 1;
  uint8_t *copy = malloc(len ? len : 1);
  if (!copy) return 0;
  memcpy(copy, list, len);
  /* ops: mode 0..3 plain next; otherwise the list's own bytes steer the moves */
  const uint8_t *ops = (mode & 6) ? list : NULL;
  size_t nops = (mode & 6) ? (len < 64 ? len : 64) : 0;
  walk(copy, len, mode & 1, ops, nops);
  if (mode & 1) walk(copy, len, 0, ops, nops);
  free(copy);
  if ((mode & 0xF0) == 0x10) roundtrip(data, size);
  return 0;
}
