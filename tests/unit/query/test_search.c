/* Search tests on a real index: the match set of random queries (AND, OR, NOT, phrases,
 * diacritics typed or not, title:/body:, dates, prefix*, NEAR/n, =exact) equals a brute-force
 * evaluation over the analyzed articles, the pruned top-k equals exhaustive scoring, pages
 * concatenate, every match streams, facets add up, date filters respect their boundaries in
 * Vietnam time, snippets highlight the original bytes of NFD and old-tone text, and malformed
 * queries are refused with a position. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>

#include "../indexer/index_testutil.h"
#include "indexer/pairs.h"
#include "indexer/reader.h"
#include "query/query_int.h"
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
static size_t ntitle[NDOCS];
/* every folded term the indexer gives a position: whole tokens and the parts of compounds
 * ("72-nq/tw" -> 72, nq, tw), each with its position */
static char **xtok[NDOCS];
static uint32_t *xpos[NDOCS];
static size_t nx[NDOCS];

static void add_x(int i, const char *f, size_t n, uint32_t pos)
{
  xtok[i][nx[i]] = strndup(f, n);
  xpos[i][nx[i]++] = pos;
}

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
    ntitle[i] = nt;
    size_t cap = 0;
    for (size_t k = 0; k < ntok[i]; k++) cap += 1 + strlen(ftok[i][k]);
    xtok[i] = calloc(cap + 1, sizeof(char *));
    xpos[i] = calloc(cap + 1, sizeof(uint32_t));
    for (size_t k = 0; k < ntok[i]; k++) {
      const char *f = ftok[i][k];
      size_t L = strlen(f);
      add_x(i, f, L, fpos[i][k]);
      if (strcspn(f, "-/.,") < L)
        for (size_t a = 0, b = 0; b <= L; b++) {
          if (b < L && !strchr("-/.,", f[b])) continue;
          if (b > a) add_x(i, f + a, b - a, fpos[i][k]);
          a = b + 1;
        }
    }
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
    for (size_t k = 0; k < nx[i]; k++) free(xtok[i][k]);
    free(ftok[i]); free(etok[i]); free(fpos[i]); free(docs[i].body); free(xtok[i]); free(xpos[i]);
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
  const char *bad[] = {"\"bệnh viện", "(y tế", "y tế)", "OR y", "y OR", "-y", "()", "\"\"",
                       "title:", "title: y", "body:", "source:", "url:", "date:", "date:2024-13", "date:2024-02-30",
                       "date:abc", "date:2024..2023", "date:>=", "foo:bar", "y NEAR/0 tế", "y NEAR/x tế",
                       "y NEAR", "y NEAR/3 (tế OR bệnh)", "y NEAR/2 source:x", "\"bệnh vi*\"", "*",
                       "(-y)", "y (-tế)", "y OR OR tế", "y NEAR/2 tế NEAR/2 bệnh", "NOT"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    tt_results res;
    int rc = tt_search(r, bad[i], strlen(bad[i]), NULL, &res);
    if (rc != TT_ESYNTAX) fail_msg("query [%s] gave %d, expected a syntax error", bad[i], rc);
    assert_non_null(strstr(tt_error_last(), "position"));
    assert_non_null(strchr(tt_error_last(), '^'));
  }
  tt_reader_close(r);
}

/* ---- the extended language against brute force ------------------------------------------
 * A clause is one of: word, phrase "a b", a OR b, -word, title:word, body:word, a date filter,
 * prefix*, A NEAR/n B (A, B words or a 2-word phrase), =exact, title:"a b". */
enum { K_WORD, K_PHRASE, K_OR, K_NOT, K_TITLE, K_BODY, K_DATE, K_PREFIX, K_NEAR, K_EXACT, K_TPHRASE, K_NKINDS };

typedef struct xclause {
  int kind;
  char w[2][3][64];     /* operands: up to 3 words each (phrases) */
  int nw[2];
  uint32_t dist;
  int64_t lo, hi;       /* K_DATE: [lo, hi) */
} xclause;

/* starts s of the word sequence ws[0..n) in doc d (each word at s + k), or -1 if none after
 * from; field: 0 any, 1 title, 2 body */
static int occurs_at(int d, char ws[][64], int n, uint32_t s)
{
  for (int k = 0; k < n; k++) {
    int found = 0;
    for (size_t x = 0; x < nx[d] && !found; x++) found = xpos[d][x] == s + (uint32_t)k && !strcmp(xtok[d][x], ws[k]);
    if (!found) return 0;
  }
  return 1;
}

static int in_fld(int d, uint32_t p, int field)
{
  return field == 0 || (field == 1 ? p < ntitle[d] : p > ntitle[d]);
}

static int seq_any(int d, char ws[][64], int n, int field)
{
  for (size_t x = 0; x < nx[d]; x++)
    if (!strcmp(xtok[d][x], ws[0]) && in_fld(d, xpos[d][x], field) && occurs_at(d, ws, n, xpos[d][x])) return 1;
  return 0;
}

static int near_ref(int d, const xclause *c)
{
  for (size_t x = 0; x < nx[d]; x++) {
    if (strcmp(xtok[d][x], c->w[0][0]) || !occurs_at(d, (char (*)[64])c->w[0], c->nw[0], xpos[d][x])) continue;
    uint32_t a0 = xpos[d][x], a1 = a0 + (uint32_t)c->nw[0] - 1;
    for (size_t y = 0; y < nx[d]; y++) {
      if (strcmp(xtok[d][y], c->w[1][0]) || !occurs_at(d, (char (*)[64])c->w[1], c->nw[1], xpos[d][y])) continue;
      uint32_t b0 = xpos[d][y], b1 = b0 + (uint32_t)c->nw[1] - 1;
      int same = (a0 < ntitle[d]) == (b0 < ntitle[d]);
      if (same && ((b0 > a1 && b0 - a1 <= c->dist) || (a0 > b1 && a0 - b1 <= c->dist))) return 1;
    }
  }
  return 0;
}

static int xmatches(int d, const xclause *c, int n)
{
  int pos = 0;
  for (int i = 0; i < n; i++) {
    const xclause *k = &c[i];
    int m = 0;
    switch (k->kind) {
    case K_WORD: m = seq_any(d, (char (*)[64])k->w[0], 1, 0); break;
    case K_PHRASE: m = seq_any(d, (char (*)[64])k->w[0], k->nw[0], 0); break;
    case K_TPHRASE: m = seq_any(d, (char (*)[64])k->w[0], k->nw[0], 1); break;
    case K_OR: m = seq_any(d, (char (*)[64])k->w[0], 1, 0) || seq_any(d, (char (*)[64])k->w[1], 1, 0); break;
    case K_NOT: if (seq_any(d, (char (*)[64])k->w[0], 1, 0)) return 0; continue;
    case K_TITLE: m = seq_any(d, (char (*)[64])k->w[0], 1, 1); break;
    case K_BODY: m = seq_any(d, (char (*)[64])k->w[0], 1, 2); break;
    case K_DATE: m = docs[d].published >= k->lo && docs[d].published < k->hi; break;
    case K_PREFIX:
      for (size_t x = 0; x < nx[d] && !m; x++) m = !strncmp(xtok[d][x], k->w[0][0], strlen(k->w[0][0]));
      break;
    case K_NEAR: m = near_ref(d, k); break;
    case K_EXACT:
      for (size_t t = 0; t < ntok[d] && !m; t++) m = !strcmp(etok[d][t], k->w[0][0]);
      break;
    }
    if (!m) return 0;
    pos = 1;
  }
  return pos;
}

