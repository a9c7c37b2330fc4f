/* Unit tests: robots.txt (crawler/robots.c, RFC 9309): group selection by product token,
 * wildcards and end anchors, longest match with allow on ties, Crawl-delay, Sitemap lines,
 * and the comparison of rules and paths after percent-encoding normalization (2.2.2). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "crawler/robots.h"

static tt_robots *parse(const char *txt)
{
  tt_robots *r = tt_robots__parse(txt, strlen(txt), "timtin");
  assert_non_null(r);
  return r;
}

static void test_groups_and_rules(void **state)
{
  (void)state;
  tt_robots *r = parse("# comment\n"
                       "User-agent: *\nDisallow: /\n\n"
                       "User-agent: other\nUser-agent: TimTin/0.1\n"
                       "Disallow: /private/\nAllow: /private/ok.html\nDisallow: /*.pdf$\nDisallow: /tmp\n"
                       "Crawl-delay: 1.5\n"
                       "Sitemap: https://example.vn/sitemap.xml\n");
  assert_true(tt_robots__allowed(r, "/"));
  assert_true(tt_robots__allowed(r, "/tin/a.html"));
  assert_false(tt_robots__allowed(r, "/private/secret.html"));
  assert_true(tt_robots__allowed(r, "/private/ok.html"));
  assert_false(tt_robots__allowed(r, "/doc.pdf"));
  assert_true(tt_robots__allowed(r, "/doc.pdf?x=1"));         /* '$' anchors at the end */
  assert_false(tt_robots__allowed(r, "/tmpfile"));            /* a rule is a prefix */
  assert_true(tt_robots__allowed(r, "/robots.txt"));
  assert_int_equal(tt_robots__delay_ms(r), 1500);
  assert_int_equal(tt_robots__nsitemaps(r), 1);
  assert_string_equal(tt_robots__sitemap(r, 0), "https://example.vn/sitemap.xml");
  tt_robots__free(r);

  /* no group for us: the '*' group */
  r = parse("User-agent: googlebot\nDisallow: /\n\nUser-agent: *\nDisallow: /admin\n");
  assert_true(tt_robots__allowed(r, "/tin"));
  assert_false(tt_robots__allowed(r, "/admin/x"));
  assert_int_equal(tt_robots__delay_ms(r), -1);
  tt_robots__free(r);

  /* the longer pattern wins; on a tie, allow */
  r = parse("User-agent: *\nAllow: /a\nDisallow: /a*\nDisallow: /b/\nAllow: /b/\n");
  assert_false(tt_robots__allowed(r, "/abc"));
  assert_true(tt_robots__allowed(r, "/b/x"));
  tt_robots__free(r);

  r = tt_robots__all(0);
  assert_false(tt_robots__allowed(r, "/x"));
  assert_true(tt_robots__allowed(r, "/robots.txt"));
  tt_robots__free(r);
}

static void test_percent_encoding(void **state)
{
  (void)state;
  /* A rule written in UTF-8 matches the percent-encoded URL path and the other way round. */
  tt_robots *r = parse("User-agent: *\n"
                       "Disallow: /tin-tức/\n"
                       "Disallow: /s%e1%bb%a9c-kh%E1%BB%8Fe/\n"
                       "Disallow: /%7Euser/\n"
                       "Disallow: /a%2Fb\n"
                       "Disallow: /lit%2A\n"
                       "Disallow: /sp ace\n");
  assert_false(tt_robots__allowed(r, "/tin-t%E1%BB%A9c/bai-1.html"));
  assert_false(tt_robots__allowed(r, "/tin-t%e1%bb%a9c/bai-1.html"));        /* lower-case hex */
  assert_false(tt_robots__allowed(r, "/tin-tức/bai-1.html"));                 /* raw UTF-8 path */
  assert_true(tt_robots__allowed(r, "/tin-tuc/bai-1.html"));
  assert_false(tt_robots__allowed(r, "/sức-khỏe/x"));
  assert_false(tt_robots__allowed(r, "/s%E1%BB%A9c-kh%e1%bb%8fe/x"));
  /* %7E is '~', an unreserved character: decoded on both sides */
  assert_false(tt_robots__allowed(r, "/~user/page"));
  assert_false(tt_robots__allowed(r, "/%7euser/page"));
  /* %2F is an escaped '/', a reserved character: it stays distinct from '/' */
  assert_false(tt_robots__allowed(r, "/a%2fb"));
  assert_true(tt_robots__allowed(r, "/a/b"));
  /* %2A is a literal '*', not a wildcard */
  assert_false(tt_robots__allowed(r, "/lit%2A"));
  assert_true(tt_robots__allowed(r, "/litxyz"));
  /* a space in a rule means %20 */
  assert_false(tt_robots__allowed(r, "/sp%20ace"));
  /* a broken escape is compared as it is */
  assert_true(tt_robots__allowed(r, "/%zz%"));
  tt_robots__free(r);

  /* unreserved escapes in the rule, plain letters in the path; longest match after decoding */
  r = parse("User-agent: timtin\nDisallow: /%61%62%63\nAllow: /abc/%64\n");
  assert_false(tt_robots__allowed(r, "/abc"));
  assert_false(tt_robots__allowed(r, "/%61bc/x"));
  assert_true(tt_robots__allowed(r, "/abc/d"));
  tt_robots__free(r);

  /* a long path (past the on-stack buffer) is normalized too */
  size_t n = 5000;
  char *p = malloc(n + 1);
  assert_non_null(p);
  p[0] = '/';
  memset(p + 1, 'x', n - 1);
  p[n] = 0;
  memcpy(p, "/%7E", 4);
  r = parse("User-agent: *\nDisallow: /~xx\n");
  assert_false(tt_robots__allowed(r, p));
  p[5] = 'y';
  assert_true(tt_robots__allowed(r, p));
  tt_robots__free(r);
  free(p);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_groups_and_rules),
    cmocka_unit_test(test_percent_encoding),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
