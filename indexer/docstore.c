/* The compressed document store: writer, reader with per-thread block caches, and verifier.
 *
 * The segment writer calls tt_docstore_writer_* once per document; query-time code (result
 * lists, snippets, export) and `timtin check` read through tt_docstore_*. The contracts are in
 * indexer/docstore.h; this comment owns the byte layout (mirrored in docs/docstore.md).
 *
 * FILE LAYOUT, version 2 (all integers little-endian, no alignment, no padding)
 *
 *   file   := header block* dicts table tail footer
 *   header := "TTDOCS01" u32:version=2 u32:flags=0                      (fileio envelope, 16 B)
 *   block  := meta_frame body_frame
 *             Two complete zstd frames, each with its content size in the frame header and a
 *             zstd content checksum, no dictionary id. Block 0 starts at offset 16; every block
 *             starts where the previous one ends; the dictionaries start where the last block
 *             ends. Meta frames are compressed with meta_dict, body frames with body_dict
 *             (an empty dictionary: none).
 *   dicts  := meta_dict body_dict     zstd dictionaries (ZDICT format), lengths in the tail,
 *             each <= 4 MiB; the table starts where they end
 *   table  := entry[nblocks]                                            (32 B each)
 *   entry  := u64:offset        file offset of meta_frame
 *             u32:meta_csize    bytes of meta_frame    (body_frame starts at offset+meta_csize)
 *             u32:meta_usize    decompressed size of meta_frame (== its frame content size)
 *             u32:body_csize    bytes of body_frame
 *             u32:body_usize    decompressed size of body_frame (== its frame content size)
 *             u32:first_doc     id of the block's first document (== sum of earlier ndocs)
 *             u32:ndocs         documents in the block, >= 1
 *   tail   := u64:table_offset u32:nblocks u32:ndocs u64:raw_bytes u32:block_target u32:0
 *             u64:dict_offset u32:meta_dict_len u32:body_dict_len
 *             (48 B; ndocs == sum of entry.ndocs; raw_bytes == sum of meta_usize+body_usize;
 *             block_target is informational; dict_offset + both lengths == table_offset)
 *
 *   Version 1 (still read): no dicts, a 32-byte tail without the last three fields, frames
 *   compressed without a dictionary.
 *   footer := u64:XXH3(all bytes before the footer) "TTDOCS01"          (fileio envelope, 16 B)
 *
 *   Decompressed meta_frame, for the block's n documents in id order:
 *     u32:n (== entry.ndocs)
 *     rec[n]        28 B each: i64:published u32:url_len u32:title_len u32:source_len
 *                              u32:id_len u32:body_len
 *     strings       for each document: url 0x00 title 0x00 source 0x00 id 0x00
 *     meta_usize == 4 + 28n + sum(field lengths) + 4n exactly.
 *   Decompressed body_frame: for each document: body 0x00
 *     body_usize == sum(body_len) + n exactly.
 *
 * WHY TWO FRAMES PER BLOCK. Result lists need url/title/source/published of 10-50 documents
 * spread over many blocks. With metadata in its own frame, tt_docstore_get_meta decompresses
 * a few hundred bytes to a few KiB per block instead of ~64 KiB, and never touches a body.
 * Fixed-width records make the decoder trivial to bound; zstd squeezes their zero bytes.
 * The NUL after every field costs ~5 bytes per document before compression and lets readers
 * hand fields to C string APIs without copying.
 *
 * DICTIONARIES. Metadata frames (~3 KB) and 64 KiB body frames compress far better with a
 * dictionary of what recurs between documents (sources, URL prefixes, common phrases): on
 * the 100k generated corpus the store shrinks 22% at the same CPU (docs/docstore.md). The
 * writer either is given them (tt_docstore_writer_use_dicts: the index writer hands every new
 * segment the dictionaries of the first, so that all segments share them and a merge copies
 * blocks compressed) or trains them: closed blocks wait uncompressed until 4 MiB are
 * buffered, then fastCover trains a 32 KiB metadata and a 128 KiB body dictionary from them
 * (one sample per document) and the waiting blocks are compressed. Less than 512 KiB of
 * documents in the whole file: no dictionary.
 *
 * BLOCKING. A block is closed before a document that would take its uncompressed size (meta +
 * body, framing included) past block_target (64 KiB); a document that alone reaches the target
 * becomes a block of its own, compressed by streaming straight from the caller's memory, so a
 * 500 MB body costs no copy and only zstd's fixed window in the writer.
 *
 * HOSTILE INPUT. tt_docstore_open validates the envelope and every table entry (offsets in
 * range and contiguous, sizes within the caps below, doc counts consistent) before anything is
 * decompressed; loading a block checks both frames' declared content sizes against the table,
 * that each frame is exactly one frame filling its extent, the zstd checksum, and every record
 * length and terminator against the decompressed size. Failures are TT_ECORRUPT naming the path
 * and file offset (ds_corrupt). */
#include "indexer/docstore.h"

#include "common/alloc.h"
#include "common/buf.h"
#include "common/endian.h"
#include "common/error.h"
#include "indexer/fileio.h"

#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#define ZSTD_STATIC_LINKING_ONLY  /* ZSTD_createDDict_byReference: dictionaries stay in the mapping */
#include <zstd.h>
#define ZDICT_STATIC_LINKING_ONLY  /* ZDICT_trainFromBuffer_fastCover with fixed parameters */
#include <zdict.h>

#define DS_REC_LEN        28u              /* fixed part of a record in the meta frame */
#define DS_REC_MIN        (DS_REC_LEN + 4u)  /* record + the 4 NULs of its strings */
#define DS_ENTRY_LEN      32u
#define DS_TAIL_LEN_V1    32u
#define DS_TAIL_LEN       48u              /* version 2: the v1 tail + dict offset and lengths */
/* Dictionaries (version 2): trained from the first DS_TRAIN_BYTES of uncompressed blocks, at
 * all only from DS_TRAIN_MIN; sizes measured on the 100k generated corpus (docs/docstore.md). */
#define DS_TRAIN_BYTES    (4u * 1024u * 1024u)
#define DS_TRAIN_MIN      (512u * 1024u)
#define DS_META_DICT      (32u * 1024u)
#define DS_BODY_DICT      (128u * 1024u)
#define DS_MAX_DICT       (4u * 1024u * 1024u)   /* reader cap on each dictionary */
#define DS_BLOCK_TARGET   (64u * 1024u)
#define DS_MAX_TARGET     (16u * 1024u * 1024u)
/* Reader caps on one block's frames (writer output is far below: the meta frame of a block is
 * < block_target + one document's fields, the body frame < block_target + one body). */
#define DS_MAX_META_USIZE (64u * 1024u * 1024u)
#define DS_MAX_BODY_USIZE ((uint64_t)TT_DOCSTORE_MAX_BODY + DS_MAX_TARGET + 64u)

/* ================================================================ writer */

/* Training thresholds of new writers (tests lower them: tt_docstore__set_default_training). */
static size_t ds_train_bytes = DS_TRAIN_BYTES, ds_train_min = DS_TRAIN_MIN;

struct tt_docstore_writer {
  tt_wfile *f;            /* the file being written */
  ZSTD_CCtx *cctx;        /* parameters set once at open */
  int rc;                 /* sticky error */
  char msg[640];          /* message of the first error */
  uint32_t ndocs;         /* documents added = next id */
  uint32_t blk_ndocs;     /* documents in the open block */
  uint32_t nblocks;       /* blocks written */
  size_t block_target;    /* close a block before it would exceed this (uncompressed) */
  uint64_t raw_bytes;     /* sum of uncompressed frame sizes written */
  tt_buf recs;            /* open block: u32 count + fixed records */
  tt_buf strs;            /* open block: strings with their NULs */
  tt_buf bodies;          /* open block: bodies with their NULs */
  tt_buf table;           /* block table entries written so far */
  unsigned char *out;     /* compressed staging buffer, ZSTD_CStreamOutSize() bytes */
  size_t out_cap;
  int level;              /* zstd level (for the dictionaries) */
  int decided;            /* the dictionaries are chosen; until then blocks wait in pend */
  tt_buf dmeta, dbody;    /* the dictionaries' bytes (n == 0: none) */
  ZSTD_CDict *cmeta, *cbody;  /* ... digested for compression */
  tt_buf pend;            /* undecided: closed blocks, uncompressed, meta then body bytes */
  tt_buf pend_idx;        /* ... and per block u32 meta_len, body_len, first_doc, ndocs */
  size_t train_bytes, train_min;
  uint64_t same_uid;      /* reader last found to have the same dictionaries (0 = none) */
  tt_dspool *pool;        /* helpers for full blocks (NULL: compress each block here) */
  struct ds_job *jhead, *jtail;  /* queued blocks, in block order (under pool->mu) */
  unsigned njobs;
  struct ds_job *jfree;   /* written jobs, kept for their buffers */
};

