/* HTML articles (.html/.htm) through gumbo: metadata from <head>, visible text from <body>.
 * Called by articles/reader.c. Real boilerplate removal (menus, "Tin liên quan" lists...)
 * belongs to the crawler's extractor; this is the plain "visible text" view of a page.
 *
 * Two notes on gumbo 0.10.1, the version Debian ships:
 * - It records every parse error with a copy of the open-element stack, so an unclosed element
 *   costs memory proportional to the depth: 4,000 nested <div> take 128 MB and 100,000 take tens
 *   of GB. We parse with max_errors = 0, which turns the recording off.
 * - Its scope checks walk the open-element stack, so parse time grows with the square of the
 *   nesting depth (100,000 nested <div> run for minutes even without error recording). Real
 *   pages nest a few dozen levels; estimate_depth() scans the tags first and refuses pages deeper
 *   than TT_HTML_MAX_DEPTH instead of handing them to gumbo. */
#include "articles/reader.h"

#include <gumbo.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/compiler.h"
#include "common/error.h"

/* ------------------------------------------------------------------ depth estimate */

/* Elements that never nest in gumbo's tree: void elements, and the ones a sibling start tag
 * closes implicitly (<p>, <li>, <td>...). Counting them would make ordinary pages look deep. */
static const char *const flat_tags[] = {
  "area", "base", "basefont", "bgsound", "br", "col", "embed", "hr", "img", "input", "keygen",
  "link", "meta", "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "optgroup",
  "tr", "td", "th", "tbody", "thead", "tfoot", "rb", "rt", "rp", "colgroup", "caption", "frame"};

/* Elements whose content is raw text: their inner "<" do not start tags. */
static const char *const raw_tags[] = {"script", "style", "textarea", "title", "xmp", "noembed",
                                       "noframes", "iframe", "plaintext"};

static int in_list(const char *name, const char *const *list, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!strcmp(name, list[i])) return 1;
  return 0;
}

static int alpha(unsigned char c) { return (c | 32) >= 'a' && (c | 32) <= 'z'; }

