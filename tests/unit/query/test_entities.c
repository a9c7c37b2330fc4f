/* Entity features on a real index: the "ent:" terms and tt_entity_list_get (counts over the
 * index and over a query, deleted articles not counted, most frequent spelling and role), the
 * per-article tally agreeing with the indexed postings, aboutness ranking (title > early and
 * often > in passing, for the field and for the plain name), pruned top-k still equal to
 * exhaustive scoring, and entity field aliases ("BV Bạch Mai"). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <math.h>
#include <stdint.h>

#include "../indexer/index_testutil.h"
#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"
#include "timtin/entities.h"
#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

static char *dir;

/* Filler sentences without any entity. */
static const char *filler[] = {
  "Người dân cần chủ động đi khám sức khỏe định kỳ và giữ thói quen ăn uống lành mạnh. ",
  "Các chuyên gia khuyến cáo tiêm chủng đầy đủ cho trẻ em trước mùa dịch. ",
  "Nhiều văn bản hướng dẫn về phòng chống dịch đã được gửi tới các địa phương. ",
  "Công tác chăm sóc người cao tuổi được nhiều gia đình quan tâm hơn trước. ",
};

static char *body_of(const char *head, int nfill, const char *tail)
{
  size_t cap = strlen(head) + strlen(tail) + (size_t)nfill * 120 + 1;
  char *b = malloc(cap);
  strcpy(b, head);
  for (int i = 0; i < nfill; i++) strcat(b, filler[i % 4]);
  strcat(b, tail);
  return b;
}

#define NDOC 24
static char *bodies[NDOC];
static char titles[NDOC][200];
static char urls[NDOC][64];

/* doc 0: names the official in the title; doc 1: early and often in the body; doc 2: once, in
 * passing, at the end of a short article full of "văn" and "trần" (which BM25 alone likes);
 * docs 3..: other officials (roles vary), hospitals written "BV"/"BVĐK", filler. */
static void make_docs(void)
{
  snprintf(titles[0], sizeof titles[0], "Thứ trưởng Trần Văn Thuấn kiểm tra công tác phòng dịch");
  bodies[0] = body_of("", 12, "");
  snprintf(titles[1], sizeof titles[1], "Tập huấn chuyển giao kỹ thuật cho tuyến tỉnh");
  bodies[1] = body_of("Thứ trưởng Bộ Y tế Trần Văn Thuấn chủ trì buổi tập huấn. Thứ trưởng Trần Văn Thuấn nhấn mạnh "
                      "vai trò của tuyến cơ sở. Ông Thuấn đề nghị các bệnh viện phối hợp. ", 12, "");
  snprintf(titles[2], sizeof titles[2], "Văn bản mới về văn hóa ứng xử trong bệnh viện");
  bodies[2] = body_of("Văn bản nêu rõ văn hóa ứng xử, văn phong và trần nhà khoa khám bệnh. ", 1,
                      "Buổi lễ có sự tham dự của Thứ trưởng Trần Văn Thuấn.");
  for (int i = 3; i < NDOC; i++) {
    switch (i % 4) {
    case 0:
      snprintf(titles[i], sizeof titles[i], "Giám đốc Sở Y tế Hà Nội thăm BV Bạch Mai");
      bodies[i] = body_of("PGS.TS. Nguyễn Thị Hoa, Giám đốc Bệnh viện Bạch Mai, cho biết. ", 3, "");
      break;
    case 1:
      snprintf(titles[i], sizeof titles[i], "Bệnh viện Bạch Mai mở rộng khoa cấp cứu");
      bodies[i] = body_of("Bác sĩ Nguyễn Thị Hoa cho biết BV Bạch Mai đã sẵn sàng. ", 2, "");
      break;
    case 2:
      snprintf(titles[i], sizeof titles[i], "BVĐK tỉnh Lai Châu triển khai Đề án 1816");
      bodies[i] = body_of("Theo Đề án số 1816, Bệnh viện Đa khoa tỉnh Lai Châu nhận chuyển giao kỹ thuật. ", 2, "");
      break;
    default:
      snprintf(titles[i], sizeof titles[i], "Lời khuyên cho mùa hè");
      bodies[i] = body_of("", 4, "");
      break;
    }
  }
}

