/* robots.txt (crawler/robots.h), RFC 9309. Lines are "key: value" with '#' comments; a group
 * is one or more user-agent lines followed by rules, and a user-agent line after a rule starts
 * the next group. Several groups naming us merge. Matching: '*' is any run of bytes, a final
 * '$' anchors at the end; the longest matching pattern decides, allow winning a tie; an empty
 * Disallow allows everything. /robots.txt itself is always allowed.
 *
 * Both sides are compared in one canonical percent-encoding (RFC 9309 2.2.2): %XX of an
 * unreserved character (ALPHA DIGIT - . _ ~) is decoded, any other %XX keeps its escape with
 * upper-case hex, and bytes outside printable ASCII (UTF-8 of "tin-tức", spaces) are encoded.
 * So "Disallow: /tin-tức/" blocks "/tin-t%E1%BB%A9c/x", "/%7Ea" matches "/~a", and "/a%2Fb"
 * (an escaped reserved '/') stays distinct from "/a/b". A '*' or '$' written as %2A / %24 is a
 * literal character, not a wildcard. */
#include "crawler/robots.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"

typedef struct rule { char *pat; int allow; } rule;

struct tt_robots {
  rule *rules; size_t nrules;
  long delay_ms;
  char **sitemaps; size_t nsitemaps;
  int all;           /* 1 allow all, 0 disallow all, -1 use the rules */
};

static char *dup_n(const char *s, size_t n) { return tt_strndup(s, n); }

static int hexval(int c)
{
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static int unreserved(int c)
{
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
         c == '~';
}

/* The canonical percent-encoding of s[0..n) (see the top of the file), NUL-terminated, in out
 * (at least 3n + 1 bytes). Returns the length. */
static size_t canon(const char *s, size_t n, char *out)
{
  static const char hex[] = "0123456789ABCDEF";
  size_t k = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '%' && i + 2 < n && hexval((unsigned char)s[i + 1]) >= 0 &&
        hexval((unsigned char)s[i + 2]) >= 0) {
      int v = hexval((unsigned char)s[i + 1]) * 16 + hexval((unsigned char)s[i + 2]);
      if (unreserved(v)) out[k++] = (char)v;
      else { out[k++] = '%'; out[k++] = hex[v >> 4]; out[k++] = hex[v & 15]; }
      i += 2;
    } else if (c <= 0x20 || c >= 0x7f) {
      out[k++] = '%'; out[k++] = hex[c >> 4]; out[k++] = hex[c & 15];
    } else {
      out[k++] = (char)c;
    }
  }
  out[k] = 0;
  return k;
}

tt_robots *tt_robots__all(int allow)
{
  tt_robots *r = tt_calloc(1, sizeof *r);
  if (!r) return NULL;
  r->delay_ms = -1;
  r->all = allow ? 1 : 0;
  return r;
}

void tt_robots__free(tt_robots *r)
{
  if (!r) return;
  for (size_t i = 0; i < r->nrules; i++) tt_free(r->rules[i].pat);
  for (size_t i = 0; i < r->nsitemaps; i++) tt_free(r->sitemaps[i]);
  tt_free(r->rules);
  tt_free(r->sitemaps);
  tt_free(r);
}

typedef struct pending { rule *v; size_t n, cap; } pending;

static int push_rule(pending *p, const char *pat, size_t n, int allow)
{
  if (tt_array_reserve(p->v, p->cap, p->n + 1)) return -1;
  char *c = tt_malloc(3 * n + 1);
  if (!c) return -1;
  canon(pat, n, c);
  p->v[p->n].pat = c;
  p->v[p->n++].allow = allow;
  return 0;
}

static void drop_rules(pending *p)
{
  for (size_t i = 0; i < p->n; i++) tt_free(p->v[i].pat);
  tt_free(p->v);
}

