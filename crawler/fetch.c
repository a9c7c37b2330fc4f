/* The crawler (tt_crawl_run in include/timtin/crawl.h): libcurl multi, politeness per host,
 * robots.txt, sitemaps and feeds, link following, retries, WARC output, a persistent frontier.
 *
 * Shape of the loop:
 *   hosts     one per scheme://host:port, each with a FIFO of jobs, robots state, the time the
 *             next request may start (previous end + max(--delay, Crawl-delay)) and a busy
 *             flag, so at most one transfer per host is in flight.
 *   addresses the server IP of a host is learnt from its first transfer (CURLINFO_PRIMARY_IP,
 *             always its robots.txt); from then on the host shares an ipslot (busy count, next
 *             start) with every other host name on that address, so names that resolve to one
 *             machine are one host for politeness. Only the first request of a new name (its
 *             robots.txt) can overlap a transfer of another name on the same machine.
 *   schedule  round-robin over hosts, starting transfers while fewer than --concurrency run.
 *             A host's first transfer is its robots.txt.
 *   finish    every answered request is written to WARC (request + response records) before
 *             its frontier line, then: robots parsed; sitemaps/feeds expanded; 3xx queued as
 *             a new URL (the seen-set stops loops, --max-redirects long chains); 429/5xx and
 *             network errors retried with exponential backoff (Retry-After wins, capped);
 *             200 HTML pages counted and their links queued.
 *
 * Responses are kept raw: curl does not decode Content-Encoding (so the WARC payload is what
 * the server sent and WARC tools decode it), but it does remove chunked framing, so the
 * Transfer-Encoding header is dropped from the stored headers. We decode gzip/deflate
 * ourselves for link extraction and sitemaps (crawler/http.c), bounded by --max-bytes. */
#include "timtin/crawl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "crawler/frontier.h"
#include "crawler/http.h"
#include "crawler/robots.h"
#include "crawler/sitemap.h"
#include "crawler/url.h"

enum { ROBOTS_NONE = 0, ROBOTS_FETCHING, ROBOTS_READY };

typedef struct ipslot {
  char ip[64];               /* as curl prints it: "127.0.0.1", "2001:db8::1" */
  int busy;                  /* transfers in flight to this address */
  int64_t next_ms;           /* no request to this address before */
} ipslot;

typedef struct host {
  char *key;                 /* "http://host:port" */
  ipslot *ip;                /* NULL until the first transfer connected */
  int tls_failed;            /* certificate not trusted: its jobs are left pending for --resume */
  tt_job *q; size_t qhead, qn, qcap;
  int robots_state;
  tt_robots *robots;
  int robots_tries;
  int robots_failed;         /* robots.txt unreachable: every job is skipped (not "disallowed") */
  int busy;
  int64_t next_ms;
  int seed_host;
  int sitemap_tried;
} host;

typedef struct xfer {
  CURL *h;
  tt_job job;
  host *host;
  int is_robots;
  tt_buf req, hdr, body;
  struct curl_slist *hdrs;   /* conditional request headers */
  ipslot *ip;                /* the address slot counted busy by this transfer, or NULL */
  char errbuf[CURL_ERROR_SIZE];
  size_t max_bytes;
  int too_large, filtered;
  int64_t start_us;
} xfer;

typedef struct crawl {
  const tt_crawl_options *o;
  tt_crawl_stats *st;
  CURLM *multi;
  host **hosts; size_t nhosts, rr;
  ipslot **ips; size_t nips;
  struct curl_slist *resolve;   /* --resolve entries */
  tt_frontier *fr;
  tt_warc_writer *warc;
  char agent[64];            /* robots product token */
  char **scope; size_t nscope;   /* hosts, domains or prefixes */
  tt_crawl_scope scope_kind;     /* --scope, or the kind saved in DIR/scope by an earlier session */
  long pages_before;
  long tls_pending;          /* jobs left pending because their host's certificate was not trusted */
  size_t inflight;
  xfer **active; size_t nactive, capactive;   /* transfers in flight, for a clean abort */
  int rc;
  tt_buf tmp;
  int64_t t0_ms, last_progress_ms;
} crawl;

