/* Near-duplicate lookup (indexer/dupindex.h). */
#include "indexer/dupindex.h"

#include <pthread.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/reader.h"
#include "text/simhash.h"

#define NBUCKETS 65536

struct tt_dupindex {
  uint64_t ndocs;
  uint64_t *fp;              /* ndocs: fingerprint per global doc, 0 = none or deleted */
  uint32_t *off[4];          /* NBUCKETS + 1 per band: start of each bucket in docs[band] */
  uint32_t *docs[4];         /* per band: the fingerprinted docs, bucket by bucket, ascending */
};

static inline unsigned band(uint64_t h, int b) { return (unsigned)(h >> (16 * b)) & 0xFFFF; }

int tt_dupindex_build(tt_dupindex **out, tt_reader *r)
{
  *out = NULL;
  uint64_t n = r->base[r->nsegs];
  if (n > UINT32_MAX) return tt_error_set(TT_EINVAL, "near-duplicate index: too many documents");
  tt_dupindex *ix = tt_calloc(1, sizeof *ix);
  TT_CHECK_ALLOC(ix);
  ix->ndocs = n;
  ix->fp = tt_malloc((n ? n : 1) * sizeof *ix->fp);
  int ok = ix->fp != NULL;
  for (int b = 0; b < 4 && ok; b++) ok = (ix->off[b] = tt_calloc(NBUCKETS + 1, sizeof(uint32_t))) != NULL;
  if (!ok) { tt_dupindex_free(ix); return tt_error_set(TT_ENOMEM, "out of memory"); }
  uint32_t nfp = 0;
  for (uint32_t s = 0; s < r->nsegs; s++) {
    const tt_segment *seg = &r->segs[s];
    for (uint32_t d = 0; d < seg->ndocs; d++) {
      uint64_t h = tt_seg_is_deleted(seg, d) ? TT_SIMHASH_NONE : tt_seg_simhash(seg, d);
      ix->fp[r->base[s] + d] = h;
      if (h == TT_SIMHASH_NONE) continue;
      nfp++;
      for (int b = 0; b < 4; b++) ix->off[b][band(h, b) + 1]++;
    }
  }
  for (int b = 0; b < 4 && ok; b++) {
    for (uint32_t k = 0; k < NBUCKETS; k++) ix->off[b][k + 1] += ix->off[b][k];
    ok = (ix->docs[b] = tt_malloc((nfp ? nfp : 1) * sizeof(uint32_t))) != NULL;
  }
  uint32_t *fill = ok ? tt_malloc(NBUCKETS * sizeof *fill) : NULL;
  if (!fill) { tt_dupindex_free(ix); return tt_error_set(TT_ENOMEM, "out of memory"); }
  for (int b = 0; b < 4; b++) {
    memcpy(fill, ix->off[b], NBUCKETS * sizeof *fill);
    for (uint64_t d = 0; d < n; d++)   /* ascending, so each bucket is sorted */
      if (ix->fp[d] != TT_SIMHASH_NONE) ix->docs[b][fill[band(ix->fp[d], b)]++] = (uint32_t)d;
  }
  tt_free(fill);
  *out = ix;
  return 0;
}

void tt_dupindex_free(tt_dupindex *ix)
{
  if (!ix) return;
  tt_free(ix->fp);
  for (int b = 0; b < 4; b++) { tt_free(ix->off[b]); tt_free(ix->docs[b]); }
  tt_free(ix);
}

uint64_t tt_dupindex_fp(const tt_dupindex *ix, uint64_t doc)
{
  return doc < ix->ndocs ? ix->fp[doc] : TT_SIMHASH_NONE;
}

size_t tt_dupindex_near(const tt_dupindex *ix, uint64_t doc, uint64_t *out, size_t cap)
{
  uint64_t h = tt_dupindex_fp(ix, doc);
  if (h == TT_SIMHASH_NONE) return 0;
  /* a doc in several of the four buckets is counted once: at the first band it is found in */
  size_t cnt = 0;
  for (int b = 0; b < 4; b++) {
    unsigned k = band(h, b);
    for (uint32_t i = ix->off[b][k]; i < ix->off[b][k + 1]; i++) {
      uint32_t d = ix->docs[b][i];
      if (d == doc || !tt_simhash_near(ix->fp[d], h)) continue;
      int seen = 0;
      for (int e = 0; e < b && !seen; e++) seen = band(ix->fp[d], e) == band(h, e);
      if (seen) continue;
      /* insertion into the sorted prefix kept in out */
      size_t at = cnt < cap ? cnt : cap;
      while (at > 0 && out[at - 1] > d) {
        if (at < cap) out[at] = out[at - 1];
        at--;
      }
      if (at < cap) out[at] = d;
      cnt++;
    }
  }
  return cnt;
}

int tt_reader__dups(tt_reader *r, const tt_dupindex **out)
{
  pthread_mutex_lock(&r->dups_lock);
  int rc = r->dups ? 0 : tt_dupindex_build(&r->dups, r);
  *out = r->dups;
  pthread_mutex_unlock(&r->dups_lock);
  return rc;
}
