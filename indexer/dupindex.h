/* indexer/dupindex: near-duplicate lookup over a reader snapshot.
 *
 * Each live document's fingerprint (doc table, text/simhash.h) sits in four bucket tables, one
 * per 16-bit band; two fingerprints within distance 3 share at least one band, so the near
 * copies of a document are found among the few documents of its four buckets. Built on first
 * use per reader (tt_reader__dups): two counting passes over the doc tables, O(ndocs) time and
 * 8 + 4·4 bytes per document plus 1 MiB of bucket offsets. */
#ifndef TT_INDEXER_DUPINDEX_H
#define TT_INDEXER_DUPINDEX_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/index.h"

typedef struct tt_dupindex tt_dupindex;

/* Build the index of r's live documents. Returns 0 or TT_ENOMEM / TT_EINVAL (more than
 * UINT32_MAX documents). */
int  tt_dupindex_build(tt_dupindex **out, tt_reader *r);
void tt_dupindex_free(tt_dupindex *ix);

/* Fingerprint of global doc (0: none, or deleted). */
uint64_t tt_dupindex_fp(const tt_dupindex *ix, uint64_t doc);

/* The live documents other than doc within TT_SIMHASH_MAX_DIST of it, in ascending doc order:
 * writes the first min(count, cap) to out and returns the count. */
size_t tt_dupindex_near(const tt_dupindex *ix, uint64_t doc, uint64_t *out, size_t cap);

/* The reader's index, built on first call (thread-safe). Returns 0 or an error. */
int tt_reader__dups(tt_reader *r, const tt_dupindex **out);

#endif
