/* Article extraction from a news page: metadata and the main text without the boilerplate
 * (public API tt_extract_html in include/timtin/crawl.h; called by the WARC article reader
 * below it in crawler/articles.c and by the crawler for links).
 *
 * The method, in passes over one gumbo tree:
 *
 * 1. Decode: charset from BOM / Content-Type / <meta> (crawler/charset.c), converted to UTF-8.
 * 2. Metadata from <head>: og:title, og:site_name, article:published_time (and its cousins),
 *    JSON-LD NewsArticle datePublished/headline, <link rel=canonical>, <base href>, feeds.
 * 3. Blocks: the visible text cut at block-level elements (p, div, li, h1..h6, figcaption...),
 *    each with its length and how much of it is link text. Whole subtrees are dead when their
 *    tag is never content (script, nav, aside, form controls...) or their class/id says
 *    boilerplate (share, social, related, menu, breadcrumb, comment, banner...).
 * 4. Listings: an element most of whose children carry a headline-sized link (>= 20 chars of
 *    link text) is a listing (related-news lists, "Xuất bản thông tin" boxes, category pages).
 *    Its blocks are not article text; a page whose text is mostly listings is a listing page.
 * 5. Main content: Readability's idea. Each remaining paragraph-sized block (>= 25 chars, link
 *    density < 0.5) scores 1 + commas + min(len/100, 3); its parent gets the score and its
 *    grandparent half. The best-scoring element is the content root; the body is its blocks
 *    in document order, plus lead paragraphs ("sapo") between the title and the root.
 * 6. Cleaning inside the root: link-heavy blocks (menus, share bars), captions that are only
 *    an image file name, the title repeated, the date line, and boilerplate headings ("Tin liên
 *    quan", "Xem thêm", "Video", "Đọc báo in"...) together with the short or link-heavy blocks
 *    that follow them.
 * 7. Date when the metadata has none: the first display date after the title ("12/06/2024 |
 *    12:45 PM", "Thứ Bẩy, ngày 14/03/2026 11:25", "08:34 17/03/2025"), else a day-month at the
 *    start of the lead ("BBK - Chiều 24/7, ...") with the year from the URL or the fetch date.
 *
 * Gumbo 0.10 costs memory and time that grow with nesting depth (see articles/html.c), so
 * pages are capped at 16 MB and an estimated nesting depth of 400, and parsed with
 * max_errors = 0. */
#include "timtin/crawl.h"

#include <gumbo.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"
#include "crawler/charset.h"
#include "crawler/url.h"
#include "articles/date.h"

#define EX_MAX_BYTES   (16u << 20)
#define EX_MAX_DEPTH   400
#define EX_WALK_DEPTH  600      /* recursion guard on gumbo's tree (it can nest deeper than the source) */

/* ================================================================== helpers */

static int attr_is(GumboNode *n, const char *name, const char *value)
{
  GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a && !strcasecmp(a->value, value);
}

static const char *attr(GumboNode *n, const char *name)
{
  GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : NULL;
}

/* Does the whitespace-separated token list s contain tok (ASCII case-insensitive)? */
static int has_token(const char *s, const char *tok)
{
  size_t tl = strlen(tok);
  while (s && *s) {
    while (*s == ' ' || *s == '\t' || *s == '\n') s++;
    size_t k = 0;
    while (s[k] && s[k] != ' ' && s[k] != '\t' && s[k] != '\n') k++;
    if (k == tl && !strncasecmp(s, tok, tl)) return 1;
    s += k;
  }
  return 0;
}

static int contains_ci(const char *s, const char *needle)
{
  size_t m = strlen(needle);
  for (; *s; s++)
    if (!strncasecmp(s, needle, m)) return 1;
  return 0;
}

/* Append text with whitespace runs (ASCII and U+00A0) collapsed to one space. */
static void append_ws(tt_buf *b, const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
    if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] == 0xA0) { ws = 1; i++; }
    if (ws) {
      if (b->n && b->p[b->n - 1] != ' ') tt_buf_putc(b, ' ');
    } else {
      tt_buf_putc(b, (char)c);
    }
  }
}

static size_t count_chars(const char *s, size_t n)
{
  size_t k = 0;
  for (size_t i = 0; i < n; i++)
    if (((unsigned char)s[i] & 0xC0) != 0x80 && s[i] != ' ') k++;
  return k;
}

/* Trimmed copy of a string into a fresh tt_malloc'd string. */
static char *dup_trim(const char *s, size_t n)
{
  while (n && (unsigned char)*s <= ' ') { s++; n--; }
  while (n && (unsigned char)s[n - 1] <= ' ') n--;
  return tt_strndup(s, n);
}

/* Collected visible text of a subtree (collapsed whitespace). */
static void node_text(GumboNode *n, tt_buf *b, int depth)
{
  if (depth > EX_WALK_DEPTH) return;
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
    append_ws(b, n->v.text.text, strlen(n->v.text.text));
    return;
  }
  if (n->type != GUMBO_NODE_ELEMENT && n->type != GUMBO_NODE_TEMPLATE) return;
  GumboTag t = n->v.element.tag;
  if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT) return;
  GumboVector *ch = &n->v.element.children;
  for (unsigned i = 0; i < ch->length; i++) node_text(ch->data[i], b, depth + 1);
}

/* A rough nesting depth of the source: start tags minus end tags, leaving out void elements
 * and elements that a sibling closes implicitly, skipping raw-text elements. */
