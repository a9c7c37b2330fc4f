/* tt_vbyte: variable-byte integers (LEB128: 7 bits a byte, least significant group first,
 * high bit set on every byte but the last).
 *
 * Used by the postings codec for list headers, the last (partial) block of a list and the
 * tail of a position stream; small values take one byte (0..127), a uint32 at most 5 bytes,
 * a uint64 at most 10.
 *
 * Decoders are bounds-checked and strict: they read only bytes in [p, end), and refuse (return
 * 0) a truncated value, a value that does not fit the type, and a non-canonical encoding (a
 * final 0x00 byte after a continuation, i.e. an over-long form). So every value has exactly one
 * encoding, and corrupt input is caught as early as possible. */
#ifndef TT_INDEXER_VBYTE_H
#define TT_INDEXER_VBYTE_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/compiler.h"

#define TT_VBYTE_MAX32 5   /* longest encoding of a uint32 */
#define TT_VBYTE_MAX64 10  /* longest encoding of a uint64 */

/* Bytes needed to encode v. */
static inline size_t tt_vbyte_len32(uint32_t v)
{
  return 1 + (v >= (1u << 7)) + (v >= (1u << 14)) + (v >= (1u << 21)) + (v >= (1u << 28));
}
size_t tt_vbyte_len64(uint64_t v);

/* Encode v into out (room for TT_VBYTE_MAX32/64 bytes); returns the bytes written. */
size_t tt_vbyte_encode32(uint8_t *out, uint32_t v);
size_t tt_vbyte_encode64(uint8_t *out, uint64_t v);

/* The same as tt_vbyte_encode64, inline: for loops that reserved room for many values once. */
static inline size_t tt_vbyte_encode64_inline(uint8_t *out, uint64_t v)
{
  size_t n = 0;
  for (; v >= 0x80; v >>= 7) out[n++] = (uint8_t)(v | 0x80);
  out[n++] = (uint8_t)v;
  return n;
}

/* Append the encoding of v to b. Returns 0 or TT_ENOMEM. */
int tt_vbyte_put32(tt_buf *b, uint32_t v);
int tt_vbyte_put64(tt_buf *b, uint64_t v);

/* Decode one value from [p, end) into *out. Returns the bytes consumed (1..5 or 1..10), or 0 if
 * the input is truncated, over-long or out of range (then *out is unspecified). */
size_t tt_vbyte__decode32_slow(uint32_t *out, const uint8_t *p, const uint8_t *end);
size_t tt_vbyte__decode64_slow(uint64_t *out, const uint8_t *p, const uint8_t *end);

TT_INLINE size_t tt_vbyte_decode32(uint32_t *out, const uint8_t *p, const uint8_t *end)
{
  if (TT_LIKELY(p < end && *p < 0x80)) {
    *out = *p;
    return 1;
  }
  return tt_vbyte__decode32_slow(out, p, end);
}

TT_INLINE size_t tt_vbyte_decode64(uint64_t *out, const uint8_t *p, const uint8_t *end)
{
  if (TT_LIKELY(p < end && *p < 0x80)) {
    *out = *p;
    return 1;
  }
  return tt_vbyte__decode64_slow(out, p, end);
}

/* Decode n values from [p, end) into out[0..n-1]. Returns the bytes consumed, or 0 if any value
 * is bad as above (n = 0 also returns 0; callers know n). */
size_t tt_vbyte_decode32_n(uint32_t *out, size_t n, const uint8_t *p, const uint8_t *end);

#endif
