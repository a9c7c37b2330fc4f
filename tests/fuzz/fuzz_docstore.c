/* Fuzz target: the document store reader (indexer/docstore.c) on hostile files.
 *
 * Two modes, chosen by the first byte of the input:
 *   even  the input is the file, byte for byte (seeds are real docstore files: version 1, and
 *         version 2 with dictionaries, dicts.docs);
 *   odd   structure-aware: the rest of the input is [u16 meta_len][meta][body]; meta and body
 *         become the decompressed frames of a single block, wrapped in a correct envelope,
 *         table, tail and checksum, so the record decoder itself gets hostile input.
 * Either way: open without the checksum pass, get_meta and get every document, then verify
 * (which checks the checksum and every block).
 * Nothing may crash or read out of bounds; every failure must be TT_ECORRUPT/TT_EFORMAT. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>
#include <zstd.h>

#include "common/endian.h"
#include "common/error.h"
#include "indexer/docstore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char path[256];

static void cleanup(void) { if (path[0]) unlink(path); }

static int write_file(const void *p, size_t n)
{
  FILE *fp = fopen(path, "wb");
  if (!fp) return -1;
  int ok = n == 0 || fwrite(p, 1, n, fp) == n;
  return (fclose(fp) == 0 && ok) ? 0 : -1;
}

/* One block around meta/body; returns the file size or 0. */
static size_t forge(unsigned char *out, size_t cap, const uint8_t *meta, size_t mlen,
                    const uint8_t *body, size_t blen)
{
  size_t need = 16 + ZSTD_compressBound(mlen) + ZSTD_compressBound(blen) + 96;
  if (need > cap) return 0;
  memcpy(out, TT_DOCSTORE_MAGIC, 8);
  tt_store_le32(out + 8, TT_DOCSTORE_VERSION);
  tt_store_le32(out + 12, 0);
  size_t o = 16;
  size_t mc = ZSTD_compress(out + o, cap - o, meta, mlen, 1);
  if (ZSTD_isError(mc)) return 0;
  o += mc;
  size_t bc = ZSTD_compress(out + o, cap - o, body, blen, 1);
  if (ZSTD_isError(bc)) return 0;
  o += bc;
  uint32_t ndocs = mlen >= 4 ? tt_load_le32(meta) : 1;
  if (ndocs == 0 || ndocs > 100000) ndocs = 1;
  uint64_t table = o;
  tt_store_le64(out + o, 16);
  tt_store_le32(out + o + 8, (uint32_t)mc);
  tt_store_le32(out + o + 12, (uint32_t)mlen);
  tt_store_le32(out + o + 16, (uint32_t)bc);
  tt_store_le32(out + o + 20, (uint32_t)blen);
  tt_store_le32(out + o + 24, 0);
  tt_store_le32(out + o + 28, ndocs);
  o += 32;
  tt_store_le64(out + o, table);
  tt_store_le32(out + o + 8, 1);
  tt_store_le32(out + o + 12, ndocs);
  tt_store_le64(out + o + 16, (uint64_t)mlen + blen);
  tt_store_le32(out + o + 24, 65536);
  tt_store_le32(out + o + 28, 0);
  tt_store_le64(out + o + 32, table);  /* version 2: no dictionaries, they end at the table */
  tt_store_le32(out + o + 40, 0);
  tt_store_le32(out + o + 44, 0);
  o += 48;
  memcpy(out + o + 8, TT_DOCSTORE_MAGIC, 8);
  o += 16;
  tt_store_le64(out + o - 16, XXH3_64bits(out, o - 16));
  return o;
}

static void check_rc(int rc)
{
  if (rc != 0 && rc != TT_ECORRUPT && rc != TT_EFORMAT) {
    fprintf(stderr, "fuzz_docstore: unexpected error %d: %s\n", rc, tt_error_last());
    abort();
  }
  if (rc && !strstr(tt_error_last(), path)) {
    fprintf(stderr, "fuzz_docstore: message does not name the file: %s\n", tt_error_last());
    abort();
  }
}

static void exercise(int verify_checksum)
{
  tt_docstore *r = NULL;
  int rc = tt_docstore_open(&r, path, verify_checksum);
  check_rc(rc);
  if (rc) return;
  uint32_t n = tt_docstore_count(r), errors = 0;
  for (uint32_t d = 0; d < n && d < 100000 && errors < 64; d++) {
    tt_docstore_rec out;
    rc = tt_docstore_get_meta(r, d, &out);
    check_rc(rc);
    if (rc) { errors++; continue; }
    volatile unsigned sum = (unsigned char)out.url[out.url_len] +
                            (unsigned char)out.title[out.title_len] +
                            (unsigned char)out.source[out.source_len] +
                            (unsigned char)out.id[out.id_len];
    rc = tt_docstore_get(r, d, &out);
    check_rc(rc);
    if (rc) { errors++; continue; }
    for (size_t i = 0; i <= out.body_len; i++) sum += (unsigned char)out.body[i];
    (void)sum;
  }
  tt_docstore_close(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!path[0]) {
    /* One scratch file per process, rewritten for every input; tmpfs when there is one
     * (rewriting a file on a disk file system costs ~1 ms a time). */
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp) tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    snprintf(path, sizeof path, "%s/fuzz_docstore.%ld.docs", tmp, (long)getpid());
    atexit(cleanup);
  }
  if (size > 0 && (data[0] & 1)) {
    if (size < 3) return 0;
    size_t mlen = tt_load_le16(data + 1);
    size_t rest = size - 3;
    if (mlen > rest) mlen = rest;
    static unsigned char file[3 * 65536];
    size_t n = forge(file, sizeof file, data + 3, mlen, data + 3 + mlen, rest - mlen);
    if (!n || write_file(file, n)) return 0;
  } else if (write_file(data, size)) {
    return 0;
  }
  exercise(0);
  check_rc(tt_docstore_verify(path));
  return 0;
}