static int setup(void **state)
{
  (void)state;
  dir = tu_tempdir();
  make_docs();
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.merge = 0;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, &o), 0);
  for (int i = 0; i < NDOC; i++) {
    snprintf(urls[i], sizeof urls[i], "https://e.invalid/%d", i);
    tt_article a = {urls[i], strlen(urls[i]), titles[i], strlen(titles[i]), "test", 4,
                    bodies[i], strlen(bodies[i]), "", 0, 1718000000 + i};
    assert_int_equal(tt_writer_add(w, &a), 0);
    if (i == NDOC / 2) assert_int_equal(tt_writer_commit(w), 0);   /* two segments */
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  (void)tu_make;      /* of the shared helpers, only the temp directories are used here */
  (void)tu_article;
  tu_rmrf(dir);
  free(dir);
  for (int i = 0; i < NDOC; i++) free(bodies[i]);
  return 0;
}

static const tt_entity_stat *find(const tt_entity_list *l, int type, const char *key)
{
  for (size_t i = 0; i < l->n; i++)
    if (l->v[i].type == type && !strcmp(l->v[i].key, key)) return &l->v[i];
  return NULL;
}

static uint64_t brute_count(const char *needle, const uint8_t *deleted)
{
  uint64_t n = 0;
  for (int i = 0; i < NDOC; i++)
    if (!(deleted && deleted[i]) && (strstr(titles[i], needle) || strstr(bodies[i], needle))) n++;
  return n;
}

static void test_entity_list(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 1), 0);
  tt_entity_list l;
  assert_int_equal(tt_entity_list_get(r, NULL, 0, NULL, 0, 10, &l), 0);
  assert_int_equal(l.matches, NDOC);
  const tt_entity_stat *t = find(&l, TT_ENT_PERSON, "tran van thuan");
  assert_non_null(t);
  assert_int_equal(t->articles, 3);
  assert_string_equal(t->name, "Trần Văn Thuấn");
  assert_string_equal(t->role, "Thứ trưởng");   /* 2 articles say "Thứ trưởng", 1 "Thứ trưởng Bộ Y tế" */
  const tt_entity_stat *h = find(&l, TT_ENT_PERSON, "nguyen thi hoa");
  assert_non_null(h);
  assert_int_equal(h->articles, brute_count("Nguyễn Thị Hoa", NULL));
  assert_string_equal(h->role, "Giám đốc Bệnh viện Bạch Mai");   /* the only non-empty role wins */
  const tt_entity_stat *bm = find(&l, TT_ENT_HOSPITAL, "benh vien bach mai");
  assert_non_null(bm);
  assert_string_equal(bm->name, "Bệnh viện Bạch Mai");
  assert_int_equal(bm->articles, brute_count("Bạch Mai", NULL));
  const tt_entity_stat *p = find(&l, TT_ENT_PROGRAM, "de an 1816");
  assert_non_null(p);
  assert_int_equal(p->articles, brute_count("1816", NULL));
  /* ordered by type, then count */
  for (size_t i = 1; i < l.n; i++) {
    assert_true(l.v[i - 1].type <= l.v[i].type);
    if (l.v[i - 1].type == l.v[i].type) assert_true(l.v[i - 1].articles >= l.v[i].articles);
  }
  tt_entity_list_fini(&l);

  /* limit and type: the single top hospital is the most mentioned one */
  assert_int_equal(tt_entity_list_get(r, NULL, 0, NULL, TT_ENT_HOSPITAL, 1, &l), 0);
  assert_int_equal(l.n, 1);
  assert_int_equal(l.v[0].type, TT_ENT_HOSPITAL);
  assert_string_equal(l.v[0].key, "benh vien bach mai");
  tt_entity_list_fini(&l);

  /* as the facet of a query: only the matching articles count */
  const char *q = "title:\"bạch mai\"";
  assert_int_equal(tt_entity_list_get(r, q, strlen(q), NULL, 0, 10, &l), 0);
  uint64_t want = 0;
  for (int i = 0; i < NDOC; i++) want += strstr(titles[i], "Bạch Mai") != NULL;
  assert_int_equal(l.matches, want);
  bm = find(&l, TT_ENT_HOSPITAL, "benh vien bach mai");
  assert_non_null(bm);
  assert_int_equal(bm->articles, want);
  assert_null(find(&l, TT_ENT_PERSON, "tran van thuan"));
  tt_entity_list_fini(&l);

  /* errors */
  assert_int_equal(tt_entity_list_get(r, "(", 1, NULL, 0, 10, &l), TT_ESYNTAX);
  assert_int_equal(l.n, 0);
  assert_int_equal(tt_entity_list_get(r, NULL, 0, NULL, 7, 10, &l), TT_EINVAL);
  tt_reader_close(r);
}

