/* Unit tests: the analyzer (text/analyze.c) and tt_normalize_word (text/normalize.c).
 * The table-against-ICU checks are in test_chartab.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "timtin/analyze.h"
#include "timtin/errors.h"

static tt_analyzer *A;

static int setup(void **state)
{
  (void)state;
  return tt_analyzer_new(&A);
}

static int teardown(void **state)
{
  (void)state;
  tt_analyzer_free(A);
  A = NULL;
  return 0;
}

/* ------------------------------------------------------------------ helpers */

/* Analyze s (len bytes) and render the tokens as "exact|folded exact|folded ...". */
static const char *render(const char *s, size_t len, tt_analysis *r)
{
  static char out[8192];
  tt_analysis tmp;
  if (!r) r = &tmp;
  assert_int_equal(tt_analyze(A, s, len, 0, r), 0);
  size_t n = 0;
  out[0] = 0;
  for (size_t i = 0; i < r->n; i++) {
    const tt_token *t = &r->tokens[i];
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%s|%s", i ? " " : "", t->exact, t->folded);
    assert_true(n < sizeof out);
  }
  return out;
}

static const char *R(const char *s) { return render(s, strlen(s), NULL); }

/* Analyze s and render only the exact forms, space-separated. */
static const char *EX(const char *s)
{
  static char out[8192];
  tt_analysis r;
  assert_int_equal(tt_analyze(A, s, strlen(s), 0, &r), 0);
  size_t n = 0;
  out[0] = 0;
  for (size_t i = 0; i < r.n; i++)
    n += (size_t)snprintf(out + n, sizeof out - n, "%s%s", i ? " " : "", r.tokens[i].exact);
  return out;
}

/* NFC or NFD of a UTF-8 string through ICU (the tests' own reference). */
static char *icu_norm(const char *s, int nfd)
{
  UErrorCode err = U_ZERO_ERROR;
  const UNormalizer2 *n = nfd ? unorm2_getNFDInstance(&err) : unorm2_getNFCInstance(&err);
  assert_true(U_SUCCESS(err));
  UChar a[4096], b[4096];
  int32_t la = 0;
  u_strFromUTF8(a, 4096, &la, s, -1, &err);
  assert_true(U_SUCCESS(err));
  int32_t lb = unorm2_normalize(n, a, la, b, 4096, &err);
  assert_true(U_SUCCESS(err));
  char *out = malloc(4 * (size_t)lb + 1);
  int32_t lo = 0;
  u_strToUTF8(out, 4 * lb + 1, &lo, b, lb, &err);
  assert_true(U_SUCCESS(err));
  return out;
}

/* Invariants every analysis must satisfy (also used by the property tests). */
static void check_invariants(const char *s, size_t len, uint32_t first_pos, const tt_analysis *r)
{
  uint32_t prev_end = 0;
  char buf[4096];
  for (size_t i = 0; i < r->n; i++) {
    const tt_token *t = &r->tokens[i];
    assert_int_equal(t->pos, first_pos + i);
    assert_true(t->start < t->end);
    assert_true(t->end <= len);
    assert_true(t->start >= prev_end);
    prev_end = t->end;
    assert_non_null(t->exact);
    assert_non_null(t->folded);
    assert_true(t->exact_len > 0);
    assert_int_equal(strlen(t->exact), t->exact_len);
    assert_int_equal(strlen(t->folded), t->folded_len);
    assert_int_equal(!!(t->flags & TT_TOKEN_FOLDED),
                     t->exact_len != t->folded_len || memcmp(t->exact, t->folded, t->exact_len));
    /* the token's text is what tt_normalize_word makes of its original bytes */
    int n = tt_normalize_word(s + t->start, t->end - t->start, 0, buf, sizeof buf);
    assert_true(n >= 0);
    assert_string_equal(buf, t->exact);
    n = tt_normalize_word(s + t->start, t->end - t->start, 1, buf, sizeof buf);
    assert_true(n >= 0);
    assert_string_equal(buf, t->folded);
    /* folding the exact form gives the folded form */
    n = tt_normalize_word(t->exact, t->exact_len, 1, buf, sizeof buf);
    assert_true(n >= 0);
    assert_string_equal(buf, t->folded);
  }
}

