/* Article readers (include/timtin/article.h): turn input files into tt_article records.
 *
 * A reader is one of three kinds:
 *   JSONL   one JSON object a line, plain or gzip (articles/stream.c), scanned by common/json.c;
 *   DOC     one .txt or .html file = one article (articles/text.c, articles/html.c);
 *   FOLDER  the wanted files under a folder, in sorted order, each read by a sub-reader.
 * The indexer, the benchmarks and the CLI call tt_article_reader_next in a loop; a record that
 * cannot be used comes back as TT_EINVAL with "file:line: why" in tt_error_last(), and the next
 * call goes on with the next record. Only a failure to read the input at all (TT_EIO on a single
 * file) or memory exhaustion ends the loop early. Decisions and formats: docs/articles.md. */
#include "articles/reader.h"

#include <dirent.h>
#include <errno.h>
#include "common/json.h"
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "articles/date.h"
#include "articles/stream.h"
#include "common/alloc.h"
#include "common/compiler.h"
#include "common/endian.h"
#include "common/error.h"
#include "common/utf8.h"

enum kind { K_SNIFF = 0, K_JSONL, K_TXT, K_HTML, K_FOLDER };

typedef struct folder_entry {
  char *path;
  uint64_t size;
  int err;                      /* errno of a sub-folder that could not be listed, else 0 */
} folder_entry;

struct tt_article_reader {
  int kind;
  char *name;                   /* the path as given, "-", or the memory block's name */
  size_t line_cap;              /* TT_READER_LINE_CAP unless a test lowers it */
  /* JSONL and DOC */
  tt_articles_stream in;
  uint64_t line_no;             /* JSONL: lines read so far */
  tt_buf scratch;               /* JSONL: strings with escapes, decoded */
  tt_buf fixed;                 /* JSONL: the record's fields, NUL-terminated, valid UTF-8 */
  char *file_url;               /* DOC: "file://" URL of the file */
  tt_buf text;                  /* DOC: the whole file */
  tt_article_doc doc;           /* DOC: the article */
  int consumed;                 /* DOC: the article was handed out */
  /* FOLDER */
  folder_entry *files;
  size_t nfiles, ifile;
  uint64_t done_bytes, total;   /* sizes of the files finished, of all files */
  tt_article_reader *sub;       /* reader of files[ifile - 1] */
};

/* ------------------------------------------------------------------ small helpers */

static int has_suffix(const char *s, const char *suffix)
{
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && !strcasecmp(s + n - k, suffix);
}

/* The kind a file name implies (K_SNIFF: ask the content). */
static int kind_of_name(const char *name)
{
  static const char *const jsonl[] = {".jsonl", ".json", ".ndjson", ".gz"};
  for (size_t i = 0; i < sizeof jsonl / sizeof *jsonl; i++)
    if (has_suffix(name, jsonl[i])) return K_JSONL;
  if (has_suffix(name, ".txt")) return K_TXT;
  if (has_suffix(name, ".html") || has_suffix(name, ".htm")) return K_HTML;
  return K_SNIFF;
}

/* Files a folder walk picks up. */
static int wanted_in_folder(const char *name)
{
  return has_suffix(name, ".txt") || has_suffix(name, ".jsonl") || has_suffix(name, ".jsonl.gz") ||
         has_suffix(name, ".html") || has_suffix(name, ".htm");
}

static const char *str_of(const tt_buf *b) { return b->p ? b->p : ""; }

static void doc_reset(tt_article_doc *d)
{
  tt_buf_reset(&d->url);
  tt_buf_reset(&d->title);
  tt_buf_reset(&d->source);
  tt_buf_reset(&d->body);
  d->published = TT_DATE_UNKNOWN;
}

static void doc_fini(tt_article_doc *d)
{
  tt_buf_fini(&d->url);
  tt_buf_fini(&d->title);
  tt_buf_fini(&d->source);
  tt_buf_fini(&d->body);
}

/* Re-raise the current message with a prefix and suffix (tt_error_last() is copied first: the
 * message slot cannot be formatted into itself). */
static int rethrow(int code, const char *prefix, const char *suffix)
{
  char msg[1024];
  snprintf(msg, sizeof msg, "%s", tt_error_last());
  return tt_error_set(code, "%s%s%s", prefix, msg, suffix);
}

