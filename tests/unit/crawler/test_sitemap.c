/* Unit tests: URLs out of sitemaps and feeds (crawler/sitemap.c): urlset, sitemap index,
 * RSS items, Atom entries (rel=alternate or none; other rels skipped), entities and CDATA,
 * and documents that are none of these. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/sitemap.h"

typedef struct got {
  char urls[16][128];
  int kinds[16];
  int n;
} got;

static void collect(void *ctx, const char *url, size_t len, int kind)
{
  got *g = ctx;
  assert_true(g->n < 16 && len < 128);
  memcpy(g->urls[g->n], url, len);
  g->urls[g->n][len] = 0;
  g->kinds[g->n++] = kind;
}

static got parse(const char *xml, long want_n)
{
  got g;
  memset(&g, 0, sizeof g);
  assert_int_equal(tt_sitemap__parse(xml, strlen(xml), collect, &g), want_n);
  if (want_n >= 0) assert_int_equal(g.n, want_n);
  return g;
}

static void test_urlset_and_index(void **state)
{
  (void)state;
  got g = parse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
                "  <url><loc>https://a.vn/tin/1.html</loc><lastmod>2024-06-12</lastmod></url>\n"
                "  <url><loc> https://a.vn/tin/2.html?a=1&amp;b=2 </loc></url>\n"
                "  <url><loc><![CDATA[https://a.vn/tin/3.html?x=<y>]]></loc></url>\n"
                "</urlset>\n", 3);
  assert_string_equal(g.urls[0], "https://a.vn/tin/1.html");
  assert_non_null(strstr(g.urls[1], "https://a.vn/tin/2.html?a=1&b=2"));    /* &amp; decoded */
  assert_string_equal(g.urls[2], "https://a.vn/tin/3.html?x=<y>");           /* CDATA as is */
  for (int i = 0; i < 3; i++) assert_int_equal(g.kinds[i], TT_FEED_PAGE);

  g = parse("<?xml version=\"1.0\"?><sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">"
            "<sitemap><loc>https://a.vn/sitemap-news.xml</loc></sitemap>"
            "<sitemap><loc>https://a.vn/sitemap-2024.xml.gz</loc></sitemap></sitemapindex>", 2);
  assert_string_equal(g.urls[1], "https://a.vn/sitemap-2024.xml.gz");
  assert_int_equal(g.kinds[0], TT_FEED_SITEMAP);
  assert_int_equal(g.kinds[1], TT_FEED_SITEMAP);
}

static void test_rss_and_atom(void **state)
{
  (void)state;
  /* RSS: the channel's own <link> is not an item */
  got g = parse("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Tin</title><link>https://a.vn/</link>"
                "<item><title>Một</title><link>https://a.vn/tin/1.html</link></item>"
                "<item><title>Hai</title><link><![CDATA[https://a.vn/tin/2.html]]></link><guid>x</guid></item>"
                "</channel></rss>", 2);
  assert_string_equal(g.urls[0], "https://a.vn/tin/1.html");
  assert_string_equal(g.urls[1], "https://a.vn/tin/2.html");
  assert_int_equal(g.kinds[0], TT_FEED_PAGE);

  /* Atom: <link href> of entries, rel=alternate or no rel; the feed's own links and
   * rel=enclosure/replies are not pages to read */
  g = parse("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
            "<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>Tin</title>"
            "<link rel=\"self\" href=\"https://a.vn/atom.xml\"/><link href=\"https://a.vn/\"/>"
            "<entry><title>Một</title><link rel=\"alternate\" type=\"text/html\" href=\"https://a.vn/tin/1.html\"/>"
            "<link rel=\"enclosure\" href=\"https://a.vn/anh.jpg\"/><id>1</id></entry>"
            "<entry><title>Hai</title><link href=\"https://a.vn/tin/2.html?a=1&amp;b=2\"/></entry>"
            "<entry><title>Ba</title><link rel=\"replies\" href=\"https://a.vn/tin/3/comments\"/></entry>"
            "</feed>", 2);
  assert_string_equal(g.urls[0], "https://a.vn/tin/1.html");
  assert_string_equal(g.urls[1], "https://a.vn/tin/2.html?a=1&b=2");
}

static void test_not_a_sitemap(void **state)
{
  (void)state;
  parse("<!DOCTYPE html><html><body><a href=\"/x\">x</a></body></html>", -1);
  parse("", -1);
  parse("<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"></svg>", -1);
  /* truncated input: whatever URLs are whole, no crash */
  const char *cut = "<urlset><url><loc>https://a.vn/1</loc></url><url><loc>https://a.vn/";
  got g;
  memset(&g, 0, sizeof g);
  long n = tt_sitemap__parse(cut, strlen(cut), collect, &g);
  assert_true(n >= 1 && g.n >= 1);
  assert_string_equal(g.urls[0], "https://a.vn/1");
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_urlset_and_index),
    cmocka_unit_test(test_rss_and_atom),
    cmocka_unit_test(test_not_a_sitemap),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