static int64_t now_ms(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t wall_us(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ================================================================== hosts and scope */

static host *get_host(crawl *c, const char *url)
{
  tt_url_parts p;
  if (tt_url__split(url, &p)) return NULL;
  size_t kl = (size_t)(p.path - url);
  for (size_t i = 0; i < c->nhosts; i++)
    if (strlen(c->hosts[i]->key) == kl && !strncmp(c->hosts[i]->key, url, kl)) return c->hosts[i];
  host **v = tt_realloc(c->hosts, (c->nhosts + 1) * sizeof *v);
  if (!v) return NULL;
  c->hosts = v;
  host *h = tt_calloc(1, sizeof *h);
  if (!h) return NULL;
  h->key = tt_strndup(url, kl);
  if (!h->key) { tt_free(h); return NULL; }
  c->hosts[c->nhosts++] = h;
  return h;
}

static int push_job(host *h, tt_job *j, int front)
{
  if (h->qn == h->qcap) {
    size_t cap = h->qcap ? h->qcap * 2 : 16;
    tt_job *q = tt_malloc(cap * sizeof *q);
    if (!q) return TT_ENOMEM;
    for (size_t i = 0; i < h->qn; i++) q[i] = h->q[(h->qhead + i) % (h->qcap ? h->qcap : 1)];
    tt_free(h->q);
    h->q = q;
    h->qcap = cap;
    h->qhead = 0;
  }
  if (front) {
    h->qhead = (h->qhead + h->qcap - 1) % h->qcap;
    h->q[h->qhead] = *j;
  } else {
    h->q[(h->qhead + h->qn) % h->qcap] = *j;
  }
  h->qn++;
  memset(j, 0, sizeof *j);
  return 0;
}

static tt_job pop_job(host *h)
{
  tt_job j = h->q[h->qhead];
  h->qhead = (h->qhead + 1) % h->qcap;
  h->qn--;
  return j;
}

static int in_scope(crawl *c, const char *url)
{
  tt_url_parts p;
  if (tt_url__split(url, &p)) return 0;
  for (size_t i = 0; i < c->nscope; i++) {
    const char *s = c->scope[i];
    size_t sl = strlen(s);
    switch (c->scope_kind) {
    case TT_SCOPE_HOST:
      if (p.hostport_len == sl && !strncmp(p.hostport, s, sl)) return 1;
      break;
    case TT_SCOPE_DOMAIN: {
      size_t dl;
      const char *d = tt_url__domain(p.host, p.host_len, &dl);
      if (dl == sl && !strncmp(d, s, sl)) return 1;
      break;
    }
    case TT_SCOPE_PREFIX:
      if (!strncmp(url, s, sl)) return 1;
      break;
    }
  }
  return 0;
}

static int add_scope_entry(crawl *c, const char *s, size_t n)
{
  for (size_t i = 0; i < c->nscope; i++)
    if (strlen(c->scope[i]) == n && !strncmp(c->scope[i], s, n)) return 0;
  char **v = tt_realloc(c->scope, (c->nscope + 1) * sizeof *v);
  TT_CHECK_ALLOC(v);
  c->scope = v;
  c->scope[c->nscope] = tt_strndup(s, n);
  TT_CHECK_ALLOC(c->scope[c->nscope]);
  c->nscope++;
  return 0;
}

static int add_scope(crawl *c, const char *url)
{
  tt_url_parts p;
  if (tt_url__split(url, &p)) return TT_EINVAL;
  const char *s = p.hostport;
  size_t n = p.hostport_len;
  if (c->scope_kind == TT_SCOPE_DOMAIN) s = tt_url__domain(p.host, p.host_len, &n);
  else if (c->scope_kind == TT_SCOPE_PREFIX) {
    s = url;
    n = strlen(url);
    while (n > (size_t)(p.path - url) + 1 && url[n - 1] != '/') n--;
  }
  return add_scope_entry(c, s, n);
}

/* DIR/scope: the scope of the crawl, so that --resume without seeds keeps it. Text: the kind
 * ("host", "domain" or "prefix") on the first line, then one entry a line. Written whole to
 * scope.tmp and renamed, so a crash leaves the old file or the new one. */
static const char *const scope_names[] = {"host", "domain", "prefix"};

static int load_scope(crawl *c)
{
  tt_buf path = TT_BUF_INIT;
  tt_buf_printf(&path, "%s/scope", c->o->out_dir);
  FILE *f = path.p ? fopen(path.p, "r") : NULL;
  tt_buf_fini(&path);
  if (!f) return 0;
  char line[8192];
  int rc = 0, kind = -1;
  if (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = 0;
    for (int k = 0; k < 3; k++)
      if (!strcmp(line, scope_names[k])) kind = k;
  }
  if (kind < 0) { fclose(f); return 0; }     /* not ours: ignored, the hosts will do */
  c->scope_kind = (tt_crawl_scope)kind;
  while (!rc && fgets(line, sizeof line, f)) {
    size_t n = strcspn(line, "\r\n");
    if (n) rc = add_scope_entry(c, line, n);
  }
  fclose(f);
  return rc;
}

static int save_scope(crawl *c)
{
  tt_buf path = TT_BUF_INIT, tmp = TT_BUF_INIT, text = TT_BUF_INIT;
  tt_buf_printf(&path, "%s/scope", c->o->out_dir);
  tt_buf_printf(&tmp, "%s/scope.tmp", c->o->out_dir);
  tt_buf_printf(&text, "%s\n", scope_names[c->scope_kind]);
  for (size_t i = 0; i < c->nscope; i++) tt_buf_printf(&text, "%s\n", c->scope[i]);
  int rc = 0;
  if (!path.p || !tmp.p || !text.p) rc = tt_error_set(TT_ENOMEM, "out of memory");
  else {
    FILE *f = fopen(tmp.p, "w");
    if (!f || fwrite(text.p, 1, text.n, f) != text.n || fflush(f) || fsync(fileno(f)))
      rc = tt_error_set(TT_EIO, "write %s: %s", tmp.p, strerror(errno));
    if (f && fclose(f) && !rc) rc = tt_error_set(TT_EIO, "close %s: %s", tmp.p, strerror(errno));
    if (!rc && rename(tmp.p, path.p)) rc = tt_error_set(TT_EIO, "rename %s: %s", tmp.p, strerror(errno));
  }
  tt_buf_fini(&path);
  tt_buf_fini(&tmp);
  tt_buf_fini(&text);
  return rc;
}

/* Queue a URL (normalized) if it is new and in scope. Returns 1 queued, 0 not, <0 error. */
static int enqueue(crawl *c, const char *url, int kind, int depth, int hops, int front)
{
  if (kind == TT_JOB_PAGE && !in_scope(c, url)) return 0;
  if (kind == TT_JOB_PAGE && c->o->max_depth >= 0 && depth > c->o->max_depth) return 0;
  tt_job j;
  int r = tt_frontier__add(c->fr, url, kind, depth, hops, &j);
  if (r <= 0) return r;
  host *h = get_host(c, j.url);
  if (!h) { tt_job_fini(&j); return tt_error_set(TT_ENOMEM, "out of memory"); }
  int rc = push_job(h, &j, front);
  if (rc) { tt_job_fini(&j); return rc; }
  return 1;
}

static void requeue_cb(void *ctx, tt_job *job)
{
  crawl *c = ctx;
  host *h = get_host(c, job->url);
  if (!h || push_job(h, job, 0)) tt_job_fini(job);
}

/* ================================================================== transfers */

static size_t on_body(char *p, size_t sz, size_t nm, void *ud)
{
  xfer *x = ud;
  size_t n = sz * nm;
  if (x->body.n == 0) {
    /* the content-type filter, decided on the first bytes */
    char *ct = NULL;
    long code = 0;
    curl_easy_getinfo(x->h, CURLINFO_CONTENT_TYPE, &ct);
    curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &code);
    if (ct && code == 200 && !x->is_robots) {
      int ok = !strncasecmp(ct, "text/html", 9) || !strncasecmp(ct, "application/xhtml", 17) || strstr(ct, "xml") ||
               strstr(ct, "rss") || strstr(ct, "atom") ||
               (x->job.kind != TT_JOB_PAGE && (strstr(ct, "gzip") || strstr(ct, "octet-stream") || !strncasecmp(ct, "text/plain", 10)));
      if (!ok) { x->filtered = 1; return 0; }
    }
  }
  if (x->body.n + n > x->max_bytes) { x->too_large = 1; return 0; }
  return tt_buf_append(&x->body, p, n) ? 0 : n;
}

static size_t on_header(char *p, size_t sz, size_t nm, void *ud)
{
  xfer *x = ud;
  size_t n = sz * nm;
  if (n >= 5 && !strncmp(p, "HTTP/", 5)) tt_buf_reset(&x->hdr);        /* a new response (after 1xx) */
  if (n >= 18 && !strncasecmp(p, "Transfer-Encoding:", 18)) return n;  /* curl removed the framing */
  return tt_buf_append(&x->hdr, p, n) ? 0 : n;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *ud)
{
  (void)h;
  xfer *x = ud;
  if (type == CURLINFO_HEADER_OUT) tt_buf_append(&x->req, data, size);
  return 0;
}

static void xfer_free(xfer *x)
{
  if (!x) return;
  if (x->h) curl_easy_cleanup(x->h);
  curl_slist_free_all(x->hdrs);
  tt_job_fini(&x->job);
  tt_buf_fini(&x->req);
  tt_buf_fini(&x->hdr);
  tt_buf_fini(&x->body);
  tt_free(x);
}

static int start(crawl *c, host *h, tt_job *j, int is_robots)
{
  xfer *x = tt_calloc(1, sizeof *x);
  TT_CHECK_ALLOC(x);
  x->job = *j;
  memset(j, 0, sizeof *j);
  x->host = h;
  x->is_robots = is_robots;
  x->max_bytes = (size_t)c->o->max_bytes;
  x->h = curl_easy_init();
  if (!x->h) { xfer_free(x); return tt_error_set(TT_ENOMEM, "curl_easy_init failed"); }
  CURL *e = x->h;
  curl_easy_setopt(e, CURLOPT_URL, x->job.url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, x);
  curl_easy_setopt(e, CURLOPT_USERAGENT, c->o->user_agent);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->o->timeout_ms);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->o->connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->o->max_bytes);
  curl_easy_setopt(e, CURLOPT_ACCEPT_ENCODING, "gzip, deflate");
  curl_easy_setopt(e, CURLOPT_HTTP_CONTENT_DECODING, 0L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
  curl_easy_setopt(e, CURLOPT_DEBUGFUNCTION, on_debug);
  curl_easy_setopt(e, CURLOPT_DEBUGDATA, x);
  curl_easy_setopt(e, CURLOPT_VERBOSE, 1L);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, x->errbuf);
  if (c->o->cacert) curl_easy_setopt(e, CURLOPT_CAINFO, c->o->cacert);
  if (c->resolve) curl_easy_setopt(e, CURLOPT_RESOLVE, c->resolve);
  char line[1024];
  if (x->job.etag) { snprintf(line, sizeof line, "If-None-Match: %s", x->job.etag); x->hdrs = curl_slist_append(x->hdrs, line); }
  if (x->job.lastmod) { snprintf(line, sizeof line, "If-Modified-Since: %s", x->job.lastmod); x->hdrs = curl_slist_append(x->hdrs, line); }
  if (x->hdrs) curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->hdrs);
  x->start_us = wall_us();
  if (curl_multi_add_handle(c->multi, e) != CURLM_OK) {
    xfer_free(x);
    return tt_error_set(TT_ERROR, "curl_multi_add_handle failed");
  }
  if (c->nactive == c->capactive) {
    size_t cap = c->capactive ? c->capactive * 2 : 16;
    xfer **v = tt_realloc(c->active, cap * sizeof *v);
    if (!v) { curl_multi_remove_handle(c->multi, e); xfer_free(x); return tt_error_set(TT_ENOMEM, "out of memory"); }
    c->active = v;
    c->capactive = cap;
  }
  c->active[c->nactive++] = x;
  h->busy = 1;
  if (h->ip) { x->ip = h->ip; h->ip->busy++; }
  c->inflight++;
  return 0;
}

