/* Term dictionary of a segment (indexer/dict.h).
 *
 * File layout (little-endian; envelope from indexer/fileio.h):
 *
 *   header   16 bytes  "TTDICT01", version 2, flags 0
 *   blocks   nblocks blocks of up to 32 entries; each entry:
 *              vbyte shared     bytes shared with the previous key (0 for a block's first entry)
 *              vbyte suffix_len then suffix_len bytes of key (shared + suffix_len <= 255)
 *              u8    flags      TT_DICT_POSITIONAL
 *              vbyte df
 *              vbyte max_impact
 *              vbyte64 post_off: a block's first entry: the absolute offset in <segment>.post;
 *                       the others: zigzag(post_off - (previous post_off + previous post_len)),
 *                       1 byte (0) when the lists lie back to back in key order, as the
 *                       segment writer and merge write them (version 1: always absolute)
 *              vbyte64 post_len
 *   index    nblocks x u64   offset of each block from the start of the file
 *   trailer  u64 index_off, u64 nterms, u32 nblocks, u32 block_size (32)
 *   footer   16 bytes (checksum, magic)
 *
 * Keys are strictly increasing in memcmp order (a prefix sorts first).
 * Version 2 saves ~3 bytes a term (2.4 MB of 14.2 at 100k articles; docs/format.md). */
#include "indexer/dict.h"

#include <stdatomic.h>
#include <string.h>

#include "common/alloc.h"
#include "common/endian.h"
#include "common/error.h"
#include "indexer/vbyte.h"

#define TRAILER_LEN 24

static int corrupt(const tt_dict *d, const uint8_t *at, const char *what)
{
  return tt_error_set(TT_ECORRUPT, "%s: corrupt term dictionary at offset %zu: %s", d->map.path,
                      (size_t)(at - d->map.data), what);
}

/* Signed difference (two's complement in a u64) <-> small unsigned for vbyte. */
static uint64_t zigzag(uint64_t d) { return (d << 1) ^ (uint64_t)-(int64_t)(d >> 63); }
static uint64_t unzigzag(uint64_t z) { return (z >> 1) ^ (uint64_t)-(int64_t)(z & 1); }

int tt_dict_writer_open(tt_dict_writer *w, const char *path)
{
  memset(w, 0, sizeof *w);
  TT_FORWARD(tt_wfile_open(&w->f, path));
  return tt_file_header_write(w->f, TT_DICT_MAGIC, TT_DICT_VERSION, 0);
}

static int flush_block(tt_dict_writer *w)
{
  if (!w->in_block) return 0;
  uint8_t off[8];
  tt_store_le64(off, tt_wfile_offset(w->f));
  if (tt_buf_append(&w->offsets, off, 8)) return TT_ENOMEM;
  int rc = tt_wfile_write(w->f, w->block.p, w->block.n);
  tt_buf_reset(&w->block);
  w->in_block = 0;
  return rc;
}

/* Bytes shared at the start of a[0, n) and b[0, n), eight at a time (entity and keyword terms
 * share prefixes of tens of bytes with their predecessors). */
static uint32_t common_prefix(const char *a, const char *b, uint32_t n)
{
  uint32_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x = tt_load_le64(a + i) ^ tt_load_le64(b + i);
    if (x) return i + (uint32_t)(__builtin_ctzll(x) >> 3);
  }
  while (i < n && a[i] == b[i]) i++;
  return i;
}

