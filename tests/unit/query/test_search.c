/* Search tests on a real index: the match set of random queries (AND, OR, NOT, phrases,
 * diacritics typed or not) equals a brute-force evaluation over the analyzed articles, the
 * pruned top-k equals exhaustive scoring, and malformed queries are refused with a position. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>

#include "../indexer/index_testutil.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"
#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

#define NDOCS 400

static tu_doc docs[NDOCS];
static char *dir;
/* folded tokens of each doc (title, then body), and their positions */
static char **ftok[NDOCS];
static char **etok[NDOCS];
static uint32_t *fpos[NDOCS];
static size_t ntok[NDOCS];

static int setup(void **state)
{
  (void)state;
  dir = tu_tempdir();
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.memory_budget = (size_t)96 << 10;  /* several segments */
  o.merge = 0;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, &o), 0);
  tt_analyzer *an;
  assert_int_equal(tt_analyzer_new(&an), 0);
  for (int i = 0; i < NDOCS; i++) {
    tu_make(&docs[i], i, 10 + (int)(tu_next() % 120));
    tt_article a = tu_article(&docs[i]);
    assert_int_equal(tt_writer_add(w, &a), 0);
    tt_analysis t, b;
    assert_int_equal(tt_analyze(an, a.title, a.title_len, 0, &t), 0);
    size_t nt = t.n;
    ftok[i] = calloc(nt + 2 * a.body_len + 1, sizeof(char *));
    etok[i] = calloc(nt + 2 * a.body_len + 1, sizeof(char *));
    fpos[i] = calloc(nt + 2 * a.body_len + 1, sizeof(uint32_t));
    for (size_t k = 0; k < nt; k++) {
      ftok[i][k] = strdup(t.tokens[k].folded);
      etok[i][k] = strdup(t.tokens[k].exact);
      fpos[i][k] = t.tokens[k].pos;
    }
    assert_int_equal(tt_analyze(an, a.body, a.body_len, (uint32_t)nt + 1, &b), 0);
    for (size_t k = 0; k < b.n; k++) {
      ftok[i][nt + k] = strdup(b.tokens[k].folded);
      etok[i][nt + k] = strdup(b.tokens[k].exact);
      fpos[i][nt + k] = b.tokens[k].pos;
    }
    ntok[i] = nt + b.n;
  }
  tt_analyzer_free(an);
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  for (int i = 0; i < NDOCS; i++) {
    for (size_t k = 0; k < ntok[i]; k++) { free(ftok[i][k]); free(etok[i][k]); }
    free(ftok[i]); free(etok[i]); free(fpos[i]); free(docs[i].body);
  }
  tu_rmrf(dir);
  free(dir);
  return 0;
}

/* ---- brute force: a query is up to 3 clauses ANDed; a clause is a word, "w1 w2" phrase, a
 * word OR word, or -word. Words are folded already (we type them without diacritics). */
typedef struct clause { int kind; char a[64], b[64]; } clause;  /* 0 word, 1 phrase, 2 or, 3 not */

static int has_word(int d, const char *w)
{
  for (size_t k = 0; k < ntok[d]; k++) if (!strcmp(ftok[d][k], w)) return 1;
  return 0;
}

static int has_phrase(int d, const char *a, const char *b)
{
  for (size_t k = 0; k + 1 < ntok[d]; k++)
    if (!strcmp(ftok[d][k], a) && !strcmp(ftok[d][k + 1], b) && fpos[d][k + 1] == fpos[d][k] + 1) return 1;
  return 0;
}

static int matches(int d, const clause *c, int n)
{
  int pos = 0;
  for (int i = 0; i < n; i++) {
    switch (c[i].kind) {
    case 0: if (!has_word(d, c[i].a)) return 0; pos = 1; break;
    case 1: if (!has_phrase(d, c[i].a, c[i].b)) return 0; pos = 1; break;
    case 2: if (!has_word(d, c[i].a) && !has_word(d, c[i].b)) return 0; pos = 1; break;
    case 3: if (has_word(d, c[i].a)) return 0; break;
    }
  }
  return pos;
}

static void pick_word(char *out)
{
  int d = (int)(tu_next() % NDOCS);
  snprintf(out, 64, "%s", ntok[d] ? ftok[d][tu_next() % ntok[d]] : "y");
}

