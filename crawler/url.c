/* URL resolution and normalization (crawler/url.h). Our own RFC 3986 §5 code rather than
 * curl's URL API so that normalization is under our control and total: any bytes in, either a
 * normalized http(s) URL or -1 out (fuzzed through tests/fuzz/fuzz_extract.c, which resolves
 * every link of a page). */
#include "crawler/url.h"

#include <string.h>
#include <strings.h>

typedef struct span { const char *p; size_t n; int has; } span;
typedef struct uref { span scheme, auth, path, query; } uref;

static int is_alpha(int c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }
static int is_digit(int c) { return c >= '0' && c <= '9'; }

/* Split s[0..n) into scheme, authority, path, query (fragment dropped). */
static void parse(const char *s, size_t n, uref *u)
{
  memset(u, 0, sizeof *u);
  const char *hash = memchr(s, '#', n);
  if (hash) n = (size_t)(hash - s);
  size_t i = 0;
  if (n && is_alpha((unsigned char)s[0])) {
    size_t j = 1;
    while (j < n && (is_alpha((unsigned char)s[j]) || is_digit((unsigned char)s[j]) || s[j] == '+' || s[j] == '-' || s[j] == '.')) j++;
    if (j < n && s[j] == ':') { u->scheme = (span){s, j, 1}; i = j + 1; }
  }
  if (i + 1 < n + 1 && n - i >= 2 && s[i] == '/' && s[i + 1] == '/') {
    size_t j = i + 2;
    while (j < n && s[j] != '/' && s[j] != '?') j++;
    u->auth = (span){s + i + 2, j - i - 2, 1};
    i = j;
  }
  size_t j = i;
  while (j < n && s[j] != '?') j++;
  u->path = (span){s + i, j - i, 1};
  if (j < n) u->query = (span){s + j + 1, n - j - 1, 1};
}

/* RFC 3986 §5.2.4 remove_dot_segments, in place over a buffer. */
static void remove_dots(tt_buf *in, tt_buf *out)
{
  tt_buf_reset(out);
  const char *p = in->p ? in->p : "";
  size_t n = in->n, i = 0;
  while (i < n) {
    if (n - i >= 3 && !strncmp(p + i, "../", 3)) { i += 3; continue; }
    if (n - i >= 2 && !strncmp(p + i, "./", 2)) { i += 2; continue; }
    if (n - i >= 3 && !strncmp(p + i, "/./", 3)) { i += 2; continue; }
    if (n - i == 2 && !strncmp(p + i, "/.", 2)) { i += 1; ((char *)p)[i] = '/'; continue; }
    if ((n - i >= 4 && !strncmp(p + i, "/../", 4)) || (n - i == 3 && !strncmp(p + i, "/..", 3))) {
      if (n - i == 3) { i += 2; ((char *)p)[i] = '/'; } else i += 3;
      while (out->n > 0 && out->p[out->n - 1] != '/') out->n--;
      if (out->n > 0) out->n--;
      if (out->p) out->p[out->n] = 0;
      continue;
    }
    if ((n - i == 1 && p[i] == '.') || (n - i == 2 && !strncmp(p + i, "..", 2))) break;
    size_t j = i + (p[i] == '/' ? 1 : 0);
    while (j < n && p[j] != '/') j++;
    tt_buf_append(out, p + i, j - i);
    i = j;
  }
}

static int hexv(int c)
{
  if (is_digit(c)) return c - '0';
  c |= 32;
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Append s[0..n) with percent-encoding normalized. keep lists the extra characters allowed
 * raw in this component. */
static void put_encoded(tt_buf *b, const char *s, size_t n, const char *keep)
{
  static const char hex[] = "0123456789ABCDEF";
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%' && i + 2 < n) {
      int h = hexv((unsigned char)s[i + 1]), l = hexv((unsigned char)s[i + 2]);
      if (h >= 0 && l >= 0) {
        int v = h * 16 + l;
        if (is_alpha(v) || is_digit(v) || v == '-' || v == '.' || v == '_' || v == '~') tt_buf_putc(b, (char)v);
        else { char e[3] = {'%', hex[v >> 4], hex[v & 15]}; tt_buf_append(b, e, 3); }
        i += 2;
        continue;
      }
    }
    if (is_alpha(c) || is_digit(c) || (c && (strchr("-._~!$&'()*+,;=:@", c) || strchr(keep, c)))) {
      tt_buf_putc(b, (char)c);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      tt_buf_append(b, e, 3);
    }
  }
}