static void pick_x(char *out)
{
  for (;;) {
    int d = (int)(tu_next() % NDOCS);
    if (!nx[d]) continue;
    snprintf(out, 64, "%s", xtok[d][tu_next() % nx[d]]);
    return;
  }
}

/* a 2-word sequence that exists somewhere (whole tokens) */
static int pick_pair(char out[][64])
{
  int d = (int)(tu_next() % NDOCS);
  if (ntok[d] < 2) return 0;
  size_t k = tu_next() % (ntok[d] - 1);
  if (fpos[d][k + 1] != fpos[d][k] + 1) return 0;
  snprintf(out[0], 64, "%s", ftok[d][k]);
  snprintf(out[1], 64, "%s", ftok[d][k + 1]);
  return 1;
}

static int64_t day_start(int y, int m, int dd)
{
  char b[40];
  snprintf(b, sizeof b, "%04d-%02d-%02d", y, m, dd);
  int64_t t;
  assert_int_equal(tt_parse_date(b, strlen(b), &t), 0);
  return t;
}

/* A date clause around a random document's date (so that boundaries are hit). */
static void pick_date(xclause *c, char *text, size_t cap)
{
  char iso[40];
  tt_format_date(docs[tu_next() % NDOCS].published, iso, sizeof iso);
  int y, m, dd;
  assert_int_equal(sscanf(iso, "%d-%d-%d", &y, &m, &dd), 3);
  int64_t ys = day_start(y, 1, 1), ye = day_start(y + 1, 1, 1);
  int64_t ms = day_start(y, m, 1), me = day_start(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1);
  int64_t ds = day_start(y, m, dd), de = ds + 86400;
  c->lo = INT64_MIN + 1;
  c->hi = INT64_MAX;
  switch (tu_next() % 8) {
  case 0: snprintf(text, cap, "date:%04d ", y); c->lo = ys; c->hi = ye; break;
  case 1: snprintf(text, cap, "date:%04d-%02d ", y, m); c->lo = ms; c->hi = me; break;
  case 2: snprintf(text, cap, "date:%04d-%02d-%02d ", y, m, dd); c->lo = ds; c->hi = de; break;
  case 3: snprintf(text, cap, "date:%04d-%02d..%04d-%02d-%02d ", y - 1, m, y, m, dd);
          c->lo = day_start(y - 1, m, 1); c->hi = de; break;
  case 4: snprintf(text, cap, "date:>=%04d-%02d-%02d ", y, m, dd); c->lo = ds; break;
  case 5: snprintf(text, cap, "date:>%04d-%02d ", y, m); c->lo = me; break;
  case 6: snprintf(text, cap, "date:<%04d-%02d-%02d ", y, m, dd); c->hi = ds; break;
  default: snprintf(text, cap, "date:<=%04d ", y); c->hi = ye; break;
  }
}

/* One random query of 1..3 clauses of every kind; fills c, returns the text's clause count. */
static int random_query(xclause *c, char *text, size_t cap)
{
  int n = 1 + (int)(tu_next() % 3);
  text[0] = 0;
  for (int i = 0; i < n; i++) {
    xclause *k = &c[i];
    memset(k, 0, sizeof *k);
    k->kind = (int)(tu_next() % K_NKINDS);
    if (i == 0 && k->kind == K_NOT) k->kind = K_WORD;
    char part[300];
    k->nw[0] = 1;
    pick_x(k->w[0][0]);
    switch (k->kind) {
    case K_WORD: snprintf(part, sizeof part, "%s ", k->w[0][0]); break;
    case K_NOT: snprintf(part, sizeof part, "-%s ", k->w[0][0]); break;
    case K_TITLE: snprintf(part, sizeof part, "title:%s ", k->w[0][0]); break;
    case K_BODY: snprintf(part, sizeof part, "body:%s ", k->w[0][0]); break;
    case K_OR:
      pick_x(k->w[1][0]);
      snprintf(part, sizeof part, "%s OR %s ", k->w[0][0], k->w[1][0]);
      break;
    case K_PHRASE:
    case K_TPHRASE:
      if (!pick_pair(k->w[0])) { k->kind = K_WORD; snprintf(part, sizeof part, "%s ", k->w[0][0]); break; }
      k->nw[0] = 2;
      snprintf(part, sizeof part, "%s\"%s %s\" ", k->kind == K_TPHRASE ? "title:" : "", k->w[0][0], k->w[0][1]);
      break;
    case K_DATE: pick_date(k, part, sizeof part); break;
    case K_PREFIX: {
      size_t L = 0, want = 1 + tu_next() % 3;
      const char *w = k->w[0][0];
      while (L < want && ((w[L] >= 'a' && w[L] <= 'z') || (w[L] >= '0' && w[L] <= '9'))) L++;
      /* "u*" would reach the uniq<N>x of every article: over the 256-term cap */
      if (L == 0 || w[0] == 'u') { k->kind = K_WORD; snprintf(part, sizeof part, "%s ", w); break; }
      k->w[0][0][L] = 0;
      snprintf(part, sizeof part, "%s* ", k->w[0][0]);
      break;
    }
    case K_NEAR:
      k->dist = 1 + (uint32_t)(tu_next() % 6);
      k->nw[1] = 1;
      pick_x(k->w[1][0]);
      if (tu_next() % 3 == 0 && pick_pair(k->w[0])) {
        k->nw[0] = 2;
        snprintf(part, sizeof part, "\"%s %s\" NEAR/%u %s ", k->w[0][0], k->w[0][1], k->dist, k->w[1][0]);
      } else {
        snprintf(part, sizeof part, "%s NEAR/%u %s ", k->w[0][0], k->dist, k->w[1][0]);
      }
      break;
    case K_EXACT: {
      int d = (int)(tu_next() % NDOCS);
      size_t t = ntok[d] ? tu_next() % ntok[d] : 0;
      if (!ntok[d] || !strcmp(etok[d][t], ftok[d][t])) { k->kind = K_WORD; snprintf(part, sizeof part, "%s ", k->w[0][0]); break; }
      snprintf(k->w[0][0], 64, "%s", etok[d][t]);
      snprintf(part, sizeof part, "=%s ", k->w[0][0]);
      break;
    }
    }
    strncat(text, part, cap - strlen(text) - 1);
  }
  return n;
}