int tt_dict_writer_add(tt_dict_writer *w, const tt_dict_entry *e)
{
  if (e->key_len > TT_DICT_MAX_KEY)
    return tt_error_set(TT_EINVAL, "term longer than %d bytes", TT_DICT_MAX_KEY);
  if (w->in_block == TT_DICT_BLOCK) TT_FORWARD(flush_block(w));
  uint32_t shared = 0;
  if (w->in_block)
    shared = common_prefix(w->prev.p, e->key, (uint32_t)(w->prev.n < e->key_len ? w->prev.n : e->key_len));
  tt_buf *b = &w->block;
  /* shared, suffix length, suffix, flags, df, max_impact, post_off, post_len: room once */
  if (tt_buf_reserve(b, 4 * TT_VBYTE_MAX32 + 2 * TT_VBYTE_MAX64 + (e->key_len - shared) + 1)) return TT_ENOMEM;
  uint8_t *o = (uint8_t *)b->p + b->n;
  o += tt_vbyte_encode64_inline(o, shared);
  o += tt_vbyte_encode64_inline(o, e->key_len - shared);
  memcpy(o, e->key + shared, e->key_len - shared);
  o += e->key_len - shared;
  *o++ = (uint8_t)e->flags;
  o += tt_vbyte_encode64_inline(o, e->df);
  o += tt_vbyte_encode64_inline(o, e->max_impact);
  o += tt_vbyte_encode64_inline(o, w->in_block ? zigzag(e->post_off - w->prev_end) : e->post_off);
  o += tt_vbyte_encode64_inline(o, e->post_len);
  b->n = (size_t)(o - (uint8_t *)b->p);
  b->p[b->n] = 0;
  w->prev_end = e->post_off + e->post_len;
  tt_buf_reset(&w->prev);
  if (tt_buf_append(&w->prev, e->key, e->key_len)) return TT_ENOMEM;
  w->in_block++;
  w->nterms++;
  return 0;
}

int tt_dict_writer_finish(tt_dict_writer *w)
{
  int rc = flush_block(w);
  uint64_t index_off = tt_wfile_offset(w->f);
  if (!rc) rc = tt_wfile_write(w->f, w->offsets.p, w->offsets.n);
  uint8_t tr[TRAILER_LEN];
  tt_store_le64(tr, index_off);
  tt_store_le64(tr + 8, w->nterms);
  tt_store_le32(tr + 16, (uint32_t)(w->offsets.n / 8));
  tt_store_le32(tr + 20, TT_DICT_BLOCK);
  if (!rc) rc = tt_wfile_write(w->f, tr, sizeof tr);
  if (!rc) rc = tt_file_footer_write(w->f, TT_DICT_MAGIC);
  if (rc) { tt_wfile_abort(w->f); w->f = NULL; }
  else { rc = tt_wfile_close_sync(w->f); w->f = NULL; }
  tt_buf_fini(&w->block);
  tt_buf_fini(&w->prev);
  tt_buf_fini(&w->offsets);
  return rc;
}

void tt_dict_writer_abort(tt_dict_writer *w)
{
  tt_wfile_abort(w->f);
  w->f = NULL;
  tt_buf_fini(&w->block);
  tt_buf_fini(&w->prev);
  tt_buf_fini(&w->offsets);
}

int tt_dict_open(tt_dict *d, const char *path, int verify)
{
  memset(d, 0, sizeof *d);
  int rc = tt_map_open(&d->map, path);
  if (rc) return rc;
  rc = verify ? tt_file_check(&d->map, TT_DICT_MAGIC, TT_DICT_VERSION, &d->version)
              : tt_file_check_header(&d->map, TT_DICT_MAGIC, TT_DICT_VERSION, &d->version);
  if (rc) goto fail;
  const uint8_t *base = d->map.data;
  size_t body_end = d->map.len - TT_FILE_FOOTER_LEN;
  if (body_end < TT_FILE_HEADER_LEN + TRAILER_LEN) {
    rc = corrupt(d, base + body_end, "file too short for its trailer");
    goto fail;
  }
  const uint8_t *tr = base + body_end - TRAILER_LEN;
  uint64_t index_off = tt_load_le64(tr);
  d->nterms = tt_load_le64(tr + 8);
  d->nblocks = tt_load_le32(tr + 16);
  if (tt_load_le32(tr + 20) != TT_DICT_BLOCK || index_off < TT_FILE_HEADER_LEN ||
      index_off + (uint64_t)d->nblocks * 8 != (uint64_t)(tr - base) ||
      d->nterms > (uint64_t)d->nblocks * TT_DICT_BLOCK ||
      d->nterms < (d->nblocks ? (uint64_t)d->nblocks * TT_DICT_BLOCK - (TT_DICT_BLOCK - 1) : 0)) {
    rc = corrupt(d, tr, "bad trailer");
    goto fail;
  }
  d->index = base + index_off;
  d->blocks_end = base + index_off;
  for (uint32_t i = 0; i < d->nblocks; i++) {
    uint64_t off = tt_load_le64(d->index + 8 * (size_t)i);
    uint64_t prev = i ? tt_load_le64(d->index + 8 * (size_t)(i - 1)) : TT_FILE_HEADER_LEN - 1;
    if (off <= prev || off >= index_off || (i == 0 && off != TT_FILE_HEADER_LEN)) {
      rc = corrupt(d, d->index + 8 * (size_t)i, "block offsets out of order or range");
      goto fail;
    }
  }
  /* The summaries are not cleared (nor their pages touched) here: a block's are valid once
   * its bit in `filled` is set (a zeroed bitmap: 1 bit a block). */
  if (d->nblocks &&
      (!(d->firsts = tt_malloc(2 * (size_t)d->nblocks * sizeof *d->firsts)) ||
       !(d->filled = tt_calloc(((size_t)d->nblocks + 63) / 64, sizeof *d->filled)))) {
    tt_free((void *)d->firsts);
    rc = tt_error_set(TT_ENOMEM, "out of memory opening %s", path);
    goto fail;
  }
  return 0;
fail:
  tt_map_close(&d->map);
  memset(d, 0, sizeof *d);
  return rc;
}