static int too_deep(const char *p, size_t n)
{
  static const char *const flat[] = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
    "param", "source", "track", "wbr", "p", "li", "dt", "dd", "option", "tr", "td", "th", "!", "?"};
  long depth = 0;
  for (size_t i = 0; i < n; i++) {
    if (p[i] != '<') continue;
    size_t j = i + 1;
    int close = j < n && p[j] == '/';
    if (close) j++;
    char name[12];
    size_t k = 0;
    while (j < n && k < sizeof name - 1 && ((p[j] | 32) >= 'a' && (p[j] | 32) <= 'z' ? 1 : (p[j] >= '0' && p[j] <= '9') || p[j] == '!' || p[j] == '?'))
      name[k++] = (char)(p[j++] | 32);
    name[k] = 0;
    if (!k) continue;
    const char *gt = memchr(p + j, '>', n - j);
    if (!gt) break;
    int self = gt > p && gt[-1] == '/';
    int isflat = 0;
    for (size_t f = 0; f < sizeof flat / sizeof flat[0]; f++)
      if (!strcmp(name, flat[f]) || (flat[f][0] == '!' && name[0] == '!') || (flat[f][0] == '?' && name[0] == '?')) isflat = 1;
    if (!close && (!strcmp(name, "script") || !strcmp(name, "style") || !strcmp(name, "textarea"))) {
      /* skip to the matching end tag */
      char endtag[16];
      int el = snprintf(endtag, sizeof endtag, "</%s", name);
      const char *q = gt;
      while ((q = memchr(q, '<', (size_t)(p + n - q))) && strncasecmp(q, endtag, (size_t)el)) q++;
      if (!q) break;
      i = (size_t)(q - p);
      continue;
    }
    if (isflat || self) { i = (size_t)(gt - p); continue; }
    depth += close ? -1 : 1;
    if (depth < 0) depth = 0;
    if (depth > EX_MAX_DEPTH) return 1;
    i = (size_t)(gt - p);
  }
  return 0;
}

/* ================================================================== the walk */

typedef struct elem {
  GumboNode *node;
  int parent;            /* index in elems, -1 for the root */
  double score;
  unsigned listing : 1;  /* a listing container */
  unsigned article : 1;  /* <article> / <main> or itemprop=articleBody */
} elem;

typedef struct block {
  size_t start, len;     /* bytes in ex->text */
  size_t chars, link_chars;
  int elem;              /* the block element that holds the text */
  GumboTag tag;
  int dead;
  int in_listing;
  int order;             /* index of the first text node (document order) */
} block;

typedef struct ex {
  tt_buf text;           /* block texts */
  block *blocks; size_t nblocks, capblocks;
  elem *elems;   size_t nelems, capelems;
  tt_buf cur;            /* text of the block being built */
  size_t cur_link;       /* link chars in cur */
  int cur_elem;
  int cur_order;
  int in_link;
  size_t link_chars_run; /* chars inside the current <a> (headline detection) */
  int text_order;        /* text nodes seen */
  int h1_order;          /* text order of the first h1, -1 when none */
  GumboNode *h1;
  int oom;
} ex;

static int is_block_tag(GumboTag t)
{
  switch (t) {
  case GUMBO_TAG_ADDRESS: case GUMBO_TAG_ARTICLE: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_BODY:
  case GUMBO_TAG_DD: case GUMBO_TAG_DETAILS: case GUMBO_TAG_DIV: case GUMBO_TAG_DL:
  case GUMBO_TAG_DT: case GUMBO_TAG_FIELDSET: case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_FIGURE:
  case GUMBO_TAG_FOOTER: case GUMBO_TAG_H1: case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4:
  case GUMBO_TAG_H5: case GUMBO_TAG_H6: case GUMBO_TAG_HEADER: case GUMBO_TAG_HR: case GUMBO_TAG_LI:
  case GUMBO_TAG_MAIN: case GUMBO_TAG_OL: case GUMBO_TAG_P: case GUMBO_TAG_PRE: case GUMBO_TAG_SECTION:
  case GUMBO_TAG_TABLE: case GUMBO_TAG_TBODY: case GUMBO_TAG_TD: case GUMBO_TAG_TH: case GUMBO_TAG_TR:
  case GUMBO_TAG_UL: case GUMBO_TAG_CAPTION: case GUMBO_TAG_SUMMARY: case GUMBO_TAG_CENTER: case GUMBO_TAG_HTML:
  case GUMBO_TAG_BR: case GUMBO_TAG_FORM:
    return 1;
  default:
    return 0;
  }
}

static int is_skip_tag(GumboTag t)
{
  switch (t) {
  case GUMBO_TAG_HEAD: case GUMBO_TAG_SCRIPT: case GUMBO_TAG_STYLE: case GUMBO_TAG_NOSCRIPT: case GUMBO_TAG_TEMPLATE:
  case GUMBO_TAG_IFRAME: case GUMBO_TAG_SVG: case GUMBO_TAG_MATH: case GUMBO_TAG_OBJECT: case GUMBO_TAG_EMBED:
  case GUMBO_TAG_CANVAS: case GUMBO_TAG_VIDEO: case GUMBO_TAG_AUDIO: case GUMBO_TAG_SELECT: case GUMBO_TAG_BUTTON:
  case GUMBO_TAG_INPUT: case GUMBO_TAG_TEXTAREA: case GUMBO_TAG_NAV: case GUMBO_TAG_ASIDE: case GUMBO_TAG_FOOTER:
  case GUMBO_TAG_MENU: case GUMBO_TAG_LABEL:
    return 1;
  default:
    return 0;
  }
}