static void forget(crawl *c, xfer *x)
{
  for (size_t i = 0; i < c->nactive; i++)
    if (c->active[i] == x) { c->active[i] = c->active[--c->nactive]; return; }
}

/* Politeness delay of a host. */
static int64_t host_delay(crawl *c, host *h)
{
  long d = c->o->delay_ms;
  if (h->robots) {
    long rd = tt_robots__delay_ms(h->robots);
    if (rd > d) d = rd;
  }
  return d;
}

/* Retry-After: seconds or an HTTP date; -1 when absent or unreadable. */
static long retry_after_ms(const char *v)
{
  if (!v[0]) return -1;
  char *e;
  long s = strtol(v, &e, 10);
  if (e != v && *e == 0 && s >= 0) return s > 86400 ? 86400000L : s * 1000;
  time_t t = curl_getdate(v, NULL);
  if (t < 0) return -1;
  long d = (long)(t - time(NULL));
  return d < 0 ? 0 : d * 1000;
}

static void sitemap_cb(void *ctx, const char *url, size_t len, int kind)
{
  void **a = ctx;
  crawl *c = a[0];
  tt_job *parent = a[1];
  if (tt_url__resolve(parent->url, url, len, &c->tmp)) return;
  int k = kind == TT_FEED_SITEMAP ? TT_JOB_SITEMAP : TT_JOB_PAGE;
  int depth = parent->kind == TT_JOB_FEED ? parent->depth + 1 : parent->depth;
  /* a sitemap may list other hosts of the site: the scope decides */
  if (k == TT_JOB_SITEMAP && !in_scope(c, c->tmp.p)) return;
  int r = enqueue(c, c->tmp.p, k, depth, 0, 0);
  if (r < 0 && !c->rc) c->rc = r;
}