/* A full block queued for compression (tt_dspool): its raw pieces, then its frames. The
 * state changes under the pool's mutex; the pieces and frames belong to whoever took it. */
enum { DS_JOB_WAITING, DS_JOB_TAKEN, DS_JOB_DONE };
typedef struct ds_job {
  struct ds_job *next;    /* the writer's queue, or its free list */
  struct ds_job *pnext;   /* the pool's list of waiting jobs */
  const ZSTD_CDict *cmeta, *cbody;  /* the writer's (alive until its queue is empty) */
  int level;
  tt_buf recs, strs, bodies;  /* the block's pieces, as dsw_emit takes them */
  uint64_t meta_usize, body_usize;
  uint32_t first, ndocs;
  tt_buf zmeta, zbody;    /* the two frames */
  int state;
  int rc;                 /* compression error (message in msg) */
  char msg[256];
} ds_job;

struct tt_dspool {
  pthread_mutex_t mu;
  pthread_cond_t done;    /* a helper finished a job */
  ds_job *whead, *wtail;  /* jobs waiting for anyone, oldest first */
  atomic_int nwait;
  ZSTD_CCtx *cctx;        /* the helper's, parameters as a writer's, level hlevel */
  int hlevel;
  unsigned char *stage;   /* the helper's staging buffer, ZSTD_CStreamOutSize() bytes */
  size_t stage_cap;
  void (*notify)(void *);
  void *ctx;
};

static int dsw_fail(tt_docstore_writer *w, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
static int dsw_fail(tt_docstore_writer *w, int code, const char *fmt, ...)
{
  if (w->rc == 0) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(w->msg, sizeof w->msg, fmt, ap);
    va_end(ap);
    w->rc = code;
  }
  return tt_error_set(w->rc, "%s", w->msg);
}

/* After a tt_wfile call: adopt its sticky error (its message is in tt_error_last()). */
static int dsw_check_file(tt_docstore_writer *w)
{
  int rc = tt_wfile_error(w->f);
  return rc ? dsw_fail(w, rc, "%s", tt_error_last()) : 0;
}

static void dsw_jobs_drop(tt_docstore_writer *w);
static int ds_set_params(ZSTD_CCtx *c, int level);

static void dsw_free(tt_docstore_writer *w)
{
  dsw_jobs_drop(w);
  ZSTD_freeCCtx(w->cctx);
  ZSTD_freeCDict(w->cmeta);
  ZSTD_freeCDict(w->cbody);
  tt_buf_fini(&w->dmeta);
  tt_buf_fini(&w->dbody);
  tt_buf_fini(&w->pend);
  tt_buf_fini(&w->pend_idx);
  tt_buf_fini(&w->recs);
  tt_buf_fini(&w->strs);
  tt_buf_fini(&w->bodies);
  tt_buf_fini(&w->table);
  tt_free(w->out);
  tt_free(w);
}

/* Start an empty block: the u32 count is patched in when the block is written. */
static int dsw_block_reset(tt_docstore_writer *w)
{
  tt_buf_reset(&w->recs);
  tt_buf_reset(&w->strs);
  tt_buf_reset(&w->bodies);
  w->blk_ndocs = 0;
  static const unsigned char zero4[4];
  return tt_buf_append(&w->recs, zero4, 4) ? TT_ENOMEM : 0;
}

int tt_docstore_writer_open(tt_docstore_writer **out, const char *path, int level)
{
  TT_RETURN_IF(!out || !path, TT_EINVAL, "tt_docstore_writer_open: no path");
  *out = NULL;
  if (level == 0) level = 3;
  TT_RETURN_IF(level < ZSTD_minCLevel() || level > ZSTD_maxCLevel(), TT_EINVAL,
               "%s: zstd level %d out of range %d..%d", path, level, ZSTD_minCLevel(),
               ZSTD_maxCLevel());
  tt_docstore_writer *w = tt_calloc(1, sizeof *w);
  TT_CHECK_ALLOC(w);
  int rc = 0;
  w->block_target = DS_BLOCK_TARGET;
  w->level = level;
  w->train_bytes = ds_train_bytes;
  w->train_min = ds_train_min;
  w->out_cap = ZSTD_CStreamOutSize();
  w->out = tt_malloc(w->out_cap);
  w->cctx = ZSTD_createCCtx();
  if (!w->out || !w->cctx || dsw_block_reset(w)) {
    rc = tt_error_set(TT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  if (ds_set_params(w->cctx, level)) {
    rc = tt_error_set(TT_ERROR, "%s: cannot set zstd parameters", path);
    goto fail;
  }
  if ((rc = tt_wfile_open(&w->f, path)) != 0) goto fail;
  tt_file_header_write(w->f, TT_DOCSTORE_MAGIC, TT_DOCSTORE_VERSION, 0);
  if ((rc = tt_wfile_error(w->f)) != 0) {
    tt_wfile_abort(w->f);
    goto fail;
  }
  *out = w;
  return 0;
fail:
  dsw_free(w);
  return rc;
}

void tt_docstore_writer__set_block_size(tt_docstore_writer *w, size_t bytes)
{
  if (bytes < 1) bytes = 1;
  if (bytes > DS_MAX_TARGET) bytes = DS_MAX_TARGET;
  w->block_target = bytes;
}

void tt_docstore__set_default_training(size_t bytes, size_t min)
{
  ds_train_bytes = bytes ? bytes : DS_TRAIN_BYTES;
  ds_train_min = bytes ? min : DS_TRAIN_MIN;
}

void tt_docstore_writer__set_training(tt_docstore_writer *w, size_t bytes, size_t min)
{
  w->train_bytes = bytes;
  w->train_min = min;
}

uint32_t tt_docstore_writer_count(const tt_docstore_writer *w) { return w->ndocs; }

typedef struct { const void *p; size_t n; } ds_piece;

/* Compress the concatenation of pieces into one zstd frame with context c (parameters set),
 * handing the output to sink(ctx, bytes, n) through stage as it comes: the writer's frames go
 * to its file, a helper's to a buffer, by the same calls, hence the same bytes. Returns 0; -1
 * with *zerr = 0 when the sink failed, or with *zerr the zstd error code. */
static int ds_compress(ZSTD_CCtx *c, unsigned char *stage, size_t stage_cap, const ds_piece *pieces,
                       int npieces, uint64_t total, const ZSTD_CDict *dict,
                       int (*sink)(void *ctx, const void *p, size_t n), void *ctx, size_t *zerr)
{
  *zerr = 0;
  size_t zr = ZSTD_CCtx_reset(c, ZSTD_reset_session_only);
  if (!ZSTD_isError(zr)) zr = ZSTD_CCtx_refCDict(c, dict);  /* NULL: none */
  if (!ZSTD_isError(zr)) zr = ZSTD_CCtx_setPledgedSrcSize(c, total);
  for (int i = 0; !ZSTD_isError(zr) && i < npieces; i++) {
    ZSTD_inBuffer in = {pieces[i].p, pieces[i].n, 0};
    ZSTD_EndDirective mode = (i == npieces - 1) ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      ZSTD_outBuffer o = {stage, stage_cap, 0};
      zr = ZSTD_compressStream2(c, &o, &in, mode);
      if (ZSTD_isError(zr)) break;
      if (sink(ctx, stage, o.pos)) return -1;
      if (mode == ZSTD_e_end ? zr == 0 : in.pos == in.size) break;
    }
  }
  if (ZSTD_isError(zr)) {
    *zerr = zr;
    return -1;
  }
  return 0;
}

static int file_sink(void *ctx, const void *p, size_t n)
{
  tt_docstore_writer *w = ctx;
  tt_wfile_write(w->f, p, n);
  return dsw_check_file(w) ? -1 : 0;
}

/* Compress the concatenation of pieces into one zstd frame appended to the file (content size
 * pledged so it lands in the frame header). Sets *csize. Returns 0 or the sticky error. */
static int dsw_frame(tt_docstore_writer *w, const ds_piece *pieces, int npieces,
                     uint64_t total, const ZSTD_CDict *dict, uint32_t *csize)
{
  uint64_t start = tt_wfile_offset(w->f);
  size_t zerr;
  if (ds_compress(w->cctx, w->out, w->out_cap, pieces, npieces, total, dict, file_sink, w, &zerr)) {
    if (!zerr) return w->rc;  /* the file's error, recorded by dsw_check_file */
    return dsw_fail(w, TT_ERROR, "%s: zstd compression at offset %llu: %s",
                    tt_wfile_path(w->f), (unsigned long long)start, ZSTD_getErrorName(zerr));
  }
  uint64_t n = tt_wfile_offset(w->f) - start;
  if (n > UINT32_MAX)
    return dsw_fail(w, TT_ERROR, "%s: compressed frame of %llu bytes at offset %llu is too "
                    "large", tt_wfile_path(w->f), (unsigned long long)n,
                    (unsigned long long)start);
  *csize = (uint32_t)n;
  return 0;
}

/* The zstd parameters of every frame (a helper's context gets the same, so the same bytes).
 * zstd copies a dictionary's tables into the context for a frame over 16 KiB (dfast: every body
 * frame) and searches them in place ("attaches" them) for a smaller one. Attaching every frame
 * (ZSTD_c_forceAttachDict) runs a third fewer instructions but takes more time: between two
 * blocks the worker inverts documents, which evicts the dictionary's tables, and an attached
 * frame then misses the cache at every position where a copy streams them in once
 * (docs/docstore.md, "Compression parameters"). */
static int ds_set_params(ZSTD_CCtx *c, int level)
{
  return ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, level)) ||
         ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1)) ||
         ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1)) ||
         ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0));
}