/* class/id words that mark boilerplate containers. Short words must be whole tokens (or
 * hyphen/underscore parts); long ones may appear inside a token ("box-share-top"). */
static int negative_name(const char *s)
{
  if (!s || !*s) return 0;
  static const char *const sub[] = {"share", "social", "related", "relate", "lienquan", "breadcrumb", "sidebar",
    "comment", "banner", "advert", "footer", "widget", "navigation", "navbar", "popup", "cookie", "toolbar",
    "sharing", "subscribe", "newsletter", "tinkhac", "xemthem", "docthem", "most-read", "mostread", "rating"};
  for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++)
    if (contains_ci(s, sub[i])) return 1;
  static const char *const whole[] = {"nav", "menu", "ads", "ad", "tags", "tag", "print", "header", "topbar", "video", "share"};
  /* split on space, '-' and '_' */
  char part[64];
  size_t k = 0;
  for (const char *p = s;; p++) {
    char c = *p;
    if (c == 0 || c == ' ' || c == '-' || c == '_' || c == '\t') {
      part[k] = 0;
      for (size_t i = 0; k && i < sizeof whole / sizeof whole[0]; i++)
        if (!strcasecmp(part, whole[i])) return 1;
      k = 0;
      if (!c) break;
    } else if (k < sizeof part - 1) {
      part[k++] = c;
    }
  }
  return 0;
}

static int push_elem(ex *e, GumboNode *n, int parent)
{
  if (e->nelems == e->capelems) {
    size_t cap = e->capelems ? e->capelems * 2 : 256;
    elem *p = tt_realloc(e->elems, cap * sizeof *p);
    if (!p) { e->oom = 1; return -1; }
    e->elems = p;
    e->capelems = cap;
  }
  elem *el = &e->elems[e->nelems];
  memset(el, 0, sizeof *el);
  el->node = n;
  el->parent = parent;
  return (int)e->nelems++;
}

/* End the block being built (if it has text). */
static void flush(ex *e)
{
  size_t s = 0, n = e->cur.n;
  const char *p = e->cur.p;
  while (s < n && p[s] == ' ') s++;
  while (n > s && p[n - 1] == ' ') n--;
  if (n > s && e->cur_elem >= 0) {
    if (e->nblocks == e->capblocks) {
      size_t cap = e->capblocks ? e->capblocks * 2 : 128;
      block *b = tt_realloc(e->blocks, cap * sizeof *b);
      if (!b) { e->oom = 1; goto reset; }
      e->blocks = b;
      e->capblocks = cap;
    }
    block *b = &e->blocks[e->nblocks++];
    memset(b, 0, sizeof *b);
    b->start = e->text.n;
    b->len = n - s;
    b->chars = count_chars(p + s, n - s);
    b->link_chars = e->cur_link > b->chars ? b->chars : e->cur_link;
    b->elem = e->cur_elem;
    b->tag = e->elems[e->cur_elem].node->v.element.tag;
    b->order = e->cur_order;
    if (tt_buf_append(&e->text, p + s, n - s)) e->oom = 1;
  }
reset:
  tt_buf_reset(&e->cur);
  e->cur_link = 0;
  e->cur_order = -1;
}

/* Walk the body. Returns 1 when the subtree holds a headline-sized link. */
static int walk(ex *e, GumboNode *n, int parent, int depth)
{
  if (depth > EX_WALK_DEPTH || e->oom) return 0;
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_CDATA || n->type == GUMBO_NODE_WHITESPACE) {
    const char *t = n->v.text.text;
    size_t len = strlen(t);
    if (n->type != GUMBO_NODE_WHITESPACE) {
      if (e->cur_order < 0) e->cur_order = e->text_order;
      e->text_order++;
    }
    size_t before = e->cur.n;
    append_ws(&e->cur, t, len);
    if (e->in_link) {
      size_t c = count_chars(e->cur.p + before, e->cur.n - before);
      e->cur_link += c;
      e->link_chars_run += c;
    }
    return 0;
  }
  if (n->type != GUMBO_NODE_ELEMENT) return 0;
  GumboTag t = n->v.element.tag;
  if (is_skip_tag(t)) return 0;
  if (t == GUMBO_TAG_HEADER && depth > 2) {
    /* A page header (logo, menu) is boilerplate; a header inside <article> holds the title. */
    int in_article = 0;
    for (int p = parent; p >= 0; p = e->elems[p].parent)
      if (e->elems[p].article) in_article = 1;
    if (!in_article) return 0;
  }
  if (negative_name(attr(n, "class")) || negative_name(attr(n, "id"))) {
    /* but never the content itself */
    const char *ip = attr(n, "itemprop");
    if (!(ip && !strcasecmp(ip, "articleBody"))) return 0;
  }
  if (t == GUMBO_TAG_IMG) return 0;
  int block = is_block_tag(t);
  if (block) flush(e);
  int me = push_elem(e, n, parent);
  if (me < 0) return 0;
  const char *ip = attr(n, "itemprop");
  if (t == GUMBO_TAG_ARTICLE || t == GUMBO_TAG_MAIN || (ip && !strcasecmp(ip, "articleBody"))) e->elems[me].article = 1;
  if (t == GUMBO_TAG_H1 && !e->h1) { e->h1 = n; e->h1_order = e->text_order; }
  int saved_elem = e->cur_elem;
  if (block) e->cur_elem = me;
  size_t saved_run = e->link_chars_run;
  if (t == GUMBO_TAG_A) { e->in_link++; e->link_chars_run = 0; }
  GumboVector *ch = &n->v.element.children;
  unsigned nchild = 0, nheadline = 0;
  int any = 0;
  for (unsigned i = 0; i < ch->length; i++) {
    GumboNode *c = ch->data[i];
    int h = walk(e, c, me, depth + 1);
    if (c->type == GUMBO_NODE_ELEMENT) {
      nchild++;
      if (h) nheadline++;
    }
    any |= h;
  }
  if (t == GUMBO_TAG_A) {
    e->in_link--;
    if (e->link_chars_run >= 20) any = 1;
    e->link_chars_run = saved_run + e->link_chars_run;
  }
  /* A listing: at least 4 children with headline links, and most children are such. */
  if (nheadline >= 4 && nheadline * 10 >= nchild * 6) e->elems[me].listing = 1;
  if (block) {
    flush(e);
    e->cur_elem = saved_elem;
  }
  return any;
}