static void test_extended_match_sets_equal_brute_force(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  int seen[K_NKINDS] = {0};
  for (int q = 0; q < 400; q++) {
    xclause c[3];
    char text[1024];
    int n = random_query(c, text, sizeof text);
    for (int i = 0; i < n; i++) seen[c[i].kind]++;
    uint64_t want = 0;
    for (int d = 0; d < NDOCS; d++) want += (uint64_t)xmatches(d, c, n);
    tt_results res;
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = NDOCS;
    int rc = tt_search(r, text, strlen(text), &o, &res);
    if (rc) fail_msg("query [%s]: %s", text, tt_error_last());
    if (res.total != want) fail_msg("query [%s]: %llu matches, brute force %llu", text, (unsigned long long)res.total, (unsigned long long)want);
    for (size_t h = 0; h < res.n; h++)
      if (!xmatches((int)res.hits[h].doc, c, n)) fail_msg("query [%s]: hit %llu does not match", text, (unsigned long long)res.hits[h].doc);
    /* the same set streamed */
    tt_results_fini(&res);
  }
  for (int k = 0; k < K_NKINDS; k++) assert_true(seen[k] > 10);
  tt_reader_close(r);
}

/* Pruned top-k (block-max bounds, exact-form sets, MaxScore over OR kids) equals exhaustive
 * scoring on random queries, both orders, with and without an offset. */
static void test_pruned_topk_equals_exhaustive(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *fixed[] = {"bệnh OR viện OR sức", "(bệnh viện) OR (y tế) OR (sức khỏe)", "benh OR vien OR y",
                         "thuấn OR thuận", "b*", "title:bệnh OR body:viện", "hòa -khỏe",
                         /* queries that name entities: aboutness joins the score and the bounds */
                         "bệnh viện bạch mai", "trần văn thuấn OR y tế", "person:\"Trần Văn Thuấn\" OR bệnh",
                         "hospital:\"BV Bạch Mai\" bệnh",
                         /* entity names as phrases: per-document aboutness bounds (qabout_bound) */
                         "\"trần văn thuấn\"", "\"tran van thuan\"", "\"bệnh viện bạch mai\" OR y tế",
                         /* proximity bounds from the pair sets (root AND, AND under OR) */
                         "bệnh viện", "y tế bệnh viện", "benh vien tinh", "(bệnh viện) OR y", "khỏe bệnh"};
  for (int q = 0; q < 200 + (int)(sizeof fixed / sizeof *fixed); q++) {
    xclause c[3];
    char text[1024];
    if (q < (int)(sizeof fixed / sizeof *fixed)) snprintf(text, sizeof text, "%s", fixed[q]);
    else random_query(c, text, sizeof text);
    for (int by_date = 0; by_date < 2; by_date++) {
      tt_search_options ex = TT_SEARCH_OPTIONS_INIT, pr = TT_SEARCH_OPTIONS_INIT;
      ex.exhaustive = 1;
      ex.limit = pr.limit = 5;
      ex.offset = pr.offset = q % 3;
      ex.sort_date = pr.sort_date = by_date;
      tt_results a, b;
      if (tt_search(r, text, strlen(text), &ex, &a)) fail_msg("[%s]: %s", text, tt_error_last());
      assert_int_equal(tt_search(r, text, strlen(text), &pr, &b), 0);
      assert_int_equal(a.total, b.total);
      assert_int_equal(a.n, b.n);
      for (size_t i = 0; i < a.n; i++) {
        if (a.hits[i].doc != b.hits[i].doc) fail_msg("[%s] rank %zu: exhaustive doc %llu, pruned %llu", text, i,
                                                     (unsigned long long)a.hits[i].doc, (unsigned long long)b.hits[i].doc);
        assert_true(fabs(a.hits[i].score - b.hits[i].score) < 1e-9);
      }
      tt_results_fini(&a);
      tt_results_fini(&b);
    }
  }
  tt_reader_close(r);
}

/* The flat OR path of search.c (fast_bound's per-doc tables, the "in at least j kids" filter,
 * the placing order that takes decoded blocks first): ORs of 2 to 5 words, typed with and
 * without diacritics, a kid of three syllables (more per-doc parts than fast_bound's table
 * takes), filters beside, limits 1 to 20: the pruned top k is the exhaustive one. */
static void test_flat_or_topk_equals_exhaustive(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *qs[] = {"(bệnh viện) OR (y tế)", "(benh vien) OR (y te) OR (suc khoe) OR (tiem chung)",
                      "(bệnh viện) OR (y tế) OR (sức khỏe) OR (tiêm chủng) OR (bác sĩ)",
                      "(bệnh viện bạch mai) OR (y tế) OR (sức khỏe)", "(benh vien bach mai) OR (y te)",
                      "(bệnh viện) OR (y te) -covid", "(sức khỏe) OR (bệnh nhân) date:2020..2024",
                      "bệnh viện tỉnh", "benh nhan"};
  const size_t limits[] = {1, 5, 20};
  for (size_t q = 0; q < sizeof qs / sizeof *qs; q++)
    for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
      tt_search_options ex = TT_SEARCH_OPTIONS_INIT, pr = TT_SEARCH_OPTIONS_INIT;
      ex.exhaustive = 1;
      ex.limit = pr.limit = limits[l];
      tt_results a, b;
      if (tt_search(r, qs[q], strlen(qs[q]), &ex, &a)) fail_msg("[%s]: %s", qs[q], tt_error_last());
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &pr, &b), 0);
      assert_int_equal(a.total, b.total);
      assert_int_equal(a.n, b.n);
      for (size_t i = 0; i < a.n; i++) {
        if (a.hits[i].doc != b.hits[i].doc) fail_msg("[%s] rank %zu: exhaustive doc %llu, pruned %llu", qs[q], i,
                                                     (unsigned long long)a.hits[i].doc, (unsigned long long)b.hits[i].doc);
        assert_true(fabs(a.hits[i].score - b.hits[i].score) < 1e-9);
      }
      tt_results_fini(&a);
      tt_results_fini(&b);
    }
  tt_reader_close(r);
}

/* ---- syllable pairs ------------------------------------------------------------------------
 * Phrases and the proximity bonus read the pair terms (indexer/pairs.h) where the segments have
 * them. Random phrases of 2-3 syllables (common and rare, typed with diacritics or not, strict,
 * in the title or the body, across the end of the title, negated) and multi-syllable ANDs must
 * give the brute-force match count and the very same hits and scores as the position path
 * (positions_only), on the shared index, then after deletions, then after a full merge. */
