/* Article readers (include/timtin/article.h): JSONL and JSONL.gz (through zlib, which reads
 * plain files as they are), folders walked in sorted order, .txt files (title on the first
 * line, a date in the first lines) and .html files (gumbo).
 *
 * A record that cannot be used is reported with its file and line (TT_EINVAL) and skipped;
 * the next call goes on with the next record. */
#include "timtin/article.h"

#include <dirent.h>
#include <errno.h>
#include <gumbo.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"

#define MAX_LINE ((size_t)256 << 20)   /* a longer JSONL line is skipped */

int64_t tt_civil_to_time(int y, int m, int d, int hh, int mm, int ss, int offset_s);
int tt_days_in_month(int64_t y, unsigned m);

enum { K_JSONL, K_TXT, K_HTML };

struct tt_article_reader {
  char **files;            /* folder mode: sorted paths; single input: one entry */
  size_t nfiles, next_file;
  /* current file */
  char *path;
  int kind;
  gzFile gz;
  int done;                /* current single-article file consumed */
  uint64_t line;
  char *rbuf;              /* read buffer */
  size_t rlen, rpos, rcap;
  int eof;
  tt_buf linebuf;
  json_t *json;            /* record of the last article */
  tt_buf text;             /* txt/html: file contents and derived fields */
  tt_buf f_title, f_body, f_url, f_src;
  uint64_t size, done_bytes;
};

/* ------------------------------------------------------------------ helpers */

static int has_suffix(const char *s, const char *suf)
{
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcasecmp(s + n - m, suf);
}

static int kind_of(const char *path)
{
  if (has_suffix(path, ".txt")) return K_TXT;
  if (has_suffix(path, ".html") || has_suffix(path, ".htm")) return K_HTML;
  return K_JSONL;
}

static int wanted(const char *name)
{
  return has_suffix(name, ".txt") || has_suffix(name, ".html") || has_suffix(name, ".htm") ||
         has_suffix(name, ".jsonl") || has_suffix(name, ".jsonl.gz") || has_suffix(name, ".json");
}

static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int walk(tt_article_reader *r, const char *dir, size_t *cap, int depth)
{
  if (depth > 64) return tt_error_set(TT_EINVAL, "%s: folders nested too deep", dir);
  DIR *d = opendir(dir);
  if (!d) return tt_error_set(TT_EIO, "%s: %s", dir, strerror(errno));
  struct dirent *e;
  int rc = 0;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char *p;
    if (asprintf(&p, "%s/%s", dir, e->d_name) < 0) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
    struct stat st;
    if (stat(p, &st)) { free(p); continue; }
    if (S_ISDIR(st.st_mode)) {
      rc = walk(r, p, cap, depth + 1);
      free(p);
      continue;
    }
    if (!S_ISREG(st.st_mode) || !wanted(e->d_name)) { free(p); continue; }
    if (r->nfiles == *cap) {
      *cap = *cap ? *cap * 2 : 64;
      char **f = realloc(r->files, *cap * sizeof *f);
      if (!f) { free(p); rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      r->files = f;
    }
    r->files[r->nfiles++] = p;
    r->size += (uint64_t)st.st_size;
  }
  closedir(d);
  return rc;
}

static void close_file(tt_article_reader *r)
{
  if (r->gz) gzclose(r->gz);
  r->gz = NULL;
  r->path = NULL;
  r->rlen = r->rpos = 0;
  r->eof = 0;
  r->done = 0;
  r->line = 0;
}

static int open_next_file(tt_article_reader *r)
{
  if (r->path) {
    if (r->gz) r->done_bytes += (uint64_t)gzoffset(r->gz);
    close_file(r);
  }
  if (r->next_file >= r->nfiles) return TT_ITEROVER;
  r->path = r->files[r->next_file++];
  r->kind = kind_of(r->path);
  if (!strcmp(r->path, "-")) r->gz = gzdopen(0, "rb");
  else r->gz = gzopen(r->path, "rb");
  if (!r->gz) return tt_error_set(TT_EIO, "%s: %s", r->path, strerror(errno));
  gzbuffer(r->gz, 1 << 17);
  return 0;
}