/* Match-finder parameters of the body dictionary. A frame with a dictionary compresses with its
 * CDict's parameters (for a CDict built from explicit parameters, whatever the frame's size),
 * so these are the body frames' parameters: zstd's for the level and a dictionary of dict_len
 * bytes, except minMatch 5 instead of 4 at level 3 (the default; dfast, hashLog and chainLog
 * 16, windowLog 18): 0.9% smaller bodies on the 100k generated corpus with the same tables
 * (the same 512 KiB copied per frame) and the same instructions. An oversized document
 * compresses with these parameters too (before: zstd's level-3 parameters for large sources,
 * hashLog 17: about 1% smaller, 20% slower for such documents). */
static ZSTD_compressionParameters ds_body_cparams(int level, size_t dict_len)
{
  ZSTD_compressionParameters cp = ZSTD_getCParams(level, ZSTD_CONTENTSIZE_UNKNOWN, dict_len);
  if (level == 3 && cp.strategy == ZSTD_dfast) cp.minMatch = 5;
  return cp;
}

static int buf_sink(void *ctx, const void *p, size_t n) { return tt_buf_append(ctx, p, n) ? -1 : 0; }

/* dsw_frame's compression into out instead of the file. Returns 0, or -1 with a message in msg. */
static int ds_frame_to(ZSTD_CCtx *c, unsigned char *stage, size_t stage_cap, const ds_piece *pieces,
                       int npieces, uint64_t total, const ZSTD_CDict *dict, tt_buf *out,
                       char *msg, size_t msg_cap)
{
  tt_buf_reset(out);
  size_t zerr;
  if (!ds_compress(c, stage, stage_cap, pieces, npieces, total, dict, buf_sink, out, &zerr)) return 0;
  if (zerr) snprintf(msg, msg_cap, "zstd: %s", ZSTD_getErrorName(zerr));
  else snprintf(msg, msg_cap, "out of memory");
  return -1;
}

/* Compress job j's two frames with context c (parameters set for j->level). */
static void ds_job_compress(ds_job *j, ZSTD_CCtx *c, unsigned char *stage, size_t stage_cap)
{
  ds_piece meta[2] = {{j->recs.p, j->recs.n}, {j->strs.p, j->strs.n}};
  ds_piece body[1] = {{j->bodies.p, j->bodies.n}};
  j->rc = 0;
  if (ds_frame_to(c, stage, stage_cap, meta, 2, j->meta_usize, j->cmeta, &j->zmeta, j->msg, sizeof j->msg) ||
      ds_frame_to(c, stage, stage_cap, body, 1, j->body_usize, j->cbody, &j->zbody, j->msg, sizeof j->msg))
    j->rc = TT_ERROR;
}

/* Compress one block (meta pieces, body pieces) as its two frames and add its table entry. */
static int dsw_emit(tt_docstore_writer *w, const ds_piece *meta, int nmeta, uint64_t meta_usize,
                    const ds_piece *body, int nbody, uint64_t body_usize, uint32_t first_doc,
                    uint32_t ndocs)
{
  unsigned char e[DS_ENTRY_LEN];
  uint64_t off = tt_wfile_offset(w->f);
  uint32_t meta_csize = 0, body_csize = 0;
  if (dsw_frame(w, meta, nmeta, meta_usize, w->cmeta, &meta_csize) ||
      dsw_frame(w, body, nbody, body_usize, w->cbody, &body_csize))
    return w->rc;
  tt_store_le64(e, off);
  tt_store_le32(e + 8, meta_csize);
  tt_store_le32(e + 12, (uint32_t)meta_usize);
  tt_store_le32(e + 16, body_csize);
  tt_store_le32(e + 20, (uint32_t)body_usize);
  tt_store_le32(e + 24, first_doc);
  tt_store_le32(e + 28, ndocs);
  if (tt_buf_append(&w->table, e, sizeof e))
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  w->raw_bytes += meta_usize + body_usize;
  w->nblocks++;
  return 0;
}

/* Take d as the file's dictionaries (copied; NULL lengths: none) and digest them. */
static int dsw_set_dicts(tt_docstore_writer *w, const void *meta, size_t mlen, const void *body,
                         size_t blen)
{
  tt_buf_reset(&w->dmeta);
  tt_buf_reset(&w->dbody);
  if ((mlen && tt_buf_append(&w->dmeta, meta, mlen)) ||
      (blen && tt_buf_append(&w->dbody, body, blen)))
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  if (mlen) w->cmeta = ZSTD_createCDict(w->dmeta.p, mlen, w->level);
  if (blen)
    w->cbody = ZSTD_createCDict_advanced(w->dbody.p, blen, ZSTD_dlm_byCopy, ZSTD_dct_auto,
                                         ds_body_cparams(w->level, blen), ZSTD_defaultCMem);
  if ((mlen && !w->cmeta) || (blen && !w->cbody))
    return dsw_fail(w, TT_ERROR, "%s: zstd refused a compression dictionary",
                    tt_wfile_path(w->f));
  w->decided = 1;
  return 0;
}

/* Train a dictionary of at most cap bytes into out from the waiting blocks, one sample per
 * document: its fixed record and strings (meta), or its body with its NUL (body). An
 * untrainable sample set (too little or too uniform data) gives no dictionary, not an error. */
static int dsw_train(tt_docstore_writer *w, int body, size_t cap, tt_buf *out)
{
  size_t nblk = w->pend_idx.n / 16, n = 0, total = 0;
  for (size_t i = 0; i < nblk; i++) n += tt_load_le32(w->pend_idx.p + 16 * i + 12);
  tt_buf samples = {0};
  size_t *sizes = tt_malloc((n ? n : 1) * sizeof *sizes);
  int rc = sizes ? 0 : TT_ENOMEM;
  const unsigned char *p = (const unsigned char *)w->pend.p;
  size_t k = 0;
  for (size_t i = 0; !rc && i < nblk; i++) {
    const unsigned char *x = (const unsigned char *)w->pend_idx.p + 16 * i;
    uint32_t ml = tt_load_le32(x), bl = tt_load_le32(x + 4), nd = tt_load_le32(x + 12);
    const unsigned char *str = p + 4 + (size_t)DS_REC_LEN * nd, *bod = p + ml;
    for (uint32_t j = 0; !rc && j < nd; j++) {
      const unsigned char *r = p + 4 + (size_t)DS_REC_LEN * j;
      size_t slen = (size_t)tt_load_le32(r + 8) + tt_load_le32(r + 12) + tt_load_le32(r + 16) +
                    tt_load_le32(r + 20) + 4;
      size_t blen = (size_t)tt_load_le32(r + 24) + 1;
      if (body) {
        rc = tt_buf_append(&samples, bod, blen) ? TT_ENOMEM : 0;
        sizes[k] = blen;
      } else {
        rc = (tt_buf_append(&samples, r, DS_REC_LEN) || tt_buf_append(&samples, str, slen))
                 ? TT_ENOMEM : 0;
        sizes[k] = DS_REC_LEN + slen;
      }
      total += sizes[k++];
      str += slen;
      bod += blen;
    }
    p += (size_t)ml + bl;
  }
  if (cap > total / 8) cap = total / 8;  /* a small sample set trains a smaller dictionary */
  if (!rc && cap >= 256 && tt_buf_reserve(out, cap) == 0) {  /* zstd's minimum */
    /* fixed fastCover parameters: no parameter search (a tenth of the time for the same size) */
    ZDICT_fastCover_params_t fp;
    memset(&fp, 0, sizeof fp);
    fp.k = 200;
    fp.d = 8;
    fp.f = 20;
    fp.accel = 1;
    fp.splitPoint = 1.0;
    fp.zParams.compressionLevel = w->level;
    size_t len = ZDICT_trainFromBuffer_fastCover(out->p, cap, samples.p, sizes, (unsigned)k, fp);
    out->n = ZDICT_isError(len) ? 0 : len;
  } else if (!rc && cap >= 256) {
    rc = TT_ENOMEM;
  }
  tt_buf_fini(&samples);
  tt_free(sizes);
  return rc ? dsw_fail(w, rc, "%s: out of memory training a dictionary", tt_wfile_path(w->f)) : 0;
}

