/* The analyzer's code-point table, computed from ICU (text/chartab_icu.h).
 *
 * ICU is the source of truth: every field of an entry is computed by asking ICU about that code
 * point (general category, NFC, full lower-case mapping, the "Latin-ASCII" transliterator, NFD for
 * the vowel/tone decomposition). The only rule of our own is the look-alike one: Ð U+00D0 and
 * ð U+00F0 (Icelandic eth) are written for Đ/đ in Vietnamese pages, so their exact form is đ.
 *
 * Compiled twice: into tt_chartab_gen, which runs it at build time and writes the tables as C
 * (text/gen/chartab_gen.c), and into tt_text, for tt_cc_init's fallback when the ICU it runs
 * with is not the one the tables were generated from, and for test_chartab.c's comparison. */
#include "text/chartab_icu.h"
#include "common/error.h"
#include "common/utf8.h"

#include <stdio.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utrans.h>

int tt_cc__class_of_type(int8_t t)
{
  switch (t) {
  case U_SPACE_SEPARATOR: case U_LINE_SEPARATOR: case U_PARAGRAPH_SEPARATOR:
  case U_CONTROL_CHAR: case U_FORMAT_CHAR:
    return TT_CC_SPACE;
  case U_NON_SPACING_MARK: case U_COMBINING_SPACING_MARK: case U_ENCLOSING_MARK:
    return TT_CC_MARK;
  case U_UPPERCASE_LETTER: case U_LOWERCASE_LETTER: case U_TITLECASE_LETTER:
  case U_MODIFIER_LETTER: case U_OTHER_LETTER:
    return TT_CC_LETTER;
  case U_DECIMAL_DIGIT_NUMBER:
    return TT_CC_DIGIT;
  default:
    return TT_CC_PUNCT;
  }
}

/* UTF-16 helpers. */
static int32_t u16_put(UChar *s, int32_t n, UChar32 c)
{
  U16_APPEND_UNSAFE(s, n, c);
  return n;
}

/* The single code point of s[0..n), or -1 if s is not exactly one code point. */
static UChar32 u16_single(const UChar *s, int32_t n)
{
  if (n <= 0) return -1;
  int32_t i = 0;
  UChar32 c;
  U16_NEXT(s, i, n, c);
  return i == n ? c : -1;
}

/* Encode s[0..n) as UTF-8 into out (cap bytes); returns the length or -1 if it does not fit. */
static int u16_to_utf8(const UChar *s, int32_t n, char *out, int cap)
{
  int len = 0;
  for (int32_t i = 0; i < n;) {
    UChar32 c;
    U16_NEXT(s, i, n, c);
    char tmp[4];
    size_t k = tt_utf8_encode((uint32_t)c, tmp);
    if (len + (int)k > cap) return -1;
    memcpy(out + len, tmp, k);
    len += (int)k;
  }
  return len;
}

/* Vowel id of a base letter plus its (non-tone) marks, from the NFD of a lower-case letter. */
static int vowel_of(UChar32 base, int breve, int circ, int horn)
{
  int n = breve + circ + horn;
  if (n > 1) return TT_V_NONE;
  switch (base) {
  case 'a': return breve ? TT_V_AW : circ ? TT_V_AA : horn ? TT_V_NONE : TT_V_A;
  case 'e': return circ ? TT_V_EE : n ? TT_V_NONE : TT_V_E;
  case 'i': return n ? TT_V_NONE : TT_V_I;
  case 'o': return circ ? TT_V_OO : horn ? TT_V_OW : n ? TT_V_NONE : TT_V_O;
  case 'u': return horn ? TT_V_UW : n ? TT_V_NONE : TT_V_U;
  case 'y': return n ? TT_V_NONE : TT_V_Y;
  default: return TT_V_NONE;
  }
}

static int tone_of_mark(UChar c)
{
  switch (c) {
  case 0x0300: return TT_TONE_GRAVE;
  case 0x0301: return TT_TONE_ACUTE;
  case 0x0309: return TT_TONE_HOOK;
  case 0x0303: return TT_TONE_TILDE;
  case 0x0323: return TT_TONE_DOT;
  default: return -1;
  }
}

static const UChar tone_marks[TT_TONE_COUNT] = {0, 0x0300, 0x0301, 0x0309, 0x0303, 0x0323};
static const UChar vn_marks[TT_CC_NMARKS] = {0x0300, 0x0301, 0x0309, 0x0303, 0x0323,
                                             0x0302, 0x0306, 0x031B};

/* Column of tt_cc_comp + 1 for a Vietnamese combining mark, 0 for anything else. */
static int vn_mark(UChar32 c)
{
  for (int i = 0; i < TT_CC_NMARKS; i++)
    if (vn_marks[i] == c) return i + 1;
  return 0;
}
static const UChar32 vowel_base[TT_V_COUNT] = {0, 'a', 0x0103, 0x00E2, 'e', 0x00EA, 'i', 'o',
                                               0x00F4, 0x01A1, 'u', 0x01B0, 'y'};

