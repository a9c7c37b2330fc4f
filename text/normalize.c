/* Word normalization shared by the analyzer (text/analyze.c) and tt_normalize_word():
 * the ICU slow path and the canonical tone placement. See text/normalize.h. */
#include "text/normalize.h"
#include "text/chartab.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"
#include "timtin/analyze.h"

#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>

/* ---------------------------------------------------------------- slow path (ICU) */

void tt_text__scratch_fini(tt_text_scratch *sc)
{
  for (int i = 0; i < 3; i++) {
    tt_free(sc->u[i]);
    sc->u[i] = NULL;
    sc->cap[i] = 0;
  }
}

static int scratch_reserve(tt_text_scratch *sc, int i, size_t need)
{
  if (need <= sc->cap[i]) return 0;
  if (need > (size_t)INT32_MAX) return tt_error_set(TT_EINVAL, "word too long for ICU");
  size_t cap = need + need / 2 + 64;
  if (cap > (size_t)INT32_MAX) cap = (size_t)INT32_MAX;
  UChar *u = tt_realloc(sc->u[i], cap * sizeof(UChar));
  if (!u) return tt_error_set(TT_ENOMEM, "out of memory (%zu UTF-16 units for ICU)", cap);
  sc->u[i] = u;
  sc->cap[i] = cap;
  return 0;
}

/* One ICU step from scratch buffer i (n units) into buffer o: NFC, or lower-case when nfc is
 * NULL. Stores the output length in *m. */
static int icu_step(tt_text_scratch *sc, const UNormalizer2 *nfc, int i, int32_t n, int o, int32_t *m)
{
  /* NFC and full lower-casing expand at most 3x; a miss still grows and retries */
  TT_FORWARD(scratch_reserve(sc, o, 3 * (size_t)n + 16));
  for (;;) {
    UErrorCode err = U_ZERO_ERROR;
    if (nfc) *m = unorm2_normalize(nfc, sc->u[i], n, sc->u[o], (int32_t)sc->cap[o], &err);
    else *m = u_strToLower(sc->u[o], (int32_t)sc->cap[o], sc->u[i], n, "", &err);
    if (err == U_BUFFER_OVERFLOW_ERROR && *m >= 0) {
      TT_FORWARD(scratch_reserve(sc, o, (size_t)*m + 16));
      continue;
    }
    if (U_FAILURE(err)) return tt_error_set(TT_ERROR, "ICU %s: %s", nfc ? "NFC" : "lower-case", u_errorName(err));
    return 0;
  }
}

/* Folded form of a letter or digit beyond the table: NFKC_Casefold (fullwidth and mathematical
 * letters, ligatures: "Ｃ" -> "c", "ﬁ" -> "fi"), then the table's folded form of each result
 * code point (so marks vanish); characters NFKC leaves alone fold to themselves. */