typedef struct pq { char text[512]; int nw; char w[3][64]; int field, strict, negate, isand; char ex[64]; } pq;

static int pick_pq(pq *q)
{
  memset(q, 0, sizeof *q);
  int d = (int)(tu_next() % NDOCS);
  if (ntok[d] < 3) return 0;
  int kind = (int)(tu_next() % 8);
  size_t k;
  q->nw = 2 + (int)(tu_next() % 2);
  if (kind == 7 && ntitle[d] > 0 && ntitle[d] < ntok[d]) {   /* the last title token, then the first of the body */
    k = ntitle[d] - 1;
    q->nw = 2;
  } else {
    k = tu_next() % (ntok[d] - (size_t)q->nw + 1);
    for (int i = 1; i < q->nw; i++)
      if (fpos[d][k + (size_t)i] != fpos[d][k] + (uint32_t)i) return 0;
  }
  for (int i = 0; i < q->nw; i++) {
    if (strpbrk(ftok[d][k + (size_t)i], "-/.,")) return 0;   /* compounds: covered by the round-trip test */
    snprintf(q->w[i], 64, "%s", ftok[d][k + (size_t)i]);
  }
  const char *first = tu_next() % 2 ? etok[d][k] : ftok[d][k];   /* typed with or without diacritics */
  q->field = kind == 1 ? 1 : kind == 2 ? 2 : 0;
  q->strict = kind == 3 && strcmp(etok[d][k], ftok[d][k]);
  if (q->strict) { snprintf(q->ex, 64, "%s", etok[d][k]); first = etok[d][k]; }
  q->negate = kind == 4;
  q->isand = kind == 5;
  char ph[300];
  snprintf(ph, sizeof ph, "%s%s", q->strict ? "=" : "", first);
  for (int i = 1; i < q->nw; i++) {
    strncat(ph, " ", sizeof ph - strlen(ph) - 1);
    strncat(ph, tu_next() % 2 ? etok[d][k + (size_t)i] : ftok[d][k + (size_t)i], sizeof ph - strlen(ph) - 1);
  }
  const char *fld = q->field == 1 ? "title:" : q->field == 2 ? "body:" : "";
  if (q->isand) snprintf(q->text, sizeof q->text, "%s", ph);
  else if (q->negate) snprintf(q->text, sizeof q->text, "%s -\"%s\"", q->w[0], ph);
  else snprintf(q->text, sizeof q->text, "%s\"%s\"", fld, ph);
  return 1;
}

static int has_exact(int d, const char *e)
{
  for (size_t t = 0; t < ntok[d]; t++) if (!strcmp(etok[d][t], e)) return 1;
  return 0;
}

static int pq_matches(int d, const pq *q)
{
  if (q->isand) {
    for (int i = 0; i < q->nw; i++) if (!seq_any(d, (char (*)[64])q->w[i], 1, 0)) return 0;
    return 1;
  }
  int ph = seq_any(d, (char (*)[64])q->w, q->nw, q->field) && (!q->strict || has_exact(d, q->ex));
  if (q->negate) return seq_any(d, (char (*)[64])q->w, 1, 0) && !ph;
  return ph;
}

static void same_results(tt_reader *r, const char *text, size_t limit)
{
  for (int ex = 0; ex < 2; ex++) {
    tt_search_options a = TT_SEARCH_OPTIONS_INIT, b = TT_SEARCH_OPTIONS_INIT;
    a.limit = b.limit = limit;
    a.exhaustive = b.exhaustive = ex;
    b.positions_only = 1;
    tt_results x, y;
    if (tt_search(r, text, strlen(text), &a, &x)) fail_msg("[%s]: %s", text, tt_error_last());
    assert_int_equal(tt_search(r, text, strlen(text), &b, &y), 0);
    if (x.total != y.total) fail_msg("[%s]: pairs %llu matches, positions %llu", text, (unsigned long long)x.total, (unsigned long long)y.total);
    assert_int_equal(x.n, y.n);
    for (size_t i = 0; i < x.n; i++) {
      if (x.hits[i].doc != y.hits[i].doc || x.hits[i].score != y.hits[i].score)
        fail_msg("[%s] rank %zu: pairs doc %llu score %.9f, positions doc %llu score %.9f", text, i,
                 (unsigned long long)x.hits[i].doc, x.hits[i].score, (unsigned long long)y.hits[i].doc, y.hits[i].score);
    }
    tt_results_fini(&x);
    tt_results_fini(&y);
  }
}

static void pair_round(const char *idx, const uint8_t *gone, int expect_pairs)
{
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, idx, 0), 0);
  for (uint32_t s = 0; s < r->nsegs; s++) assert_int_equal(r->segs[s].pairs, expect_pairs ? TT_PAIRS_ID : 0);
  int done = 0, listed = 0;
  while (done < 150) {
    pq q;
    if (!pick_pq(&q)) continue;
    done++;
    int all_listed = 1;
    for (int i = 0; i < q.nw; i++) all_listed &= tt_pairs_id(q.w[i], strlen(q.w[i])) >= 0;
    listed += all_listed;
    uint64_t want = 0;
    for (int d = 0; d < NDOCS; d++) want += (uint64_t)(!gone[d] && pq_matches(d, &q));
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = 0;
    tt_results res;
    if (tt_search(r, q.text, strlen(q.text), &o, &res)) fail_msg("[%s]: %s", q.text, tt_error_last());
    if (res.total != want) fail_msg("[%s]: %llu matches, brute force %llu", q.text, (unsigned long long)res.total, (unsigned long long)want);
    tt_results_fini(&res);
    same_results(r, q.text, 7);
  }
  assert_true(listed > 30);   /* most phrases take the pair path */
  tt_reader_close(r);
}

