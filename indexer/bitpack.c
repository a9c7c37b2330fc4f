/* tt_bp128: packing and unpacking of 128-value blocks (indexer/bitpack.h).
 *
 * Called by the postings codec for every block it writes or reads. Unpacking is the hot path:
 * each width 1..31 has its own straight-line decoder, generated below by a macro that expands
 * the 32 steps of a lane with the width as a constant, so every shift, mask and word index is
 * folded at compile time and no loop or branch is left (the zstd "template by macro" practice).
 * The decoders are reached through a 33-entry function table indexed by width. Width 0 is a
 * memset, width 32 a copy (at b = 32 the interleaved layout is plain array order). */
#include "indexer/bitpack.h"

#include "common/endian.h"

#include <string.h>

#ifdef TT_BP128_HAVE_SSE2
#include <emmintrin.h>
#endif

#define BP_MASK(B) ((uint32_t)(((uint64_t)1 << (B)) - 1u))

/* ---------------------------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------------------------- */

unsigned tt_bp128_maxbits(const uint32_t *in, size_t n)
{
  uint32_t acc = 0;
  for (size_t i = 0; i < n; i++) acc |= in[i];
  if (!acc) return 0;
#if defined(__GNUC__)
  return 32u - (unsigned)__builtin_clz(acc);
#else
  unsigned b = 0;
  while (acc) { b++; acc >>= 1; }
  return b;
#endif
}

void tt_bp128_pack(uint8_t *out, const uint32_t *in, unsigned b)
{
  if (b == 0) return;
  if (b >= 32) {
    for (unsigned i = 0; i < TT_BP128_N; i++) tt_store_le32(out + 4 * i, in[i]);
    return;
  }
  const uint32_t mask = BP_MASK(b);
  for (unsigned l = 0; l < 4; l++) {
    uint64_t acc = 0;     /* pending bits, LSB first */
    unsigned nbits = 0;   /* how many of them */
    unsigned w = 0;       /* next word of this lane */
    for (unsigned j = 0; j < 32; j++) {
      acc |= (uint64_t)(in[4 * j + l] & mask) << nbits;
      nbits += b;
      if (nbits >= 32) {
        tt_store_le32(out + 16 * w + 4 * l, (uint32_t)acc);
        w++;
        acc >>= 32;
        nbits -= 32;
      }
    }
    /* 32 values of b bits are exactly b words: nothing is left over. */
  }
}

void tt_bp128_pack_tail(uint8_t *out, const uint32_t *in, unsigned n, unsigned b)
{
  if (!b) return;
  const uint32_t mask = b >= 32 ? 0xFFFFFFFFu : BP_MASK(b);
  uint64_t acc = 0;
  unsigned have = 0;
  size_t o = 0;
  for (unsigned j = 0; j < n; j++) {
    acc |= (uint64_t)(in[j] & mask) << have;
    have += b;
    while (have >= 8) {
      out[o++] = (uint8_t)acc;
      acc >>= 8;
      have -= 8;
    }
  }
  if (have) out[o] = (uint8_t)acc;
}

void tt_bp128_unpack_tail(uint32_t *out, const uint8_t *in, unsigned n, unsigned b)
{
  if (n > TT_BP128_N) n = TT_BP128_N;
  if (!b) {
    memset(out, 0, n * sizeof *out);
    return;
  }
  if (b > 32) b = 32;
  /* copy to a zero-padded buffer so every value is one unaligned 8-byte load, no bounds test */
  uint8_t buf[TT_BP128_N * 4 + 8];
  size_t nb = TT_BP128_TAIL_BYTES(n, b);
  memcpy(buf, in, nb);
  memset(buf + nb, 0, 8);
  const uint32_t mask = b >= 32 ? 0xFFFFFFFFu : BP_MASK(b);
  for (unsigned j = 0; j < n; j++) {
    size_t bit = (size_t)j * b;
    out[j] = (uint32_t)(tt_load_le64(buf + (bit >> 3)) >> (bit & 7)) & mask;
  }
}

/* The 32 steps of one lane, with the width B and step j as constants. */
#define BP_STEPS32(S, B)                                                                      \
  S(B, 0) S(B, 1) S(B, 2) S(B, 3) S(B, 4) S(B, 5) S(B, 6) S(B, 7)                             \
  S(B, 8) S(B, 9) S(B, 10) S(B, 11) S(B, 12) S(B, 13) S(B, 14) S(B, 15)                       \
  S(B, 16) S(B, 17) S(B, 18) S(B, 19) S(B, 20) S(B, 21) S(B, 22) S(B, 23)                     \
  S(B, 24) S(B, 25) S(B, 26) S(B, 27) S(B, 28) S(B, 29) S(B, 30) S(B, 31)

