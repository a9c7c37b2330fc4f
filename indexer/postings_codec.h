/* tt_plist: the postings-list codec — one term's postings in one segment, as bytes.
 *
 * The segment writer feeds a term's postings (doc id, title and body frequencies, positions,
 * a per-doc impact) to a tt_plist_writer and stores the bytes it appends; the segment reader
 * hands the same byte range (usually inside an mmap'd file) to a tt_plist_cursor, which the
 * query layer drives with next/seek, block-max queries for dynamic pruning and lazy positions.
 * The byte layout is specified at the top of postings_codec.c and in docs/codec.md.
 *
 * Limits: doc ids 0 .. 2^32-1, df <= 2^32-1, positions are uint32, at most TT_PLIST_MAX_NPOS
 * positions per posting, each encoded area of a list below 4 GiB. */
#ifndef TT_INDEXER_POSTINGS_CODEC_H
#define TT_INDEXER_POSTINGS_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/compiler.h"
#include "timtin/errors.h"

#define TT_PLIST_BLOCK    128          /* postings per block */
#define TT_PLIST_MAX_NPOS (1u << 24)   /* positions per posting (writer refuses, reader: corrupt) */

/* What tt_plist_writer_finish reports about the list it wrote (for the term dictionary). */
typedef struct tt_plist_info {
  uint32_t df;          /* postings in the list */
  uint32_t max_impact;  /* max of the impacts passed to add (0 for an empty list) */
  uint32_t first_doc;   /* smallest doc id (0 for an empty list) */
  uint32_t last_doc;    /* largest doc id (0 for an empty list) */
  uint64_t total_tf;    /* sum of tf_title + tf_body over the list */
  uint64_t total_pos;   /* positions stored (0 without positions) */
  size_t bytes;         /* bytes appended to the output buffer */
} tt_plist_info;

/* ---------------------------------------------------------------------------------------------
 * Writer
 * ------------------------------------------------------------------------------------------- */

typedef struct tt_plist_wskip {
  uint32_t last;        /* last doc id of the block */
  uint32_t dend;        /* end of its doc bytes in the doc area */
  uint32_t pend;        /* end of its position bytes in the position area */
  uint32_t impact;      /* max impact in the block */
} tt_plist_wskip;

/* Caller-owned; all fields are private. */
typedef struct tt_plist_writer {
  int with_pos;         /* positions are stored */
  int rc;               /* sticky error: once set, add/finish return it until reset */
  uint64_t df;          /* postings added to this list */
  uint32_t last_doc;    /* last doc id added (valid if df > 0) */
  uint32_t first_doc;
  uint32_t max_impact;
  uint64_t total_tf;
  uint64_t total_pos;
  uint32_t n;           /* postings in the current block */
  uint32_t blk_impact;  /* max impact in the current block */
  int blk_explicit;     /* some posting of the block has npos != tf_title + tf_body */
  uint32_t prev_last;   /* last doc of the previous block (UINT32_MAX before the first) */
  uint32_t docs[TT_PLIST_BLOCK];
  uint32_t tft[TT_PLIST_BLOCK];
  uint32_t tfb[TT_PLIST_BLOCK];
  uint32_t npos[TT_PLIST_BLOCK];
  uint32_t *pos;        /* the block's position stream (delta coded), tt_malloc'd */
  size_t pos_n, pos_cap;
  tt_buf docarea;       /* encoded doc blocks so far */
  tt_buf posarea;       /* encoded position blocks so far */
  tt_plist_wskip *skip; /* one entry per finished block, tt_malloc'd */
  size_t nskip, skip_cap;
} tt_plist_writer;

/* Prepare w to write lists with (1) or without (0) positions. Allocates nothing; cannot fail. */
void tt_plist_writer_init(tt_plist_writer *w, int with_positions);

/* Forget the list being written (and a sticky error), keep the memory for the next list. */
void tt_plist_writer_reset(tt_plist_writer *w);
/* tt_plist_writer_reset, then the next list with (1) or without (0) positions: what init gives,
 * with the buffers of earlier lists kept for reuse (a segment writes one list per term). */
void tt_plist_writer_restart(tt_plist_writer *w, int with_positions);

/* Free what w holds. w can be init'ed again. */
void tt_plist_writer_fini(tt_plist_writer *w);

/* Add one posting. doc must be greater than the previous doc of this list. positions[0..npos)
 * must be strictly increasing and npos <= TT_PLIST_MAX_NPOS; they are ignored (and may be NULL)
 * when w was initialised without positions. npos need not equal tf_title + tf_body, but the
 * list is smaller when it does. impact is an opaque per-posting score bound chosen by the
 * caller; the list keeps its maximum per block.
 * Returns 0, TT_EINVAL (order or limit violated) or TT_ENOMEM; either error poisons the list:
 * later add/finish calls return it until tt_plist_writer_reset. */