/* Lower-cased tag name at p (at most 15 bytes kept); returns the bytes consumed. */
static size_t tag_name(const char *p, size_t n, char name[16])
{
  size_t i = 0, k = 0;
  while (i < n) {
    unsigned char c = (unsigned char)p[i];
    if (c <= ' ' || c == '/' || c == '>') break;
    if (k < 15) name[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    i++;
  }
  name[k] = 0;
  return i;
}

static uint32_t name_hash(const char *s)
{
  uint32_t h = 2166136261u;
  while (*s) h = (h ^ (unsigned char)*s++) * 16777619u;
  return h;
}

/* Skip to the end of a tag ('>' outside quotes); returns the index after it and sets *selfclose
 * when the tag ends with "/>". */
static size_t tag_end(const char *p, size_t n, size_t i, int *selfclose)
{
  char q = 0;
  *selfclose = 0;
  for (; i < n; i++) {
    char c = p[i];
    if (q) { if (c == q) q = 0; continue; }
    if (c == '"' || c == '\'') q = c;
    else if (c == '>') { *selfclose = i > 0 && p[i - 1] == '/'; return i + 1; }
  }
  return n;
}

/* An upper bound, in practice, of the depth of gumbo's tree for this page; stops counting once
 * the result exceeds max. It follows the tokenizer's view of tags (comments, raw-text elements,
 * quoted attributes) and pops an end tag only when its name is among the 64 innermost open
 * elements, so stray end tags cannot hide depth. */
static size_t estimate_depth(const char *p, size_t n, size_t max)
{
  enum { WINDOW = 64 };
  struct open { uint32_t hash; unsigned char foreign; } *st = tt_malloc((max + 2) * sizeof *st);
  if (!st) return max + 1;
  size_t depth = 0, deepest = 0, foreign = 0;
  size_t i = 0;
  while (i < n && deepest <= max) {
    const char *lt = memchr(p + i, '<', n - i);
    if (!lt) break;
    i = (size_t)(lt - p) + 1;
    if (i >= n) break;
    if (p[i] == '!' || p[i] == '?') {
      if (n - i >= 3 && p[i] == '!' && p[i + 1] == '-' && p[i + 2] == '-') {
        const char *e = memmem(p + i + 3, n - i - 3, "-->", 3);
        i = e ? (size_t)(e - p) + 3 : n;
      } else {
        const char *e = memchr(p + i, '>', n - i);
        i = e ? (size_t)(e - p) + 1 : n;
      }
      continue;
    }
    int closing = p[i] == '/';
    if (closing) i++;
    if (i >= n || !alpha((unsigned char)p[i])) continue;
    char name[16];
    i += tag_name(p + i, n - i, name);
    int selfclose;
    i = tag_end(p, n, i, &selfclose);
    uint32_t h = name_hash(name);
    if (closing) {
      for (size_t k = 0; k < depth && k < WINDOW; k++) {
        if (st[depth - 1 - k].hash != h) continue;
        for (size_t j = depth - 1 - k; j < depth; j++) foreign -= st[j].foreign;
        depth -= k + 1;
        break;
      }
      continue;
    }
    if (in_list(name, raw_tags, TT_ARRAY_LEN(raw_tags))) {
      /* Skip to the matching end tag, case-insensitively. */
      size_t nl = strlen(name);
      while (i < n) {
        const char *e = memchr(p + i, '<', n - i);
        if (!e) { i = n; break; }
        i = (size_t)(e - p) + 1;
        if (n - i > nl && p[i] == '/' && !strncasecmp(p + i + 1, name, nl)) break;
      }
      continue;
    }
    if (in_list(name, flat_tags, TT_ARRAY_LEN(flat_tags))) continue;
    if (selfclose && foreign) continue;      /* "<path/>" inside <svg>; "<div/>" still opens */
    int is_foreign = !strcmp(name, "svg") || !strcmp(name, "math");
    st[depth].hash = h;
    st[depth].foreign = (unsigned char)is_foreign;
    foreign += (size_t)is_foreign;
    depth++;
    if (depth > deepest) deepest = depth;
  }
  tt_free(st);
  return deepest;
}

/* ------------------------------------------------------------------ tree walking */

static GumboVector *children(GumboNode *n)
{
  if (n->type == GUMBO_NODE_DOCUMENT) return &n->v.document.children;
  if (n->type == GUMBO_NODE_ELEMENT || n->type == GUMBO_NODE_TEMPLATE) return &n->v.element.children;
  return NULL;
}

/* enter() returns 1 to visit the children, 0 to skip them, < 0 to stop with that code;
 * leave() runs after the children of every node that enter() accepted or skipped. */
typedef int (*enter_fn)(void *ctx, GumboNode *n);
typedef int (*leave_fn)(void *ctx, GumboNode *n);

/* Depth-first walk with an explicit stack, so a deep tree cannot exhaust the C stack. */
static int walk(GumboNode *root, enter_fn enter, leave_fn leave, void *ctx)
{
  struct frame { GumboNode *n; unsigned i; } *st = NULL;
  size_t depth = 0, cap = 0;
  int rc = enter(ctx, root);
  if (rc < 0) return rc;
  if (rc == 0) return leave ? leave(ctx, root) : 0;
  cap = 64;
  st = tt_malloc(cap * sizeof *st);
  if (!st) return TT_ENOMEM;
  st[depth++] = (struct frame){root, 0};
  rc = 0;
  while (depth && rc >= 0) {
    struct frame *f = &st[depth - 1];
    GumboVector *v = children(f->n);
    if (!v || f->i >= v->length) {
      if (leave) rc = leave(ctx, f->n);
      depth--;
      continue;
    }
    GumboNode *c = v->data[f->i++];
    int e = enter(ctx, c);
    if (e < 0) { rc = e; break; }
    GumboVector *cv = children(c);
    if (e == 1 && cv && cv->length) {
      if (tt_array_reserve(st, cap, depth + 1)) { rc = TT_ENOMEM; break; }
      st[depth++] = (struct frame){c, 0};
    } else if (leave) {
      rc = leave(ctx, c);
    }
  }
  tt_free(st);
  return rc < 0 ? rc : 0;
}

static const char *attr(GumboNode *n, const char *name)
{
  if (n->type != GUMBO_NODE_ELEMENT) return NULL;
  GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : NULL;
}

/* ------------------------------------------------------------------ visible text */

typedef struct text_ctx {
  tt_buf *out;
  int oneline;     /* titles: line breaks become spaces */
  int space;       /* a space is due before the next visible byte */
  int newline;     /* a line break is due before the next visible byte */
  int pre;         /* inside <pre>: keep line breaks */
} text_ctx;

static int skipped_tag(GumboNode *n)
{
  switch (n->v.element.tag) {
  case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NAV: case GUMBO_TAG_NOSCRIPT:
  case GUMBO_TAG_TEMPLATE: case GUMBO_TAG_IFRAME: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
  case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_CANVAS: case GUMBO_TAG_HEAD:
  case GUMBO_TAG_SELECT: case GUMBO_TAG_BUTTON: case GUMBO_TAG_TITLE:
    return 1;
  default:
    return gumbo_get_attribute(&n->v.element.attributes, "hidden") != NULL;
  }
}

/* 2 = line break around the element, 1 = a space (table cells), 0 = inline. */
static int break_kind(GumboTag t)
{
  switch (t) {
  case GUMBO_TAG_TD: case GUMBO_TAG_TH:
    return 1;
  case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_ASIDE: case GUMBO_TAG_BLOCKQUOTE:
  case GUMBO_TAG_BODY: case GUMBO_TAG_BR: case GUMBO_TAG_CAPTION: case GUMBO_TAG_CENTER:
  case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIR:
  case GUMBO_TAG_DIV: case GUMBO_TAG_DL: case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET:
  case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE: case GUMBO_TAG_FOOTER: case GUMBO_TAG_FORM:
  case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5:
  case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HGROUP: case GUMBO_TAG_HR:
  case GUMBO_TAG_HTML: case GUMBO_TAG_LEGEND: case GUMBO_TAG_LI: case GUMBO_TAG_MAIN:
  case GUMBO_TAG_MENU: case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE:
  case GUMBO_TAG_SECTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY:
  case GUMBO_TAG_TFOOT: case GUMBO_TAG_THEAD: case GUMBO_TAG_TR: case GUMBO_TAG_UL:
    return 2;
  default:
    return 0;
  }
}

static void mark_break(text_ctx *t, int kind)
{
  if (kind == 2 && !t->oneline) t->newline = 1;
  else if (kind) t->space = 1;
}

/* Append text with white space collapsed (U+00A0 counts as white space). */
static int put_text(text_ctx *t, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (c == '\n' && t->pre && !t->oneline) t->newline = 1;
      else t->space = 1;
      continue;
    }
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) {
      t->space = 1;
      i++;
      continue;
    }
    if (t->out->n) {
      if (t->newline && tt_buf_putc(t->out, '\n')) return TT_ENOMEM;
      else if (!t->newline && t->space && tt_buf_putc(t->out, ' ')) return TT_ENOMEM;
    }
    t->newline = t->space = 0;
    if (tt_buf_putc(t->out, (char)c)) return TT_ENOMEM;
  }
  return 0;
}

