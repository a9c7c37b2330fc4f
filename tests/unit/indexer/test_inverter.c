/* Unit tests: indexer/inverter term interning — keys that share their first 8 bytes (the part a
 * term keeps inline for lookups), keys of every length from 1 to 24, exact and folded terms
 * with the same bytes, and the postings each term collects. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "indexer/inverter.h"
#include "indexer/pairs.h"

/* Key number i: length 1 + i % 24, bytes chosen so that many keys share a long prefix. */
static size_t make_key(unsigned i, char *out)
{
  size_t len = 1 + i % 24;
  for (size_t k = 0; k < len; k++) out[k] = (char)('a' + (k + 1 == len ? (i / 24) % 26 : k % 3));
  out[len] = 0;
  return len;
}

static tt_token tok(const char *s, size_t len, uint32_t pos, uint32_t flags)
{
  tt_token t;
  memset(&t, 0, sizeof t);
  t.exact = t.folded = s;
  t.exact_len = t.folded_len = (uint32_t)len;
  t.pos = pos;
  t.flags = flags;
  return t;
}

static void test_keys(void **state)
{
  (void)state;
  enum { NKEYS = 24 * 26, NDOCS = 3 };
  static char keys[NKEYS][32];
  static size_t lens[NKEYS];
  for (unsigned i = 0; i < NKEYS; i++) lens[i] = make_key(i, keys[i]);
  tt_inverter *inv;
  assert_int_equal(tt_inverter_new(&inv), 0);
  static tt_token toks[NKEYS + 1];
  for (uint32_t d = 0; d < NDOCS; d++) {
    /* doc d has every key whose index is not a multiple of d + 2, some twice */
    size_t n = 0;
    for (unsigned i = 0; i < NKEYS; i++)
      if (i % (d + 2)) toks[n] = tok(keys[i], lens[i], (uint32_t)n + 1, 0), n++;
    toks[n] = tok(keys[5], lens[5], (uint32_t)n + 1, 0), n++;  /* key 5 again, another position */
    assert_int_equal(tt_inverter_add(inv, d, NULL, 0, toks, n, 1), 0);
  }
  /* one keyword term with the bytes of key 7 (non-positional: a term of its own) */
  toks[0] = tok(keys[7], lens[7], UINT32_MAX, TT_TOKEN_KEYWORD);
  assert_int_equal(tt_inverter_add(inv, NDOCS, NULL, 0, toks, 1, 1), 0);
  /* a key is in some document unless its index is a multiple of 2, 3 and 4 */
  size_t want = 0;
  for (unsigned i = 0; i < NKEYS; i++) want += (i % 2) || (i % 3) || (i % 4);
  assert_int_equal(tt_inverter_nterms(inv), want + 1);
  tt_inv_term **sorted;
  size_t n;
  assert_int_equal(tt_inverter_sorted(inv, &sorted, &n), 0);
  assert_int_equal(n, want + 1);
  for (size_t i = 0; i < n; i++) {
    const tt_inv_term *t = sorted[i];
    const char *k = tt_inverter_key(inv, t);
    unsigned which = NKEYS;
    for (unsigned j = 0; j < NKEYS; j++)
      if (lens[j] == t->key_len && !memcmp(keys[j], k, t->key_len)) { which = j; break; }
    if (which == NKEYS) fail_msg("unknown key %.*s", (int)t->key_len, k);
    if (!t->positional) {  /* the keyword */
      assert_int_equal(which, 7);
      assert_int_equal(t->df, 1);
      continue;
    }
    uint32_t df = 0;
    for (uint32_t d = 0; d < NDOCS; d++) df += (which % (d + 2)) != 0;
    assert_int_equal(t->df, df);
    /* its postings: key 5 twice per document */
    tt_inv_stream s;
    tt_inv_stream_init(&s, t);
    tt_inv_stream g;  /* the same stream read as gaps */
    tt_inv_stream_init(&g, t);
    uint32_t doc, a, b, pos[4], docs = 0;
    while (tt_inv_stream_next(&s, &doc, &a, &b, pos, 4)) {
      assert_int_equal(a, 0);
      assert_int_equal(b, which == 5 ? 2 : 1);
      assert_true(which % (doc + 2) != 0);
      uint32_t gdoc, ga, gb, gap[4];
      assert_int_equal(tt_inv_stream_next_gaps(&g, &gdoc, &ga, &gb, gap, 4), 1);
      assert_int_equal(gdoc, doc);
      assert_int_equal(ga + gb, a + b);
      for (uint32_t k = 0; k < a + b; k++) assert_int_equal(gap[k], k ? pos[k] - pos[k - 1] - 1 : pos[0]);
      docs++;
    }
    assert_int_equal(docs, df);
    uint32_t gdoc, ga, gb, gap[4];
    assert_int_equal(tt_inv_stream_next_gaps(&g, &gdoc, &ga, &gb, gap, 4), 0);
    if (i) {  /* memcmp order, shorter first, exact-only before positional on equal bytes */
      const tt_inv_term *p = sorted[i - 1];
      size_t m = p->key_len < t->key_len ? p->key_len : t->key_len;
      int c = memcmp(tt_inverter_key(inv, p), k, m);
      assert_true(c < 0 || (c == 0 && (p->key_len < t->key_len || (p->key_len == t->key_len && p->positional < t->positional))));
    }
  }
  tt_inverter_free(inv);
}

