/* Unit tests: indexer/bitpack (tt_bp128_*) — every width 0..32, scalar and SSE2 decoders
 * against an independent bit-by-bit reference of the layout. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "indexer/bitpack.h"

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint32_t rnd(void)
{
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (uint32_t)(rng >> 16);
}

/* The layout written out the slow way: value i, lane i%4, index j=i/4 in the lane; bit t of the
 * value is lane bit j*b+t, stored in lane word (j*b+t)/32 at byte 16*word + 4*lane. */
static void ref_pack(uint8_t *out, const uint32_t *in, unsigned b)
{
  memset(out, 0, 16 * b);
  for (unsigned i = 0; i < 128; i++) {
    unsigned lane = i % 4, j = i / 4;
    for (unsigned t = 0; t < b; t++) {
      if (!((in[i] >> t) & 1)) continue;
      unsigned bit = j * b + t, word = bit / 32, sh = bit % 32;
      out[16 * word + 4 * lane + sh / 8] |= (uint8_t)(1u << (sh % 8));
    }
  }
}

static uint32_t mask_of(unsigned b) { return b == 32 ? 0xFFFFFFFFu : (1u << b) - 1; }

static void fill(uint32_t *v, unsigned b, int kind)
{
  uint32_t m = mask_of(b);
  for (unsigned i = 0; i < 128; i++) {
    switch (kind) {
    case 0: v[i] = rnd() & m; break;             /* random */
    case 1: v[i] = m; break;                     /* all max */
    case 2: v[i] = 0; break;                     /* all zero */
    case 3: v[i] = (i & 1) ? m : 0; break;       /* alternating */
    case 4: v[i] = (i == 127) ? m : 0; break;    /* one max at the end */
    default: v[i] = (i == 0 && b) ? (1u << (b - 1)) : (rnd() & m); break; /* top bit */
    }
  }
}

static void roundtrip(unsigned b, int kind)
{
  uint32_t in[128], out[128];
  fill(in, b, kind);
  if (kind == 0 || kind == 1 || kind == 4 || kind == 5)
    assert_true(tt_bp128_maxbits(in, 128) <= b);
  size_t n = TT_BP128_BYTES(b);
  assert_int_equal(n, 16 * b);
  uint8_t *packed = malloc(n ? n : 1);   /* exact size: ASan flags any over-read */
  uint8_t *ref = malloc(n ? n : 1);
  tt_bp128_pack(packed, in, b);
  ref_pack(ref, in, b);
  if (n) assert_memory_equal(packed, ref, n);

  memset(out, 0xAB, sizeof out);
  tt_bp128_unpack(out, packed, b);
  assert_memory_equal(out, in, sizeof in);
  memset(out, 0xAB, sizeof out);
  tt_bp128__unpack_scalar(out, packed, b);
  assert_memory_equal(out, in, sizeof in);
#ifdef TT_BP128_HAVE_SSE2
  memset(out, 0xAB, sizeof out);
  tt_bp128__unpack_sse2(out, packed, b);
  assert_memory_equal(out, in, sizeof in);
#endif
  /* unaligned input */
  uint8_t *un = malloc(n + 3);
  memcpy(un + 3, packed, n);
  memset(out, 0xAB, sizeof out);
  tt_bp128_unpack(out, un + 3, b);
  assert_memory_equal(out, in, sizeof in);
  free(un);
  free(packed);
  free(ref);
}

static void test_every_width(void **state)
{
  (void)state;
  for (unsigned b = 0; b <= 32; b++)
    for (int kind = 0; kind < 6; kind++)
      for (int rep = 0; rep < (kind == 0 ? 20 : 1); rep++) roundtrip(b, kind);
}

