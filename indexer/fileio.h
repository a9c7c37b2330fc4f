/* indexer/fileio: crash-safe file primitives shared by every index file writer and reader.
 *
 * Who calls it: the segment writer/reader, the document store, the manifest. Four pieces:
 *
 *   tt_wfile   a buffered, append-only writer to a NEW file, with a sticky error (style.md
 *              practice 4) and an incremental XXH3 of every byte written, so the footer checksum
 *              needs no re-read.
 *   tt_map     a read-only memory map of a whole file (an empty file maps as len 0).
 *   header /   the envelope every index file shares (see "File envelope" below), written through
 *   footer     a tt_wfile and checked on a tt_map.
 *   atomic     tt_fsync_dir and tt_file_replace_atomic (write temp, fsync, rename, fsync dir), the
 *   replace    commit step of the manifest.
 *
 * File envelope (all integers little-endian):
 *
 *   offset 0        8 bytes   magic, one per file kind (e.g. "TTDOCS01"), chosen by the caller
 *   offset 8        u32       format version (>= 1), chosen by the caller
 *   offset 12       u32       flags (file-kind specific; 0 when unused)
 *   offset 16 ...             body, owned by the file kind
 *   offset size-16  u64       XXH3_64bits (seed 0) of bytes [0, size-16)
 *   offset size-8   8 bytes   the same magic again (the trailer: a truncated file lacks it)
 *
 * Errors follow include/timtin/errors.h: 0 or a negative TT_E* code, with a message naming the
 * path (and the offset where there is one) in tt_error_last(). */
#ifndef TT_INDEXER_FILEIO_H
#define TT_INDEXER_FILEIO_H

#include <stddef.h>
#include <stdint.h>

#define TT_FILE_MAGIC_LEN  8
#define TT_FILE_HEADER_LEN 16
#define TT_FILE_FOOTER_LEN 16

/* ---------------------------------------------------------------- sequential writer */

typedef struct tt_wfile tt_wfile;

/* Create path (which must not exist: O_CREAT|O_EXCL, mode 0644 minus umask) for writing.
 * *out is set only on success. Returns 0, TT_EIO (exists, permission, ...), TT_EINVAL or
 * TT_ENOMEM.
 * Only the file's contents are made durable by tt_wfile_close_sync(); the new directory entry
 * is not: call tt_fsync_dir() on the parent after creating files (a commit does it once). */
int tt_wfile_open(tt_wfile **out, const char *path);

/* Append len bytes. Returns 0, or the sticky error: once any call has failed, every later call
 * is a no-op that returns the first error again (and puts its message back in
 * tt_error_last()), so callers may check only at tt_wfile_close_sync(). */
int tt_wfile_write(tt_wfile *f, const void *data, size_t len);

/* Bytes accepted so far (buffered ones included) = offset of the next byte written. */
uint64_t tt_wfile_offset(const tt_wfile *f);

/* XXH3_64bits of every byte accepted so far (does not consume the state). */
uint64_t tt_wfile_hash(const tt_wfile *f);

/* The sticky error (0 while healthy). */
int tt_wfile_error(const tt_wfile *f);

/* Path as given to open (borrowed; valid until close/abort). */
const char *tt_wfile_path(const tt_wfile *f);

/* Flush, fsync, close and free f. Returns 0, or the first error of the file's life (message
 * names the path); on error the incomplete file is unlinked, since it can never be valid.
 * f is freed in every case. NULL is a no-op returning 0. */
int tt_wfile_close_sync(tt_wfile *f);

/* Close, unlink and free f, ignoring errors (it is the cleanup path). NULL is a no-op. */
void tt_wfile_abort(tt_wfile *f);

/* ---------------------------------------------------------------- envelope */

/* Write the 16-byte header. Must be the first bytes of the file (else TT_EINVAL, sticky).
 * magic points to TT_FILE_MAGIC_LEN bytes (a string literal like "TTDOCS01" is fine). */
int tt_file_header_write(tt_wfile *f, const char *magic, uint32_t version, uint32_t flags);

/* Write the 16-byte footer: XXH3 of everything written so far, then magic. Call last, just
 * before tt_wfile_close_sync(). Returns 0 or the sticky error. */
int tt_file_footer_write(tt_wfile *f, const char *magic);

/* ---------------------------------------------------------------- read-only map */

typedef struct tt_map {
  const unsigned char *data;  /* file bytes; never NULL after a successful open (len may be 0) */
  size_t len;                 /* file size in bytes */
  char *path;                 /* copy of the path, for messages */
  int mapped_;                /* internal: 0 none/empty, 1 mmap, 2 heap copy (small file) */
} tt_map;

#define TT_MAP_INIT {NULL, 0, NULL, 0}

/* Map the whole of path read-only. Returns 0, TT_ENOTFOUND (no such file), TT_EINVAL (not a
 * regular file), TT_EIO or TT_ENOMEM; m is left zeroed (safe to close) on failure.
 * The bytes are valid until tt_map_close(). Files up to 64 KiB are read into memory instead
 * (cheaper than mmap + munmap); larger ones are mapped and must not be truncated while mapped
 * (index files are immutable once written; a truncation would raise SIGBUS on access). */
int tt_map_open(tt_map *m, const char *path);

/* Drop the pages of [off, off+len) from this process (madvise DONTNEED on the page-aligned
 * inside of the range; a no-op for files read into memory). The bytes stay valid: they fault
 * back in from the page cache. For sequential readers of big files (merge), so resident memory
 * stays bounded. */
void tt_map_release(tt_map *m, size_t off, size_t len);

/* Unmap and zero m. Safe on a zeroed map and when called twice. */
void tt_map_close(tt_map *m);

/* Check the envelope without hashing: size >= 32, header magic, 1 <= version <= max_version,
 * trailer magic. O(1); for readers that skip the checksum on open.
 * Returns 0 (and *version_out if not NULL), TT_EFORMAT (wrong magic or version) or
 * TT_ECORRUPT (too short, trailer missing); the message names the path and offset. */
int tt_file_check_header(const tt_map *m, const char *magic, uint32_t max_version,
                         uint32_t *version_out);

/* tt_file_check_header() plus the XXH3 checksum of the whole file (reads every byte).
 * Returns as above; a checksum mismatch is TT_ECORRUPT. */
int tt_file_check(const tt_map *m, const char *magic, uint32_t max_version,
                  uint32_t *version_out);

/* Flags word of a file that passed tt_file_check_header(). */
static inline uint32_t tt_file_flags(const tt_map *m)
{
  return (uint32_t)m->data[12] | (uint32_t)m->data[13] << 8 | (uint32_t)m->data[14] << 16 |
         (uint32_t)m->data[15] << 24;
}

/* ---------------------------------------------------------------- durability */

/* fsync a directory so that entries created, renamed or removed in it are durable.
 * Returns 0 or TT_EIO naming dir. */
int tt_fsync_dir(const char *dir);

/* Atomically replace dir/name with data: write dir/name.tmp (a stale one from a crash is
 * removed first), fsync it, rename it over dir/name, fsync dir. After a crash at any instant
 * dir/name holds either the old or the new contents, never a mix. On failure the temp file is
 * removed and dir/name is untouched. Callers serialize writers of the same name (the index
 * write lock). Returns 0, TT_EIO or TT_ENOMEM. */
int tt_file_replace_atomic(const char *dir, const char *name, const void *data, size_t len);

#endif