/* Deleted articles do not count (postings walked against the deletion bitmap). */
static void test_entity_list_deletions(void **state)
{
  (void)state;
  char *d2 = tu_tempdir();
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, d2, NULL), 0);
  for (int i = 0; i < NDOC; i++) {
    tt_article a = {urls[i], strlen(urls[i]), titles[i], strlen(titles[i]), "test", 4,
                    bodies[i], strlen(bodies[i]), "", 0, 1718000000 + i};
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  uint8_t del[NDOC] = {0};
  for (int i = 0; i < NDOC; i += 3) {
    assert_int_equal(tt_writer_delete(w, urls[i], strlen(urls[i])), 0);
    del[i] = 1;
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, d2, 0), 0);
  tt_entity_list l;
  assert_int_equal(tt_entity_list_get(r, NULL, 0, NULL, 0, 50, &l), 0);
  uint64_t live = 0;
  for (int i = 0; i < NDOC; i++) live += !del[i];
  assert_int_equal(l.matches, live);
  const tt_entity_stat *bm = find(&l, TT_ENT_HOSPITAL, "benh vien bach mai");
  assert_non_null(bm);
  assert_int_equal(bm->articles, brute_count("Bạch Mai", del));
  const tt_entity_stat *t = find(&l, TT_ENT_PERSON, "tran van thuan");
  assert_non_null(t);
  assert_int_equal(t->articles, 2);   /* doc 0 deleted */
  tt_entity_list_fini(&l);
  tt_reader_close(r);
  tu_rmrf(d2);
  free(d2);
}

/* The tally of an article (what `search --json` shows) agrees with the indexed postings. */
static void test_tally_matches_postings(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_analyzer *an;
  tt_entities *e;
  tt_entity_tally *t;
  assert_int_equal(tt_analyzer_new(&an), 0);
  assert_int_equal(tt_entities_new(&e), 0);
  assert_int_equal(tt_entity_tally_new(&t), 0);
  int checked = 0;
  for (uint32_t d = 0; d < NDOC; d++) {
    tt_entity_tally_reset(t);
    tt_analysis ta, tb;
    const tt_entity_mention *m;
    size_t n;
    assert_int_equal(tt_analyze(an, titles[d], strlen(titles[d]), 0, &ta), 0);
    assert_int_equal(tt_entities_find(e, titles[d], strlen(titles[d]), &ta, 0, &m, &n), 0);
    assert_int_equal(tt_entity_tally_add(t, m, n, &ta), 0);
    uint32_t tend = (uint32_t)ta.n + 1;
    assert_int_equal(tt_analyze(an, bodies[d], strlen(bodies[d]), tend, &tb), 0);
    assert_int_equal(tt_entities_find(e, bodies[d], strlen(bodies[d]), &tb, TT_ENT_CONTINUE, &m, &n), 0);
    assert_int_equal(tt_entity_tally_add(t, m, n, &tb), 0);
    const tt_entity_summary *s;
    assert_int_equal(tt_entity_tally_get(t, tend, &s, &n), 0);
    uint32_t seg = d <= NDOC / 2 ? 0 : 1, local = d <= NDOC / 2 ? d : d - (NDOC / 2 + 1);
    for (size_t i = 0; i < n; i++) {
      if (i) assert_true(s[i - 1].first_pos <= s[i].first_pos);
      char key[300], scratch[TT_DICT_MAX_KEY + 1];
      snprintf(key, sizeof key, "%s:%s", tt_entity_type_name(s[i].type), s[i].key);
      tt_dict_entry de;
      assert_int_equal(tt_dict_lookup(&r->segs[seg].dict, key, strlen(key), &de, scratch), 0);
      tt_plist_cursor c;
      assert_int_equal(tt_plist_open(&c, r->segs[seg].post.data + de.post_off, de.post_len, 1), 0);
      assert_int_equal(tt_plist_seek(&c, local), 0);
      assert_int_equal(tt_plist_doc(&c), local);
      assert_int_equal(tt_plist_tf_title(&c), s[i].title_mentions);
      assert_int_equal(tt_plist_tf_title(&c) + tt_plist_tf_body(&c), s[i].mentions);
      const uint32_t *pos;
      uint32_t np;
      assert_int_equal(tt_plist_positions(&c, &pos, &np), 0);
      assert_int_equal(pos[0], s[i].first_pos);
      tt_plist_close(&c);
      checked++;
    }
  }
  assert_true(checked > NDOC);
  tt_entity_tally_free(t);
  tt_entities_free(e);
  tt_analyzer_free(an);
  tt_reader_close(r);
}

