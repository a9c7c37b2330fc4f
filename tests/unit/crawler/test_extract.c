/* Unit tests: article extraction (tt_extract_html) on the fixture pages in
 * tests/fixtures/crawler/site/, each shaped like one seed page (tests/fixtures/crawler/
 * make_fixtures.py): exact titles, dates and sources; body paragraphs and real captions kept;
 * menus, share bars, related lists, teaser boxes, "Xem thêm"/"Video"/"Đọc báo in" and image
 * file names gone; a listing page recognized; windows-1258 decoded; hostile input refused
 * cleanly. Also the URL normalizer the extractor relies on (display dates: tests/unit/articles). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/url.h"
#include "text/simhash.h"
#include "timtin/crawl.h"
#include "timtin/errors.h"

static char *load(const char *name, size_t *len)
{
  const char *src = getenv("TT_SOURCE_DIR");
  char path[1024];
  snprintf(path, sizeof path, "%s/tests/fixtures/crawler/site/%s", src ? src : TT_SOURCE_DIR, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *p = malloc((size_t)n + 1);
  assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
  fclose(f);
  p[n] = 0;
  *len = (size_t)n;
  return p;
}

/* 2024-07-25 10:00 UTC */
#define FETCH_2024 1721901600

static void extract(const char *name, int64_t fetch, tt_extracted *e)
{
  size_t len;
  char *html = load(name, &len);
  tt_extract_options o = TT_EXTRACT_OPTIONS_INIT;
  o.fetch_time = fetch;
  o.want_links = 1;
  char url[256];
  snprintf(url, sizeof url, "http://127.0.0.1:8080/tin/%s", name);
  assert_int_equal(tt_extract_html(e, url, html, len, &o), 0);
  free(html);
}

static void assert_date(int64_t t, const char *want)
{
  char d[40];
  tt_format_date(t, d, sizeof d);
  assert_string_equal(d, want);
}

static void absent(const char *body, const char *s)
{
  if (strstr(body, s)) fail_msg("boilerplate '%s' is in the body", s);
}

static void present(const char *body, const char *s)
{
  if (!strstr(body, s)) fail_msg("'%s' is missing from the body", s);
}

static void test_moh_article(void **state)
{
  (void)state;
  tt_extracted e;
  extract("moh-article.html", FETCH_2024, &e);
  assert_string_equal(e.title, "Chuyển giao kỹ thuật y tế chuyên sâu, nâng cao chất lượng y tế cơ sở");
  assert_date(e.published, "2024-06-12T12:45:00+07:00");
  assert_string_equal(e.source, "Cổng thông tin điện tử Bộ Y tế");
  assert_string_equal(e.canonical, "http://127.0.0.1:8080/tin-tong-hop/chuyen-giao-ky-thuat-y-te-chuyen-sau");
  assert_int_equal(e.is_listing, 0);
  present(e.body, "Thứ trưởng Bộ Y tế Trần Văn Thuấn tham dự chương trình");     /* the lead caption */
  present(e.body, "Ngày 11/6/2024 tại Trung tâm Y tế huyện Văn Giang");
  present(e.body, "Thứ trưởng Bộ Y tế Trần Văn Thuấn phát biểu tại chương trình.");  /* a real caption */
  present(e.body, "đang điều trị tại Trung tâm Y tế huyện Văn Giang./.");            /* the last line */
  absent(e.body, "Tin liên quan");
  absent(e.body, "Bộ trưởng Bộ Y tế Đào Hồng Lan tham dự Hội nghị");                 /* a related headline */
  absent(e.body, "Xuất bản thông tin");
  absent(e.body, "Siết chặt quản lý thực phẩm chức năng");                            /* teaser box */
  absent(e.body, "Trang chủ");
  absent(e.body, "Chia sẻ");
  absent(e.body, "Facebook");
  absent(e.body, "Bản quyền");
  absent(e.body, "12:45 PM");
  absent(e.body, "_gaq");
  assert_true(strncmp(e.body, "Chuyển giao kỹ thuật y tế chuyên sâu", 20) != 0);  /* no title in the body */
  assert_int_equal(e.nfeeds, 1);
  assert_string_equal(e.feeds[0], "http://127.0.0.1:8080/rss/tin-tong-hop.rss");
  int related = 0;
  for (size_t i = 0; i < e.nlinks; i++)
    if (!strcmp(e.links[i], "http://127.0.0.1:8080/tin-lien-quan/3")) related = 1;
  assert_true(related);   /* boilerplate links still feed the frontier */
  tt_extracted_fini(&e);
}

