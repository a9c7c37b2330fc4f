/* `timtin extract [--include-dups] WARC...`: articles out of WARC files as article JSONL on
 * stdout (url, title, published, source, body, and dup_of for a syndicated copy of an earlier
 * article). Listing pages and non-HTML records are passed over; damaged records are reported
 * on stderr and skipped. */
#include "tools/cli/cli.h"
#include "timtin/article.h"
#include "timtin/crawl.h"
#include "timtin/errors.h"
#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

static const char usage_line[] = "[--quiet] FILE.warc.gz...";

static void help(void)
{
  printf("usage: timtin extract %s\n\n"
         "Read WARC files (.warc.gz or .warc, as written by `timtin crawl`) and write one JSON\n"
         "article a line to stdout: {\"url\", \"title\", \"published\", \"source\", \"body\"}, plus\n"
         "\"dup_of\" naming the first copy when an article is a near-duplicate (a syndicated copy).\n"
         "Listing pages (headlines with teasers) are not articles and are left out. Damaged or torn\n"
         "records are reported on stderr and skipped. See docs/crawler.md.\n\n"
         "options:\n"
         "  --quiet     no summary line on stderr\n"
         "  -h, --help  show this help\n",
         usage_line);
}

int tt_cmd_extract(int argc, char **argv)
{
  int i = 1, quiet = 0;
  for (; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--")) { i++; break; }
    if (o[0] != '-' || o[1] == 0) break;
    if (!strcmp(o, "--quiet")) quiet = 1;
    else if (!strcmp(o, "--help") || !strcmp(o, "-h")) { help(); return 0; }
    else {
      char msg[256];
      snprintf(msg, sizeof msg, "unknown option '%s'", o);
      return tt_cli_usage("extract", usage_line, msg);
    }
  }
  if (i >= argc) return tt_cli_usage("extract", usage_line, "no WARC file given");
  tt_warc_articles *a;
  if (tt_warc_articles_open(&a, argv[i])) return tt_cli_fail("extract");
  for (int j = i + 1; j < argc; j++)
    if (tt_warc_articles_add_file(a, argv[j])) { tt_warc_articles_close(a); return tt_cli_fail("extract"); }
  tt_buf line = TT_BUF_INIT;
  long n = 0, dups = 0, skipped = 0, damaged = 0;
  int rc, status = 0;
  for (;;) {
    tt_article art;
    const char *dup = NULL;
    rc = tt_warc_articles_next(a, &art, &dup);
    if (rc == TT_ITEROVER) break;
    if (rc == TT_EINVAL || rc == TT_ECORRUPT) {
      fprintf(stderr, "timtin extract: warning: %s\n", tt_error_last());
      if (rc == TT_ECORRUPT) damaged++; else skipped++;
      continue;
    }
    if (rc) { status = tt_cli_fail("extract"); break; }
    char date[40];
    tt_format_date(art.published, date, sizeof date);
    tt_buf_reset(&line);
    tt_buf_puts(&line, "{\"url\":");
    tt_buf_json_string(&line, art.url, art.url_len);
    tt_buf_puts(&line, ",\"title\":");
    tt_buf_json_string(&line, art.title, art.title_len);
    if (date[0]) {
      tt_buf_puts(&line, ",\"published\":");
      tt_buf_json_string(&line, date, strlen(date));
    }
    tt_buf_puts(&line, ",\"source\":");
    tt_buf_json_string(&line, art.source, art.source_len);
    tt_buf_puts(&line, ",\"body\":");
    tt_buf_json_string(&line, art.body, art.body_len);
    if (dup) {
      tt_buf_puts(&line, ",\"dup_of\":");
      tt_buf_json_string(&line, dup, strlen(dup));
      dups++;
    }
    if (tt_buf_puts(&line, "}\n")) { status = tt_cli_fail("extract"); break; }
    if (fwrite(line.p, 1, line.n, stdout) != line.n) { fprintf(stderr, "timtin extract: write error\n"); status = 1; break; }
    n++;
  }
  tt_buf_fini(&line);
  tt_warc_articles_close(a);
  if (fflush(stdout)) { fprintf(stderr, "timtin extract: write error\n"); status = 1; }
  if (!quiet)
    fprintf(stderr, "extract: %ld articles (%ld near-duplicates), %ld records skipped, %ld damaged files\n",
            n, dups, skipped, damaged);
  return status;
}
