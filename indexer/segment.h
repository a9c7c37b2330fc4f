/* indexer/segment: one immutable segment — its files, the builder that writes them and the
 * reader that maps them.
 *
 * A segment NAME (e.g. "seg-000007") owns four files in the index directory:
 *   NAME.dict   term dictionary (indexer/dict.h)
 *   NAME.post   postings lists (indexer/postings_codec.h), referenced from the dictionary
 *   NAME.docs   document store (indexer/docstore.h)
 *   NAME.dtab   doc table: field lengths, dates, URL hashes (layout at the top of segment.c)
 * and, once something in it is deleted, NAME.del-G (deletion bitmap of delete generation G).
 * Local doc ids are 0..ndocs-1 in the order documents were added. */
#ifndef TT_INDEXER_SEGMENT_H
#define TT_INDEXER_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "indexer/dict.h"
#include "indexer/docstore.h"
#include "indexer/fileio.h"
#include "timtin/analyze.h"
#include "timtin/article.h"

#define TT_POST_MAGIC "TTPOST01"
#define TT_DTAB_MAGIC "TTDTAB01"
#define TT_DELS_MAGIC "TTDELS01"
#define TT_SEG_VERSION 1
/* Doc table version: 2 adds the simhash column (v1 tables are still read: no fingerprints). */
#define TT_DTAB_VERSION 2
#define TT_SEG_NAME_MAX 32

/* ---------------------------------------------------------------- reader */

typedef struct tt_segment {
  char name[TT_SEG_NAME_MAX];
  tt_dict dict;
  tt_map post;
  tt_map dtab;
  tt_docstore *docs;
  uint32_t ndocs;
  uint32_t ndeleted;         /* bits set in del */
  uint64_t sum_title, sum_body; /* token counts, for average lengths */
  const uint8_t *title_len;  /* u32 LE x ndocs (in dtab) */
  const uint8_t *body_len;   /* u32 LE x ndocs */
  const uint8_t *published;  /* i64 LE x ndocs */
  const uint8_t *urls;       /* (u64 hash, u32 doc, u32 0) x ndocs, sorted by hash */
  const uint8_t *simhash;    /* u64 LE x ndocs (text/simhash.h); NULL in a v1 doc table */
  uint8_t *del;              /* deletion bitmap (ndocs bits), tt_malloc'd; NULL = none deleted */
  uint32_t delgen;           /* generation of the del file loaded (0 = none) */
  uint32_t pairs;            /* id of the syllable-pair list its terms were built with
                                (indexer/pairs.h), 0 = no pair terms */
} tt_segment;

/* Open segment name in dir with deletions of generation delgen (0 = none). verify != 0
 * checks every checksum. Returns 0 or TT_E* naming the file. */
int  tt_segment_open(tt_segment *s, const char *dir, const char *name, uint32_t delgen, int verify);
void tt_segment_close(tt_segment *s);

static inline uint32_t tt_seg_title_len(const tt_segment *s, uint32_t d)
{ uint32_t v; memcpy(&v, s->title_len + 4 * (size_t)d, 4); return v; }
static inline uint32_t tt_seg_body_len(const tt_segment *s, uint32_t d)
{ uint32_t v; memcpy(&v, s->body_len + 4 * (size_t)d, 4); return v; }
static inline int64_t tt_seg_published(const tt_segment *s, uint32_t d)
{ int64_t v; memcpy(&v, s->published + 8 * (size_t)d, 8); return v; }
/* Near-duplicate fingerprint of doc d, TT_SIMHASH_NONE (0) when it has none. */
static inline uint64_t tt_seg_simhash(const tt_segment *s, uint32_t d)
{ uint64_t v = 0; if (s->simhash) memcpy(&v, s->simhash + 8 * (size_t)d, 8); return v; }
static inline int tt_seg_is_deleted(const tt_segment *s, uint32_t d)
{ return s->del && (s->del[d >> 3] >> (d & 7) & 1); }

/* Drop the pages of s's mapped files from the process (they stay in the page cache and fault
 * back in when read): the writer calls it on its segments after each flush and merge, so that
 * what opening and URL lookups touched does not add up, segment after segment. */
void tt_segment_release_pages(tt_segment *s);

/* Local docs whose URL hash is h: calls fn for each (there is normally at most one). */
void tt_segment_find_url(const tt_segment *s, uint64_t h, void (*fn)(void *, uint32_t), void *ctx);

/* Check everything: envelopes and checksums, the dictionary, every postings list decodes with
 * docs < ndocs, the doc table, the document store. */
int tt_segment_verify(const char *dir, const char *name, uint32_t delgen);

/* Write a deletion bitmap file NAME.del-G. Returns 0 or an error. */
int tt_segment_write_del(const char *dir, const char *name, uint32_t gen, const uint8_t *bits,
                         uint32_t ndocs);

/* URL hash used everywhere (XXH3 of the URL bytes). */
uint64_t tt_url_hash(const char *url, size_t len);

/* ---------------------------------------------------------------- builder */

typedef struct tt_segbuild tt_segbuild;

int tt_segbuild_new(tt_segbuild **out, const char *dir, const char *name, int zstd_level);