static int fold_big(tt_buf *fo, uint32_t cp)
{
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *cf = unorm2_getNFKCCasefoldInstance(&err);
  UChar s[2], d[64];
  int32_t n = 0, m;
  U16_APPEND_UNSAFE(s, n, (UChar32)cp);
  if (U_FAILURE(err) || (m = unorm2_normalize(cf, s, n, d, 64, &err), U_FAILURE(err))) {
    m = n;  /* cannot happen for one code point; fold to itself */
    memcpy(d, s, sizeof(UChar) * (size_t)n);
  }
  if (tt_buf_reserve(fo, 4 * (size_t)m + 8)) return TT_ENOMEM;
  for (int32_t i = 0; i < m;) {
    UChar32 c;
    U16_NEXT(d, i, m, c);
    if (c < 0 || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;
    if ((uint32_t)c < TT_CC_MAX) {
      const tt_cc *e = &tt_cc_table[c];
      if (e->cls == TT_CC_SPACE) continue;
      memcpy(fo->p + fo->n, e->fo, 4);
      fo->n += e->fo_len;
    } else if (tt_cc__big((uint32_t)c)->cls != TT_CC_MARK) {
      fo->n += tt_utf8_encode((uint32_t)c, fo->p + fo->n);
    }
  }
  return 0;
}

/* Append the forms of one code point of NFC, lower-case text. The caller reserved 4 bytes
 * plus 4 of slack in both buffers. */
static int put_cp(tt_buf *ex, tt_buf *fo, uint32_t cp)
{
  const tt_cc *e;
  char tmp[4];
  size_t k;
  if (cp < TT_CC_MAX) {
    e = &tt_cc_table[cp];
    memcpy(ex->p + ex->n, e->ex, 4);
    ex->n += e->ex_len;
    memcpy(fo->p + fo->n, e->fo, 4);
    fo->n += e->fo_len;
    return 0;
  }
  e = tt_cc__big(cp);
  switch (e->cls) {
  case TT_CC_SPACE:  /* any separator becomes a space (never nothing: words must not merge) */
    ex->p[ex->n++] = ' ';
    fo->p[fo->n++] = ' ';
    return 0;
  case TT_CC_MARK:   /* a mark is a diacritic: kept in exact, removed from folded */
    ex->n += tt_utf8_encode(cp, ex->p + ex->n);
    return 0;
  case TT_CC_LETTER:
  case TT_CC_DIGIT:
    ex->n += tt_utf8_encode(cp, ex->p + ex->n);
    return fold_big(fo, cp);
  default:
    k = tt_utf8_encode(cp, tmp);
    memcpy(ex->p + ex->n, tmp, k);
    ex->n += k;
    memcpy(fo->p + fo->n, tmp, k);
    fo->n += k;
    return 0;
  }
}

int tt_text__slow_emit(tt_text_scratch *sc, const unsigned char *src, size_t n, tt_buf *ex,
                       tt_buf *fo)
{
  if (n > (size_t)INT32_MAX / 16) return tt_error_set(TT_EINVAL, "word of %zu bytes is too long", n);
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) return tt_error_set(TT_ERROR, "ICU NFC: %s", u_errorName(err));

  /* UTF-8 -> UTF-16 (never more units than bytes) in buffer 0 */
  TT_FORWARD(scratch_reserve(sc, 0, n + 1));
  int32_t m0 = 0, m1, m2, m3;
  for (size_t i = 0; i < n;) {
    uint32_t cp;
    i += tt_utf8_decode(src + i, n - i, &cp);
    if (cp == TT_UTF8_INVALID) cp = 0xFFFD;
    U16_APPEND_UNSAFE(sc->u[0], m0, (UChar32)cp);
  }
  /* NFC, lower-case, NFC again: lower-casing can leave marks out of canonical order
   * ("İ" + horn -> i, dot above, horn) */
  TT_FORWARD(icu_step(sc, nfc, 0, m0, 1, &m1));
  TT_FORWARD(icu_step(sc, NULL, 1, m1, 2, &m2));
  TT_FORWARD(icu_step(sc, nfc, 2, m2, 1, &m3));
  /* every UTF-16 unit yields at most 4 bytes of the exact form (+4 for the 4-byte copies);
   * the folded form of a character beyond the table may be longer: fold_big reserves */
  size_t room = 4 * (size_t)m3 + 8;
  if (tt_buf_reserve(ex, room) || tt_buf_reserve(fo, room)) return TT_ENOMEM;
  const UChar *u = sc->u[1];
  for (int32_t i = 0; i < m3;) {
    UChar32 c;
    U16_NEXT(u, i, m3, c);
    if (c < 0 || (c >= 0xD800 && c <= 0xDFFF)) c = 0xFFFD;  /* lone surrogate: cannot happen */
    if (tt_buf_reserve(fo, 8)) return TT_ENOMEM;
    TT_FORWARD(put_cp(ex, fo, (uint32_t)c));
  }
  ex->p[ex->n] = 0;
  fo->p[fo->n] = 0;
  return 0;
}

/* ---------------------------------------------------------------- tone placement */

/* Start of the last code point in [b, e), or NULL if the bytes there are not one well-formed
 * code point. */
static char *last_cp(char *b, char *e, uint32_t *cp)
{
  char *q = e - 1;
  while (q > b && e - q < 4 && ((unsigned char)*q & 0xC0) == 0x80) q--;
  size_t k = tt_utf8_decode((const unsigned char *)q, (size_t)(e - q), cp);
  if (*cp == TT_UTF8_INVALID || q + k != e) return NULL;
  return q;
}

char *tt_text__canon_tone(char *b, char *e)
{
  uint32_t cl, cp;
  if (e - b < 2) return e;
  char *q = last_cp(b, e, &cl);
  if (!q || q == b || cl >= TT_CC_MAX) return e;
  const tt_cc *last = &tt_cc_table[cl];
  if (!(last->flags & TT_CF_TONED_AEY)) return e;
  char *r = last_cp(b, q, &cp);
  if (!r || cp >= TT_CC_MAX) return e;
  const tt_cc *prev = &tt_cc_table[cp];
  int want = last->vowel == TT_V_Y ? TT_V_U : TT_V_O;
  if (prev->vowel != want || prev->tone != TT_TONE_NONE) return e;
  /* everything before the two vowels must be consonant letters (an open syllable whose only
   * vowels are these two; the i of an initial "gi" is part of the consonant), and "qu" owns
   * its u: quý stays */
  uint32_t before = 0;
  for (char *x = b; x < r;) {
    size_t k = tt_utf8_decode((const unsigned char *)x, (size_t)(r - x), &cp);
    if (cp == TT_UTF8_INVALID || cp >= TT_CC_MAX) return e;
    const tt_cc *c = &tt_cc_table[cp];
    if (c->cls != TT_CC_LETTER || (c->vowel && !(cp == 'i' && before == 'g' && x == b + 1)))
      return e;
    before = cp;
    x += k;
  }
  if (want == TT_V_U && before == 'q') return e;
  char tmp[8];
  size_t n1 = tt_utf8_encode(tt_cc_compose[want][last->tone], tmp);
  size_t n2 = tt_utf8_encode(tt_cc_compose[last->vowel][TT_TONE_NONE], tmp + n1);
  if ((ptrdiff_t)(n1 + n2) > e - r) return e;  /* never happens with Unicode's code points */
  memcpy(r, tmp, n1 + n2);
  return r + n1 + n2;
}

