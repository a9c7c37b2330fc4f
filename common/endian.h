/* Unaligned little-endian loads and stores. All on-disk integers are little-endian. */
#ifndef TT_COMMON_ENDIAN_H
#define TT_COMMON_ENDIAN_H

#include <stdint.h>
#include <string.h>

static inline uint16_t tt_load_le16(const void *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t tt_load_le32(const void *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t tt_load_le64(const void *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void tt_store_le16(void *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void tt_store_le32(void *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void tt_store_le64(void *p, uint64_t v) { memcpy(p, &v, 8); }

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "timtin assumes a little-endian host; add byte swaps here for big-endian targets"
#endif

#endif
