/* Unit tests: the analyzer's table (text/chartab.c) against ICU, letter by letter.
 *
 * ICU is the source of truth. The tables are generated at build time (tt_chartab_gen); first,
 * the generated tables are byte for byte what the ICU this test runs with computes
 * (tt_cc__build, the code tt_cc_init falls back to), and the process used them rather than
 * recomputing them (with TIMTIN_CHARTAB_REBUILD=1, that it recomputed them: every other test
 * then checks the fallback's tables). The rest checks the tables in use against ICU's own functions. For every Vietnamese letter, upper and lower case, every tone,
 * composed and decomposed: the exact form is ICU's NFC + lower-case, the folded form is ICU's
 * "Latin-ASCII" transliteration (and is ASCII), whichever way the letter reaches the analyzer
 * (the table entry, tt_normalize_word, tt_analyze, NFC or NFD input). Then every other letter
 * of the table, and the tone placement over every onset, nucleus and tone. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utrans.h>
#include <unicode/uversion.h>

#include "common/utf8.h"
#include "text/chartab.h"
#include "text/chartab_icu.h"
#include "timtin/analyze.h"
#include "timtin/errors.h"

static tt_analyzer *A;
static UTransliterator *latin;
static const UNormalizer2 *nfc, *nfd;

static int setup(void **state)
{
  (void)state;
  UErrorCode err = U_ZERO_ERROR;
  static const UChar id[] = {'L', 'a', 't', 'i', 'n', '-', 'A', 'S', 'C', 'I', 'I', 0};
  latin = utrans_openU(id, -1, UTRANS_FORWARD, NULL, 0, NULL, &err);
  nfc = unorm2_getNFCInstance(&err);
  nfd = unorm2_getNFDInstance(&err);
  if (U_FAILURE(err)) return -1;
  return tt_analyzer_new(&A);
}

static int teardown(void **state)
{
  (void)state;
  tt_analyzer_free(A);
  utrans_close(latin);
  return 0;
}

/* ------------------------------------------------------------------ ICU references */

static void to_utf8(const UChar *u, int32_t n, char *out, size_t cap)
{
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  u_strToUTF8(out, (int32_t)cap, &len, u, n, &err);
  assert_true(U_SUCCESS(err) && (size_t)len < cap);
  out[len] = 0;
}

static int32_t from_utf8(const char *s, UChar *u, int32_t cap)
{
  UErrorCode err = U_ZERO_ERROR;
  int32_t len = 0;
  u_strFromUTF8(u, cap, &len, s, -1, &err);
  assert_true(U_SUCCESS(err));
  return len;
}

static void icu_normalize(const UNormalizer2 *n, const char *s, char *out, size_t cap)
{
  UChar a[64], b[64];
  UErrorCode err = U_ZERO_ERROR;
  int32_t la = from_utf8(s, a, 64);
  int32_t lb = unorm2_normalize(n, a, la, b, 64, &err);
  assert_true(U_SUCCESS(err));
  to_utf8(b, lb, out, cap);
}

/* ICU's exact form: NFC, lower-case, NFC (lower-casing can undo the canonical order). */
static void icu_exact(const char *s, char *out, size_t cap)
{
  UChar a[64], b[64], c[64];
  UErrorCode err = U_ZERO_ERROR;
  int32_t la = from_utf8(s, a, 64);
  int32_t lb = unorm2_normalize(nfc, a, la, b, 64, &err);
  int32_t lc = u_strToLower(c, 64, b, lb, "", &err);
  lb = unorm2_normalize(nfc, c, lc, b, 64, &err);
  assert_true(U_SUCCESS(err));
  to_utf8(b, lb, out, cap);
}

/* ICU's Latin-ASCII transliteration of s. */
static void icu_latin_ascii(const char *s, char *out, size_t cap)
{
  UChar a[64];
  UErrorCode err = U_ZERO_ERROR;
  int32_t la = from_utf8(s, a, 64), limit = la;
  utrans_transUChars(latin, a, &la, 64, 0, &limit, &err);
  assert_true(U_SUCCESS(err));
  to_utf8(a, la, out, cap);
}