/* A finished page or sitemap with status 200: find what it links to. */
static void expand(crawl *c, xfer *x, tt_http_msg *m)
{
  tt_buf body = TT_BUF_INIT;
  if (tt_http__decode_body(m, (size_t)c->o->max_bytes, &body)) {
    c->st->errors++;
    tt_buf_fini(&body);
    return;
  }
  const char *p = body.p ? body.p : "";
  if (x->job.kind == TT_JOB_SITEMAP && body.n >= 2 && (unsigned char)p[0] == 0x1f && (unsigned char)p[1] == 0x8b) {
    tt_buf un = TT_BUF_INIT;
    if (tt_http__gunzip((const unsigned char *)p, body.n, (size_t)c->o->max_bytes, &un) == 0) {
      tt_buf_fini(&body);
      body = un;
      p = body.p ? body.p : "";
    } else {
      tt_buf_fini(&un);
    }
  }
  char ct[256];
  tt_http__header(m, "Content-Type", ct, sizeof ct);
  int html = strncasecmp(ct, "text/html", 9) == 0 || strncasecmp(ct, "application/xhtml", 17) == 0;
  if (!html || x->job.kind != TT_JOB_PAGE) {
    void *ctx[2] = {c, &x->job};
    if (tt_sitemap__parse(p, body.n, sitemap_cb, ctx) >= 0) { tt_buf_fini(&body); return; }
    if (!html) { tt_buf_fini(&body); return; }
  }
  if (x->job.kind == TT_JOB_PAGE) c->st->pages++;
  tt_extracted ex;
  tt_extract_options eo = TT_EXTRACT_OPTIONS_INIT;
  eo.content_type = ct;
  eo.want_links = 1;
  if (tt_extract_html(&ex, x->job.url, p, body.n, &eo) == 0) {
    /* the canonical URL is this page: do not fetch it again under that name */
    if (strcmp(ex.canonical, x->job.url) && in_scope(c, ex.canonical)) tt_frontier__mark(c->fr, ex.canonical);
    for (size_t i = 0; i < ex.nfeeds; i++) enqueue(c, ex.feeds[i], TT_JOB_FEED, x->job.depth, 0, 0);
    for (size_t i = 0; i < ex.nlinks; i++) {
      int r = enqueue(c, ex.links[i], TT_JOB_PAGE, x->job.depth + 1, 0, 0);
      if (r < 0 && !c->rc) c->rc = r;
    }
    tt_extracted_fini(&ex);
  }
  tt_buf_fini(&body);
}

