/* indexer/docstore: the compressed document store of a segment (metadata + original text).
 *
 * One file per segment maps dense doc ids 0..n-1 (assigned by the writer in the order documents
 * are added) to url, title, source, id, published and body. The segment writer adds documents;
 * snippets, result lists and export read them back. Documents are grouped into ~64 KiB blocks,
 * each block stored as two zstd frames, metadata then bodies, so a result list
 * (tt_docstore_get_meta) never decompresses a body. The byte layout is at the top of
 * docstore.c and in docs/docstore.md.
 *
 * Threads: a tt_docstore is immutable after open and may be shared by any number of threads,
 * provided each thread reads through its own tt_docstore_cache (tt_docstore_get_with). The
 * convenience calls tt_docstore_get / tt_docstore_get_meta use a cache built into the reader
 * and are therefore for one thread at a time. */
#ifndef TT_INDEXER_DOCSTORE_H
#define TT_INDEXER_DOCSTORE_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/article.h"

#define TT_DOCSTORE_MAGIC     "TTDOCS01"
#define TT_DOCSTORE_VERSION   2u   /* written; readers also open version 1 */

/* Writer limits (TT_EINVAL beyond them); readers refuse files that exceed them. */
#define TT_DOCSTORE_MAX_FIELD (1u << 20)    /* url, title, source, id: 1 MiB each */
#define TT_DOCSTORE_MAX_BODY  (1u << 30)    /* body: 1 GiB */
#define TT_DOCSTORE_MAX_DOCS  0xFFFFFFFEu   /* doc ids are uint32_t */

/* One document. On write the pointers are borrowed for the duration of the call; NULL is
 * allowed when the length is 0. On read they point into the cache (see tt_docstore_get):
 * every field is followed by a NUL byte (not counted in its length), so the strings can be
 * handed to C APIs; the body may also contain NUL bytes. */
typedef struct tt_docstore_rec {
  const char *url;     size_t url_len;
  const char *title;   size_t title_len;
  const char *source;  size_t source_len;
  const char *body;    size_t body_len;     /* tt_docstore_get_meta: body NULL, body_len set */
  const char *id;      size_t id_len;
  int64_t published;                        /* seconds since the epoch, or TT_DATE_UNKNOWN */
} tt_docstore_rec;

/* The record view of an article (no copy). */
static inline tt_docstore_rec tt_docstore_rec_from_article(const tt_article *a)
{
  tt_docstore_rec r = {a->url, a->url_len, a->title, a->title_len, a->source, a->source_len,
                       a->body, a->body_len, a->id, a->id_len, a->published};
  return r;
}

/* ---------------------------------------------------------------- writer */

typedef struct tt_docstore_writer tt_docstore_writer;

/* Create path (must not exist) and write its header. level is the zstd level: 0 means the
 * default (3); negative levels are zstd's fast modes. *out is set only on success.
 * Returns 0, TT_EINVAL (level out of zstd's range), TT_EIO or TT_ENOMEM. */
int tt_docstore_writer_open(tt_docstore_writer **out, const char *path, int level);

/* Compression dictionaries (zstd, one for metadata frames, one for body frames; either may be
 * empty = none). Pointers are borrowed: into the reader's mapping, or the writer's copy. */
typedef struct tt_docstore_dicts {
  const void *meta; size_t meta_len;
  const void *body; size_t body_len;
} tt_docstore_dicts;

/* Use d (copied) for every frame of this file instead of training dictionaries from its first
 * documents; NULL or empty lengths: no dictionary. Only before the first add or copy
 * (TT_EINVAL after). A segment writer passes the dictionaries of an earlier segment of the
 * same index, so that a merge can copy its blocks compressed (tt_docstore_writer_can_copy).
 * Returns 0, TT_EINVAL, TT_ENOMEM or TT_ERROR (zstd refused a dictionary). */
int tt_docstore_writer_use_dicts(tt_docstore_writer *w, const tt_docstore_dicts *d);

/* The dictionaries w compresses with, once decided (given by use_dicts, or trained from the
 * first ~4 MiB of documents): returns 1 and fills *out, else 0 (still collecting samples). */
int tt_docstore_writer_get_dicts(const tt_docstore_writer *w, tt_docstore_dicts *out);

/* Append a document. Returns its doc id (0, 1, 2, ... in call order) or a negative TT_E* code:
 *  - TT_EINVAL for a record beyond the limits above: nothing is written, no id is used, the
 *    writer stays usable (the caller may skip the document);
 *  - TT_EIO / TT_ENOMEM / TT_ERROR (compression) are sticky: the writer is poisoned, every later
 *    call returns the same error, and finish() will refuse to complete the file. */
