/* tt_plist: postings-list writer and cursor (indexer/postings_codec.h).
 *
 * Owns the byte format of one term's postings list inside a segment. The segment writer calls
 * tt_plist_writer_*; the segment reader opens cursors on mmap'd ranges; the query layer drives
 * the cursors. Bit packing is in bitpack.c, variable-byte integers in vbyte.c.
 *
 * ==== Format (version 1; docs/codec.md has the same with the reasons) ========================
 *
 * All fixed-width integers are little-endian. vbyte = LEB128 (vbyte.h). bp(b) = 128 values
 * bit-packed at width b (bitpack.h), 16*b bytes, nothing at b = 0. A list is exactly the byte
 * range the reader is handed; nothing may follow it.
 *
 *   list      := H body
 *   H         := vbyte64  df << 2 | NT << 1 | P
 *                  P   the list stores positions
 *                  NT  the vbyte block (the last, partial one) stores npos explicitly
 *                  df  number of postings, 0 .. 2^32-1 (df = 0: the list is H alone)
 *   nblocks = ceil(df / 128). Block k holds postings 128k .. min(128k + 127, df - 1): all
 *   blocks are full but the last, which is full iff df % 128 = 0 and otherwise a vbyte block.
 *
 *   body (nblocks = 1)  := vbyte32 impact, docblock, [posblock if P]
 *        The docblock's own encoding tells where it ends; the posblock runs to the list's end.
 *   body (nblocks >= 2) := W, skip, docarea, posarea
 *     W        u16: wd | wo << 3 | wp << 6 | wi << 9, each 0..4 = byte width of a skip column,
 *              bits 12..15 zero; wd >= 1 and wo >= 1.
 *     skip     four columns of nblocks values, each column contiguous, in this order:
 *                last[k]  wd bytes  last doc id of block k
 *                dend[k]  wo bytes  end of block k's docblock, as an offset in docarea
 *                pend[k]  wp bytes  end of block k's posblock, as an offset in posarea
 *                imp[k]   wi bytes  max impact of block k
 *              Block k's docblock is docarea[dend[k-1], dend[k]) with dend[-1] = 0, its
 *              posblock posarea[pend[k-1], pend[k]). A width of 0 means the column is all 0.
 *     docarea  all docblocks, dend[nblocks-1] bytes
 *     posarea  all posblocks, pend[nblocks-1] bytes; the list ends here.
 *
 *   docblock, full (128 postings):
 *     wg wt wb [wn if P]     one byte each. wg/wt/wb: widths 0..32. wn: width 0..32 of an
 *                            explicit npos column, or 0xFF: npos = tf_title + tf_body.
 *     bp(wg) gaps            gap[i] = doc[i] - doc[i-1] - 1; doc[-1] = last doc of the previous
 *                            block, or -1 in block 0 (so gap[0] = doc[0] there)
 *     bp(wt) tf_title, bp(wb) tf_body, [bp(wn) npos if P and wn != 0xFF]
 *   docblock, vbyte (n = df % 128 postings), per posting:
 *     vbyte64 gap << 1 | S   S = 1: tf_title = 0, tf_body = 1, npos = 1, nothing follows
 *     if S = 0: vbyte32 tf_title, vbyte32 tf_body, [vbyte32 npos if P and NT]
 *     (npos not stored means npos = tf_title + tf_body)
 *   posblock: the block's positions as one stream of T = sum(npos) values, posting after
 *     posting: p[0], p[1] - p[0] - 1, ..., p[m-1] - p[m-2] - 1. Stored as
 *       c = T / 128 chunk widths (one byte each, 0..32), then the c chunks bp(width), then the
 *       tail, the last r = T % 128 values:
 *         r < 8:  r vbyte32
 *         r >= 8: a mode byte, then either (mode 0..32) the r values packed LSB-first at width
 *                 mode in ceil(r * mode / 8) bytes (bitpack.h "tail"), or (mode 0xFF) r vbyte32.
 *                 The writer picks the smaller (packed on a tie).
 *
 * Readers check: widths in range, every block and area inside the list, a docblock consumed
 * exactly, doc ids strictly increasing and equal to last[k] at the end of block k, positions
 * strictly increasing without overflow, npos <= TT_PLIST_MAX_NPOS.
 * ============================================================================================ */
#include "indexer/postings_codec.h"

#include "common/alloc.h"
#include "common/endian.h"
#include "common/error.h"
#include "indexer/bitpack.h"
#include "indexer/vbyte.h"

#include <string.h>

#ifdef TT_BP128_HAVE_SSE2
#include <emmintrin.h>
#endif

#define BLK TT_PLIST_BLOCK
#define NPOS_IMPLICIT 0xFFu
#define TAIL_MODE_MIN 8    /* position tails this long start with a mode byte */
#define TAIL_VBYTE 0xFFu   /* mode byte: the tail is vbyte (else: its packed width) */
#define SEQ_RUN 8          /* consecutive postings read before positions go a chunk at a time */

/* Bytes needed to hold v (0 for 0). */
static unsigned bytes_for(uint64_t v)
{
  unsigned n = 0;
  while (v) { n++; v >>= 8; }
  return n;
}

/* =============================================================================================
 * Writer
 * =========================================================================================== */

void tt_plist_writer_init(tt_plist_writer *w, int with_positions)
{
  memset(w, 0, sizeof *w);
  w->with_pos = with_positions ? 1 : 0;
  tt_buf_init(&w->docarea);
  tt_buf_init(&w->posarea);
  w->prev_last = UINT32_MAX;
}

void tt_plist_writer_reset(tt_plist_writer *w)
{
  w->rc = 0;
  w->df = 0;
  w->last_doc = w->first_doc = 0;
  w->max_impact = 0;
  w->total_tf = w->total_pos = 0;
  w->n = 0;
  w->blk_impact = 0;
  w->blk_explicit = 0;
  w->prev_last = UINT32_MAX;
  w->pos_n = 0;
  tt_buf_reset(&w->docarea);
  tt_buf_reset(&w->posarea);
  w->nskip = 0;
}

void tt_plist_writer_restart(tt_plist_writer *w, int with_positions)
{
  tt_plist_writer_reset(w);
  w->with_pos = with_positions ? 1 : 0;
}

void tt_plist_writer_fini(tt_plist_writer *w)
{
  tt_free(w->pos);
  tt_free(w->skip);
  tt_buf_fini(&w->docarea);
  tt_buf_fini(&w->posarea);
  memset(w, 0, sizeof *w);
}

static int w_fail(tt_plist_writer *w, int rc)
{
  if (!w->rc) w->rc = rc;
  return rc;
}

/* Append one byte (the buffer has been reserved by the caller or is grown here). */
static int put_byte(tt_buf *b, unsigned v)
{
  return tt_buf_putc(b, (char)(uint8_t)v) ? TT_ENOMEM : 0;
}

/* Append bp(b) of in[0..127] to out. */
static int put_packed(tt_buf *out, const uint32_t *in, unsigned b)
{
  if (!b) return 0;
  if (tt_buf_reserve(out, TT_BP128_BYTES(b))) return TT_ENOMEM;
  tt_bp128_pack((uint8_t *)out->p + out->n, in, b);
  out->n += TT_BP128_BYTES(b);
  out->p[out->n] = 0;
  return 0;
}