/* Horizontal tail packing: reference bit by bit, every width, several counts, exact size. */
static void test_tail_pack(void **state)
{
  (void)state;
  unsigned counts[] = {0, 1, 7, 8, 9, 31, 64, 100, 127, 128};
  for (unsigned b = 0; b <= 32; b++)
    for (size_t ci = 0; ci < sizeof counts / sizeof counts[0]; ci++) {
      unsigned n = counts[ci];
      uint32_t in[128], out[128];
      fill(in, b, (int)(ci % 6));
      size_t nb = TT_BP128_TAIL_BYTES(n, b);
      assert_int_equal(nb, (n * b + 7) / 8);
      uint8_t *packed = calloc(nb ? nb : 1, 1), *ref = calloc(nb ? nb : 1, 1);
      tt_bp128_pack_tail(packed, in, n, b);
      for (unsigned j = 0; j < n; j++)
        for (unsigned t = 0; t < b; t++)
          if ((in[j] >> t) & 1) ref[(j * b + t) / 8] |= (uint8_t)(1u << ((j * b + t) % 8));
      if (nb) assert_memory_equal(packed, ref, nb);
      memset(out, 0xAB, sizeof out);
      tt_bp128_unpack_tail(out, packed, n, b);  /* exact-size input: ASan sees an over-read */
      if (n) assert_memory_equal(out, in, n * sizeof *out);
      for (unsigned j = n; j < 128; j++) assert_int_equal(out[j], 0xABABABABu);
      free(packed);
      free(ref);
    }
}

static void test_pack_masks_high_bits(void **state)
{
  (void)state;
  uint32_t in[128], out[128];
  for (unsigned i = 0; i < 128; i++) in[i] = 0xFFFFFFF0u | (i & 15);
  uint8_t buf[16 * 4];
  tt_bp128_pack(buf, in, 4);
  tt_bp128_unpack(out, buf, 4);
  for (unsigned i = 0; i < 128; i++) assert_int_equal(out[i], i & 15);
}

static void test_maxbits(void **state)
{
  (void)state;
  uint32_t v[128] = {0};
  assert_int_equal(tt_bp128_maxbits(v, 128), 0);
  v[77] = 1;
  assert_int_equal(tt_bp128_maxbits(v, 128), 1);
  v[3] = 255;
  assert_int_equal(tt_bp128_maxbits(v, 128), 8);
  v[127] = 256;
  assert_int_equal(tt_bp128_maxbits(v, 128), 9);
  v[0] = 0x80000000u;
  assert_int_equal(tt_bp128_maxbits(v, 128), 32);
  assert_int_equal(tt_bp128_maxbits(v, 0), 0);
  assert_int_equal(tt_bp128_maxbits(v + 1, 2), 0);
}

static void ref_prefix1(uint32_t *x, uint32_t base)
{
  uint64_t acc = base;
  for (int i = 0; i < 128; i++) {
    acc = (acc + x[i] + 1) & 0xFFFFFFFFu;
    x[i] = (uint32_t)acc;
  }
}

static void test_prefix1(void **state)
{
  (void)state;
  uint32_t bases[] = {0xFFFFFFFFu, 0, 12345, 0xFFFFFF00u};
  for (size_t bi = 0; bi < sizeof bases / sizeof bases[0]; bi++) {
    for (int rep = 0; rep < 20; rep++) {
      uint32_t g[128], a[128], b[128];
      for (int i = 0; i < 128; i++) g[i] = rep < 2 ? (uint32_t)rep : (rnd() & 0x3FF);
      memcpy(a, g, sizeof g);
      memcpy(b, g, sizeof g);
      ref_prefix1(a, bases[bi]);
      tt_bp128_prefix1(b, bases[bi]);
      assert_memory_equal(a, b, sizeof a);
      memcpy(b, g, sizeof g);
      tt_bp128__prefix1_scalar(b, bases[bi]);
      assert_memory_equal(a, b, sizeof a);
#ifdef TT_BP128_HAVE_SSE2
      memcpy(b, g, sizeof g);
      tt_bp128__prefix1_sse2(b, bases[bi]);
      assert_memory_equal(a, b, sizeof a);
#endif
    }
  }
  /* base -1 decodes the first gap as the first doc id */
  uint32_t x[128] = {0};
  x[0] = 7;
  tt_bp128_prefix1(x, 0xFFFFFFFFu);
  assert_int_equal(x[0], 7);
  assert_int_equal(x[1], 8);
  assert_int_equal(x[127], 7 + 127);
}