/* ------------------------------------------------------------------ basics */

static void test_empty(void **state)
{
  (void)state;
  tt_analysis r;
  assert_int_equal(tt_analyze(A, NULL, 0, 0, &r), 0);
  assert_int_equal(r.n, 0);
  assert_int_equal(tt_analyze(A, "", 0, 7, &r), 0);
  assert_int_equal(r.n, 0);
  assert_string_equal(R(" \t\r\n  \n"), "");
  assert_string_equal(R("... -- // , ; “” …"), "");
  assert_int_equal(tt_analyze(NULL, "x", 1, 0, &r), TT_EINVAL);
  assert_int_equal(tt_analyze(A, "x", 1, 0, NULL), TT_EINVAL);
  assert_int_equal(tt_analyze(A, NULL, 3, 0, &r), TT_EINVAL);
  tt_analyzer_free(NULL);
}

static void test_positions_offsets(void **state)
{
  (void)state;
  const char *s = "  Bộ Y tế: bệnh viện Bạch Mai.";
  tt_analysis r;
  assert_int_equal(tt_analyze(A, s, strlen(s), 100, &r), 0);
  assert_int_equal(r.n, 7);
  static const char *ex[] = {"bộ", "y", "tế", "bệnh", "viện", "bạch", "mai"};
  static const char *fo[] = {"bo", "y", "te", "benh", "vien", "bach", "mai"};
  static const char *orig[] = {"Bộ", "Y", "tế", "bệnh", "viện", "Bạch", "Mai"};
  size_t at = 0;
  for (size_t i = 0; i < r.n; i++) {
    const tt_token *t = &r.tokens[i];
    assert_string_equal(t->exact, ex[i]);
    assert_string_equal(t->folded, fo[i]);
    assert_int_equal(t->pos, 100 + i);
    const char *o = strstr(s + at, orig[i]);
    assert_non_null(o);
    assert_int_equal(t->start, o - s);
    assert_int_equal(t->end, o - s + strlen(orig[i]));
    at = t->end;
    assert_int_equal(!!(t->flags & TT_TOKEN_FOLDED), strcmp(ex[i], fo[i]) != 0);
    assert_int_equal(t->flags & TT_TOKEN_NUMERIC, 0);
  }
  check_invariants(s, strlen(s), 100, &r);
  /* the analyzer is reusable; the earlier tokens are replaced */
  assert_string_equal(R("Sức khỏe"), "sức|suc khỏe|khoe");
  assert_string_equal(R("CHÀO Ông"), "chào|chao ông|ong");
}

/* ------------------------------------------------------------------ NFC / NFD */

