/* indexer/manifest: the small file naming the live segments of one commit.
 *
 * The manifest is the commit point: a commit writes new segment and deletion files, fsyncs
 * them, then replaces "manifest" atomically (indexer/fileio.h tt_file_replace_atomic). Files a
 * manifest does not name are garbage from an interrupted writer and are removed by the next
 * writer. Text format (one record a line, checksummed), documented in docs/format.md:
 *
 *   timtin-manifest 1
 *   generation G
 *   analyzer A
 *   next-segment N
 *   segment NAME DOCS DELGEN      (one line per segment, in doc-id order)
 *   checksum XXXXXXXXXXXXXXXX     (XXH3 of every byte before this line, hex) */
#ifndef TT_INDEXER_MANIFEST_H
#define TT_INDEXER_MANIFEST_H

#include <stdint.h>

#include "indexer/segment.h"

#define TT_MANIFEST_NAME   "manifest"
#define TT_ANALYZER_VERSION 1
#define TT_MANIFEST_MAX_SEGMENTS 4096

typedef struct tt_manifest_seg {
  char name[TT_SEG_NAME_MAX];
  uint32_t docs;
  uint32_t delgen;
} tt_manifest_seg;

typedef struct tt_manifest {
  uint64_t generation;
  uint32_t analyzer;
  uint32_t next_segment;
  uint32_t nsegs;
  tt_manifest_seg *segs;  /* tt_malloc'd */
} tt_manifest;

/* Read dir/manifest. TT_ENOTFOUND when there is none (a new index). */
int  tt_manifest_read(tt_manifest *m, const char *dir);
/* Write m as dir/manifest atomically. */
int  tt_manifest_write(const tt_manifest *m, const char *dir);
void tt_manifest_fini(tt_manifest *m);
int  tt_manifest_copy(tt_manifest *dst, const tt_manifest *src);

#endif