/* Choose the dictionaries (trained from the waiting blocks when there are enough of them), then
 * compress the waiting blocks in order. */
static int dsw_decide(tt_docstore_writer *w)
{
  if (w->rc || w->decided) return w->rc;
  tt_buf dm = {0}, db = {0};
  int rc = 0;
  if (w->pend.n >= w->train_min && w->level >= 1)
    rc = dsw_train(w, 0, DS_META_DICT, &dm) || dsw_train(w, 1, DS_BODY_DICT, &db);
  if (!rc) rc = dsw_set_dicts(w, dm.p, dm.n, db.p, db.n);
  tt_buf_fini(&dm);
  tt_buf_fini(&db);
  const unsigned char *p = (const unsigned char *)w->pend.p;
  for (size_t i = 0; !rc && i < w->pend_idx.n / 16; i++) {
    const unsigned char *x = (const unsigned char *)w->pend_idx.p + 16 * i;
    uint32_t ml = tt_load_le32(x), bl = tt_load_le32(x + 4);
    ds_piece meta = {p, ml}, body = {p + ml, bl};
    rc = dsw_emit(w, &meta, 1, ml, &body, 1, bl, tt_load_le32(x + 8), tt_load_le32(x + 12));
    p += (size_t)ml + bl;
  }
  tt_buf_fini(&w->pend);
  tt_buf_fini(&w->pend_idx);
  return rc ? w->rc : 0;
}

/* ---- queued blocks (tt_dspool) */

static void pool_unlink(tt_dspool *p, ds_job *j)  /* under p->mu; j is waiting */
{
  ds_job **pp = &p->whead, *prev = NULL;
  while (*pp != j) prev = *pp, pp = &(*pp)->pnext;
  *pp = j->pnext;
  if (p->wtail == j) p->wtail = prev;
  j->pnext = NULL;
  atomic_fetch_sub(&p->nwait, 1);
}

/* Write done job j's frames and table entry (nothing after an error), then keep j for reuse. */
static void dsw_write_job(tt_docstore_writer *w, ds_job *j)
{
  if (!w->rc && j->rc) dsw_fail(w, j->rc, "%s: %s", tt_wfile_path(w->f), j->msg);
  if (!w->rc) {
    unsigned char e[DS_ENTRY_LEN];
    uint64_t off = tt_wfile_offset(w->f);
    tt_wfile_write(w->f, j->zmeta.p, j->zmeta.n);
    tt_wfile_write(w->f, j->zbody.p, j->zbody.n);
    if (!dsw_check_file(w)) {
      tt_store_le64(e, off);
      tt_store_le32(e + 8, (uint32_t)j->zmeta.n);
      tt_store_le32(e + 12, (uint32_t)j->meta_usize);
      tt_store_le32(e + 16, (uint32_t)j->zbody.n);
      tt_store_le32(e + 20, (uint32_t)j->body_usize);
      tt_store_le32(e + 24, j->first);
      tt_store_le32(e + 28, j->ndocs);
      if (tt_buf_append(&w->table, e, sizeof e)) {
        dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
      } else {
        w->raw_bytes += j->meta_usize + j->body_usize;
        w->nblocks++;
      }
    }
  }
  j->next = w->jfree;
  w->jfree = j;
}

/* Write the queued blocks that are done, in order; compress here the oldest ones nobody took
 * while more than TT_DSPOOL_DEPTH are queued, or all of them (all != 0). Waits only for a
 * helper in the middle of a block that must be written now. Returns w->rc. */
static int dsw_collect(tt_docstore_writer *w, int all)
{
  tt_dspool *p = w->pool;
  if (!p || !w->jhead) return w->rc;
  pthread_mutex_lock(&p->mu);
  while (w->jhead) {
    ds_job *j = w->jhead;
    if (j->state == DS_JOB_DONE) {
      w->jhead = j->next;
      if (!w->jhead) w->jtail = NULL;
      w->njobs--;
      pthread_mutex_unlock(&p->mu);
      dsw_write_job(w, j);
      pthread_mutex_lock(&p->mu);
    } else if (!all && w->njobs <= TT_DSPOOL_DEPTH) {
      break;
    } else if (j->state == DS_JOB_WAITING) {
      pool_unlink(p, j);
      j->state = DS_JOB_TAKEN;
      pthread_mutex_unlock(&p->mu);
      ds_job_compress(j, w->cctx, w->out, w->out_cap);
      pthread_mutex_lock(&p->mu);
      j->state = DS_JOB_DONE;
    } else {
      pthread_cond_wait(&p->done, &p->mu);
    }
  }
  pthread_mutex_unlock(&p->mu);
  return w->rc;
}

/* Queue the open block (full, dictionaries decided) for a helper: its pieces move to a job
 * (the writer takes the job's old buffers), then write what is done. */
static int dsw_queue(tt_docstore_writer *w, uint64_t meta_usize, uint64_t body_usize, uint32_t first)
{
  ds_job *j = w->jfree;
  if (j) {
    w->jfree = j->next;
  } else if (!(j = tt_calloc(1, sizeof *j))) {
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  }
  tt_buf t;
  t = j->recs; j->recs = w->recs; w->recs = t;
  t = j->strs; j->strs = w->strs; w->strs = t;
  t = j->bodies; j->bodies = w->bodies; w->bodies = t;
  j->next = j->pnext = NULL;
  j->cmeta = w->cmeta;
  j->cbody = w->cbody;
  j->level = w->level;
  j->meta_usize = meta_usize;
  j->body_usize = body_usize;
  j->first = first;
  j->ndocs = w->blk_ndocs;
  j->rc = 0;
  j->state = DS_JOB_WAITING;
  tt_dspool *p = w->pool;
  pthread_mutex_lock(&p->mu);
  if (w->jtail) w->jtail->next = j;
  else w->jhead = j;
  w->jtail = j;
  w->njobs++;
  if (p->wtail) p->wtail->pnext = j;
  else p->whead = j;
  p->wtail = j;
  atomic_fetch_add(&p->nwait, 1);
  pthread_mutex_unlock(&p->mu);
  if (p->notify) p->notify(p->ctx);
  if (dsw_block_reset(w)) return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  return dsw_collect(w, 0);
}

/* Forget the queued blocks (the writer is being freed): none stays in the pool, none is
 * being compressed when this returns. */
static void dsw_jobs_drop(tt_docstore_writer *w)
{
  tt_dspool *p = w->pool;
  if (p && w->jhead) {
    pthread_mutex_lock(&p->mu);
    for (ds_job *j = w->jhead; j; j = j->next)
      if (j->state == DS_JOB_WAITING) pool_unlink(p, j), j->state = DS_JOB_DONE;
    for (ds_job *j = w->jhead; j;) {
      if (j->state == DS_JOB_TAKEN) {
        pthread_cond_wait(&p->done, &p->mu);
        j = w->jhead;
      } else {
        j = j->next;
      }
    }
    pthread_mutex_unlock(&p->mu);
  }
  for (int pass = 0; pass < 2; pass++) {
    ds_job *j = pass ? w->jfree : w->jhead;
    while (j) {
      ds_job *n = j->next;
      tt_buf_fini(&j->recs);
      tt_buf_fini(&j->strs);
      tt_buf_fini(&j->bodies);
      tt_buf_fini(&j->zmeta);
      tt_buf_fini(&j->zbody);
      tt_free(j);
      j = n;
    }
  }
  w->jhead = w->jtail = w->jfree = NULL;
  w->njobs = 0;
}

void tt_docstore_writer_set_pool(tt_docstore_writer *w, tt_dspool *p) { w->pool = p; }

int tt_dspool_new(tt_dspool **out, void (*notify)(void *ctx), void *ctx)
{
  *out = NULL;
  tt_dspool *p = tt_calloc(1, sizeof *p);
  TT_CHECK_ALLOC(p);
  p->stage_cap = ZSTD_CStreamOutSize();
  p->stage = tt_malloc(p->stage_cap);
  p->cctx = ZSTD_createCCtx();
  p->hlevel = 3;
  if (!p->stage || !p->cctx || ds_set_params(p->cctx, p->hlevel)) {
    ZSTD_freeCCtx(p->cctx);
    tt_free(p->stage);
    tt_free(p);
    return tt_error_set(TT_ENOMEM, "out of memory (compression helpers)");
  }
  pthread_mutex_init(&p->mu, NULL);
  pthread_cond_init(&p->done, NULL);
  atomic_init(&p->nwait, 0);
  p->notify = notify;
  p->ctx = ctx;
  *out = p;
  return 0;
}

void tt_dspool_free(tt_dspool *p)
{
  if (!p) return;
  pthread_mutex_destroy(&p->mu);
  pthread_cond_destroy(&p->done);
  ZSTD_freeCCtx(p->cctx);
  tt_free(p->stage);
  tt_free(p);
}