/* Append the posblock for the stream v[0..t): chunk widths, chunks, vbyte tail. */
static int put_posblock(tt_buf *out, const uint32_t *v, size_t t)
{
  size_t nchunks = t / 128, start = out->n;
  if (tt_buf_reserve(out, nchunks)) return TT_ENOMEM;
  memset(out->p + out->n, 0, nchunks);
  out->n += nchunks;
  for (size_t k = 0; k < nchunks; k++) {
    unsigned b = tt_bp128_maxbits(v + 128 * k, 128);
    out->p[start + k] = (char)b;
    if (put_packed(out, v + 128 * k, b)) return TT_ENOMEM;
  }
  const uint32_t *tv = v + nchunks * 128;
  unsigned r = (unsigned)(t - nchunks * 128);
  int packed = 0;
  if (r >= TAIL_MODE_MIN) {
    size_t vb = 0;
    for (unsigned i = 0; i < r; i++) vb += tt_vbyte_len32(tv[i]);
    unsigned b = tt_bp128_maxbits(tv, r);
    size_t pk = TT_BP128_TAIL_BYTES(r, b);
    packed = pk <= vb;  /* on a tie, packed: it decodes faster */
    if (put_byte(out, packed ? b : TAIL_VBYTE)) return TT_ENOMEM;
    if (packed) {
      if (tt_buf_reserve(out, pk)) return TT_ENOMEM;
      memset(out->p + out->n, 0, pk);
      tt_bp128_pack_tail((uint8_t *)out->p + out->n, tv, r, b);
      out->n += pk;
    }
  }
  if (!packed)
    for (unsigned i = 0; i < r; i++)
      if (tt_vbyte_put32(out, tv[i])) return TT_ENOMEM;
  out->p[out->n] = 0;
  return 0;
}