static void robots_done(crawl *c, host *h, int status, tt_http_msg *m)
{
  tt_robots__free(h->robots);
  if (status == 200 && m) {
    tt_buf body = TT_BUF_INIT;
    if (tt_http__decode_body(m, 1u << 20, &body) == 0) h->robots = tt_robots__parse(body.p ? body.p : "", body.n, c->agent);
    else h->robots = tt_robots__all(1);
    tt_buf_fini(&body);
  } else if (status >= 400 && status < 500) {
    h->robots = tt_robots__all(1);          /* no robots.txt: everything allowed */
  } else {
    h->robots = tt_robots__all(0);          /* unreachable: nothing allowed (RFC 9309 2.3.1.4) */
    h->robots_failed = 1;
    c->st->hosts_unreachable++;
  }
  if (!h->robots) { c->rc = tt_error_set(TT_ENOMEM, "out of memory"); return; }
  h->robots_state = ROBOTS_READY;
  /* the delay after robots.txt itself is the Crawl-delay just read */
  int64_t next = now_ms() + host_delay(c, h);
  if (h->next_ms < next) h->next_ms = next;
  if (h->ip && h->ip->next_ms < next) h->ip->next_ms = next;
  size_t ns = tt_robots__nsitemaps(h->robots);
  for (size_t i = 0; i < ns; i++) {
    const char *sm = tt_robots__sitemap(h->robots, i);
    if (tt_url__resolve(h->key, sm, strlen(sm), &c->tmp) == 0 && in_scope(c, c->tmp.p))
      enqueue(c, c->tmp.p, TT_JOB_SITEMAP, 0, 0, 0);
  }
  if (!ns && h->seed_host && !h->sitemap_tried) {
    h->sitemap_tried = 1;
    tt_buf_reset(&c->tmp);
    tt_buf_printf(&c->tmp, "%s/sitemap.xml", h->key);
    enqueue(c, c->tmp.p, TT_JOB_SITEMAP, 0, 0, 0);
  }
}

/* Put a job back at the front of its host's queue after a backoff. */
static void retry(crawl *c, xfer *x, long wait_ms)
{
  c->st->retries++;
  x->job.tries++;
  host *h = x->host;
  int64_t t = now_ms() + wait_ms;
  if (t > h->next_ms) h->next_ms = t;
  if (x->is_robots) { h->robots_state = ROBOTS_NONE; h->robots_tries++; tt_job_fini(&x->job); return; }
  push_job(h, &x->job, 1);
}

/* The slot of address ip (created when new); NULL when out of memory. */
static ipslot *get_ipslot(crawl *c, const char *ip)
{
  for (size_t i = 0; i < c->nips; i++)
    if (!strcmp(c->ips[i]->ip, ip)) return c->ips[i];
  ipslot **v = tt_realloc(c->ips, (c->nips + 1) * sizeof *v);
  if (!v) return NULL;
  c->ips = v;
  ipslot *s = tt_calloc(1, sizeof *s);
  if (!s) return NULL;
  snprintf(s->ip, sizeof s->ip, "%s", ip);
  c->ips[c->nips++] = s;
  return s;
}

/* A certificate the TLS library did not trust: retrying will not help. */
static int tls_trust_error(CURLcode res)
{
  return res == CURLE_PEER_FAILED_VERIFICATION || res == CURLE_SSL_CACERT_BADFILE || res == CURLE_SSL_ISSUER_ERROR ||
         res == CURLE_SSL_PINNEDPUBKEYNOTMATCH;
}