static void lower_ascii(char *s)
{
  for (; *s; s++)
    if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

/* ------------------------------------------------------------------ generated = ICU now */

static void test_generated_tables_match_icu(void **state)
{
  (void)state;
  /* this process runs with the ICU the tables were generated from, and kept them, unless
   * told to recompute them (ctest runs this file both ways: text/test_chartab_rebuilt) */
  UVersionInfo icu, uni;
  u_getVersion(icu);
  u_getUnicodeVersion(uni);
  assert_memory_equal(icu, tt_cc_gen_icu_version, 4);
  assert_memory_equal(uni, tt_cc_gen_unicode_version, 4);
  const char *force = getenv("TIMTIN_CHARTAB_REBUILD");
  assert_int_equal(tt_cc_rebuilt(), force && *force && *force != '0');

  /* recompute everything from the running ICU and compare every byte */
  tt_cc_tables *t = malloc(sizeof *t);
  assert_non_null(t);
  char msg[256] = "";
  if (tt_cc__build(t, msg, sizeof msg)) fail_msg("tt_cc__build: %s", msg);
  for (uint32_t c = 0; c < TT_CC_MAX; c++)
    if (memcmp(&t->table[c], &tt_cc_table[c], sizeof(tt_cc)))
      fail_msg("U+%04X: the generated entry differs from ICU's", c);
  assert_memory_equal(t->compose, tt_cc_compose, sizeof tt_cc_compose);
  assert_memory_equal(t->comp, tt_cc_comp, sizeof tt_cc_comp);
  free(t);
}

/* ------------------------------------------------------------------ Vietnamese letters */

static const uint32_t vowels[] = {'a', 0x103, 0xE2, 'e', 0xEA, 'i', 'o', 0xF4, 0x1A1, 'u', 0x1B0, 'y'};
static const uint32_t consonants[] = {'b', 'c', 'd', 0x111, 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'q',
                                      'r', 's', 't', 'v', 'x', 'f', 'j', 'w', 'z'};
static const UChar tones[] = {0, 0x300, 0x301, 0x309, 0x303, 0x323};

/* Every Vietnamese letter, lower then upper case, as NFC UTF-8. */
static size_t vietnamese_letters(char out[][8])
{
  size_t n = 0;
  for (int upper = 0; upper < 2; upper++) {
    for (size_t v = 0; v < sizeof vowels / sizeof vowels[0]; v++) {
      for (int t = 0; t < 6; t++) {
        UChar s[4];
        int32_t k = 0;
        UChar32 base = upper ? u_toupper((UChar32)vowels[v]) : (UChar32)vowels[v];
        U16_APPEND_UNSAFE(s, k, base);
        if (t) s[k++] = tones[t];
        UChar d[8];
        UErrorCode err = U_ZERO_ERROR;
        int32_t m = unorm2_normalize(nfc, s, k, d, 8, &err);
        assert_true(U_SUCCESS(err) && m == 1);  /* every Vietnamese letter is precomposed */
        to_utf8(d, m, out[n++], 8);
      }
    }
    for (size_t c = 0; c < sizeof consonants / sizeof consonants[0]; c++) {
      UChar32 b = upper ? u_toupper((UChar32)consonants[c]) : (UChar32)consonants[c];
      size_t k = tt_utf8_encode((uint32_t)b, out[n]);
      out[n++][k] = 0;
    }
  }
  return n;
}

static void test_vietnamese_letters(void **state)
{
  (void)state;
  char letters[512][8];
  size_t n = vietnamese_letters(letters);
  assert_int_equal(n, 2 * (12 * 6 + 21));
  for (size_t i = 0; i < n; i++) {
    const char *L = letters[i];
    char exact[32], folded[32], upper_fold[32], dec[32], got[32];
    icu_exact(L, exact, sizeof exact);
    icu_latin_ascii(exact, folded, sizeof folded);
    /* Latin-ASCII of the letter as written (upper case too) agrees, lower-cased */
    icu_latin_ascii(L, upper_fold, sizeof upper_fold);
    lower_ascii(upper_fold);
    assert_string_equal(upper_fold, folded);
    /* folded Vietnamese is one ASCII letter */
    assert_int_equal(strlen(folded), 1);
    assert_true(folded[0] >= 'a' && folded[0] <= 'z');

    /* the table entry itself */
    uint32_t cp;
    tt_utf8_decode((const unsigned char *)L, strlen(L), &cp);
    const tt_cc *e = &tt_cc_table[cp];
    assert_int_equal(e->cls, TT_CC_LETTER);
    assert_int_equal(e->flags & TT_CF_SLOW, 0);
    assert_int_equal(e->ex_len, strlen(exact));
    assert_memory_equal(e->ex, exact, e->ex_len);
    assert_int_equal(e->fo_len, strlen(folded));
    assert_memory_equal(e->fo, folded, e->fo_len);
    assert_int_equal(!!(e->flags & TT_CF_DIFF), strcmp(exact, folded) != 0);

    /* tt_normalize_word and tt_analyze, composed and decomposed */
    icu_normalize(nfd, L, dec, sizeof dec);
    const char *forms[2] = {L, dec};
    for (int f = 0; f < 2; f++) {
      const char *s = forms[f];
      assert_true(tt_normalize_word(s, strlen(s), 0, got, sizeof got) >= 0);
      assert_string_equal(got, exact);
      assert_true(tt_normalize_word(s, strlen(s), 1, got, sizeof got) >= 0);
      assert_string_equal(got, folded);
      tt_analysis r;
      assert_int_equal(tt_analyze(A, s, strlen(s), 0, &r), 0);
      assert_int_equal(r.n, 1);
      assert_string_equal(r.tokens[0].exact, exact);
      assert_string_equal(r.tokens[0].folded, folded);
      assert_int_equal(r.tokens[0].start, 0);
      assert_int_equal(r.tokens[0].end, strlen(s));
    }
  }
}

static void test_vowel_tone_fields(void **state)
{
  (void)state;
  for (int v = 1; v < TT_V_COUNT; v++) {
    for (int t = 0; t < TT_TONE_COUNT; t++) {
      UChar s[4], d[8];
      int32_t k = 0;
      U16_APPEND_UNSAFE(s, k, (UChar32)vowels[v - 1]);
      if (t) s[k++] = tones[t];
      UErrorCode err = U_ZERO_ERROR;
      int32_t m = unorm2_normalize(nfc, s, k, d, 8, &err);
      assert_true(U_SUCCESS(err) && m == 1);
      assert_int_equal(tt_cc_compose[v][t], d[0]);
      const tt_cc *e = &tt_cc_table[d[0]];
      assert_int_equal(e->vowel, v);
      assert_int_equal(e->tone, t);
      /* the upper-case letter describes its lower-case exact form */
      const tt_cc *u = &tt_cc_table[u_toupper(d[0])];
      assert_int_equal(u->vowel, v);
      assert_int_equal(u->tone, t);
      int aey = t && (v == TT_V_A || v == TT_V_E || v == TT_V_Y);
      assert_int_equal(!!(e->flags & TT_CF_TONED_AEY), aey);
    }
  }
  /* consonants are no vowels */
  assert_int_equal(tt_cc_table['b'].vowel, 0);
  assert_int_equal(tt_cc_table[0x111].vowel, 0);
}

static void test_eth_lookalikes(void **state)
{
  (void)state;
  /* Ð U+00D0 and ð U+00F0 look like Đ/đ: exact đ, folded d (Latin-ASCII also says d) */
  static const char *ls[] = {"\xC3\x90", "\xC3\xB0", "Đ", "đ"};
  for (size_t i = 0; i < 4; i++) {
    char out[16], la[16];
    assert_true(tt_normalize_word(ls[i], strlen(ls[i]), 0, out, sizeof out) > 0);
    assert_string_equal(out, "đ");
    assert_true(tt_normalize_word(ls[i], strlen(ls[i]), 1, out, sizeof out) > 0);
    assert_string_equal(out, "d");
    icu_latin_ascii(ls[i], la, sizeof la);
    lower_ascii(la);
    assert_string_equal(la, "d");
  }
}

/* Every letter and digit of the table that the fast path handles agrees with ICU. */
static void test_all_table_letters(void **state)
{
  (void)state;
  size_t checked = 0;
  for (uint32_t c = 0x20; c < TT_CC_MAX; c++) {
    const tt_cc *e = &tt_cc_table[c];
    if (e->cls < TT_CC_LETTER || (e->flags & TT_CF_SLOW) || c == 0xD0 || c == 0xF0) continue;
    char s[8], exact[32], folded[32], ex[16], fo[16];
    size_t k = tt_utf8_encode(c, s);
    s[k] = 0;
    icu_exact(s, exact, sizeof exact);
    assert_int_equal(e->ex_len, strlen(exact));
    assert_memory_equal(e->ex, exact, e->ex_len);
    /* Latin-ASCII, with any combining mark it leaves removed */
    icu_latin_ascii(exact, folded, sizeof folded);
    UChar u[32];
    int32_t n = from_utf8(folded, u, 32), m = 0;
    for (int32_t i = 0; i < n;) {
      UChar32 x;
      U16_NEXT(u, i, n, x);
      int8_t t = u_charType(x);
      if (t != U_NON_SPACING_MARK && t != U_COMBINING_SPACING_MARK && t != U_ENCLOSING_MARK)
        U16_APPEND_UNSAFE(u, m, x);
    }
    to_utf8(u, m, folded, sizeof folded);
    memcpy(ex, e->ex, e->ex_len);
    ex[e->ex_len] = 0;
    memcpy(fo, e->fo, e->fo_len);
    fo[e->fo_len] = 0;
    if (strcmp(fo, folded)) fail_msg("U+%04X: folded '%s', ICU '%s'", c, fo, folded);
    checked++;
  }
  assert_true(checked > 1000);
}

/* The fast path composes decomposed text itself (tt_cc_comp): for every letter of the table
 * followed by one or two combining marks (Vietnamese or not, in any order), the analyzer's
 * token is ICU's NFC + lower-case of the sequence. */
static void test_fast_composition(void **state)
{
  (void)state;
  static const uint32_t marks[] = {0x300, 0x301, 0x309, 0x303, 0x323, 0x302, 0x306, 0x31B,
                                   0x308, 0x30C, 0x327};
  const size_t nm = sizeof marks / sizeof marks[0];
  size_t checked = 0;
  for (uint32_t c = 0x41; c < TT_CC_MAX; c++) {
    if (tt_cc_table[c].cls != TT_CC_LETTER || !tt_cc_table[c].comp) continue;
    for (size_t i = 0; i < nm; i++) {
      for (size_t j = 0; j <= nm; j++) {
        char s[16], want[64];
        size_t n = tt_utf8_encode(c, s);
        n += tt_utf8_encode(marks[i], s + n);
        if (j < nm) n += tt_utf8_encode(marks[j], s + n);
        s[n] = 0;
        icu_exact(s, want, sizeof want);
        tt_analysis r;
        assert_int_equal(tt_analyze(A, s, n, 0, &r), 0);
        assert_int_equal(r.n, 1);
        assert_int_equal(r.tokens[0].end, n);
        if (strcmp(r.tokens[0].exact, want))
          fail_msg("U+%04X U+%04X U+%04X: '%s', ICU '%s'", c, marks[i], j < nm ? marks[j] : 0,
                   r.tokens[0].exact, want);
        checked++;
      }
    }
  }
  assert_true(checked > 10000);
}

/* ------------------------------------------------------------------ tone placement, exhaustive */

static void make_syllable(char *out, size_t cap, const char *onset, uint32_t v1, int t1, uint32_t v2,
                          int t2, const char *coda, int upper)
{
  UChar s[32];
  int32_t k = from_utf8(onset, s, 32);
  U16_APPEND_UNSAFE(s, k, (UChar32)v1);
  if (t1) s[k++] = tones[t1];
  U16_APPEND_UNSAFE(s, k, (UChar32)v2);
  if (t2) s[k++] = tones[t2];
  k += from_utf8(coda, s + k, 32 - k);
  UChar d[64], e[64];
  UErrorCode err = U_ZERO_ERROR;
  int32_t m = unorm2_normalize(nfc, s, k, d, 64, &err);
  if (upper) {
    m = u_strToUpper(e, 64, d, m, "", &err);
    memcpy(d, e, sizeof(UChar) * (size_t)m);
  }
  assert_true(U_SUCCESS(err));
  to_utf8(d, m, out, cap);
}

static void test_tone_placement_exhaustive(void **state)
{
  (void)state;
  static const char *onsets[] = {"", "h", "kh", "th", "t", "l", "x", "ng", "nh", "ch", "tr", "s",
                                 "đ", "g", "gi", "q"};
  static const uint32_t nuclei[][2] = {{'o', 'a'}, {'o', 'e'}, {'u', 'y'}};
  static const char *codas[] = {"n", "t", "ng", "nh", "ch", "c", "i", "o", "u"};
  for (size_t o = 0; o < sizeof onsets / sizeof onsets[0]; o++) {
    for (size_t nu = 0; nu < 3; nu++) {
      for (int t = 1; t < 6; t++) {
        for (int up = 0; up < 2; up++) {
          char old_[64], new_[64], want[64], got[64], dec[64];
          make_syllable(old_, sizeof old_, onsets[o], nuclei[nu][0], t, nuclei[nu][1], 0, "", up);
          make_syllable(new_, sizeof new_, onsets[o], nuclei[nu][0], 0, nuclei[nu][1], t, "", up);
          /* canonical: the tone on the first vowel, except after q (qu owns its u) */
          int q = !strcmp(onsets[o], "q") && nuclei[nu][0] == 'u';
          icu_exact(q ? new_ : old_, want, sizeof want);
          const char *forms[2] = {old_, new_};
          for (int f = 0; f < 2; f++) {
            if (q && f == 0) continue;  /* "qúy" is no spelling of anything */
            assert_true(tt_normalize_word(forms[f], strlen(forms[f]), 0, got, sizeof got) >= 0);
            if (strcmp(got, want)) fail_msg("'%s' -> '%s', want '%s'", forms[f], got, want);
            icu_normalize(nfd, forms[f], dec, sizeof dec);
            tt_analysis r;
            assert_int_equal(tt_analyze(A, dec, strlen(dec), 0, &r), 0);
            assert_int_equal(r.n, 1);
            if (strcmp(r.tokens[0].exact, want))
              fail_msg("NFD '%s' -> '%s', want '%s'", forms[f], r.tokens[0].exact, want);
          }
          /* a closed syllable, or a longer nucleus, keeps its tone where it is */
          for (size_t c = 0; c < sizeof codas / sizeof codas[0]; c++) {
            make_syllable(new_, sizeof new_, onsets[o], nuclei[nu][0], 0, nuclei[nu][1], t, codas[c], up);
            icu_exact(new_, want, sizeof want);
            assert_true(tt_normalize_word(new_, strlen(new_), 0, got, sizeof got) >= 0);
            if (strcmp(got, want)) fail_msg("'%s' -> '%s', want it unchanged", new_, got);
          }
        }
      }
    }
  }
}

/* tt_cc_decode23 (the analyzer's decoder for 2- and 3-byte characters) against tt_utf8_decode,
 * for every first three bytes: it must give the same code point and length whenever it answers,
 * and answer for every well-formed 2- or 3-byte character below TT_CC_MAX. */
static void test_decode23(void **state)
{
  (void)state;
  unsigned long answered = 0;
  for (unsigned b0 = 0; b0 < 256; b0++)
    for (unsigned b1 = 0; b1 < 256; b1++)
      for (unsigned b2 = 0; b2 < 256; b2++) {
        unsigned char s[4] = {(unsigned char)b0, (unsigned char)b1, (unsigned char)b2, 0x80};
        uint32_t w = (uint32_t)b0 | ((uint32_t)b1 << 8) | ((uint32_t)b2 << 16) | (0x80u << 24);
        unsigned k = 0;
        int32_t c = tt_cc_decode23(w, &k);
        uint32_t cp;
        size_t n = tt_utf8_decode(s, 4, &cp);
        int want = cp != TT_UTF8_INVALID && (n == 2 || n == 3) && cp < TT_CC_MAX;
        if (want != (c >= 0)) fail_msg("%02X %02X %02X: decode23 %d, utf8 %zu U+%04X", b0, b1, b2, (int)c, n, (unsigned)cp);
        if (c >= 0) {
          assert_int_equal((uint32_t)c, cp);
          assert_int_equal(k, n);
          answered++;
        }
      }
  /* U+0080..U+20FF, each with 256 possible bytes after a 2-byte character */
  assert_int_equal(answered, (0x800ul - 0x80) * 256 + (TT_CC_MAX - 0x800ul));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_generated_tables_match_icu),
    cmocka_unit_test(test_decode23),
    cmocka_unit_test(test_vietnamese_letters),
    cmocka_unit_test(test_vowel_tone_fields),
    cmocka_unit_test(test_eth_lookalikes),
    cmocka_unit_test(test_all_table_letters),
    cmocka_unit_test(test_fast_composition),
    cmocka_unit_test(test_tone_placement_exhaustive),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