/* Decompose the lower-case letter c (NFD) into vowel id and tone; 0/0 when it is not a
 * Vietnamese vowel. */
static void vowel_tone(const UNormalizer2 *nfd, UChar32 c, uint8_t *vowel, uint8_t *tone)
{
  *vowel = 0;
  *tone = 0;
  UChar s[4], d[16];
  int32_t n = u16_put(s, 0, c);
  UErrorCode err = U_ZERO_ERROR;
  int32_t m = unorm2_normalize(nfd, s, n, d, 16, &err);
  if (U_FAILURE(err) || m < 1 || d[0] >= 0x80) return;
  int breve = 0, circ = 0, horn = 0, t = 0;
  for (int32_t i = 1; i < m; i++) {
    int tm = tone_of_mark(d[i]);
    if (tm > 0) {
      if (t) return;
      t = tm;
    } else if (d[i] == 0x0306) breve++;
    else if (d[i] == 0x0302) circ++;
    else if (d[i] == 0x031B) horn++;
    else return;
  }
  int v = vowel_of(d[0], breve, circ, horn);
  if (!v) return;
  *vowel = (uint8_t)v;
  *tone = (uint8_t)t;
}

static int fail(char *msg, size_t cap, const char *what, UErrorCode err)
{
  if (cap) snprintf(msg, cap, "ICU: %s: %s", what, u_errorName(err));
  return TT_ERROR;
}