static void finish(crawl *c, xfer *x, CURLcode res)
{
  host *h = x->host;
  h->busy = 0;
  c->inflight--;
  if (x->ip) x->ip->busy--;
  int64_t next = now_ms() + host_delay(c, h);
  h->next_ms = next;
  if (!h->ip) {
    /* learn the host's address; an unknown one (no connection made) stays unknown */
    char *pip = NULL;
    if (curl_easy_getinfo(x->h, CURLINFO_PRIMARY_IP, &pip) == CURLE_OK && pip && *pip) h->ip = get_ipslot(c, pip);
  }
  if (h->ip && h->ip->next_ms < next) h->ip->next_ms = next;
  long status = 0;
  curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
  /* a robots.txt job is made anew for each try: its host counts them */
  int tries = x->is_robots ? h->robots_tries : x->job.tries;
  long backoff = c->o->retry_base_ms << (tries < 16 ? tries : 16);
  int tries_left = tries < c->o->max_retries;
  int answered = status > 0 && x->hdr.n > 0 && (res == CURLE_OK || x->too_large || x->filtered);

  if (tls_trust_error(res)) {
    /* Said once per host, whatever --quiet. Nothing of the host is marked done: its jobs stay
     * pending in the frontier, so a --resume with --cacert fetches them. */
    if (!h->tls_failed) {
      h->tls_failed = 1;
      c->st->tls_errors++;
      c->st->errors++;
      fprintf(stderr, "%stimtin crawl: %s: TLS certificate not trusted (%s); give --cacert FILE to trust its CA\n",
              c->o->progress ? "\r" : "", h->key, x->errbuf[0] ? x->errbuf : curl_easy_strerror(res));
    }
    if (x->is_robots) h->robots_state = ROBOTS_READY;    /* the schedule drops the host's jobs */
    else c->tls_pending++;
    return;
  }
  if (res != CURLE_OK && !x->too_large && !x->filtered && res != CURLE_FILESIZE_EXCEEDED) {
    /* network error: timeout, refused, reset... */
    if (tries_left) { retry(c, x, backoff); return; }
    c->st->net_errors++;
    c->st->errors++;
    if (c->o->progress) fprintf(stderr, "\rcrawl: %s: %s\n", x->job.url, curl_easy_strerror(res));
    if (x->is_robots) robots_done(c, h, 0, NULL);
    else tt_frontier__done(c->fr, &x->job, 0, NULL, NULL);
    return;
  }
  if (res == CURLE_FILESIZE_EXCEEDED || x->too_large) {
    c->st->too_large++;
    c->st->errors++;
    if (x->is_robots) robots_done(c, h, 200, NULL);
    else tt_frontier__done(c->fr, &x->job, 0, NULL, NULL);
    return;
  }
  if (x->filtered) {
    c->st->filtered++;
    tt_frontier__done(c->fr, &x->job, (int)status, NULL, NULL);
    return;
  }
  (void)answered;
  /* an answer: keep it */
  c->st->requests++;
  if (status >= 0 && status < 600) c->st->status[status]++;
  tt_buf resp = TT_BUF_INIT;
  tt_buf_append(&resp, x->hdr.p, x->hdr.n);
  tt_buf_append(&resp, x->body.p ? x->body.p : "", x->body.n);
  c->st->bytes += resp.n;
  char *ip = NULL;
  curl_easy_getinfo(x->h, CURLINFO_PRIMARY_IP, &ip);
  /* The protocol goes into WARC-Protocol; an h2 exchange, which curl renders as "HTTP/2 200"
   * and "GET / HTTP/2", is stored with HTTP/1.1 lines so that WARC tools (which parse
   * HTTP/1.x messages) read it (docs/crawler.md, "HTTP/2 in WARC"). */
  long ver = 0;
  curl_easy_getinfo(x->h, CURLINFO_HTTP_VERSION, &ver);
  const char *proto = ver == CURL_HTTP_VERSION_2_0 ? "h2" : ver == CURL_HTTP_VERSION_1_1 ? "http/1.1" :
                      ver == CURL_HTTP_VERSION_1_0 ? "http/1.0" : ver == CURL_HTTP_VERSION_3 ? "h3" : NULL;
  if (ver == CURL_HTTP_VERSION_2_0) c->st->http2++;
  if (tt_http__as_http11(&resp) < 0 || tt_http__as_http11(&x->req) < 0) {
    if (!c->rc) c->rc = tt_error_set(TT_ENOMEM, "out of memory");
    tt_buf_fini(&resp);
    return;
  }
  if (tt_warc_writer_write_exchange(c->warc, x->job.url, ip, proto, x->start_us, x->req.p ? x->req.p : "", x->req.n, resp.p, resp.n)) {
    if (!c->rc) c->rc = tt_error_last_code() ? tt_error_last_code() : TT_EIO;
    tt_buf_fini(&resp);
    return;
  }
  tt_http_msg m;
  int parsed = tt_http__parse(resp.p, resp.n, &m) == 0;
  char hv[1024];
  if ((status == 429 || status == 500 || status == 502 || status == 503 || status == 504) && tries_left) {
    long wait = backoff;
    if (parsed && tt_http__header(&m, "Retry-After", hv, sizeof hv)) {
      long ra = retry_after_ms(hv);
      if (ra >= 0) wait = ra < c->o->max_retry_after_ms ? ra : c->o->max_retry_after_ms;
    }
    retry(c, x, wait);
    tt_buf_fini(&resp);
    return;
  }
  if (x->is_robots) {
    robots_done(c, h, (int)status, parsed ? &m : NULL);
    tt_buf_fini(&resp);
    return;
  }
  char etag[256] = "", lastmod[256] = "";
  if (parsed) {
    tt_http__header(&m, "ETag", etag, sizeof etag);
    tt_http__header(&m, "Last-Modified", lastmod, sizeof lastmod);
  }
  if (status >= 300 && status < 400 && status != 304 && parsed && tt_http__header(&m, "Location", hv, sizeof hv)) {
    if (x->job.hops >= c->o->max_redirects) c->st->redirect_dropped++;
    else if (tt_url__resolve(x->job.url, hv, strlen(hv), &c->tmp) == 0) {
      int r = enqueue(c, c->tmp.p, x->job.kind, x->job.depth, x->job.hops + 1, 1);
      if (r == 0) c->st->redirect_dropped++;      /* seen already (a loop) or out of scope */
    }
  } else if (status == 304) {
    c->st->not_modified++;
  } else if (status == 200 && parsed) {
    expand(c, x, &m);
  } else if (status >= 400) {
    c->st->errors++;
  }
  tt_frontier__done(c->fr, &x->job, (int)status, etag, lastmod);
  tt_buf_fini(&resp);
}

/* ================================================================== the loop */

static size_t queued(crawl *c)
{
  size_t n = 0;
  for (size_t i = 0; i < c->nhosts; i++) n += c->hosts[i]->qn;
  return n;
}

static void progress(crawl *c, int final)
{
  if (!c->o->progress) return;
  int64_t t = now_ms();
  if (!final && t - c->last_progress_ms < 500) return;
  c->last_progress_ms = t;
  double secs = (double)(t - c->t0_ms) / 1000.0;
  fprintf(stderr, "\rcrawl: %ld pages, %ld requests, %zu queued, %ld errors, %.1f KB/s   ", c->st->pages,
          c->st->requests, queued(c), c->st->errors, secs > 0 ? (double)c->st->bytes / 1024.0 / secs : 0.0);
  if (final) fputc('\n', stderr);
}