/* ---------------------------------------------------------------- tt_normalize_word */

/* A word run (letters, digits, marks, U+FFFD: what the analyzer makes a part of) is normalized
 * as the analyzer normalizes a part: through the table, or through ICU when a character asks
 * for it, then the tone is placed. Any other character is kept (lower-cased); separators
 * (spaces, controls, NUL) become one ASCII space each, joiners their ASCII form. Runs are done one by one, as the analyzer does parts, so
 * that ICU's context-dependent lower-casing (Greek final sigma) sees the same context. */
static int normalize_run(tt_text_scratch *sc, const unsigned char *u, size_t len, int word,
                         tt_buf *ex, tt_buf *fo)
{
  int slow = 0;
  for (size_t i = 0; i < len && !slow;) {
    uint32_t cp;
    i += tt_utf8_decode(u + i, len - i, &cp);
    if (cp != TT_UTF8_INVALID && (cp >= TT_CC_MAX || (tt_cc_table[cp].flags & TT_CF_SLOW) ||
                                  tt_cc_table[cp].cls == TT_CC_MARK))
      slow = 1;  /* ICU composes marks here: the reference the analyzer's fast path is tested on */
  }
  size_t ex0 = ex->n;
  if (slow) {
    TT_FORWARD(tt_text__slow_emit(sc, u, len, ex, fo));
  } else {
    if (tt_buf_reserve(ex, 4 * len + 8) || tt_buf_reserve(fo, 4 * len + 8)) return TT_ENOMEM;
    for (size_t i = 0; i < len;) {
      uint32_t cp;
      i += tt_utf8_decode(u + i, len - i, &cp);
      const tt_cc *e = cp == TT_UTF8_INVALID ? &tt_cc_fffd : tt_cc_get(cp);
      memcpy(ex->p + ex->n, e->ex, 4);
      ex->n += e->ex_len;
      memcpy(fo->p + fo->n, e->fo, 4);
      fo->n += e->fo_len;
    }
  }
  if (word) ex->n = (size_t)(tt_text__canon_tone(ex->p + ex0, ex->p + ex->n) - ex->p);
  ex->p[ex->n] = 0;
  fo->p[fo->n] = 0;
  return 0;
}

int tt_normalize_word(const char *s, size_t len, int fold, char *out, size_t cap)
{
  if (!out || cap == 0 || (!s && len)) return tt_error_set(TT_EINVAL, "tt_normalize_word: bad arguments");
  if (len > (size_t)INT32_MAX / 16) return tt_error_set(TT_EINVAL, "tt_normalize_word: %zu bytes is too long", len);
  TT_FORWARD(tt_cc_init());
  const unsigned char *u = (const unsigned char *)s;
  tt_buf ex = TT_BUF_INIT, fo = TT_BUF_INIT;
  tt_text_scratch sc = {0};
  int rc = 0;
  if (tt_buf_reserve(&ex, 8) || tt_buf_reserve(&fo, 8)) rc = TT_ENOMEM;
  for (size_t i = 0; i < len && rc == 0;) {
    size_t j = i;
    int word = -1;
    while (j < len) {  /* one run: all word characters or none */
      uint32_t cp;
      size_t k = tt_utf8_decode(u + j, len - j, &cp);
      int w = cp == TT_UTF8_INVALID || tt_cc_get(cp)->cls >= TT_CC_MARK;
      if (word < 0) word = w;
      else if (w != word) break;
      j += k;
    }
    rc = normalize_run(&sc, u + i, j - i, word, &ex, &fo);
    i = j;
  }
  if (rc == 0) {
    tt_buf *b = fold ? &fo : &ex;
    if (b->n + 1 > cap) {
      rc = tt_error_set(TT_EINVAL, "tt_normalize_word: result of %zu bytes does not fit in %zu", b->n, cap);
    } else {
      if (b->n) memcpy(out, b->p, b->n);
      out[b->n] = 0;
      rc = (int)b->n;
    }
  }
  tt_text__scratch_fini(&sc);
  tt_buf_fini(&ex);
  tt_buf_fini(&fo);
  return rc;
}
