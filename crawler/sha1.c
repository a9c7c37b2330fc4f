/* SHA-1 for WARC digests (crawler/sha1.h). Straight from FIPS 180-4 §6.1: 80 rounds over
 * 64-byte blocks, big-endian words. Checked against the FIPS test vectors in
 * tests/unit/crawler/test_warc.c. */
#include "crawler/sha1.h"

#include <string.h>

static uint32_t rol(uint32_t x, int n) { return (x << n) | (x >> (32 - n)); }

static void compress(uint32_t h[5], const unsigned char *p)
{
  uint32_t w[80];
  for (int i = 0; i < 16; i++)
    w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 | (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
  for (int i = 16; i < 80; i++) w[i] = rol(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
  uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];
  for (int i = 0; i < 80; i++) {
    uint32_t f, k;
    if (i < 20) { f = (b & c) | (~b & d); k = 0x5A827999; }
    else if (i < 40) { f = b ^ c ^ d; k = 0x6ED9EBA1; }
    else if (i < 60) { f = (b & c) | (b & d) | (c & d); k = 0x8F1BBCDC; }
    else { f = b ^ c ^ d; k = 0xCA62C1D6; }
    uint32_t t = rol(a, 5) + f + e + k + w[i];
    e = d; d = c; c = rol(b, 30); b = a; a = t;
  }
  h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void tt_sha1_init(tt_sha1 *s)
{
  static const uint32_t iv[5] = {0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0};
  memcpy(s->h, iv, sizeof iv);
  s->nbytes = 0;
  s->nblock = 0;
}

void tt_sha1_update(tt_sha1 *s, const void *data, size_t len)
{
  const unsigned char *p = data;
  s->nbytes += len;
  if (s->nblock) {
    size_t k = 64 - s->nblock < len ? 64 - s->nblock : len;
    memcpy(s->block + s->nblock, p, k);
    s->nblock += k; p += k; len -= k;
    if (s->nblock < 64) return;
    compress(s->h, s->block);
    s->nblock = 0;
  }
  for (; len >= 64; p += 64, len -= 64) compress(s->h, p);
  if (len) { memcpy(s->block, p, len); s->nblock = len; }
}

void tt_sha1_final(tt_sha1 *s, unsigned char out[20])
{
  uint64_t bits = s->nbytes * 8;
  unsigned char pad[72] = {0x80};
  size_t padlen = (s->nblock < 56 ? 56 : 120) - s->nblock;
  tt_sha1_update(s, pad, padlen);
  unsigned char len8[8];
  for (int i = 0; i < 8; i++) len8[i] = (unsigned char)(bits >> (56 - 8 * i));
  tt_sha1_update(s, len8, 8);
  for (int i = 0; i < 5; i++) {
    out[4 * i] = (unsigned char)(s->h[i] >> 24); out[4 * i + 1] = (unsigned char)(s->h[i] >> 16);
    out[4 * i + 2] = (unsigned char)(s->h[i] >> 8); out[4 * i + 3] = (unsigned char)s->h[i];
  }
}

void tt_sha1__base32(const unsigned char in[20], char out[33])
{
  static const char alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  /* 160 bits = 32 groups of 5 bits, no padding needed. */
  for (int i = 0; i < 32; i++) {
    int bit = i * 5, byte = bit / 8, off = bit % 8;
    unsigned v = (unsigned)in[byte] << 8 | (byte + 1 < 20 ? in[byte + 1] : 0);
    out[i] = alpha[(v >> (11 - off)) & 31];
  }
  out[32] = 0;
}