static void expect_order(tt_reader *r, const char *q)
{
  for (int ex = 0; ex < 2; ex++) {
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    o.limit = 3;
    o.exhaustive = ex;
    tt_results res;
    assert_int_equal(tt_search(r, q, strlen(q), &o, &res), 0);
    if (res.total < 3 || res.n != 3) fail_msg("[%s]: %llu matches", q, (unsigned long long)res.total);
    for (size_t i = 0; i < 3; i++)
      if (res.hits[i].doc != i)
        fail_msg("[%s]%s: rank %zu is doc %llu (scores %.3f %.3f %.3f)", q, ex ? " exhaustive" : "", i,
                 (unsigned long long)res.hits[i].doc, res.hits[0].score, res.hits[1].score, res.hits[2].score);
    tt_results_fini(&res);
  }
}

static void test_aboutness(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  expect_order(r, "person:\"Trần Văn Thuấn\"");
  expect_order(r, "person:\"tran van thuan\"");
  expect_order(r, "\"Trần Văn Thuấn\"");
  expect_order(r, "trần văn thuấn");
  expect_order(r, "tran van thuan");
  /* pruned top-k equals exhaustive on queries that name entities, with pages */
  const char *qs[] = {"person:\"Trần Văn Thuấn\"", "trần văn thuấn", "bệnh viện bạch mai",
                      "\"bệnh viện bạch mai\" OR thuấn", "hospital:\"BV Bạch Mai\" OR đề án 1816",
                      "bạch mai -thuấn", "title:(trần văn thuấn) OR (văn bản)"};
  for (size_t q = 0; q < sizeof qs / sizeof *qs; q++) {
    for (size_t off = 0; off < 3; off++) {
      tt_search_options ex = TT_SEARCH_OPTIONS_INIT, pr = TT_SEARCH_OPTIONS_INIT;
      ex.exhaustive = 1;
      ex.limit = pr.limit = 2;
      ex.offset = pr.offset = off;
      tt_results a, b;
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &ex, &a), 0);
      assert_int_equal(tt_search(r, qs[q], strlen(qs[q]), &pr, &b), 0);
      assert_int_equal(a.total, b.total);
      assert_int_equal(a.n, b.n);
      for (size_t i = 0; i < a.n; i++) {
        if (a.hits[i].doc != b.hits[i].doc)
          fail_msg("[%s] offset %zu rank %zu: exhaustive %llu (%.6f), pruned %llu (%.6f)", qs[q], off, i,
                   (unsigned long long)a.hits[i].doc, a.hits[i].score, (unsigned long long)b.hits[i].doc, b.hits[i].score);
        assert_true(fabs(a.hits[i].score - b.hits[i].score) < 1e-9);
      }
      tt_results_fini(&a);
      tt_results_fini(&b);
    }
  }
  tt_reader_close(r);
}

static uint64_t count(tt_reader *r, const char *q)
{
  tt_results res;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  o.limit = 0;
  if (tt_search(r, q, strlen(q), &o, &res)) fail_msg("[%s]: %s", q, tt_error_last());
  uint64_t n = res.total;
  tt_results_fini(&res);
  return n;
}

static void test_aliases(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  uint64_t bm = count(r, "hospital:\"Bệnh viện Bạch Mai\"");
  assert_int_equal(bm, brute_count("Bạch Mai", NULL));
  assert_int_equal(count(r, "hospital:\"BV Bạch Mai\""), bm);
  assert_int_equal(count(r, "hospital:\"bv bạch mai\""), bm);
  assert_int_equal(count(r, "hospital:\"bạch mai\""), bm);
  assert_int_equal(count(r, "hospital:\"bach mai\""), bm);
  uint64_t lc = count(r, "hospital:\"Bệnh viện Đa khoa tỉnh Lai Châu\"");
  assert_true(lc > 0);
  assert_int_equal(count(r, "hospital:\"BVĐK tỉnh Lai Châu\""), lc);
  assert_int_equal(count(r, "hospital:\"bvđk tỉnh lai châu\""), lc);
  assert_int_equal(count(r, "program:\"Đề án số 1816\""), count(r, "program:\"de an 1816\""));
  /* no alias for what is not an entity: nothing found, no error */
  assert_int_equal(count(r, "hospital:\"phòng khám\""), 0);
  assert_int_equal(count(r, "person:\"Không Có Ai\""), 0);
  tt_reader_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_entity_list),
    cmocka_unit_test(test_entity_list_deletions),
    cmocka_unit_test(test_tally_matches_postings),
    cmocka_unit_test(test_aboutness),
    cmocka_unit_test(test_aliases),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