/* Encode the current block (w->n postings) into the areas and record its skip entry. */
static int flush_block(tt_plist_writer *w)
{
  uint32_t n = w->n;
  tt_buf *d = &w->docarea;
  if (n == BLK) {
    uint32_t gaps[BLK];
    uint32_t prev = w->prev_last;
    for (uint32_t i = 0; i < BLK; i++) {
      gaps[i] = w->docs[i] - prev - 1u; /* wraps to docs[0] for prev = UINT32_MAX */
      prev = w->docs[i];
    }
    unsigned wg = tt_bp128_maxbits(gaps, BLK);
    unsigned wt = tt_bp128_maxbits(w->tft, BLK);
    unsigned wb = tt_bp128_maxbits(w->tfb, BLK);
    unsigned wn = NPOS_IMPLICIT;
    if (w->with_pos && w->blk_explicit) wn = tt_bp128_maxbits(w->npos, BLK);
    if (put_byte(d, wg) || put_byte(d, wt) || put_byte(d, wb) ||
        (w->with_pos && put_byte(d, wn)))
      return TT_ENOMEM;
    if (put_packed(d, gaps, wg) || put_packed(d, w->tft, wt) || put_packed(d, w->tfb, wb))
      return TT_ENOMEM;
    if (w->with_pos && wn != NPOS_IMPLICIT && put_packed(d, w->npos, wn)) return TT_ENOMEM;
  } else {
    /* the tail (most lists are only this): room for every entry at once, then the vbytes
     * written in place, the same bytes as tt_vbyte_put64/32 */
    if (tt_buf_reserve(d, (size_t)n * (TT_VBYTE_MAX64 + 3 * TT_VBYTE_MAX32))) return TT_ENOMEM;
    uint8_t *o = (uint8_t *)d->p + d->n;
    uint32_t prev = w->prev_last;
    for (uint32_t i = 0; i < n; i++) {
      uint64_t gap = (uint32_t)(w->docs[i] - prev - 1u);
      prev = w->docs[i];
      int simple = w->tft[i] == 0 && w->tfb[i] == 1 && (!w->with_pos || w->npos[i] == 1);
      o += tt_vbyte_encode64_inline(o, gap << 1 | (uint64_t)simple);
      if (simple) continue;
      o += tt_vbyte_encode64_inline(o, w->tft[i]);
      o += tt_vbyte_encode64_inline(o, w->tfb[i]);
      if (w->with_pos && w->blk_explicit) o += tt_vbyte_encode64_inline(o, w->npos[i]);
    }
    d->n = (size_t)(o - (uint8_t *)d->p);
    d->p[d->n] = 0;
  }
  if (w->with_pos && w->pos_n && put_posblock(&w->posarea, w->pos, w->pos_n)) return TT_ENOMEM;
  if (d->n > UINT32_MAX || w->posarea.n > UINT32_MAX)
    return tt_error_set(TT_EINVAL, "postings list too large (over 4 GiB in one area)");

  if (tt_array_reserve(w->skip, w->skip_cap, w->nskip + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  tt_plist_wskip *e = &w->skip[w->nskip++];
  e->last = w->docs[n - 1];
  e->dend = (uint32_t)d->n;
  e->pend = (uint32_t)w->posarea.n;
  e->impact = w->blk_impact;

  w->prev_last = w->docs[n - 1];
  w->n = 0;
  w->blk_impact = 0;
  w->blk_explicit = 0;
  w->pos_n = 0;
  return 0;
}

/* tt_plist_writer_add and tt_plist_writer_add_gaps: positions[] absolute (checked) or the gaps
 * the list stores (gaps != 0, unchecked) */
static inline int writer_add(tt_plist_writer *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body,
                             const uint32_t *positions, uint32_t npos, uint32_t impact, int gaps)
{
  if (w->rc) return w->rc;
  if (w->df && doc <= w->last_doc)
    return w_fail(w, tt_error_set(TT_EINVAL, "postings: doc %u added after doc %u (must increase)",
                                  doc, w->last_doc));
  if (w->df >= UINT32_MAX)
    return w_fail(w, tt_error_set(TT_EINVAL, "postings: more than 2^32-1 postings in one list"));
  if (w->with_pos) {
    if (npos > TT_PLIST_MAX_NPOS)
      return w_fail(w, tt_error_set(TT_EINVAL, "postings: %u positions for doc %u (limit %u)",
                                    npos, doc, TT_PLIST_MAX_NPOS));
    if (npos && !positions)
      return w_fail(w, tt_error_set(TT_EINVAL, "postings: npos %u with no positions", npos));
    if (!gaps)
      for (uint32_t i = 1; i < npos; i++)
        if (positions[i] <= positions[i - 1])
          return w_fail(w, tt_error_set(TT_EINVAL,
                                        "postings: positions of doc %u not increasing at %u", doc, i));
    if (w->pos_n + npos > w->pos_cap) {
      size_t cap = w->pos_cap ? w->pos_cap : 256;
      while (cap < w->pos_n + npos) cap *= 2;
      uint32_t *p = tt_realloc(w->pos, cap * sizeof *p);
      if (!p) return w_fail(w, tt_error_set(TT_ENOMEM, "postings: out of memory for positions"));
      w->pos = p;
      w->pos_cap = cap;
    }
    if (npos) { /* w->pos may still be NULL when npos = 0 */
      uint32_t *o = w->pos + w->pos_n;
      if (gaps) {
        memcpy(o, positions, npos * sizeof *o);
      } else {
        o[0] = positions[0];
        for (uint32_t i = 1; i < npos; i++) o[i] = positions[i] - positions[i - 1] - 1u;
      }
    }
    w->pos_n += npos;
    w->total_pos += npos;
    if ((uint64_t)tf_title + tf_body != npos) w->blk_explicit = 1;
  } else {
    npos = 0;
  }

  if (!w->df) w->first_doc = doc;
  w->df++;
  w->last_doc = doc;
  w->total_tf += (uint64_t)tf_title + tf_body;
  if (impact > w->max_impact) w->max_impact = impact;
  if (impact > w->blk_impact) w->blk_impact = impact;
  w->docs[w->n] = doc;
  w->tft[w->n] = tf_title;
  w->tfb[w->n] = tf_body;
  w->npos[w->n] = npos;
  if (++w->n == BLK) {
    int rc = flush_block(w);
    if (rc) return w_fail(w, rc);
  }
  return 0;
}

int tt_plist_writer_add(tt_plist_writer *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body,
                        const uint32_t *positions, uint32_t npos, uint32_t impact)
{
  return writer_add(w, doc, tf_title, tf_body, positions, npos, impact, 0);
}

int tt_plist_writer_add_gaps(tt_plist_writer *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body,
                             const uint32_t *gaps, uint32_t npos, uint32_t impact)
{
  return writer_add(w, doc, tf_title, tf_body, gaps, npos, impact, 1);
}

static void put_col(uint8_t *p, unsigned width, uint32_t v)
{
  for (unsigned i = 0; i < width; i++) p[i] = (uint8_t)(v >> (8 * i));
}

int tt_plist_writer_finish(tt_plist_writer *w, tt_buf *out, tt_plist_info *info)
{
  if (w->rc) return w->rc;
  int tail_explicit = w->n ? w->blk_explicit : 0;
  if (w->n) {
    int rc = flush_block(w);
    if (rc) return w_fail(w, rc);
  }
  size_t start = out->n;
  uint64_t h = w->df << 2 | (uint64_t)(tail_explicit && w->with_pos) << 1 | (uint64_t)w->with_pos;
  int rc = tt_vbyte_put64(out, h);
  if (!rc && w->nskip == 1) {
    rc = tt_vbyte_put32(out, w->skip[0].impact);
    if (!rc) rc = tt_buf_append(out, w->docarea.p, w->docarea.n);
    if (!rc) rc = tt_buf_append(out, w->posarea.p, w->posarea.n);
  } else if (!rc && w->nskip > 1) {
    size_t nb = w->nskip;
    uint32_t maximp = 0;
    for (size_t k = 0; k < nb; k++)
      if (w->skip[k].impact > maximp) maximp = w->skip[k].impact;
    unsigned wd = bytes_for(w->skip[nb - 1].last), wo = bytes_for(w->docarea.n);
    unsigned wp = bytes_for(w->posarea.n), wi = bytes_for(maximp);
    size_t row = wd + wo + wp + wi;
    rc = tt_buf_reserve(out, 2 + nb * row + w->docarea.n + w->posarea.n);
    if (!rc) {
      uint8_t *p = (uint8_t *)out->p + out->n;
      tt_store_le16(p, (uint16_t)(wd | wo << 3 | wp << 6 | wi << 9));
      p += 2;
      for (size_t k = 0; k < nb; k++, p += wd) put_col(p, wd, w->skip[k].last);
      for (size_t k = 0; k < nb; k++, p += wo) put_col(p, wo, w->skip[k].dend);
      for (size_t k = 0; k < nb; k++, p += wp) put_col(p, wp, w->skip[k].pend);
      for (size_t k = 0; k < nb; k++, p += wi) put_col(p, wi, w->skip[k].impact);
      out->n = (size_t)((char *)p - out->p);
      tt_buf_append(out, w->docarea.p, w->docarea.n);   /* reserved above: cannot fail */
      tt_buf_append(out, w->posarea.p, w->posarea.n);
    }
  }
  if (rc) {
    out->n = start;
    if (out->p) out->p[start] = 0;
    return w_fail(w, tt_error_set(TT_ENOMEM, "postings: out of memory writing a list"));
  }
  if (info) {
    info->df = (uint32_t)w->df;
    info->max_impact = w->max_impact;
    info->first_doc = w->df ? w->first_doc : 0;
    info->last_doc = w->df ? w->last_doc : 0;
    info->total_tf = w->total_tf;
    info->total_pos = w->total_pos;
    info->bytes = out->n - start;
  }
  tt_plist_writer_reset(w);
  return 0;
}

/* =============================================================================================
 * Cursor
 * =========================================================================================== */

#if defined(__GNUC__)
#define TT_COLD __attribute__((cold, noinline))
#else
#define TT_COLD
#endif

/* Every corruption goes through here: poison the cursor, name the offset. A breakpoint on this
 * function catches the first sign of a bad list in a debugger. */
static TT_COLD int corrupt(tt_plist_cursor *c, const uint8_t *at, const char *what)
{
  size_t off = 0;
  if (c->data && at && at >= c->data && (size_t)(at - c->data) <= c->len) off = (size_t)(at - c->data);
  c->rc = TT_ECORRUPT;
  c->lim = 0;
  c->on = 0;
  return tt_error_set(TT_ECORRUPT, "postings list corrupt at byte %zu of %zu: %s", off, c->len,
                      what);
}

/* Value k of a skip column of the given byte width. */
TT_INLINE uint32_t col_get(const uint8_t *col, unsigned width, uint32_t k)
{
  const uint8_t *p = col + (size_t)k * width;
  switch (width) {
  case 0: return 0;
  case 1: return p[0];
  case 2: return tt_load_le16(p);
  case 3: return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16;
  default: return tt_load_le32(p);
  }
}

TT_INLINE uint32_t blk_last(const tt_plist_cursor *c, uint32_t k)
{
  return c->nblocks == 1 ? c->one_last : col_get(c->col_last, c->wd, k);
}

TT_INLINE uint32_t blk_impact(const tt_plist_cursor *c, uint32_t k)
{
  return c->nblocks == 1 ? c->one_impact : col_get(c->col_imp, c->wi, k);
}

/* Decode a full docblock [p, p + n): docs now, frequencies later (tt_plist__load_tf).
 * base64 is the previous block's last doc, or -1. expect_last >= 0 is checked against the last
 * doc. Sets *used to the bytes the block takes (for single-block lists, where n is an upper
 * bound); exact = 1 demands the block fill [p, p + n). */
static int decode_full(tt_plist_cursor *c, const uint8_t *p, size_t n, int exact, int64_t base64,
                       int64_t expect_last, size_t *used)
{
  size_t hdr = c->has_pos ? 4 : 3;
  if (n < hdr) return corrupt(c, p, "docblock header truncated");
  unsigned wg = p[0], wt = p[1], wb = p[2], wn = c->has_pos ? p[3] : NPOS_IMPLICIT;
  if (wg > 32 || wt > 32 || wb > 32 || (wn > 32 && wn != NPOS_IMPLICIT))
    return corrupt(c, p, "bit width over 32");
  size_t need = hdr + TT_BP128_BYTES(wg) + TT_BP128_BYTES(wt) + TT_BP128_BYTES(wb) +
                (wn != NPOS_IMPLICIT ? TT_BP128_BYTES(wn) : 0);
  if (exact ? need != n : need > n) return corrupt(c, p, "docblock size disagrees with its widths");
  const uint8_t *q = p + hdr;
  /* Each gap + 1 is at most 2^wg; if the block could pass 2^32 - 1, sum exactly. */
  if (base64 + ((int64_t)BLK << wg) > (int64_t)UINT32_MAX) {
    tt_bp128_unpack(c->docs, q, wg);
    int64_t s = base64;
    for (unsigned i = 0; i < BLK; i++) s += (int64_t)c->docs[i] + 1;
    if (s > (int64_t)UINT32_MAX) return corrupt(c, q, "doc id past 2^32-1");
    tt_bp128_prefix1(c->docs, (uint32_t)base64);
  } else {
    tt_bp128_unpack_prefix1(c->docs, q, wg, (uint32_t)base64);
  }
  if (expect_last >= 0 && c->docs[BLK - 1] != (uint32_t)expect_last)
    return corrupt(c, q, "block's last doc disagrees with the skip table");
  q += TT_BP128_BYTES(wg);
  c->tft_p = q;
  c->wt = wt;
  q += TT_BP128_BYTES(wt);
  c->tfb_p = q;
  c->wb = wb;
  q += TT_BP128_BYTES(wb);
  c->npos_p = q;
  c->wn = wn;
  c->tf_ready = 0;
  c->npos_ready = 0;
  c->nb = BLK;
  *used = need;
  return 0;
}

/* Decode a vbyte docblock of n postings from [p, end): everything at once. */
static int decode_vb(tt_plist_cursor *c, const uint8_t *p, const uint8_t *end, uint32_t n,
                     int exact, int64_t base64, int64_t expect_last, size_t *used)
{
  const uint8_t *q = p;
  int64_t prev = base64;
  int explicit_npos = c->has_pos && c->tail_npos;
  for (uint32_t i = 0; i < n; i++) {
    uint64_t v;
    size_t k = tt_vbyte_decode64(&v, q, end);
    if (!k) return corrupt(c, q, "bad or truncated doc gap");
    q += k;
    if ((v >> 1) > UINT32_MAX) return corrupt(c, q - k, "doc gap over 2^32-1");
    int64_t doc = prev + (int64_t)(v >> 1) + 1;
    if (doc > (int64_t)UINT32_MAX) return corrupt(c, q - k, "doc id past 2^32-1");
    c->docs[i] = (uint32_t)doc;
    prev = doc;
    if (v & 1) {
      c->tft[i] = 0;
      c->tfb[i] = 1;
      c->npos[i] = 1;
      continue;
    }
    uint32_t a, b, m;
    if (!(k = tt_vbyte_decode32(&a, q, end))) return corrupt(c, q, "bad or truncated tf");
    q += k;
    if (!(k = tt_vbyte_decode32(&b, q, end))) return corrupt(c, q, "bad or truncated tf");
    q += k;
    if (explicit_npos) {
      if (!(k = tt_vbyte_decode32(&m, q, end))) return corrupt(c, q, "bad or truncated npos");
      q += k;
    } else {
      uint64_t s = (uint64_t)a + b;
      m = s > TT_PLIST_MAX_NPOS ? TT_PLIST_MAX_NPOS + 1 : (uint32_t)s; /* refused if read */
    }
    c->tft[i] = a;
    c->tfb[i] = b;
    c->npos[i] = m;
  }
  if (exact && q != end) return corrupt(c, q, "bytes left after the vbyte block");
  if (expect_last >= 0 && prev != expect_last)
    return corrupt(c, q, "block's last doc disagrees with the skip table");
  c->nb = n;
  c->tf_ready = 1;
  c->npos_ready = 1;
  *used = (size_t)(q - p);
  return 0;
}

static void reset_block_lazies(tt_plist_cursor *c)
{
  c->pos_ready = 0;
  c->chunk_k = UINT32_MAX;
  c->tail_ready = 0;
  c->tail_located = 0;
  c->tail_abs_ready = 0;
  c->pos_for = UINT32_MAX;
}

/* Decode block k of a multi-block list into docs[]. */
static int load_block(tt_plist_cursor *c, uint32_t k)
{
  if (c->loaded == k) return 0;
  c->loaded = UINT32_MAX;
  size_t d0 = k ? col_get(c->col_dend, c->wo, k - 1) : 0;
  size_t d1 = col_get(c->col_dend, c->wo, k);
  if (d0 > d1 || d1 > c->docsize) return corrupt(c, c->col_dend + (size_t)k * c->wo, "bad block offset");
  if (c->has_pos) {
    size_t p0 = k ? col_get(c->col_pend, c->wp, k - 1) : 0;
    size_t p1 = col_get(c->col_pend, c->wp, k);
    if (p0 > p1 || p1 > c->possize)
      return corrupt(c, c->col_pend + (size_t)k * c->wp, "bad position block offset");
    c->pb = c->posarea + p0;
    c->plen = p1 - p0;
  }
  int64_t base = k ? (int64_t)col_get(c->col_last, c->wd, k - 1) : -1;
  int64_t last = col_get(c->col_last, c->wd, k);
  uint32_t n = (k + 1 < c->nblocks || c->df % BLK == 0) ? BLK : c->df % BLK;
  const uint8_t *p = c->docarea + d0;
  size_t used;
  int rc = n == BLK ? decode_full(c, p, d1 - d0, 1, base, last, &used)
                    : decode_vb(c, p, p + (d1 - d0), n, 1, base, last, &used);
  if (rc) return rc;
  c->loaded = k;
  reset_block_lazies(c);
  return 0;
}

int tt_plist_open(tt_plist_cursor *c, const uint8_t *data, size_t len, int with_positions)
{
  /* Only the fields the cursor relies on before its first block are set here; the large
   * arrays are filled when a block is decoded. */
  c->data = data;
  c->len = len;
  c->rc = 0;
  c->lim = 0;
  c->cur = 0;
  c->docs[0] = 0;
  c->on = 0;
  c->lb = 0;
  c->blk = 0;
  c->loaded = UINT32_MAX;
  c->nb = 0;
  c->tf_ready = 0;
  /* a tf accessor called before the first posting decodes nothing (widths 0) */
  c->tft_p = c->tfb_p = c->npos_p = data;
  c->wt = c->wb = 0;
  c->wn = NPOS_IMPLICIT;
  c->npos_ready = 0;
  c->posbuf = NULL;
  c->poscap = 0;
  c->want_pos = with_positions ? 1 : 0;
  c->df = 0;
  c->nblocks = 0;
  reset_block_lazies(c);

  if (!data) return corrupt(c, data, "no data");
  const uint8_t *p = data, *end = data + len;
  uint64_t h;
  size_t k = tt_vbyte_decode64(&h, p, end);
  if (!k) return corrupt(c, p, "bad list header");
  p += k;
  if ((h >> 2) > UINT32_MAX) return corrupt(c, data, "df over 2^32-1");
  c->df = (uint32_t)(h >> 2);
  c->has_pos = (int)(h & 1);
  c->tail_npos = (int)((h >> 1) & 1);
  if (c->want_pos && !c->has_pos) return corrupt(c, data, "list has no positions");
  if (c->tail_npos && !c->has_pos) return corrupt(c, data, "npos flag without positions");
  c->nblocks = (uint32_t)((c->df + (uint64_t)BLK - 1) / BLK);
  if (c->df == 0) {
    if (p != end) return corrupt(c, p, "bytes after an empty list");
    c->blk = 0; /* == nblocks: exhausted */
    return 0;
  }

  if (c->nblocks == 1) {
    uint32_t imp;
    if (!(k = tt_vbyte_decode32(&imp, p, end))) return corrupt(c, p, "bad block impact");
    p += k;
    c->one_impact = imp;
    size_t used;
    int rc = c->df == BLK ? decode_full(c, p, (size_t)(end - p), !c->has_pos, -1, -1, &used)
                          : decode_vb(c, p, end, c->df, !c->has_pos, -1, -1, &used);
    if (rc) return rc;
    c->docarea = p;
    c->docsize = used;
    c->posarea = c->pb = p + used;
    c->possize = c->plen = (size_t)(end - (p + used));
    c->one_last = c->docs[c->nb - 1];
    c->loaded = 0;
    return 0;
  }

  if ((size_t)(end - p) < 2) return corrupt(c, p, "skip table header truncated");
  unsigned W = tt_load_le16(p);
  c->wd = W & 7;
  c->wo = (W >> 3) & 7;
  c->wp = (W >> 6) & 7;
  c->wi = (W >> 9) & 7;
  if ((W >> 12) || c->wd > 4 || c->wo > 4 || c->wp > 4 || c->wi > 4 || !c->wd || !c->wo ||
      (!c->has_pos && c->wp))
    return corrupt(c, p, "bad skip table widths");
  p += 2;
  size_t row = c->wd + c->wo + c->wp + c->wi;
  if ((size_t)(end - p) / row < c->nblocks) return corrupt(c, p, "skip table truncated");
  c->col_last = p;
  c->col_dend = c->col_last + (size_t)c->nblocks * c->wd;
  c->col_pend = c->col_dend + (size_t)c->nblocks * c->wo;
  c->col_imp = c->col_pend + (size_t)c->nblocks * c->wp;
  p = c->col_imp + (size_t)c->nblocks * c->wi;
  c->docsize = col_get(c->col_dend, c->wo, c->nblocks - 1);
  c->possize = col_get(c->col_pend, c->wp, c->nblocks - 1);
  if ((size_t)(end - p) != c->docsize + c->possize)
    return corrupt(c, p, "list length disagrees with the skip table");
  c->docarea = p;
  c->posarea = p + c->docsize;
  return 0;
}

void tt_plist_close(tt_plist_cursor *c)
{
  tt_free(c->posbuf);
  c->posbuf = NULL;
  c->poscap = 0;
}

void tt_plist__load_tf(tt_plist_cursor *c)
{
  /* Full blocks only (vbyte blocks are decoded whole); the widths were checked on load. */
  tt_bp128_unpack(c->tft, c->tft_p, c->wt);
  tt_bp128_unpack(c->tfb, c->tfb_p, c->wb);
  c->tf_ready = 1;
}

/* First index i >= from in the loaded block with docs[i] >= t (nb if none). Branch-free
 * bisection: the steps compile to conditional moves, so a seek costs no mispredictions. */
static uint32_t find_in_block(const tt_plist_cursor *c, uint32_t from, uint32_t t)
{
  if (from >= c->nb) return c->nb;
  const uint32_t *base = c->docs + from;
  uint32_t len = c->nb - from;
  while (len > 1) {
    uint32_t half = len / 2;
    base = base[half] < t ? base + half : base;
    len -= half;
  }
  return (uint32_t)(base - c->docs) + (*base < t);
}

/* First block k > from with last[k] >= t, by galloping then bisection; nblocks if none. */
static uint32_t find_block(const tt_plist_cursor *c, uint32_t from, uint32_t t)
{
  uint32_t n = c->nblocks;
  uint32_t lo = from + 1;
  if (lo >= n) return n;
  if (blk_last(c, lo) >= t) return lo;
  uint32_t step = 1, hi = lo + 1;
  while (hi < n && blk_last(c, hi) < t) {
    lo = hi;
    step <<= 1;
    hi = (n - lo > step) ? lo + step : n;
  }
  if (hi >= n) {
    hi = n - 1;
    if (blk_last(c, hi) < t) return n;
  }
  /* last[lo] < t <= last[hi] */
  while (hi - lo > 1) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (blk_last(c, mid) < t) lo = mid;
    else hi = mid;
  }
  return hi;
}

static int set_exhausted(tt_plist_cursor *c)
{
  c->blk = c->nblocks;
  c->lim = 0;
  c->on = 0;
  return TT_ITEROVER;
}

/* Land on the posting at index i of the loaded block (i < nb). */
TT_INLINE int land(tt_plist_cursor *c, uint32_t i)
{
  c->cur = i;
  c->lim = c->nb;
  c->on = 1;
  return 0;
}

/* Between postings with bound lb in block blk: load the block and land on the first doc >= t. */
static int resolve(tt_plist_cursor *c, uint32_t t)
{
  if (c->nblocks > 1) {
    int rc = load_block(c, c->blk);
    if (rc) return rc;
  }
  uint32_t i = find_in_block(c, 0, t);
  if (i >= c->nb) return corrupt(c, c->data, "block has no doc up to its last doc"); /* unreachable */
  return land(c, i);
}

int tt_plist__next_slow(tt_plist_cursor *c)
{
  if (c->rc) return c->rc;
  if (c->blk >= c->nblocks) return TT_ITEROVER;
  if (!c->on) return resolve(c, c->lb);
  /* on the last posting of the block */
  if (c->cur + 1 < c->nb) return land(c, c->cur + 1);
  if (c->blk + 1 >= c->nblocks) return set_exhausted(c);
  c->blk++;
  int rc = load_block(c, c->blk);
  if (rc) return rc;
  return land(c, 0);
}

int tt_plist__seek_slow(tt_plist_cursor *c, uint32_t target)
{
  if (c->rc) return c->rc;
  if (c->blk >= c->nblocks) return TT_ITEROVER;
  if (c->on && target <= c->docs[c->cur]) return 0;
  if (!c->on && target < c->lb) target = c->lb;
  if (target <= blk_last(c, c->blk)) {
    if (c->on) return land(c, find_in_block(c, c->cur + 1, target));
    return resolve(c, target);
  }
  uint32_t k = find_block(c, c->blk, target);
  if (k >= c->nblocks) return set_exhausted(c);
  c->blk = k;
  c->on = 0;
  c->lim = 0;
  return resolve(c, target);
}

int tt_plist_seek_block(tt_plist_cursor *c, uint32_t target)
{
  if (c->rc) return c->rc;
  if (c->blk >= c->nblocks) return TT_ITEROVER;
  if (c->on ? target <= c->docs[c->cur] : target <= c->lb) return 0;
  if (target > blk_last(c, c->blk)) {
    uint32_t k = find_block(c, c->blk, target);
    if (k >= c->nblocks) return set_exhausted(c);
    c->blk = k;
  }
  c->on = 0;
  c->lim = 0;
  c->lb = target;
  return 0;
}

int tt_plist_next_block(tt_plist_cursor *c)
{
  if (c->rc) return c->rc;
  if (c->blk >= c->nblocks) return TT_ITEROVER;
  if (c->blk + 1 >= c->nblocks) return set_exhausted(c);
  uint32_t last = blk_last(c, c->blk);
  c->blk++;
  c->on = 0;
  c->lim = 0;
  c->lb = last + 1u; /* last < last[blk + 1] <= UINT32_MAX on a valid list */
  return 0;
}

uint32_t tt_plist_block_max(const tt_plist_cursor *c)
{
  return c->blk < c->nblocks ? blk_impact(c, c->blk) : 0;
}

uint32_t tt_plist_block_last_doc(const tt_plist_cursor *c)
{
  return c->blk < c->nblocks ? blk_last(c, c->blk) : UINT32_MAX;
}

uint32_t tt_plist_max_impact(const tt_plist_cursor *c)
{
  uint32_t m = 0;
  for (uint32_t k = 0; k < c->nblocks; k++) {
    uint32_t v = blk_impact(c, k);
    if (v > m) m = v;
  }
  return m;
}

/* ---------------------------------------------------------------------------------------------
 * Positions
 * ------------------------------------------------------------------------------------------- */

/* The usual block (npos not stored, every frequency below 2^23): npos[] and the whole of
 * pstart[] in one pass, four postings at a time with SSE2 (a prefix sum like
 * tt_bp128_prefix1's). With frequencies below 2^23 each npos is at most 2^24 - 2 (within
 * TT_PLIST_MAX_NPOS) and the sum of 128 stays below 2^31, so nothing needs checking in the
 * loop. Returns 0 with the total in *t, or -1 when a frequency is too large (the caller then
 * takes the checked path, which gives the same result or refuses the block). */
static int prefix_npos(tt_plist_cursor *c, uint64_t *t)
{
  uint32_t n = c->nb, hi = 0, k = 0;
#ifdef TT_BP128_HAVE_SSE2
  __m128i carry = _mm_setzero_si128(), h = _mm_setzero_si128();
  for (; k + 4 <= n; k += 4) {
    __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(c->tft + k));
    __m128i b = _mm_loadu_si128((const __m128i *)(const void *)(c->tfb + k));
    h = _mm_or_si128(h, _mm_or_si128(a, b));
    __m128i v = _mm_add_epi32(a, b);
    _mm_storeu_si128((__m128i *)(void *)(c->npos + k), v);
    v = _mm_add_epi32(v, _mm_slli_si128(v, 4));
    v = _mm_add_epi32(v, _mm_slli_si128(v, 8));
    v = _mm_add_epi32(v, carry);
    _mm_storeu_si128((__m128i *)(void *)(c->pstart + k + 1), v);
    carry = _mm_shuffle_epi32(v, 0xFF);
  }
  h = _mm_or_si128(h, _mm_srli_si128(h, 8));
  h = _mm_or_si128(h, _mm_srli_si128(h, 4));
  hi = (uint32_t)_mm_cvtsi128_si32(h);
#endif
  uint32_t acc = k ? c->pstart[k] : 0;
  for (; k < n; k++) {
    uint32_t a = c->tft[k], b = c->tfb[k];
    hi |= a | b;
    c->npos[k] = a + b;
    acc += a + b;
    c->pstart[k + 1] = acc;
  }
  if (hi >> 23) return -1;
  c->pstart[0] = 0;
  *t = c->pstart[n];
  return 0;
}