static void test_pairs_equal_positions(void **state)
{
  (void)state;
  uint8_t gone[NDOCS] = {0};
  pair_round(dir, gone, 1);
  /* a copy of the index with deletions, then merged into one segment */
  char *d2 = tu_tempdir();
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.memory_budget = (size_t)96 << 10;
  o.merge = 0;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, d2, &o), 0);
  for (int i = 0; i < NDOCS; i++) {
    tt_article a = tu_article(&docs[i]);
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  for (int i = 0; i < NDOCS; i += 7) {
    assert_int_equal(tt_writer_delete(w, docs[i].url, strlen(docs[i].url)), 0);
    gone[i] = 1;
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  pair_round(d2, gone, 1);
  assert_int_equal(tt_writer_open(&w, d2, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  pair_round(d2, gone, 1);
  assert_int_equal(tt_index_check(d2), 0);
  tu_rmrf(d2);
  free(d2);
}

/* Phase 1 takes a syllable of a phrase as placed when a pair term links it to a neighbour that
 * has a single position in the document (query/match.c, verify_phrase). Documents where the
 * pairs stand but not the phrase (the middle syllable twice, a single end syllable whose pair is
 * elsewhere) must not match; counts as the positions say, hits as the position path. */
static void test_pairs_imply(void **state)
{
  (void)state;
  char *d2 = tu_tempdir();
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, d2, NULL), 0);
  const char *bodies[] = {
    "bệnh viện trung ương",                   /* 0 */
    "bệnh viện mới và viện trung tâm",        /* 1: both pairs, viện twice */
    "bệnh viện ngày trung ương viện trung",   /* 2: bệnh once, its viện not before trung */
    "trung bệnh viện trung",                  /* 3 */
    "viện trung bệnh viện",                   /* 4: bệnh and trung once, pairs the wrong way */
    "bệnh viện trung bệnh viện trung",        /* 5 */
    "ương viện trung ương bệnh viện",         /* 6 */
    "bệnh ngày trung viện trung bệnh viện",   /* 7: bệnh twice, trung two after the first */
  };
  for (int i = 0; i < 8; i++) {
    char url[64];
    snprintf(url, sizeof url, "https://p.invalid/%d", i);
    tt_article a;
    memset(&a, 0, sizeof a);
    a.url = url; a.url_len = strlen(url);
    a.title = "ngày"; a.title_len = strlen(a.title);
    a.body = bodies[i]; a.body_len = strlen(a.body);
    a.source = "s"; a.source_len = 1;
    a.id = "";
    a.published = TT_DATE_UNKNOWN;
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, d2, 0), 0);
  for (uint32_t s = 0; s < r->nsegs; s++) assert_int_equal(r->segs[s].pairs, TT_PAIRS_ID);
  struct { const char *q; const char *docs; } cases[] = {
    {"\"bệnh viện trung\"", "035"},
    {"\"benh vien trung\"", "035"},
    {"\"viện trung ương\"", "06"},
    {"\"bệnh viện trung ương\"", "0"},
    {"\"viện trung\"", "01234567"},
    {"\"trung bệnh viện\"", "3457"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = 10;
    tt_results res;
    if (tt_search(r, cases[c].q, strlen(cases[c].q), &o, &res)) fail_msg("[%s]: %s", cases[c].q, tt_error_last());
    char got[16] = "";
    int mark[8] = {0};
    for (size_t i = 0; i < res.n; i++) mark[res.hits[i].doc] = 1;
    for (int i = 0; i < 8; i++) if (mark[i]) { size_t l = strlen(got); got[l] = (char)('0' + i); got[l + 1] = 0; }
    if (strcmp(got, cases[c].docs) || res.total != strlen(cases[c].docs))
      fail_msg("[%s]: docs %s (total %llu), expected %s", cases[c].q, got, (unsigned long long)res.total, cases[c].docs);
    tt_results_fini(&res);
    same_results(r, cases[c].q, 7);
  }
  tt_reader_close(r);
  tu_rmrf(d2);
  free(d2);
}

typedef struct each_ctx { uint64_t n, last; int ordered; tt_reader *r; } each_ctx;

static int each_cb(void *ctx, const tt_hit *h)
{
  each_ctx *e = ctx;
  if (e->n && h->doc <= e->last) e->ordered = 0;
  e->last = h->doc;
  e->n++;
  tt_doc d;
  return tt_hit_fetch(e->r, h->doc, 0, &d);
}

/* Pages of any size concatenate to one big page; every match streams, in index order; the
 * facets add up to the total. */
static void test_pages_stream_facets(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *qs[] = {"bệnh", "y tế", "benh OR tiêm", "\"bach mai\" OR thuận", "date:2021..2023 trẻ", "title:y"};
  for (size_t q = 0; q < sizeof qs / sizeof *qs; q++) {
    for (int by_date = 0; by_date < 2; by_date++) {
      tt_search_options all = TT_SEARCH_OPTIONS_INIT;
      all.limit = NDOCS;
      all.sort_date = by_date;
      all.facets = 1;
      tt_results a;
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &all, &a), 0);
      assert_int_equal(a.n, a.total);
      for (size_t page = 0; page * 7 < a.total; page++) {
        tt_search_options o = TT_SEARCH_OPTIONS_INIT;
        o.limit = 7;
        o.offset = page * 7;
        o.sort_date = by_date;
        tt_results p;
        assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &o, &p), 0);
        assert_int_equal(p.total, a.total);
        for (size_t i = 0; i < p.n; i++) assert_true(p.hits[i].doc == a.hits[page * 7 + i].doc);
        tt_results_fini(&p);
      }
      if (by_date)
        for (size_t i = 1; i < a.n; i++) assert_true(a.hits[i - 1].published >= a.hits[i].published);
      uint64_t months = 0, sources = 0;
      for (size_t i = 0; i < a.nmonths; i++) months += a.months[i].count;
      for (size_t i = 0; i < a.nsources; i++) sources += a.sources[i].count;
      assert_int_equal(months, a.total);
      assert_int_equal(sources, a.total);   /* every test article has the source "test" */
      if (a.nsources) assert_string_equal(a.sources[0].value, "test");
      each_ctx e = {0, 0, 1, r};
      uint64_t total = 0;
      assert_int_equal(tt_search_each(r, qs[q], strlen(qs[q]), NULL, 1, each_cb, &e, &total), 0);
      assert_int_equal(e.n, a.total);
      assert_int_equal(total, a.total);
      assert_true(e.ordered);
      tt_results_fini(&a);
    }
  }
  /* field keywords of the test articles: source "test", urls https://test.invalid/a/<i> */
  const char *kw[] = {"source:test", "url:test.invalid", "url:https://test.invalid/a/17", "url:a", "source:TEST"};
  uint64_t want[] = {NDOCS, NDOCS, 1, NDOCS, NDOCS};
  for (size_t q = 0; q < sizeof kw / sizeof *kw; q++) {
    tt_results res;
    assert_int_equal(tt_search(r, kw[q], strlen(kw[q]), NULL, &res), 0);
    if (res.total != want[q]) fail_msg("[%s]: %llu", kw[q], (unsigned long long)res.total);
    tt_results_fini(&res);
  }
  /* a prefix over the cap: the 256 most frequent terms (here all df 1: the first in byte order) */
  tt_results cap;
  assert_int_equal(tt_search(r, "uniq*", 5, NULL, &cap), 0);
  assert_non_null(cap.note);
  assert_int_equal(cap.total, 256);
  tt_results_fini(&cap);
  /* entity fields look up the positional term "<field>:<folded name>" */
  const char *ent[][2] = {{"person:\"Trần Văn Thuấn\"", "person:tran van thuan"},
                          {"hospital:\"Bệnh viện Bạch Mai\"", "hospital:benh vien bach mai"},
                          {"program:\"Đề án số 1816\"", "program:de an 1816"}};
  for (size_t i = 0; i < sizeof ent / sizeof *ent; i++) {
    uint64_t df = 0;
    char scratch[TT_DICT_MAX_KEY + 1];
    for (uint32_t s = 0; s < r->nsegs; s++) {
      tt_dict_entry e;
      if (tt_dict_lookup(&r->segs[s].dict, ent[i][1], strlen(ent[i][1]), &e, scratch) == 0) df += e.df;
    }
    tt_results res;
    assert_int_equal(tt_search(r, ent[i][0], strlen(ent[i][0]), NULL, &res), 0);
    if (res.total != df) fail_msg("[%s]: %llu, the dictionary says %llu", ent[i][0], (unsigned long long)res.total, (unsigned long long)df);
    tt_results_fini(&res);
  }
  tt_reader_close(r);
}