/* ================================================================== metadata */

typedef struct meta {
  const char *og_title, *site_name, *published, *canonical, *og_url, *base, *title, *og_type;
  char *ld_date, *ld_headline;   /* owned */
  int nofollow;
} meta;

static int ld_is_article(json_t *type)
{
  static const char *const kinds[] = {"NewsArticle", "Article", "ReportageNewsArticle", "BlogPosting", "AnalysisNewsArticle"};
  if (json_is_string(type)) {
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
      if (!strcmp(json_string_value(type), kinds[i])) return 1;
  } else if (json_is_array(type)) {
    size_t i;
    json_t *v;
    json_array_foreach(type, i, v) if (ld_is_article(v)) return 1;
  }
  return 0;
}

static void ld_scan(json_t *j, meta *m, int depth)
{
  if (depth > 8 || m->ld_date) return;
  if (json_is_array(j)) {
    size_t i;
    json_t *v;
    json_array_foreach(j, i, v) ld_scan(v, m, depth + 1);
    return;
  }
  if (!json_is_object(j)) return;
  if (ld_is_article(json_object_get(j, "@type"))) {
    json_t *d = json_object_get(j, "datePublished");
    if (json_is_string(d) && !m->ld_date) m->ld_date = tt_strndup(json_string_value(d), strlen(json_string_value(d)));
    json_t *h = json_object_get(j, "headline");
    if (json_is_string(h) && !m->ld_headline) m->ld_headline = tt_strndup(json_string_value(h), strlen(json_string_value(h)));
  }
  json_t *g = json_object_get(j, "@graph");
  if (g) ld_scan(g, m, depth + 1);
}

static void scan_meta(GumboNode *n, meta *m, int depth)
{
  if (depth > EX_WALK_DEPTH || n->type != GUMBO_NODE_ELEMENT) return;
  GumboTag t = n->v.element.tag;
  if (t == GUMBO_TAG_META) {
    const char *key = attr(n, "property");
    if (!key) key = attr(n, "name");
    if (!key) key = attr(n, "itemprop");
    const char *content = attr(n, "content");
    if (key && content && *content) {
      if (!strcasecmp(key, "og:title") && !m->og_title) m->og_title = content;
      else if (!strcasecmp(key, "og:site_name") && !m->site_name) m->site_name = content;
      else if (!strcasecmp(key, "og:url") && !m->og_url) m->og_url = content;
      else if (!strcasecmp(key, "og:type") && !m->og_type) m->og_type = content;
      else if (!m->published && (!strcasecmp(key, "article:published_time") || !strcasecmp(key, "datePublished") ||
                                 !strcasecmp(key, "pubdate") || !strcasecmp(key, "publishdate") ||
                                 !strcasecmp(key, "article.published") || !strcasecmp(key, "dc.date.issued") ||
                                 !strcasecmp(key, "og:published_time") || !strcasecmp(key, "publish-date")))
        m->published = content;
      else if (!strcasecmp(key, "robots") && contains_ci(content, "nofollow")) m->nofollow = 1;
    }
  } else if (t == GUMBO_TAG_LINK) {
    const char *rel = attr(n, "rel"), *href = attr(n, "href");
    if (rel && href && has_token(rel, "canonical") && !m->canonical) m->canonical = href;
  } else if (t == GUMBO_TAG_BASE) {
    const char *href = attr(n, "href");
    if (href && !m->base) m->base = href;
  } else if (t == GUMBO_TAG_TITLE && !m->title) {
    if (n->v.element.children.length) {
      GumboNode *c = n->v.element.children.data[0];
      if (c->type == GUMBO_NODE_TEXT) m->title = c->v.text.text;
    }
  } else if (t == GUMBO_TAG_SCRIPT && attr_is(n, "type", "application/ld+json")) {
    if (n->v.element.children.length) {
      GumboNode *c = n->v.element.children.data[0];
      if (c->type == GUMBO_NODE_TEXT || c->type == GUMBO_NODE_WHITESPACE || c->type == GUMBO_NODE_CDATA) {
        json_error_t err;
        const char *s = c->v.text.text;
        json_t *j = json_loadb(s, strlen(s), JSON_DECODE_ANY, &err);
        if (j) { ld_scan(j, m, 0); json_decref(j); }
      }
    }
    return;
  } else if (t == GUMBO_TAG_TIME && !m->published) {
    /* <time datetime> with itemprop/pubdate marks the publication */
    const char *dt = attr(n, "datetime"), *ip = attr(n, "itemprop");
    if (dt && ((ip && !strcasecmp(ip, "datePublished")) || attr(n, "pubdate"))) m->published = dt;
  }
  GumboVector *ch = &n->v.element.children;
  for (unsigned i = 0; i < ch->length; i++) scan_meta(ch->data[i], m, depth + 1);
}

