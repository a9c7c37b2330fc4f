/* Unit tests: indexer/postings_codec on hostile input — every truncation of small lists, random
 * bit flips and byte overwrites, hand-made bad headers. The cursor must never read outside the
 * range (inputs are exact-size heap copies, so ASan would see it), must keep doc ids and
 * positions strictly increasing, and must end in TT_ITEROVER or TT_ECORRUPT. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>

#include "common/error.h"
#include "test_codec_util.h"

/* Walk the whole list with every accessor; returns the final code (TT_ITEROVER if the walk
 * completed, else TT_ECORRUPT). Checks the invariants a caller relies on. */
static int drive(const uint8_t *data, size_t len, int with_pos, int mode, size_t *count)
{
  tt_plist_cursor c;
  int rc = tt_plist_open(&c, data, len, with_pos);
  *count = 0;
  if (rc) {
    assert_int_equal(rc, TT_ECORRUPT);
    assert_non_null(strstr(tt_error_last(), "byte"));
    tt_plist_close(&c);
    return rc;
  }
  (void)tt_plist_tf_title(&c);   /* misuse before the first posting must not crash */
  (void)tt_plist_tf_body(&c);
  int64_t prev = -1;
  uint32_t step = 1;
  for (;;) {
    if (mode == 1 && (*count % 3) == 2) rc = tt_plist_seek(&c, (uint32_t)(prev + step));
    else if (mode == 2 && (*count % 4) == 1) {
      rc = tt_plist_seek_block(&c, (uint32_t)(prev + 1 + step));
      if (!rc) {
        (void)tt_plist_block_max(&c);
        (void)tt_plist_block_last_doc(&c);
        rc = tt_plist_next(&c);
      }
    } else if (mode == 3 && (*count % 5) == 4) {
      rc = tt_plist_next_block(&c);
      if (!rc) rc = tt_plist_next(&c);
    } else {
      rc = tt_plist_next(&c);
    }
    step = step * 3 + 1;
    if (step > 100000) step = 1;
    if (rc) break;
    uint32_t d = tt_plist_doc(&c);
    assert_true((int64_t)d > prev);
    prev = d;
    (*count)++;
    (void)tt_plist_tf_title(&c);
    (void)tt_plist_tf_body(&c);
    (void)tt_plist_block_max(&c);
    assert_true(tt_plist_block_last_doc(&c) >= d);
    if (with_pos) {
      const uint32_t *p;
      uint32_t n;
      rc = tt_plist_positions(&c, &p, &n);
      if (rc) break;
      assert_true(n <= TT_PLIST_MAX_NPOS);
      for (uint32_t i = 1; i < n; i++) assert_true(p[i] > p[i - 1]);
    }
    if (prev == UINT32_MAX) {
      rc = tt_plist_next(&c);
      assert_int_not_equal(rc, 0);
      break;
    }
  }
  assert_true(rc == TT_ITEROVER || rc == TT_ECORRUPT);
  if (rc == TT_ECORRUPT) {
    assert_non_null(strstr(tt_error_last(), "byte"));
    /* poisoned */
    assert_int_equal(tt_plist_next(&c), TT_ECORRUPT);
    assert_int_equal(tt_plist_seek(&c, UINT32_MAX), TT_ECORRUPT);
  }
  (void)tt_plist_max_impact(&c);
  tt_plist_close(&c);
  return rc;
}

static int drive_copy(const uint8_t *data, size_t len, int with_pos, int mode, size_t *count)
{
  uint8_t *copy = malloc(len ? len : 1);
  memcpy(copy, data, len);
  int rc = drive(copy, len, with_pos, mode, count);
  free(copy);
  return rc;
}

static void encode_sample(tt_buf *b, size_t n, int wp, uint32_t maxgap, uint32_t maxnpos)
{
  model_list m = {NULL, 0, 0};
  model_random(&m, n, wp, maxgap, maxnpos);
  model_encode(&m, b, NULL);
  model_free(&m);
}