/* Offset in the position stream of posting i of a psum block: the lane sums before i's group
 * of four plus the group's postings before i, without a branch (a loop summing from the last
 * posting read mispredicted about twice a read). */
static uint32_t psum_start(const tt_plist_cursor *c, uint32_t i)
{
  uint32_t g = 4 * (i >> 2), r = i & 3;
#ifdef TT_BP128_HAVE_SSE2
  static const uint32_t keep[4][4] = {{0, 0, 0, 0}, {~0u, 0, 0, 0}, {~0u, ~0u, 0, 0}, {~0u, ~0u, ~0u, 0}};
  __m128i a = _mm_loadu_si128((const __m128i *)(const void *)(c->lsum + g));
  __m128i v = _mm_add_epi32(_mm_loadu_si128((const __m128i *)(const void *)(c->tft + g)),
                            _mm_loadu_si128((const __m128i *)(const void *)(c->tfb + g)));
  a = _mm_add_epi32(a, _mm_and_si128(v, _mm_loadu_si128((const __m128i *)(const void *)keep[r])));
  a = _mm_add_epi32(a, _mm_srli_si128(a, 8));
  a = _mm_add_epi32(a, _mm_srli_si128(a, 4));
  return (uint32_t)_mm_cvtsi128_si32(a);
#else
  uint32_t s = 0;
  for (uint32_t l = 0; l < 4; l++) s += c->lsum[g + l];
  for (uint32_t l = 0; l < r; l++) s += c->tft[g + l] + c->tfb[g + l];
  return s;
#endif
}