/* tt_bp128_unpack_prefix1 gives unpack then prefix1, at every width and several bases
 * (values at the width's full range, so wrap-around modulo 2^32 is covered too). */
static void test_unpack_prefix1(void **state)
{
  (void)state;
  uint32_t bases[] = {0xFFFFFFFFu, 0, 12345, 0xFFFFFF00u};
  for (unsigned b = 0; b <= 32; b++) {
    for (size_t bi = 0; bi < sizeof bases / sizeof bases[0]; bi++) {
      for (int rep = 0; rep < 4; rep++) {
        uint32_t g[128], want[128], got[128];
        uint8_t packed[16 * 32];
        uint32_t mask = b == 32 ? 0xFFFFFFFFu : (uint32_t)((1ull << b) - 1);
        for (int i = 0; i < 128; i++) g[i] = rep == 0 ? mask : (rnd() & mask);
        tt_bp128_pack(packed, g, b);
        memcpy(want, g, sizeof g);
        ref_prefix1(want, bases[bi]);
        memset(got, 0xAB, sizeof got);
        tt_bp128_unpack_prefix1(got, packed, b, bases[bi]);
        assert_memory_equal(want, got, sizeof want);
      }
    }
  }
}

/* tt_bp128_unpack_lsum: the values of tt_bp128_unpack and the lanes' running sums of them plus
 * add[] (modulo 2^32) at every width (all ones, all zero, random; width 32 wraps), add random
 * or zero; tt_bp128_lsum gives the same sums from the unpacked values. */
static void test_unpack_lsum(void **state)
{
  (void)state;
  for (unsigned b = 0; b <= 32; b++) {
    for (int rep = 0; rep < 6; rep++) {
      uint32_t v[128], add[128], want[128], got[128], ls[TT_BP128_LSUM], ls2[TT_BP128_LSUM];
      uint8_t packed[16 * 32];
      uint32_t mask = b == 32 ? 0xFFFFFFFFu : (uint32_t)((1ull << b) - 1);
      for (int i = 0; i < 128; i++) {
        v[i] = rep == 0 ? mask : rep == 1 ? 0 : (rnd() & mask);
        add[i] = rep & 1 ? 0 : rep == 4 ? 0xFFFFFFFFu : rnd() >> (rnd() & 31);
      }
      tt_bp128_pack(packed, v, b);
      tt_bp128_unpack(want, packed, b);
      memset(got, 0xAB, sizeof got);
      memset(ls, 0xAB, sizeof ls);
      tt_bp128_unpack_lsum(got, ls, packed, b, add);
      assert_memory_equal(want, got, sizeof want);
      for (unsigned j = 0; j <= 32; j++) {
        uint32_t all = 0, rows = 0;
        for (unsigned l = 0; l < 4; l++) {
          uint32_t s = 0;
          for (unsigned k = 0; k < j; k++) s += want[4 * k + l] + add[4 * k + l];
          assert_int_equal(ls[4 * j + l], s);
          rows += ls[4 * j + l];
        }
        for (unsigned i = 0; i < 4 * j; i++) all += want[i] + add[i];
        assert_int_equal(rows, all);   /* the prefix of 4j values */
      }
      memset(ls2, 0xCD, sizeof ls2);
      tt_bp128_lsum(want, add, ls2);
      assert_memory_equal(ls, ls2, sizeof ls);
    }
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_every_width),
    cmocka_unit_test(test_tail_pack),
    cmocka_unit_test(test_pack_masks_high_bits),
    cmocka_unit_test(test_maxbits),
    cmocka_unit_test(test_prefix1),
    cmocka_unit_test(test_unpack_prefix1),
    cmocka_unit_test(test_unpack_lsum),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