/* Date filters on an index whose articles sit on the boundaries (Vietnam time, UTC+7). */
static void test_date_boundaries(void **state)
{
  (void)state;
  char *d2 = tu_tempdir();
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, d2, NULL), 0);
  const char *dates[] = {
    "2023-12-31T23:59:59+07:00",   /* 0: last second of 2023 in Vietnam */
    "2023-12-31T17:00:00Z",        /* 1: = 2024-01-01T00:00:00+07:00 */
    "2024-06-30T23:59:59+07:00",   /* 2 */
    "2024-06-30T17:00:00Z",        /* 3: = 2024-07-01T00:00:00+07:00 */
    "2024-12-31T16:59:59Z",        /* 4: = 2024-12-31T23:59:59+07:00 */
    "2025-01-01T00:00:00+07:00",   /* 5 */
    NULL,                          /* 6: unknown date */
  };
  for (int i = 0; i < 7; i++) {
    char url[64];
    snprintf(url, sizeof url, "https://d.invalid/%d", i);
    tt_article a;
    memset(&a, 0, sizeof a);
    a.url = url; a.url_len = strlen(url);
    a.title = "ngày"; a.title_len = strlen(a.title);
    a.body = "bệnh viện"; a.body_len = strlen(a.body);
    a.source = "s"; a.source_len = 1;
    a.id = "";
    a.published = TT_DATE_UNKNOWN;
    if (dates[i]) assert_int_equal(tt_parse_date(dates[i], strlen(dates[i]), &a.published), 0);
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, d2, 0), 0);
  struct { const char *q; const char *docs; } cases[] = {
    {"date:2023", "0"},
    {"date:2024", "1234"},
    {"date:2025", "5"},
    {"date:2024-06", "2"},
    {"date:2024-07", "3"},
    {"date:2024-06-30", "2"},
    {"date:2024-07-01", "3"},
    {"date:2024-01..2024-06", "12"},
    {"date:2024-01-01..2024-06-30", "12"},
    {"date:2024-06-30..2024-07-01", "23"},
    {"date:>=2025-01-01", "5"},
    {"date:>2024-12-31", "5"},
    {"date:>2024", "5"},
    {"date:>=2024", "12345"},
    {"date:<2024", "0"},
    {"date:<=2024-01-01", "01"},
    {"date:<2024-01-01", "0"},
    {"date:2024.. bệnh", "12345"},
    {"date:..2024-06", "012"},
    {"bệnh -date:2024", "056"},
    {"bệnh", "0123456"},
    {"date:2024-01-01T00:00:00+07:00", "1"},
  };
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = 10;
    tt_results res;
    if (tt_search(r, cases[c].q, strlen(cases[c].q), &o, &res)) fail_msg("[%s]: %s", cases[c].q, tt_error_last());
    char got[16] = "";
    int mark[8] = {0};
    for (size_t i = 0; i < res.n; i++) mark[res.hits[i].doc] = 1;
    for (int i = 0; i < 8; i++) if (mark[i]) { size_t l = strlen(got); got[l] = (char)('0' + i); got[l + 1] = 0; }
    if (strcmp(got, cases[c].docs) || res.total != strlen(cases[c].docs))
      fail_msg("[%s]: docs %s, expected %s", cases[c].q, got, cases[c].docs);
    tt_results_fini(&res);
  }
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  o.facets = 1;
  tt_results res;
  assert_int_equal(tt_search(r, "bệnh", strlen("bệnh"), &o, &res), 0);
  /* 2023-12 .. 2025-01 (14 months, zeros included) + unknown */
  assert_int_equal(res.nmonths, 15);
  assert_string_equal(res.months[0].value, "2023-12");
  assert_int_equal(res.months[0].count, 1);
  assert_string_equal(res.months[1].value, "2024-01");
  assert_int_equal(res.months[1].count, 1);
  assert_string_equal(res.months[5].value, "2024-05");
  assert_int_equal(res.months[5].count, 0);
  assert_string_equal(res.months[14].value, "unknown");
  assert_int_equal(res.months[14].count, 1);
  tt_results_fini(&res);
  tt_reader_close(r);
  /* a deleted article is neither counted nor returned (the one-syllable path included) */
  assert_int_equal(tt_writer_open(&w, d2, NULL), 0);
  assert_int_equal(tt_writer_delete(w, "https://d.invalid/3", strlen("https://d.invalid/3")), 0);
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  assert_int_equal(tt_reader_open(&r, d2, 0), 0);
  const char *after[][2] = {{"bệnh", "6"}, {"date:2024", "3"}, {"ngày", "6"}, {"bệnh OR ngày", "6"}, {"\"bệnh viện\"", "6"}};
  for (size_t c = 0; c < sizeof after / sizeof *after; c++) {
    for (int lim = 0; lim < 2; lim++) {
      tt_search_options o2 = TT_SEARCH_OPTIONS_INIT;
      o2.limit = lim ? 10 : 0;
      assert_int_equal(tt_search(r, after[c][0], strlen(after[c][0]), &o2, &res), 0);
      if (res.total != (uint64_t)atoi(after[c][1])) fail_msg("[%s] after delete: %llu", after[c][0], (unsigned long long)res.total);
      assert_int_equal(res.n, lim ? res.total : 0);
      for (size_t i = 0; i < res.n; i++) {
        tt_doc dd;
        assert_int_equal(tt_hit_fetch(r, res.hits[i].doc, 0, &dd), 0);
        assert_true(strcmp(dd.url, "https://d.invalid/3") != 0);
      }
      tt_results_fini(&res);
    }
  }
  tt_reader_close(r);
  tu_rmrf(d2);
  free(d2);
}