/* ================================================================== links */

typedef struct strvec { char **v; size_t n, cap; } strvec;

static int strvec_push(strvec *s, const char *p, size_t n)
{
  if (tt_array_reserve(s->v, s->cap, s->n + 1)) return -1;
  char *d = tt_strndup(p, n);
  if (!d) return -1;
  s->v[s->n++] = d;
  return 0;
}

static void collect_links(GumboNode *n, const char *base, strvec *links, strvec *feeds, tt_buf *tmp, int depth)
{
  if (depth > EX_WALK_DEPTH || n->type != GUMBO_NODE_ELEMENT) return;
  GumboTag t = n->v.element.tag;
  if (t == GUMBO_TAG_A || t == GUMBO_TAG_AREA) {
    const char *href = attr(n, "href"), *rel = attr(n, "rel");
    if (href && !(rel && has_token(rel, "nofollow")) && tt_url__resolve(base, href, strlen(href), tmp) == 0)
      strvec_push(links, tmp->p, tmp->n);
  } else if (t == GUMBO_TAG_LINK) {
    const char *rel = attr(n, "rel"), *type = attr(n, "type"), *href = attr(n, "href");
    if (rel && href && type && has_token(rel, "alternate") &&
        (contains_ci(type, "rss") || contains_ci(type, "atom")) && tt_url__resolve(base, href, strlen(href), tmp) == 0)
      strvec_push(feeds, tmp->p, tmp->n);
  }
  GumboVector *ch = &n->v.element.children;
  for (unsigned i = 0; i < ch->length; i++) collect_links(ch->data[i], base, links, feeds, tmp, depth + 1);
}

/* ================================================================== text tests */

/* Lower-cased, trimmed copy without trailing ':' '.' and spaces, for phrase comparisons. */
static void phrase_key(const char *s, size_t n, tt_buf *out)
{
  tt_buf_reset(out);
  while (n && (s[n - 1] == ':' || s[n - 1] == ' ' || s[n - 1] == '.' || s[n - 1] == '>')) n--;
  tt_charset__lower(s, n, out);
}

/* Headings that open a boilerplate section. */
static int boiler_heading(const char *key)
{
  static const char *const h[] = {"tin liên quan", "bài liên quan", "tin cùng chuyên mục", "tin khác", "xem thêm",
    "xuất bản thông tin", "đọc thêm", "có thể bạn quan tâm", "tin mới", "tin mới nhất", "tin nổi bật", "đọc nhiều",
    "đọc nhiều nhất", "video", "đọc báo in", "thăm dò ý kiến", "chia sẻ", "bình luận", "tags", "từ khóa", "từ khoá",
    "tin tức liên quan", "bài viết liên quan", "cùng chuyên mục", "tin đã đưa", "các tin khác", "in bài", "gửi bài",
    "quay lại", "lên đầu trang", "tin xem nhiều", "báo in", "podcast", "e-magazine", "emagazine", "infographic"};
  for (size_t i = 0; i < sizeof h / sizeof h[0]; i++)
    if (!strcmp(key, h[i])) return 1;
  return 0;
}

/* A block of punctuation only ("|", "»", "—"): no letter or digit in it. */
static int no_words(const char *s, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if ((c >= '0' && c <= '9') || ((c | 32) >= 'a' && (c | 32) <= 'z')) return 0;
    if (c >= 0xC3 && c != 0xE2) return 0;     /* a non-ASCII letter (U+00C0 up, but not U+2000..U+2FFF punctuation) */
  }
  return 1;
}

/* "z5664746724810_7046c99c.jpg": a caption that is only an image file name. */
static int file_name_only(const char *s, size_t n)
{
  if (n < 5 || n > 200) return 0;
  for (size_t i = 0; i < n; i++) if (s[i] == ' ') return 0;
  static const char *const ext[] = {".jpg", ".jpeg", ".png", ".gif", ".webp", ".bmp", ".svg", ".mp4", ".pdf", ".doc", ".docx"};
  for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++) {
    size_t el = strlen(ext[i]);
    if (n > el && !strncasecmp(s + n - el, ext[i], el)) return 1;
  }
  return 0;
}

/* A display date at the start of s (articles/date.h), taken only for years 1990..2100: a news
 * page's date outside that range is a misreading (a phone number, a law's number). */
static size_t display_date(const char *s, size_t n, int64_t *out)
{
  int64_t t, lo, hi;
  size_t used = tt_articles__parse_display_date(s, n, &t);
  if (!used) return 0;
  tt_articles__make_time(1990, 1, 1, 0, 0, 0, TT_VN_OFFSET, &lo);
  tt_articles__make_time(2101, 1, 1, 0, 0, 0, TT_VN_OFFSET, &hi);
  if (t < lo || t >= hi) return 0;
  *out = t;
  return used;
}

/* Year, month and day of t on the Vietnam calendar. */
static void vn_civil(int64_t t, int *y, int *mo, int *d)
{
  int64_t days = (t + TT_VN_OFFSET) / 86400 - ((t + TT_VN_OFFSET) % 86400 < 0), yy;
  tt_articles__civil_from_days(days, &yy, mo, d);
  *y = (int)yy;
}