static void test_baobackan_article(void **state)
{
  (void)state;
  tt_extracted e;
  extract("baobackan-article.html", FETCH_2024, &e);
  assert_string_equal(e.title, "Bệnh viện Trung ương Thái Nguyên khảo sát nhu cầu đào tạo, chuyển giao kỹ thuật cho Sở Y tế Bắc Kạn");
  assert_date(e.published, "2024-07-24T00:00:00+07:00");          /* "Chiều 24/7", the fetch year */
  assert_string_equal(e.source, "Báo Bắc Kạn");
  present(e.body, "BBK - Chiều 24/7, Đoàn công tác của Bệnh viện Trung ương Thái Nguyên");
  present(e.body, "Quang cảnh buổi làm việc");                      /* caption stays */
  present(e.body, "cho Sở Y tế Bắc Kạn./.");
  absent(e.body, ".jpg");                                           /* file-name captions go */
  absent(e.body, "z5664746724810");
  absent(e.body, "Xem thêm");
  absent(e.body, "Video");
  absent(e.body, "Đọc báo in");
  absent(e.body, "Báo in số");
  absent(e.body, "Chính trị");
  tt_extracted_fini(&e);

  /* Fetched in January 2025, "24/7" is still July 2024 (a date in the future is last year's). */
  extract("baobackan-article.html", 1736067600 /* 2025-01-05 */, &e);
  assert_date(e.published, "2024-07-24T00:00:00+07:00");
  tt_extracted_fini(&e);
}

static void test_listing_page(void **state)
{
  (void)state;
  tt_extracted e;
  extract("moh-listing.html", FETCH_2024, &e);
  assert_int_equal(e.is_listing, 1);
  /* its links feed the frontier: every headline and the pagination */
  int first = 0, page2 = 0;
  for (size_t i = 0; i < e.nlinks; i++) {
    if (!strcmp(e.links[i], "http://127.0.0.1:8080/hoat-dong/0")) first = 1;
    if (!strcmp(e.links[i], "http://127.0.0.1:8080/hoat-dong-cua-lanh-dao-bo?page=2")) page2 = 1;
  }
  assert_true(first && page2);
  assert_true(e.nlinks >= 20);
  tt_extracted_fini(&e);
}

static void test_suckhoe_article(void **state)
{
  (void)state;
  tt_extracted e;
  extract("suckhoe-article.html", FETCH_2024, &e);
  assert_string_equal(e.title, "Thứ trưởng Trần Văn Thuấn: Lai Châu tiếp tục quan tâm nâng chất lượng khám chữa bệnh, đẩy mạnh chuyển đổi số y tế");
  assert_date(e.published, "2025-03-17T08:34:00+07:00");          /* JSON-LD NewsArticle in @graph */
  assert_string_equal(e.source, "Bộ Y tế");
  assert_true(!strncmp(e.body, "Trong chương trình công tác tại Lai Châu, chiều nay (17/3)", 40));
  present(e.body, "Quan tâm nâng cao năng lực y tế dự phòng để chủ động phòng bệnh từ sớm, từ xa");  /* subheading */
  present(e.body, "Quang cảnh buổi làm việc.");
  present(e.body, "Nguồn:Suckhoedoisong.vn");
  absent(e.body, "- Ảnh 1.");            /* image alt texts are not text */
  absent(e.body, "Thăm dò ý kiến");
  absent(e.body, "Rất hài lòng");
  absent(e.body, "Tạo đột phá trong triển khai Đề án 06");   /* teaser box */
  absent(e.body, "Thứ Tư, ngày 30/04/2025");
  absent(e.body, "Lai Châu</a>");
  absent(e.body, "\n\n|\n\n");
  tt_extracted_fini(&e);
}