int64_t tt_docstore_writer_add(tt_docstore_writer *w, const tt_docstore_rec *rec);

/* Compression helpers. A pool lets another thread compress a writer's closed blocks: the
 * writer queues each full block (after the dictionaries are decided) instead of compressing it,
 * goes on, and writes the queued blocks in order as they come back; a block no helper has
 * taken when TT_DSPOOL_DEPTH are queued, or at finish, the writer compresses itself, so it
 * never waits for a helper that does not come (only for one that is in the middle of a block).
 * The frames are the bytes the writer would have written (same parameters, same pieces).
 * notify(ctx) is called, outside every lock of the pool, after a block is queued (a waiting
 * helper may want to wake). Returns 0 or TT_ENOMEM. */
typedef struct tt_dspool tt_dspool;
#define TT_DSPOOL_DEPTH 3
int  tt_dspool_new(tt_dspool **out, void (*notify)(void *ctx), void *ctx);
/* Every writer that used the pool must be finished or aborted first. NULL is a no-op. */
void tt_dspool_free(tt_dspool *p);
/* Whether a queued block waits for a helper (a hint: it may be taken the next moment). */
int  tt_dspool_pending(tt_dspool *p);
/* Compress one queued block, if any: returns 1 if one was done, 0 if none waited. One helper
 * thread at a time (the pool has one compression context for helpers). */
int  tt_dspool_help(tt_dspool *p);
/* Queue w's full blocks in p from now on (before the first add). */
void tt_docstore_writer_set_pool(tt_docstore_writer *w, tt_dspool *p);

/* Documents added so far (= the next doc id). */
uint32_t tt_docstore_writer_count(const tt_docstore_writer *w);

/* Write the last block, the block table and the footer, fsync, close, and free w.
 * Returns 0 (file complete and durable; fsync its directory to make the name durable), or the
 * first error of the writer's life, in which case the file is removed. w is freed in every
 * case; NULL returns TT_EINVAL. */
int tt_docstore_writer_finish(tt_docstore_writer *w);

/* Close, remove the file and free w. NULL is a no-op. */
void tt_docstore_writer_abort(tt_docstore_writer *w);

/* ---------------------------------------------------------------- reader */

typedef struct tt_docstore tt_docstore;
typedef struct tt_docstore_cache tt_docstore_cache;

/* Map path, check its envelope and validate the whole block table (O(blocks), no
 * decompression). verify_checksum != 0 also checks the file's XXH3 (reads every byte: do it
 * once when a segment is first opened, not on every open). Each zstd frame additionally carries
 * its own content checksum, verified whenever it is decompressed. *out is set only on success.
 * Returns 0, TT_ENOTFOUND, TT_EIO, TT_ENOMEM, TT_EFORMAT (not a docstore or a newer version)
 * or TT_ECORRUPT; the message names the path and the offset. */
int tt_docstore_open(tt_docstore **out, const char *path, int verify_checksum);

/* Unmap and free r (and its built-in cache). NULL is a no-op. Caches used with r must not be
 * used with it afterwards (they may still be used with other readers, or freed). */
void tt_docstore_close(tt_docstore *r);

/* Number of documents (valid ids are 0 .. count-1). */
uint32_t tt_docstore_count(const tt_docstore *r);

/* Path as opened (borrowed; valid until close). */
const char *tt_docstore_path(const tt_docstore *r);

/* Fetch doc into *out using the reader's built-in cache (not thread-safe: one thread at a time
 * per reader). Decompresses the document's block unless it is cached; the cache keeps the two
 * most recently used blocks.
 * Lifetime: the pointers in *out are valid until the next get/get_meta on this reader, or its
 * close, whichever comes first. Copy what must outlive that.
 * Returns 0, TT_ENOTFOUND (doc >= count), TT_ECORRUPT (message names path and offset) or
 * TT_ENOMEM. *out is unspecified on error. */
int tt_docstore_get(tt_docstore *r, uint32_t doc, tt_docstore_rec *out);

/* As tt_docstore_get, but decompresses only the block's metadata frame: out->body is NULL and
 * out->body_len is the body's length. For result lists. */
int tt_docstore_get_meta(tt_docstore *r, uint32_t doc, tt_docstore_rec *out);

/* A per-thread decompression cache (two block slots and a zstd context), usable with any
 * number of readers. One cache must not be used by two threads at once. */