void tt_dict_close(tt_dict *d)
{
  tt_map_close(&d->map);
  tt_free((void *)d->firsts);
  tt_free((void *)d->filled);
  memset(d, 0, sizeof *d);
}

static const uint8_t *block_start(const tt_dict *d, uint32_t b)
{
  return d->map.data + tt_load_le64(d->index + 8 * (size_t)b);
}

static const uint8_t *block_end(const tt_dict *d, uint32_t b)
{
  return b + 1 < d->nblocks ? block_start(d, b + 1) : d->blocks_end;
}

/* tt_vbyte_decode64 with the two-byte case (post_len of most lists) inline too. */
TT_INLINE size_t get64(uint64_t *out, const uint8_t *p, const uint8_t *end)
{
  if (TT_LIKELY(end - p >= 2)) {
    if (p[0] < 0x80) { *out = p[0]; return 1; }
    if (p[1] < 0x80 && p[1]) { *out = (uint64_t)(p[0] & 0x7f) | (uint64_t)p[1] << 7; return 2; }
  }
  uint64_t v;   /* (a temporary, so that *out can live in a register) */
  size_t n = tt_vbyte_decode64(&v, p, end);
  *out = v;
  return n;
}

/* An entry's front coding at *pp: it shares `shared` bytes with the previous key (of prev_len
 * bytes; 0 before a block's first entry, which shares nothing) and adds `suffix` bytes, which
 * must lie inside end with the flags byte after them. Advances *pp to the suffix. Returns 0, or
 * -1 with *pp where the fault is. The one reader of this layout for decode_entry and the
 * lookup's scan. */
TT_INLINE int entry_lens(const uint8_t **pp, const uint8_t *end, uint32_t prev_len,
                         uint32_t *shared, uint32_t *suffix)
{
  const uint8_t *p = *pp;
  int rc = -1;
  if (TT_LIKELY(end - p >= 2 && (p[0] | p[1]) < 0x80)) {   /* both below 128: the rule, */
    *shared = p[0];                                          /* and their sum fits a key */
    *suffix = p[1];
    p += 2;
  } else {
    uint32_t v;
    size_t n;
    if (!(n = tt_vbyte_decode32(&v, p, end))) goto out;
    *shared = v;
    p += n;
    if (!(n = tt_vbyte_decode32(&v, p, end))) goto out;
    *suffix = v;
    p += n;
    if (*shared + (uint64_t)*suffix > TT_DICT_MAX_KEY) goto out;
  }
  if (*shared <= prev_len && (size_t)(end - p) >= *suffix + 1) rc = 0;
out:
  *pp = p;
  return rc;
}

/* An entry's list reference at *pp (after its flags, df and max_impact): post_off and post_len.
 * chained (version 2, not a block's first entry): post_off is stored zigzag-relative to
 * *prev_end, the previous entry's list end; *prev_end becomes this entry's. Advances *pp;
 * returns 0, or -1 with *pp where the fault is. */
TT_INLINE int entry_list(const uint8_t **pp, const uint8_t *end, int chained, uint64_t *prev_end,
                         uint64_t *off, uint64_t *len)
{
  size_t n;
  if (!(n = get64(off, *pp, end))) return -1;
  *pp += n;
  if (!(n = get64(len, *pp, end))) return -1;
  *pp += n;
  if (chained) *off = *prev_end + unzigzag(*off);
  *prev_end = *off + *len;  /* wraps on hostile values: verify and readers bound post_off and
                             * post_len against .post */
  return 0;
}

