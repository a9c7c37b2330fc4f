/* Unit tests: xapian/shim.cc (include/timtin/xapian.h) against a real Xapian database in a
 * temporary directory. Documents go through the real analyzer (tt_analyze) and the shim's
 * term scheme; queries are built the way the benchmark builds them (folded terms). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timtin/analyze.h"
#include "timtin/errors.h"
#include "timtin/xapian.h"

typedef struct fixture {
  char dir[256];   /* temp directory */
  char db[300];    /* the database inside it */
  tt_analyzer *an;
} fixture;

typedef struct tdoc {
  const char *url, *title, *body;
} tdoc;

/* Five small articles. "bệnh", "viện", "bạch", "mai" all occur in D, but never side by side as
 * the phrase "bệnh viện bạch mai", which only A contains. */
static const tdoc DOCS[] = {
  {"https://a.vn/1", "Bệnh viện Bạch Mai chuyển giao kỹ thuật",
   "Thứ trưởng Bộ Y tế Trần Văn Thuấn tham dự chương trình tại Trung tâm Y tế huyện Văn Giang."},
  {"https://b.vn/2", "Phòng chống sốt xuất huyết",
   "Sở Y tế Hà Nội khuyến cáo người dân phòng chống sốt xuất huyết và diệt bọ gậy."},
  {"https://c.vn/3", "Tiêm chủng mở rộng cho trẻ em",
   "Bệnh viện Chợ Rẫy triển khai tiêm chủng vắc xin. Trần Văn Thuấn không tham dự."},
  {"https://d.vn/4", "Mai vàng ngày Tết",
   "Viện nghiên cứu cây trồng cho biết bệnh đốm lá trên cây mai bạch thường gặp."},
  {"https://e.vn/5", "Sức khoẻ người cao tuổi",
   "Giữ gìn sức khỏe mỗi ngày: đi bộ, ăn uống điều độ, khám sức khỏe định kỳ."},
};
#define NDOCS (sizeof DOCS / sizeof DOCS[0])

static int index_doc(tt_xap_writer *w, tt_xap_doc *d, tt_analyzer *an, const tdoc *t)
{
  tt_analysis a;
  tt_xap_doc_reset(d);
  if (tt_analyze(an, t->title, strlen(t->title), 0, &a)) return -1;
  uint32_t body = a.n ? a.tokens[a.n - 1].pos + 1 + 100 : 0;
  if (tt_xap_doc_add_tokens(d, a.tokens, a.n, TT_XAP_FIELD_TITLE, 2) < 0) return -1;
  if (tt_analyze(an, t->body, strlen(t->body), body, &a)) return -1;
  if (tt_xap_doc_add_tokens(d, a.tokens, a.n, TT_XAP_FIELD_BODY, 1) < 0) return -1;
  if (tt_xap_doc_set_id(d, t->url, strlen(t->url))) return -1;
  if (tt_xap_doc_set_data(d, t->url, strlen(t->url))) return -1;
  if (tt_xap_doc_add_value_number(d, TT_XAP_SLOT_DATE, 1718000000.0)) return -1;
  return tt_xap_writer_replace(w, d, NULL);
}