int tt_dspool_pending(tt_dspool *p) { return atomic_load_explicit(&p->nwait, memory_order_relaxed) > 0; }

int tt_dspool_help(tt_dspool *p)
{
  pthread_mutex_lock(&p->mu);
  ds_job *j = p->whead;
  if (!j) {
    pthread_mutex_unlock(&p->mu);
    return 0;
  }
  pool_unlink(p, j);
  j->state = DS_JOB_TAKEN;
  pthread_mutex_unlock(&p->mu);
  int ok = 1;
  if (j->level != p->hlevel) {
    ok = !ds_set_params(p->cctx, j->level);
    p->hlevel = ok ? j->level : INT_MIN;
  }
  if (ok) {
    ds_job_compress(j, p->cctx, p->stage, p->stage_cap);
  } else {
    j->rc = TT_ERROR;
    snprintf(j->msg, sizeof j->msg, "cannot set zstd parameters");
  }
  pthread_mutex_lock(&p->mu);
  j->state = DS_JOB_DONE;
  pthread_cond_broadcast(&p->done);
  pthread_mutex_unlock(&p->mu);
  return 1;
}

/* Write the open block (ext != NULL: its single document's body is ext, ext_len bytes, taken
 * from the caller instead of w->bodies) and reset it. Before the dictionaries are decided, a
 * block waits (uncompressed, copied) in pend; a document larger than the training amount
 * decides them instead (it is never copied). */
static int dsw_block_write(tt_docstore_writer *w, const void *ext, size_t ext_len)
{
  if (w->rc) return w->rc;
  if (w->blk_ndocs == 0) return 0;
  tt_store_le32(w->recs.p, w->blk_ndocs);
  uint64_t meta_usize = (uint64_t)w->recs.n + w->strs.n;
  uint64_t body_usize = ext ? (uint64_t)ext_len + 1 : (uint64_t)w->bodies.n;
  uint32_t first = w->ndocs - w->blk_ndocs;
  if (!w->decided && (!ext || ext_len <= w->train_bytes)) {
    unsigned char x[16];
    tt_store_le32(x, (uint32_t)meta_usize);
    tt_store_le32(x + 4, (uint32_t)body_usize);
    tt_store_le32(x + 8, first);
    tt_store_le32(x + 12, w->blk_ndocs);
    if (tt_buf_append(&w->pend, w->recs.p, w->recs.n) ||
        tt_buf_append(&w->pend, w->strs.p, w->strs.n) ||
        (ext ? tt_buf_append(&w->pend, ext, ext_len) || tt_buf_putc(&w->pend, 0)
             : tt_buf_append(&w->pend, w->bodies.p, w->bodies.n)) ||
        tt_buf_append(&w->pend_idx, x, sizeof x) || dsw_block_reset(w))
      return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
    return w->pend.n >= w->train_bytes ? dsw_decide(w) : 0;
  }
  if (dsw_decide(w)) return w->rc;
  if (w->pool && !ext) return dsw_queue(w, meta_usize, body_usize, first);
  if (dsw_collect(w, 1)) return w->rc;  /* queued blocks come first */
  ds_piece meta[2] = {{w->recs.p, w->recs.n}, {w->strs.p, w->strs.n}};
  int rc;
  if (ext) {
    ds_piece body[2] = {{ext, ext_len}, {"", 1}};
    rc = dsw_emit(w, meta, 2, meta_usize, body, 2, body_usize, first, w->blk_ndocs);
  } else {
    ds_piece body[1] = {{w->bodies.p, w->bodies.n}};
    rc = dsw_emit(w, meta, 2, meta_usize, body, 1, body_usize, first, w->blk_ndocs);
  }
  if (rc) return rc;
  if (dsw_block_reset(w)) return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  return 0;
}

int tt_docstore_writer_use_dicts(tt_docstore_writer *w, const tt_docstore_dicts *d)
{
  TT_RETURN_IF(!w, TT_EINVAL, "tt_docstore_writer_use_dicts: no writer");
  if (w->rc) return dsw_fail(w, w->rc, "%s", w->msg);
  TT_RETURN_IF(w->decided || w->ndocs, TT_EINVAL, "%s: dictionaries are set before the first "
               "document", tt_wfile_path(w->f));
  TT_RETURN_IF(d && (d->meta_len > DS_MAX_DICT || d->body_len > DS_MAX_DICT), TT_EINVAL,
               "%s: dictionary larger than %u bytes", tt_wfile_path(w->f), DS_MAX_DICT);
  return dsw_set_dicts(w, d ? d->meta : NULL, d ? d->meta_len : 0, d ? d->body : NULL,
                       d ? d->body_len : 0);
}

int tt_docstore_writer_get_dicts(const tt_docstore_writer *w, tt_docstore_dicts *out)
{
  if (!w->decided) return 0;
  out->meta = w->dmeta.p;
  out->meta_len = w->dmeta.n;
  out->body = w->dbody.p;
  out->body_len = w->dbody.n;
  return 1;
}

/* Append rec's fixed record and strings to the open block. */
static int dsw_put_meta(tt_docstore_writer *w, const tt_docstore_rec *rec)
{
  unsigned char r[DS_REC_LEN];
  tt_store_le64(r, (uint64_t)rec->published);
  tt_store_le32(r + 8, (uint32_t)rec->url_len);
  tt_store_le32(r + 12, (uint32_t)rec->title_len);
  tt_store_le32(r + 16, (uint32_t)rec->source_len);
  tt_store_le32(r + 20, (uint32_t)rec->id_len);
  tt_store_le32(r + 24, (uint32_t)rec->body_len);
  if (tt_buf_append(&w->recs, r, sizeof r) ||
      tt_buf_append(&w->strs, rec->url, rec->url_len) || tt_buf_putc(&w->strs, 0) ||
      tt_buf_append(&w->strs, rec->title, rec->title_len) || tt_buf_putc(&w->strs, 0) ||
      tt_buf_append(&w->strs, rec->source, rec->source_len) || tt_buf_putc(&w->strs, 0) ||
      tt_buf_append(&w->strs, rec->id, rec->id_len) || tt_buf_putc(&w->strs, 0))
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  w->blk_ndocs++;
  return 0;
}

static int field_bad(const char *p, size_t n, size_t max) { return n > max || (n && !p); }

int64_t tt_docstore_writer_add(tt_docstore_writer *w, const tt_docstore_rec *rec)
{
  TT_RETURN_IF(!w || !rec, TT_EINVAL, "tt_docstore_writer_add: no writer or record");
  if (w->rc) return dsw_fail(w, w->rc, "%s", w->msg);
  const char *path = tt_wfile_path(w->f);
  TT_RETURN_IF(field_bad(rec->url, rec->url_len, TT_DOCSTORE_MAX_FIELD) ||
               field_bad(rec->title, rec->title_len, TT_DOCSTORE_MAX_FIELD) ||
               field_bad(rec->source, rec->source_len, TT_DOCSTORE_MAX_FIELD) ||
               field_bad(rec->id, rec->id_len, TT_DOCSTORE_MAX_FIELD),
               TT_EINVAL, "%s: document %u: a metadata field is longer than %u bytes", path,
               w->ndocs, TT_DOCSTORE_MAX_FIELD);
  TT_RETURN_IF(field_bad(rec->body, rec->body_len, TT_DOCSTORE_MAX_BODY), TT_EINVAL,
               "%s: document %u: body of %zu bytes exceeds the limit of %u", path, w->ndocs,
               rec->body_len, TT_DOCSTORE_MAX_BODY);
  TT_RETURN_IF(w->ndocs >= TT_DOCSTORE_MAX_DOCS, TT_EINVAL, "%s: too many documents", path);

  size_t meta = DS_REC_MIN + rec->url_len + rec->title_len + rec->source_len + rec->id_len;
  size_t size = meta + rec->body_len + 1;
  if (size >= w->block_target) {
    /* A block of its own; the body is compressed from the caller's memory. */
    if (dsw_block_write(w, NULL, 0) || dsw_put_meta(w, rec)) return w->rc;
    w->ndocs++;
    if (dsw_block_write(w, rec->body ? rec->body : "", rec->body_len)) return w->rc;
    return (int64_t)w->ndocs - 1;
  }
  size_t cur = w->recs.n + w->strs.n + w->bodies.n;
  if (w->blk_ndocs > 0 && cur + size > w->block_target && dsw_block_write(w, NULL, 0))
    return w->rc;
  if (dsw_put_meta(w, rec)) return w->rc;
  if (tt_buf_append(&w->bodies, rec->body, rec->body_len) || tt_buf_putc(&w->bodies, 0))
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", path);
  return (int64_t)w->ndocs++;
}