/* A word with diacritics is indexed under its exact form (non-positional) and its folded form
 * (positional). The exact term remembers its folded term as a hint: a token whose folded form
 * differs for the same exact form (not something the analyzer makes, but the inverter must not
 * assume it) still gets its own folded term. */
static void test_exact_and_folded(void **state)
{
  (void)state;
  tt_inverter *inv;
  assert_int_equal(tt_inverter_new(&inv), 0);
  tt_token t[4];
  t[0] = tok("ho\xC3\xA0", 4, 1, TT_TOKEN_FOLDED);
  t[0].folded = "hoa"; t[0].folded_len = 3;
  t[1] = t[0]; t[1].pos = 2;
  t[2] = t[0]; t[2].pos = 3; t[2].folded = "hoaxxxxxxx"; t[2].folded_len = 10;  /* same exact, other fold */
  t[3] = tok("hoa", 3, 4, 0);
  for (uint32_t d = 0; d < 2; d++) assert_int_equal(tt_inverter_add(inv, d, NULL, 0, t, 4, 1), 0);
  tt_inv_term **sorted;
  size_t n;
  assert_int_equal(tt_inverter_sorted(inv, &sorted, &n), 0);
  /* pair terms (keys starting with byte 0x01, "hoa hoa" at positions 1-2) sort first: skip them */
  while (n && tt_inverter_key(inv, sorted[0])[0] == '\x01') { sorted++; n--; }
  assert_int_equal(n, 3);  /* "hoa" (positional), "hoaxxxxxxx" (positional), "hoà" (exact) */
  static const char *const want[] = {"hoa", "hoaxxxxxxx", "ho\xC3\xA0"};
  static const uint32_t tf[] = {3, 1, 3}, first[] = {1, 3, 0};
  for (size_t i = 0; i < n; i++) {
    assert_int_equal(sorted[i]->key_len, strlen(want[i]));
    assert_memory_equal(tt_inverter_key(inv, sorted[i]), want[i], strlen(want[i]));
    assert_int_equal(sorted[i]->positional, i < 2);
    assert_int_equal(sorted[i]->df, 2);
    tt_inv_stream s;
    tt_inv_stream_init(&s, sorted[i]);
    uint32_t doc, a, b, pos[4];
    for (uint32_t d = 0; d < 2; d++) {
      assert_int_equal(tt_inv_stream_next(&s, &doc, &a, &b, pos, 4), 1);
      assert_int_equal(doc, d);
      assert_int_equal(a + b, tf[i]);
      if (sorted[i]->positional) assert_int_equal(pos[0], first[i]);
    }
  }
  tt_inverter_free(inv);
}

/* Hashes computed ahead (tt_inverter_hash_tokens, as the pipelined writer does on its
 * analyzing thread) give the same terms, streams and byte count as hashes computed by the
 * inverter: title and body tokens, words with diacritics, compounds, keywords and entity
 * mentions, over enough documents to grow the table. */