int tt_article_reader_open(tt_article_reader **out, const char *path)
{
  *out = NULL;
  tt_article_reader *r = tt_calloc(1, sizeof *r);
  TT_CHECK_ALLOC(r);
  r->rcap = 1 << 17;
  r->rbuf = tt_malloc(r->rcap);
  int rc = r->rbuf ? 0 : tt_error_set(TT_ENOMEM, "out of memory");
  struct stat st;
  if (!rc && strcmp(path, "-") && stat(path, &st))
    rc = tt_error_set(TT_EIO, "%s: %s", path, strerror(errno));
  if (!rc && strcmp(path, "-") && S_ISDIR(st.st_mode)) {
    size_t cap = 0;
    rc = walk(r, path, &cap, 0);
    if (!rc) qsort(r->files, r->nfiles, sizeof *r->files, cmpstr);
  } else if (!rc) {
    r->files = malloc(sizeof *r->files);
    r->files[0] = strdup(path);
    r->nfiles = 1;
    if (strcmp(path, "-")) r->size = (uint64_t)st.st_size;
  }
  if (rc) { tt_article_reader_close(r); return rc; }
  *out = r;
  return 0;
}

void tt_article_reader_close(tt_article_reader *r)
{
  if (!r) return;
  close_file(r);
  for (size_t i = 0; i < r->nfiles; i++) free(r->files[i]);
  free(r->files);
  if (r->json) json_decref(r->json);
  tt_free(r->rbuf);
  tt_buf_fini(&r->linebuf);
  tt_buf_fini(&r->text);
  tt_buf_fini(&r->f_title);
  tt_buf_fini(&r->f_body);
  tt_buf_fini(&r->f_url);
  tt_buf_fini(&r->f_src);
  tt_free(r);
}

uint64_t tt_article_reader_offset(const tt_article_reader *r)
{
  return r->done_bytes + (r->gz ? (uint64_t)gzoffset(r->gz) : 0);
}

uint64_t tt_article_reader_size(const tt_article_reader *r) { return r->size; }

/* Next line of the current file into linebuf (without the newline). 1 = got one, 0 = end,
 * negative = error. A line over MAX_LINE is consumed and reported as TT_EINVAL. */
static int read_line(tt_article_reader *r)
{
  tt_buf_reset(&r->linebuf);
  int toolong = 0;
  for (;;) {
    if (r->rpos == r->rlen) {
      if (r->eof) break;
      int n = gzread(r->gz, r->rbuf, (unsigned)r->rcap);
      if (n < 0) {
        int err;
        const char *m = gzerror(r->gz, &err);
        return tt_error_set(TT_EIO, "%s: read error: %s", r->path, m);
      }
      if (n == 0) { r->eof = 1; break; }
      r->rlen = (size_t)n;
      r->rpos = 0;
    }
    char *s = r->rbuf + r->rpos;
    char *nl = memchr(s, '\n', r->rlen - r->rpos);
    size_t take = nl ? (size_t)(nl - s) : r->rlen - r->rpos;
    if (!toolong) {
      if (r->linebuf.n + take > MAX_LINE) { toolong = 1; tt_buf_fini(&r->linebuf); }
      else if (tt_buf_append(&r->linebuf, s, take)) return TT_ENOMEM;
    }
    r->rpos += take + (nl ? 1 : 0);
    if (nl) { r->line++; goto got; }
  }
  if (!r->linebuf.n && !toolong) return 0;
  r->line++;
got:
  if (toolong) return tt_error_set(TT_EINVAL, "%s:%llu: line longer than %zu MiB, skipped", r->path,
                                   (unsigned long long)r->line, MAX_LINE >> 20);
  return 1;
}

static int str_field(tt_article_reader *r, json_t *o, const char *name, int required,
                     const char **p, size_t *n)
{
  json_t *v = json_object_get(o, name);
  if (!v || json_is_null(v)) {
    if (required) return tt_error_set(TT_EINVAL, "%s:%llu: missing \"%s\"", r->path, (unsigned long long)r->line, name);
    *p = "";
    *n = 0;
    return 0;
  }
  if (!json_is_string(v))
    return tt_error_set(TT_EINVAL, "%s:%llu: \"%s\" is not a string", r->path, (unsigned long long)r->line, name);
  *p = json_string_value(v);
  *n = json_string_length(v);
  return 0;
}