int tt_docstore_writer_finish(tt_docstore_writer *w)
{
  TT_RETURN_IF(!w, TT_EINVAL, "tt_docstore_writer_finish: no writer");
  if (!w->rc && !dsw_block_write(w, NULL, 0) && !dsw_decide(w) && !dsw_collect(w, 1)) {
    unsigned char t[DS_TAIL_LEN] = {0};
    uint64_t dict_off = tt_wfile_offset(w->f);
    tt_wfile_write(w->f, w->dmeta.p, w->dmeta.n);
    tt_wfile_write(w->f, w->dbody.p, w->dbody.n);
    uint64_t table_off = tt_wfile_offset(w->f);
    tt_wfile_write(w->f, w->table.p, w->table.n);
    tt_store_le64(t, table_off);
    tt_store_le32(t + 8, w->nblocks);
    tt_store_le32(t + 12, w->ndocs);
    tt_store_le64(t + 16, w->raw_bytes);
    tt_store_le32(t + 24, (uint32_t)w->block_target);
    tt_store_le64(t + 32, dict_off);
    tt_store_le32(t + 40, (uint32_t)w->dmeta.n);
    tt_store_le32(t + 44, (uint32_t)w->dbody.n);
    tt_wfile_write(w->f, t, sizeof t);
    tt_file_footer_write(w->f, TT_DOCSTORE_MAGIC);
    dsw_check_file(w);
  }
  int rc;
  if (w->rc) {
    rc = w->rc;
    tt_wfile_abort(w->f);
    tt_error_set(rc, "%s", w->msg);
  } else {
    rc = tt_wfile_close_sync(w->f);  /* removes the file on failure */
  }
  dsw_free(w);
  return rc;
}

void tt_docstore_writer_abort(tt_docstore_writer *w)
{
  if (!w) return;
  tt_wfile_abort(w->f);
  dsw_free(w);
}

/* ================================================================ reader */

typedef struct ds_block {
  uint64_t off;           /* file offset of the meta frame */
  uint32_t meta_csize, meta_usize;
  uint32_t body_csize, body_usize;
  uint32_t first_doc, ndocs;
} ds_block;

struct tt_docstore {
  tt_map map;             /* the whole file */
  uint64_t uid;           /* identity in caches (never reused, unlike the pointer) */
  uint32_t ndocs;
  uint32_t nblocks;
  ds_block *blocks;       /* validated copy of the table */
  uint64_t raw_bytes;
  uint32_t version;       /* 1 or 2 */
  uint64_t dict_off;      /* version 2: the dictionaries, meta then body (lengths 0: none) */
  uint32_t dmeta_len, dbody_len;
  ZSTD_DDict *dmeta, *dbody;  /* digested, referencing the mapping; NULL when none */
  tt_docstore_cache *cache;  /* built-in cache of get/get_meta, created on first use */
};

typedef struct ds_doc {
  tt_docstore_rec rec;    /* body NULL; pointers into the slot's meta buffer */
  uint64_t body_off;      /* offset of the body in the decompressed body frame */
} ds_doc;

typedef struct ds_slot {
  uint64_t owner;         /* uid of the reader whose block this is; 0 = empty */
  uint32_t block;
  int has_body;           /* body frame decompressed and checked */
  uint64_t used;          /* LRU clock */
  unsigned char *meta; size_t meta_cap;
  unsigned char *body; size_t body_cap;
  ds_doc *docs; size_t docs_cap;
} ds_slot;

struct tt_docstore_cache {
  ZSTD_DCtx *dctx;
  uint64_t clock;
  ds_slot slot[2];
};

static atomic_uint_fast64_t ds_next_uid = 1;