/* Highlights cover the original bytes: NFD text, old tone placement, đ, capitals. */
static void test_snippet_highlights(void **state)
{
  (void)state;
  /* NFD: "Bệnh" = B e U+0302 U+0323 n h; old tone: "hoà", "khoẻ"; "Đề" */
  const char text[] = "Trước đó, B" "e\xCC\x82\xCC\xA3" "nh viện đã hoà nhập; sức khoẻ người dân. \xC4\x90\xE1\xBB\x81 án mới";
  char *terms[] = {"benh", "hoa", "khoe", "de", "vi*"};
  tt_snippet sn;
  assert_int_equal(tt_snippet_make(text, strlen(text), terms, 5, 400, &sn), 0);
  const char *want[] = {"B" "e\xCC\x82\xCC\xA3" "nh", "viện", "hoà", "khoẻ", "\xC4\x90\xE1\xBB\x81"};
  assert_int_equal(sn.nranges, 5);
  for (size_t i = 0; i < sn.nranges; i++) {
    size_t a = sn.ranges[i][0], b = sn.ranges[i][1];
    assert_true(a < b && b <= sn.len);
    if (b - a != strlen(want[i]) || memcmp(sn.text + a, want[i], b - a))
      fail_msg("range %zu is [%.*s], expected [%s]", i, (int)(b - a), sn.text + a, want[i]);
  }
  tt_snippet_fini(&sn);
  /* a short window: cut at token boundaries and on UTF-8 boundaries, ranges inside */
  char big[4096] = "";
  for (int i = 0; i < 60; i++) strcat(big, "người dân ");
  strcat(big, "B" "e\xCC\x82\xCC\xA3" "nh viện ");
  for (int i = 0; i < 60; i++) strcat(big, "chăm sóc ");
  char *t2[] = {"benh"};
  assert_int_equal(tt_snippet_make(big, strlen(big), t2, 1, 60, &sn), 0);
  assert_int_equal(sn.nranges, 1);
  assert_true(sn.ranges[0][1] <= sn.len);
  assert_memory_equal(sn.text + sn.ranges[0][0], "B" "e\xCC\x82\xCC\xA3" "nh", sn.ranges[0][1] - sn.ranges[0][0]);
  for (size_t i = 0; i < sn.len; i++) assert_true((unsigned char)sn.text[i] >= 0x20);
  tt_snippet_fini(&sn);
  /* no match: the start of the text, not cut inside a character */
  char *t3[] = {"zzz"};
  assert_int_equal(tt_snippet_make(big, strlen(big), t3, 1, 7, &sn), 0);
  assert_int_equal(sn.nranges, 0);
  tt_snippet_fini(&sn);
}

/* Strict matching per term: =word and --exact agree; typed without diacritics = no effect. */
static void test_exact_per_term(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_search_options strict = TT_SEARCH_OPTIONS_INIT;
  strict.exact = 1;
  const char *pairs[][2] = {{"=thuấn", "thuấn"}, {"=khoẻ", "khỏe"}, {"=hoà y", "hòa y"},
                            {"\"=bệnh =viện\"", "\"bệnh viện\""}, {"=(bệnh viện)", "bệnh viện"}};
  for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
    tt_results a, b;
    assert_int_equal(tt_search(r, pairs[i][0], strlen(pairs[i][0]), NULL, &a), 0);
    tt_search_options s1 = strict;
    if (i == 2) s1.exact = 0;
    assert_int_equal(tt_search(r, pairs[i][1], strlen(pairs[i][1]), i == 2 ? NULL : &s1, &b), 0);
    if (i != 2) assert_int_equal(a.total, b.total);
    else assert_true(a.total <= b.total);
    tt_results_fini(&a);
    tt_results_fini(&b);
  }
  tt_results a, b;
  assert_int_equal(tt_search(r, "=thuan", 6, NULL, &a), 0);
  assert_int_equal(tt_search(r, "thuan", 5, NULL, &b), 0);
  assert_int_equal(a.total, b.total);
  tt_results_fini(&a);
  tt_results_fini(&b);
  tt_reader_close(r);
}

/* A quoted phrase of minw .. minw + nspan - 1 consecutive syllables of a random document, each
 * typed with or without diacritics, into out (cap bytes); the document in *doc unless NULL.
 * Returns 0 when the draw cannot be used: the document is too short, the positions have a
 * gap, or a syllable is a compound. */
static int random_phrase(char *out, size_t cap, size_t minw, size_t nspan, int *doc)
{
  int d0 = (int)(tu_next() % NDOCS);
  if (doc) *doc = d0;
  size_t nw = minw + tu_next() % nspan;
  if (ntok[d0] < nw + 1) return 0;
  size_t k = tu_next() % (ntok[d0] - nw + 1);
  snprintf(out, cap, "\"");
  int ok = 1;
  for (size_t i = 0; i < nw && ok; i++) {
    if (fpos[d0][k + i] != fpos[d0][k] + (uint32_t)i || strpbrk(ftok[d0][k + i], "-/.,")) ok = 0;
    if (i) strncat(out, " ", cap - strlen(out) - 1);
    strncat(out, tu_next() % 2 ? etok[d0][k + i] : ftok[d0][k + i], cap - strlen(out) - 1);
  }
  if (!ok) return 0;
  strncat(out, "\"", cap - strlen(out) - 1);
  return 1;
}

/* Phase 2 places the syllables of a phrase match from the frequencies phase 1 kept
 * (query/match.c place_kept), without moving their cursors. The score of every match of random
 * phrases of 3-4 syllables (each typed with or without diacritics, so with exact-form tiers)
 * must be bit for bit the score with the syllables' cursors put on the document (a
 * document-at-a-time qseg_seek on a second parse of the query); it fails if a kept frequency
 * belongs to another syllable or another match. */
static void test_phrase_kept_place_scores(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_analyzer *an;
  assert_int_equal(tt_analyzer_new(&an), 0);
  size_t kept = 0, placed = 0;
  for (int it = 0; it < 300; it++) {
    char text[512];
    if (!random_phrase(text, sizeof text, 3, 2, NULL)) continue;
    qtree a, b;
    assert_int_equal(qtree_parse(&a, r, an, text, strlen(text), 0), 0);
    assert_int_equal(qtree_parse(&b, r, an, text, strlen(text), 0), 0);
    for (uint32_t s = 0; s < r->nsegs; s++) {
      qseg qa, qb;
      memset(&qa, 0, sizeof qa);
      memset(&qb, 0, sizeof qb);
      assert_int_equal(qseg_open(&qa, r, s, a.root, 0), 0);
      assert_int_equal(qseg_open(&qb, r, s, b.root, 0), 0);
      uint64_t *M = calloc(qa.words + 1, sizeof *M), *Mb = calloc(qa.words + 1, sizeof *Mb);
      qseg_eval(&qa, a.root, M, NULL);
      qseg_eval(&qb, b.root, Mb, NULL);
      assert_int_equal(qa.err, 0);
      assert_int_equal(qseg_restart(&qa, a.root), 0);
      assert_int_equal(qseg_rewind(&qb, b.root), 0);
      qnode *ph = a.root->kids[0];
      assert_int_equal(ph->type, Q_PHRASE);
      for (size_t w = 0; w < qa.words; w++)
        for (uint64_t m = M[w]; m; m &= m - 1) {
          uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
          qseg_place(&qa, a.root, d);
          assert_int_equal(qa.err, 0);
          placed++;
          if (ph->vdoc == d) kept++;
          double x = qseg_score(&qa, a.root, d);
          assert_int_equal(qseg_seek(&qb, b.root, d), d);
          double y = qseg_score(&qb, b.root, d);
          assert_int_equal(qb.err, 0);
          if (memcmp(&x, &y, sizeof x))
            fail_msg("[%s] segment %u doc %u: kept %.17g, cursors %.17g", text, s, d, x, y);
        }
      free(M);
      free(Mb);
    }
    qtree_free(&a);
    qtree_free(&b);
  }
  assert_true(placed > 100);
  assert_true(kept * 2 > placed);   /* most placings took the kept frequencies */
  tt_analyzer_free(an);
  tt_reader_close(r);
}