/* Apply G to every width 1..31. */
#define BP_WIDTHS(G)                                                                          \
  G(1) G(2) G(3) G(4) G(5) G(6) G(7) G(8) G(9) G(10) G(11) G(12) G(13) G(14) G(15) G(16)      \
  G(17) G(18) G(19) G(20) G(21) G(22) G(23) G(24) G(25) G(26) G(27) G(28) G(29) G(30) G(31)

typedef void (*bp_unpack_fn)(uint32_t *restrict out, const uint8_t *restrict in);

static void unpack_0(uint32_t *restrict out, const uint8_t *restrict in)
{
  (void)in;
  memset(out, 0, TT_BP128_N * sizeof *out);
}

static void unpack_32(uint32_t *restrict out, const uint8_t *restrict in)
{
  memcpy(out, in, TT_BP128_N * sizeof *out); /* little-endian host (common/endian.h) */
}

/* ---------------------------------------------------------------------------------------------
 * Scalar decoders: the four lanes of step j are done together, which reads the 16-byte row of
 * words once and lets the compiler auto-vectorise where it can.
 * ------------------------------------------------------------------------------------------- */

#define BP_SCALAR_STEP(B, j)                                                                  \
  {                                                                                           \
    const unsigned o_ = (j) * (B), w_ = o_ >> 5, s_ = o_ & 31;                                \
    for (unsigned l_ = 0; l_ < 4; l_++) {                                                     \
      uint32_t v_ = tt_load_le32(in + 16 * w_ + 4 * l_) >> s_;                                \
      if (s_ + (B) > 32) v_ |= tt_load_le32(in + 16 * (w_ + 1) + 4 * l_) << ((32 - s_) & 31); \
      out[4 * (j) + l_] = v_ & BP_MASK(B);                                                    \
    }                                                                                         \
  }

#define BP_DEF_SCALAR(B)                                                                      \
  static void unpack_scalar_##B(uint32_t *restrict out, const uint8_t *restrict in)           \
  {                                                                                           \
    BP_STEPS32(BP_SCALAR_STEP, B)                                                             \
  }
BP_WIDTHS(BP_DEF_SCALAR)

#define BP_TAB_SCALAR(B) unpack_scalar_##B,
static const bp_unpack_fn unpack_scalar_tab[33] = {
  unpack_0, BP_WIDTHS(BP_TAB_SCALAR) unpack_32,
};

void tt_bp128__unpack_scalar(uint32_t *out, const uint8_t *in, unsigned b)
{
  unpack_scalar_tab[b > 32 ? 32 : b](out, in);
}

void tt_bp128_lsum(const uint32_t *a, const uint32_t *b, uint32_t *lsum)
{
  for (unsigned l = 0; l < 4; l++) lsum[l] = 0;
  for (unsigned i = 0; i < TT_BP128_N; i++) lsum[i + 4] = lsum[i] + a[i] + b[i];   /* vectorizes */
}

void tt_bp128__prefix1_scalar(uint32_t *x, uint32_t base)
{
  uint32_t acc = base;
  for (unsigned i = 0; i < TT_BP128_N; i++) {
    acc += x[i] + 1u;
    x[i] = acc;
  }
}

/* ---------------------------------------------------------------------------------------------
 * SSE2 decoders: one 128-bit register holds word w of all four lanes, so step j produces the
 * four values 4j..4j+3 with one or two shifts, an or and an and.
 * ------------------------------------------------------------------------------------------- */
#ifdef TT_BP128_HAVE_SSE2

#define BP_SSE_W(k) _mm_loadu_si128((const __m128i *)(const void *)(in + 16 * (k)))

/* The four values of step j of a width-B block, masked, into a new local v_ (mask_ in scope). */
#define BP_SSE_GET(B, j)                                                                      \
    const unsigned o_ = (j) * (B), w_ = o_ >> 5, s_ = o_ & 31;                                \
    __m128i v_ = _mm_srli_epi32(BP_SSE_W(w_), (int)s_);                                       \
    if (s_ + (B) > 32)                                                                        \
      v_ = _mm_or_si128(v_, _mm_slli_epi32(BP_SSE_W(w_ + 1), (int)((32 - s_) & 31)));         \
    v_ = _mm_and_si128(v_, mask_);