static void test_nfc_nfd(void **state)
{
  (void)state;
  static const char *texts[] = {
    "Bệnh viện Bạch Mai và Trung tâm Y tế huyện Văn Giang",
    "Thứ trưởng Bộ Y tế Trần Văn Thuấn, PGS.TS. Nguyễn Công Hoàng",
    "Hoà Bình, thuý, khoẻ; ĐÀ NẴNG – Quảng Ngãi (1.590 ca) 72-NQ/TW",
    "Ở ỦY BAN, NGƯỜI Dân Được Hướng Dẫn Tiêm Vắc-xin Phòng COVID-19",
  };
  for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++) {
    char *nfc = icu_norm(texts[k], 0), *nfd = icu_norm(texts[k], 1);
    assert_true(strlen(nfd) > strlen(nfc));
    tt_analysis r1, r2;
    assert_int_equal(tt_analyze(A, nfc, strlen(nfc), 0, &r1), 0);
    size_t n = r1.n;
    char (*ex)[64] = calloc(n, 64), (*fo)[64] = calloc(n, 64);
    uint32_t *st = calloc(n, 4), *en = calloc(n, 4);
    for (size_t i = 0; i < n; i++) {
      strcpy(ex[i], r1.tokens[i].exact);
      strcpy(fo[i], r1.tokens[i].folded);
      st[i] = r1.tokens[i].start;
      en[i] = r1.tokens[i].end;
    }
    assert_int_equal(tt_analyze(A, nfd, strlen(nfd), 0, &r2), 0);
    assert_int_equal(r2.n, n);
    check_invariants(nfd, strlen(nfd), 0, &r2);
    for (size_t i = 0; i < n; i++) {
      assert_string_equal(r2.tokens[i].exact, ex[i]);
      assert_string_equal(r2.tokens[i].folded, fo[i]);
      /* the NFD token covers the original NFD bytes: composed, they are the NFC token */
      char span[256];
      size_t L = r2.tokens[i].end - r2.tokens[i].start;
      assert_true(L < sizeof span);
      memcpy(span, nfd + r2.tokens[i].start, L);
      span[L] = 0;
      char *c = icu_norm(span, 0);
      assert_int_equal(strlen(c), en[i] - st[i]);
      assert_memory_equal(c, nfc + st[i], en[i] - st[i]);
      free(c);
      /* and it does not end in the middle of a combining sequence */
      assert_true((unsigned char)nfd[r2.tokens[i].end - 1] != 0xCC ||
                  r2.tokens[i].end == strlen(nfd));
    }
    free(ex); free(fo); free(st); free(en);
    free(nfc);
    free(nfd);
  }
  /* partly decomposed forms: ê + dot below, e + dot below + circumflex, ệ */
  assert_string_equal(R("B\xC3\xAA\xCC\xA3nh Be\xCC\xA3\xCC\x82nh B\xE1\xBB\x87nh"),
                      "bệnh|benh bệnh|benh bệnh|benh");
  /* a stray mark at the start of a word is a separator, inside a word it is kept */
  assert_string_equal(R("\xCC\x81" "abc x\xCC\xA3"), "abc|abc x\xCC\xA3|x");
}

/* ------------------------------------------------------------------ tone placement */

static void test_tone_conventions(void **state)
{
  (void)state;
  /* new convention (tone on the last vowel) and old (on the first) -> one exact form */
  static const char *pairs[][2] = {
    {"hoà", "hòa"}, {"thuý", "thúy"}, {"khoẻ", "khỏe"}, {"Hoà Bình", "Hòa Bình"},
    {"uỷ ban", "ủy ban"}, {"tuỳ", "tùy"}, {"loà", "lòa"}, {"xoè", "xòe"}, {"hoạ", "họa"},
    {"thuỵ", "thụy"}, {"khoả", "khỏa"}, {"luỹ", "lũy"}, {"oà", "òa"}, {"hoá", "hóa"},
    {"HOÀ", "HÒA"}, {"Thuỷ", "Thủy"}, {"KHOẺ", "KHỎE"}, {"toà", "tòa"}, {"nhoè", "nhòe"},
  };
  for (size_t i = 0; i < sizeof pairs / sizeof pairs[0]; i++) {
    char a[128], b[128];
    snprintf(a, sizeof a, "%s", R(pairs[i][0]));
    snprintf(b, sizeof b, "%s", R(pairs[i][1]));
    assert_string_equal(a, b);
    /* the canonical form is the old one, lower-cased */
    char low[64];
    assert_true(tt_normalize_word(pairs[i][1], strlen(pairs[i][1]), 0, low, sizeof low) > 0);
    assert_string_equal(EX(pairs[i][0]), low);
    /* and NFD input of either gives the same */
    char *d = icu_norm(pairs[i][0], 1);
    assert_string_equal(R(d), b);
    free(d);
  }
  assert_string_equal(R("Hoà Bình"), "hòa|hoa bình|binh");
  assert_string_equal(R("thuý khoẻ"), "thúy|thuy khỏe|khoe");
  /* closed syllables and other nuclei keep their tone where it is */
  static const char *same[] = {"hoàn", "toán", "khuyến", "hoạch", "khoét", "thuyết", "quyền",
                               "nguyệt", "huỳnh", "ngoài", "hoài", "khuỷu", "thuở", "giữa",
                               "người", "hòa", "thúy", "khỏe", "và", "là", "đã", "kỹ", "lý"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++)
    assert_string_equal(EX(same[i]), same[i]);
}