int tt_plist_writer_add(tt_plist_writer *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body,
                        const uint32_t *positions, uint32_t npos, uint32_t impact);
/* The same with the positions given as the gaps the list stores: gaps[0] = positions[0],
 * gaps[i] = positions[i] - positions[i - 1] - 1 (the inverter's streams hold exactly these).
 * Trusted: the caller guarantees the positions they describe fit in 32 bits. */
int tt_plist_writer_add_gaps(tt_plist_writer *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body,
                             const uint32_t *gaps, uint32_t npos, uint32_t impact);

/* Append the encoded list to out and describe it in *info (may be NULL). A list with no
 * postings is valid (one byte). Afterwards w is reset, ready for the next list.
 * Returns 0, or the sticky error / TT_ENOMEM / TT_EINVAL (list too large); on error nothing
 * is appended and w stays poisoned until reset. */
int tt_plist_writer_finish(tt_plist_writer *w, tt_buf *out, tt_plist_info *info);

/* ---------------------------------------------------------------------------------------------
 * Cursor
 *
 * A cursor reads one list from a byte range it borrows (it never copies the list; the range
 * must stay mapped until tt_plist_close). The range is treated as hostile: every length and
 * offset is checked against it, nothing outside it is read, and a malformed list makes the
 * call return TT_ECORRUPT with a message (tt_error_last) naming the byte offset within the
 * list. After TT_ECORRUPT the cursor is poisoned: next/seek/positions keep returning it.
 *
 * States: after open the cursor is *before* the first posting; next() moves to the first one.
 * A successful next/seek leaves it *on* a posting (doc/tf/positions valid). seek never moves
 * backwards: seek(t) with t <= doc() stays. seek_block/next_block are shallow: they move only
 * the block pointer (block_max/block_last_doc then describe the new block) without decoding
 * it, and leave the cursor *between* postings with a lower bound: the following next() behaves
 * as seek(bound). When the list is exhausted next/seek/seek_block return TT_ITEROVER and keep
 * doing so.
 * ------------------------------------------------------------------------------------------- */

typedef struct tt_plist_cursor {
  /* hot state, used by the inline fast paths; the current doc is docs[cur] */
  uint32_t cur;           /* index of the current posting in the decoded block */
  uint32_t lim;           /* postings in the decoded block when on a posting, else 0 */
  int tf_ready;           /* tft/tfb hold the decoded block's frequencies */
  uint32_t docs[TT_PLIST_BLOCK];   /* doc ids of the decoded block */
  uint32_t tft[TT_PLIST_BLOCK];    /* tf_title of the decoded block (when tf_ready) */
  uint32_t tfb[TT_PLIST_BLOCK];    /* tf_body of the decoded block (when tf_ready) */

  /* the list; everything below is private */
  const uint8_t *data;    /* the list's bytes (borrowed) */
  size_t len;
  uint32_t df;
  uint32_t nblocks;
  int has_pos;            /* the list stores positions */
  int want_pos;           /* opened with_positions */
  int tail_npos;          /* the last block's vbyte postings carry an explicit npos */
  int rc;                 /* sticky TT_ECORRUPT / TT_ENOMEM */
  unsigned wd, wo, wp, wi;/* skip column widths (bytes) */
  const uint8_t *col_last, *col_dend, *col_pend, *col_imp; /* skip columns */
  const uint8_t *docarea; /* start of the doc blocks */
  const uint8_t *posarea; /* start of the position blocks */
  size_t docsize, possize;
  uint32_t one_last;      /* single-block list: last doc id */
  uint32_t one_impact;    /* single-block list: block max impact */

  /* block pointer */
  uint32_t blk;           /* current block (== nblocks when exhausted) */
  uint32_t loaded;        /* block whose docs are in docs[] (UINT32_MAX: none) */
  uint32_t nb;            /* postings in the loaded block */
  uint32_t lb;            /* lower bound of the next posting when between postings */
  int on;                 /* on a posting */

  /* lazily decoded parts of the loaded block */
  const uint8_t *tft_p, *tfb_p, *npos_p; /* packed frequency columns (full blocks) */
  unsigned wt, wb, wn;    /* their widths (wn = 0xFF: npos = tft + tfb) */
  uint32_t npos[TT_PLIST_BLOCK];
  int npos_ready;
  int pos_ready;          /* ptotal/nchunks computed for the loaded block */
  const uint8_t *pb;      /* the loaded block's position bytes */
  size_t plen;
  uint32_t pstart[TT_PLIST_BLOCK + 1]; /* first value of each posting in the stream ... */
  uint32_t pdone;         /* ... known for postings 0..pdone (filled on demand) */
  int psum;               /* pstart[] and npos[] not filled: a posting's stream offset is
                           * taken from the lane sums of tft/tfb below when it is read */
  uint32_t lsum[TT_PLIST_BLOCK + 4];  /* lane sums of tft + tfb (tt_bp128_unpack_lsum; psum) */
  uint32_t ptotal;        /* values in the block's position stream */
  uint32_t nchunks;       /* packed 128-value chunks in the stream */
  uint32_t walk_k;        /* chunk walker: chunk index ... */
  size_t walk_off;        /* ... and its byte offset in pb */
  uint32_t chunk_k;       /* chunk held in chunk[] (UINT32_MAX: none) */
  uint32_t chunk[128];    /* stored values (first position, gaps - 1) */
  int chunk_abs_ready;    /* chunk_abs[] holds chunk[] as positions (read in sequence) */
  uint32_t chunk_abs[128];/* the same as positions, for postings that start in the chunk */
  int tail_ready;         /* the tail of the stream (stored values) is in tail[] */
  int tail_located;       /* tail_p and tail_mode are set (locate_tail) */
  const uint8_t *tail_p;  /* the tail's values in pb (after its mode byte) */
  unsigned tail_mode;     /* its packed width, or 0xFF: vbyte */
  uint32_t tail[128];
  int tail_abs_ready;     /* tail_abs[] holds tail[] as positions */
  uint32_t tail_abs[128];
  uint32_t *posbuf;       /* positions of the current posting (tt_malloc'd) */
  uint32_t poscap;
  uint32_t pos_for;       /* posting (index in block) whose positions were returned last */
  uint32_t seq_run;       /* how many reads before it were of the posting just before */
  uint32_t posn;          /* ... how many */
  const uint32_t *pos_ptr;/* ... and where they are (posbuf, chunk_abs or tail_abs) */
} tt_plist_cursor;