static int text_enter(void *ctx, GumboNode *n)
{
  text_ctx *t = ctx;
  switch (n->type) {
  case GUMBO_NODE_TEXT: case GUMBO_NODE_CDATA: case GUMBO_NODE_WHITESPACE:
    return put_text(t, n->v.text.text, strlen(n->v.text.text)) ? TT_ENOMEM : 0;
  case GUMBO_NODE_ELEMENT: case GUMBO_NODE_TEMPLATE:
    if (skipped_tag(n)) { t->space = 1; return 0; }
    mark_break(t, break_kind(n->v.element.tag));
    if (n->v.element.tag == GUMBO_TAG_PRE) t->pre++;
    return 1;
  case GUMBO_NODE_DOCUMENT:
    return 1;
  default:
    return 0;
  }
}

static int text_leave(void *ctx, GumboNode *n)
{
  text_ctx *t = ctx;
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) return 0;
  if (skipped_tag(n)) return 0;
  mark_break(t, break_kind(n->v.element.tag));
  if (n->v.element.tag == GUMBO_TAG_PRE && t->pre) t->pre--;
  return 0;
}

static int visible_text(GumboNode *root, tt_buf *out, int oneline)
{
  text_ctx t = {out, oneline, 0, 0, 0};
  if (oneline && root->type == GUMBO_NODE_ELEMENT) {
    /* A <title> is skipped in body text, but is exactly what we want here. */
    GumboVector *v = &root->v.element.children;
    for (unsigned i = 0; i < v->length; i++) {
      int rc = walk(v->data[i], text_enter, text_leave, &t);
      if (rc) return rc;
    }
    return 0;
  }
  return walk(root, text_enter, text_leave, &t);
}

/* Collapse the white space of an attribute value into out. */
static int put_value(tt_buf *out, const char *s)
{
  text_ctx t = {out, 1, 0, 0, 0};
  return put_text(&t, s, strlen(s));
}

/* ------------------------------------------------------------------ metadata */

typedef struct meta_ctx {
  GumboNode *title, *h1, *body;
  const char *og_title, *published, *published2, *canonical, *og_url, *site_name;
} meta_ctx;