static void test_suckhoeviet_article(void **state)
{
  (void)state;
  tt_extracted e;
  extract("suckhoeviet-article.html", FETCH_2024, &e);
  assert_string_equal(e.title, "Các tỉnh vùng Đông Nam bộ mong muốn được TP.HCM chuyển giao kỹ thuật y tế");
  assert_date(e.published, "2023-11-02T09:15:00+07:00");          /* article:published_time */
  assert_string_equal(e.source, "Sức khỏe Việt");
  /* the sapo (between the title and the content) leads the body */
  assert_true(!strncmp(e.body, "Các tỉnh vùng Đông Nam bộ mong muốn được các bệnh viện tại TP.HCM", 40));
  present(e.body, "Mong muốn được chuyển giao kỹ thuật");
  present(e.body, "TP.HCM sẽ tăng cường hoạt động liên kết");
  present(e.body, "baodautu.vn/Hoài Sương");
  absent(e.body, "Xuất cấp viên sát khuẩn");      /* inline related links */
  absent(e.body, "Tin liên quan");
  absent(e.body, "Cùng chuyên mục");
  absent(e.body, "Rau răm");
  absent(e.body, "Phiên bản di động");
  absent(e.body, "Thời sự");
  tt_extracted_fini(&e);
}

static void test_cp1258(void **state)
{
  (void)state;
  tt_extracted e;
  extract("cp1258.html", FETCH_2024, &e);
  assert_string_equal(e.charset, "windows-1258");
  /* decoded and composed (NFC): the same bytes as the UTF-8 literal */
  assert_string_equal(e.title, "Bệnh viện Bạch Mai tiếp nhận chuyển giao kỹ thuật lọc máu");
  assert_date(e.published, "2024-06-12T09:30:00+07:00");
  present(e.body, "chăm sóc sức khoẻ người cao tuổi");
  assert_string_equal(e.source, "127.0.0.1");
  tt_extracted_fini(&e);

  /* The same page with the declaration removed: invalid UTF-8, so the windows-1258 guess. */
  size_t len;
  char *html = load("cp1258.html", &len);
  char *decl = strstr(html, "charset=windows-1258");
  assert_non_null(decl);
  memcpy(decl, "charset=xxxxxxxxxxxx", 20);
  tt_extract_options o = TT_EXTRACT_OPTIONS_INIT;
  assert_int_equal(tt_extract_html(&e, "http://x.vn/a", html, len, &o), 0);
  /* an unknown label falls back to UTF-8 with U+FFFD: the text is valid but the title differs */
  assert_string_not_equal(e.title, "Bệnh viện Bạch Mai tiếp nhận chuyển giao kỹ thuật lọc máu");
  tt_extracted_fini(&e);
  char *meta = strstr(html, "<meta");
  memset(meta, ' ', (size_t)(strchr(meta, '>') - meta + 1));
  assert_int_equal(tt_extract_html(&e, "http://x.vn/a", html, len, &o), 0);
  assert_string_equal(e.charset, "windows-1258");
  assert_string_equal(e.title, "Bệnh viện Bạch Mai tiếp nhận chuyển giao kỹ thuật lọc máu");
  tt_extracted_fini(&e);
  free(html);
}

