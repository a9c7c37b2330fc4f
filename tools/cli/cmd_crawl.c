/* `timtin crawl --out DIR [options] [URL...]`: a polite crawl into WARC files (see
 * docs/crawler.md). Ctrl-C (SIGINT) or SIGTERM stops cleanly: transfers in flight are dropped,
 * the frontier in DIR keeps them, and `--resume` continues. */
#include "tools/cli/cli.h"
#include "timtin/crawl.h"
#include "timtin/errors.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage_line[] =
  "--out DIR [--seeds FILE] [--max-pages N] [--max-depth D] [--delay MS] [--concurrency N]\n"
  "       [--scope host|domain|prefix] [--user-agent UA] [--resume | --recrawl] [--cacert FILE]\n"
  "       [--resolve HOST:PORT:ADDR]... [URL...]";

static void help(void)
{
  printf("usage: timtin crawl %s\n\n"
         "Fetch pages from the seed URLs and the links, sitemaps and feeds they lead to, into\n"
         "WARC files (DIR/crawl-*.warc.gz) that `timtin extract` turns into articles. Polite:\n"
         "robots.txt is obeyed (rules, Crawl-delay), one request at a time per host with --delay\n"
         "between them (host names on one IP address count as one host once it is known),\n"
         "retries back off and honour Retry-After.\n\n"
         "options:\n"
         "  --out DIR            folder for the WARC files and the frontier (required)\n"
         "  --seeds FILE         start URLs, one a line ('#' comments)\n"
         "  --max-pages N        stop after N HTML pages (over all sessions of DIR; 0 = no limit)\n"
         "  --max-depth D        follow links at most D hops from a seed or sitemap (default: no limit)\n"
         "  --delay MS           between two requests to one host (default 1000)\n"
         "  --concurrency N      transfers in flight, on different hosts (default 4)\n"
         "  --scope S            host (default), domain (example.com.vn and subdomains), prefix (the seed's folder)\n"
         "  --user-agent UA      default \"timtin/0.1 (+https://github.com/timtin)\"\n"
         "  --resume             continue the crawl recorded in DIR\n"
         "  --recrawl            fetch DIR's pages again with If-None-Match / If-Modified-Since\n"
         "  --timeout MS         per transfer (default 30000); --connect-timeout MS (default 10000)\n"
         "  --retries N          on network errors, 5xx and 429 (default 3); --retry-delay MS first backoff (default 1000)\n"
         "  --max-retry-after MS cap on a server's Retry-After (default 60000)\n"
         "  --max-bytes N        per response (default 16 MB); --max-redirects N (default 5)\n"
         "  --warc-size BYTES    start a new WARC file past this size (default 1 GB)\n"
         "  --cacert FILE        trust the CA certificates in FILE (PEM) for https, instead of the system's\n"
         "  --resolve H:P:ADDR   connect to ADDR for host H port P, without DNS (repeatable; as curl's)\n"
         "  --quiet              no progress line\n",
         usage_line);
}

static volatile int stop_flag;
static void on_signal(int sig) { (void)sig; stop_flag = 1; }

static int num(const char *cmd, const char *opt, const char *v, long lo, long *out)
{
  char *e;
  long x = v ? strtol(v, &e, 10) : 0;
  if (!v || *e || e == v || x < lo) {
    char msg[128];
    snprintf(msg, sizeof msg, "%s needs a number >= %ld", opt, lo);
    tt_cli_usage(cmd, usage_line, msg);
    return -1;
  }
  *out = x;
  return 0;
}

