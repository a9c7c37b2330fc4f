/* Unit tests: the entity recognizer (text/entities.c): the rules on small examples, linking
 * across title and body, robustness, and the quality floor against the hand-labelled files in
 * corpus/labels/ (docs/entities.md has the figures). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text/entities_eval.h"
#include "timtin/analyze.h"
#include "timtin/entities.h"
#include "timtin/errors.h"

static tt_analyzer *A;
static tt_entities *E;

static int setup(void **state)
{
  (void)state;
  if (tt_analyzer_new(&A)) return -1;
  return tt_entities_new(&E);
}

static int teardown(void **state)
{
  (void)state;
  tt_entities_free(E);
  tt_analyzer_free(A);
  return 0;
}

/* Render the mentions of s as "type:canonical[role]@surface; ...". */
static const char *render_f(const char *s, unsigned flags)
{
  static char out[8192];
  tt_analysis an;
  assert_int_equal(tt_analyze(A, s, strlen(s), 0, &an), 0);
  const tt_entity_mention *m;
  size_t n;
  assert_int_equal(tt_entities_find(E, s, strlen(s), &an, flags, &m, &n), 0);
  size_t o = 0;
  out[0] = 0;
  for (size_t i = 0; i < n; i++) {
    o += (size_t)snprintf(out + o, sizeof out - o, "%s%s:%s", i ? "; " : "",
                          tt_entity_type_name(m[i].type), m[i].canonical);
    if (m[i].role_len) o += (size_t)snprintf(out + o, sizeof out - o, "[%s]", m[i].role);
    o += (size_t)snprintf(out + o, sizeof out - o, "@%.*s", (int)(m[i].end - m[i].start), s + m[i].start);
  }
  return out;
}
static const char *render(const char *s) { return render_f(s, 0); }

static void officials(void **state)
{
  (void)state;
  assert_string_equal(render("Thứ trưởng Bộ Y tế Trần Văn Thuấn phát biểu."),
                      "hospital:Bộ Y tế@Bộ Y tế; person:Trần Văn Thuấn[Thứ trưởng Bộ Y tế]@Trần Văn Thuấn");
  assert_string_equal(render("PGS.TS. Nguyễn Công Hoàng, Giám đốc Bệnh viện Trung ương Thái Nguyên cho biết"),
                      "person:Nguyễn Công Hoàng[Giám đốc Bệnh viện Trung ương Thái Nguyên]@Nguyễn Công Hoàng; "
                      "hospital:Bệnh viện Trung ương Thái Nguyên@Bệnh viện Trung ương Thái Nguyên");
  assert_string_equal(render("Giám đốc Sở Y tế Bắc Kạn Tạc Văn Nam báo cáo"),
                      "hospital:Sở Y tế Bắc Kạn@Sở Y tế Bắc Kạn; person:Tạc Văn Nam[Giám đốc Sở Y tế Bắc Kạn]@Tạc Văn Nam");
  assert_string_equal(render("đồng chí Nguyễn Duy Hưng, Phó Chủ tịch UBND tỉnh Hưng Yên. Ông Hưng nói"),
                      "person:Nguyễn Duy Hưng[Phó Chủ tịch UBND tỉnh Hưng Yên]@Nguyễn Duy Hưng; "
                      "person:Nguyễn Duy Hưng[Phó Chủ tịch UBND tỉnh Hưng Yên]@Hưng");
  /* not persons: a place after a title, a name inside a name, a patient */
  assert_string_equal(render("tại Hà Nội, Thứ trưởng Bộ Y tế"), "hospital:Bộ Y tế@Bộ Y tế");
  assert_string_equal(render("Hải Thượng Lãn Ông Lê Hữu Trác"), "");
  assert_string_equal(render("ông C. đã đến khám"), "");
}