static void test_entities_and_hostile(void **state)
{
  (void)state;
  tt_extracted e;
  tt_extract_options o = TT_EXTRACT_OPTIONS_INIT;
  const char *h = "<html><head><title>S&#7913;c kh&ocirc;e &amp; &#x110;&#7901;i s&#7889;ng</title></head>"
                  "<body><p>B&#7879;nh vi&#7879;n B&#7841;ch Mai, H&agrave; N&#7897;i, &quot;ti&#7871;p nh&#7853;n&quot; b&#7879;nh nh&acirc;n.</p></body></html>";
  assert_int_equal(tt_extract_html(&e, "http://www.example.vn/a", h, strlen(h), &o), 0);
  assert_string_equal(e.title, "Sức khôe & Đời sống");
  assert_string_equal(e.body, "Bệnh viện Bạch Mai, Hà Nội, \"tiếp nhận\" bệnh nhân.");
  assert_string_equal(e.source, "example.vn");
  assert_int_equal(e.published, TT_DATE_UNKNOWN);
  tt_extracted_fini(&e);

  /* invalid UTF-8 and NUL bytes: valid UTF-8 out */
  const char bad[] = "<meta charset=utf-8><h1>A\xff\xfe B\xc3</h1><p>x\0y z</p>";
  assert_int_equal(tt_extract_html(&e, "http://a.vn/", bad, sizeof bad - 1, &o), 0);
  assert_string_equal(e.title, "A\xEF\xBF\xBD\xEF\xBF\xBD B\xEF\xBF\xBD");
  tt_extracted_fini(&e);

  /* deep nesting is refused, not parsed for minutes */
  size_t n = 200000;
  char *deep = malloc(n * 5 + 1);
  for (size_t i = 0; i < n; i++) memcpy(deep + 5 * i, "<div>", 5);
  deep[n * 5] = 0;
  assert_int_equal(tt_extract_html(&e, "http://a.vn/", deep, n * 5, &o), TT_EINVAL);
  assert_non_null(strstr(tt_error_last(), "nested"));
  free(deep);
  /* too large */
  assert_int_equal(tt_extract_html(&e, "http://a.vn/", "", (size_t)64 << 20, &o), TT_EINVAL);
  /* empty and non-HTML */
  assert_int_equal(tt_extract_html(&e, "http://a.vn/", "", 0, &o), 0);
  assert_string_equal(e.body, "");
  tt_extracted_fini(&e);
}

static void test_urls(void **state)
{
  (void)state;
  static const struct { const char *base, *ref, *want; } v[] = {
    {"http://a.vn/b/c/d;p?q", "g", "http://a.vn/b/c/g"},
    {"http://a.vn/b/c/d;p?q", "../g", "http://a.vn/b/g"},
    {"http://a.vn/b/c/d;p?q", "../../../g", "http://a.vn/g"},
    {"http://a.vn/b/c/d;p?q", "./g/.", "http://a.vn/b/c/g/"},
    {"http://a.vn/b/c/d;p?q", "?y", "http://a.vn/b/c/d;p?y"},
    {"http://a.vn/b/c/d;p?q", "#s", "http://a.vn/b/c/d;p?q"},
    {"http://a.vn/b/c/d;p?q", "//g.vn", "http://g.vn/"},
    {NULL, "HTTP://User@WWW.Example.VN:80/a/%7euser/b%2f?utm_source=x&id=3&fbclid=z#top", "http://www.example.vn/a/~user/b%2F?id=3"},
    {NULL, "https://a.vn:443", "https://a.vn/"},
    {NULL, "https://a.vn:8443/x y/ệ", "https://a.vn:8443/x%20y/%E1%BB%87"},
    {"http://a.vn/", "  /tin\n/bai.html  ", "http://a.vn/tin/bai.html"},
    {NULL, "http://a.vn/?utm_campaign=1", "http://a.vn/"},
  };
  tt_buf b = TT_BUF_INIT;
  for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
    assert_int_equal(tt_url__resolve(v[i].base, v[i].ref, strlen(v[i].ref), &b), 0);
    assert_string_equal(b.p, v[i].want);
  }
  static const char *bad[] = {"mailto:a@b.vn", "javascript:void(0)", "ftp://a.vn/", "http://", "http://a.vn:99999/", "tel:123", "data:text/html,x"};
  for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
    assert_int_equal(tt_url__resolve("http://a.vn/", bad[i], strlen(bad[i]), &b), -1);
  size_t dl;
  const char *d = tt_url__domain("tin.suckhoe.gov.vn", 18, &dl);
  assert_int_equal(dl, 14);
  assert_memory_equal(d, "suckhoe.gov.vn", 14);
  d = tt_url__domain("www.moh.gov.vn", 14, &dl);
  assert_memory_equal(d, "moh.gov.vn", dl);
  d = tt_url__domain("news.example.com", 16, &dl);
  assert_memory_equal(d, "example.com", dl);
  tt_buf_fini(&b);
}