int tt_docstore_cache_new(tt_docstore_cache **out);
void tt_docstore_cache_free(tt_docstore_cache *c);   /* NULL is a no-op */

/* Thread-safe form of get: r may be shared, c belongs to the calling thread. The pointers in
 * *out are valid until the next call with the same cache, tt_docstore_cache_free(c) or
 * tt_docstore_close(r). with_body = 0 is get_meta. Returns as tt_docstore_get. */
int tt_docstore_get_with(const tt_docstore *r, tt_docstore_cache *c, uint32_t doc,
                         int with_body, tt_docstore_rec *out);

/* The dictionaries of r (both lengths 0 for a version-1 file or one written without). */
void tt_docstore_get_dicts(const tt_docstore *r, tt_docstore_dicts *out);

/* Figures for `timtin check`, stats and benchmarks. */
typedef struct tt_docstore_stats {
  uint32_t docs;
  uint32_t blocks;
  uint64_t file_bytes;       /* size of the file */
  uint64_t raw_bytes;        /* uncompressed bytes of all blocks (metadata + bodies) */
  uint64_t meta_raw_bytes;   /* uncompressed metadata frames */
  uint64_t meta_bytes;       /* compressed metadata frames */
  uint64_t body_bytes;       /* compressed body frames */
  uint64_t dict_bytes;       /* the two compression dictionaries */
} tt_docstore_stats;

void tt_docstore_stat(const tt_docstore *r, tt_docstore_stats *out);

/* Full check for `timtin check`: envelope + file checksum + block table, then every block
 * decompressed and every record decoded against the structural invariants. Returns 0 or the
 * first problem found (TT_ECORRUPT / TT_EFORMAT / TT_ENOTFOUND / TT_EIO / TT_ENOMEM; the
 * message names the path and offset). */
int tt_docstore_verify(const char *path);

/* Drop the reader's mapped pages from the process (they stay in the page cache and fault back
 * in on the next access): a merge calls it after copying a store, so that resident memory does
 * not grow with the size of what it reads. */
void tt_docstore_release_pages(tt_docstore *r);

/* ---------------------------------------------------------------- merge side */

/* Blocks of r, and the documents of block b (b < tt_docstore_blocks(r)): [*first, *first + *n). */
uint32_t tt_docstore_blocks(const tt_docstore *r);
void tt_docstore_block_docs(const tt_docstore *r, uint32_t b, uint32_t *first, uint32_t *n);

/* 1 when w can take r's blocks as they are: w's dictionaries (decided) are byte for byte r's.
 * Otherwise a merge re-adds the documents (decompressed and compressed again). */
int tt_docstore_writer_can_copy(tt_docstore_writer *w, const tt_docstore *r);

/* Append block b of r to w as it is (its two compressed frames, no recompression), after
 * closing w's open block; its documents get the next ids of w. The frames' headers are checked
 * first (a zstd frame of the size the table says: TT_ECORRUPT naming r's path otherwise, w
 * untouched); their content checksums are verified when the copy is read.
 * Returns 0, TT_ECORRUPT, TT_EINVAL (!tt_docstore_writer_can_copy(w, r)), or w's sticky error
 * (TT_EIO / TT_ENOMEM / TT_ERROR). */
int tt_docstore_writer_copy_block(tt_docstore_writer *w, const tt_docstore *r, uint32_t b);

/* Reading r in doc order (a merge): drop the mapped pages of the blocks before doc's block
 * from the process, from *mark (a file offset the caller keeps, 0 at first) on, once at least
 * 1 MiB is due; *mark moves to where the release stopped. */
void tt_docstore_release_before(tt_docstore *r, uint32_t doc, uint64_t *mark);

/* Semi-private, for tests and benchmarks: change the target uncompressed block size (default
 * 64 KiB; >= 1) before the first add. */
void tt_docstore_writer__set_block_size(tt_docstore_writer *w, size_t bytes);

/* Semi-private, for tests: train the dictionaries once this many uncompressed bytes are
 * buffered (default 4 MiB), and train at all from min bytes (default 512 KiB; smaller files get
 * no dictionary). Before the first add. */
void tt_docstore_writer__set_training(tt_docstore_writer *w, size_t bytes, size_t min);
/* The same for every writer opened afterwards in this process (0, 0: the defaults again). Not
 * thread-safe: for tests that index through tt_writer. */
void tt_docstore__set_default_training(size_t bytes, size_t min);

#endif
