/* indexer/reader: the snapshot the query layer reads (internal view of tt_reader).
 * Global doc ids: segment i covers [base[i], base[i] + segs[i].ndocs). */
#ifndef TT_INDEXER_READER_H
#define TT_INDEXER_READER_H

#include <pthread.h>

#include "indexer/manifest.h"
#include "indexer/segment.h"
#include "timtin/index.h"

struct tt_reader {
  char dir[4096];
  tt_manifest man;
  uint32_t nsegs;
  tt_segment *segs;     /* nsegs, open */
  uint64_t *base;       /* nsegs + 1: first global doc id of each segment; base[nsegs] = total */
  uint64_t live_docs;   /* not deleted */
  double avg_title;     /* index-wide average field lengths (over all docs in segments) */
  double avg_body;
  struct tt_dupindex *dups;  /* near-duplicate lookup, built on first use (indexer/dupindex.h) */
  pthread_mutex_t dups_lock;
};

#endif