#define BP_SSE_STEP(B, j)                                                                     \
  {                                                                                           \
    BP_SSE_GET(B, j)                                                                          \
    _mm_storeu_si128((__m128i *)(void *)(out + 4 * (j)), v_);                                 \
  }

#define BP_DEF_SSE(B)                                                                         \
  static void unpack_sse2_##B(uint32_t *restrict out, const uint8_t *restrict in)             \
  {                                                                                           \
    const __m128i mask_ = _mm_set1_epi32((int)BP_MASK(B));                                    \
    BP_STEPS32(BP_SSE_STEP, B)                                                                \
  }
BP_WIDTHS(BP_DEF_SSE)

#define BP_TAB_SSE(B) unpack_sse2_##B,
static const bp_unpack_fn unpack_sse2_tab[33] = {
  unpack_0, BP_WIDTHS(BP_TAB_SSE) unpack_32,
};

void tt_bp128__unpack_sse2(uint32_t *out, const uint8_t *in, unsigned b)
{
  unpack_sse2_tab[b > 32 ? 32 : b](out, in);
}

/* Unpack and prefix-sum in one pass: the four values of a step are summed in the register
 * they were unpacked into, so the gaps are never stored and reloaded (a doc-id block decode
 * on every seek into a new block). */
#define BP_SSE_PSTEP(B, j)                                                                    \
  {                                                                                           \
    BP_SSE_GET(B, j)                                                                          \
    v_ = _mm_add_epi32(v_, _mm_slli_si128(v_, 4));                                            \
    v_ = _mm_add_epi32(v_, _mm_slli_si128(v_, 8));                                            \
    v_ = _mm_add_epi32(v_, carry_);                                                           \
    _mm_storeu_si128((__m128i *)(void *)(out + 4 * (j)), v_);                                 \
    carry_ = _mm_add_epi32(_mm_shuffle_epi32(v_, 0xFF), four_);                               \
  }

/* carry_ holds the previous value + 1 in lanes 0..3 plus the lane's own "+1"s (1, 2, 3, 4):
 * adding it to the in-register prefix sum of the gaps gives the four doc ids. */
#define BP_DEF_SSE_P(B)                                                                       \
  static void unpack_prefix1_sse2_##B(uint32_t *restrict out, const uint8_t *restrict in,     \
                                      uint32_t base)                                          \
  {                                                                                           \
    const __m128i mask_ = _mm_set1_epi32((int)BP_MASK(B));                                    \
    const __m128i four_ = _mm_set_epi32(4, 3, 2, 1);                                          \
    __m128i carry_ = _mm_add_epi32(_mm_set1_epi32((int)base), four_);                         \
    BP_STEPS32(BP_SSE_PSTEP, B)                                                               \
  }
BP_WIDTHS(BP_DEF_SSE_P)

typedef void (*bp_unpack_prefix_fn)(uint32_t *restrict out, const uint8_t *restrict in, uint32_t base);

/* Width 0: every gap 0, the docs base + 1 .. base + 128 (a run of consecutive docs, common in
 * the lists of frequent syllables). */
static void unpack_prefix1_sse2_0(uint32_t *restrict out, const uint8_t *restrict in, uint32_t base)
{
  (void)in;
  const __m128i four = _mm_set1_epi32(4);
  __m128i v = _mm_add_epi32(_mm_set1_epi32((int)base), _mm_set_epi32(4, 3, 2, 1));
  for (unsigned k = 0; k < TT_BP128_N; k += 4) {
    _mm_storeu_si128((__m128i *)(void *)(out + k), v);
    v = _mm_add_epi32(v, four);
  }
}

static void unpack_prefix1_generic_32(uint32_t *restrict out, const uint8_t *restrict in, uint32_t base)
{
  unpack_32(out, in);
  tt_bp128__prefix1_sse2(out, base);
}

#define BP_TAB_SSE_P(B) unpack_prefix1_sse2_##B,
static const bp_unpack_prefix_fn unpack_prefix1_sse2_tab[33] = {
  unpack_prefix1_sse2_0, BP_WIDTHS(BP_TAB_SSE_P) unpack_prefix1_generic_32,
};

/* Unpack and keep the lanes' running sums (with add[]) in one pass: each step's register plus
 * add's four values is added to an accumulator, which is stored as the next row of lsum. */
#define BP_SSE_SSTEP(B, j)                                                                    \
  {                                                                                           \
    BP_SSE_GET(B, j)                                                                          \
    _mm_storeu_si128((__m128i *)(void *)(out + 4 * (j)), v_);                                 \
    sum_ = _mm_add_epi32(sum_, _mm_add_epi32(v_, BP_SSE_ADD(j)));                             \
    _mm_storeu_si128((__m128i *)(void *)(lsum + 4 * (j) + 4), sum_);                          \
  }