static void organisations(void **state)
{
  (void)state;
  assert_string_equal(render("BV Chợ Rẫy và Bệnh viện K"),
                      "hospital:Bệnh viện Chợ Rẫy@BV Chợ Rẫy; hospital:Bệnh viện K@Bệnh viện K");
  assert_string_equal(render("bệnh viện Nhân dân 115"), "hospital:Bệnh viện Nhân dân 115@bệnh viện Nhân dân 115");
  /* a list after one plural head: each name is a hospital; the first keeps the head */
  assert_string_equal(render("đề nghị các bệnh viện Chợ Rẫy, Quân Y 175, Thống Nhất hỗ trợ"),
                      "hospital:Bệnh viện Chợ Rẫy@bệnh viện Chợ Rẫy; hospital:Bệnh viện Quân y 175@Quân Y 175; "
                      "hospital:Bệnh viện Thống Nhất@Thống Nhất");
  /* a list introduced after the plural head: "[tại PLACE] như[:]" or ":" (seed shapes) */
  assert_string_equal(render("các bệnh viện tại TP.HCM như: Chợ Rẫy, Thống Nhất, Quân Y 175... chuyển giao"),
                      "hospital:Bệnh viện Chợ Rẫy@Chợ Rẫy; hospital:Bệnh viện Thống Nhất@Thống Nhất; "
                      "hospital:Bệnh viện Quân y 175@Quân Y 175");
  assert_string_equal(render("từ các bệnh viện như: Chợ Rẫy, Phạm Ngọc Thạch. Nhi Đồng 1"),
                      "hospital:Bệnh viện Chợ Rẫy@Chợ Rẫy; hospital:Bệnh viện Phạm Ngọc Thạch@Phạm Ngọc Thạch");
  assert_string_equal(render("các bệnh viện: Bạch Mai, Hữu nghị Việt Đức và Đại học Y Hà Nội tiếp tục"),
                      "hospital:Bệnh viện Bạch Mai@Bạch Mai; hospital:Bệnh viện Hữu nghị Việt Đức@Hữu nghị Việt Đức; "
                      "hospital:Bệnh viện Đại học Y Hà Nội@Đại học Y Hà Nội");
  /* no list: no "như" or colon, a lower-case word, a singular head, a place alone */
  assert_string_equal(render("các bệnh viện tại TP.HCM hỗ trợ khám"), "");
  assert_string_equal(render("các bệnh viện như vậy, Bạch Mai"), "");
  assert_string_equal(render("bệnh viện như: Bạch Mai"), "");
  assert_string_equal(render("các bệnh viện tại Hà Nội: quá tải"), "");
  /* not after a singular head, and not a generic tail */
  assert_string_equal(render("Bệnh viện Chợ Rẫy, Thống Nhất"), "hospital:Bệnh viện Chợ Rẫy@Bệnh viện Chợ Rẫy");
  assert_string_equal(render("các bệnh viện tuyến Trung ương, Hà Nội"), "");
  assert_string_equal(render("BVĐK tỉnh Lai Châu"), "hospital:Bệnh viện Đa khoa tỉnh Lai Châu@BVĐK tỉnh Lai Châu");
  assert_string_equal(render("Trung tâm y tế huyện Văn Giang"),
                      "hospital:Trung tâm Y tế huyện Văn Giang@Trung tâm y tế huyện Văn Giang");
  assert_string_equal(render("Sở Y tế tỉnh Đồng Nai"), "hospital:Sở Y tế Đồng Nai@Sở Y tế tỉnh Đồng Nai");
  assert_string_equal(render("Trạm Y tế phường Cửa Nam"), "hospital:Trạm Y tế phường Cửa Nam@Trạm Y tế phường Cửa Nam");
  assert_string_equal(render("Cục Quản lý Khám, chữa bệnh"),
                      "hospital:Cục Quản lý Khám, chữa bệnh@Cục Quản lý Khám, chữa bệnh");
  /* a time glued to a headline in listings */
  assert_string_equal(render("11:25Bệnh viện Bạch Mai"), "hospital:Bệnh viện Bạch Mai@Bệnh viện Bạch Mai");
  /* generic references are not names */
  assert_string_equal(render("các bệnh viện Trung ương và bệnh viện tỉnh"), "");
}

static void programs(void **state)
{
  (void)state;
  assert_string_equal(render("Nghị quyết số 72-NQ/TW và Đề án 1816"),
                      "program:Nghị quyết 72-NQ/TW@Nghị quyết số 72-NQ/TW; program:Đề án 1816@Đề án 1816");
  assert_string_equal(render("Chỉ thị số 25-CT/TW. Sau đó Chỉ thị 25"),
                      "program:Chỉ thị 25-CT/TW@Chỉ thị số 25-CT/TW; program:Chỉ thị 25-CT/TW@Chỉ thị 25");
  assert_string_equal(render("Quyết định số 2348/QĐ-TTg"), "program:Quyết định 2348/QĐ-TTg@Quyết định số 2348/QĐ-TTg");
  assert_string_equal(render("Luật An toàn thực phẩm đã"), "program:Luật An toàn thực phẩm@Luật An toàn thực phẩm");
}