static int next_jsonl(tt_article_reader *r, tt_article *a)
{
  for (;;) {
    int rc = read_line(r);
    if (rc <= 0) return rc == 0 ? TT_ITEROVER : rc;
    const char *s = r->linebuf.p;
    size_t n = r->linebuf.n;
    while (n && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t i = 0;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i == n) continue;  /* blank line */
    if (r->json) { json_decref(r->json); r->json = NULL; }
    json_error_t err;
    r->json = json_loadb(s + i, n - i, JSON_ALLOW_NUL, &err);
    if (!r->json)
      return tt_error_set(TT_EINVAL, "%s:%llu: bad JSON at column %d: %s", r->path,
                          (unsigned long long)r->line, err.column, err.text);
    if (!json_is_object(r->json))
      return tt_error_set(TT_EINVAL, "%s:%llu: not a JSON object", r->path, (unsigned long long)r->line);
    memset(a, 0, sizeof *a);
    if ((rc = str_field(r, r->json, "url", 1, &a->url, &a->url_len))) return rc;
    if (!a->url_len) return tt_error_set(TT_EINVAL, "%s:%llu: empty \"url\"", r->path, (unsigned long long)r->line);
    if ((rc = str_field(r, r->json, "body", 1, &a->body, &a->body_len))) return rc;
    if ((rc = str_field(r, r->json, "title", 0, &a->title, &a->title_len))) return rc;
    if ((rc = str_field(r, r->json, "source", 0, &a->source, &a->source_len))) return rc;
    json_t *id = json_object_get(r->json, "id");
    if (id && json_is_integer(id)) {
      tt_buf_reset(&r->f_src);
      tt_buf_printf(&r->f_src, "%lld", (long long)json_integer_value(id));
      a->id = r->f_src.p;
      a->id_len = r->f_src.n;
    } else if ((rc = str_field(r, r->json, "id", 0, &a->id, &a->id_len))) {
      return rc;
    }
    a->published = TT_DATE_UNKNOWN;
    json_t *pub = json_object_get(r->json, "published");
    if (pub && json_is_string(pub)) {
      int64_t t;
      if (!tt_parse_date(json_string_value(pub), json_string_length(pub), &t)) a->published = t;
    }
    return 0;
  }
}

/* ------------------------------------------------------------------ .txt */

/* "12/06/2024 | 12:45 PM", "Thứ Bẩy, ngày 14/03/2026 11:25", "17/03/2025 | 08:34 AM" */
static int find_vn_date(const char *s, size_t n, int64_t *out)
{
  for (size_t i = 0; i + 8 <= n; i++) {
    if (i && s[i - 1] >= '0' && s[i - 1] <= '9') continue;
    int d = 0, m = 0, y = 0;
    size_t j = i, k;
    for (k = 0; j < n && k < 2 && s[j] >= '0' && s[j] <= '9'; k++, j++) d = d * 10 + s[j] - '0';
    if (!k || j >= n || s[j] != '/') continue;
    j++;
    for (k = 0; j < n && k < 2 && s[j] >= '0' && s[j] <= '9'; k++, j++) m = m * 10 + s[j] - '0';
    if (!k || j >= n || s[j] != '/') continue;
    j++;
    for (k = 0; j < n && k < 4 && s[j] >= '0' && s[j] <= '9'; k++, j++) y = y * 10 + s[j] - '0';
    if (k != 4 || m < 1 || m > 12 || d < 1 || y < 1900 || y > 2200 || d > tt_days_in_month(y, (unsigned)m)) continue;
    int hh = 0, mi = 0;
    while (j < n && (s[j] == ' ' || s[j] == '|')) j++;
    if (j + 5 <= n && s[j] >= '0' && s[j] <= '2' && s[j + 2] == ':') {
      hh = (s[j] - '0') * 10 + (s[j + 1] - '0');
      mi = (s[j + 3] - '0') * 10 + (s[j + 4] - '0');
      j += 5;
      while (j < n && s[j] == ' ') j++;
      if (j + 2 <= n && (s[j] == 'P' || s[j] == 'p') && (s[j + 1] == 'M' || s[j + 1] == 'm') && hh < 12) hh += 12;
      if (j + 2 <= n && (s[j] == 'A' || s[j] == 'a') && (s[j + 1] == 'M' || s[j + 1] == 'm') && hh == 12) hh = 0;
      if (hh > 23 || mi > 59) hh = mi = 0;
    }
    *out = tt_civil_to_time(y, m, d, hh, mi, 0, 7 * 3600);
    return 1;
  }
  return 0;
}

