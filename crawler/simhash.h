/* Near-duplicate detection: 64-bit simhash over word 3-shingles, and an index that finds an
 * earlier fingerprint within a Hamming distance of 3 through four 16-bit bands (two
 * fingerprints within distance 3 agree exactly on at least one band). */
#ifndef TT_CRAWLER_SIMHASH_H
#define TT_CRAWLER_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

/* Fingerprint of text (UTF-8). *nwords gets the number of words seen. */
uint64_t tt_simhash__text(const char *s, size_t n, size_t *nwords);

static inline int tt_simhash__distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

typedef struct tt_simhash_index tt_simhash_index;

tt_simhash_index *tt_simhash__index_new(void);
void tt_simhash__index_free(tt_simhash_index *ix);
/* Find an earlier fingerprint within distance maxd; returns its id or -1. Then add h with id. */
long tt_simhash__index_match_add(tt_simhash_index *ix, uint64_t h, long id, int maxd);

#endif