static void keys_and_offsets(void **state)
{
  (void)state;
  const char *s = "Ông Trần Văn Thuấn";
  tt_analysis an;
  assert_int_equal(tt_analyze(A, s, strlen(s), 100, &an), 0);
  const tt_entity_mention *m;
  size_t n;
  assert_int_equal(tt_entities_find(E, s, strlen(s), &an, 0, &m, &n), 0);
  assert_int_equal(n, 1);
  assert_string_equal(m[0].key, "tran van thuan");
  assert_int_equal(m[0].first_token, 1);
  assert_int_equal(m[0].end_token, 4);
  assert_int_equal(m[0].start, strlen("Ông "));
  assert_int_equal(m[0].end, strlen(s));
}

static void title_then_body(void **state)
{
  (void)state;
  render_f("Thứ trưởng Đỗ Xuân Tuyên làm việc tại Lai Châu", 0);
  assert_string_equal(render_f("Ông Tuyên cho biết", TT_ENT_CONTINUE),
                      "person:Đỗ Xuân Tuyên[Thứ trưởng]@Tuyên");
  assert_string_equal(render_f("Ông Tuyên cho biết", 0), ""); /* a new document forgets */
}

static void robustness(void **state)
{
  (void)state;
  tt_analysis an = {0};
  const tt_entity_mention *m;
  size_t n;
  assert_int_equal(tt_entities_find(E, "", 0, &an, 0, &m, &n), 0);
  assert_int_equal(n, 0);
  assert_int_equal(tt_entities_find(NULL, "", 0, &an, 0, &m, &n), TT_EINVAL);
  /* an analysis that does not belong to the text */
  const char *s = "Bệnh viện Bạch Mai";
  assert_int_equal(tt_analyze(A, s, strlen(s), 0, &an), 0);
  assert_int_equal(tt_entities_find(E, s, 3, &an, 0, &m, &n), TT_EINVAL);
  tt_entities_free(NULL);
}

static void quality(const char *labels, double p_min, double r_min)
{
  const char *root = getenv("TT_SOURCE_DIR");
  if (!root) root = TT_SOURCE_DIR;
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", root, labels);
  tt_ent_score s;
  int rc = tt_entities__eval(path, root, NULL, 0, &s);
  if (rc) fprintf(stderr, "%s\n", tt_error_last());
  assert_int_equal(rc, 0);
  double p = tt_entities__precision(&s, 0, 0), r = tt_entities__recall(&s, 0, 0);
  fprintf(stderr, "%s: P %.3f R %.3f (tp %zu fp %zu fn %zu)\n", labels, p, r, s.tp[0], s.fp[0], s.fn[0]);
  assert_true(p >= p_min);
  assert_true(r >= r_min);
  for (int t = 1; t <= 3; t++) {
    assert_true(tt_entities__precision(&s, t, 0) >= 0.90);
    assert_true(tt_entities__recall(&s, t, 0) >= 0.90);
  }
}

/* The floors are the levels reached (docs/entities.md), rounded down. */
static void quality_seeds(void **state) { (void)state; quality("corpus/labels/seeds.tsv", 0.98, 0.97); }
static void quality_generated(void **state) { (void)state; quality("corpus/labels/generated.tsv", 0.98, 0.99); }

/* The tally on made-up mentions: 40 entities (past the insertion-sort limit of the summary
 * sort), the votes (most frequent spelling, ties to the first seen; most frequent non-empty
 * role), title counts, the order by first position, type, key, and an add after a get. */