/* The length of the loaded block's position stream and its chunk count, and how postings are
 * found in it. The usual block (npos not stored, both frequency columns at most 23 bits wide)
 * gets the lane sums of tft + tfb, kept as tfb is unpacked, and its total from them (psum): a
 * read takes its posting's offset from them (psum_start), as a phrase check reads a few
 * postings of a block and a prefix of all 128 cost ~600 instructions a visit; reads in
 * sequence fill pstart[] whole (full_pstart). Other blocks get npos[], and pstart[] complete
 * (prefix_npos) or filled lazily up to the posting asked for (pdone). */
static int prepare_positions(tt_plist_cursor *c)
{
  uint64_t t = 0;
  uint32_t big = 0, pdone = 0;
  c->psum = 0;
  if (!c->npos_ready && c->wn == NPOS_IMPLICIT && c->wt <= 23 && c->wb <= 23) {
    if (c->tf_ready) {
      tt_bp128_lsum(c->tft, c->tfb, c->lsum);
    } else {   /* the sums while unpacking (full blocks: vbyte ones have npos_ready) */
      tt_bp128_unpack(c->tft, c->tft_p, c->wt);
      tt_bp128_unpack_lsum(c->tfb, c->lsum, c->tfb_p, c->wb, c->tft);
      c->tf_ready = 1;
    }
    for (uint32_t l = BLK; l < BLK + 4; l++) t += c->lsum[l];
    c->psum = 1;
  } else if (!c->tf_ready) {
    tt_plist__load_tf(c);
  }
  if (c->psum) {
    /* the total is known */
  } else if (!c->npos_ready && c->wn == NPOS_IMPLICIT && prefix_npos(c, &t) == 0) {
    c->npos_ready = 1;
    pdone = c->nb;
  } else if (!c->npos_ready && c->wn == NPOS_IMPLICIT) {
    /* one branch-free pass (it vectorizes): npos, the total and the limit check together; a
     * column with a value of 2^25 or more is redone with saturation (and refused below) */
    uint32_t hi = 0;
    for (uint32_t i = 0; i < c->nb; i++) {
      uint32_t v = c->tft[i] + c->tfb[i];
      hi |= c->tft[i] | c->tfb[i];
      c->npos[i] = v;
      t += v;
      big |= v > TT_PLIST_MAX_NPOS;
    }
    if (hi >> 25) {
      for (uint32_t i = 0; i < c->nb; i++) {
        uint64_t s = (uint64_t)c->tft[i] + c->tfb[i];
        c->npos[i] = s > TT_PLIST_MAX_NPOS ? TT_PLIST_MAX_NPOS + 1 : (uint32_t)s;
      }
      big = 1;
    }
    c->npos_ready = 1;
  } else {
    if (!c->npos_ready) {
      tt_bp128_unpack(c->npos, c->npos_p, c->wn);
      c->npos_ready = 1;
    }
    for (uint32_t i = 0; i < c->nb; i++) {   /* branch-free: vectorizes */
      t += c->npos[i];
      big |= c->npos[i] > TT_PLIST_MAX_NPOS;
    }
  }
  if (big) return corrupt(c, c->pb, "too many positions in a posting");
  /* t <= 128 * 2^24 fits; every chunk needs its width byte, a tail a byte at least */
  if ((t >> 7) + ((t & 127) != 0) > c->plen) return corrupt(c, c->pb, "position block too short");
  c->ptotal = (uint32_t)t;
  c->pstart[0] = 0;
  c->pdone = pdone;
  c->nchunks = (uint32_t)(t >> 7);
  c->walk_k = 0;
  c->walk_off = c->nchunks;
  c->chunk_k = UINT32_MAX;
  c->tail_ready = 0;
  c->tail_located = 0;
  c->tail_abs_ready = 0;
  c->pos_ready = 1;
  return 0;
}