static int slurp(tt_article_reader *r)
{
  tt_buf_reset(&r->text);
  for (;;) {
    if (tt_buf_reserve(&r->text, 1 << 16)) return TT_ENOMEM;
    int n = gzread(r->gz, r->text.p + r->text.n, 1 << 16);
    if (n < 0) return tt_error_set(TT_EIO, "%s: read error", r->path);
    if (n == 0) break;
    r->text.n += (size_t)n;
    if (r->text.n > ((size_t)1 << 30)) return tt_error_set(TT_EINVAL, "%s: file larger than 1 GiB, skipped", r->path);
  }
  r->text.p[r->text.n] = 0;
  return 0;
}

static void file_url(tt_article_reader *r)
{
  tt_buf_reset(&r->f_url);
  char abs[PATH_MAX];
  const char *p = realpath(r->path, abs) ? abs : r->path;
  tt_buf_printf(&r->f_url, "file://%s", p);
}

static int next_txt(tt_article_reader *r, tt_article *a)
{
  int rc = slurp(r);
  if (rc) return rc;
  const char *s = r->text.p;
  size_t n = r->text.n, i = 0;
  memset(a, 0, sizeof *a);
  while (i < n && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '\t')) i++;
  size_t t0 = i;
  while (i < n && s[i] != '\n') i++;
  size_t t1 = i;
  while (t1 > t0 && (s[t1 - 1] == '\r' || s[t1 - 1] == ' ')) t1--;
  a->title = s + t0;
  a->title_len = t1 - t0;
  a->published = TT_DATE_UNKNOWN;
  /* a date line among the next five lines is metadata, not body */
  size_t body = i, j = i;
  for (int line = 0; line < 5 && j < n; line++) {
    size_t l0 = j + (s[j] == '\n');
    size_t l1 = l0;
    while (l1 < n && s[l1] != '\n') l1++;
    int64_t t;
    if (l1 - l0 < 40 && find_vn_date(s + l0, l1 - l0, &t)) { a->published = t; body = l1; break; }
    j = l1;
  }
  while (body < n && (s[body] == '\n' || s[body] == '\r')) body++;
  a->body = s + body;
  a->body_len = n - body;
  file_url(r);
  a->url = r->f_url.p;
  a->url_len = r->f_url.n;
  a->source = "file";
  a->source_len = 4;
  a->id = "";
  return 0;
}

/* ------------------------------------------------------------------ .html */

static const char *attr(const GumboNode *n, const char *name)
{
  const GumboAttribute *a = gumbo_get_attribute(&n->v.element.attributes, name);
  return a ? a->value : NULL;
}

typedef struct html_ctx {
  tt_article_reader *r;
  const char *og_title, *title, *h1, *canonical, *og_url, *published, *site;
} html_ctx;

static void text_of(const GumboNode *n, tt_buf *out)
{
  if (n->type == GUMBO_NODE_TEXT || n->type == GUMBO_NODE_WHITESPACE) {
    tt_buf_puts(out, n->v.text.text);
    return;
  }
  if (n->type != GUMBO_NODE_ELEMENT) return;
  for (unsigned i = 0; i < n->v.element.children.length; i++) text_of(n->v.element.children.data[i], out);
}

static int is_block(GumboTag t)
{
  switch (t) {
  case GUMBO_TAG_P: case GUMBO_TAG_DIV: case GUMBO_TAG_BR: case GUMBO_TAG_LI: case GUMBO_TAG_H1:
  case GUMBO_TAG_H2: case GUMBO_TAG_H3: case GUMBO_TAG_H4: case GUMBO_TAG_H5: case GUMBO_TAG_H6:
  case GUMBO_TAG_TR: case GUMBO_TAG_BLOCKQUOTE: case GUMBO_TAG_SECTION: case GUMBO_TAG_ARTICLE:
  case GUMBO_TAG_FIGCAPTION: case GUMBO_TAG_TABLE: case GUMBO_TAG_UL: case GUMBO_TAG_OL:
    return 1;
  default:
    return 0;
  }
}