static int setup(void **state)
{
  fixture *f = calloc(1, sizeof *f);
  if (!f) return -1;
  const char *tmp = getenv("TMPDIR");
  snprintf(f->dir, sizeof f->dir, "%s/tt_xapian_XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(f->dir)) return -1;
  snprintf(f->db, sizeof f->db, "%s/db", f->dir);
  if (tt_analyzer_new(&f->an)) return -1;

  tt_xap_writer *w = NULL;
  tt_xap_doc *d = NULL;
  tt_xap_writer_options o = TT_XAP_WRITER_OPTIONS_INIT;
  o.flush_threshold = 1000;
  if (tt_xap_writer_open(&w, f->db, &o) || tt_xap_doc_new(&d)) return -1;
  for (size_t i = 0; i < NDOCS; i++)
    if (index_doc(w, d, f->an, &DOCS[i])) {
      fprintf(stderr, "index: %s\n", tt_error_last());
      return -1;
    }
  tt_xap_doc_free(d);
  if (tt_xap_writer_close(w)) return -1; /* commits */
  *state = f;
  return 0;
}

static int teardown(void **state)
{
  fixture *f = *state;
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
  if (system(cmd) != 0) fprintf(stderr, "could not remove %s\n", f->dir);
  tt_analyzer_free(f->an);
  free(f);
  return 0;
}

/* Query helpers: a word's folded term ("Bạch" -> "bach"), prefixed or not. */
static tt_xap_query *word(fixture *f, const char *prefix, const char *w, int exact)
{
  char t[256];
  size_t p = strlen(prefix);
  memcpy(t, prefix, p);
  int n = tt_normalize_word(w, strlen(w), !exact, t + p, sizeof t - p);
  assert_true(n > 0);
  tt_xap_query *q = NULL;
  assert_int_equal(tt_xap_query_term(&q, t, p + (size_t)n, 1, 0), 0);
  return q;
}

/* Combine words (folded, unprefixed) with op. */
static tt_xap_query *words(fixture *f, int op, uint32_t window, const char *const *ws, size_t n)
{
  tt_xap_query *leaf[16] = {NULL}, *q = NULL;
  assert_true(n >= 1 && n <= 16);
  for (size_t i = 0; i < n; i++) leaf[i] = word(f, "", ws[i], 0);
  assert_int_equal(tt_xap_query_combine(&q, op, leaf, n, window), 0);
  for (size_t i = 0; i < n; i++) tt_xap_query_free(leaf[i]);
  return q;
}

/* Run q and return a bitmask of the matching DOCS (by the URL in the data); *total gets the
 * exact count, which must equal the number of hits (limit is larger than the corpus). */
static unsigned run(fixture *f, const tt_xap_query *q, uint64_t *total)
{
  tt_xap_reader *r = NULL;
  const char *paths[] = {f->db};
  assert_int_equal(tt_xap_reader_open(&r, paths, 1), 0);
  tt_xap_search_options o = TT_XAP_SEARCH_OPTIONS_INIT;
  o.limit = 100;
  o.flags = TT_XAP_SEARCH_EXACT_COUNT;
  tt_xap_results *res = NULL;
  assert_int_equal(tt_xap_search(&res, r, q, &o), 0);
  uint64_t lo, est, hi;
  assert_int_equal(tt_xap_results_count(res, &lo, &est, &hi), 1);
  assert_int_equal(lo, hi);
  assert_int_equal(est, tt_xap_results_size(res));
  unsigned mask = 0;
  double last = 1e300;
  for (size_t i = 0; i < tt_xap_results_size(res); i++) {
    tt_xap_hit h;
    assert_int_equal(tt_xap_results_hit(res, i, &h), 0);
    assert_true(h.weight <= last); /* ranked */
    last = h.weight;
    size_t k = 0;
    for (; k < NDOCS; k++)
      if (h.data_len == strlen(DOCS[k].url) && !memcmp(h.data, DOCS[k].url, h.data_len)) break;
    assert_true(k < NDOCS);
    mask |= 1u << k;
  }
  tt_xap_hit h;
  assert_int_equal(tt_xap_results_hit(res, tt_xap_results_size(res), &h), TT_EINVAL);
  if (total) *total = est;
  tt_xap_results_free(res);
  tt_xap_reader_close(r);
  return mask;
}

#define A 1u
#define B 2u
#define C 4u
#define D 8u
#define E 16u

static void test_and_or(void **state)
{
  fixture *f = *state;
  uint64_t total;
  const char *bm[] = {"bạch", "mai"};
  tt_xap_query *q = words(f, TT_XAP_OP_AND, 0, bm, 2);
  assert_int_equal(run(f, q, &total), A | D);
  assert_int_equal(total, 2);
  tt_xap_query_free(q);

  const char *any[] = {"gậy", "vắc", "khoẻ"};
  q = words(f, TT_XAP_OP_OR, 0, any, 3);
  assert_int_equal(run(f, q, &total), B | C | E);
  assert_int_equal(total, 3);
  tt_xap_query_free(q);

  /* diacritic-free query text folds to the same terms */
  const char *plain[] = {"tran", "van", "thuan"};
  q = words(f, TT_XAP_OP_AND, 0, plain, 3);
  assert_int_equal(run(f, q, NULL), A | C);
  tt_xap_query_free(q);

  /* AND_NOT */
  tt_xap_query *pair[2] = {word(f, "", "thuấn", 0), word(f, "", "chợ", 0)};
  assert_int_equal(tt_xap_query_combine(&q, TT_XAP_OP_AND_NOT, pair, 2, 0), 0);
  assert_int_equal(run(f, q, NULL), A);
  tt_xap_query_free(q);
  tt_xap_query_free(pair[0]);
  tt_xap_query_free(pair[1]);
}

static void test_phrase_positions(void **state)
{
  fixture *f = *state;
  uint64_t total;
  const char *bvbm[] = {"bệnh", "viện", "bạch", "mai"};
  tt_xap_query *q = words(f, TT_XAP_OP_AND, 0, bvbm, 4);
  assert_int_equal(run(f, q, NULL), A | D);
  tt_xap_query_free(q);
  q = words(f, TT_XAP_OP_PHRASE, 0, bvbm, 4);
  assert_int_equal(run(f, q, &total), A);
  assert_int_equal(total, 1);
  tt_xap_query_free(q);

  /* order matters for PHRASE, not for NEAR */
  const char *rev[] = {"mai", "bạch"};
  q = words(f, TT_XAP_OP_PHRASE, 0, rev, 2);
  assert_int_equal(run(f, q, NULL), D); /* "cây mai bạch" */
  tt_xap_query_free(q);
  q = words(f, TT_XAP_OP_NEAR, 2, rev, 2);
  assert_int_equal(run(f, q, NULL), A | D);
  tt_xap_query_free(q);

  /* positions of the title and the body do not run into each other */
  const char *cross[] = {"thuật", "thứ"};
  q = words(f, TT_XAP_OP_PHRASE, 0, cross, 2);
  assert_int_equal(run(f, q, NULL), 0);
  tt_xap_query_free(q);
}

static void test_term_scheme(void **state)
{
  fixture *f = *state;
  /* E: exact forms. "khoẻ" (old tone placement) and "khỏe" share one exact form. */
  tt_xap_query *q = word(f, TT_XAP_PREFIX_EXACT, "khỏe", 1);
  assert_int_equal(run(f, q, NULL), E);
  tt_xap_query_free(q);
  q = word(f, TT_XAP_PREFIX_EXACT, "bạch", 1);
  assert_int_equal(run(f, q, NULL), A | D);
  tt_xap_query_free(q);
  /* S: title terms only. "tiêm" is in C's title; "viện" in A's title, C's and D's bodies. */
  q = word(f, TT_XAP_PREFIX_TITLE, "tiem", 0);
  assert_int_equal(run(f, q, NULL), C);
  tt_xap_query_free(q);
  q = word(f, TT_XAP_PREFIX_TITLE, "vien", 0);
  assert_int_equal(run(f, q, NULL), A);
  tt_xap_query_free(q);
  /* Q: the id term */
  char id[TT_XAP_MAX_TERM + 1];
  int n = tt_xap_id_term(DOCS[1].url, strlen(DOCS[1].url), id, sizeof id);
  assert_int_equal(n, 1 + (int)strlen(DOCS[1].url));
  assert_int_equal(tt_xap_query_term(&q, id, (size_t)n, 1, 0), 0);
  assert_int_equal(run(f, q, NULL), B);
  tt_xap_query_free(q);
  /* A long URL becomes a short hashed id term. */
  char longurl[400];
  memset(longurl, 'x', sizeof longurl);
  n = tt_xap_id_term(longurl, sizeof longurl, id, sizeof id);
  assert_int_equal(n, 1 + 1 + 16);
  assert_memory_equal(id, "Q#", 2);
  /* title weight: "mai" is in A's and D's titles and D's body; D has more of it */
  tt_xap_query *m = word(f, "", "mai", 0);
  tt_xap_reader *r = NULL;
  const char *paths[] = {f->db};
  assert_int_equal(tt_xap_reader_open(&r, paths, 1), 0);
  tt_xap_results *res = NULL;
  assert_int_equal(tt_xap_search(&res, r, m, NULL), 0);
  assert_int_equal(tt_xap_results_size(res), 2);
  tt_xap_hit h;
  assert_int_equal(tt_xap_results_hit(res, 0, &h), 0);
  assert_memory_equal(h.data, DOCS[3].url, h.data_len);
  tt_xap_results_free(res);
  /* offset and limit; NO_DATA */
  tt_xap_search_options o = TT_XAP_SEARCH_OPTIONS_INIT;
  o.offset = 1;
  o.limit = 5;
  o.flags = TT_XAP_SEARCH_NO_DATA;
  assert_int_equal(tt_xap_search(&res, r, m, &o), 0);
  assert_int_equal(tt_xap_results_size(res), 1);
  assert_int_equal(tt_xap_results_hit(res, 0, &h), 0);
  assert_null(h.data);
  tt_xap_results_free(res);
  uint64_t dc = 0;
  assert_int_equal(tt_xap_reader_doccount(r, &dc), 0);
  assert_int_equal(dc, NDOCS);
  tt_xap_reader_close(r);
  tt_xap_query_free(m);
}

static void test_replace_by_url(void **state)
{
  fixture *f = *state;
  const char *sxh[] = {"sốt", "xuất", "huyết"};
  tt_xap_query *q = words(f, TT_XAP_OP_PHRASE, 0, sxh, 3);
  assert_int_equal(run(f, q, NULL), B);

  tt_xap_writer *w = NULL;
  tt_xap_doc *d = NULL;
  tt_xap_writer_options o = TT_XAP_WRITER_OPTIONS_INIT;
  o.mode = TT_XAP_CREATE_OR_OPEN;
  assert_int_equal(tt_xap_writer_open(&w, f->db, &o), 0);
  assert_int_equal(tt_xap_doc_new(&d), 0);
  tdoc nb = {DOCS[1].url, "Phòng chống dịch", "Hà Nội không còn ổ dịch mới."};
  assert_int_equal(index_doc(w, d, f->an, &nb), 0);
  /* a second writer is refused while the first holds the lock */
  tt_xap_writer *w2 = NULL;
  assert_int_equal(tt_xap_writer_open(&w2, f->db, &o), TT_ELOCKED);
  assert_null(w2);
  assert_true(strstr(tt_error_last(), f->db) != NULL);
  uint64_t n = 0;
  assert_int_equal(tt_xap_writer_doccount(w, &n), 0);
  assert_int_equal(n, NDOCS); /* replaced, not added */
  assert_int_equal(tt_xap_writer_commit(w), 0);
  assert_int_equal(tt_xap_writer_close(w), 0);

  assert_int_equal(run(f, q, NULL), 0);
  tt_xap_query_free(q);
  q = word(f, "", "dich", 0);
  assert_int_equal(run(f, q, NULL), B);
  tt_xap_query_free(q);

  /* put the original back, then delete and restore it, so test order does not matter */
  assert_int_equal(tt_xap_writer_open(&w, f->db, &o), 0);
  assert_int_equal(tt_xap_writer_delete(w, DOCS[1].url, strlen(DOCS[1].url)), 0);
  assert_int_equal(tt_xap_writer_doccount(w, &n), 0);
  assert_int_equal(n, NDOCS - 1);
  assert_int_equal(tt_xap_writer_delete(w, "https://nowhere", 15), 0);
  assert_int_equal(index_doc(w, d, f->an, &DOCS[1]), 0);
  assert_int_equal(tt_xap_writer_close(w), 0);
  tt_xap_doc_free(d);
  q = words(f, TT_XAP_OP_PHRASE, 0, sxh, 3);
  assert_int_equal(run(f, q, NULL), B);
  tt_xap_query_free(q);
}

static void test_shards(void **state)
{
  fixture *f = *state;
  /* a second database with one more article, searched together with the first */
  char db2[320];
  snprintf(db2, sizeof db2, "%s/db2", f->dir);
  tt_xap_writer *w = NULL;
  tt_xap_doc *d = NULL;
  assert_int_equal(tt_xap_writer_open(&w, db2, NULL), 0);
  assert_int_equal(tt_xap_doc_new(&d), 0);
  tdoc x = {"https://x.vn/6", "Bệnh viện Bạch Mai mở rộng", "Bệnh viện Bạch Mai khánh thành khu mới."};
  assert_int_equal(index_doc(w, d, f->an, &x), 0);
  assert_int_equal(tt_xap_writer_close(w), 0);
  tt_xap_doc_free(d);

  const char *paths[] = {f->db, db2};
  tt_xap_reader *r = NULL;
  assert_int_equal(tt_xap_reader_open(&r, paths, 2), 0);
  uint64_t n = 0;
  assert_int_equal(tt_xap_reader_doccount(r, &n), 0);
  assert_int_equal(n, NDOCS + 1);
  const char *bvbm[] = {"benh", "vien", "bach", "mai"};
  tt_xap_query *q = words(f, TT_XAP_OP_PHRASE, 0, bvbm, 4);
  tt_xap_search_options o = TT_XAP_SEARCH_OPTIONS_INIT;
  o.flags = TT_XAP_SEARCH_EXACT_COUNT;
  tt_xap_results *res = NULL;
  assert_int_equal(tt_xap_search(&res, r, q, &o), 0);
  uint64_t est;
  assert_int_equal(tt_xap_results_count(res, NULL, &est, NULL), 1);
  assert_int_equal(est, 2);
  tt_xap_hit h;
  assert_int_equal(tt_xap_results_hit(res, 0, &h), 0);
  assert_memory_equal(h.data, x.url, h.data_len); /* two mentions and the title */
  tt_xap_results_free(res);
  tt_xap_query_free(q);
  assert_int_equal(tt_xap_reader_reopen(r), 0);
  tt_xap_reader_close(r);
}

static void test_errors(void **state)
{
  fixture *f = *state;
  tt_xap_reader *r = (tt_xap_reader *)&r; /* must be reset to NULL on failure */
  const char *bad[] = {"/nonexistent/timtin/xapian-db"};
  int rc = tt_xap_reader_open(&r, bad, 1);
  assert_true(rc < 0);
  assert_null(r);
  assert_true(strstr(tt_error_last(), "/nonexistent/timtin/xapian-db") != NULL);
  assert_true(strstr(tt_error_last(), "Xapian") != NULL);

  /* a shard list with one bad path names that path */
  const char *mixed[] = {f->db, "/nonexistent/shard2"};
  assert_true(tt_xap_reader_open(&r, mixed, 2) < 0);
  assert_true(strstr(tt_error_last(), "/nonexistent/shard2") != NULL);

  /* a directory that is not a database, and a writer under a regular file */
  const char *notdb[] = {f->dir};
  assert_true(tt_xap_reader_open(&r, notdb, 1) < 0);
  tt_xap_writer *w = NULL;
  assert_true(tt_xap_writer_open(&w, "/dev/null/db", NULL) < 0);
  assert_null(w);
  assert_true(strstr(tt_error_last(), "/dev/null/db") != NULL);
  tt_xap_writer_options o = TT_XAP_WRITER_OPTIONS_INIT;
  o.version = 99;
  assert_int_equal(tt_xap_writer_open(&w, f->db, &o), TT_EINVAL);
  o = (tt_xap_writer_options)TT_XAP_WRITER_OPTIONS_INIT;
  o.mode = TT_XAP_OPEN;
  char missing[320];
  snprintf(missing, sizeof missing, "%s/missing", f->dir);
  assert_true(tt_xap_writer_open(&w, missing, &o) < 0);
  assert_null(w);
  assert_int_equal(tt_xap_reader_open(&r, NULL, 0), TT_EINVAL);

  /* terms over the limit are refused up front, not at the next flush */
  tt_xap_doc *d = NULL;
  assert_int_equal(tt_xap_doc_new(&d), 0);
  char big[TT_XAP_MAX_TERM + 10];
  memset(big, 'a', sizeof big);
  assert_int_equal(tt_xap_doc_add_posting(d, big, sizeof big, 1, 1), TT_EINVAL);
  assert_int_equal(tt_xap_doc_add_posting(d, big, 0, 1, 1), TT_EINVAL);
  assert_int_equal(tt_xap_doc_add_term(d, big, TT_XAP_MAX_TERM, 1), 0);
  assert_int_equal(tt_xap_doc_add_boolean_term(d, "XSOURCE", 7), 0);
  assert_int_equal(tt_xap_doc_add_value(d, 3, "abc", 3), 0);
  assert_int_equal(tt_xap_doc_add_value(d, 0xFFFFFFFFu, "abc", 3), TT_EINVAL);
  tt_token t = {big, big, sizeof big, sizeof big, 0, 0, 0, 0};
  assert_int_equal(tt_xap_doc_add_tokens(d, &t, 1, TT_XAP_FIELD_BODY, 1), 1); /* skipped */
  assert_int_equal(tt_xap_doc_add_tokens(d, &t, 1, 7, 1), TT_EINVAL);
  tt_xap_doc_free(d);
  assert_int_equal(tt_xap_writer_replace(NULL, NULL, NULL), TT_EINVAL);

  /* query builder misuse */
  tt_xap_query *q = NULL, *leaf = NULL;
  assert_int_equal(tt_xap_query_term(&q, big, sizeof big, 1, 0), TT_EINVAL);
  assert_int_equal(tt_xap_query_combine(&q, TT_XAP_OP_AND, NULL, 0, 0), TT_EINVAL);
  assert_int_equal(tt_xap_query_term(&leaf, "a", 1, 1, 0), 0);
  assert_int_equal(tt_xap_query_combine(&q, 99, &leaf, 1, 0), TT_EINVAL);
  assert_int_equal(tt_xap_query_combine(&q, TT_XAP_OP_AND, &leaf, 1, 3), TT_EINVAL);
  assert_int_equal(tt_xap_query_scale(&q, leaf, -1.0), TT_EINVAL);
  assert_int_equal(tt_xap_query_scale(&q, leaf, 2.0), 0);
  char desc[128];
  assert_true(tt_xap_query_describe(q, desc, sizeof desc) > 0);
  assert_true(strstr(desc, "2 * a") != NULL); /* Xapian writes OP_SCALE_WEIGHT as "2 * a" */
  tt_xap_query_free(q);
  tt_xap_query_free(leaf);

  /* remote: nothing listens on port 1 */
  const char *p1[] = {f->db};
  assert_int_equal(tt_xap_reader_open(&r, p1, 1), 0);
  assert_true(tt_xap_reader_add_remote(r, "127.0.0.1", 1, 500) < 0);
  assert_true(strstr(tt_error_last(), "127.0.0.1:1") != NULL);
  tt_xap_search_options so = TT_XAP_SEARCH_OPTIONS_INIT;
  so.b = 2.0;
  tt_xap_results *res = NULL;
  assert_int_equal(tt_xap_query_term(&q, "mai", 3, 1, 0), 0);
  assert_int_equal(tt_xap_search(&res, r, q, &so), TT_EINVAL);
  assert_null(res);
  tt_xap_query_free(q);
  tt_xap_reader_close(r);

  tt_xap_writer_close(NULL);
  tt_xap_reader_close(NULL);
  tt_xap_query_free(NULL);
  tt_xap_results_free(NULL);
  tt_xap_doc_free(NULL);
  assert_non_null(tt_xap_version());
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_and_or),
    cmocka_unit_test(test_phrase_positions),
    cmocka_unit_test(test_term_scheme),
    cmocka_unit_test(test_replace_by_url),
    cmocka_unit_test(test_shards),
    cmocka_unit_test(test_errors),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