int tt_cc__build(tt_cc_tables *t, char *msg, size_t cap)
{
  memset(t, 0, sizeof *t);
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *nfc = unorm2_getNFCInstance(&err);
  if (U_FAILURE(err)) return fail(msg, cap, "NFC", err);
  const UNormalizer2 *nfd = unorm2_getNFDInstance(&err);
  if (U_FAILURE(err)) return fail(msg, cap, "NFD", err);
  static const UChar id[] = {'L', 'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I', 0};
  UTransliterator *latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
  if (U_FAILURE(err)) return fail(msg, cap, "Latin-ASCII transliterator", err);
  int rc = 0;

  for (UChar32 c = 0; c < (UChar32)TT_CC_MAX; c++) {
    tt_cc *e = &t->table[c];
    memset(e, 0, sizeof *e);
    int8_t type = u_charType(c);
    int cls = tt_cc__class_of_type(type);
    if (c >= 0xD800 && c <= 0xDFFF) cls = TT_CC_PUNCT;  /* not reachable from valid UTF-8 */
    if (c == '-' || c == '/' || c == '.' || c == ',' || (c >= 0x2010 && c <= 0x2013)) {
      e->cls = TT_CC_JOIN;
      e->ex[0] = e->fo[0] = (char)(c >= 0x2010 ? '-' : c);
      e->ex_len = e->fo_len = 1;
      continue;
    }
    e->cls = (uint8_t)cls;
    if (type == U_UPPERCASE_LETTER || type == U_TITLECASE_LETTER) e->flags |= TT_CF_UPPER;
    if (type == U_LOWERCASE_LETTER) e->flags |= TT_CF_LOWER;
    if (cls == TT_CC_DIGIT) e->flags |= TT_CF_DIGIT;

    UChar s[4], d[16], l[16], f[32];
    int32_t n = u16_put(s, 0, c);
    if (cls == TT_CC_SPACE) {
      /* separators, controls included, are one ASCII space for tt_normalize_word */
      e->ex[0] = e->fo[0] = ' ';
      e->ex_len = e->fo_len = 1;
      continue;
    }
    /* exact: NFC, then full lower-case */
    err = U_ZERO_ERROR;
    int32_t m = unorm2_normalize(nfc, s, n, d, 16, &err);
    if (U_FAILURE(err)) { rc = fail(msg, cap, "NFC", err); goto done; }
    UChar32 nc = u16_single(d, m);
    int32_t k = m;
    if (cls >= TT_CC_MARK) {
      err = U_ZERO_ERROR;
      k = u_strToLower(l, 16, d, m, "", &err);
      if (U_FAILURE(err)) { rc = fail(msg, cap, "lower-case", err); goto done; }
    } else {
      memcpy(l, d, sizeof(UChar) * (size_t)m);
    }
    UChar32 lc = u16_single(l, k);
    if (lc == 0xF0) { lc = 0x111; k = u16_put(l, 0, lc); }  /* ð (and Ð) look like đ: they are đ */
    int eth = c == 0xD0 || c == 0xF0;
    if (!eth && (nc != c || lc < 0 || lc >= (UChar32)TT_CC_MAX || lc != u_tolower(c) ||
                 (lc >= 0xD800 && lc <= 0xDFFF) || c == 0x3A3 || !unorm2_isNormalized(nfc, l, k, &err))) {
      /* NFC or lower-case is not one in-table code point, or depends on the context (Σ
       * becomes ς at the end of a word): ICU decides in the slow path. The entry still
       * carries the character itself, for tt_normalize_word of punctuation. */
      e->flags |= TT_CF_SLOW;
      if (c >= 0xD800 && c <= 0xDFFF) continue;
      e->ex_len = e->fo_len = (uint8_t)u16_to_utf8(s, n, e->ex, 4);
      memcpy(e->fo, e->ex, 4);
      continue;
    }
    int len = u16_to_utf8(l, k, e->ex, 4);
    if (len < 0) { rc = fail(msg, cap, "exact form too long", U_BUFFER_OVERFLOW_ERROR); goto done; }
    e->ex_len = (uint8_t)len;
    if (cls == TT_CC_MARK) {
      e->flags |= TT_CF_DIFF;  /* a mark folds to nothing */
      e->flags |= vn_mark(c) ? TT_CF_VNMARK : TT_CF_SLOW;
      e->mark = (uint8_t)vn_mark(c);
      continue;
    }
    if (cls == TT_CC_PUNCT) {
      memcpy(e->fo, e->ex, 4);
      e->fo_len = e->ex_len;
      continue;
    }
    /* folded: Latin-ASCII of the exact form, any mark it leaves removed */
    int32_t fn = k, limit = k;
    memcpy(f, l, sizeof(UChar) * (size_t)k);
    err = U_ZERO_ERROR;
    utrans_transUChars(latin, f, &fn, 32, 0, &limit, &err);
    if (U_FAILURE(err)) { rc = fail(msg, cap, "Latin-ASCII", err); goto done; }
    UChar g[32];
    int32_t gn = 0;
    for (int32_t i = 0; i < fn;) {
      UChar32 x;
      U16_NEXT(f, i, fn, x);
      if (tt_cc__class_of_type(u_charType(x)) != TT_CC_MARK) gn = u16_put(g, gn, x);
    }
    len = u16_to_utf8(g, gn, e->fo, 4);
    if (len < 0) {  /* not seen in ICU 72; keep the exact form rather than truncate */
      memcpy(e->fo, e->ex, 4);
      len = e->ex_len;
    }
    e->fo_len = (uint8_t)len;
    if (e->fo_len != e->ex_len || memcmp(e->fo, e->ex, e->ex_len)) e->flags |= TT_CF_DIFF;
    if (cls == TT_CC_LETTER) {
      vowel_tone(nfd, lc, &e->vowel, &e->tone);
      if (e->tone && (e->vowel == TT_V_A || e->vowel == TT_V_E || e->vowel == TT_V_Y))
        e->flags |= TT_CF_TONED_AEY;
    }
  }
done:
  utrans_close(latin);
  if (rc) return rc;

  /* tt_cc_comp: every table character that composes with a Vietnamese mark gets a row */
  int rows = 1;
  memset(t->comp, 0, sizeof t->comp);
  for (UChar32 c = 0x41; c < (UChar32)TT_CC_MAX && rows < 256; c++) {
    tt_cc *e = &t->table[c];
    if (e->cls != TT_CC_LETTER) continue;
    int any = 0;
    for (int m = 0; m < TT_CC_NMARKS; m++) {
      UChar s[4], d[8];
      int32_t n = u16_put(s, 0, c);
      s[n++] = vn_marks[m];
      err = U_ZERO_ERROR;
      int32_t k = unorm2_normalize(nfc, s, n, d, 8, &err);
      UChar32 y = U_SUCCESS(err) ? u16_single(d, k) : -1;
      if (y > 0 && y < (UChar32)TT_CC_MAX && t->table[y].cls == TT_CC_LETTER) {
        t->comp[rows][m] = (uint16_t)y;
        any = 1;
      }
    }
    if (any) e->comp = (uint8_t)rows++;
  }

  /* compose[v][t] = NFC(base(v) + tone mark t) */
  for (int v = 1; v < TT_V_COUNT; v++) {
    for (int tn = 0; tn < TT_TONE_COUNT; tn++) {
      UChar s[8], d[8];
      int32_t n = u16_put(s, 0, vowel_base[v]);
      if (tn) s[n++] = tone_marks[tn];
      err = U_ZERO_ERROR;
      int32_t m = unorm2_normalize(nfc, s, n, d, 8, &err);
      UChar32 c = u16_single(d, m);
      if (U_FAILURE(err) || c < 0 || c >= (UChar32)TT_CC_MAX || t->table[c].vowel != v ||
          t->table[c].tone != tn)
        return fail(msg, cap, "Vietnamese vowel composition", U_INTERNAL_PROGRAM_ERROR);
      t->compose[v][tn] = (uint32_t)c;
    }
  }
  return 0;
}

