/* Articles out of WARC files (tt_warc_articles_* in include/timtin/crawl.h): every response
 * record with status 200 and an HTML content type goes through tt_extract_html; listing pages
 * and pages without text are passed over; syndicated copies get dup_of (text/simhash.c).
 * Used by `timtin extract`, and by anyone who wants to index WARC directly. */
#include "timtin/crawl.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "crawler/http.h"
#include "text/simhash.h"

#define ART_MAX_BODY (32u << 20)

struct tt_warc_articles {
  char **paths; size_t npaths, ipath;
  tt_warc_reader *r;
  tt_extracted ex;                 /* the current article */
  tt_buf body;                     /* decoded HTTP body */
  tt_simhash_index *six;
  char **urls; size_t nurls, capurls;   /* URL per simhash id, for dup_of */
  int had_corrupt;
};

static int add_path(tt_warc_articles *a, const char *path)
{
  char **p = tt_realloc(a->paths, (a->npaths + 1) * sizeof *p);
  TT_CHECK_ALLOC(p);
  a->paths = p;
  a->paths[a->npaths] = tt_strndup(path, strlen(path));
  TT_CHECK_ALLOC(a->paths[a->npaths]);
  a->npaths++;
  return 0;
}

int tt_warc_articles_open(tt_warc_articles **out, const char *path)
{
  *out = NULL;
  tt_warc_articles *a = tt_calloc(1, sizeof *a);
  TT_CHECK_ALLOC(a);
  a->six = tt_simhash_index_new();
  int rc = a->six ? add_path(a, path) : tt_error_set(TT_ENOMEM, "out of memory");
  if (!rc) rc = tt_warc_reader_open(&a->r, path);
  if (rc) { tt_warc_articles_close(a); return rc; }
  a->ipath = 1;
  *out = a;
  return 0;
}

int tt_warc_articles_add_file(tt_warc_articles *a, const char *path) { return add_path(a, path); }

void tt_warc_articles_close(tt_warc_articles *a)
{
  if (!a) return;
  tt_warc_reader_close(a->r);
  tt_extracted_fini(&a->ex);
  tt_buf_fini(&a->body);
  tt_simhash_index_free(a->six);
  for (size_t i = 0; i < a->nurls; i++) tt_free(a->urls[i]);
  tt_free(a->urls);
  for (size_t i = 0; i < a->npaths; i++) tt_free(a->paths[i]);
  tt_free(a->paths);
  tt_free(a);
}

/* WARC-Date "2024-06-12T05:45:00Z" -> seconds, 0 when unreadable. */
static int64_t warc_time(const tt_warc_record *rec)
{
  int64_t t;
  if (rec->date_len && tt_parse_date(rec->date, rec->date_len, &t) == 0) return t;
  return 0;
}

static int html_type(const char *ct)
{
  return !ct[0] || !strncasecmp(ct, "text/html", 9) || !strncasecmp(ct, "application/xhtml", 17);
}

int tt_warc_articles_next(tt_warc_articles *a, tt_article *out, const char **dup_of)
{
  if (dup_of) *dup_of = NULL;
  for (;;) {
    if (!a->r) {
      if (a->ipath >= a->npaths) return TT_ITEROVER;
      int rc = tt_warc_reader_open(&a->r, a->paths[a->ipath++]);
      if (rc) return TT_EINVAL;          /* message set; the caller reports and goes on */
    }
    tt_warc_record rec;
    int rc = tt_warc_reader_next(a->r, &rec);
    if (rc == TT_ITEROVER) { tt_warc_reader_close(a->r); a->r = NULL; continue; }
    if (rc == TT_ECORRUPT) return TT_ECORRUPT;   /* reported once; the reader then ends */
    if (rc) return rc;
    if (!(rec.type_len == 8 && !memcmp(rec.type, "response", 8))) continue;
    tt_http_msg m;
    if (tt_http__parse(rec.block, rec.block_len, &m) || m.status != 200) continue;
    char ct[256];
    tt_http__header(&m, "Content-Type", ct, sizeof ct);
    if (!html_type(ct)) continue;
    char url[8192];
    size_t ul = rec.target_uri_len < sizeof url - 1 ? rec.target_uri_len : sizeof url - 1;
    memcpy(url, rec.target_uri, ul);
    url[ul] = 0;
    tt_buf_reset(&a->body);
    if (tt_http__decode_body(&m, ART_MAX_BODY, &a->body)) {
      return tt_error_set(TT_EINVAL, "%s: record at offset %llu (%s): %s", a->paths[a->ipath - 1],
                          (unsigned long long)rec.offset, url, tt_error_last());
    }
    tt_extracted_fini(&a->ex);
    tt_extract_options eo = TT_EXTRACT_OPTIONS_INIT;
    eo.content_type = ct;
    eo.fetch_time = warc_time(&rec);
    rc = tt_extract_html(&a->ex, url, a->body.p ? a->body.p : "", a->body.n, &eo);
    if (rc == TT_ENOMEM) return rc;
    if (rc) return TT_EINVAL;
    if (a->ex.is_listing || !a->ex.body[0]) continue;
    memset(out, 0, sizeof *out);
    out->url = a->ex.canonical; out->url_len = strlen(a->ex.canonical);
    out->title = a->ex.title; out->title_len = strlen(a->ex.title);
    out->source = a->ex.source; out->source_len = strlen(a->ex.source);
    out->body = a->ex.body; out->body_len = strlen(a->ex.body);
    out->id = ""; out->id_len = 0;
    out->published = a->ex.published;
    /* near-duplicates: only texts long enough for a fingerprint to mean something */
    size_t words;
    uint64_t h = tt_simhash_text(out->body, out->body_len, &words);
    if (words >= TT_SIMHASH_MIN_WORDS) {
      long id = (long)a->nurls;
      long prev = tt_simhash_index_match_add(a->six, h, id, 3);
      if (a->nurls == a->capurls) {
        size_t cap = a->capurls ? a->capurls * 2 : 256;
        char **u = tt_realloc(a->urls, cap * sizeof *u);
        TT_CHECK_ALLOC(u);
        a->urls = u;
        a->capurls = cap;
      }
      a->urls[a->nurls++] = tt_strndup(out->url, out->url_len);
      if (prev >= 0 && dup_of && a->urls[prev] && strcmp(a->urls[prev], out->url)) *dup_of = a->urls[prev];
    }
    return 0;
  }
}
