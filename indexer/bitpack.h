/* tt_bp128: fixed-width bit packing of blocks of exactly 128 uint32 values.
 *
 * This is the innermost codec of the postings lists (indexer/postings_codec.c): doc-id gaps,
 * term frequencies and position deltas are all stored as 128-value blocks at one bit width
 * b in 0..32 chosen per block. A block packed at width b takes exactly 16*b bytes (b = 0 takes
 * none: a block of zeros is free).
 *
 * Layout (the "4-lane interleaved" layout of SIMD-BP128, Lemire & Boytsov 2015): value i belongs
 * to lane i % 4; each lane packs its 32 values LSB-first into b little-endian 32-bit words; word
 * w of lane l is stored at byte 16*w + 4*l. The layout decodes as fast with plain scalar code
 * as a horizontal one, and lets the SSE2 decoder work on four values per instruction. Both
 * decoders produce identical output (tests/unit/indexer/test_codec_bitpack.c checks both).
 *
 * Input buffers need no alignment. Decoders read exactly 16*b bytes and never more. */
#ifndef TT_INDEXER_BITPACK_H
#define TT_INDEXER_BITPACK_H

#include <stddef.h>
#include <stdint.h>

#define TT_BP128_N 128                     /* values per block */
#define TT_BP128_BYTES(b) (16u * (unsigned)(b)) /* packed size of a block at width b */

#if defined(__SSE2__) && !defined(TT_NO_SIMD)
#define TT_BP128_HAVE_SSE2 1
#endif

/* Bits needed for the largest of the n values in (0 for all zeros, 32 if any has bit 31). */
unsigned tt_bp128_maxbits(const uint32_t *in, size_t n);

/* Pack in[0..127] at width b (0..32) into out (16*b bytes). Bits of a value above b are
 * dropped, so callers pass b = tt_bp128_maxbits(in, 128) for a lossless round trip. */
void tt_bp128_pack(uint8_t *out, const uint32_t *in, unsigned b);

/* Unpack 128 values of width b (0..32, checked by the caller) from in (16*b readable bytes)
 * into out[0..127]. Uses the SSE2 decoder where available, else the scalar one. */
void tt_bp128_unpack(uint32_t *out, const uint8_t *in, unsigned b);

/* Partial blocks: n <= 128 values packed at width b one after the other, LSB first
 * ("horizontal"), in exactly TT_BP128_TAIL_BYTES(n, b) bytes; for the tails of position
 * streams, where padding to 128 values would waste space. The decoder reads exactly that many
 * bytes. */
#define TT_BP128_TAIL_BYTES(n, b) (((size_t)(n) * (unsigned)(b) + 7) / 8)
void tt_bp128_pack_tail(uint8_t *out, const uint32_t *in, unsigned n, unsigned b);
void tt_bp128_unpack_tail(uint32_t *out, const uint8_t *in, unsigned n, unsigned b);

/* Undo a "d1" delta coding in place: x[i] = base + sum_{k<=i} (x[k] + 1), modulo 2^32.
 * With base = previous doc id, this turns 128 doc-id gaps (gap = doc - prev - 1) into doc ids;
 * base = UINT32_MAX makes the first value decode as itself. */
void tt_bp128_prefix1(uint32_t *x, uint32_t base);

/* tt_bp128_unpack(out, in, b), then tt_bp128_prefix1(out, base): the same result, in one pass
 * where SSE2 is available (the gaps stay in registers). */
void tt_bp128_unpack_prefix1(uint32_t *out, const uint8_t *in, unsigned b, uint32_t base);

/* tt_bp128_unpack(out, in, b), and the running sums of the four lanes of out[] + add[]: for
 * j = 0..32 and l = 0..3, lsum[4j + l] = the sum of out[4k + l] + add[4k + l] over k < j (row
 * 0 is zeros), so the sum of out[i] + add[i] over i < 4j is the sum of row j's four entries.
 * lsum has TT_BP128_LSUM entries; sums are modulo 2^32. For the two frequency columns of a
 * block (add = the title frequencies already unpacked, out = the body's): the position-stream
 * offset of any posting in a few operations, without a prefix sum of all 128. */
#define TT_BP128_LSUM (TT_BP128_N + 4)
void tt_bp128_unpack_lsum(uint32_t *out, uint32_t *lsum, const uint8_t *in, unsigned b,
                          const uint32_t *add);
/* The same lsum for 128 values a[i] + b[i] already unpacked. */
void tt_bp128_lsum(const uint32_t *a, const uint32_t *b, uint32_t *lsum);

/* The individual implementations, exposed for tests and the micro-benchmark only. */
void tt_bp128__unpack_scalar(uint32_t *out, const uint8_t *in, unsigned b);
void tt_bp128__prefix1_scalar(uint32_t *x, uint32_t base);
#ifdef TT_BP128_HAVE_SSE2
void tt_bp128__unpack_sse2(uint32_t *out, const uint8_t *in, unsigned b);
void tt_bp128__prefix1_sse2(uint32_t *x, uint32_t base);
#endif

#endif
