/* text/simhash: near-duplicate fingerprints shared by the crawler (dup_of in extracted JSONL)
 * and the indexer (one fingerprint per document in the doc table, used to group search hits).
 *
 * 64-bit simhash over word 3-shingles, and an index that finds an earlier fingerprint within a
 * Hamming distance of 3 through four 16-bit bands (two fingerprints within distance 3 agree
 * exactly on at least one band). */
#ifndef TT_TEXT_SIMHASH_H
#define TT_TEXT_SIMHASH_H

#include <stddef.h>
#include <stdint.h>

/* Texts with fewer words get no fingerprint: a few shingles say nothing about copying. */
#define TT_SIMHASH_MIN_WORDS 40
/* Two fingerprints within this Hamming distance are copies of one story. */
#define TT_SIMHASH_MAX_DIST 3
/* "No fingerprint" (short text, or a segment written before fingerprints were stored). */
#define TT_SIMHASH_NONE 0

/* Fingerprint of text (UTF-8). *nwords gets the number of words seen. */
uint64_t tt_simhash_text(const char *s, size_t n, size_t *nwords);

/* The fingerprint stored per document: tt_simhash_text of the body, TT_SIMHASH_NONE when it has
 * fewer than TT_SIMHASH_MIN_WORDS words (a computed 0 becomes 1, one bit away). */
uint64_t tt_simhash_doc(const char *body, size_t n);

static inline int tt_simhash_distance(uint64_t a, uint64_t b) { return __builtin_popcountll(a ^ b); }

/* Whether a and b are near-duplicates: both fingerprinted and within TT_SIMHASH_MAX_DIST. */
static inline int tt_simhash_near(uint64_t a, uint64_t b)
{
  return a != TT_SIMHASH_NONE && b != TT_SIMHASH_NONE && tt_simhash_distance(a, b) <= TT_SIMHASH_MAX_DIST;
}

typedef struct tt_simhash_index tt_simhash_index;

tt_simhash_index *tt_simhash_index_new(void);
void tt_simhash_index_free(tt_simhash_index *ix);
/* Find an earlier fingerprint within distance maxd; returns its id or -1. Then add h with id. */
long tt_simhash_index_match_add(tt_simhash_index *ix, uint64_t h, long id, int maxd);

#endif
