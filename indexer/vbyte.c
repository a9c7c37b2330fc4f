/* tt_vbyte: variable-byte integer coding (indexer/vbyte.h).
 *
 * The one-byte case of decoding is inline in the header; the longer forms are here. The
 * decoders stop at `end` before reading, so they are safe on a truncated mmap'd range. */
#include "indexer/vbyte.h"

#include "common/error.h"

size_t tt_vbyte_len64(uint64_t v)
{
  size_t n = 1;
  while (v >= 0x80) { v >>= 7; n++; }
  return n;
}

size_t tt_vbyte_encode32(uint8_t *out, uint32_t v)
{
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

size_t tt_vbyte_encode64(uint8_t *out, uint64_t v)
{
  size_t n = 0;
  while (v >= 0x80) {
    out[n++] = (uint8_t)(v | 0x80);
    v >>= 7;
  }
  out[n++] = (uint8_t)v;
  return n;
}

int tt_vbyte_put32(tt_buf *b, uint32_t v)
{
  if (tt_buf_reserve(b, TT_VBYTE_MAX32)) return TT_ENOMEM;
  b->n += tt_vbyte_encode32((uint8_t *)b->p + b->n, v);
  b->p[b->n] = 0;
  return 0;
}

int tt_vbyte_put64(tt_buf *b, uint64_t v)
{
  if (tt_buf_reserve(b, TT_VBYTE_MAX64)) return TT_ENOMEM;
  b->n += tt_vbyte_encode64((uint8_t *)b->p + b->n, v);
  b->p[b->n] = 0;
  return 0;
}

/* Generic bounds-checked decoder of at most maxlen bytes; top = the largest last byte allowed
 * when all maxlen bytes are used. */
static size_t decode_checked(uint64_t *out, const uint8_t *p, const uint8_t *end, size_t maxlen,
                             unsigned top)
{
  uint64_t v = 0;
  for (size_t i = 0; i < maxlen; i++) {
    if ((size_t)(end - p) <= i) return 0;                 /* truncated */
    uint64_t c = p[i];
    if (i == maxlen - 1 && c > top) return 0;             /* too many bits (or too long) */
    v |= (c & 0x7F) << (7 * i);
    if (c < 0x80) {
      if (c == 0 && i > 0) return 0;                      /* over-long */
      *out = v;
      return i + 1;
    }
  }
  return 0;
}

/* A final byte c at index i >= 1: 0 is an over-long form. */
#define VB_STEP(i)                                                                              c = p[i];                                                                                     v |= (c & 0x7F) << (7 * (i));                                                                 if (c < 0x80) {                                                                                 if (!c) return 0;                                                                             *out = v;                                                                                     return (i) + 1;                                                                             }

size_t tt_vbyte__decode32_slow(uint32_t *out, const uint8_t *p, const uint8_t *end)
{
  if (TT_LIKELY(end - p >= TT_VBYTE_MAX32)) {              /* no bounds checks needed */
    uint32_t v = p[0], c;
    if (v < 0x80) { *out = v; return 1; }
    v &= 0x7F;
    VB_STEP(1) VB_STEP(2) VB_STEP(3)
    c = p[4];
    if (c > 0x0F || !c) return 0;
    *out = v | c << 28;
    return 5;
  }
  uint64_t v;
  size_t k = decode_checked(&v, p, end, TT_VBYTE_MAX32, 0x0F);
  if (k) *out = (uint32_t)v;
  return k;
}

size_t tt_vbyte__decode64_slow(uint64_t *out, const uint8_t *p, const uint8_t *end)
{
  if (TT_LIKELY(end - p >= TT_VBYTE_MAX64)) {
    uint64_t v = p[0], c;
    if (v < 0x80) { *out = v; return 1; }
    v &= 0x7F;
    VB_STEP(1) VB_STEP(2) VB_STEP(3) VB_STEP(4) VB_STEP(5) VB_STEP(6) VB_STEP(7) VB_STEP(8)
    c = p[9];
    if (c > 0x01 || !c) return 0;
    *out = v | c << 63;
    return 10;
  }
  return decode_checked(out, p, end, TT_VBYTE_MAX64, 0x01);
}

size_t tt_vbyte_decode32_n(uint32_t *out, size_t n, const uint8_t *p, const uint8_t *end)
{
  const uint8_t *q = p;
  for (size_t i = 0; i < n; i++) {
    size_t k = tt_vbyte_decode32(&out[i], q, end);
    if (!k) return 0;
    q += k;
  }
  return (size_t)(q - p);
}