/* "file://" + the absolute path, percent-encoding every byte outside [A-Za-z0-9-._~/]. */
static char *file_url(const char *path)
{
  char *abs = realpath(path, NULL);
  tt_buf raw = TT_BUF_INIT, out = TT_BUF_INIT;
  int rc = 0;
  if (abs) {
    rc = tt_buf_puts(&raw, abs);
    free(abs);
  } else if (path[0] == '/') {
    rc = tt_buf_puts(&raw, path);
  } else {
    char cwd[PATH_MAX];
    rc = tt_buf_printf(&raw, "%s/%s", getcwd(cwd, sizeof cwd) ? cwd : "", path);
  }
  rc = rc ? rc : tt_buf_puts(&out, "file://");
  if (!rc && (!raw.p || raw.p[0] != '/')) rc = tt_buf_putc(&out, '/');
  for (size_t i = 0; !rc && i < raw.n; i++) {
    unsigned char c = (unsigned char)raw.p[i];
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~' || c == '/')
      rc = tt_buf_putc(&out, (char)c);
    else
      rc = tt_buf_printf(&out, "%%%02X", c);
  }
  tt_buf_fini(&raw);
  if (rc) { tt_buf_fini(&out); return NULL; }
  return out.p;      /* allocated by tt_buf: freed with tt_free */
}

/* ------------------------------------------------------------------ folders */

typedef struct walk_state {
  tt_article_reader *r;
  size_t cap;
  dev_t dev[64];                /* folders on the current path, to stop symlink loops */
  ino_t ino[64];
  int depth;
} walk_state;