static void test_qu_gi(void **state)
{
  (void)state;
  /* in qu and gi the u / i belong to the consonant: nothing moves */
  static const char *same[] = {"quý", "quà", "giỏ", "quỳ", "quỹ", "quỷ", "quạ", "quýt", "giá",
                               "gìn", "giờ", "quá", "quẻ", "quặng", "giặt"};
  for (size_t i = 0; i < sizeof same / sizeof same[0]; i++) {
    assert_string_equal(EX(same[i]), same[i]);
    char *d = icu_norm(same[i], 1);
    assert_string_equal(EX(d), same[i]);
    free(d);
  }
  assert_string_equal(R("Quý QUỲ Giỏ"), "quý|quy quỳ|quy giỏ|gio");
}

/* ------------------------------------------------------------------ đ and its look-alikes */

static void test_d(void **state)
{
  (void)state;
  /* Đ U+0110, đ U+0111, Ð U+00D0 (eth), ð U+00F0 */
  assert_string_equal(R("Đ đ \xC3\x90 \xC3\xB0"), "đ|d đ|d đ|d đ|d");
  assert_string_equal(R("ĐÀ NẴNG"), "đà|da nẵng|nang");
  assert_string_equal(R("\xC3\x90\xC3\xA0 N\xE1\xBA\xB5ng"), "đà|da nẵng|nang");
  assert_string_equal(R("đường Đinh"), "đường|duong đinh|dinh");
  tt_analysis r;
  render("Đi", 4, &r);
  assert_int_equal(r.n, 1);
  assert_true(r.tokens[0].flags & TT_TOKEN_FOLDED);
}

/* ------------------------------------------------------------------ numbers and codes */