int tt_cmd_crawl(int argc, char **argv)
{
  tt_crawl_options o = TT_CRAWL_OPTIONS_INIT;
  o.progress = isatty(2);
  char **seeds = NULL, **resolve = NULL;
  size_t nseeds = 0, nresolve = 0;
  char *seed_buf = NULL;
  const char *seeds_file = NULL;
  int status = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    long x;
#define NUMOPT(name, lo, field) else if (!strcmp(a, name)) { if (num("crawl", name, v, lo, &x)) { status = 2; goto out; } o.field = x; i++; }
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { help(); goto out; }
    else if (!strcmp(a, "--out") && v) { o.out_dir = v; i++; }
    else if (!strcmp(a, "--seeds") && v) { seeds_file = v; i++; }
    else if (!strcmp(a, "--user-agent") && v) { o.user_agent = v; i++; }
    else if (!strcmp(a, "--cacert") && v) { o.cacert = v; i++; }
    else if (!strcmp(a, "--resolve") && v) {
      char **r = realloc(resolve, (nresolve + 1) * sizeof *r);
      if (!r) { status = 1; goto out; }
      resolve = r;
      resolve[nresolve++] = (char *)v;
      i++;
    }
    else if (!strcmp(a, "--scope") && v) {
      if (!strcmp(v, "host")) o.scope = TT_SCOPE_HOST;
      else if (!strcmp(v, "domain")) o.scope = TT_SCOPE_DOMAIN;
      else if (!strcmp(v, "prefix")) o.scope = TT_SCOPE_PREFIX;
      else { status = tt_cli_usage("crawl", usage_line, "--scope is host, domain or prefix"); goto out; }
      i++;
    }
    else if (!strcmp(a, "--resume")) o.resume = 1;
    else if (!strcmp(a, "--recrawl")) o.recrawl = 1;
    else if (!strcmp(a, "--quiet")) o.progress = 0;
    else if (!strcmp(a, "--progress")) o.progress = 1;
    NUMOPT("--max-pages", 0, max_pages)
    NUMOPT("--max-depth", 0, max_depth)
    NUMOPT("--delay", 0, delay_ms)
    NUMOPT("--concurrency", 1, concurrency)
    NUMOPT("--timeout", 1, timeout_ms)
    NUMOPT("--connect-timeout", 1, connect_timeout_ms)
    NUMOPT("--retries", 0, max_retries)
    NUMOPT("--retry-delay", 0, retry_base_ms)
    NUMOPT("--max-retry-after", 0, max_retry_after_ms)
    NUMOPT("--max-bytes", 1, max_bytes)
    NUMOPT("--max-redirects", 0, max_redirects)
    NUMOPT("--warc-size", 1, warc_max_bytes)
    else if (a[0] == '-') {
      char msg[256];
      snprintf(msg, sizeof msg, "unknown option or missing value '%s'", a);
      status = tt_cli_usage("crawl", usage_line, msg);
      goto out;
    } else {
      char **s = realloc(seeds, (nseeds + 1) * sizeof *s);
      if (!s) { status = 1; goto out; }
      seeds = s;
      seeds[nseeds++] = (char *)a;
    }
#undef NUMOPT
  }
  if (!o.out_dir) { status = tt_cli_usage("crawl", usage_line, "--out DIR is required"); goto out; }
  if (o.resume && o.recrawl) { status = tt_cli_usage("crawl", usage_line, "--resume and --recrawl exclude each other"); goto out; }
  if (seeds_file) {
    FILE *f = fopen(seeds_file, "r");
    if (!f) { fprintf(stderr, "timtin crawl: cannot open %s\n", seeds_file); status = 1; goto out; }
    size_t len;
    seed_buf = tt_cli_slurp(f, &len);
    fclose(f);
    if (!seed_buf) { status = 1; goto out; }
    for (char *line = strtok(seed_buf, "\n"); line; line = strtok(NULL, "\n")) {
      while (*line == ' ' || *line == '\t') line++;
      char *e = line + strlen(line);
      while (e > line && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '\t')) *--e = 0;
      if (!*line || *line == '#') continue;
      char **s = realloc(seeds, (nseeds + 1) * sizeof *s);
      if (!s) { status = 1; goto out; }
      seeds = s;
      seeds[nseeds++] = line;
    }
  }
  if (!nseeds && !o.resume && !o.recrawl) { status = tt_cli_usage("crawl", usage_line, "no seed URL"); goto out; }
  o.seeds = (const char *const *)seeds;
  o.nseeds = nseeds;
  o.resolve = (const char *const *)resolve;
  o.nresolve = nresolve;
  o.stop = &stop_flag;
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  tt_crawl_stats st;
  int rc = tt_crawl_run(&o, &st);
  if (rc) { status = tt_cli_fail("crawl"); goto out; }
  printf("crawl %s: %ld pages, %ld requests, %.1f KB, %ld retries, %ld errors, %ld queued%s\n",
         stop_flag ? "stopped" : "done", st.pages, st.requests, (double)st.bytes / 1024.0, st.retries, st.errors, st.queued,
         stop_flag ? " (continue with --resume)" : "");
  for (int s = 100; s < 600; s++)
    if (st.status[s]) printf("  HTTP %d: %ld\n", s, st.status[s]);
  if (st.http2) printf("  over HTTP/2: %ld\n", st.http2);
  if (st.net_errors) printf("  network errors: %ld\n", st.net_errors);
  if (st.tls_errors) printf("  certificate not trusted: %ld\n", st.tls_errors);
  if (st.robots_denied) printf("  disallowed by robots.txt: %ld\n", st.robots_denied);
  if (st.hosts_unreachable)
    printf("  robots.txt unreachable: %ld host%s, %ld URLs skipped (nothing is fetched from such a host)\n",
           st.hosts_unreachable, st.hosts_unreachable == 1 ? "" : "s", st.robots_unreachable);
  if (st.too_large) printf("  too large: %ld\n", st.too_large);
  if (st.filtered) printf("  not HTML: %ld\n", st.filtered);
  if (st.redirect_dropped) printf("  redirects not followed (loop, limit, scope): %ld\n", st.redirect_dropped);
  if (st.not_modified) printf("  not modified: %ld\n", st.not_modified);
  if (stop_flag) status = 130;
out:
  free(seeds);
  free(resolve);
  free(seed_buf);
  return status;
}