/* Decode one entry at p (bounded by end) into key buffer (holding the previous key of
 * length *klen) and e; *prev_end is the previous entry's post_off + post_len (unused for a
 * block's first entry) and becomes this one's. Returns the next p, or NULL on corruption
 * (message set). */
static const uint8_t *decode_entry(const tt_dict *d, const uint8_t *p, const uint8_t *end,
                                   char *key, uint32_t *klen, tt_dict_entry *e, int first,
                                   uint64_t *prev_end)
{
  uint32_t shared, suffix;
  size_t k;
  if (entry_lens(&p, end, first ? 0 : *klen, &shared, &suffix)) goto bad;
  memcpy(key + shared, p, suffix);
  *klen = shared + suffix;
  key[*klen] = 0;
  p += suffix;
  e->flags = *p++;
  if (!(k = tt_vbyte_decode32(&e->df, p, end))) goto bad;
  p += k;
  if (!(k = tt_vbyte_decode32(&e->max_impact, p, end))) goto bad;
  p += k;
  if (entry_list(&p, end, !first && d->version >= 2, prev_end, &e->post_off, &e->post_len))
    goto bad;
  e->key = key;
  e->key_len = *klen;
  return p;
bad:
  corrupt(d, p, "bad entry");
  return NULL;
}

static int keycmp(const char *a, size_t alen, const char *b, size_t blen)
{
  size_t n = alen < blen ? alen : blen;
  int c = memcmp(a, b, n);
  if (c) return c;
  return alen < blen ? -1 : alen > blen;
}

/* The key of block b's first entry, in place: *k points at its klen bytes in the file (a
 * block's first key is stored whole). Returns 0 or TT_ECORRUPT. */
static int first_key(const tt_dict *d, uint32_t b, const uint8_t **k, uint32_t *klen)
{
  const uint8_t *p = block_start(d, b), *end = block_end(d, b);
  uint32_t shared, suffix;
  size_t n;
  if (!(n = tt_vbyte_decode32(&shared, p, end))) goto bad;
  p += n;
  if (!(n = tt_vbyte_decode32(&suffix, p, end))) goto bad;
  p += n;
  if (shared || suffix > TT_DICT_MAX_KEY || (size_t)(end - p) < (size_t)suffix + 1) goto bad;
  *k = p;
  *klen = suffix;
  return 0;
bad:
  return corrupt(d, p, "bad entry");
}

/* Summary of a key for the block search: its first SUM_BYTES bytes (zero-padded) big-endian in
 * the high 56 bits, min(len, SUM_BYTES) + 1 in the low 8. Two different summaries order their
 * keys as keycmp does (a padding zero sorts below any byte, and equal padded bytes with
 * different lengths mean the shorter key is a prefix of the longer); equal summaries with a low
 * byte of SUM_LONG (both keys have >= SUM_BYTES bytes, the same first ones) leave the rest to
 * decide. A block keeps two, of its first key's bytes 0..6 and 7..13 (the second consulted
 * only when the first ties long), so that the namespaces with long shared prefixes
 * ("ent:person:", "\x01" pair terms) rarely need the file. */
#define SUM_BYTES 7
#define SUM_LONG  (SUM_BYTES + 1)

static uint64_t key_summary(const uint8_t *k, size_t len)
{
  size_t n = len < SUM_BYTES ? len : SUM_BYTES;
  /* byte 0 lands in the top byte; byte SUM_BYTES (never loaded) would be the low one */
  return (__builtin_bswap64(tt_load_le_upto64(k, n)) & ~(uint64_t)0xff) | (uint64_t)(n + 1);
}

/* c < 0, 0, > 0 as the key summarised by s sorts before, ties with, or after the one summarised
 * by want; *tie is set when they tie long (the rest decides). */
static int sum_cmp(uint64_t s, uint64_t want, int *tie)
{
  *tie = s == want && (s & 0xff) == SUM_LONG;
  return (s > want) - (s < want);
}

/* Last block whose first key <= key, or -1 if key sorts before everything. Probes compare
 * summaries as integers (a block's are read from the file the first time a lookup probes it,
 * then published by its `filled` bit with release); only keys tying on both compare the rest
 * of the first key where it lies. */