tt_robots *tt_robots__parse(const char *txt, size_t n, const char *agent)
{
  tt_robots *r = tt_robots__all(1);
  if (!r) return NULL;
  r->all = -1;
  pending mine = {0}, star = {0};
  long delay_mine = -1, delay_star = -1;
  int g_mine = 0, g_star = 0, in_agents = 0, any_mine = 0;
  size_t al = strlen(agent);
  const char *p = txt, *end = txt + n;
  int oom = 0;
  while (p < end && !oom) {
    const char *eol = p;
    while (eol < end && *eol != '\n' && *eol != '\r') eol++;
    const char *hash = memchr(p, '#', (size_t)(eol - p));
    const char *le = hash ? hash : eol;
    const char *colon = memchr(p, ':', (size_t)(le - p));
    if (colon) {
      const char *k = p, *ke = colon, *v = colon + 1, *ve = le;
      while (k < ke && (*k == ' ' || *k == '\t' || (unsigned char)*k == 0xEF || (unsigned char)*k == 0xBB || (unsigned char)*k == 0xBF)) k++;
      while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t')) ke--;
      while (v < ve && (*v == ' ' || *v == '\t')) v++;
      while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t')) ve--;
      size_t kl = (size_t)(ke - k), vl = (size_t)(ve - v);
      if (kl == 10 && !strncasecmp(k, "user-agent", 10)) {
        if (!in_agents) { g_mine = g_star = 0; in_agents = 1; }
        /* the product token: up to '/' or a space */
        size_t tl = 0;
        while (tl < vl && v[tl] != '/' && v[tl] != ' ') tl++;
        if (tl == 1 && v[0] == '*') g_star = 1;
        else if (tl == al && !strncasecmp(v, agent, al)) { g_mine = 1; any_mine = 1; }
      } else if ((kl == 5 && !strncasecmp(k, "allow", 5)) || (kl == 8 && !strncasecmp(k, "disallow", 8))) {
        in_agents = 0;
        int allow = kl == 5;
        if (vl == 0) { /* "Disallow:" allows all: no rule */ }
        else {
          if (g_mine && push_rule(&mine, v, vl, allow)) oom = 1;
          if (g_star && push_rule(&star, v, vl, allow)) oom = 1;
        }
      } else if (kl == 11 && !strncasecmp(k, "crawl-delay", 11)) {
        in_agents = 0;
        char num[32];
        size_t m = vl < sizeof num - 1 ? vl : sizeof num - 1;
        memcpy(num, v, m);
        num[m] = 0;
        char *e;
        double d = strtod(num, &e);
        if (e != num && d >= 0 && d < 86400) {
          if (g_mine) delay_mine = (long)(d * 1000);
          if (g_star) delay_star = (long)(d * 1000);
        }
      } else if (kl == 7 && !strncasecmp(k, "sitemap", 7) && vl) {
        char **s = tt_realloc(r->sitemaps, (r->nsitemaps + 1) * sizeof *s);
        if (!s) oom = 1;
        else {
          r->sitemaps = s;
          if (!(s[r->nsitemaps] = dup_n(v, vl))) oom = 1; else r->nsitemaps++;
        }
      } else {
        in_agents = in_agents && 0;
      }
    }
    p = eol;
    while (p < end && (*p == '\n' || *p == '\r')) p++;
  }
  if (oom) { drop_rules(&mine); drop_rules(&star); tt_robots__free(r); return NULL; }
  if (any_mine) { r->rules = mine.v; r->nrules = mine.n; r->delay_ms = delay_mine; drop_rules(&star); }
  else { r->rules = star.v; r->nrules = star.n; r->delay_ms = delay_star; drop_rules(&mine); }
  return r;
}

/* Does pattern pat match a prefix of path ('*' wildcard, '$' end anchor)? */
static int match(const char *pat, const char *path)
{
  for (;;) {
    if (*pat == 0) return 1;
    if (*pat == '$' && pat[1] == 0) return *path == 0;
    if (*pat == '*') {
      while (*pat == '*') pat++;
      if (*pat == 0) return 1;
      for (const char *s = path; ; s++) {
        if (match(pat, s)) return 1;
        if (*s == 0) return 0;
      }
    }
    if (*path == 0 || *pat != *path) return 0;
    pat++;
    path++;
  }
}

int tt_robots__allowed(const tt_robots *r, const char *raw)
{
  if (!strcmp(raw, "/robots.txt")) return 1;
  if (r->all >= 0) return r->all;
  char stack[1024], *path = stack;
  size_t rl = strlen(raw);
  if (3 * rl + 1 > sizeof stack) {
    path = tt_malloc(3 * rl + 1);
    if (!path) return 0;             /* out of memory: the safe answer */
  }
  canon(raw, rl, path);
  size_t best = 0;
  int allow = 1, found = 0;
  for (size_t i = 0; i < r->nrules; i++) {
    size_t l = strlen(r->rules[i].pat);
    if (found && l < best) continue;
    if (!match(r->rules[i].pat, path)) continue;
    if (!found || l > best || (l == best && r->rules[i].allow)) allow = r->rules[i].allow;
    best = l;
    found = 1;
  }
  if (path != stack) tt_free(path);
  return allow;
}

long tt_robots__delay_ms(const tt_robots *r) { return r->delay_ms; }
size_t tt_robots__nsitemaps(const tt_robots *r) { return r->nsitemaps; }
const char *tt_robots__sitemap(const tt_robots *r, size_t i) { return i < r->nsitemaps ? r->sitemaps[i] : NULL; }