static void test_codes(void **state)
{
  (void)state;
  static const char *cases[][2] = {
    {"1816", "1816|1816"},
    {"72-NQ/TW", "72-nq/tw|72-nq/tw"},
    {"COVID-19", "covid-19|covid-19"},
    {"24/7/2024", "24/7/2024|24/7/2024"},
    {"1.590", "1.590|1.590"},
    {"2026-2030", "2026-2030|2026-2030"},
    {"66.13", "66.13|66.13"},
    {"TP.HCM", "tp.hcm|tp.hcm"},
    {"QĐ-BYT", "qđ-byt|qd-byt"},
    {"Hà Nội-Hải Phòng", "hà|ha nội|noi hải|hai phòng|phong"},
    {"năm 2024.", "năm|nam 2024|2024"},
    {"Đề án 1816.", "đề|de án|an 1816|1816"},
    {"1,5 triệu", "1,5|1,5 triệu|trieu"},
    {"1.590.000 đồng", "1.590.000|1.590.000 đồng|dong"},
    {"2023,các", "2023|2023 các|cac"},
    {"v.v.", "v|v v|v"},
    {"X-quang", "x|x quang|quang"},
    {"2026\xE2\x80\x93" "2030", "2026-2030|2026-2030"},
    {"COVID\xE2\x80\x91" "19", "covid-19|covid-19"},
    {"SARS-CoV-2", "sars-cov-2|sars-cov-2"},
    {"TP. HCM", "tp|tp hcm|hcm"},
    {"H5N1 F0", "h5n1|h5n1 f0|f0"},
    {"12/06/2024 | 12:45 PM", "12/06/2024|12/06/2024 12|12 45|45 pm|pm"},
    {"Số 5/2024/TT-BYT", "số|so 5/2024/tt-byt|5/2024/tt-byt"},
    {"HIV/AIDS", "hiv/aids|hiv/aids"},
    {"bệnh nhân/ngày", "bệnh|benh nhân|nhan ngày|ngay"},
    {"Hà Nội.Tiếp", "hà|ha nội|noi tiếp|tiep"},
    {"(80%)", "80|80"},
    {"-5", "5|5"},
    {"a--b", "a|a b|b"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *got = R(cases[i][0]);
    if (strcmp(got, cases[i][1])) fail_msg("'%s': got '%s', want '%s'", cases[i][0], got, cases[i][1]);
  }
  tt_analysis r;
  const char *s = "Nghị quyết số 72-NQ/TW ngày 24/7/2024";
  render(s, strlen(s), &r);
  assert_int_equal(r.n, 6);
  assert_int_equal(r.tokens[3].start, strstr(s, "72-") - s);
  assert_int_equal(r.tokens[3].end, strstr(s, " ngày") - s);
  assert_int_equal(r.tokens[3].flags & (TT_TOKEN_NUMERIC | TT_TOKEN_COMPOUND),
                   TT_TOKEN_NUMERIC | TT_TOKEN_COMPOUND);
  assert_int_equal(r.tokens[5].end, strlen(s));
  assert_int_equal(r.tokens[5].flags, TT_TOKEN_NUMERIC | TT_TOKEN_COMPOUND);
  check_invariants(s, strlen(s), 0, &r);
  render("QĐ-BYT", strlen("QĐ-BYT"), &r);
  assert_int_equal(r.tokens[0].flags, TT_TOKEN_FOLDED | TT_TOKEN_COMPOUND);
  /* an en dash is 3 bytes in the input, 1 in the token */
  s = "2026\xE2\x80\x93" "2030";
  render(s, strlen(s), &r);
  assert_int_equal(r.tokens[0].end, strlen(s));
  assert_int_equal(r.tokens[0].exact_len, 9);
}

/* ------------------------------------------------------------------ junk */

static void test_junk(void **state)
{
  (void)state;
  tt_analysis r;
  static const struct { const char *in, *want; size_t dropped; } cases[] = {
    {"Ảnh: z5664746724810_7046c99cba07bb174a7d6011e07a898e.jpg Bộ Y tế",
     "ảnh|anh bộ|bo y|y tế|te", 1},
    {"xem https://moh.gov.vn/tin-tuc?id=1 và http://a.b www.suckhoedoisong.vn nhé",
     "xem|xem và|va nhé|nhe", 3},
    {"(https://vnexpress.net/a-b-123.html).", "", 1},
    {"liên hệ abc.def@gmail.com ngay", "liên|lien hệ|he ngay|ngay", 1},
    {"ảnh anh-bia.png và IMG_2024.JPG, hình.webp", "ảnh|anh và|va", 3},
    {"mã 7046c99cba07bb174a7d6011e07a898e hết", "mã|ma hết|het", 1},
    {"id a1b2c3d4e5f6g7 hết", "id|id hết|het", 1},
    {"550e8400-e29b-41d4-a716-446655440000 x", "x|x", 1},
    {"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa b", "b|b", 1},
    /* not junk */
    {"suckhoedoisong.vn", "suckhoedoisong|suckhoedoisong vn|vn", 0},
    {"@username #COVID19", "username|username covid19|covid19", 0},
    {"0912345678 H5N1 COVID19vaccine", "0912345678|0912345678 h5n1|h5n1 covid19vaccine|covid19vaccine", 0},
    {"ảnh.Bộ", "ảnh|anh bộ|bo", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    const char *got = render(cases[i].in, strlen(cases[i].in), &r);
    if (strcmp(got, cases[i].want)) fail_msg("'%s': got '%s', want '%s'", cases[i].in, got, cases[i].want);
    if (r.dropped != cases[i].dropped)
      fail_msg("'%s': dropped %zu, want %zu", cases[i].in, r.dropped, cases[i].dropped);
    check_invariants(cases[i].in, strlen(cases[i].in), 0, &r);
  }
  /* positions stay consecutive across a dropped chunk */
  const char *s = "a http://x.y/z b";
  assert_int_equal(tt_analyze(A, s, strlen(s), 5, &r), 0);
  assert_int_equal(r.n, 2);
  assert_int_equal(r.tokens[1].pos, 6);
  assert_int_equal(r.tokens[1].start, strlen(s) - 1);
}

/* ------------------------------------------------------------------ bad input */

static void test_invalid_utf8(void **state)
{
  (void)state;
  tt_analysis r;
  /* a Latin-1 byte inside a word: replaced, counted, the word stays one token */
  const char *s = "Vi\xEAt Nam";
  assert_string_equal(render(s, strlen(s), &r), "vi\xEF\xBF\xBDt|vi\xEF\xBF\xBDt nam|nam");
  assert_int_equal(r.invalid_utf8, 1);
  assert_int_equal(r.tokens[0].end, 4);
  /* at the start of a word it separates, still counted */
  s = "\xFF\xFE" "abc";
  assert_string_equal(render(s, strlen(s), &r), "abc|abc");
  assert_int_equal(r.invalid_utf8, 2);
  /* truncated sequence at the very end, overlong, surrogate */
  s = "abc\xE1\xBB";
  assert_string_equal(render(s, strlen(s), &r), "abc\xEF\xBF\xBD|abc\xEF\xBF\xBD");
  assert_int_equal(r.invalid_utf8, 1);
  s = "x\xC0\xAFy \xED\xA0\x80z";
  assert_string_equal(render(s, strlen(s), &r), "x\xEF\xBF\xBD\xEF\xBF\xBDy|x\xEF\xBF\xBD\xEF\xBF\xBDy z|z");
  assert_int_equal(r.invalid_utf8, 5);
  check_invariants(s, strlen(s), 0, &r);
  /* 4-byte characters are fine */
  s = "\xF0\x9F\x98\x80 ok";
  assert_string_equal(render(s, strlen(s), &r), "ok|ok");
  assert_int_equal(r.invalid_utf8, 0);
}

static void test_nul_and_controls(void **state)
{
  (void)state;
  tt_analysis r;
  static const char s[] = "Bệnh\0viện\x01" "Bạch\x7f" "Mai\x1b[0m\xC2\x85" "x";
  const char *got = render(s, sizeof s - 1, &r);
  assert_string_equal(got, "bệnh|benh viện|vien bạch|bach mai|mai 0m|0m x|x");
  assert_int_equal(r.tokens[1].start, 7);
  check_invariants(s, sizeof s - 1, 0, &r);
  /* only NULs */
  static const char z[16] = {0};
  assert_string_equal(render(z, sizeof z, &r), "");
}

/* ------------------------------------------------------------------ growth, other scripts */

static void test_growth_and_reuse(void **state)
{
  (void)state;
  /* big enough to grow every buffer several times, with NFD parts (the ICU path) mixed in */
  const char *words[] = {"Bệnh", "viện", "Hoà", "Be\xCC\xA3\xCC\x82nh", "72-NQ/TW", "x.jpg",
                         "ＣＯＶＩＤ", "khoẻ", "1.590", "http://a.b"};
  size_t cap = 1 << 20, n = 0;
  char *s = malloc(cap);
  for (size_t i = 0; n + 64 < cap; i++) {
    const char *w = words[(i * 7 + i / 3) % 10];
    memcpy(s + n, w, strlen(w));
    n += strlen(w);
    s[n++] = (i % 13) ? ' ' : '\n';
  }
  tt_analysis r;
  assert_int_equal(tt_analyze(A, s, n, 0, &r), 0);
  assert_true(r.n > 100000);
  assert_true(r.dropped > 10000);
  check_invariants(s, n, 0, &r);
  free(s);
}

/* TT_TOKEN_READ: the bytes after every form's NUL can be read (the entity recognizer loads a
 * word's first 8 bytes at once). A fresh analyzer per input, so that the arenas are no larger
 * than the input made them, and the last word through the ICU path (combining marks), whose
 * arena reservation is the tight one; ASan reports a read past the arena. */
static void test_read_past_forms(void **state)
{
  (void)state;
  char s[4096];
  unsigned sum = 0;
  for (size_t k = 0; k < 700; k += 7) {
    size_t n = 0;
    for (size_t i = 0; i < k; i++) s[n++] = (char)('a' + i % 26), s[n++] = i % 3 ? 'b' : ' ';
    s[n++] = ' ';
    for (size_t i = 0; i < 1 + k % 80; i++) { memcpy(s + n, "e\xCC\x81", 3); n += 3; }
    tt_analyzer *a;
    tt_analysis r;
    assert_int_equal(tt_analyzer_new(&a), 0);
    assert_int_equal(tt_analyze(a, s, n, 0, &r), 0);
    assert_true(r.n >= 1);
    for (size_t t = 0; t < r.n; t++) {
      const tt_token *x = &r.tokens[t];
      assert_int_equal(x->exact[x->exact_len], 0);
      assert_int_equal(x->folded[x->folded_len], 0);
      for (size_t b = 1; b <= TT_TOKEN_READ; b++)
        sum += (unsigned char)x->exact[x->exact_len + b] + (unsigned char)x->folded[x->folded_len + b];
    }
    tt_analyzer_free(a);
  }
  (void)sum;
}

static void test_other_scripts(void **state)
{
  (void)state;
  /* beyond the table: ICU lower-cases, NFKC_Casefold folds */
  assert_string_equal(R("ＣＯＶＩＤ"), "ｃｏｖｉｄ|covid");
  assert_string_equal(R("ﬁle"), "ﬁle|file");
  assert_string_equal(R("ΑΣ"), "ας|ας");
  assert_string_equal(R("Москва"), "москва|москва");
  assert_string_equal(R("“Bạch Mai”…"), "bạch|bach mai|mai");
  assert_string_equal(R("a\xC2\xA0" "b\xE2\x80\x8B" "c"), "a|a b|b c|c");
}

/* ------------------------------------------------------------------ tt_normalize_word */

static void test_normalize_word(void **state)
{
  (void)state;
  char out[64];
  assert_int_equal(tt_normalize_word("Hoà", strlen("Hoà"), 0, out, sizeof out), strlen("hòa"));
  assert_string_equal(out, "hòa");
  assert_int_equal(tt_normalize_word("Hoà", strlen("Hoà"), 1, out, sizeof out), 3);
  assert_string_equal(out, "hoa");
  tt_normalize_word("H\xC3\x90" "-BYT", 7, 1, out, sizeof out);
  assert_string_equal(out, "hd-byt");
  tt_normalize_word("Be\xCC\xA3\xCC\x82nh", 8, 0, out, sizeof out);
  assert_string_equal(out, "bệnh");
  tt_normalize_word("72-NQ/TW", 8, 0, out, sizeof out);
  assert_string_equal(out, "72-nq/tw");
  tt_normalize_word("a\xFF", 2, 0, out, sizeof out);
  assert_string_equal(out, "a\xEF\xBF\xBD");
  assert_int_equal(tt_normalize_word("", 0, 0, out, sizeof out), 0);
  assert_string_equal(out, "");
  assert_int_equal(tt_normalize_word(NULL, 0, 1, out, sizeof out), 0);
  /* too small: "bệnh" needs 6 bytes + NUL */
  assert_int_equal(tt_normalize_word("bệnh", strlen("bệnh"), 0, out, 6), TT_EINVAL);
  assert_int_equal(tt_normalize_word("bệnh", strlen("bệnh"), 0, out, 7), 6);
  assert_int_equal(tt_normalize_word("x", 1, 0, NULL, 5), TT_EINVAL);
  assert_int_equal(tt_normalize_word("x", 1, 0, out, 0), TT_EINVAL);
}

/* ------------------------------------------------------------------ properties */

static uint64_t rng = 0x2545F4914F6CDD1Dull;
static uint64_t next(void)
{
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return rng;
}

static const char *frags[] = {
  "a", "e", "o", "u", "y", "i", "q", "g", "h", "kh", "th", "ng", "B", "Q", "G", "T", "N",
  "à", "á", "ả", "ã", "ạ", "ă", "ắ", "â", "ậ", "è", "ẻ", "ê", "ệ", "ò", "ó", "ỏ", "ô", "ố", "ơ",
  "ờ", "ù", "ú", "ủ", "ư", "ữ", "ỳ", "ý", "ỷ", "ỹ", "ỵ", "Ỳ", "Ý", "À", "Ẻ", "Ệ", "Ơ", "Ư", "đ",
  "Đ", "\xC3\x90", "\xC3\xB0", "\xCC\x80", "\xCC\x81", "\xCC\x83", "\xCC\x89", "\xCC\xA3",
  "\xCC\x82", "\xCC\x86", "\xCC\x9B", "oa", "oe", "uy", "qu", "gi", "0", "1", "9", " ", " ",
  "  ", "\n", "-", "/", ".", ",", "–", ":", "@", "_", "'", "\"", "(", "\xC2\xA0", "\xE2\x80\x8B",
  "\xFF", "\xC3", "\xE1\xBB", "\xED\xA0\x80", "ΑΣ", "ς", "İ", "ﬁ", "Ａ", "中", "😀", "x.jpg",
  "http://", "www.", "7046c99cba07bb17", "Hoà", "thuý", "khoẻ", "TP.HCM", "72-NQ/TW",
};

static size_t random_text(char *buf, size_t cap, int bytes)
{
  size_t n = 0, want = next() % (cap / 2);
  if (bytes) {
    while (n < want) buf[n++] = (char)next();
    return n;
  }
  while (n < want) {
    const char *f = frags[next() % (sizeof frags / sizeof frags[0])];
    size_t l = strlen(f);
    if (n + l >= cap) break;
    memcpy(buf + n, f, l);
    n += l;
    if (next() % 17 == 0 && n < cap) buf[n++] = 0;  /* NUL bytes too */
  }
  return n;
}

static void test_property_normalize(void **state)
{
  (void)state;
  char x[256], ex[2048], fx[2048], a[2048], b[2048];
  for (int it = 0; it < 10000; it++) {
    size_t n = random_text(x, sizeof x, 0);
    int le = tt_normalize_word(x, n, 0, ex, sizeof ex);
    int lf = tt_normalize_word(x, n, 1, fx, sizeof fx);
    assert_true(le >= 0 && lf >= 0);
    /* folded(exact(x)) == folded(x), and exact is a fixed point */
    assert_true(tt_normalize_word(ex, (size_t)le, 1, a, sizeof a) >= 0);
    assert_string_equal(a, fx);
    assert_true(tt_normalize_word(ex, (size_t)le, 0, b, sizeof b) >= 0);
    assert_string_equal(b, ex);
    assert_true(tt_normalize_word(fx, (size_t)lf, 1, b, sizeof b) >= 0);
    assert_string_equal(b, fx);
  }
}

static void test_property_analyze(void **state)
{
  (void)state;
  char x[1024];
  for (int it = 0; it < 10000; it++) {
    size_t n = random_text(x, sizeof x, it & 1);
    tt_analysis r;
    uint32_t first = (uint32_t)(next() % 1000);
    assert_int_equal(tt_analyze(A, x, n, first, &r), 0);
    check_invariants(x, n, first, &r);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty),
    cmocka_unit_test(test_positions_offsets),
    cmocka_unit_test(test_nfc_nfd),
    cmocka_unit_test(test_tone_conventions),
    cmocka_unit_test(test_qu_gi),
    cmocka_unit_test(test_d),
    cmocka_unit_test(test_codes),
    cmocka_unit_test(test_junk),
    cmocka_unit_test(test_invalid_utf8),
    cmocka_unit_test(test_nul_and_controls),
    cmocka_unit_test(test_growth_and_reuse),
    cmocka_unit_test(test_read_past_forms),
    cmocka_unit_test(test_other_scripts),
    cmocka_unit_test(test_normalize_word),
    cmocka_unit_test(test_property_normalize),
    cmocka_unit_test(test_property_analyze),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