static int tracking_param(const char *p, size_t n)
{
  const char *eq = memchr(p, '=', n);
  size_t k = eq ? (size_t)(eq - p) : n;
  if (k >= 4 && !strncasecmp(p, "utm_", 4)) return 1;
  return (k == 6 && !strncasecmp(p, "fbclid", 6)) || (k == 5 && !strncasecmp(p, "gclid", 5));
}

/* Build the normalized URL from resolved parts. */
static int build(const span *scheme, const span *auth, tt_buf *path, const span *query, tt_buf *out)
{
  tt_buf_reset(out);
  if (!scheme->has || !auth->has) return -1;
  int https;
  if (scheme->n == 4 && !strncasecmp(scheme->p, "http", 4)) https = 0;
  else if (scheme->n == 5 && !strncasecmp(scheme->p, "https", 5)) https = 1;
  else return -1;
  tt_buf_puts(out, https ? "https://" : "http://");
  /* Authority: drop userinfo, lower-case the host, drop a default port. */
  const char *a = auth->p;
  size_t an = auth->n;
  const char *at = NULL;
  for (size_t i = 0; i < an; i++) if (a[i] == '@') at = a + i;
  if (at) { an -= (size_t)(at + 1 - a); a = at + 1; }
  size_t hn = an;
  const char *port = NULL;
  if (an && a[0] == '[') {
    const char *rb = memchr(a, ']', an);
    if (!rb) return -1;
    hn = (size_t)(rb - a) + 1;
    if (hn < an) { if (a[hn] != ':') return -1; port = a + hn + 1; }
  } else {
    const char *c = memchr(a, ':', an);
    if (c) { hn = (size_t)(c - a); port = c + 1; }
  }
  if (hn == 0 || hn > 253) return -1;
  for (size_t i = 0; i < hn; i++) {
    unsigned char c = (unsigned char)a[i];
    if (c <= ' ' || c == '%' || c == '/' || c == '\\' || c == '?' || c == '#' || c == '<' || c == '>' || c == '"') return -1;
    tt_buf_putc(out, (char)(c >= 'A' && c <= 'Z' ? c + 32 : c));
  }
  while (out->n && out->p[out->n - 1] == '.') out->n--;   /* "example.vn." */
  if (port) {
    size_t pn = (size_t)(a + an - port);
    unsigned long v = 0;
    for (size_t i = 0; i < pn; i++) {
      if (!is_digit((unsigned char)port[i]) || pn > 5) return -1;
      v = v * 10 + (unsigned long)(port[i] - '0');
    }
    if (pn && v > 65535) return -1;
    if (pn && !((v == 80 && !https) || (v == 443 && https))) tt_buf_printf(out, ":%lu", v);
  }
  if (path->n == 0) tt_buf_putc(out, '/');
  else put_encoded(out, path->p, path->n, "/");
  if (query->has) {
    size_t mark = out->n;
    tt_buf_putc(out, '?');
    const char *q = query->p, *end = query->p + query->n;
    int first = 1;
    while (q <= end) {
      const char *amp = memchr(q, '&', (size_t)(end - q));
      if (!amp) amp = end;
      if (amp > q && !tracking_param(q, (size_t)(amp - q))) {
        if (!first) tt_buf_putc(out, '&');
        put_encoded(out, q, (size_t)(amp - q), "/?");
        first = 0;
      }
      q = amp + 1;
    }
    if (first) { out->n = mark; out->p[mark] = 0; }
  }
  return out->p ? 0 : -1;
}