#define BP_SSE_ADD(j) _mm_loadu_si128((const __m128i *)(const void *)(add + 4 * (j)))

#define BP_DEF_SSE_S(B)                                                                       \
  static void unpack_lsum_sse2_##B(uint32_t *restrict out, uint32_t *restrict lsum,           \
                                   const uint8_t *restrict in, const uint32_t *restrict add)  \
  {                                                                                           \
    const __m128i mask_ = _mm_set1_epi32((int)BP_MASK(B));                                    \
    __m128i sum_ = _mm_setzero_si128();                                                       \
    _mm_storeu_si128((__m128i *)(void *)lsum, sum_);                                          \
    BP_STEPS32(BP_SSE_SSTEP, B)                                                               \
  }
BP_WIDTHS(BP_DEF_SSE_S)

typedef void (*bp_unpack_lsum_fn)(uint32_t *restrict out, uint32_t *restrict lsum,
                                  const uint8_t *restrict in, const uint32_t *restrict add);

static void unpack_lsum_generic(uint32_t *restrict out, uint32_t *restrict lsum, const uint8_t *restrict in,
                                const uint32_t *restrict add, unsigned b)
{
  if (b == 0) unpack_0(out, in);
  else unpack_32(out, in);
  tt_bp128_lsum(out, add, lsum);
}
static void unpack_lsum_0(uint32_t *restrict out, uint32_t *restrict lsum, const uint8_t *restrict in,
                          const uint32_t *restrict add)
{
  unpack_lsum_generic(out, lsum, in, add, 0);
}
static void unpack_lsum_32(uint32_t *restrict out, uint32_t *restrict lsum, const uint8_t *restrict in,
                           const uint32_t *restrict add)
{
  unpack_lsum_generic(out, lsum, in, add, 32);
}

#define BP_TAB_SSE_S(B) unpack_lsum_sse2_##B,
static const bp_unpack_lsum_fn unpack_lsum_sse2_tab[33] = {
  unpack_lsum_0, BP_WIDTHS(BP_TAB_SSE_S) unpack_lsum_32,
};

void tt_bp128__prefix1_sse2(uint32_t *x, uint32_t base)
{
  __m128i carry = _mm_set1_epi32((int)base);
  const __m128i ones = _mm_set_epi32(4, 3, 2, 1); /* the "+1" of each gap, already summed */
  for (unsigned k = 0; k < TT_BP128_N; k += 4) {
    __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(x + k));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
    v = _mm_add_epi32(_mm_add_epi32(v, ones), carry);
    _mm_storeu_si128((__m128i *)(void *)(x + k), v);
    carry = _mm_shuffle_epi32(v, 0xFF);
  }
}

void tt_bp128_unpack(uint32_t *out, const uint8_t *in, unsigned b)
{
  unpack_sse2_tab[b > 32 ? 32 : b](out, in);
}

void tt_bp128_prefix1(uint32_t *x, uint32_t base) { tt_bp128__prefix1_sse2(x, base); }

void tt_bp128_unpack_prefix1(uint32_t *out, const uint8_t *in, unsigned b, uint32_t base)
{
  unpack_prefix1_sse2_tab[b > 32 ? 32 : b](out, in, base);
}

void tt_bp128_unpack_lsum(uint32_t *out, uint32_t *lsum, const uint8_t *in, unsigned b,
                          const uint32_t *add)
{
  unpack_lsum_sse2_tab[b > 32 ? 32 : b](out, lsum, in, add);
}

#else /* !TT_BP128_HAVE_SSE2 */

void tt_bp128_unpack(uint32_t *out, const uint8_t *in, unsigned b)
{
  unpack_scalar_tab[b > 32 ? 32 : b](out, in);
}

void tt_bp128_prefix1(uint32_t *x, uint32_t base) { tt_bp128__prefix1_scalar(x, base); }

void tt_bp128_unpack_prefix1(uint32_t *out, const uint8_t *in, unsigned b, uint32_t base)
{
  tt_bp128_unpack(out, in, b);
  tt_bp128__prefix1_scalar(out, base);
}

void tt_bp128_unpack_lsum(uint32_t *out, uint32_t *lsum, const uint8_t *in, unsigned b,
                          const uint32_t *add)
{
  tt_bp128_unpack(out, in, b);
  tt_bp128_lsum(out, add, lsum);
}

#endif