static int cmp_names(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int add_entry(walk_state *w, char *path, uint64_t size, int err)
{
  tt_article_reader *r = w->r;
  if (tt_array_reserve(r->files, w->cap, r->nfiles + 1)) {
    tt_free(path);
    return tt_error_set(TT_ENOMEM, "out of memory listing folders");
  }
  r->files[r->nfiles++] = (folder_entry){path, size, err};
  r->total += size;
  return 0;
}

/* Collect the wanted files under dir, each folder's names in strcmp order, so the same tree
 * always gives the same article order. Hidden names (".x") are skipped. */
static int walk_folder(walk_state *w, const char *dir, int top)
{
  DIR *d = opendir(dir);
  if (!d) {
    if (top) return tt_error_set(TT_EIO, "%s: %s", dir, strerror(errno));
    char *p = tt_strndup(dir, strlen(dir));
    return p ? add_entry(w, p, 0, errno) : tt_error_set(TT_ENOMEM, "out of memory");
  }
  char **names = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  struct dirent *e;
  while (!rc && (e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    if (tt_array_reserve(names, cap, n + 1)) { rc = tt_error_set(TT_ENOMEM, "out of memory listing %s", dir); break; }
    names[n] = tt_strndup(e->d_name, strlen(e->d_name));
    if (!names[n]) rc = tt_error_set(TT_ENOMEM, "out of memory listing %s", dir);
    else n++;
  }
  closedir(d);
  if (!rc) qsort(names, n, sizeof *names, cmp_names);
  for (size_t i = 0; i < n && !rc; i++) {
    tt_buf p = TT_BUF_INIT;
    if (tt_buf_printf(&p, "%s%s%s", dir, has_suffix(dir, "/") ? "" : "/", names[i])) {
      rc = TT_ENOMEM;
      break;
    }
    struct stat st;
    if (stat(p.p, &st)) { tt_buf_fini(&p); continue; }           /* dangling link */
    if (S_ISDIR(st.st_mode)) {
      int loop = w->depth >= 64;
      for (int k = 0; k < w->depth && !loop; k++) loop = w->dev[k] == st.st_dev && w->ino[k] == st.st_ino;
      if (!loop) {
        w->dev[w->depth] = st.st_dev;
        w->ino[w->depth] = st.st_ino;
        w->depth++;
        rc = walk_folder(w, p.p, 0);
        w->depth--;
      }
      tt_buf_fini(&p);
    } else if (S_ISREG(st.st_mode) && wanted_in_folder(names[i])) {
      rc = add_entry(w, p.p, (uint64_t)st.st_size, 0);          /* takes p.p */
    } else {
      tt_buf_fini(&p);
    }
  }
  for (size_t i = 0; i < n; i++) tt_free(names[i]);
  tt_free(names);
  return rc;
}

/* ------------------------------------------------------------------ opening */

static int new_reader(tt_article_reader **out, const char *name)
{
  tt_article_reader *r = tt_calloc(1, sizeof *r);
  TT_CHECK_ALLOC(r);
  r->name = tt_strndup(name, strlen(name));
  if (!r->name) { tt_free(r); return tt_error_set(TT_ENOMEM, "out of memory"); }
  r->line_cap = TT_READER_LINE_CAP;
  r->doc.published = TT_DATE_UNKNOWN;
  *out = r;
  return 0;
}

/* Settle the kind of an opened stream: the name's hint, else the first bytes. */
static int settle_kind(tt_article_reader *r, int hint, int is_stdin)
{
  const unsigned char *p;
  size_t n;
  if (tt_articles__stream_peek(&r->in, &p, &n)) return tt_error_set(TT_EIO, "%s: %s", r->name, r->in.err);
  int gz = n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
  if (hint == K_SNIFF) {
    size_t i = 0;
    if (n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) i = 3;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) i++;
    if (gz || is_stdin || i == n || p[i] == '{') hint = K_JSONL;
    else if (p[i] == '<') hint = K_HTML;
    else
      return tt_error_set(TT_EINVAL,
                          "%s: cannot tell the format (expected .jsonl, .jsonl.gz, .txt, .html or a folder)", r->name);
  }
  r->kind = hint;
  if (hint == K_JSONL && tt_articles__stream_detect_gzip(&r->in))
    return tt_error_set(TT_ENOMEM, "%s: %s", r->name, r->in.err);
  return 0;
}

/* A single file (or "-"): JSONL or DOC. */
static int open_file(tt_article_reader **out, const char *path, int hint)
{
  tt_article_reader *r = NULL;
  int rc = new_reader(&r, path);
  if (rc) return rc;
  int is_stdin = !strcmp(path, "-");
  int src = tt_articles__stream_open_file(&r->in, path);
  if (src) rc = tt_error_set(src, "%s: %s", path, r->in.err);
  if (!rc) rc = settle_kind(r, hint, is_stdin);
  if (!rc && (r->kind == K_TXT || r->kind == K_HTML)) {
    r->file_url = file_url(path);
    if (!r->file_url) rc = tt_error_set(TT_ENOMEM, "out of memory");
  }
  if (rc) { tt_article_reader_close(r); return rc; }
  *out = r;
  return 0;
}

int tt_article_reader_open(tt_article_reader **out, const char *path)
{
  if (!out) return tt_error_set(TT_EINVAL, "no reader to open");
  *out = NULL;
  if (!path || !*path) return tt_error_set(TT_EINVAL, "no input path");
  if (strcmp(path, "-")) {
    struct stat st;
    if (stat(path, &st)) return tt_error_set(TT_EIO, "%s: %s", path, strerror(errno));
    if (S_ISDIR(st.st_mode)) {
      tt_article_reader *r = NULL;
      int rc = new_reader(&r, path);
      if (rc) return rc;
      r->kind = K_FOLDER;
      walk_state w = {.r = r, .depth = 1};
      w.dev[0] = st.st_dev;
      w.ino[0] = st.st_ino;
      rc = walk_folder(&w, path, 1);
      if (rc) { tt_article_reader_close(r); return rc; }
      *out = r;
      return 0;
    }
  }
  return open_file(out, path, kind_of_name(path));
}

int tt_article_reader_open_mem(tt_article_reader **out, const void *data, size_t len, const char *name)
{
  if (!out) return tt_error_set(TT_EINVAL, "no reader to open");
  *out = NULL;
  if (!name || !*name) name = "(memory)";
  tt_article_reader *r = NULL;
  int rc = new_reader(&r, name);
  if (rc) return rc;
  tt_articles__stream_open_mem(&r->in, data, data ? len : 0);
  rc = settle_kind(r, kind_of_name(name), 0);
  if (!rc && (r->kind == K_TXT || r->kind == K_HTML)) {
    tt_buf u = TT_BUF_INIT;
    if (tt_buf_printf(&u, "file://%s%s", name[0] == '/' ? "" : "/", name)) rc = TT_ENOMEM;
    r->file_url = u.p;
  }
  if (rc) { tt_article_reader_close(r); return rc; }
  *out = r;
  return 0;
}

void tt_article_reader_close(tt_article_reader *r)
{
  if (!r) return;
  tt_articles__stream_close(&r->in);
  tt_buf_fini(&r->scratch);
  tt_buf_fini(&r->fixed);
  tt_buf_fini(&r->text);
  doc_fini(&r->doc);
  tt_free(r->file_url);
  tt_article_reader_close(r->sub);
  for (size_t i = 0; i < r->nfiles; i++) tt_free(r->files[i].path);
  tt_free(r->files);
  tt_free(r->name);
  tt_free(r);
}

void tt_article_reader__set_line_cap(tt_article_reader *r, size_t cap)
{
  r->line_cap = cap;
  if (r->sub) tt_article_reader__set_line_cap(r->sub, cap);
}

uint64_t tt_article_reader_offset(const tt_article_reader *r)
{
  uint64_t off = r->kind == K_FOLDER ? r->done_bytes + (r->sub ? tt_article_reader_offset(r->sub) : 0)
                                     : tt_articles__stream_offset(&r->in);
  uint64_t size = tt_article_reader_size(r);
  return size && off > size ? size : off;     /* a file that grew must not run past 100% */
}

uint64_t tt_article_reader_size(const tt_article_reader *r)
{
  return r->kind == K_FOLDER ? r->total : r->in.size;
}

/* ------------------------------------------------------------------ JSONL records */


#define RECORD_ERROR(r, ...) record_error((r), __VA_ARGS__)

static int record_error(tt_article_reader *r, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

static int record_error(tt_article_reader *r, const char *fmt, ...)
{
  char what[900];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  return tt_error_set(TT_EINVAL, "%s:%llu: %s", r->name, (unsigned long long)r->line_no, what);
}

/* Copy a field into the record buffer, NUL-terminated, with every ill-formed UTF-8 sequence
 * replaced by U+FFFD (the maximal-subpart rule of tt_utf8_decode). Returns its offset. */
static int put_field(tt_buf *b, const char *s, size_t n, size_t *off)
{
  *off = b->n;
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0, run = 0;  /* [run, i): well-formed bytes not yet copied */
  if (tt_buf_reserve(b, n + 1)) return TT_ENOMEM;
  while (i < n) {
    if (n - i >= 8) {
      /* skip the ASCII bytes of the next 8 at once; Vietnamese has a 2- or 3-byte letter every
       * few bytes, so most loads stop early */
      uint64_t hi = tt_load_le64(u + i) & 0x8080808080808080ull;
      if (!hi) { i += 8; continue; }
      i += (size_t)__builtin_ctzll(hi) >> 3;
      /* a well-formed 2-byte (C2..DF 80..BF) or 3-byte (E1..EC, EE, EF and 80..BF 80..BF: the
       * leads whose second byte has no narrower range) letter without the decoder; everything
       * else (E0, ED, 4-byte, ill-formed) goes to tt_utf8_decode below */
      if (n - i >= 4) {
        uint32_t y = tt_load_le32(u + i);
        if ((y & 0xC0E0u) == 0x80C0u && (y & 0x1Eu)) { i += 2; continue; }
        if ((y & 0xC0C0F0u) == 0x8080E0u && (y & 0xFu) != 0 && (y & 0xFu) != 0xDu) { i += 3; continue; }
      }
    } else if (u[i] < 0x80) {
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = tt_utf8_decode(u + i, n - i, &cp);
    if (TT_LIKELY(cp != TT_UTF8_INVALID)) { i += k; continue; }
    if (tt_buf_append(b, s + run, i - run) || tt_buf_append(b, "\xEF\xBF\xBD", 3)) return TT_ENOMEM;
    i += k;
    run = i;
  }
  if (tt_buf_append(b, s + run, n - run)) return TT_ENOMEM;
  return tt_buf_putc(b, 0) ? TT_ENOMEM : 0;
}

/* Any value that is not a usable date makes the date unknown; the article is kept. Epoch
 * seconds (an integer) are accepted, as some exporters write them. */
static int64_t published_value(const tt_json_value *v)
{
  int64_t t;
  if (v->type == TT_JSON_STRING) {
    int rc = tt_parse_date(v->s, v->len, &t);
    tt_error_clear();
    return rc ? TT_DATE_UNKNOWN : t;
  }
  if (v->type == TT_JSON_NUMBER && v->len < 20 && !memchr(v->s, '.', v->len) && !memchr(v->s, 'e', v->len) &&
      !memchr(v->s, 'E', v->len)) {
    char num[24];
    memcpy(num, v->s, v->len);
    num[v->len] = 0;
    int64_t lo, hi;
    tt_articles__make_time(TT_DATE_MIN_YEAR, 1, 1, 0, 0, 0, TT_VN_OFFSET, &lo);
    tt_articles__make_time(TT_DATE_MAX_YEAR, 12, 31, 23, 59, 59, TT_VN_OFFSET, &hi);
    t = strtoll(num, NULL, 10);
    return t >= lo && t <= hi ? t : TT_DATE_UNKNOWN;
  }
  return TT_DATE_UNKNOWN;
}

/* One record through common/json's scanner: it validates the whole object but decodes only the
 * six fields we read (jansson built a tree of every line and was most of the indexing caller
 * thread's time). */
static int parse_record(tt_article_reader *r, const unsigned char *p, size_t n, tt_article *out)
{
  static const char *const keys[] = {"url", "body", "title", "source", "id", "published"};
  enum { URL, BODY, TITLE, SOURCE, ID, PUBLISHED };
  tt_json_value v[6];
  size_t col;
  const char *what;
  if (tt_json_scan_object((const char *)p, n, keys, 6, v, &r->scratch, &col, &what)) {
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t')) i++;
    if (col == i + 1 && i < n && strchr("[\"-0123456789tfn", p[i])) {
      /* valid JSON that is not an object? scan it as the value of a wrapping object */
      tt_buf_reset(&r->fixed);
      if (tt_buf_puts(&r->fixed, "{\"v\":") || tt_buf_append(&r->fixed, p, n) || tt_buf_putc(&r->fixed, '}'))
        return tt_error_set(TT_ENOMEM, "out of memory");
      if (!tt_json_scan_object(r->fixed.p, r->fixed.n, keys, 0, v, &r->scratch, &col, &what))
        return RECORD_ERROR(r, "not a JSON object");
      col = col > 5 ? col - 5 : 1;
    }
    return RECORD_ERROR(r, "malformed JSON at byte %zu: %s", col, what);
  }
  static const char *const names[] = {"url", "body", "title", "source"};
  for (int k = URL; k <= SOURCE; k++) {
    if (v[k].type == TT_JSON_NULL) v[k].type = TT_JSON_ABSENT;
    if (v[k].type != TT_JSON_ABSENT && v[k].type != TT_JSON_STRING)
      return RECORD_ERROR(r, "\"%s\" is not a string", names[k]);
  }
  if (v[URL].type == TT_JSON_ABSENT) return RECORD_ERROR(r, "missing \"url\"");
  if (v[URL].len == 0) return RECORD_ERROR(r, "empty \"url\"");
  if (v[BODY].type == TT_JSON_ABSENT) return RECORD_ERROR(r, "missing \"body\"");
  if (v[ID].type == TT_JSON_NUMBER && (memchr(v[ID].s, '.', v[ID].len) || memchr(v[ID].s, 'e', v[ID].len) ||
                                       memchr(v[ID].s, 'E', v[ID].len)))
    return RECORD_ERROR(r, "\"id\" is neither a string nor an integer");
  if (v[ID].type != TT_JSON_ABSENT && v[ID].type != TT_JSON_NULL && v[ID].type != TT_JSON_STRING &&
      v[ID].type != TT_JSON_NUMBER)
    return RECORD_ERROR(r, "\"id\" is neither a string nor an integer");
  /* copy the fields, NUL-terminated and with valid UTF-8, into one buffer */
  size_t off[5];
  tt_buf_reset(&r->fixed);
  for (int k = URL; k <= ID; k++) {
    const char *s = (v[k].type == TT_JSON_STRING || v[k].type == TT_JSON_NUMBER) ? v[k].s : "";
    size_t len = (v[k].type == TT_JSON_STRING || v[k].type == TT_JSON_NUMBER) ? v[k].len : 0;
    if (put_field(&r->fixed, s, len, &off[k])) return tt_error_set(TT_ENOMEM, "out of memory");
  }
  const char *base = r->fixed.p;
  out->url = base + off[URL];       out->url_len = off[BODY] - off[URL] - 1;
  out->body = base + off[BODY];     out->body_len = off[TITLE] - off[BODY] - 1;
  out->title = base + off[TITLE];   out->title_len = off[SOURCE] - off[TITLE] - 1;
  out->source = base + off[SOURCE]; out->source_len = off[ID] - off[SOURCE] - 1;
  out->id = base + off[ID];         out->id_len = r->fixed.n - off[ID] - 1;
  out->published = published_value(&v[PUBLISHED]);
  return 0;
}

static int jsonl_next(tt_article_reader *r, tt_article *out)
{
  for (;;) {
    const unsigned char *p;
    size_t n;
    int rc = tt_articles__stream_line(&r->in, r->line_cap, &p, &n);
    if (rc == 0) return TT_ITEROVER;
    if (rc == TT_ENOMEM) return tt_error_set(TT_ENOMEM, "%s: out of memory reading line %llu", r->name,
                                             (unsigned long long)r->line_no + 1);
    if (rc == TT_EIO) return tt_error_set(TT_EIO, "%s: %s", r->name, r->in.err);
    r->line_no++;
    if (rc < 0) return RECORD_ERROR(r, "%s; the rest of the file is skipped", r->in.err);
    if (rc == 2)
      return RECORD_ERROR(r, "line of %zu bytes is longer than the %zu-byte limit; skipped", n, r->line_cap);
    if (r->line_no == 1 && n >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3)) { p += 3; n -= 3; }
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r')) i++;
    if (i == n) continue;                       /* empty lines are not records */
    return parse_record(r, p, n, out);
  }
}

/* ------------------------------------------------------------------ .txt and .html */

static int doc_next(tt_article_reader *r, tt_article *out)
{
  if (r->consumed) return TT_ITEROVER;
  r->consumed = 1;
  tt_buf_reset(&r->text);
  for (;;) {
    const unsigned char *p;
    size_t n;
    int rc = tt_articles__stream_chunk(&r->in, &p, &n);
    if (rc == TT_EIO) return tt_error_set(TT_EIO, "%s: %s", r->name, r->in.err);
    if (rc) return tt_error_set(rc, "%s: %s; skipped", r->name, r->in.err);
    if (!n) break;
    if (r->text.n + n > TT_READER_FILE_CAP)
      return tt_error_set(TT_EINVAL, "%s: larger than %zu bytes; skipped", r->name, (size_t)TT_READER_FILE_CAP);
    if (tt_buf_append(&r->text, p, n)) return tt_error_set(TT_ENOMEM, "%s: out of memory", r->name);
  }
  doc_reset(&r->doc);
  const char *data = r->text.p ? r->text.p : "";
  int rc = r->kind == K_TXT ? tt_articles__parse_txt(data, r->text.n, &r->doc)
                            : tt_articles__parse_html(data, r->text.n, &r->doc);
  tt_buf_fini(&r->text);
  if (rc == TT_ENOMEM) return rethrow(TT_ENOMEM, r->name, "");
  if (rc) {
    char prefix[600];
    snprintf(prefix, sizeof prefix, "%s: ", r->name);
    return rethrow(TT_EINVAL, prefix, "; skipped");
  }
  if (!r->doc.url.n && tt_buf_puts(&r->doc.url, r->file_url)) return TT_ENOMEM;
  if (!r->doc.source.n && tt_buf_puts(&r->doc.source, "file")) return TT_ENOMEM;
  out->url = str_of(&r->doc.url);
  out->url_len = r->doc.url.n;
  out->title = str_of(&r->doc.title);
  out->title_len = r->doc.title.n;
  out->source = str_of(&r->doc.source);
  out->source_len = r->doc.source.n;
  out->body = str_of(&r->doc.body);
  out->body_len = r->doc.body.n;
  out->id = "";
  out->id_len = 0;
  out->published = r->doc.published;
  return 0;
}

/* ------------------------------------------------------------------ folders */

static int folder_next(tt_article_reader *r, tt_article *out)
{
  for (;;) {
    if (!r->sub) {
      if (r->ifile == r->nfiles) return TT_ITEROVER;
      folder_entry *e = &r->files[r->ifile++];
      if (e->err) return tt_error_set(TT_EINVAL, "%s: %s; skipped", e->path, strerror(e->err));
      int rc = open_file(&r->sub, e->path, kind_of_name(e->path));
      if (rc == TT_ENOMEM) return rc;
      if (rc) {
        r->done_bytes += e->size;
        return rethrow(TT_EINVAL, "", "; skipped");
      }
      r->sub->line_cap = r->line_cap;
    }
    int rc = tt_article_reader_next(r->sub, out);
    if (rc == 0 || rc == TT_EINVAL || rc == TT_ENOMEM) return rc;
    /* The end of this file, or a read error that ends it: go on with the next file. */
    r->done_bytes += r->files[r->ifile - 1].size;
    tt_article_reader_close(r->sub);
    r->sub = NULL;
    if (rc != TT_ITEROVER) return rethrow(TT_EINVAL, "", "; the rest of the file is skipped");
  }
}

int tt_article_reader_next(tt_article_reader *r, tt_article *out)
{
  if (!r || !out) return tt_error_set(TT_EINVAL, "no reader");
  memset(out, 0, sizeof *out);
  switch (r->kind) {
  case K_JSONL: return jsonl_next(r, out);
  case K_TXT: case K_HTML: return doc_next(r, out);
  case K_FOLDER: return folder_next(r, out);
  default: return TT_ITEROVER;
  }
}
