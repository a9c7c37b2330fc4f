/* indexer/merge: merge several segments into one new segment, dropping deleted documents.
 * Documents keep their relative order (segment order, then local order); postings are
 * re-encoded with the new doc ids and impacts computed against the merged averages. */
#ifndef TT_INDEXER_MERGE_H
#define TT_INDEXER_MERGE_H

#include <stdint.h>

#include "indexer/segment.h"

/* dels[i] is the deletion bitmap to apply to in[i] (NULL = none). Writes segment name in dir
 * and fsyncs it; on error nothing of it remains. */
int tt_merge_segments(const char *dir, const char *name, const tt_segment *const *in,
                      const uint8_t *const *dels, uint32_t n, int zstd_level);

/* The writer's estimate of a background merge's working set, fixed + per_doc bytes per input
 * document, which must fit in a quarter of the memory budget (indexer/writer.c). Tests set
 * (0, 0) to run every merge in the background; (6 MiB, 160) is the default. Not thread-safe:
 * call with no writer open. */
void tt_writer_set_background_merge_cost(uint64_t fixed, uint64_t per_doc);

#endif