static void test_simhash(void **state)
{
  (void)state;
  tt_extracted a, b, c;
  extract("moh-article.html", FETCH_2024, &a);
  extract("syndicated-copy.html", FETCH_2024, &b);
  extract("suckhoe-article.html", FETCH_2024, &c);
  uint64_t ha = tt_simhash_text(a.body, strlen(a.body), NULL);
  uint64_t hb = tt_simhash_text(b.body, strlen(b.body), NULL);
  uint64_t hc = tt_simhash_text(c.body, strlen(c.body), NULL);
  assert_true(tt_simhash_distance(ha, hb) <= 3);
  assert_true(tt_simhash_distance(ha, hc) > 10);
  tt_simhash_index *ix = tt_simhash_index_new();
  assert_int_equal(tt_simhash_index_match_add(ix, ha, 0, 3), -1);
  assert_int_equal(tt_simhash_index_match_add(ix, hc, 1, 3), -1);
  assert_int_equal(tt_simhash_index_match_add(ix, hb, 2, 3), 0);
  tt_simhash_index_free(ix);
  tt_extracted_fini(&a);
  tt_extracted_fini(&b);
  tt_extracted_fini(&c);
}

/* <base href> (itself relative to the page URL) is what links, feeds and the canonical URL
 * resolve against; rel=nofollow links do not feed the frontier. */
static void test_base_href(void **state)
{
  (void)state;
  const char *html =
      "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><base href=\"/chuyen-muc/y-te/\">"
      "<link rel=\"canonical\" href=\"bai-viet.html\">"
      "<link rel=\"alternate\" type=\"application/atom+xml\" href=\"../atom.xml\">"
      "<title>Bài</title></head><body><p><a href=\"tin-1.html\">một</a> <a href=\"../tin-2.html\">hai</a> "
      "<a href=\"/tin-3.html\">ba</a> <a href=\"https://b.vn/x\">bốn</a> <a href=\"?trang=2\">trang 2</a> "
      "<a rel=\"nofollow\" href=\"dang-nhap.html\">đăng nhập</a></p></body></html>";
  tt_extract_options o = TT_EXTRACT_OPTIONS_INIT;
  o.want_links = 1;
  tt_extracted e;
  assert_int_equal(tt_extract_html(&e, "https://a.vn/tin/trang.html", html, strlen(html), &o), 0);
  assert_string_equal(e.canonical, "https://a.vn/chuyen-muc/y-te/bai-viet.html");
  assert_int_equal(e.nfeeds, 1);
  assert_string_equal(e.feeds[0], "https://a.vn/chuyen-muc/atom.xml");
  static const char *want[] = {"https://a.vn/chuyen-muc/y-te/tin-1.html", "https://a.vn/chuyen-muc/tin-2.html",
                               "https://a.vn/tin-3.html", "https://b.vn/x", "https://a.vn/chuyen-muc/y-te/?trang=2"};
  assert_int_equal(e.nlinks, sizeof want / sizeof want[0]);
  for (size_t i = 0; i < e.nlinks; i++) assert_string_equal(e.links[i], want[i]);
  tt_extracted_fini(&e);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_moh_article),
    cmocka_unit_test(test_base_href),
    cmocka_unit_test(test_baobackan_article),
    cmocka_unit_test(test_listing_page),
    cmocka_unit_test(test_suckhoe_article),
    cmocka_unit_test(test_suckhoeviet_article),
    cmocka_unit_test(test_cp1258),
    cmocka_unit_test(test_entities_and_hostile),
    cmocka_unit_test(test_urls),
    cmocka_unit_test(test_simhash),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
