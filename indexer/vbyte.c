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

size_t tt_vbyte__decode32_slow(uint32_t *out, const uint8_t *p, const uint8_t *end)
{
  uint32_t v = 0;
  for (size_t i = 0; i < TT_VBYTE_MAX32; i++) {
    if ((size_t)(end - p) <= i) return 0;         /* truncated */
    uint32_t c = p[i];
    if (i == 4 && c > 0x0F) return 0;             /* more than 32 bits (or a 6th byte) */
    v |= (c & 0x7F) << (7 * i);
    if (c < 0x80) {
      if (c == 0 && i > 0) return 0;              /* over-long */
      *out = v;
      return i + 1;
    }
  }
  return 0;
}

size_t tt_vbyte_decode64(uint64_t *out, const uint8_t *p, const uint8_t *end)
{
  uint64_t v = 0;
  for (size_t i = 0; i < TT_VBYTE_MAX64; i++) {
    if ((size_t)(end - p) <= i) return 0;
    uint64_t c = p[i];
    if (i == 9 && c > 0x01) return 0;             /* more than 64 bits */
    v |= (c & 0x7F) << (7 * i);
    if (c < 0x80) {
      if (c == 0 && i > 0) return 0;
      *out = v;
      return i + 1;
    }
  }
  return 0;
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