static int64_t find_block(const tt_dict *d, const char *key, size_t len, int *err)
{
  const uint8_t *u = (const uint8_t *)key;
  const uint64_t want = key_summary(u, len);
  const uint64_t want2 = len >= SUM_BYTES ? key_summary(u + SUM_BYTES, len - SUM_BYTES) : 0;
  int64_t lo = 0, hi = (int64_t)d->nblocks - 1, ans = -1;
  *err = 0;
  while (lo <= hi) {
    int64_t mid = (lo + hi) / 2;
    _Atomic uint64_t *f = d->firsts + 2 * mid;
    const uint64_t bit = (uint64_t)1 << (mid & 63);
    const uint8_t *k = NULL;
    uint32_t klen = 0;
    uint64_t s;
    if (atomic_load_explicit(&d->filled[mid >> 6], memory_order_acquire) & bit) {
      s = atomic_load_explicit(&f[0], memory_order_relaxed);
    } else {
      if (first_key(d, (uint32_t)mid, &k, &klen)) goto bad;
      s = key_summary(k, klen);
      uint64_t s2 = klen >= SUM_BYTES ? key_summary(k + SUM_BYTES, klen - SUM_BYTES) : 1;
      atomic_store_explicit(&f[0], s, memory_order_relaxed);
      atomic_store_explicit(&f[1], s2, memory_order_relaxed);
      atomic_fetch_or_explicit(&d->filled[mid >> 6], bit, memory_order_release);
    }
    int tie, c = sum_cmp(s, want, &tie);
    if (tie) c = sum_cmp(atomic_load_explicit(&f[1], memory_order_relaxed), want2, &tie);
    if (tie) {
      if (!k && first_key(d, (uint32_t)mid, &k, &klen)) goto bad;
      c = keycmp((const char *)k + 2 * SUM_BYTES, klen - 2 * SUM_BYTES, key + 2 * SUM_BYTES,
                 len - 2 * SUM_BYTES);
    }
    if (c <= 0) { ans = mid; lo = mid + 1; }
    else hi = mid - 1;
  }
  return ans;
bad:
  *err = TT_ECORRUPT;
  return -1;
}

/* Step over two vbytes at p (an entry's df and max_impact) without decoding them; NULL if they
 * run past end. With 8 bytes readable, one load finds the second byte without the continuation
 * bit. Not strict about their form (only the matching entry's are decoded). */
static const uint8_t *skip2(const uint8_t *p, const uint8_t *end)
{
  if (end - p >= 8) {
    uint64_t t = ~tt_load_le64(p) & 0x8080808080808080u;   /* bit 7 of each last byte */
    t &= t - 1;
    if (t) return p + (__builtin_ctzll(t) >> 3) + 1;
  }
  for (int seen = 0; p < end;)
    if (*p++ < 0x80 && ++seen == 2) return p;
  return NULL;
}

/* Look key up in block b, comparing incrementally: m is the length of the common prefix of key
 * and the previous entry's key, which sorts before key. An entry sharing more than m bytes with
 * the previous key also sorts before key, without looking at its suffix; one sharing fewer sorts
 * after key (keys increase strictly), so key is absent; one sharing exactly m is compared from
 * byte m on. Keys are not copied; of the numbers, non-matching entries decode only post_off and
 * post_len (version 2 chains each post_off to the previous list's end). */