static void tally(void **state)
{
  (void)state;
  enum { NTOK = 200, NENT = 40 };
  tt_token tok[NTOK];
  memset(tok, 0, sizeof tok);
  for (uint32_t i = 0; i < NTOK; i++) tok[i].pos = 1000 - i;   /* later tokens: earlier positions */
  tt_analysis an = {tok, NTOK, 0, 0};
  static char keys[NENT][16];
  tt_entity_mention m[3 * NENT];
  size_t n = 0;
  for (int k = 0; k < NENT; k++) {
    snprintf(keys[k], sizeof keys[k], "k%02d", k);
    for (int r = 0; r < 3; r++) {
      tt_entity_mention *x = &m[n++];
      memset(x, 0, sizeof *x);
      x->type = k % 2 ? TT_ENT_PERSON : TT_ENT_HOSPITAL;
      x->key = keys[k]; x->key_len = strlen(keys[k]);
      /* spellings A, B, B: B wins; roles "", R1, R2: tie, R1 first */
      x->canonical = r == 0 ? "A" : "B"; x->canonical_len = 1;
      x->role = r == 0 ? "" : r == 1 ? "R1" : "R2"; x->role_len = strlen(x->role);
      x->first_token = (uint32_t)(k + r * NENT);   /* k's first mention at position 1000 - k - 80 */
    }
  }
  tt_entity_tally *t;
  assert_int_equal(tt_entity_tally_new(&t), 0);
  assert_int_equal(tt_entity_tally_add(t, m, n, &an), 0);
  const tt_entity_summary *s;
  size_t ns;
  uint32_t title_end = 1000 - 2 * NENT + 1;   /* the middle mention of each entity and later */
  assert_int_equal(tt_entity_tally_get(t, title_end, &s, &ns), 0);
  assert_int_equal(ns, NENT);
  for (size_t i = 0; i < ns; i++) {
    int k = NENT - 1 - (int)i;   /* highest k: earliest position */
    assert_string_equal(s[i].key, keys[k]);
    assert_int_equal(s[i].type, k % 2 ? TT_ENT_PERSON : TT_ENT_HOSPITAL);
    assert_string_equal(s[i].canonical, "B");
    assert_string_equal(s[i].role, "R1");
    assert_int_equal(s[i].mentions, 3);
    assert_int_equal(s[i].first_pos, 1000 - (uint32_t)k - 2 * NENT);
    assert_int_equal(s[i].title_mentions, 1);   /* positions below title_end: the last one */
  }
  /* two more "A" mentions of k00 with role R2: A now wins, and R2 */
  tt_entity_mention more[2] = {m[0], m[0]};
  more[0].role = more[1].role = "R2"; more[0].role_len = more[1].role_len = 2;
  assert_int_equal(tt_entity_tally_add(t, more, 2, &an), 0);
  assert_int_equal(tt_entity_tally_get(t, title_end, &s, &ns), 0);
  assert_int_equal(ns, NENT);
  assert_string_equal(s[NENT - 1].key, "k00");
  assert_int_equal(s[NENT - 1].mentions, 5);
  assert_string_equal(s[NENT - 1].canonical, "A");
  assert_string_equal(s[NENT - 1].role, "R2");
  tt_entity_tally_free(t);
}

/* Gazetteer names that share their first words ("Bệnh viện ...": the long-slice index) and a
 * person after them: each found whole, in text order. */
static void shared_prefixes(void **state)
{
  (void)state;
  const char *text = "Bệnh viện Bạch Mai và Bệnh viện Chợ Rẫy cùng Bệnh viện Hữu nghị Việt Đức. "
                     "Giám đốc Bệnh viện Bạch Mai, ông Đào Xuân Cơ cho biết.";
  tt_analysis a;
  assert_int_equal(tt_analyze(A, text, strlen(text), 0, &a), 0);
  const tt_entity_mention *m;
  size_t n;
  assert_int_equal(tt_entities_find(E, text, strlen(text), &a, 0, &m, &n), 0);
  const char *want[] = {"bệnh viện bạch mai", "bệnh viện chợ rẫy", "bệnh viện hữu nghị việt đức",
                        "bệnh viện bạch mai", "đào xuân cơ"};
  size_t nw = sizeof want / sizeof want[0];
  assert_int_equal(n, nw);
  for (size_t i = 0; i < n; i++) {
    char low[128];
    assert_true(tt_normalize_word(m[i].canonical, m[i].canonical_len, 0, low, sizeof low) >= 0);
    if (strcmp(low, want[i]) != 0) fail_msg("mention %zu: [%s], want [%s]", i, m[i].canonical, want[i]);
    if (i) assert_true(m[i - 1].start < m[i].start);
  }
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(officials),       cmocka_unit_test(organisations),
    cmocka_unit_test(programs),        cmocka_unit_test(keys_and_offsets),
    cmocka_unit_test(title_then_body), cmocka_unit_test(robustness),
    cmocka_unit_test(quality_seeds),   cmocka_unit_test(quality_generated),
    cmocka_unit_test(tally),           cmocka_unit_test(shared_prefixes),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