/* Open a cursor on the list in data[0..len). with_positions = 1 asks for positions: a list
 * stored without them is then refused as corrupt; with 0, tt_plist_positions is refused.
 * c is treated as uninitialised. Small lists (one block) are decoded here.
 * Returns 0 or TT_ECORRUPT. Call tt_plist_close afterwards in both cases. */
int tt_plist_open(tt_plist_cursor *c, const uint8_t *data, size_t len, int with_positions);

/* Free what the cursor allocated (the positions buffer). Safe after a failed open. */
void tt_plist_close(tt_plist_cursor *c);

int tt_plist__next_slow(tt_plist_cursor *c);
int tt_plist__seek_slow(tt_plist_cursor *c, uint32_t target);
void tt_plist__load_tf(tt_plist_cursor *c);

/* Move to the next posting. Returns 0, TT_ITEROVER at the end, or TT_ECORRUPT. */
TT_INLINE int tt_plist_next(tt_plist_cursor *c)
{
  /* Only cur is stored: a second store next to it (the doc id) gets merged by GCC's SLP
   * vectoriser into one 8-byte store that the next iteration must reload, which made the loop
   * 4x slower (docs/codec.md). */
  uint32_t i = c->cur + 1;
  if (TT_LIKELY(i < c->lim)) {
    c->cur = i;
    return 0;
  }
  return tt_plist__next_slow(c);
}

/* Move to the first posting with doc >= target (never backwards: a cursor on a doc >= target
 * stays). Uses the skip table, so skipped blocks are not decoded.
 * Returns 0, TT_ITEROVER if no such posting, or TT_ECORRUPT. */
TT_INLINE int tt_plist_seek(tt_plist_cursor *c, uint32_t target)
{
  if (TT_LIKELY(c->lim != 0 && target <= c->docs[c->cur])) return 0;
  return tt_plist__seek_slow(c, target);
}

/* tt_plist_seek for a target a few to a hundred postings ahead (the candidates of a top-k
 * scan or a phrase check, sparser than the list): a target inside the decoded block is found
 * without the call (the next posting, the three after it, then a bisection of the rest);
 * otherwise tt_plist_seek. */
TT_INLINE int tt_plist_seek_near(tt_plist_cursor *c, uint32_t target)
{
  if (c->lim != 0 && target <= c->docs[c->lim - 1]) {
    uint32_t i = c->cur;
    if (target <= c->docs[i]) return 0;
    /* the first index in (cur, lim) with docs >= target: one exists, docs[lim - 1]; the next
     * posting first (dense candidates), then bisection */
    if (target <= c->docs[i + 1]) {
      c->cur = i + 1;
      return 0;
    }
    /* then the three after it, without branching on each */
    if (i + 5 < c->lim && target <= c->docs[i + 5]) {
      c->cur = i + 2 + (c->docs[i + 2] < target) + (c->docs[i + 3] < target) + (c->docs[i + 4] < target);
      return 0;
    }
    const uint32_t *base = c->docs + i + 2;
    uint32_t len = c->lim - i - 2;
    while (len > 1) {
      uint32_t half = len / 2;
      base = base[half] < target ? base + half : base;
      len -= half;
    }
    c->cur = (uint32_t)(base - c->docs) + (*base < target);
    return 0;
  }
  return tt_plist_seek(c, target);
}

