/* indexer/dict: a segment's term dictionary (<segment>.dict).
 *
 * Sorted keys, front-coded in blocks of TT_DICT_BLOCK entries, followed by a table of block
 * offsets; a lookup binary-searches the blocks by their first key (stored whole) and scans one
 * block. The reader works on the mapped file, which it treats as hostile (every length is
 * checked; faults are TT_ECORRUPT naming the file and offset); in memory it keeps only a
 * summary of each block's first key, filled as lookups probe the block (16 bytes a block).
 * Byte layout: top of dict.c and docs/format.md. */
#ifndef TT_INDEXER_DICT_H
#define TT_INDEXER_DICT_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "indexer/fileio.h"

#define TT_DICT_MAGIC   "TTDICT01"
#define TT_DICT_VERSION 2   /* written; readers also open version 1 (absolute post_off) */
#define TT_DICT_BLOCK   32
#define TT_DICT_MAX_KEY 255

#define TT_DICT_POSITIONAL 1u  /* the term's postings carry positions (folded terms) */

typedef struct tt_dict_entry {
  const char *key;     /* points into the iterator's buffer; NUL-terminated */
  uint32_t key_len;
  uint32_t flags;      /* TT_DICT_* */
  uint32_t df;
  uint32_t max_impact; /* largest per-document impact in the list */
  uint64_t post_off;   /* byte offset of the list in <segment>.post */
  uint64_t post_len;   /* its length */
} tt_dict_entry;

/* ---- writer: entries in strictly increasing key order */
typedef struct tt_dict_writer {
  tt_wfile *f;
  tt_buf block;         /* current block, not yet written */
  tt_buf prev;          /* previous key */
  tt_buf offsets;       /* u64 LE per written block */
  uint64_t prev_end;    /* post_off + post_len of the previous entry */
  uint64_t nterms;
  uint32_t in_block;
} tt_dict_writer;

int  tt_dict_writer_open(tt_dict_writer *w, const char *path);
int  tt_dict_writer_add(tt_dict_writer *w, const tt_dict_entry *e);
int  tt_dict_writer_finish(tt_dict_writer *w);   /* writes index + footer, fsyncs, closes */
void tt_dict_writer_abort(tt_dict_writer *w);

/* ---- reader */
typedef struct tt_dict {
  tt_map map;
  const uint8_t *blocks_end;   /* end of the block area */
  const uint8_t *index;        /* nblocks u64 offsets */
  uint32_t nblocks;
  uint64_t nterms;
  uint32_t version;            /* 1: every post_off absolute; 2: relative after a block's first */
  _Atomic uint64_t *firsts;    /* 2 x nblocks summaries of the blocks' first keys (dict.c),
                                  filled by the lookups that probe a block */
  _Atomic uint64_t *filled;    /* bit b: block b's summaries are valid. Atomics: any number of
                                  threads may look up at once (all write the same values) */
} tt_dict;

int  tt_dict_open(tt_dict *d, const char *path, int verify);
void tt_dict_close(tt_dict *d);

/* Find key. Returns 0 and fills *e (key points into scratch, which must hold
 * TT_DICT_MAX_KEY + 1 bytes), TT_ENOTFOUND, or TT_ECORRUPT. Checks every byte it reads, but
 * reads only what it needs: entries after the point where key would be are not read, and the
 * df and max_impact of entries that are not key are stepped over, not decoded (so a malformed
 * one there goes unnoticed; tt_dict_verify checks everything). */
int tt_dict_lookup(const tt_dict *d, const char *key, size_t len, tt_dict_entry *e, char *scratch);

/* Iteration in key order from the first key >= from (from may be NULL for all). */
typedef struct tt_dict_iter {
  const tt_dict *d;
  uint32_t block;        /* current block */
  uint32_t in_block;     /* entries consumed in it */
  const uint8_t *p;      /* next entry */
  char key[TT_DICT_MAX_KEY + 1];
  uint32_t key_len;
  uint64_t prev_end;     /* post_off + post_len of the previous entry of the block */
} tt_dict_iter;

int tt_dict_iter_seek(tt_dict_iter *it, const tt_dict *d, const char *from, size_t len);
/* Returns 0 with *e filled (e->key points into it->key), TT_ITEROVER, or TT_ECORRUPT. */
int tt_dict_iter_next(tt_dict_iter *it, tt_dict_entry *e);

/* Walk every entry and check order and bounds (for `timtin check`). post_size bounds offsets. */
int tt_dict_verify(const tt_dict *d, uint64_t post_size);

#endif