/* Look for a display date anywhere in s (at word starts). */
static int find_display_date(const char *s, size_t n, int64_t *out)
{
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (i && s[i - 1] != ' ' && s[i - 1] != '|' && s[i - 1] != '(' && s[i - 1] != ':') continue;
    if ((c >= '0' && c <= '9') || c == 'T' || c == 't' || c == 'C' || c == 'c' || c == 'N' || c == 'n')
      if (display_date(s + i, n - i, out)) return 1;
  }
  return 0;
}

/* A year 2000..2099 in a URL path (".../2024/07/..." or "-20240724..."). 0 when none. */
static int url_year(const char *url)
{
  const char *p = strstr(url, "://");
  p = p ? strchr(p + 3, '/') : NULL;
  for (; p && *p; p++) {
    if (p[0] == '/' && p[1] == '2' && p[2] == '0' && p[3] >= '0' && p[3] <= '9' && p[4] >= '0' && p[4] <= '9' &&
        (p[5] == '/' || p[5] == '-' || p[5] == 0))
      return 2000 + (p[3] - '0') * 10 + (p[4] - '0');
  }
  return 0;
}

/* "Chiều 24/7," / "Sáng nay (12/3)" / "Ngày 11/6": a day and month near the start of the lead
 * with no year. The year is the URL's, else the fetch year (the previous one when the date
 * would lie in the future). */
static int relative_date(const char *s, size_t n, const char *url, int64_t fetch_time, int64_t *out)
{
  static const char *const words[] = {"sáng", "chiều", "trưa", "tối", "đêm", "ngày", "hôm nay", "sáng nay", "chiều nay",
                                      "tối nay", "trưa nay", "đêm nay", "rạng sáng", "chiều tối"};
  if (n > 80) n = 80;
  tt_buf low = TT_BUF_INIT;
  tt_charset__lower(s, n, &low);
  int ok = 0;
  for (size_t i = 0; low.p && i < low.n && !ok; i++) {
    if (i && low.p[i - 1] != ' ' && low.p[i - 1] != '(') continue;
    for (size_t w = 0; w < sizeof words / sizeof words[0] && !ok; w++) {
      size_t wl = strlen(words[w]);
      if (low.n - i < wl + 2 || strncmp(low.p + i, words[w], wl)) continue;
      size_t j = i + wl;
      while (j < low.n && (low.p[j] == ' ' || low.p[j] == '(')) j++;
      int d = 0, mo = 0, k = 0;
      while (j < low.n && low.p[j] >= '0' && low.p[j] <= '9' && k < 3) { d = d * 10 + (low.p[j++] - '0'); k++; }
      if (!k || k > 2 || j >= low.n || low.p[j] != '/') continue;
      j++;
      k = 0;
      while (j < low.n && low.p[j] >= '0' && low.p[j] <= '9' && k < 3) { mo = mo * 10 + (low.p[j++] - '0'); k++; }
      if (!k || k > 2) continue;
      if (j < low.n && (low.p[j] == '/' || (low.p[j] >= '0' && low.p[j] <= '9'))) continue;  /* has a year: not ours */
      int year = url_year(url);
      int64_t ft = fetch_time ? fetch_time : (int64_t)time(NULL);
      if (!year) {
        int mm, dd;
        vn_civil(ft, &year, &mm, &dd);
        int64_t t;
        if (tt_articles__make_time(year, mo, d, 0, 0, 0, TT_VN_OFFSET, &t) == 0 && t > ft + 2 * 86400) year--;
      }
      if (tt_articles__make_time(year, mo, d, 0, 0, 0, TT_VN_OFFSET, out) == 0) ok = 1;
    }
  }
  tt_buf_fini(&low);
  return ok;
}

/* ================================================================== main entry */

static int parse_date_any(const char *s, int64_t *out)
{
  if (!s) return 0;
  size_t n = strlen(s);
  while (n && (unsigned char)*s <= ' ') { s++; n--; }
  while (n && (unsigned char)s[n - 1] <= ' ') n--;
  if (tt_parse_date(s, n, out) == 0) return 1;
  /* "2024-06-12 12:45:00" (space instead of T) */
  if (n >= 19 && s[10] == ' ') {
    char t[40];
    size_t k = n < sizeof t - 1 ? n : sizeof t - 1;
    memcpy(t, s, k);
    t[k] = 0;
    t[10] = 'T';
    if (tt_parse_date(t, k, out) == 0) return 1;
  }
  return find_display_date(s, n, out);
}

void tt_extracted_fini(tt_extracted *e)
{
  if (!e) return;
  tt_free(e->title);
  tt_free(e->body);
  tt_free(e->source);
  tt_free(e->canonical);
  for (size_t i = 0; i < e->nlinks; i++) tt_free(e->links[i]);
  for (size_t i = 0; i < e->nfeeds; i++) tt_free(e->feeds[i]);
  tt_free(e->links);
  tt_free(e->feeds);
  memset(e, 0, sizeof *e);
}

static int is_ancestor(const ex *e, int anc, int el)
{
  for (int p = el; p >= 0; p = e->elems[p].parent)
    if (p == anc) return 1;
  return 0;
}

static char *nfc_dup(const char *s, size_t n)
{
  tt_buf b = TT_BUF_INIT;
  while (n && (unsigned char)*s <= ' ') { s++; n--; }
  while (n && (unsigned char)s[n - 1] <= ' ') n--;
  if (tt_charset__nfc(s, n, &b) || !b.p) {
    tt_buf_fini(&b);
    return tt_strndup(s, n);
  }
  return b.p;
}