static void test_every_truncation(void **state)
{
  (void)state;
  size_t sizes[] = {1, 2, 3, 40, 127, 128, 129, 300, 700};
  for (int wp = 0; wp < 2; wp++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      tt_buf b = TT_BUF_INIT;
      encode_sample(&b, sizes[s], wp, 200, 300);
      size_t cnt;
      assert_int_equal(drive_copy((uint8_t *)b.p, b.n, wp, 0, &cnt), TT_ITEROVER);
      assert_int_equal(cnt, sizes[s]);
      for (size_t len = 0; len < b.n; len++) {
        /* a cut list is always detected once it is fully read */
        assert_int_equal(drive_copy((uint8_t *)b.p, len, wp, 0, &cnt), TT_ECORRUPT);
        if (len % 7 == 0)
          for (int mode = 1; mode < 4; mode++) drive_copy((uint8_t *)b.p, len, wp, mode, &cnt);
      }
      /* one byte too many */
      tt_buf_putc(&b, 0);
      assert_int_equal(drive_copy((uint8_t *)b.p, b.n, wp, 0, &cnt), TT_ECORRUPT);
      tt_buf_fini(&b);
    }
}

static void test_bit_flips(void **state)
{
  (void)state;
  size_t sizes[] = {1, 5, 100, 128, 200, 1000, 3000};
  for (int wp = 0; wp < 2; wp++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      tt_buf b = TT_BUF_INIT;
      encode_sample(&b, sizes[s], wp, s & 1 ? 5000 : 20, 40);
      uint8_t *copy = malloc(b.n);
      int reps = b.n < 50 ? 400 : 1500;
      size_t corrupt = 0;
      for (int r = 0; r < reps; r++) {
        memcpy(copy, b.p, b.n);
        int flips = 1 + (int)tc_below(3);
        for (int f = 0; f < flips; f++) {
          size_t at = tc_below((uint32_t)b.n);
          if (tc_below(4) == 0) copy[at] = (uint8_t)tc_next();   /* overwrite a byte */
          else copy[at] ^= (uint8_t)(1u << tc_below(8));
        }
        size_t cnt;
        int rc = drive(copy, b.n, wp, r % 4, &cnt);
        corrupt += rc == TT_ECORRUPT;
        /* also read a flipped positional list without positions */
        if (wp) drive(copy, b.n, 0, r % 4, &cnt);
      }
      /* most damage is detected (flips in tf/position payload need not be) */
      assert_true(corrupt > 0);
      free(copy);
      tt_buf_fini(&b);
    }
}

static void test_bad_headers(void **state)
{
  (void)state;
  size_t cnt;
  /* df = 2^32 - 1 in a tiny list */
  uint8_t huge[] = {0xFC, 0xFF, 0xFF, 0xFF, 0x3F, 0x00, 0x00};
  assert_int_equal(drive_copy(huge, sizeof huge, 0, 0, &cnt), TT_ECORRUPT);
  /* df = 2^32: out of range */
  uint8_t over[] = {0x80, 0x80, 0x80, 0x80, 0x40};
  assert_int_equal(drive_copy(over, sizeof over, 0, 0, &cnt), TT_ECORRUPT);
  /* NT without P */
  uint8_t ntp[] = {0x06, 0x00, 0x02};
  assert_int_equal(drive_copy(ntp, sizeof ntp, 0, 0, &cnt), TT_ECORRUPT);
  /* a multi-block list with zero-width skip columns */
  uint8_t zw[] = {(uint8_t)(0x80 | (300 << 2 & 0x7F)), (uint8_t)(300 << 2 >> 7), 0x00, 0x00};
  assert_int_equal(drive_copy(zw, sizeof zw, 0, 0, &cnt), TT_ECORRUPT);
  /* empty input, empty list with trailing byte */
  assert_int_equal(drive_copy(zw, 0, 0, 0, &cnt), TT_ECORRUPT);
  uint8_t e2[] = {0x00, 0x00};
  assert_int_equal(drive_copy(e2, 2, 0, 0, &cnt), TT_ECORRUPT);
  assert_int_equal(drive_copy(e2, 1, 0, 0, &cnt), TT_ITEROVER);
  /* a doc gap that passes 2^32 - 1: df 2, docs 2^32-1 then +1 */
  uint8_t wrap[] = {0x08, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F, 0x01};
  assert_int_equal(drive_copy(wrap, sizeof wrap, 0, 0, &cnt), TT_ECORRUPT);
  /* a doc gap of 2^63 - 1 (vbyte64 max): must not overflow the int64 arithmetic (fuzz find) */
  uint8_t g63[] = {0x04, 0x00, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01};
  assert_int_equal(drive_copy(g63, sizeof g63, 0, 0, &cnt), TT_ECORRUPT);
  /* a full single block (df 128) claiming width 33 */
  uint8_t w33[] = {0x80, 0x04, 0x00, 33, 0, 0};
  assert_int_equal(drive_copy(w33, sizeof w33, 0, 0, &cnt), TT_ECORRUPT);
  /* df 1, positional, implicit npos = 2^24 + 1 (tf_body) with a 1-byte position area */
  uint8_t np[] = {0x05, 0x00, 0x00, 0x00, 0x81, 0x80, 0x80, 0x08, 0x00};
  assert_int_equal(drive_copy(np, sizeof np, 1, 0, &cnt), TT_ECORRUPT);
  /* df 1, positional, npos 300 (2 chunk widths + 44 tail values) in a 2-byte position area */
  uint8_t np2[] = {0x05, 0x00, 0x00, 0x00, 0xAC, 0x02, 0x00, 0x00};
  assert_int_equal(drive_copy(np2, sizeof np2, 1, 0, &cnt), TT_ECORRUPT);
}