static void test_match_sets_equal_brute_force(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_true(r->nsegs > 1);
  for (int q = 0; q < 300; q++) {
    clause c[3];
    int n = 1 + (int)(tu_next() % 3);
    char text[512] = "";
    for (int i = 0; i < n; i++) {
      c[i].kind = (int)(tu_next() % 4);
      if (i == 0 && c[i].kind == 3) c[i].kind = 0;
      pick_word(c[i].a);
      if (c[i].kind == 1) {  /* a phrase that exists somewhere */
        int d = (int)(tu_next() % NDOCS);
        size_t k = ntok[d] > 1 ? tu_next() % (ntok[d] - 1) : 0;
        if (ntok[d] > 1 && fpos[d][k + 1] == fpos[d][k] + 1) {
          snprintf(c[i].a, 64, "%s", ftok[d][k]);
          snprintf(c[i].b, 64, "%s", ftok[d][k + 1]);
        } else {
          c[i].kind = 0;
        }
      }
      if (c[i].kind == 2) pick_word(c[i].b);
      char part[160];
      switch (c[i].kind) {
      case 0: snprintf(part, sizeof part, "%s ", c[i].a); break;
      case 1: snprintf(part, sizeof part, "\"%s %s\" ", c[i].a, c[i].b); break;
      case 2: snprintf(part, sizeof part, "%s OR %s ", c[i].a, c[i].b); break;
      default: snprintf(part, sizeof part, "-%s ", c[i].a); break;
      }
      strcat(text, part);
    }
    uint64_t want = 0;
    for (int d = 0; d < NDOCS; d++) want += (uint64_t)matches(d, c, n);
    tt_results res;
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = NDOCS;
    int rc = tt_search(r, text, strlen(text), &o, &res);
    if (rc) fail_msg("query [%s]: %s", text, tt_error_last());
    if (res.total != want) fail_msg("query [%s]: %llu matches, brute force %llu", text, (unsigned long long)res.total, (unsigned long long)want);
    for (size_t h = 0; h < res.n; h++) assert_true(matches((int)res.hits[h].doc, c, n));
    tt_results_fini(&res);
  }
  tt_reader_close(r);
}

static void test_topk_equals_exhaustive(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *qs[] = {"bệnh viện", "benh", "y te", "sức khỏe", "tran van thuan", "bệnh OR viện", "\"bach mai\"",
                      "đề án", "hòa", "chăm sóc người cao tuổi", "trẻ em -tiêm"};
  for (size_t q = 0; q < sizeof qs / sizeof *qs; q++) {
    for (int by_date = 0; by_date < 2; by_date++) {
      tt_search_options all = TT_SEARCH_OPTIONS_INIT, top = TT_SEARCH_OPTIONS_INIT;
      all.limit = NDOCS;
      all.sort_date = top.sort_date = by_date;
      top.limit = 7;
      top.offset = 3;
      tt_results a, t;
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &all, &a), 0);
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &top, &t), 0);
      assert_int_equal(a.total, t.total);
      for (size_t i = 0; i < t.n; i++) {
        assert_true(i + 3 < a.n);
        if (a.hits[i + 3].doc != t.hits[i].doc) fail_msg("%s: rank %zu differs", qs[q], i + 3);
        assert_true(fabs(a.hits[i + 3].score - t.hits[i].score) < 1e-9);
      }
      assert_int_equal(t.n, a.n > 3 ? (a.n - 3 < 7 ? a.n - 3 : 7) : 0);
      tt_results_fini(&a);
      tt_results_fini(&t);
    }
  }
  tt_reader_close(r);
}

static void test_diacritics(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_search_options o = TT_SEARCH_OPTIONS_INIT, x = TT_SEARCH_OPTIONS_INIT;
  o.limit = NDOCS;
  x.limit = NDOCS;
  x.exact = 1;
  tt_results plain, diac, strict, old;
  /* typed without diacritics: every variant (thuấn, thuận, thuần) */
  assert_int_equal(tt_search(r, "thuan", 5, &o, &plain), 0);
  assert_int_equal(tt_search(r, "thuấn", strlen("thuấn"), &o, &diac), 0);
  assert_int_equal(tt_search(r, "thuấn", strlen("thuấn"), &x, &strict), 0);
  assert_int_equal(plain.total, diac.total);        /* typed with diacritics still matches variants */
  assert_true(strict.total < diac.total);           /* strict: the exact form only */
  assert_true(strict.total > 0);
  /* exact-form matches rank first */
  for (size_t i = 0; i < strict.total && i < diac.n; i++) {
    int in_strict = 0;
    for (size_t k = 0; k < strict.n; k++) in_strict |= strict.hits[k].doc == diac.hits[i].doc;
    assert_true(in_strict);
  }
  /* tone placement never matters: hoà = hòa, also in strict mode */
  tt_results a, b;
  assert_int_equal(tt_search(r, "hoà", strlen("hoà"), &x, &a), 0);
  assert_int_equal(tt_search(r, "hòa", strlen("hòa"), &x, &b), 0);
  assert_int_equal(a.total, b.total);
  assert_true(a.total > 0);
  assert_int_equal(tt_search(r, "khoẻ", strlen("khoẻ"), &x, &old), 0);
  tt_results neu;
  assert_int_equal(tt_search(r, "khỏe", strlen("khỏe"), &x, &neu), 0);
  assert_int_equal(old.total, neu.total);
  tt_results_fini(&plain); tt_results_fini(&diac); tt_results_fini(&strict);
  tt_results_fini(&a); tt_results_fini(&b); tt_results_fini(&old); tt_results_fini(&neu);
  tt_reader_close(r);
}

static void test_malformed_queries(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *bad[] = {"\"bệnh viện", "(y tế", "y tế)", "OR y", "y OR", "-y", "()", "\"\""};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    tt_results res;
    int rc = tt_search(r, bad[i], strlen(bad[i]), NULL, &res);
    if (rc != TT_ESYNTAX) fail_msg("query [%s] gave %d, expected a syntax error", bad[i], rc);
    assert_non_null(strstr(tt_error_last(), "position"));
    assert_non_null(strchr(tt_error_last(), '^'));
  }
  tt_reader_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_match_sets_equal_brute_force),
    cmocka_unit_test(test_topk_equals_exhaustive),
    cmocka_unit_test(test_diacritics),
    cmocka_unit_test(test_malformed_queries),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
