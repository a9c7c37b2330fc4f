/* Verification of a segment's syllable-pair terms against its positions (indexer/pairs.h), for
 * `timtin check`.
 *
 * The pair terms must be exactly what the positions of the common syllables imply. Rebuilding
 * every pair list would take as much memory as the lists, so both sides are summarized per pair
 * (a, b): the number of documents and a sum of 64-bit hashes of (doc, tf_title, tf_body). The
 * expected side reads the position lists of the list's syllables in windows of PC_WINDOW
 * documents (one cursor per syllable), sorts each window's occurrences by (doc, position) and
 * counts the adjacent pairs per document; the stored side decodes each pair term's list. Any
 * missing, extra or altered posting changes a count or a sum (a collision needs a 64-bit hash
 * sum to cancel). */
#include "indexer/pairs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/postings_codec.h"
#include "indexer/segment.h"

#define PC_WINDOW 2048u
#define NP ((size_t)TT_PAIRS_N * TT_PAIRS_N)

static inline uint64_t mix(uint32_t doc, uint32_t tft, uint32_t tfb)
{
  uint64_t x = ((uint64_t)doc << 32 | tft) ^ ((uint64_t)tfb * 0x9E3779B97F4A7C15ull);
  x ^= x >> 30; x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27; x *= 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

static int cmp_u64(const void *a, const void *b)
{
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Adjacent pairs of one document's occurrences occ[0, n) (sorted (pos << 8 | id)) into the
 * summaries. em is scratch. */
static void doc_pairs(const tt_segment *s, uint32_t doc, const uint64_t *occ, size_t n, uint64_t *em,
                      uint64_t *sum, uint32_t *cnt)
{
  uint32_t tl = tt_seg_title_len(s, doc);
  size_t ne = 0;
  for (size_t i = 0, j; i < n; i = j) {
    uint64_t p = occ[i] >> 8;
    for (j = i; j < n && occ[j] >> 8 == p; j++) {}
    for (size_t x = i; x < j; x++)
      for (size_t y = j; y < n && occ[y] >> 8 == p + 1; y++)
        em[ne++] = ((occ[x] & 0xFF) * TT_PAIRS_N + (occ[y] & 0xFF)) << 1 | (p < tl);
  }
  qsort(em, ne, sizeof *em, cmp_u64);
  for (size_t i = 0, j; i < ne; i = j) {
    uint64_t pair = em[i] >> 1;
    uint32_t tft = 0, tfb = 0;
    for (j = i; j < ne && em[j] >> 1 == pair; j++) {
      if (em[j] & 1) tft++;
      else tfb++;
    }
    sum[pair] += mix(doc, tft, tfb);
    cnt[pair]++;
  }
}

int tt_pairs_verify(const tt_segment *s, const char *dir)
{
  if (s->pairs == 0) return 0;
  if (s->pairs != TT_PAIRS_ID)
    return tt_error_set(TT_EFORMAT, "%s/%s.dtab: pair list %u is not known to this build (it knows %u)",
                        dir, s->name, s->pairs, TT_PAIRS_ID);
  int rc = 0;
  uint64_t *want = tt_calloc(NP, sizeof *want), *got = tt_calloc(NP, sizeof *got);
  uint32_t *nwant = tt_calloc(NP, sizeof *nwant), *ngot = tt_calloc(NP, sizeof *ngot);
  tt_plist_cursor *cur = tt_calloc(TT_PAIRS_N, sizeof *cur);
  uint8_t *live = tt_calloc(TT_PAIRS_N, 1);
  uint64_t *occ = NULL, *em = NULL;
  size_t nocc = 0, capocc = 0, capem = 0;
  if (!want || !got || !nwant || !ngot || !cur || !live) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }

  /* stored side */
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_iter it;
  tt_dict_entry e;
  char mark = TT_PAIRS_MARK;
  rc = tt_dict_iter_seek(&it, &s->dict, &mark, 1);
  if (rc == TT_ENOTFOUND) rc = TT_ITEROVER;
  while (!rc && (rc = tt_dict_iter_next(&it, &e)) == 0 && e.key[0] == TT_PAIRS_MARK) {
    const char *sp = memchr(e.key + 1, ' ', e.key_len - 1);
    int a = sp ? tt_pairs_id(e.key + 1, (size_t)(sp - e.key - 1)) : -1;
    int b = sp ? tt_pairs_id(sp + 1, e.key_len - (size_t)(sp + 1 - e.key)) : -1;
    if (a < 0 || b < 0 || (e.flags & TT_DICT_POSITIONAL)) {
      rc = tt_error_set(TT_ECORRUPT, "%s/%s.dict: '%s' is not a pair of the pair list", dir, s->name, e.key + 1);
      break;
    }
    size_t k = (size_t)a * TT_PAIRS_N + (size_t)b;
    if (e.post_off > s->post.len || e.post_len > s->post.len - e.post_off) {
      rc = tt_error_set(TT_ECORRUPT, "%s/%s.post: postings of a pair term out of range", dir, s->name);
      break;
    }
    tt_plist_cursor c;
    rc = tt_plist_open(&c, s->post.data + e.post_off, e.post_len, 0);
    while (!rc && (rc = tt_plist_next(&c)) == 0) {
      got[k] += mix(tt_plist_doc(&c), tt_plist_tf_title(&c), tt_plist_tf_body(&c));
      ngot[k]++;
    }
    if (rc == TT_ITEROVER) rc = 0;
    tt_plist_close(&c);
  }
  if (rc == TT_ITEROVER) rc = 0;

  /* expected side: the positions of the list's syllables, a window of documents at a time */
  for (int a = 0; a < TT_PAIRS_N && !rc; a++) {
    const char *w = tt_pairs_word(a);
    int r = tt_dict_lookup(&s->dict, w, strlen(w), &e, scratch);
    if (r == TT_ENOTFOUND) continue;
    if (r) { rc = r; break; }
    if (!(e.flags & TT_DICT_POSITIONAL)) continue;
    if (e.post_off > s->post.len || e.post_len > s->post.len - e.post_off) {
      rc = tt_error_set(TT_ECORRUPT, "%s/%s.post: postings of '%s' out of range", dir, s->name, w);
      break;
    }
    if ((rc = tt_plist_open(&cur[a], s->post.data + e.post_off, e.post_len, 1))) { tt_plist_close(&cur[a]); break; }
    r = tt_plist_next(&cur[a]);
    if (r == 0) live[a] = 1;
    else if (r != TT_ITEROVER) rc = r;
    else tt_plist_close(&cur[a]);
  }
  for (uint32_t w0 = 0; !rc && w0 < s->ndocs; w0 += PC_WINDOW) {
    uint32_t w1 = s->ndocs - w0 > PC_WINDOW ? w0 + PC_WINDOW : s->ndocs;
    nocc = 0;
    for (int a = 0; a < TT_PAIRS_N && !rc; a++) {
      while (live[a] && tt_plist_doc(&cur[a]) < w1) {
        uint32_t d = tt_plist_doc(&cur[a]);
        const uint32_t *pp;
        uint32_t np;
        if ((rc = tt_plist_positions(&cur[a], &pp, &np))) break;
        if (nocc + np > capocc) {
          size_t cap = (nocc + np) * 2 + 1024;
          uint64_t *o = tt_realloc(occ, cap * sizeof *o);
          if (!o) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
          occ = o;
          capocc = cap;
        }
        /* (doc in window: 11 bits) (position: 32 bits) (syllable: 8 bits) */
        for (uint32_t i = 0; i < np; i++) occ[nocc++] = (uint64_t)(d - w0) << 40 | (uint64_t)pp[i] << 8 | (uint64_t)a;
        int r = tt_plist_next(&cur[a]);
        if (r == TT_ITEROVER) { live[a] = 0; tt_plist_close(&cur[a]); }
        else if (r) { rc = r; break; }
      }
    }
    if (rc) break;
    qsort(occ, nocc, sizeof *occ, cmp_u64);
    for (size_t i = 0, j; i < nocc; i = j) {
      uint64_t dd = occ[i] >> 40;
      for (j = i; j < nocc && occ[j] >> 40 == dd; j++) occ[j] &= ((uint64_t)1 << 40) - 1;
      /* emissions: at most (occurrences)^2 per document, bounded by pairs of equal positions */
      size_t need = (j - i) * 4 + 16;
      for (size_t x = i, y; x < j; x = y) {   /* more when a compound puts several at one position */
        for (y = x; y < j && occ[y] >> 8 == occ[x] >> 8; y++) {}
        need += (y - x) * (y - x);
      }
      if (need > capem) {
        uint64_t *m = tt_realloc(em, need * sizeof *m);
        if (!m) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
        em = m;
        capem = need;
      }
      doc_pairs(s, w0 + (uint32_t)dd, occ + i, j - i, em, want, nwant);
    }
  }
  for (size_t k = 0; !rc && k < NP; k++) {
    if (want[k] == got[k] && nwant[k] == ngot[k]) continue;
    rc = tt_error_set(TT_ECORRUPT, "%s/%s: pair term '%s %s' has %u postings that do not match the positions "
                      "(which give %u)", dir, s->name, tt_pairs_word((int)(k / TT_PAIRS_N)),
                      tt_pairs_word((int)(k % TT_PAIRS_N)), ngot[k], nwant[k]);
  }
done:
  if (cur && live)
    for (int a = 0; a < TT_PAIRS_N; a++) if (live[a]) tt_plist_close(&cur[a]);
  tt_free(want); tt_free(got); tt_free(nwant); tt_free(ngot); tt_free(cur); tt_free(live);
  tt_free(occ); tt_free(em);
  return rc;
}
