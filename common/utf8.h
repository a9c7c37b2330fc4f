/* Strict UTF-8 decoding and encoding (RFC 3629: no overlongs, no surrogates, <= U+10FFFF). */
#ifndef TT_COMMON_UTF8_H
#define TT_COMMON_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define TT_UTF8_INVALID 0xFFFFFFFFu

/* Decode one code point from s (n > 0 bytes available). Stores the code point in *cp, or
 * TT_UTF8_INVALID for an ill-formed sequence; returns the bytes consumed (>= 1, never more
 * than n). An ill-formed sequence consumes its maximal valid prefix (at least one byte), the
 * "substitution of maximal subparts" practice of Unicode §3.9. */
static inline size_t tt_utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
  unsigned c = s[0];
  if (c < 0x80) { *cp = c; return 1; }
  size_t need; uint32_t v; unsigned lo = 0x80, hi = 0xBF;
  if (c >= 0xC2 && c <= 0xDF) { need = 1; v = c & 0x1F; }
  else if (c >= 0xE0 && c <= 0xEF) {
    need = 2; v = c & 0x0F;
    if (c == 0xE0) lo = 0xA0; else if (c == 0xED) hi = 0x9F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    need = 3; v = c & 0x07;
    if (c == 0xF0) lo = 0x90; else if (c == 0xF4) hi = 0x8F;
  } else { *cp = TT_UTF8_INVALID; return 1; }
  size_t i = 1;
  for (; i <= need; i++) {
    if (i >= n) { *cp = TT_UTF8_INVALID; return i; }
    unsigned d = s[i];
    if (d < lo || d > hi) { *cp = TT_UTF8_INVALID; return i; }
    lo = 0x80; hi = 0xBF;
    v = (v << 6) | (d & 0x3F);
  }
  *cp = v;
  return i;
}

/* Encode cp (<= 0x10FFFF) into out (4 bytes of room); returns the length. */
static inline size_t tt_utf8_encode(uint32_t cp, char *out)
{
  if (cp < 0x80) { out[0] = (char)cp; return 1; }
  if (cp < 0x800) { out[0] = (char)(0xC0 | (cp >> 6)); out[1] = (char)(0x80 | (cp & 0x3F)); return 2; }
  if (cp < 0x10000) {
    out[0] = (char)(0xE0 | (cp >> 12)); out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[2] = (char)(0x80 | (cp & 0x3F)); return 3;
  }
  out[0] = (char)(0xF0 | (cp >> 18)); out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
  out[2] = (char)(0x80 | ((cp >> 6) & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F));
  return 4;
}

#endif