static void test_hashed(void **state)
{
  (void)state;
  enum { NDOCS = 300, NT = 40 };
  static char keys[NDOCS][NT][32];
  tt_inverter *plain, *pre;
  assert_int_equal(tt_inverter_new(&plain), 0);
  assert_int_equal(tt_inverter_new(&pre), 0);
  for (uint32_t d = 0; d < NDOCS; d++) {
    tt_token t[NT];
    uint64_t h[NT];
    uint32_t ntitle = 3 + d % 4;
    for (uint32_t i = 0; i < NT; i++) {
      uint32_t pos = i < ntitle ? i : i + 1;
      unsigned v = (d * 7 + i * 13) % 500;
      if (i % 9 == 4) {
        snprintf(keys[d][i], sizeof keys[d][i], "%u-nq/tw", v);
        t[i] = tok(keys[d][i], strlen(keys[d][i]), pos, TT_TOKEN_COMPOUND | TT_TOKEN_NUMERIC);
      } else if (i % 7 == 3) {
        t[i] = tok("vi\xE1\xBB\x87n", 6, pos, TT_TOKEN_FOLDED);  /* "viện" */
        t[i].folded = "vien"; t[i].folded_len = 4;
      } else if (i == NT - 1) {
        snprintf(keys[d][i], sizeof keys[d][i], "source:s%u", d % 5);
        t[i] = tok(keys[d][i], strlen(keys[d][i]), UINT32_MAX, TT_TOKEN_KEYWORD);
      } else if (i == NT - 2) {
        t[i] = tok("person:tran van thuan", 21, pos, TT_TOKEN_KEYWORD_POS);
      } else {
        /* common syllables (some in the pair list) and rarer keys */
        static const char *const common[] = {"benh", "vien", "y", "te", "cua", "va"};
        if (v % 3) snprintf(keys[d][i], sizeof keys[d][i], "%s", common[v % 6]);
        else snprintf(keys[d][i], sizeof keys[d][i], "k%uabcdefgh%u", v, d % 2);
        t[i] = tok(keys[d][i], strlen(keys[d][i]), pos, 0);
      }
    }
    tt_inverter_hash_tokens(t, NT, h);
    assert_int_equal(tt_inverter_add(plain, d, t, ntitle, t + ntitle, NT - ntitle, ntitle + 1), 0);
    assert_int_equal(tt_inverter_add_hashed(pre, d, t, ntitle, t + ntitle, NT - ntitle, ntitle + 1, h), 0);
    assert_int_equal(tt_inverter_bytes(pre), tt_inverter_bytes(plain));
  }
  tt_inv_term **a, **b;
  size_t na, nb;
  assert_int_equal(tt_inverter_sorted(plain, &a, &na), 0);
  assert_int_equal(tt_inverter_sorted(pre, &b, &nb), 0);
  assert_int_equal(na, nb);
  assert_true(na > 100);
  for (size_t i = 0; i < na; i++) {
    assert_int_equal(a[i]->key_len, b[i]->key_len);
    assert_memory_equal(tt_inverter_key(plain, a[i]), tt_inverter_key(pre, b[i]), a[i]->key_len);
    assert_int_equal(a[i]->positional, b[i]->positional);
    assert_int_equal(a[i]->df, b[i]->df);
    assert_int_equal(a[i]->stream.n, b[i]->stream.n);
    assert_memory_equal(a[i]->stream.p, b[i]->stream.p, a[i]->stream.n);
  }
  tt_inverter_free(plain);
  tt_inverter_free(pre);
}

/* Keys with long common prefixes (entity terms share "hospital:benh vien " and more) are
 * sorted by 8-byte digits, a run of equal digits by the next ones: the order must be memcmp
 * order, shorter first, exact-only before positional, for keys that differ in any digit, are
 * prefixes of each other, end in zero bytes ("ab", "ab\0"), run past the 32 digits after which
 * runs are compared whole, or have the same bytes as a keyword and a positional term. Their
 * lookups (9 to 16 bytes compared as one word, longer by memcmp) must find each key again. */
static int ref_less(const char *a, size_t na, int pa, const char *b, size_t nb, int pb)
{
  size_t m = na < nb ? na : nb;
  int c = memcmp(a, b, m);
  if (c) return c < 0;
  if (na != nb) return na < nb;
  return pa < pb;
}