static void walk_html(html_ctx *c, const GumboNode *n, tt_buf *body, int in_body, int depth)
{
  if (depth > 500) return;
  if (n->type == GUMBO_NODE_TEXT) {
    if (in_body) tt_buf_puts(body, n->v.text.text);
    return;
  }
  if (n->type == GUMBO_NODE_WHITESPACE) { if (in_body) tt_buf_putc(body, ' '); return; }
  if (n->type != GUMBO_NODE_ELEMENT) return;
  GumboTag t = n->v.element.tag;
  if (t == GUMBO_TAG_SCRIPT || t == GUMBO_TAG_STYLE || t == GUMBO_TAG_NOSCRIPT || t == GUMBO_TAG_NAV ||
      t == GUMBO_TAG_TEMPLATE)
    return;
  if (t == GUMBO_TAG_META) {
    const char *p = attr(n, "property");
    if (!p) p = attr(n, "name");
    const char *v = attr(n, "content");
    if (p && v) {
      if (!strcmp(p, "og:title")) c->og_title = v;
      else if (!strcmp(p, "og:url")) c->og_url = v;
      else if (!strcmp(p, "og:site_name")) c->site = v;
      else if (!strcmp(p, "article:published_time") || !strcmp(p, "pubdate")) c->published = v;
    }
  } else if (t == GUMBO_TAG_LINK) {
    const char *rel = attr(n, "rel"), *href = attr(n, "href");
    if (rel && href && !strcasecmp(rel, "canonical")) c->canonical = href;
  } else if (t == GUMBO_TAG_TITLE && !c->title && n->v.element.children.length) {
    const GumboNode *k = n->v.element.children.data[0];
    if (k->type == GUMBO_NODE_TEXT) c->title = k->v.text.text;
  }
  if (t == GUMBO_TAG_BODY) in_body = 1;
  if (t == GUMBO_TAG_H1 && !c->h1) {
    tt_buf_reset(&c->r->f_title);
    text_of(n, &c->r->f_title);
    c->h1 = c->r->f_title.p;
  }
  if (in_body && is_block(t)) tt_buf_putc(body, '\n');
  for (unsigned i = 0; i < n->v.element.children.length; i++)
    walk_html(c, n->v.element.children.data[i], body, in_body, depth + 1);
  if (in_body && is_block(t)) tt_buf_putc(body, '\n');
}

static int next_html(tt_article_reader *r, tt_article *a)
{
  int rc = slurp(r);
  if (rc) return rc;
  GumboOutput *g = gumbo_parse_with_options(&kGumboDefaultOptions, r->text.p, r->text.n);
  if (!g) return tt_error_set(TT_EINVAL, "%s: cannot parse HTML", r->path);
  html_ctx c = {r, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
  tt_buf_reset(&r->f_body);
  tt_buf_reset(&r->f_title);
  walk_html(&c, g->root, &r->f_body, 0, 0);
  memset(a, 0, sizeof *a);
  /* keep the strings: copy what points into the gumbo tree before destroying it */
  const char *title = c.og_title ? c.og_title : c.title ? c.title : c.h1 ? c.h1 : "";
  tt_buf tb = TT_BUF_INIT;
  tt_buf_puts(&tb, title);
  tt_buf_putc(&tb, 0);
  size_t url_off = tb.n;
  const char *u = c.canonical ? c.canonical : c.og_url;
  if (u) tt_buf_puts(&tb, u);
  size_t url_len = tb.n - url_off;
  tt_buf_putc(&tb, 0);
  size_t src_off = tb.n;
  tt_buf_puts(&tb, c.site ? c.site : "file");
  size_t src_len = tb.n - src_off;
  tt_buf_putc(&tb, 0);
  int64_t pub = TT_DATE_UNKNOWN, t;
  if (c.published && !tt_parse_date(c.published, strlen(c.published), &t)) pub = t;
  gumbo_destroy_output(&kGumboDefaultOptions, g);
  tt_buf_fini(&r->f_title);
  r->f_title = tb;
  if (!url_len) { file_url(r); a->url = r->f_url.p; a->url_len = r->f_url.n; }
  else { a->url = r->f_title.p + url_off; a->url_len = url_len; }
  a->title = r->f_title.p;
  a->title_len = strlen(r->f_title.p);
  a->source = r->f_title.p + src_off;
  a->source_len = src_len;
  a->body = r->f_body.p ? r->f_body.p : "";
  a->body_len = r->f_body.n;
  a->id = "";
  a->published = pub;
  return 0;
}

/* ------------------------------------------------------------------ dispatch */

int tt_article_reader_next(tt_article_reader *r, tt_article *out)
{
  for (;;) {
    if (!r->path || (r->kind != K_JSONL && r->done)) {
      int rc = open_next_file(r);
      if (rc) return rc;
    }
    if (r->kind == K_JSONL) {
      int rc = next_jsonl(r, out);
      if (rc == TT_ITEROVER) { r->done = 1; r->kind = K_TXT; continue; }
      return rc;
    }
    r->done = 1;
    return r->kind == K_TXT ? next_txt(r, out) : next_html(r, out);
  }
}