/* Add an article whose title and body were analyzed with positions starting at 0 (title) and
 * title_end (body; title_end > every title position), plus field keywords (tokens flagged
 * TT_TOKEN_KEYWORD whose folded text is the whole key, e.g. "source:vnexpress"; see
 * docs/format.md). simhash must be tt_simhash_doc(a->body, a->body_len) (taken as an argument
 * so that a pipelined writer computes it on the analyzing thread), and so may be hash:
 * tt_inverter_hash_tokens() of the title's, body's and keywords' tokens in that order
 * (ntitle + nbody + nkw values), or NULL. *doc gets the local doc id. */
int tt_segbuild_add(tt_segbuild *b, const tt_article *a, const tt_token *title, size_t ntitle,
                    const tt_token *body, size_t nbody, const tt_token *kw, size_t nkw,
                    uint32_t title_end, uint64_t simhash, const uint64_t *hash, uint32_t *doc);

/* Let helpers compress b's document-store blocks (tt_dspool in indexer/docstore.h); p must
 * outlive b. Before the first add. */
void tt_segbuild_set_dspool(tt_segbuild *b, tt_dspool *p);

uint32_t tt_segbuild_ndocs(const tt_segbuild *b);
size_t   tt_segbuild_bytes(const tt_segbuild *b);   /* memory held */

/* Document-store dictionaries (indexer/docstore.h): use d (copied) instead of training them
 * from this segment's first documents (before the first add), and read back the ones decided
 * (returns 1; 0 while still collecting samples). A writer passes one segment's dictionaries
 * to the next, so that every segment of an index shares them and merges copy blocks as they
 * are. */
int tt_segbuild_use_dicts(tt_segbuild *b, const tt_docstore_dicts *d);
int tt_segbuild_get_dicts(const tt_segbuild *b, tt_docstore_dicts *out);

/* Write dict, post and dtab, finish the docstore, fsync all. Frees b in every case; on error
 * the segment's files are removed. */
int  tt_segbuild_finish(tt_segbuild *b);
/* The same with helper != 0: a second thread encodes the later half of the postings (by
 * stream bytes) into memory while this one writes the first half; the files are byte for byte
 * those of tt_segbuild_finish. Costs that half's encoded lists in memory until written (the
 * writer uses it for its last flush, when no second builder holds memory). */
int  tt_segbuild_finish_parallel(tt_segbuild *b, int helper);
void tt_segbuild_abort(tt_segbuild *b);  /* removes the files written so far; frees b */

/* Writing a segment from already-known postings (used by merge): */
typedef struct tt_segwriter tt_segwriter;
int tt_segwriter_new(tt_segwriter **out, const char *dir, const char *name, int zstd_level);
/* Documents first, in local id order; then terms in key order. simhash is the document's
 * near-duplicate fingerprint (tt_simhash_doc of its body, or TT_SIMHASH_NONE). */
int tt_segwriter_add_doc(tt_segwriter *w, const tt_docstore_rec *rec, uint32_t title_len,
                         uint32_t body_len, uint64_t simhash);
/* Append block b of s's document store as it is (no recompression; merge.c uses it for blocks
 * without deleted documents), with the doc table rows of its documents taken from s. */
int tt_segwriter_copy_block(tt_segwriter *w, const tt_segment *s, uint32_t b);
/* The document store of w compresses with s's dictionaries (call before the first document),
 * and whether s's blocks can be copied into w (same dictionaries). */
int tt_segwriter_use_dicts_of(tt_segwriter *w, const tt_segment *s);
int tt_segwriter_can_copy(tt_segwriter *w, const tt_segment *s);
typedef struct tt_segwriter_posting {
  uint32_t doc, tf_title, tf_body, npos;
  const uint32_t *pos;
} tt_segwriter_posting;
/* Record the pair list id in the doc table (0 by default: the terms hold no pair terms). */
void tt_segwriter_set_pairs(tt_segwriter *w, uint32_t id);
int tt_segwriter_begin_term(tt_segwriter *w, const char *key, size_t len, int positional);
int tt_segwriter_add_posting(tt_segwriter *w, const tt_segwriter_posting *p);
/* The same with p->pos holding the position gaps as lists store them (tt_plist_position_gaps:
 * first position, then each later one minus the one before minus 1). Trusted: the caller
 * guarantees the positions they describe increase and fit in 32 bits (merge.c passes what a
 * cursor checked), so nothing is converted and the list's bytes are those add_posting would
 * write for the same positions. */
int tt_segwriter_add_posting_gaps(tt_segwriter *w, const tt_segwriter_posting *p);
/* A hint: a posting for doc (a doc id of w) is coming soon; its length norms are loaded into
 * cache (a merge's postings visit the merged segment's documents out of order, and these loads
 * were the merge's main stall). Any doc id is safe. */
void tt_segwriter_prefetch_doc(const tt_segwriter *w, uint32_t doc);
int tt_segwriter_end_term(tt_segwriter *w);
int tt_segwriter_finish(tt_segwriter *w);
void tt_segwriter_abort(tt_segwriter *w);

#endif