/* Start whatever may start now; returns ms until the next host becomes ready (or 100). */
static long schedule(crawl *c)
{
  int64_t t = now_ms();
  long wait = 100;
  size_t next_rr = c->rr;
  int page_budget = !c->o->max_pages || c->pages_before + c->st->pages + (long)c->inflight < c->o->max_pages;
  for (size_t k = 0; k < c->nhosts && c->inflight < (size_t)c->o->concurrency && !c->rc; k++) {
    host *h = c->hosts[(c->rr + k) % c->nhosts];
    if (h->busy || h->qn == 0) continue;
    if (h->tls_failed) {
      while (h->qn) { tt_job d = pop_job(h); tt_job_fini(&d); c->tls_pending++; }
      continue;
    }
    if (h->ip && h->ip->busy) continue;
    int64_t ready = h->next_ms;
    if (h->ip && h->ip->next_ms > ready) ready = h->ip->next_ms;
    if (ready > t) {
      if (ready - t < wait) wait = (long)(ready - t);
      continue;
    }
    if (h->robots_state == ROBOTS_NONE) {
      tt_job rj = {0};
      tt_buf_reset(&c->tmp);
      tt_buf_printf(&c->tmp, "%s/robots.txt", h->key);
      rj.url = tt_strndup(c->tmp.p, c->tmp.n);
      rj.kind = TT_JOB_PAGE;
      h->robots_state = ROBOTS_FETCHING;
      if (!rj.url || start(c, h, &rj, 1)) { c->rc = c->rc ? c->rc : TT_ENOMEM; return 0; }
      continue;
    }
    if (h->robots_state != ROBOTS_READY) continue;
    /* next job that robots allow */
    while (h->qn) {
      tt_job *j = &h->q[h->qhead];
      if (j->kind == TT_JOB_PAGE && !page_budget) break;
      tt_url_parts up;
      if (tt_url__split(j->url, &up) == 0 && !tt_robots__allowed(h->robots, up.path)) {
        tt_job d = pop_job(h);
        if (h->robots_failed) c->st->robots_unreachable++;
        else c->st->robots_denied++;
        tt_frontier__done(c->fr, &d, 0, NULL, NULL);
        tt_job_fini(&d);
        continue;
      }
      tt_job s = pop_job(h);
      if (start(c, h, &s, 0)) { tt_job_fini(&s); c->rc = c->rc ? c->rc : TT_ERROR; return 0; }
      next_rr = (c->rr + k + 1) % c->nhosts;   /* the next round starts after this host */
      if (j->kind == TT_JOB_PAGE && c->o->max_pages &&
          c->pages_before + c->st->pages + (long)c->inflight >= c->o->max_pages) page_budget = 0;
      break;
    }
  }
  c->rr = next_rr;
  return wait < 1 ? 1 : wait;
}

/* Is there anything left that could start? Once the page budget is spent the crawl ends
 * (sitemaps and feeds still queued stay in the frontier for a later --resume). */
static int work_left(crawl *c)
{
  if (c->o->max_pages && c->pages_before + c->st->pages >= c->o->max_pages) return 0;
  for (size_t i = 0; i < c->nhosts; i++)
    if (c->hosts[i]->qn) return 1;
  return 0;
}