/* Leave psum: npos[] and the whole of pstart[] (the frequencies were checked to fit). */
static void full_pstart(tt_plist_cursor *c)
{
  uint64_t t;
  prefix_npos(c, &t);   /* cannot fail: both columns are at most 23 bits wide */
  c->npos_ready = 1;
  c->pdone = c->nb;
  c->psum = 0;
}

/* Byte offset in pb of chunk k (k <= nchunks: k = nchunks gives the tail's offset). */
static int chunk_offset(tt_plist_cursor *c, uint32_t k, size_t *off)
{
  if (k < c->walk_k) {
    c->walk_k = 0;
    c->walk_off = c->nchunks;
  }
  while (c->walk_k < k) {
    unsigned b = c->pb[c->walk_k];
    if (b > 32) return corrupt(c, c->pb + c->walk_k, "position chunk width over 32");
    c->walk_off += TT_BP128_BYTES(b);
    c->walk_k++;
  }
  if (c->walk_off > c->plen) return corrupt(c, c->pb + c->walk_k, "position chunk past its block");
  *off = c->walk_off;
  return 0;
}

/* Turn n stored values (stream values first..first+n) into positions, into out[]. A posting's
 * first value is its first position; each following one is a gap - 1. The loop restarts the sum
 * at every posting start (a mark built from pstart) with a mask instead of a loop per posting, so the cost does not depend on how the postings' lengths vary. Values before the
 * first mark belong to a posting that started in an earlier chunk; they come out wrong and
 * are never returned (such postings are assembled from the stored values). Needs pstart[] of
 * every posting of the block. */
