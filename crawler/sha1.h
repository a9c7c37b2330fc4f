/* SHA-1 (FIPS 180-4), our own small implementation, for WARC-Payload-Digest and
 * WARC-Block-Digest. SHA-1 is what WARC tools expect there; it is not used for security. */
#ifndef TT_CRAWLER_SHA1_H
#define TT_CRAWLER_SHA1_H

#include <stddef.h>
#include <stdint.h>

typedef struct tt_sha1 {
  uint32_t h[5];
  uint64_t nbytes;
  unsigned char block[64];
  size_t nblock;
} tt_sha1;

void tt_sha1_init(tt_sha1 *s);
void tt_sha1_update(tt_sha1 *s, const void *data, size_t len);
void tt_sha1_final(tt_sha1 *s, unsigned char out[20]);

/* RFC 4648 base32 of 20 bytes: 32 characters plus a NUL. */
void tt_sha1__base32(const unsigned char in[20], char out[33]);

#endif