int tt_crawl_run(const tt_crawl_options *o, tt_crawl_stats *stats)
{
  tt_crawl_stats local;
  if (!stats) stats = &local;
  memset(stats, 0, sizeof *stats);
  TT_RETURN_IF(!o || o->version != TT_CRAWL_OPTIONS_VERSION, TT_EINVAL, "crawl: bad options version");
  TT_RETURN_IF(!o->out_dir || !*o->out_dir, TT_EINVAL, "crawl: --out DIR is required");
  TT_RETURN_IF(o->concurrency < 1 || o->concurrency > 1000, TT_EINVAL, "crawl: --concurrency must be 1..1000");
  TT_RETURN_IF(o->delay_ms < 0 || o->max_pages < 0 || o->max_bytes <= 0 || o->timeout_ms <= 0, TT_EINVAL, "crawl: negative limit");
  if (mkdir(o->out_dir, 0755) && errno != EEXIST) return tt_error_set(TT_EIO, "mkdir %s: %s", o->out_dir, strerror(errno));

  crawl c;
  memset(&c, 0, sizeof c);
  c.o = o;
  c.st = stats;
  c.t0_ms = now_ms();
  /* robots product token: the user agent up to '/' or a space */
  size_t k = 0;
  for (const char *p = o->user_agent; *p && *p != '/' && *p != ' ' && k < sizeof c.agent - 1; p++) c.agent[k++] = *p;
  c.agent[k] = 0;
  int rc = 0;
  if (curl_global_init(CURL_GLOBAL_DEFAULT)) return tt_error_set(TT_ERROR, "curl_global_init failed");
  c.multi = curl_multi_init();
  if (!c.multi) { rc = tt_error_set(TT_ENOMEM, "curl_multi_init failed"); goto done; }
  curl_multi_setopt(c.multi, CURLMOPT_MAX_HOST_CONNECTIONS, 1L);
  for (size_t i = 0; i < o->nresolve; i++) {
    const char *r = o->resolve[i];
    const char *c1 = r ? strchr(r, ':') : NULL, *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2 || c1 == r || c2 == c1 + 1 || !c2[1]) {
      rc = tt_error_set(TT_EINVAL, "crawl: --resolve wants HOST:PORT:ADDRESS, not '%s'", r ? r : "");
      goto done;
    }
    struct curl_slist *l = curl_slist_append(c.resolve, r);
    if (!l) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }
    c.resolve = l;
  }
  if (o->cacert && access(o->cacert, R_OK)) {
    rc = tt_error_set(TT_EINVAL, "crawl: --cacert %s: %s", o->cacert, strerror(errno));
    goto done;
  }

  /* scope: from the seeds (added to the saved scope when resuming with seeds); a resumed crawl
   * without seeds keeps the saved one (DIR/scope, its kind included); without that, the hosts
   * of the frontier */
  c.scope_kind = o->scope;
  if ((o->resume || o->recrawl) && (rc = load_scope(&c))) goto done;
  if (o->nseeds && c.scope_kind != o->scope) {
    rc = tt_error_set(TT_EINVAL, "crawl: %s was crawled with --scope %s: give that --scope with the seeds, or no seeds",
                      o->out_dir, scope_names[c.scope_kind]);
    goto done;
  }
  tt_buf u = TT_BUF_INIT;
  for (size_t i = 0; i < o->nseeds; i++) {
    if (tt_url__normalize(o->seeds[i], &u)) { tt_buf_fini(&u); rc = tt_error_set(TT_EINVAL, "crawl: not an http(s) URL: '%s'", o->seeds[i]); goto done; }
    if ((rc = add_scope(&c, u.p))) { tt_buf_fini(&u); goto done; }
  }
  rc = tt_frontier__open(&c.fr, o->out_dir, o->recrawl ? 2 : o->resume ? 1 : 0, requeue_cb, &c, &c.pages_before);
  if (rc) { tt_buf_fini(&u); goto done; }
  if (!c.nscope)
    for (size_t i = 0; i < c.nhosts; i++) {
      tt_buf_reset(&u);
      tt_buf_printf(&u, "%s/", c.hosts[i]->key);
      if ((rc = add_scope(&c, u.p))) { tt_buf_fini(&u); goto done; }
    }
  if (!c.nscope) { tt_buf_fini(&u); rc = tt_error_set(TT_EINVAL, "crawl: no seed URL (give URLs or --seeds FILE)"); goto done; }
  if ((rc = save_scope(&c))) { tt_buf_fini(&u); goto done; }
  for (size_t i = 0; i < o->nseeds; i++) {
    tt_url__normalize(o->seeds[i], &u);
    host *h = get_host(&c, u.p);
    if (h) h->seed_host = 1;
    rc = enqueue(&c, u.p, TT_JOB_PAGE, 0, 0, 0);
    if (rc < 0) { tt_buf_fini(&u); goto done; }
    rc = 0;
  }
  tt_buf_fini(&u);
  tt_warc_writer_options wo = TT_WARC_WRITER_OPTIONS_INIT;
  wo.max_file_bytes = o->warc_max_bytes;
  wo.prefix = "crawl";
  wo.software = "timtin crawl";
  if ((rc = tt_warc_writer_open(&c.warc, o->out_dir, &wo))) goto done;

  while (!c.rc) {
    if (o->stop && *o->stop) break;
    long wait = schedule(&c);
    if (c.rc) break;
    if (c.inflight == 0 && !work_left(&c)) break;
    int running = 0;
    curl_multi_perform(c.multi, &running);
    CURLMsg *msg;
    int left, finished = 0;
    while ((msg = curl_multi_info_read(c.multi, &left))) {
      if (msg->msg != CURLMSG_DONE) continue;
      CURL *e = msg->easy_handle;
      CURLcode res = msg->data.result;
      xfer *x = NULL;
      curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&x);
      curl_multi_remove_handle(c.multi, e);
      forget(&c, x);
      finish(&c, x, res);
      xfer_free(x);
      finished = 1;
    }
    progress(&c, 0);
    /* a finished transfer changed the hosts' next start times: schedule again before sleeping
     * (the wait computed above is stale; sleeping it out would stretch every delay to 100 ms) */
    if (finished) continue;
    if (c.inflight || work_left(&c)) curl_multi_poll(c.multi, NULL, 0, (int)(wait > 100 ? 100 : wait), NULL);
  }
  rc = c.rc;

done:
  /* abort transfers in flight: they stay pending in the frontier for --resume */
  if (c.multi) {
    for (size_t i = 0; i < c.nactive; i++) {
      curl_multi_remove_handle(c.multi, c.active[i]->h);
      xfer_free(c.active[i]);
    }
    curl_multi_cleanup(c.multi);
  }
  stats->queued = (long)queued(&c) + c.tls_pending;
  progress(&c, 1);
  int wrc = tt_warc_writer_close(c.warc);
  if (!rc) rc = wrc;
  tt_frontier__close(c.fr);
  for (size_t i = 0; i < c.nhosts; i++) {
    host *h = c.hosts[i];
    while (h->qn) { tt_job j = pop_job(h); tt_job_fini(&j); }
    tt_free(h->q);
    tt_robots__free(h->robots);
    tt_free(h->key);
    tt_free(h);
  }
  tt_free(c.hosts);
  for (size_t i = 0; i < c.nips; i++) tt_free(c.ips[i]);
  tt_free(c.ips);
  curl_slist_free_all(c.resolve);
  tt_free(c.active);
  for (size_t i = 0; i < c.nscope; i++) tt_free(c.scope[i]);
  tt_free(c.scope);
  tt_buf_fini(&c.tmp);
  curl_global_cleanup();
  return rc;
}