static int has_token(const char *list, const char *word)
{
  size_t k = strlen(word);
  for (const char *p = list; *p;) {
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    const char *e = p;
    while (*e && *e != ' ' && *e != '\t' && *e != '\n') e++;
    if ((size_t)(e - p) == k && !strncasecmp(p, word, k)) return 1;
    p = e;
  }
  return 0;
}

static int absolute_url(const char *u)
{
  return u && (!strncasecmp(u, "http://", 7) || !strncasecmp(u, "https://", 8));
}

static int meta_enter(void *ctx, GumboNode *n)
{
  meta_ctx *m = ctx;
  if (n->type == GUMBO_NODE_DOCUMENT) return 1;
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) return 0;
  switch (n->v.element.tag) {
  case GUMBO_TAG_META: {
    const char *key = attr(n, "property");
    if (!key) key = attr(n, "name");
    const char *content = attr(n, "content");
    const char *item = attr(n, "itemprop");
    if (item && !strcasecmp(item, "datePublished") && !m->published2)
      m->published2 = content ? content : attr(n, "datetime");
    if (!key || !content) return 0;
    if (!strcasecmp(key, "og:title") && !m->og_title) m->og_title = content;
    else if ((!strcasecmp(key, "article:published_time") || !strcasecmp(key, "og:published_time")) &&
             !m->published)
      m->published = content;
    else if (!strcasecmp(key, "og:url") && !m->og_url) m->og_url = content;
    else if (!strcasecmp(key, "og:site_name") && !m->site_name) m->site_name = content;
    return 0;
  }
  case GUMBO_TAG_LINK: {
    const char *rel = attr(n, "rel"), *href = attr(n, "href");
    if (rel && href && !m->canonical && has_token(rel, "canonical") && absolute_url(href)) m->canonical = href;
    return 0;
  }
  case GUMBO_TAG_TIME: {
    const char *item = attr(n, "itemprop");
    if (item && !strcasecmp(item, "datePublished") && !m->published2) m->published2 = attr(n, "datetime");
    return 1;
  }
  case GUMBO_TAG_TITLE:
    if (!m->title) m->title = n;
    return 0;
  case GUMBO_TAG_H1:
    if (!m->h1) m->h1 = n;
    return 0;
  case GUMBO_TAG_BODY:
    if (!m->body) m->body = n;
    return 1;
  case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE:
    return 0;
  default:
    return 1;
  }
}

/* ------------------------------------------------------------------ the page */

int tt_articles__parse_html(const char *data, size_t len, tt_article_doc *doc)
{
  size_t depth = estimate_depth(data, len, TT_HTML_MAX_DEPTH);
  if (depth > TT_HTML_MAX_DEPTH)
    return tt_error_set(TT_EINVAL, "elements nested more than %d deep (gumbo is slow on such pages)",
                        TT_HTML_MAX_DEPTH);

  GumboOptions opt = kGumboDefaultOptions;
  opt.max_errors = 0;
  GumboOutput *g = gumbo_parse_with_options(&opt, data, len);
  if (!g) return tt_error_set(TT_ENOMEM, "gumbo could not parse the page");

  meta_ctx m = {0};
  int rc = walk(g->document, meta_enter, NULL, &m);

  if (!rc) {
    if (m.og_title && *m.og_title) rc = put_value(&doc->title, m.og_title);
    if (!rc && !doc->title.n && m.title) rc = visible_text(m.title, &doc->title, 1);
    if (!rc && !doc->title.n && m.h1) rc = visible_text(m.h1, &doc->title, 1);
  }
  if (!rc) {
    const char *d[2] = {m.published, m.published2};
    for (int k = 0; k < 2; k++) {
      int64_t t;
      if (d[k] && tt_parse_date(d[k], strlen(d[k]), &t) == 0) { doc->published = t; break; }
    }
    tt_error_clear();
  }
  if (!rc) {
    const char *u = m.canonical ? m.canonical : absolute_url(m.og_url) ? m.og_url : NULL;
    if (u) rc = put_value(&doc->url, u);
  }
  if (!rc && m.site_name) rc = put_value(&doc->source, m.site_name);
  if (!rc) rc = visible_text(m.body ? m.body : g->root, &doc->body, 0);

  gumbo_destroy_output(&opt, g);
  if (rc == TT_ENOMEM) return tt_error_set(TT_ENOMEM, "out of memory reading the page");
  return rc;
}