/* Two gaps of a 32-bit-wide block raised by 2^31 each: the doc ids wrap modulo 2^32 and the
 * block's last doc still matches the skip table, so only the overflow check can catch it. */
static void test_gap_wrap_in_block(void **state)
{
  (void)state;
  model_list m = {NULL, 0, 0};
  for (uint32_t i = 0; i < 128; i++) model_add(&m, i, 0, 1, 0, 0, 1, 0);
  for (uint32_t i = 0; i < 127; i++) model_add(&m, 200 + i, 0, 1, 0, 0, 1, 0);
  model_add(&m, 0xFFFFFFFFu, 0, 1, 0, 0, 1, 0);
  tt_buf b = TT_BUF_INIT;
  model_encode(&m, &b, NULL);
  model_free(&m);
  size_t cnt;
  assert_int_equal(drive_copy((uint8_t *)b.p, b.n, 0, 0, &cnt), TT_ITEROVER);
  /* find block 1's packed gaps: H (2 bytes: 256 << 2), W, skip columns, block 0, header */
  uint8_t *p = (uint8_t *)b.p;
  unsigned W = (unsigned)p[2] | (unsigned)p[3] << 8;
  unsigned wd = W & 7, wo = W >> 3 & 7, wp = W >> 6 & 7, wi = W >> 9 & 7;
  assert_int_equal(wd, 4);
  size_t dend0 = 0;
  for (unsigned i = 0; i < wo; i++) dend0 |= (size_t)p[4 + 2 * wd + i] << (8 * i);
  size_t blk1 = 4 + 2 * (wd + wo + wp + wi) + dend0;
  assert_int_equal(p[blk1], 32); /* gap width */
  uint8_t *g = p + blk1 + 3;
  for (int k = 0; k < 2; k++) g[4 * k + 3] ^= 0x80;  /* gap[0], gap[1] += 2^31 (they are small) */
  assert_int_equal(drive_copy(p, b.n, 0, 0, &cnt), TT_ECORRUPT);
  tt_buf_fini(&b);
}

/* Valid lists must decode in every mode (the drivers above only check they do not crash). */
static void test_modes_on_valid(void **state)
{
  (void)state;
  for (int wp = 0; wp < 2; wp++) {
    tt_buf b = TT_BUF_INIT;
    encode_sample(&b, 2000, wp, 100, 20);
    for (int mode = 0; mode < 4; mode++) {
      size_t cnt;
      assert_int_equal(drive_copy((uint8_t *)b.p, b.n, wp, mode, &cnt), TT_ITEROVER);
      assert_true(cnt > 0);
    }
    tt_buf_fini(&b);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_truncation),
    cmocka_unit_test(test_bit_flips),
    cmocka_unit_test(test_bad_headers),
    cmocka_unit_test(test_gap_wrap_in_block),
    cmocka_unit_test(test_modes_on_valid),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