static int ds_corrupt(const char *path, uint64_t off, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;
/* The one exit for corruption (a breakpoint here catches every case). */
static int ds_corrupt(const char *path, uint64_t off, const char *fmt, ...)
{
  char what[400];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tt_error_set(TT_ECORRUPT, "%s: corrupt document store at offset %llu: %s", path,
                      (unsigned long long)off, what);
}

int tt_docstore_open(tt_docstore **out, const char *path, int verify_checksum)
{
  TT_RETURN_IF(!out || !path, TT_EINVAL, "tt_docstore_open: no path");
  *out = NULL;
  tt_docstore *r = tt_calloc(1, sizeof *r);
  TT_CHECK_ALLOC(r);
  int rc = tt_map_open(&r->map, path);
  if (rc) goto fail;
  rc = verify_checksum ? tt_file_check(&r->map, TT_DOCSTORE_MAGIC, TT_DOCSTORE_VERSION,
                                       &r->version)
                       : tt_file_check_header(&r->map, TT_DOCSTORE_MAGIC, TT_DOCSTORE_VERSION,
                                              &r->version);
  if (rc) goto fail;
  if (tt_file_flags(&r->map) != 0) {
    rc = tt_error_set(TT_EFORMAT, "%s: document store flags %#x at offset 12 are not supported",
                      path, tt_file_flags(&r->map));
    goto fail;
  }

  const unsigned char *d = r->map.data;
  uint64_t size = r->map.len;
  uint32_t tail_len = r->version == 1 ? DS_TAIL_LEN_V1 : DS_TAIL_LEN;
  if (size < TT_FILE_HEADER_LEN + tail_len + TT_FILE_FOOTER_LEN) {
    rc = ds_corrupt(path, 0, "file of %llu bytes has no room for the tail",
                    (unsigned long long)size);
    goto fail;
  }
  uint64_t tail_off = size - TT_FILE_FOOTER_LEN - tail_len;
  const unsigned char *t = d + tail_off;
  uint64_t table_off = tt_load_le64(t);
  r->nblocks = tt_load_le32(t + 8);
  r->ndocs = tt_load_le32(t + 12);
  r->raw_bytes = tt_load_le64(t + 16);
  if (table_off < TT_FILE_HEADER_LEN || table_off > tail_off ||
      tail_off - table_off != (uint64_t)r->nblocks * DS_ENTRY_LEN) {
    rc = ds_corrupt(path, tail_off, "table offset %llu and %u blocks do not fit before the "
                    "tail", (unsigned long long)table_off, r->nblocks);
    goto fail;
  }
  r->dict_off = table_off;  /* version 1: no dictionaries, blocks end at the table */
  if (r->version >= 2) {
    r->dict_off = tt_load_le64(t + 32);
    r->dmeta_len = tt_load_le32(t + 40);
    r->dbody_len = tt_load_le32(t + 44);
    if (r->dmeta_len > DS_MAX_DICT || r->dbody_len > DS_MAX_DICT ||
        r->dict_off < TT_FILE_HEADER_LEN || r->dict_off > table_off ||
        table_off - r->dict_off != (uint64_t)r->dmeta_len + r->dbody_len) {
      rc = ds_corrupt(path, tail_off + 32, "dictionaries (offset %llu, %u + %u bytes) do not "
                      "end at the block table", (unsigned long long)r->dict_off, r->dmeta_len,
                      r->dbody_len);
      goto fail;
    }
    /* by reference: the mapping outlives the digested forms; a dictionary zstd cannot parse
     * (a corrupt header or entropy tables) is refused here */
    if (r->dmeta_len &&
        !(r->dmeta = ZSTD_createDDict_byReference(d + r->dict_off, r->dmeta_len))) {
      rc = ds_corrupt(path, r->dict_off, "metadata dictionary is not a zstd dictionary");
      goto fail;
    }
    if (r->dbody_len &&
        !(r->dbody = ZSTD_createDDict_byReference(d + r->dict_off + r->dmeta_len,
                                                  r->dbody_len))) {
      rc = ds_corrupt(path, r->dict_off + r->dmeta_len, "body dictionary is not a zstd "
                      "dictionary");
      goto fail;
    }
  }
  if (tt_load_le32(t + 28) != 0) {
    rc = ds_corrupt(path, tail_off + 28, "reserved tail field is not zero");
    goto fail;
  }
  if (r->ndocs > TT_DOCSTORE_MAX_DOCS || r->nblocks > r->ndocs || (r->ndocs && !r->nblocks)) {
    rc = ds_corrupt(path, tail_off + 8, "%u blocks for %u documents", r->nblocks, r->ndocs);
    goto fail;
  }
  if (r->nblocks) {
    r->blocks = tt_malloc((size_t)r->nblocks * sizeof *r->blocks);
    if (!r->blocks) {
      rc = tt_error_set(TT_ENOMEM, "out of memory opening %s", path);
      goto fail;
    }
  }
  uint64_t pos = TT_FILE_HEADER_LEN, next_doc = 0, raw = 0;
  for (uint32_t b = 0; b < r->nblocks; b++) {
    const unsigned char *e = d + table_off + (uint64_t)b * DS_ENTRY_LEN;
    uint64_t eoff = table_off + (uint64_t)b * DS_ENTRY_LEN;
    ds_block *k = &r->blocks[b];
    k->off = tt_load_le64(e);
    k->meta_csize = tt_load_le32(e + 8);
    k->meta_usize = tt_load_le32(e + 12);
    k->body_csize = tt_load_le32(e + 16);
    k->body_usize = tt_load_le32(e + 20);
    k->first_doc = tt_load_le32(e + 24);
    k->ndocs = tt_load_le32(e + 28);
    const char *bad = NULL;
    if (k->off != pos) bad = "block does not start where the previous one ends";
    else if (k->meta_csize == 0 || k->body_csize == 0) bad = "empty frame";
    else if ((uint64_t)k->meta_csize + k->body_csize > r->dict_off - pos)
      bad = "frames run past the end of the blocks";
    else if (k->ndocs == 0 || k->first_doc != next_doc || k->ndocs > r->ndocs - next_doc)
      bad = "document numbering is inconsistent";
    else if (k->meta_usize > DS_MAX_META_USIZE || k->body_usize > DS_MAX_BODY_USIZE)
      bad = "block larger than the format allows";
    else if ((uint64_t)k->ndocs * DS_REC_MIN + 4 > k->meta_usize || k->ndocs > k->body_usize)
      bad = "block sizes too small for its document count";
    if (bad) {
      rc = ds_corrupt(path, eoff, "block %u: %s", b, bad);
      goto fail;
    }
    pos += (uint64_t)k->meta_csize + k->body_csize;
    next_doc += k->ndocs;
    raw += (uint64_t)k->meta_usize + k->body_usize;
  }
  if (pos != r->dict_off || next_doc != r->ndocs || raw != r->raw_bytes) {
    rc = ds_corrupt(path, tail_off, "tail disagrees with the block table (blocks end at %llu, "
                    "should at %llu; %llu documents of %u)", (unsigned long long)pos,
                    (unsigned long long)r->dict_off, (unsigned long long)next_doc, r->ndocs);
    goto fail;
  }
  r->uid = atomic_fetch_add(&ds_next_uid, 1);
  *out = r;
  return 0;
fail:
  ZSTD_freeDDict(r->dmeta);
  ZSTD_freeDDict(r->dbody);
  tt_map_close(&r->map);
  tt_free(r->blocks);
  tt_free(r);
  return rc;
}

void tt_docstore_close(tt_docstore *r)
{
  if (!r) return;
  tt_docstore_cache_free(r->cache);
  ZSTD_freeDDict(r->dmeta);
  ZSTD_freeDDict(r->dbody);
  tt_map_close(&r->map);
  tt_free(r->blocks);
  tt_free(r);
}

uint32_t tt_docstore_count(const tt_docstore *r) { return r->ndocs; }
const char *tt_docstore_path(const tt_docstore *r) { return r->map.path; }

void tt_docstore_stat(const tt_docstore *r, tt_docstore_stats *out)
{
  memset(out, 0, sizeof *out);
  out->docs = r->ndocs;
  out->blocks = r->nblocks;
  out->file_bytes = r->map.len;
  out->raw_bytes = r->raw_bytes;
  out->dict_bytes = (uint64_t)r->dmeta_len + r->dbody_len;
  for (uint32_t b = 0; b < r->nblocks; b++) {
    out->meta_raw_bytes += r->blocks[b].meta_usize;
    out->meta_bytes += r->blocks[b].meta_csize;
    out->body_bytes += r->blocks[b].body_csize;
  }
}

/* ---------------------------------------------------------------- cache */

int tt_docstore_cache_new(tt_docstore_cache **out)
{
  TT_RETURN_IF(!out, TT_EINVAL, "tt_docstore_cache_new: no out");
  *out = NULL;
  tt_docstore_cache *c = tt_calloc(1, sizeof *c);
  TT_CHECK_ALLOC(c);
  c->dctx = ZSTD_createDCtx();
  if (!c->dctx) {
    tt_free(c);
    return tt_error_set(TT_ENOMEM, "out of memory creating a zstd context");
  }
  *out = c;
  return 0;
}

void tt_docstore_cache_free(tt_docstore_cache *c)
{
  if (!c) return;
  for (int i = 0; i < 2; i++) {
    tt_free(c->slot[i].meta);
    tt_free(c->slot[i].body);
    tt_free(c->slot[i].docs);
  }
  ZSTD_freeDCtx(c->dctx);
  tt_free(c);
}

/* Make *buf hold at least need bytes without copying the old contents; a buffer far larger
 * than needed (left by a huge document) is given back. */
static int ensure(void **buf, size_t *cap, size_t need, size_t elem)
{
  size_t bytes = need * elem;
  if (*cap >= need && !(*cap > 4 * need && *cap * elem > (1u << 20))) return 0;
  tt_free(*buf);
  *buf = tt_malloc(bytes ? bytes : 1);
  *cap = *buf ? need : 0;
  return *buf ? 0 : tt_error_set(TT_ENOMEM, "out of memory (%zu bytes) reading documents",
                                 bytes);
}

/* Check the frame at off (csize bytes) against the table's usize before anything is
 * allocated for it: a current-format zstd frame (never hand hostile bytes to zstd's legacy
 * decoders), declaring exactly usize bytes of content, filling exactly csize bytes. */
static int ds_frame_check(const tt_docstore *r, uint64_t off, uint32_t csize, uint32_t usize,
                          uint32_t b, const char *which)
{
  const char *path = r->map.path;
  const unsigned char *src = r->map.data + off;
  if (csize < 4 || tt_load_le32(src) != ZSTD_MAGICNUMBER)
    return ds_corrupt(path, off, "block %u %s frame: not a zstd frame", b, which);
  unsigned long long fcs = ZSTD_getFrameContentSize(src, csize);
  if (fcs == ZSTD_CONTENTSIZE_ERROR || fcs == ZSTD_CONTENTSIZE_UNKNOWN || fcs != usize)
    return ds_corrupt(path, off, "block %u %s frame: bad header or content size (table says "
                      "%u)", b, which, usize);
  size_t fsz = ZSTD_findFrameCompressedSize(src, csize);
  if (ZSTD_isError(fsz) || fsz != csize)
    return ds_corrupt(path, off, "block %u %s frame: frame does not fill its %u bytes", b,
                      which, csize);
  return 0;
}

/* Decompress the checked frame at off into dst (usize bytes), with dict (NULL: none). */
static int ds_inflate(const tt_docstore *r, ZSTD_DCtx *dctx, uint64_t off, uint32_t csize,
                      uint32_t usize, unsigned char *dst, uint32_t b, const char *which,
                      const ZSTD_DDict *dict)
{
  size_t n = ZSTD_decompress_usingDDict(dctx, dst, usize, r->map.data + off, csize, dict);
  if (ZSTD_isError(n) || n != usize)
    return ds_corrupt(r->map.path, off, "block %u %s frame: %s", b, which,
                      ZSTD_isError(n) ? ZSTD_getErrorName(n) : "short output");
  return 0;
}

/* Load block b's meta frame into slot s and decode its records. */
static int ds_load_meta(const tt_docstore *r, tt_docstore_cache *c, ds_slot *s, uint32_t b)
{
  const ds_block *k = &r->blocks[b];
  const char *path = r->map.path;
  s->owner = 0;
  s->has_body = 0;
  TT_FORWARD(ds_frame_check(r, k->off, k->meta_csize, k->meta_usize, b, "meta"));
  TT_FORWARD(ensure((void **)&s->meta, &s->meta_cap, k->meta_usize, 1));
  TT_FORWARD(ensure((void **)&s->docs, &s->docs_cap, k->ndocs, sizeof(ds_doc)));
  TT_FORWARD(ds_inflate(r, c->dctx, k->off, k->meta_csize, k->meta_usize, s->meta, b, "meta",
                        r->dmeta));

  const unsigned char *m = s->meta;
  uint32_t n = tt_load_le32(m);
  if (n != k->ndocs)
    return ds_corrupt(path, k->off, "block %u holds %u documents, the table says %u", b, n,
                      k->ndocs);
  /* open() checked 4 + 32n <= meta_usize, so the fixed records are in range. */
  size_t spos = 4 + (size_t)n * DS_REC_LEN, end = k->meta_usize;
  uint64_t bpos = 0;
  for (uint32_t i = 0; i < n; i++) {
    const unsigned char *p = m + 4 + (size_t)i * DS_REC_LEN;
    ds_doc *doc = &s->docs[i];
    const char **field[4] = {&doc->rec.url, &doc->rec.title, &doc->rec.source, &doc->rec.id};
    size_t *flen[4] = {&doc->rec.url_len, &doc->rec.title_len, &doc->rec.source_len,
                       &doc->rec.id_len};
    doc->rec.published = (int64_t)tt_load_le64(p);
    for (int f = 0; f < 4; f++) {
      uint32_t len = tt_load_le32(p + 8 + 4 * f);
      if (len > TT_DOCSTORE_MAX_FIELD || len >= end - spos || m[spos + len] != 0)
        return ds_corrupt(path, k->off, "block %u document %u: field %d (%u bytes) overruns "
                          "or lacks its terminator", b, k->first_doc + i, f, len);
      *field[f] = (const char *)m + spos;
      *flen[f] = len;
      spos += (size_t)len + 1;
    }
    uint32_t blen = tt_load_le32(p + 24);
    if (blen > TT_DOCSTORE_MAX_BODY || (uint64_t)blen + 1 > k->body_usize - bpos)
      return ds_corrupt(path, k->off, "block %u document %u: body of %u bytes overruns the "
                        "body frame", b, k->first_doc + i, blen);
    doc->rec.body = NULL;
    doc->rec.body_len = blen;
    doc->body_off = bpos;
    bpos += (uint64_t)blen + 1;
  }
  if (spos != end || bpos != k->body_usize)
    return ds_corrupt(path, k->off, "block %u: records cover %zu of %u metadata bytes and "
                      "%llu of %u body bytes", b, spos, k->meta_usize,
                      (unsigned long long)bpos, k->body_usize);
  s->owner = r->uid;
  s->block = b;
  return 0;
}

static int ds_load_body(const tt_docstore *r, tt_docstore_cache *c, ds_slot *s)
{
  const ds_block *k = &r->blocks[s->block];
  uint64_t off = k->off + k->meta_csize;
  TT_FORWARD(ds_frame_check(r, off, k->body_csize, k->body_usize, s->block, "body"));
  TT_FORWARD(ensure((void **)&s->body, &s->body_cap, k->body_usize, 1));
  TT_FORWARD(ds_inflate(r, c->dctx, off, k->body_csize, k->body_usize, s->body, s->block,
                        "body", r->dbody));
  for (uint32_t i = 0; i < k->ndocs; i++) {
    const ds_doc *doc = &s->docs[i];
    if (s->body[doc->body_off + doc->rec.body_len] != 0)
      return ds_corrupt(r->map.path, off, "block %u document %u: body lacks its terminator",
                        s->block, k->first_doc + i);
  }
  s->has_body = 1;
  return 0;
}

/* Block holding doc (doc < ndocs): the last block whose first_doc <= doc. */
static uint32_t ds_find(const tt_docstore *r, uint32_t doc)
{
  uint32_t lo = 0, hi = r->nblocks;  /* answer in [lo, hi) */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (r->blocks[mid].first_doc <= doc) lo = mid;
    else hi = mid;
  }
  return lo;
}