/* Phase 2's bounds of phrases from their kept scores (query/match.c): a two-syllable phrase its
 * pair term decides keeps the BM25F of the matches phase 2 bounds (qseg_keep_score), and a
 * phrase of the root kept in full bounds the windows and qseg_dbound from it (psc_window).
 * Random phrases of 2-4 syllables taken from the documents (each typed with or without
 * diacritics), alone, with a word, in the title, ORed with another, at limits 1, 5 and 20: the
 * pruned top k must be the exhaustive one (docs and scores); the lazy path must have been
 * taken. It fails when a kept bound undercuts a score (e.g. psc_window without its last doc). */
static void test_phrase_bounds_topk(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_analyzer *an;
  assert_int_equal(tt_analyzer_new(&an), 0);
  size_t lazy = 0, queries = 0;
  char prev[512] = "\"bệnh viện\"";
  for (int it = 0; it < 400; it++) {
    char ph[512];
    int d0;
    if (!random_phrase(ph, sizeof ph, 2, 3, &d0)) continue;
    {   /* the bounds phase 2 takes (as run_general sets them up) never undercut a score */
      qtree t;
      assert_int_equal(qtree_parse(&t, r, an, ph, strlen(ph), 0), 0);
      qnode *root = t.root, *p = root->kids[0];
      qnode *tiers[16];
      for (uint32_t s = 0; s < r->nsegs; s++) {
        qseg q;
        memset(&q, 0, sizeof q);
        assert_int_equal(qseg_open(&q, r, s, root, 0), 0);
        q.rank = 1;
        uint64_t *M = calloc(q.words + 1, sizeof *M);
        qseg_eval(&q, root, M, NULL);
        assert_int_equal(q.err, 0);
        lazy += p->psc_lazy;
        assert_int_equal(qseg_restart(&q, root), 0);
        if (p->psc_on && !p->psc_lazy) p->psc_win = 1;
        uint32_t win = 0;
        double wb = 0;
        int have = 0;
        for (size_t w = 0; w < q.words; w++)
          for (uint64_t m = M[w]; m; m &= m - 1) {
            uint32_t d = (uint32_t)(w * 64 + (size_t)__builtin_ctzll(m));
            if (!have || d > win) {
              win = Q_END;
              wb = qseg_bound(&q, root, d, &win);
              have = 1;
              assert_true(win >= d);
            }
            if (p->psc_lazy) assert_int_equal(qseg_keep_score(&q, p, d), 0);
            double bb = qseg_bits_bound(root, d);
            qseg_place(&q, root, d);
            int nt = 0;
            double db = qseg_dbound(&q, root, d, tiers, &nt);
            double sc = qseg_score(&q, root, d);
            assert_int_equal(q.err, 0);
            /* (the window bound leaves out the tiers: BM25F parts stay below one tier) */
            if (wb + 1e-9 < fmod(sc, Q_EXACT_TIER) || bb + 1e-9 < sc || db + 1e-9 < sc)
              fail_msg("[%s] segment %u doc %u: score %.17g, bounds window %.17g bits %.17g doc %.17g", ph, s, d, sc, wb, bb, db);
          }
        free(M);
      }
      qtree_free(&t);
    }
    char text[4][1100];
    snprintf(text[0], sizeof text[0], "%s", ph);
    snprintf(text[1], sizeof text[1], "%s %s", ph, ftok[d0][0]);
    snprintf(text[2], sizeof text[2], "title:%s", ph);
    snprintf(text[3], sizeof text[3], "%s OR %s", ph, prev);
    snprintf(prev, sizeof prev, "%s", ph);
    for (int v = 0; v < 4; v++) {
      const size_t limits[] = {1, 5, 20};
      for (size_t l = 0; l < 3; l++) {
        tt_search_options ex = TT_SEARCH_OPTIONS_INIT, pr = TT_SEARCH_OPTIONS_INIT;
        ex.exhaustive = 1;
        ex.limit = pr.limit = limits[l];
        tt_results a, b;
        if (tt_search(r, text[v], strlen(text[v]), &ex, &a)) fail_msg("[%s]: %s", text[v], tt_error_last());
        assert_int_equal(tt_search(r, text[v], strlen(text[v]), &pr, &b), 0);
        assert_int_equal(a.total, b.total);
        assert_int_equal(a.n, b.n);
        for (size_t i = 0; i < a.n; i++) {
          if (a.hits[i].doc != b.hits[i].doc || a.hits[i].score != b.hits[i].score)
            fail_msg("[%s] limit %zu rank %zu: exhaustive doc %llu %.17g, pruned %llu %.17g", text[v], limits[l], i,
                     (unsigned long long)a.hits[i].doc, a.hits[i].score, (unsigned long long)b.hits[i].doc, b.hits[i].score);
        }
        tt_results_fini(&a);
        tt_results_fini(&b);
        queries++;
      }
    }
  }
  assert_true(queries > 300);
  assert_true(lazy > 0);
  tt_analyzer_free(an);
  tt_reader_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_match_sets_equal_brute_force),
    cmocka_unit_test(test_topk_equals_exhaustive),
    cmocka_unit_test(test_diacritics),
    cmocka_unit_test(test_malformed_queries),
    cmocka_unit_test(test_extended_match_sets_equal_brute_force),
    cmocka_unit_test(test_pruned_topk_equals_exhaustive),
    cmocka_unit_test(test_flat_or_topk_equals_exhaustive),
    cmocka_unit_test(test_pairs_equal_positions),
    cmocka_unit_test(test_pairs_imply),
    cmocka_unit_test(test_pages_stream_facets),
    cmocka_unit_test(test_date_boundaries),
    cmocka_unit_test(test_snippet_highlights),
    cmocka_unit_test(test_exact_per_term),
    cmocka_unit_test(test_phrase_kept_place_scores),
    cmocka_unit_test(test_phrase_bounds_topk),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
