/* Unaligned little-endian loads and stores. All on-disk integers are little-endian. */
#ifndef TT_COMMON_ENDIAN_H
#define TT_COMMON_ENDIAN_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t tt_load_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t tt_load_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t tt_load_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void tt_store_le16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void tt_store_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void tt_store_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }

/* The first min(n, 8) bytes at p as a little-endian integer, the missing high bytes zero;
 * reads only those bytes. */
static inline uint64_t tt_load_le_upto64(const void *p, size_t n)
{
  const unsigned char *u = (const unsigned char *)p;
  if (n >= 8) return tt_load_le64(u);
  if (n >= 4)  /* two 4-byte loads; where they overlap they agree */
    return (uint64_t)tt_load_le32(u) | (uint64_t)tt_load_le32(u + n - 4) << (8 * (n - 4));
  if (n == 0) return 0;
  /* bytes 0, n/2 and n-1 cover the lengths 1 to 3 */
  return (uint64_t)u[0] | (uint64_t)u[n / 2] << (8 * (n / 2)) | (uint64_t)u[n - 1] << (8 * (n - 1));
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "timtin assumes a little-endian host; add byte swaps here for big-endian targets"
#endif

#endif