static int absolutize(tt_plist_cursor *c, const uint32_t *in, uint32_t *out, uint32_t first,
                      uint32_t n)
{
  uint8_t mark[128];
  memset(mark, 0, sizeof mark);
  /* postings that start inside [first, first + n): pstart is non-decreasing */
  uint32_t lo = 0, hi = c->nb;
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (c->pstart[mid] < first) lo = mid + 1;
    else hi = mid;
  }
  for (uint32_t i = lo; i < c->nb && c->pstart[i] < first + n; i++) mark[c->pstart[i] - first] = 1;
  uint64_t acc = 0, over = 0;
  for (uint32_t j = 0; j < n; j++) {
    /* acc = mark ? v : acc + v + 1, in arithmetic: compilers turn the ?: into a branch */
    acc = in[j] + ((acc + 1) & ((uint64_t)mark[j] - 1));
    over |= acc;
    out[j] = (uint32_t)acc;
  }
  if (over >> 32) return corrupt(c, c->pb, "position past 2^32-1");
  return 0;
}

static int load_chunk(tt_plist_cursor *c, uint32_t k)
{
  if (c->chunk_k == k) return 0;
  size_t off = 0;
  int rc = chunk_offset(c, k, &off);
  if (rc) return rc;
  unsigned b = c->pb[k];
  if (b > 32) return corrupt(c, c->pb + k, "position chunk width over 32");
  if (TT_BP128_BYTES(b) > c->plen - off) return corrupt(c, c->pb + off, "position chunk truncated");
  tt_bp128_unpack(c->chunk, c->pb + off, b);
  c->chunk_k = k;
  c->chunk_abs_ready = 0;
  return 0;
}

/* Find and check the tail of the position stream (the values after the last full chunk): its
 * mode (TAIL_VBYTE or a packed width), where its values start and that it ends the block.
 * Packed, every value can then be read alone (tail_value); vbyte tails are decoded whole
 * (load_tail). */
static int locate_tail(tt_plist_cursor *c)
{
  size_t off = 0;
  uint32_t save_k = c->walk_k;
  size_t save_off = c->walk_off;
  int rc = chunk_offset(c, c->nchunks, &off);
  c->walk_k = save_k;   /* keep the walker where the chunk reads left it */
  c->walk_off = save_off;
  if (rc) return rc;
  uint32_t n = c->ptotal & 127;
  const uint8_t *p = c->pb + off, *end = c->pb + c->plen;
  unsigned mode = TAIL_VBYTE;
  if (n >= TAIL_MODE_MIN) {
    if (p == end) return corrupt(c, p, "position tail truncated");
    mode = *p++;
    if (mode > 32 && mode != TAIL_VBYTE) return corrupt(c, p - 1, "bad position tail mode");
  }
  if (mode != TAIL_VBYTE) {
    size_t used = TT_BP128_TAIL_BYTES(n, mode);
    if ((size_t)(end - p) < used) return corrupt(c, p, "position tail truncated");
    if (p + used != end) return corrupt(c, p + used, "bytes left after the positions");
  }
  c->tail_p = p;
  c->tail_mode = mode;
  c->tail_located = 1;
  return 0;
}

static int load_tail(tt_plist_cursor *c)
{
  int rc;
  if (!c->tail_located && (rc = locate_tail(c))) return rc;
  uint32_t n = c->ptotal & 127;
  const uint8_t *p = c->tail_p, *end = c->pb + c->plen;
  if (c->tail_mode != TAIL_VBYTE) {
    tt_bp128_unpack_tail(c->tail, p, n, c->tail_mode);
  } else {
    size_t used = n ? tt_vbyte_decode32_n(c->tail, n, p, end) : 0;
    if (n && !used) return corrupt(c, p, "bad or truncated position");
    if (p + used != end) return corrupt(c, p + used, "bytes left after the positions");
  }
  c->tail_ready = 1;
  return 0;
}

/* Stored values [from, from + m) of a packed tail (located) into out[], as
 * tt_bp128_unpack_tail would give them: value j is bits [j·b, j·b + b) of the tail, read with
 * one 8-byte load where the tail has 8 bytes left, else byte by byte. A phrase check reads
 * one posting's few values of a tail of up to 127. */
static void tail_values(const tt_plist_cursor *c, uint32_t from, uint32_t m, uint32_t *out)
{
  unsigned b = c->tail_mode;
  if (!b) {
    memset(out, 0, m * sizeof *out);
    return;
  }
  const uint8_t *p = c->tail_p;
  size_t used = TT_BP128_TAIL_BYTES(c->ptotal & 127, b);
  uint64_t mask = b >= 32 ? 0xFFFFFFFFu : (1u << b) - 1u;
  for (uint32_t j = 0; j < m; j++) {
    size_t bit = (size_t)(from + j) * b, o = bit >> 3;
    uint64_t w = 0;
    if (o + 8 <= used) w = tt_load_le64(p + o);
    else
      for (size_t i = o; i < used; i++) w |= (uint64_t)p[i] << (8 * (i - o));
    out[j] = (uint32_t)((w >> (bit & 7)) & mask);
  }
}

/* Turn the m stored values in[0..m) of one posting (first position, then gaps - 1) into
 * positions in out[0..m) (in and out may be the same). */
static int undelta(tt_plist_cursor *c, const uint32_t *in, uint32_t *out, uint32_t m)
{
  uint64_t acc = in[0];
  out[0] = in[0];
  for (uint32_t j = 1; j < m; j++) {
    acc += (uint64_t)in[j] + 1;
    out[j] = (uint32_t)acc;
  }
  if (acc > UINT32_MAX) return corrupt(c, c->pb, "position past 2^32-1");
  return 0;
}

/* The positions of the current posting occupy values [s, e) of the block's stream (pstart is
 * extended up to the posting). The chunks (or the tail) holding them are unpacked as a whole,
 * once per block visit. Read sparsely (the posting before was not the last one read), only
 * the posting's own values are turned into positions, into posbuf: a phrase check reads one
 * or two postings of a chunk that holds dozens. Read in sequence, the whole chunk (or tail)
 * is turned into positions in one pass (absolutize) and postings are returned from there. */