/* The slot holding block b of r, loaded (with its body if with_body). */
static int ds_slot_get(const tt_docstore *r, tt_docstore_cache *c, uint32_t b, int with_body,
                       ds_slot **out)
{
  ds_slot *s = NULL;
  for (int i = 0; i < 2; i++)
    if (c->slot[i].owner == r->uid && c->slot[i].block == b) s = &c->slot[i];
  if (!s) {
    s = c->slot[0].used <= c->slot[1].used ? &c->slot[0] : &c->slot[1];
    TT_FORWARD(ds_load_meta(r, c, s, b));
  }
  s->used = ++c->clock;
  if (with_body && !s->has_body) TT_FORWARD(ds_load_body(r, c, s));
  *out = s;
  return 0;
}

int tt_docstore_get_with(const tt_docstore *r, tt_docstore_cache *c, uint32_t doc,
                         int with_body, tt_docstore_rec *out)
{
  if (doc >= r->ndocs)
    return tt_error_set(TT_ENOTFOUND, "%s: document %u out of range (%u documents)",
                        r->map.path, doc, r->ndocs);
  uint32_t b = ds_find(r, doc);
  ds_slot *s;
  TT_FORWARD(ds_slot_get(r, c, b, with_body, &s));
  const ds_doc *d = &s->docs[doc - r->blocks[b].first_doc];
  *out = d->rec;
  if (with_body) out->body = (const char *)s->body + d->body_off;
  return 0;
}

static int ds_builtin_cache(tt_docstore *r)
{
  return r->cache ? 0 : tt_docstore_cache_new(&r->cache);
}

int tt_docstore_get(tt_docstore *r, uint32_t doc, tt_docstore_rec *out)
{
  TT_FORWARD(ds_builtin_cache(r));
  return tt_docstore_get_with(r, r->cache, doc, 1, out);
}

int tt_docstore_get_meta(tt_docstore *r, uint32_t doc, tt_docstore_rec *out)
{
  TT_FORWARD(ds_builtin_cache(r));
  return tt_docstore_get_with(r, r->cache, doc, 0, out);
}

/* ---------------------------------------------------------------- verify */

int tt_docstore_verify(const char *path)
{
  tt_docstore *r = NULL;
  tt_docstore_cache *c = NULL;
  int rc = tt_docstore_open(&r, path, 1);
  if (!rc) rc = tt_docstore_cache_new(&c);
  for (uint32_t b = 0; !rc && b < r->nblocks; b++) {
    ds_slot *s;
    rc = ds_slot_get(r, c, b, 1, &s);  /* decodes and checks every record of the block */
  }
  tt_docstore_cache_free(c);
  tt_docstore_close(r);
  return rc;
}

void tt_docstore_release_pages(tt_docstore *r)
{
  if (r) tt_map_release(&r->map, 0, r->map.len);
}

uint32_t tt_docstore_blocks(const tt_docstore *r) { return r->nblocks; }

void tt_docstore_block_docs(const tt_docstore *r, uint32_t b, uint32_t *first, uint32_t *n)
{
  *first = r->blocks[b].first_doc;
  *n = r->blocks[b].ndocs;
}

void tt_docstore_get_dicts(const tt_docstore *r, tt_docstore_dicts *out)
{
  out->meta = r->map.data + r->dict_off;
  out->meta_len = r->dmeta_len;
  out->body = r->map.data + r->dict_off + r->dmeta_len;
  out->body_len = r->dbody_len;
}

int tt_docstore_writer_can_copy(tt_docstore_writer *w, const tt_docstore *r)
{
  if (!w->decided) return 0;
  if (w->same_uid == r->uid) return 1;
  tt_docstore_dicts d;
  tt_docstore_get_dicts(r, &d);
  if (d.meta_len != w->dmeta.n || d.body_len != w->dbody.n ||
      (d.meta_len && memcmp(d.meta, w->dmeta.p, d.meta_len)) ||
      (d.body_len && memcmp(d.body, w->dbody.p, d.body_len)))
    return 0;
  w->same_uid = r->uid;
  return 1;
}

int tt_docstore_writer_copy_block(tt_docstore_writer *w, const tt_docstore *r, uint32_t b)
{
  TT_RETURN_IF(!w || !r || b >= r->nblocks, TT_EINVAL, "tt_docstore_writer_copy_block: no block %u", b);
  if (w->rc) return dsw_fail(w, w->rc, "%s", w->msg);
  TT_RETURN_IF(!tt_docstore_writer_can_copy(w, r), TT_EINVAL, "%s: cannot copy blocks of %s "
               "compressed with other dictionaries", tt_wfile_path(w->f), r->map.path);
  const ds_block *k = &r->blocks[b];
  TT_RETURN_IF(w->ndocs > TT_DOCSTORE_MAX_DOCS - k->ndocs, TT_EINVAL, "%s: too many documents",
               tt_wfile_path(w->f));
  /* the table entry was validated at open; the frames themselves are checked here, before
   * anything is written, so that a corrupt input fails the merge instead of being copied */
  TT_FORWARD(ds_frame_check(r, k->off, k->meta_csize, k->meta_usize, b, "meta"));
  TT_FORWARD(ds_frame_check(r, k->off + k->meta_csize, k->body_csize, k->body_usize, b, "body"));
  if (dsw_block_write(w, NULL, 0)) return w->rc;
  unsigned char e[DS_ENTRY_LEN];
  tt_store_le64(e, tt_wfile_offset(w->f));
  tt_store_le32(e + 8, k->meta_csize);
  tt_store_le32(e + 12, k->meta_usize);
  tt_store_le32(e + 16, k->body_csize);
  tt_store_le32(e + 20, k->body_usize);
  tt_store_le32(e + 24, w->ndocs);
  tt_store_le32(e + 28, k->ndocs);
  tt_wfile_write(w->f, r->map.data + k->off, (size_t)k->meta_csize + k->body_csize);
  if (dsw_check_file(w)) return w->rc;
  if (tt_buf_append(&w->table, e, sizeof e))
    return dsw_fail(w, TT_ENOMEM, "%s: out of memory", tt_wfile_path(w->f));
  w->ndocs += k->ndocs;
  w->raw_bytes += (uint64_t)k->meta_usize + k->body_usize;
  w->nblocks++;
  return 0;
}

void tt_docstore_release_before(tt_docstore *r, uint32_t doc, uint64_t *mark)
{
  if (!r || !r->nblocks) return;
  uint64_t upto = doc >= r->ndocs ? r->map.len : r->blocks[ds_find(r, doc)].off;
  if (upto < *mark + ((uint64_t)1 << 20)) return;
  tt_map_release(&r->map, (size_t)*mark, (size_t)(upto - *mark));
  *mark = upto;
}