int tt_extract_html(tt_extracted *out, const char *url, const void *html, size_t len, const tt_extract_options *opts)
{
  memset(out, 0, sizeof *out);
  tt_extract_options def = TT_EXTRACT_OPTIONS_INIT;
  if (!opts) opts = &def;
  TT_RETURN_IF(opts->version != TT_EXTRACT_OPTIONS_VERSION, TT_EINVAL, "extract: options version %u", opts->version);
  TT_RETURN_IF(len > EX_MAX_BYTES, TT_EINVAL, "%s: page of %zu bytes is over the %u MB limit", url, len, EX_MAX_BYTES >> 20);
  const unsigned char *bytes = html;

  /* 1. decode */
  size_t bom = tt_charset__detect(bytes, len, opts->content_type, out->charset);
  tt_buf doc = TT_BUF_INIT;
  if (tt_charset__to_utf8(out->charset, bytes + bom, len - bom, &doc)) {
    tt_buf_fini(&doc);
    return tt_error_set(TT_ENOMEM, "out of memory");
  }
  if (!doc.p) tt_buf_puts(&doc, "");
  if (too_deep(doc.p, doc.n)) {
    tt_buf_fini(&doc);
    return tt_error_set(TT_EINVAL, "%s: HTML nested deeper than %d elements", url, EX_MAX_DEPTH);
  }
  GumboOptions go = kGumboDefaultOptions;
  go.max_errors = 0;
  GumboOutput *g = gumbo_parse_with_options(&go, doc.p, doc.n);
  if (!g) {
    tt_buf_fini(&doc);
    return tt_error_set(TT_ENOMEM, "%s: HTML parser failed", url);
  }

  int rc = 0;
  meta m;
  memset(&m, 0, sizeof m);
  ex e;
  memset(&e, 0, sizeof e);
  e.cur_elem = -1;
  e.cur_order = -1;
  e.h1_order = -1;
  tt_buf tmp = TT_BUF_INIT, key = TT_BUF_INIT, body = TT_BUF_INIT;
  strvec links = {0}, feeds = {0};

  /* 2. metadata */
  scan_meta(g->root, &m, 0);
  const char *base = url;
  tt_buf basebuf = TT_BUF_INIT;
  if (m.base && tt_url__resolve(url, m.base, strlen(m.base), &basebuf) == 0) base = basebuf.p;

  /* 3.-4. blocks and listings */
  walk(&e, g->root, -1, 0);
  flush(&e);
  if (e.oom) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }
  size_t listing_items = 0, listing_chars = 0;
  for (size_t i = 0; i < e.nelems; i++)
    if (e.elems[i].listing) {
      GumboVector *ch = &e.elems[i].node->v.element.children;
      for (unsigned k = 0; k < ch->length; k++) if (((GumboNode *)ch->data[k])->type == GUMBO_NODE_ELEMENT) listing_items++;
    }
  for (size_t i = 0; i < e.nblocks; i++) {
    block *b = &e.blocks[i];
    for (int p = b->elem; p >= 0; p = e.elems[p].parent)
      if (e.elems[p].listing) { b->in_listing = 1; listing_chars += b->chars; break; }
  }

  /* 5. main content root */
  for (size_t i = 0; i < e.nblocks; i++) {
    block *b = &e.blocks[i];
    if (b->in_listing || b->chars < 25 || b->link_chars * 2 >= b->chars) continue;
    const char *s = e.text.p + b->start;
    double score = 1;
    for (size_t k = 0; k < b->len; k++) if (s[k] == ',') score += 1;
    score += b->chars / 100 > 3 ? 3 : (double)(b->chars / 100);
    int p = e.elems[b->elem].parent;
    /* a paragraph's own element is usually <p>: credit from its container up */
    int start = (b->tag == GUMBO_TAG_P || b->tag == GUMBO_TAG_H2 || b->tag == GUMBO_TAG_H3 || b->tag == GUMBO_TAG_LI ||
                 b->tag == GUMBO_TAG_FIGCAPTION || b->tag == GUMBO_TAG_BLOCKQUOTE) ? p : b->elem;
    if (start >= 0) {
      e.elems[start].score += score;
      int gp = e.elems[start].parent;
      if (gp >= 0) e.elems[gp].score += score / 2;
    }
  }
  int root = -1;
  double best = 0;
  for (size_t i = 0; i < e.nelems; i++)
    if (e.elems[i].score > best) { best = e.elems[i].score; root = (int)i; }

  /* 6. body */
  size_t body_chars = 0;
  int title_done = 0;
  const char *title_src = m.og_title ? m.og_title : m.ld_headline;
  tt_buf h1text = TT_BUF_INIT;
  if (e.h1) node_text(e.h1, &h1text, 0);
  if (!title_src && h1text.n) title_src = h1text.p;
  if (!title_src) title_src = m.title;
  tt_buf title = TT_BUF_INIT;
  if (title_src) append_ws(&title, title_src, strlen(title_src));
  int first_root_order = -1;
  if (root >= 0) {
    for (size_t i = 0; i < e.nblocks; i++)
      if (is_ancestor(&e, root, e.blocks[i].elem)) { first_root_order = e.blocks[i].order; break; }
  }
  int killing = 0;          /* inside a boilerplate section opened by a heading */
  int64_t text_date = TT_DATE_UNKNOWN;
  for (size_t i = 0; root >= 0 && i < e.nblocks; i++) {
    block *b = &e.blocks[i];
    const char *s = e.text.p + b->start;
    int inside = is_ancestor(&e, root, b->elem);
    int lead = !inside && e.h1_order >= 0 && b->order >= e.h1_order && b->order < first_root_order &&
               b->chars >= 60 && b->link_chars * 10 < b->chars * 3 && !b->in_listing;
    if (!inside && !lead) continue;
    if (b->in_listing) continue;
    phrase_key(s, b->len, &key);
    if (key.p && boiler_heading(key.p)) { killing = 1; continue; }
    int para = b->chars >= 80 && b->link_chars * 5 < b->chars;
    if (killing) {
      if (!para) continue;
      killing = 0;
    }
    if (b->link_chars * 2 >= b->chars && b->chars > 0) continue;   /* menus, tag lists */
    if (file_name_only(s, b->len) || no_words(s, b->len)) continue;
    if (!title_done && title.n && b->len == title.n && !memcmp(s, title.p, b->len)) { title_done = 1; continue; }
    if (e.h1 && b->tag == GUMBO_TAG_H1) continue;
    /* A short block that is only a date (the byline date) goes, and gives the date. */
    if (b->chars <= 48) {
      int64_t t;
      if (find_display_date(s, b->len, &t)) {
        if (text_date == TT_DATE_UNKNOWN) text_date = t;
        continue;
      }
    }
    if (body.n) tt_buf_puts(&body, "\n\n");
    tt_buf_append(&body, s, b->len);
    body_chars += b->chars;
  }

  /* 7. date */
  int64_t published = TT_DATE_UNKNOWN, t;
  if (m.published && parse_date_any(m.published, &t)) published = t;
  else if (m.ld_date && parse_date_any(m.ld_date, &t)) published = t;
  else if (text_date != TT_DATE_UNKNOWN) published = text_date;
  else {
    /* the first date in the blocks right after the title (bylines are often link-free short
     * blocks outside the content root) */
    for (size_t i = 0; i < e.nblocks && published == TT_DATE_UNKNOWN; i++) {
      block *b = &e.blocks[i];
      if (b->in_listing || b->chars > 120) continue;
      if (e.h1_order >= 0 ? (b->order < e.h1_order || b->order > e.h1_order + 40)
                          : (first_root_order < 0 || b->order < first_root_order - 20 || b->order > first_root_order + 5))
        continue;
      if (find_display_date(e.text.p + b->start, b->len, &t)) published = t;
    }
    if (published == TT_DATE_UNKNOWN && body.n && relative_date(body.p, body.n, url, opts->fetch_time, &t)) published = t;
  }
  out->published = published;

  /* verdict: a listing page has its text in listings, not in an article */
  out->is_listing = listing_items >= 5 && body_chars < 500;

  /* canonical, source */
  const char *canon = m.canonical ? m.canonical : m.og_url;
  if (canon && tt_url__resolve(base, canon, strlen(canon), &tmp) == 0) out->canonical = tt_strndup(tmp.p, tmp.n);
  else if (tt_url__normalize(url, &tmp) == 0) out->canonical = tt_strndup(tmp.p, tmp.n);
  else out->canonical = tt_strndup(url, strlen(url));
  if (m.site_name) out->source = dup_trim(m.site_name, strlen(m.site_name));
  else {
    tt_url_parts up;
    if (tt_url__normalize(url, &tmp) == 0 && tt_url__split(tmp.p, &up) == 0) {
      const char *h = up.host;
      size_t hl = up.host_len;
      if (hl > 4 && !strncmp(h, "www.", 4)) { h += 4; hl -= 4; }
      out->source = tt_strndup(h, hl);
    } else {
      out->source = tt_strndup("", 0);
    }
  }
  out->title = nfc_dup(title.p ? title.p : "", title.n);
  out->body = nfc_dup(body.p ? body.p : "", body.n);

  if (opts->want_links) {
    collect_links(g->root, base, &links, &feeds, &tmp, 0);
    if (m.nofollow) {                 /* <meta name=robots content=nofollow>: keep feeds only */
      for (size_t i = 0; i < links.n; i++) tt_free(links.v[i]);
      links.n = 0;
    }
    out->links = links.v; out->nlinks = links.n;
    out->feeds = feeds.v; out->nfeeds = feeds.n;
    links.v = NULL; links.n = 0;
    feeds.v = NULL; feeds.n = 0;
  }
  if (!out->title || !out->body || !out->source || !out->canonical) rc = tt_error_set(TT_ENOMEM, "out of memory");
  tt_buf_fini(&title);
  tt_buf_fini(&h1text);

done:
  for (size_t i = 0; i < links.n; i++) tt_free(links.v[i]);
  tt_free(links.v);
  for (size_t i = 0; i < feeds.n; i++) tt_free(feeds.v[i]);
  tt_free(feeds.v);
  tt_free(m.ld_date);
  tt_free(m.ld_headline);
  tt_free(e.blocks);
  tt_free(e.elems);
  tt_buf_fini(&e.text);
  tt_buf_fini(&e.cur);
  tt_buf_fini(&tmp);
  tt_buf_fini(&key);
  tt_buf_fini(&body);
  tt_buf_fini(&basebuf);
  gumbo_destroy_output(&go, g);
  tt_buf_fini(&doc);
  if (rc) tt_extracted_fini(out);
  return rc;
}
