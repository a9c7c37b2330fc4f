/* Sitemaps and feeds (crawler/sitemap.h). These are small XML vocabularies; a tag scanner that
 * understands elements, attributes, CDATA and the five predefined entities is enough, and it
 * never builds a tree, so a huge sitemap (50,000 URLs, 50 MB) costs one pass. */
#include "crawler/sitemap.h"

#include <string.h>
#include <strings.h>

#include "common/buf.h"

static const char *find(const char *p, const char *end, const char *s)
{
  size_t m = strlen(s);
  for (; p + m <= end; p++)
    if (*p == *s && !memcmp(p, s, m)) return p;
  return NULL;
}

/* Text of an element body [p, e) with CDATA and entities decoded and blanks trimmed. */
static void text(const char *p, const char *e, tt_buf *out)
{
  tt_buf_reset(out);
  while (p < e) {
    if (e - p >= 9 && !memcmp(p, "<![CDATA[", 9)) {
      const char *ce = find(p + 9, e, "]]>");
      if (!ce) ce = e;
      tt_buf_append(out, p + 9, (size_t)(ce - p - 9));
      p = ce + 3;
      continue;
    }
    if (*p == '&') {
      static const struct { const char *ent; char c; } ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
      int done = 0;
      for (size_t i = 0; i < 5 && !done; i++) {
        size_t l = strlen(ents[i].ent);
        if ((size_t)(e - p) >= l && !memcmp(p, ents[i].ent, l)) { tt_buf_putc(out, ents[i].c); p += l; done = 1; }
      }
      if (done) continue;
    }
    tt_buf_putc(out, *p++);
  }
  size_t s = 0, n = out->n;
  while (s < n && (unsigned char)out->p[s] <= ' ') s++;
  while (n > s && (unsigned char)out->p[n - 1] <= ' ') n--;
  if (s) memmove(out->p, out->p + s, n - s);
  out->n = n - s;
  if (out->p) out->p[out->n] = 0;
}

/* Value of attribute name inside the tag [p, e). */
static int attr(const char *p, const char *e, const char *name, tt_buf *out)
{
  size_t nl = strlen(name);
  for (const char *s = p; s + nl + 1 < e; s++) {
    if ((s[-1] == ' ' || s[-1] == '\t' || s[-1] == '\n') && !strncasecmp(s, name, nl) && s[nl] == '=') {
      const char *v = s + nl + 1;
      char q = *v;
      if (q != '"' && q != '\'') return 0;
      const char *ve = memchr(v + 1, q, (size_t)(e - v - 1));
      if (!ve) return 0;
      text(v + 1, ve, out);
      return 1;
    }
  }
  return 0;
}

long tt_sitemap__parse(const char *xml, size_t n, void (*fn)(void *, const char *, size_t, int), void *ctx)
{
  const char *p = xml, *end = xml + n;
  size_t head = n < 4096 ? n : 4096;
  int index = find(xml, xml + head, "<sitemapindex") != NULL;
  int urlset = find(xml, xml + head, "<urlset") != NULL;
  int rss = find(xml, xml + head, "<rss") != NULL || find(xml, xml + head, "<rdf:RDF") != NULL;
  int atom = find(xml, xml + head, "<feed") != NULL;
  if (!index && !urlset && !rss && !atom) return -1;
  tt_buf t = TT_BUF_INIT;
  long count = 0;
  int in_item = 0;
  while (p < end) {
    const char *lt = memchr(p, '<', (size_t)(end - p));
    if (!lt) break;
    const char *gt = memchr(lt, '>', (size_t)(end - lt));
    if (!gt) break;
    const char *name = lt + 1;
    if (index || urlset) {
      if ((size_t)(end - name) >= 4 && !memcmp(name, "loc>", 4)) {
        const char *close = find(gt + 1, end, "</loc>");
        if (!close) break;
        text(gt + 1, close, &t);
        if (t.n) { fn(ctx, t.p, t.n, index ? TT_FEED_SITEMAP : TT_FEED_PAGE); count++; }
        p = close + 6;
        continue;
      }
    } else {
      if (!strncmp(name, "item", 4) && (name[4] == '>' || name[4] == ' ')) in_item = 1;
      else if (!strncmp(name, "entry", 5) && (name[5] == '>' || name[5] == ' ')) in_item = 1;
      else if (!strncmp(name, "/item>", 6) || !strncmp(name, "/entry>", 7)) in_item = 0;
      else if (in_item && !strncmp(name, "link", 4) && (name[4] == '>' || name[4] == ' ' || name[4] == '/')) {
        if (gt[-1] == '/' || attr(name, gt, "href", &t)) {
          /* Atom: <link href="..."/> (rel=alternate or none) */
          tt_buf rel = TT_BUF_INIT;
          int ok = attr(name, gt, "href", &t) && (!attr(name, gt, "rel", &rel) || !strcmp(rel.p, "alternate"));
          tt_buf_fini(&rel);
          if (ok && t.n) { fn(ctx, t.p, t.n, TT_FEED_PAGE); count++; }
        } else {
          const char *close = find(gt + 1, end, "</link>");
          if (!close) break;
          text(gt + 1, close, &t);
          if (t.n) { fn(ctx, t.p, t.n, TT_FEED_PAGE); count++; }
          p = close + 7;
          continue;
        }
      }
    }
    p = gt + 1;
  }
  tt_buf_fini(&t);
  return count;
}