static void test_long_keys(void **state)
{
  (void)state;
  enum { NK = 600, MAXLEN = 320 };
  static char keys[NK][MAXLEN + 1];
  static size_t lens[NK];
  static const char *const prefix[] = {"", "hospital:benh vien ", "ent:person:nguyen van ", "ab"};
  unsigned seed = 12345;
  size_t nk = 0;
  for (unsigned i = 0; i < NK; i++) {
    seed = seed * 1103515245u + 12345u;
    const char *pre = prefix[(seed >> 16) % 4];
    size_t n = strlen(pre);
    memcpy(keys[i], pre, n);
    seed = seed * 1103515245u + 12345u;
    unsigned kind = (seed >> 16) % 5;
    if (kind == 0) {                      /* zero bytes at the end: "ab", "ab\0", "ab\0\0"... */
      for (unsigned z = 0; z < i % 11; z++) keys[i][n++] = 0;
    } else if (kind == 1) {               /* a long run, past 32 digits, then one varying byte */
      size_t run = 200 + i % 90;
      memset(keys[i] + n, 'x', run);
      n += run;
      keys[i][n++] = (char)('a' + i % 7);
    } else {                              /* a few varying bytes at varying depths */
      size_t run = (seed >> 8) % 40;
      memset(keys[i] + n, 'y', run);
      n += run;
      for (unsigned c = 0; c < 1 + i % 3; c++) keys[i][n++] = (char)('a' + (i / 3 + c * 5) % 26);
    }
    if (!n) keys[i][n++] = 'q';
    lens[nk] = n;
    memmove(keys[nk], keys[i], n);
    /* drop repeats: every (key, kind) must be distinct below */
    int dup = 0;
    for (size_t j = 0; j < nk && !dup; j++) dup = lens[j] == n && !memcmp(keys[j], keys[nk], n);
    if (!dup) nk++;
  }
  tt_inverter *inv;
  assert_int_equal(tt_inverter_new(&inv), 0);
  static tt_token toks[2 * NK];
  for (uint32_t d = 0; d < 2; d++) {
    size_t n = 0;
    for (size_t i = 0; i < nk; i++) {
      if (d == 1 && i % 2) continue;     /* df 2 for the even keys */
      toks[n] = tok(keys[i], lens[i], (uint32_t)n + 1, 0);
      n++;
      if (i % 3 == 0) toks[n++] = tok(keys[i], lens[i], UINT32_MAX, TT_TOKEN_KEYWORD);
    }
    assert_int_equal(tt_inverter_add(inv, d, NULL, 0, toks, n, 1), 0);
  }
  tt_inv_term **sorted;
  size_t n;
  assert_int_equal(tt_inverter_sorted(inv, &sorted, &n), 0);
  /* pair terms (byte 0x01 first, from "ab" and similar in the pair list, if any) are keys too */
  size_t want = nk + (nk + 2) / 3;
  size_t pairs = 0;
  for (size_t i = 0; i < n; i++) pairs += tt_inverter_key(inv, sorted[i])[0] == '\x01';
  assert_int_equal(n - pairs, want);
  for (size_t i = 0; i < n; i++) {
    const tt_inv_term *t = sorted[i];
    if (i) {
      const tt_inv_term *p = sorted[i - 1];
      assert_true(ref_less(tt_inverter_key(inv, p), p->key_len, (int)p->positional,
                           tt_inverter_key(inv, t), t->key_len, (int)t->positional));
    }
    if (tt_inverter_key(inv, t)[0] == '\x01') continue;
    size_t which = nk;
    for (size_t j = 0; j < nk; j++)
      if (lens[j] == t->key_len && !memcmp(keys[j], tt_inverter_key(inv, t), lens[j])) { which = j; break; }
    assert_true(which < nk);
    if (!t->positional) assert_int_equal(which % 3, 0);
    assert_int_equal(t->df, which % 2 ? 1 : 2);
  }
  tt_inverter_free(inv);
}

/* The pair list's lookup: every syllable finds its own id, and tt_pairs_id's early -1 for keys
 * longer than TT_PAIRS_WORD_MAX (what the inverter relies on to skip the search for entity
 * keys) loses no syllable. */
static void test_pairs_lookup(void **state)
{
  (void)state;
  size_t longest = 0;
  for (int id = 0; id < TT_PAIRS_N; id++) {
    const char *w = tt_pairs_word(id);
    size_t n = strlen(w);
    assert_true(n > 0 && n <= TT_PAIRS_WORD_MAX);
    if (n > longest) longest = n;
    assert_int_equal(tt_pairs_id(w, n), id);
    char longer[TT_PAIRS_WORD_MAX + 2];
    memcpy(longer, w, n);
    longer[n] = 'a';
    assert_true(tt_pairs_id(longer, n + 1) != id);
  }
  assert_int_equal(longest, TT_PAIRS_WORD_MAX);  /* the bound is tight: no other syllable fits */
  assert_int_equal(tt_pairs_id("person:benh", 11), -1);
  assert_int_equal(tt_pairs_id("truongx", 7), -1);
  assert_true(tt_pairs_id("truong", 6) >= 0);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_keys),
    cmocka_unit_test(test_exact_and_folded),
    cmocka_unit_test(test_hashed),
    cmocka_unit_test(test_long_keys),
    cmocka_unit_test(test_pairs_lookup),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
