/* timtin: the index — immutable segments plus a manifest that names the live ones.
 *
 * A tt_writer adds, replaces (by URL) and deletes articles and publishes them with
 * tt_writer_commit(); one writer at a time (a lock file, released if the process dies).
 * A tt_reader is a snapshot of one commit: it keeps seeing that commit while a writer works.
 * The on-disk layout is in docs/format.md. */
#ifndef TIMTIN_INDEX_H
#define TIMTIN_INDEX_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/article.h"

typedef struct tt_index_options {
  unsigned version;        /* TT_INDEX_OPTIONS_VERSION */
  size_t   memory_budget;  /* bytes the in-memory inversion may use before it flushes a segment */
  int      threads;        /* analyzer threads; 0 = one per core */
  int      zstd_level;     /* document store zstd level (3, with the store's dictionaries: 3.5x on
                            * generated news text at ~160 MB/s; docs/docstore.md) */
  int      merge;          /* run the tiered merge policy after each commit (1 = yes) */
  int      entities;       /* recognize entities (1 = yes); 0 = no person:/hospital:/program:/ent:
                            * terms for the articles added, which are marked instead (the term
                            * "ent:none"; tt_index_stats.no_entities counts them) */
} tt_index_options;

#define TT_INDEX_OPTIONS_VERSION 1
#define TT_INDEX_OPTIONS_INIT {TT_INDEX_OPTIONS_VERSION, (size_t)256 << 20, 0, 3, 1, 1}

typedef struct tt_index_stats {
  uint64_t docs;            /* live articles */
  uint64_t deleted;         /* articles marked deleted, not yet merged away */
  uint64_t terms;           /* distinct terms summed over segments (exact and folded) */
  uint32_t segments;
  uint64_t generation;      /* commit generation */
  uint64_t bytes_dict;      /* bytes per file kind */
  uint64_t bytes_postings;
  uint64_t bytes_docstore;
  uint64_t bytes_doctable;
  uint64_t bytes_deletes;
  uint64_t bytes_total;
  uint64_t no_entities;     /* live articles indexed without entity recognition (--no-entities) */
} tt_index_stats;

/* ------------------------------------------------------------------ writer */

typedef struct tt_writer tt_writer;

/* Open (creating dir and an empty index if needed) for writing. Takes the writer lock:
 * TT_ELOCKED if another live process holds it. opts may be NULL for the defaults. */
int tt_writer_open(tt_writer **out, const char *dir, const tt_index_options *opts);

/* Add an article; an article whose URL is already in the index (committed or added earlier
 * in this session) replaces it. Returns 0, TT_EINVAL (the article was refused; message says
 * why), or another code (the writer is then poisoned: only tt_writer_close() remains). */
int tt_writer_add(tt_writer *w, const tt_article *a);

/* Delete the article with this URL. Returns 0, TT_ENOTFOUND, or an error. */
int tt_writer_delete(tt_writer *w, const char *url, size_t url_len);

/* Make everything added and deleted so far durable and visible to new readers. A crash at any
 * instant leaves either the previous commit or this one. Refused if the writer is poisoned. */
int tt_writer_commit(tt_writer *w);

/* Merge segments: all of them into one (full != 0), or by the tiered policy. Commits. */
int tt_writer_merge(tt_writer *w, int full);

/* Counters of this writer's session (added, replaced, deleted, segments flushed, merges and
 * of those the ones run in a background thread while adding). */
typedef struct tt_writer_counts {
  uint64_t added, replaced, deleted, flushed_segments, merges, background_merges;
} tt_writer_counts;
void tt_writer_counts_get(tt_writer *w, tt_writer_counts *out);  /* waits for pending adds */

/* Release the lock and free w; what was not committed is discarded. NULL is a no-op. */
void tt_writer_close(tt_writer *w);

/* ------------------------------------------------------------------ reader */

typedef struct tt_reader tt_reader;

/* Open a snapshot of the last commit of the index in dir. verify != 0 checks every file's
 * checksum on open (slower; `timtin check` does more). */
int tt_reader_open(tt_reader **out, const char *dir, int verify);
void tt_reader_close(tt_reader *r);  /* NULL is a no-op */

int tt_reader_stats(tt_reader *r, tt_index_stats *out);

/* Verify every file of the index in dir: checksums and structural invariants. Returns 0 or
 * the first fault (TT_ECORRUPT / TT_EFORMAT) with a message naming the file and offset. */
int tt_index_check(const char *dir);

#endif