static int scan_block(const tt_dict *d, uint32_t b, const char *key, size_t len,
                      tt_dict_entry *e, char *scratch)
{
  const uint8_t *p = block_start(d, b), *end = block_end(d, b);
  const uint8_t *want = (const uint8_t *)key;
  uint32_t klen = 0;   /* length of the previous key */
  size_t m = 0;
  uint64_t pe = 0, off, plen;
  const int rel = d->version >= 2;
  size_t n;
  for (int i = 0; i < TT_DICT_BLOCK && p < end; i++) {
    uint32_t shared, suffix;
    if (entry_lens(&p, end, klen, &shared, &suffix)) goto bad;   /* klen 0 before the first */
    const uint8_t *sfx = p;
    klen = shared + suffix;
    p += suffix;
    int hit = 0;
    if (shared < m) return TT_ENOTFOUND;
    if (shared == m) {
      size_t rest = len - m, lim = suffix < rest ? suffix : rest, j = 0;
      while (j < lim && sfx[j] == want[m + j]) j++;
      if (j < lim) {
        if (sfx[j] > want[m + j]) return TT_ENOTFOUND;
      } else if (suffix > rest) {
        return TT_ENOTFOUND;      /* key is a proper prefix of the entry */
      } else if (suffix == rest) {
        hit = 1;
      }
      m += j;
    }
    if (hit) {
      e->flags = *p++;
      if (!(n = tt_vbyte_decode32(&e->df, p, end))) goto bad;
      p += n;
      if (!(n = tt_vbyte_decode32(&e->max_impact, p, end))) goto bad;
      p += n;
    } else {
      const uint8_t *q = skip2(++p, end);
      if (!q) goto bad;
      p = q;
    }
    if (entry_list(&p, end, i && rel, &pe, &off, &plen)) goto bad;
    if (hit) {
      memcpy(scratch, key, len);
      scratch[len] = 0;
      e->key = scratch;
      e->key_len = (uint32_t)len;
      e->post_off = off;
      e->post_len = plen;
      return 0;
    }
  }
  return TT_ENOTFOUND;
bad:
  return corrupt(d, p, "bad entry");
}

int tt_dict_lookup(const tt_dict *d, const char *key, size_t len, tt_dict_entry *e, char *scratch)
{
  if (len > TT_DICT_MAX_KEY || !d->nblocks) return TT_ENOTFOUND;
  int err;
  int64_t b = find_block(d, key, len, &err);
  if (err) return err;
  if (b < 0) return TT_ENOTFOUND;
  return scan_block(d, (uint32_t)b, key, len, e, scratch);
}

int tt_dict_iter_seek(tt_dict_iter *it, const tt_dict *d, const char *from, size_t len)
{
  memset(it, 0, sizeof *it);
  it->d = d;
  it->p = d->nblocks ? block_start(d, 0) : NULL;
  if (!from || !d->nblocks) return 0;
  int err;
  int64_t b = find_block(d, from, len > TT_DICT_MAX_KEY ? TT_DICT_MAX_KEY : len, &err);
  if (err) return err;
  if (b < 0) b = 0;
  it->block = (uint32_t)b;
  it->p = block_start(d, it->block);
  it->key_len = 0;
  /* skip entries < from within the block: remember position before each entry */
  for (;;) {
    tt_dict_iter save = *it;
    tt_dict_entry e;
    int rc = tt_dict_iter_next(it, &e);
    if (rc == TT_ITEROVER) return 0;
    if (rc) return rc;
    if (keycmp(e.key, e.key_len, from, len) >= 0) { *it = save; return 0; }
  }
}

int tt_dict_iter_next(tt_dict_iter *it, tt_dict_entry *e)
{
  const tt_dict *d = it->d;
  if (!it->p) return TT_ITEROVER;
  while (it->in_block == TT_DICT_BLOCK || it->p >= block_end(d, it->block)) {
    if (it->block + 1 >= d->nblocks) { it->p = NULL; return TT_ITEROVER; }
    it->block++;
    it->in_block = 0;
    it->p = block_start(d, it->block);
  }
  const uint8_t *q = decode_entry(d, it->p, block_end(d, it->block), it->key, &it->key_len, e,
                                  it->in_block == 0, &it->prev_end);
  if (!q) return TT_ECORRUPT;
  it->p = q;
  it->in_block++;
  return 0;
}

int tt_dict_verify(const tt_dict *d, uint64_t post_size)
{
  tt_dict_iter it;
  tt_dict_entry e;
  char prev[TT_DICT_MAX_KEY + 1];
  uint32_t prev_len = 0;
  uint64_t n = 0;
  int rc = tt_dict_iter_seek(&it, d, NULL, 0);
  if (rc) return rc;
  while ((rc = tt_dict_iter_next(&it, &e)) == 0) {
    if (n && keycmp(prev, prev_len, e.key, e.key_len) >= 0)
      return corrupt(d, it.p, "keys out of order");
    if (e.post_off > post_size || e.post_len > post_size - e.post_off || e.df == 0)
      return corrupt(d, it.p, "postings reference out of range");
    memcpy(prev, e.key, e.key_len);
    prev_len = e.key_len;
    n++;
  }
  if (rc != TT_ITEROVER) return rc;
  if (n != d->nterms) return corrupt(d, d->blocks_end, "term count differs from trailer");
  return 0;
}