int tt_url__resolve(const char *base, const char *ref, size_t ref_len, tt_buf *out)
{
  /* Trim ASCII whitespace and drop tabs/newlines inside (browsers do). */
  while (ref_len && (unsigned char)*ref <= ' ') { ref++; ref_len--; }
  while (ref_len && (unsigned char)ref[ref_len - 1] <= ' ') ref_len--;
  if (ref_len > 8192) return -1;
  char clean[8192];
  size_t cn = 0;
  for (size_t i = 0; i < ref_len; i++)
    if (ref[i] != '\t' && ref[i] != '\n' && ref[i] != '\r') clean[cn++] = ref[i] == '\\' ? '/' : ref[i];
  uref r, b;
  parse(clean, cn, &r);
  tt_buf path = TT_BUF_INIT, merged = TT_BUF_INIT;
  span scheme, auth, query;
  int rc = -1;
  if (r.scheme.has && !(r.scheme.n >= 4 && !strncasecmp(r.scheme.p, "http", 4))) goto done;  /* mailto:, javascript: */
  if (r.scheme.has) {
    scheme = r.scheme; auth = r.auth; query = r.query;
    tt_buf_append(&merged, r.path.p, r.path.n);
  } else {
    if (!base) goto done;
    parse(base, strlen(base), &b);
    if (!b.scheme.has || !b.auth.has) goto done;
    scheme = b.scheme;
    if (r.auth.has) {
      auth = r.auth; query = r.query;
      tt_buf_append(&merged, r.path.p, r.path.n);
    } else {
      auth = b.auth;
      if (r.path.n == 0) {
        tt_buf_append(&merged, b.path.p, b.path.n);
        query = r.query.has ? r.query : b.query;
      } else {
        query = r.query;
        if (r.path.p[0] == '/') tt_buf_append(&merged, r.path.p, r.path.n);
        else {
          /* Merge: base path up to its last '/', then the reference. */
          size_t k = b.path.n;
          while (k > 0 && b.path.p[k - 1] != '/') k--;
          if (k == 0) tt_buf_putc(&merged, '/');
          else tt_buf_append(&merged, b.path.p, k);
          tt_buf_append(&merged, r.path.p, r.path.n);
        }
      }
    }
  }
  if (merged.n && merged.p[0] != '/') {   /* "http://host" + "a" cannot happen; keep it rooted */
    tt_buf t = TT_BUF_INIT;
    tt_buf_putc(&t, '/');
    tt_buf_append(&t, merged.p, merged.n);
    tt_buf_fini(&merged);
    merged = t;
  }
  remove_dots(&merged, &path);
  rc = build(&scheme, &auth, &path, &query, out);
done:
  tt_buf_fini(&path);
  tt_buf_fini(&merged);
  return rc;
}

int tt_url__normalize(const char *url, tt_buf *out) { return tt_url__resolve(NULL, url, strlen(url), out); }

int tt_url__split(const char *url, tt_url_parts *p)
{
  memset(p, 0, sizeof *p);
  const char *s = strstr(url, "://");
  if (!s) return -1;
  p->scheme = url;
  p->scheme_len = (size_t)(s - url);
  p->hostport = s + 3;
  const char *slash = strchr(p->hostport, '/');
  if (!slash) return -1;
  p->hostport_len = (size_t)(slash - p->hostport);
  p->host = p->hostport;
  p->host_len = p->hostport_len;
  if (p->host_len && p->host[0] != '[') {
    const char *c = memchr(p->host, ':', p->host_len);
    if (c) p->host_len = (size_t)(c - p->host);
  }
  p->path = slash;
  p->path_len = strlen(slash);
  return 0;
}

const char *tt_url__domain(const char *host, size_t len, size_t *dlen)
{
  size_t dots[3] = {0, 0, 0};
  int nd = 0;
  for (size_t i = len; i-- > 0;)
    if (host[i] == '.') { if (nd < 3) dots[nd] = i; nd++; }
  if (nd < 2) { *dlen = len; return host; }
  size_t tld = len - dots[0] - 1;
  const char *second = host + dots[1] + 1;
  size_t slen = dots[0] - dots[1] - 1;
  static const char *const generic[] = {"com", "net", "org", "gov", "edu", "ac", "co", "info", "int", "health", "name", "biz", "pro"};
  int gen = 0;
  for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
    if (strlen(generic[i]) == slen && !strncmp(second, generic[i], slen)) gen = 1;
  size_t cut = (tld == 2 && gen) ? (nd >= 3 ? dots[2] + 1 : 0) : dots[1] + 1;
  *dlen = len - cut;
  return host + cut;
}