/* Is target in the decoded block, not before the current posting? Then a seek to it decodes
 * nothing. */
TT_INLINE int tt_plist_in_block(const tt_plist_cursor *c, uint32_t target)
{
  return c->lim != 0 && target >= c->docs[c->cur] && target <= c->docs[c->lim - 1];
}

/* The current posting (valid after next/seek returned 0). */
TT_INLINE uint32_t tt_plist_doc(const tt_plist_cursor *c) { return c->docs[c->cur]; }
/* The doc id k postings after the current one when it is in the decoded block, else
 * UINT32_MAX (for prefetching what those postings will need; the cursor must be on a posting).
 * Not checked against the list's bounds beyond the block: validate before use. */
TT_INLINE uint32_t tt_plist_doc_ahead(const tt_plist_cursor *c, uint32_t k)
{
  return c->cur + k < c->lim ? c->docs[c->cur + k] : UINT32_MAX;
}
TT_INLINE uint32_t tt_plist_tf_title(tt_plist_cursor *c)
{
  if (TT_UNLIKELY(!c->tf_ready)) tt_plist__load_tf(c);
  return c->tft[c->cur];
}
TT_INLINE uint32_t tt_plist_tf_body(tt_plist_cursor *c)
{
  if (TT_UNLIKELY(!c->tf_ready)) tt_plist__load_tf(c);
  return c->tfb[c->cur];
}

/* The decoded doc ids from the current posting to the end of its block (valid after next/seek
 * returned 0): *n of them, increasing. Bulk readers (match sets as bitmaps) take a block at a
 * time this way, then tt_plist_to_block_end and next(), instead of one next() per posting. */
TT_INLINE const uint32_t *tt_plist_block_docs(const tt_plist_cursor *c, uint32_t *n)
{
  *n = c->lim - c->cur;
  return c->docs + c->cur;
}

/* Move to the last posting of the decoded block (the cursor must be on a posting). */
TT_INLINE void tt_plist_to_block_end(tt_plist_cursor *c) { c->cur = c->lim - 1; }

/* Positions of the current posting, decoded now (only the chunks they lie in). *pos points
 * into the cursor and stays valid until the cursor moves or is closed.
 * Returns 0, TT_EINVAL (opened without positions, or not on a posting), TT_ENOMEM or
 * TT_ECORRUPT. */
int tt_plist__positions_slow(tt_plist_cursor *c, const uint32_t **pos, uint32_t *n);
TT_INLINE int tt_plist_positions(tt_plist_cursor *c, const uint32_t **pos, uint32_t *n)
{
  if (c->pos_for == c->cur && c->lim) { /* asked again for the same posting */
    *pos = c->pos_ptr;
    *n = c->posn;
    return 0;
  }
  return tt_plist__positions_slow(c, pos, n);
}

/* The current posting's positions as the list stores them: the first position, then each
 * later position minus the one before minus 1 (what tt_plist_writer_add_gaps takes), without
 * turning them into positions: a merge hands them on as they are. Checked as
 * tt_plist_positions checks (the positions they describe fit in 32 bits). *gaps points into
 * the cursor and stays valid until the cursor moves or is closed, or the next call of this
 * function or tt_plist_positions. Returns as tt_plist_positions. */
int tt_plist_position_gaps(tt_plist_cursor *c, const uint32_t **gaps, uint32_t *n);

/* Postings in the list. */
TT_INLINE uint32_t tt_plist_df(const tt_plist_cursor *c) { return c->df; }

/* Max impact of the current block (0 once exhausted), and its last doc id (UINT32_MAX once
 * exhausted). Both read the skip table only. */
uint32_t tt_plist_block_max(const tt_plist_cursor *c);
uint32_t tt_plist_block_last_doc(const tt_plist_cursor *c);

/* Max impact over the whole list (a scan of the skip table's impact column). */
uint32_t tt_plist_max_impact(const tt_plist_cursor *c);

/* Shallow move (block-max WAND): move the block pointer to the block that would contain
 * target — the first block whose last doc is >= target — without decoding it. Never moves
 * backwards; a no-op if the cursor is already on or bound to a doc >= target. The next
 * next()/seek(t) returns the first posting >= max(target, t).
 * Returns 0, TT_ITEROVER (target is past the last doc) or TT_ECORRUPT. */
int tt_plist_seek_block(tt_plist_cursor *c, uint32_t target);

/* Shallow move to the block after the current one (seek_block(block_last_doc + 1)).
 * Returns 0, TT_ITEROVER (no more blocks) or TT_ECORRUPT. */
int tt_plist_next_block(tt_plist_cursor *c);

#endif