static int positions_at(tt_plist_cursor *c, const uint32_t *p, uint32_t m, const uint32_t **pos, uint32_t *n)
{
  c->pos_for = c->cur;
  c->pos_ptr = p;
  c->posn = m;
  *pos = p;
  *n = m;
  return 0;
}

int tt_plist__positions_slow(tt_plist_cursor *c, const uint32_t **pos, uint32_t *n)
{
  if (c->rc) return c->rc;
  if (!c->want_pos) return tt_error_set(TT_EINVAL, "postings: cursor opened without positions");
  if (!c->on) return tt_error_set(TT_EINVAL, "postings: cursor is not on a posting");
  int rc;
  if (!c->pos_ready && (rc = prepare_positions(c))) return rc;
  /* in sequence: the last SEQ_RUN reads were of consecutive postings of this block */
  c->seq_run = c->pos_for != UINT32_MAX && c->pos_for + 1 == c->cur ? c->seq_run + 1 : 0;
  int seq = c->seq_run >= SEQ_RUN;
  uint32_t s, e;
  if (c->psum && !seq) {
    s = psum_start(c, c->cur);
    e = s + c->tft[c->cur] + c->tfb[c->cur];
  } else {
    if (c->psum) full_pstart(c);
    while (c->pdone <= c->cur) {
      c->pstart[c->pdone + 1] = c->pstart[c->pdone] + c->npos[c->pdone];
      c->pdone++;
    }
    if (seq)
      while (c->pdone < c->nb) {
        c->pstart[c->pdone + 1] = c->pstart[c->pdone] + c->npos[c->pdone];
        c->pdone++;
      }
    s = c->pstart[c->cur];
    e = c->pstart[c->cur + 1];
  }
  uint32_t m = e - s;
  uint32_t full = c->nchunks * 128u;
  if (seq && m && e <= full && (s >> 7) == ((e - 1) >> 7)) {
    uint32_t k = s >> 7;
    if ((rc = load_chunk(c, k))) return rc;
    if (!c->chunk_abs_ready) {
      if ((rc = absolutize(c, c->chunk, c->chunk_abs, k * 128u, 128))) return rc;
      c->chunk_abs_ready = 1;
    }
    return positions_at(c, c->chunk_abs + (s & 127), m, pos, n);
  }
  if (seq && m && s >= full) {
    if (!c->tail_ready && (rc = load_tail(c))) return rc;
    if (!c->tail_abs_ready) {
      if ((rc = absolutize(c, c->tail, c->tail_abs, full, c->ptotal - full))) return rc;
      c->tail_abs_ready = 1;
    }
    return positions_at(c, c->tail_abs + (s - full), m, pos, n);
  }
  if (m > c->poscap) {
    uint32_t cap = c->poscap ? c->poscap : 256;
    while (cap < m) cap *= 2;
    uint32_t *b = tt_realloc(c->posbuf, (size_t)cap * sizeof *b);
    if (!b) return tt_error_set(TT_ENOMEM, "postings: out of memory for %u positions", m);
    c->posbuf = b;
    c->poscap = cap;
  }
  uint32_t *p = c->posbuf;
  if (m == 0) {
    /* nothing to decode */
  } else if (e <= full && (s >> 7) == ((e - 1) >> 7)) {   /* the common case: one chunk */
    if ((rc = load_chunk(c, s >> 7))) return rc;
    if ((rc = undelta(c, c->chunk + (s & 127), p, m))) return rc;
  } else if (s >= full) {
    if (!c->tail_ready && !c->tail_located && (rc = locate_tail(c))) return rc;
    if (!c->tail_ready && c->tail_mode != TAIL_VBYTE) {   /* only this posting's values */
      tail_values(c, s - full, m, p);
      if ((rc = undelta(c, p, p, m))) return rc;
    } else {
      if (!c->tail_ready && (rc = load_tail(c))) return rc;
      if ((rc = undelta(c, c->tail + (s - full), p, m))) return rc;
    }
  } else {
    uint32_t i = s;
    while (i < e && i < full) {
      uint32_t k = i >> 7, from = i & 127, cnt = 128 - from;
      if (cnt > e - i) cnt = e - i;
      if ((rc = load_chunk(c, k))) return rc;
      memcpy(p + (i - s), c->chunk + from, cnt * sizeof(uint32_t));
      i += cnt;
    }
    if (i < e) {
      if (!c->tail_ready && (rc = load_tail(c))) return rc;
      memcpy(p + (i - s), c->tail + (i - full), (e - i) * sizeof(uint32_t));
    }
    if ((rc = undelta(c, p, p, m))) return rc;
  }
  return positions_at(c, p, m, pos, n);
}

int tt_plist_position_gaps(tt_plist_cursor *c, const uint32_t **gaps, uint32_t *n)
{
  if (c->rc) return c->rc;
  if (!c->want_pos) return tt_error_set(TT_EINVAL, "postings: cursor opened without positions");
  if (!c->on) return tt_error_set(TT_EINVAL, "postings: cursor is not on a posting");
  int rc;
  if (!c->pos_ready && (rc = prepare_positions(c))) return rc;
  if (c->psum) full_pstart(c);   /* a merge reads every posting */
  while (c->pdone <= c->cur) {
    c->pstart[c->pdone + 1] = c->pstart[c->pdone] + c->npos[c->pdone];
    c->pdone++;
  }
  uint32_t s = c->pstart[c->cur], e = c->pstart[c->cur + 1], m = e - s;
  uint32_t full = c->nchunks * 128u;
  const uint32_t *v;
  if (m == 0) {
    v = c->chunk;   /* nothing to read */
  } else if (e <= full && (s >> 7) == ((e - 1) >> 7)) {   /* the common case: one chunk */
    if ((rc = load_chunk(c, s >> 7))) return rc;
    v = c->chunk + (s & 127);
  } else if (s >= full) {
    if (!c->tail_ready && (rc = load_tail(c))) return rc;
    v = c->tail + (s - full);
  } else {   /* across chunks (and maybe into the tail): gathered in posbuf */
    if (m > c->poscap) {
      uint32_t cap = c->poscap ? c->poscap : 256;
      while (cap < m) cap *= 2;
      uint32_t *b = tt_realloc(c->posbuf, (size_t)cap * sizeof *b);
      if (!b) return tt_error_set(TT_ENOMEM, "postings: out of memory for %u positions", m);
      c->posbuf = b;
      c->poscap = cap;
    }
    /* posbuf no longer holds the positions tt_plist_positions returned last */
    if (c->pos_ptr == c->posbuf) c->pos_for = UINT32_MAX;
    uint32_t *p = c->posbuf, i = s;
    while (i < e && i < full) {
      uint32_t k = i >> 7, from = i & 127, cnt = 128 - from;
      if (cnt > e - i) cnt = e - i;
      if ((rc = load_chunk(c, k))) return rc;
      memcpy(p + (i - s), c->chunk + from, cnt * sizeof(uint32_t));
      i += cnt;
    }
    if (i < e) {
      if (!c->tail_ready && (rc = load_tail(c))) return rc;
      memcpy(p + (i - s), c->tail + (i - full), (e - i) * sizeof(uint32_t));
    }
    v = p;
  }
  /* the last position (first value + each later value + 1) must fit in 32 bits, as the
   * positions path checks (undelta) */
  if (m) {
    uint64_t acc = (uint64_t)m - 1;
    for (uint32_t j = 0; j < m; j++) acc += v[j];
    if (acc > UINT32_MAX) return corrupt(c, c->pb, "position past 2^32-1");
  }
  *gaps = v;
  *n = m;
  return 0;
}
