/* timtin export: write EVERY article matching a query (not only the top k) as JSONL or CSV.
 *
 * Memory: with --sort index the matches stream straight from the matcher to the output in doc
 * id order (constant memory). With --sort relevance (the default) or --sort date the matcher
 * first collects one 16-byte (doc, key) pair per match (24 bytes for --sort date with the score
 * field), sorts them, then streams the articles in that order: 1.6 MB per 100,000 matches, and
 * never the articles themselves.
 * CSV follows RFC 4180 (fields with a comma, quote, CR or LF are quoted, quotes doubled, CRLF
 * line ends) with an optional UTF-8 byte order mark for spreadsheets; JSONL is one object a
 * line (pandas.read_json(lines=True)). A progress line goes to stderr when it is a terminal. */
#include "tools/cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/buf.h"
#include "timtin/timtin.h"
#include "timtin/query.h"

static const char export_usage[] =
  "[--db DIR] [--format jsonl|csv] [--fields url,title,published,source,body,score,id,dup_of]\n"
  "       [--sort relevance|date|index] [--exact] [--bom] [--out FILE] [--no-progress] QUERY...";

/* dup_of: the URL of the article's earliest near-duplicate in the index (lowest doc id within
 * simhash distance 3), "" when it is its own earliest copy: rows with the same
 * dup_of-or-url are copies of one story. */
enum { F_URL, F_TITLE, F_PUBLISHED, F_SOURCE, F_BODY, F_SCORE, F_ID, F_DUP_OF, F_COUNT };
static const char *const field_names[F_COUNT] = {"url", "title", "published", "source", "body", "score", "id", "dup_of"};

enum { SORT_RELEVANCE, SORT_DATE, SORT_INDEX };

/* One collected match: doc id, then the sort key (double score or int64 date) at offset 8,
 * then (date order with the score field only) the score at offset 16. */
#define PAIR_KEY 8
#define PAIR_SCORE 16

typedef struct exporter {
  tt_reader *r;
  FILE *out;
  int csv;
  int fields[F_COUNT];
  int nfields;
  int with_body;
  int sort;
  int progress;              /* stderr is a terminal */
  uint64_t total;            /* expected rows (for the progress line), 0 if unknown */
  uint64_t written;
  double last_progress;
  tt_buf b;
  unsigned char *pairs;      /* npairs records of stride bytes */
  size_t npairs, cap, stride;
  int werr;                  /* write failed */
  int with_dup;              /* the dup_of field is asked for */
  tt_buf dup;                /* dup_of of the current row */
} exporter;

static double now_s(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

static void progress(exporter *x, int final)
{
  if (!x->progress) return;
  double t = now_s();
  if (!final && t - x->last_progress < 0.2) return;
  x->last_progress = t;
  if (x->total)
    fprintf(stderr, "\rexport: %llu / %llu articles (%.0f%%)\033[K", (unsigned long long)x->written,
            (unsigned long long)x->total, 100.0 * (double)x->written / (double)x->total);
  else
    fprintf(stderr, "\rexport: %llu articles\033[K", (unsigned long long)x->written);
  if (final) fputc('\n', stderr);
}

static void csv_field(tt_buf *b, const char *s, size_t n)
{
  int quote = 0;
  for (size_t i = 0; i < n && !quote; i++) quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
  if (!quote) { tt_buf_append(b, s, n); return; }
  tt_buf_putc(b, '"');
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '"') tt_buf_putc(b, '"');
    tt_buf_putc(b, s[i]);
  }
  tt_buf_putc(b, '"');
}

static void header(exporter *x)
{
  if (!x->csv) return;
  for (int i = 0; i < x->nfields; i++) {
    if (i) tt_buf_putc(&x->b, ',');
    tt_buf_puts(&x->b, field_names[x->fields[i]]);
  }
  tt_buf_puts(&x->b, "\r\n");
}

static int write_row(exporter *x, uint64_t doc, double score)
{
  tt_doc d;
  if (x->with_dup) {   /* before the row's own fetch: fetched fields live until the next fetch */
    uint64_t first;
    tt_buf_reset(&x->dup);
    if (tt_hit_first_copy(x->r, doc, &first)) return tt_cli_fail("export: near-duplicates");
    if (first != doc) {
      if (tt_hit_fetch(x->r, first, 0, &d)) return tt_cli_fail("export: fetch");
      tt_buf_append(&x->dup, d.url, d.url_len);
    }
  }
  if (tt_hit_fetch(x->r, doc, x->with_body, &d)) return tt_cli_fail("export: fetch");
  tt_buf *b = &x->b;
  if (!x->csv) tt_buf_putc(b, '{');
  for (int i = 0; i < x->nfields; i++) {
    int f = x->fields[i];
    if (i) tt_buf_putc(b, ',');
    if (!x->csv) tt_buf_printf(b, "\"%s\":", field_names[f]);
    const char *s = NULL;
    size_t n = 0;
    char num[48];
    switch (f) {
    case F_URL: s = d.url; n = d.url_len; break;
    case F_TITLE: s = d.title; n = d.title_len; break;
    case F_SOURCE: s = d.source; n = d.source_len; break;
    case F_BODY: s = d.body; n = d.body_len; break;
    case F_ID: s = d.id; n = d.id_len; break;
    case F_DUP_OF: s = x->dup.p; n = x->dup.n; break;
    case F_PUBLISHED:
      if (d.published == TT_DATE_UNKNOWN) {
        if (!x->csv) tt_buf_puts(b, "null");
        continue;
      }
      tt_format_date(d.published, num, sizeof num);
      s = num;
      n = strlen(num);
      break;
    case F_SCORE:
      tt_buf_printf(b, "%.6f", score);
      continue;
    }
    if (x->csv) csv_field(b, s ? s : "", n);
    else tt_buf_json_string(b, s ? s : "", n);
  }
  tt_buf_puts(b, x->csv ? "\r\n" : "}\n");
  x->written++;
  if (b->n >= (1u << 16)) {
    if (fwrite(b->p, 1, b->n, x->out) != b->n) { x->werr = errno ? errno : EIO; return 1; }
    tt_buf_reset(b);
  }
  progress(x, 0);
  return 0;
}

static int on_match_stream(void *ctx, const tt_hit *h)
{
  return write_row(ctx, h->doc, h->score);
}

static int on_match_collect(void *ctx, const tt_hit *h)
{
  exporter *x = ctx;
  if (x->npairs == x->cap) {
    size_t cap = x->cap ? x->cap * 2 : 4096;
    unsigned char *p = realloc(x->pairs, cap * x->stride);
    if (!p) { tt_error_set(TT_ENOMEM, "out of memory collecting %zu matches", x->npairs); return TT_ENOMEM; }
    x->pairs = p;
    x->cap = cap;
  }
  unsigned char *p = x->pairs + x->npairs++ * x->stride;
  memcpy(p, &h->doc, 8);
  if (x->sort == SORT_DATE) memcpy(p + PAIR_KEY, &h->published, 8);
  else memcpy(p + PAIR_KEY, &h->score, 8);
  if (x->stride > PAIR_SCORE) memcpy(p + PAIR_SCORE, &h->score, 8);
  return 0;
}

/* The orders of `timtin search`: relevance = score desc, date = newest first; ties by doc id. */
static int cmp_docs(const void *a, const void *b)
{
  uint64_t x, y;
  memcpy(&x, a, 8);
  memcpy(&y, b, 8);
  return (x > y) - (x < y);
}

static int cmp_relevance(const void *a, const void *b)
{
  double x, y;
  memcpy(&x, (const unsigned char *)a + PAIR_KEY, 8);
  memcpy(&y, (const unsigned char *)b + PAIR_KEY, 8);
  if (x != y) return x > y ? -1 : 1;
  return cmp_docs(a, b);
}

static int cmp_date(const void *a, const void *b)
{
  int64_t x, y;
  memcpy(&x, (const unsigned char *)a + PAIR_KEY, 8);
  memcpy(&y, (const unsigned char *)b + PAIR_KEY, 8);
  if (x != y) return x > y ? -1 : 1;
  return cmp_docs(a, b);
}

static int parse_fields(exporter *x, const char *s)
{
  x->nfields = 0;
  while (*s) {
    const char *e = strchr(s, ',');
    size_t n = e ? (size_t)(e - s) : strlen(s);
    int found = -1;
    for (int f = 0; f < F_COUNT; f++)
      if (strlen(field_names[f]) == n && !memcmp(field_names[f], s, n)) found = f;
    if (found < 0 || x->nfields >= F_COUNT) return -1;
    for (int i = 0; i < x->nfields; i++) if (x->fields[i] == found) return -1;
    x->fields[x->nfields++] = found;
    s += n;
    if (*s == ',') s++;
  }
  return x->nfields ? 0 : -1;
}

int tt_cmd_export(int argc, char **argv)
{
  const char *db = tt_cli_default_db(), *outpath = NULL;
  exporter x;
  memset(&x, 0, sizeof x);
  tt_buf_init(&x.b);
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  int bom = 0, want_progress = 1, rc = 0;
  parse_fields(&x, "url,title,published,source,score");
  tt_buf q = TT_BUF_INIT;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
      printf("usage: timtin export %s\n\n"
             "Write every article that matches QUERY (the language of `timtin search`).\n"
             "  --format jsonl|csv   one JSON object a line (default), or RFC 4180 CSV with CRLF line ends\n"
             "  --fields LIST        comma-separated, in this order (default url,title,published,source,score)\n"
             "  --sort ORDER         relevance (default) or date (newest first): 16 bytes of memory per match;\n"
             "                       index: index order, constant memory\n"
             "  --bom                start CSV with a UTF-8 byte order mark (for spreadsheet programs)\n"
             "  --out FILE           write to FILE instead of standard output\n"
             "  --no-progress        no progress line on a terminal's stderr\n", export_usage);
      tt_buf_fini(&q);
      tt_buf_fini(&x.b);
      return 0;
    } else if (!strcmp(a, "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(a, "--format") && i + 1 < argc) {
      const char *f = argv[++i];
      if (!strcmp(f, "csv")) x.csv = 1;
      else if (!strcmp(f, "jsonl") || !strcmp(f, "json")) x.csv = 0;
      else rc = tt_cli_usage("export", export_usage, "--format takes jsonl or csv");
    } else if (!strcmp(a, "--fields") && i + 1 < argc) {
      if (parse_fields(&x, argv[++i])) rc = tt_cli_usage("export", export_usage, "--fields: a comma-separated list of url,title,published,source,body,score,id");
    } else if (!strcmp(a, "--sort") && i + 1 < argc) {
      const char *s = argv[++i];
      if (!strcmp(s, "relevance")) x.sort = SORT_RELEVANCE;
      else if (!strcmp(s, "date")) x.sort = SORT_DATE;
      else if (!strcmp(s, "index")) x.sort = SORT_INDEX;
      else rc = tt_cli_usage("export", export_usage, "--sort takes relevance, date or index");
    } else if (!strcmp(a, "--exact")) o.exact = 1;
    else if (!strcmp(a, "--bom")) bom = 1;
    else if (!strcmp(a, "--no-progress")) want_progress = 0;
    else if (!strcmp(a, "--out") && i + 1 < argc) outpath = argv[++i];
    else if (!strcmp(a, "--")) { for (i++; i < argc; i++) { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, argv[i]); } }
    else if (a[0] == '-' && a[1] == '-') rc = tt_cli_usage("export", export_usage, "unknown option or missing value");
    else { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, a); }
  }
  if (!rc && !q.n) rc = tt_cli_usage("export", export_usage, "no QUERY given");
  if (rc) { tt_buf_fini(&q); tt_buf_fini(&x.b); return rc; }
  int with_score = 0;
  for (int i = 0; i < x.nfields; i++) {
    x.with_body |= x.fields[i] == F_BODY;
    x.with_dup |= x.fields[i] == F_DUP_OF;
    with_score |= x.fields[i] == F_SCORE;
  }
  x.progress = want_progress && isatty(2);
  if (tt_reader_open(&x.r, db, 0)) { tt_buf_fini(&q); tt_buf_fini(&x.b); return tt_cli_fail(db); }
  x.out = outpath ? fopen(outpath, "wb") : stdout;
  if (!x.out) {
    fprintf(stderr, "timtin export: cannot write %s: %s\n", outpath, strerror(errno));
    tt_reader_close(x.r);
    tt_buf_fini(&q);
    tt_buf_fini(&x.b);
    return 1;
  }
  if (bom && x.csv) tt_buf_puts(&x.b, "\xEF\xBB\xBF");
  header(&x);
  int e = 0;
  uint64_t total = 0;
  if (x.sort == SORT_INDEX) {
    if (x.progress) {   /* the count first, for a percentage (cheap next to the export) */
      tt_search_options c = o;
      c.limit = 0;
      tt_results res;
      if (tt_search(x.r, q.p, q.n, &c, &res) == 0) { x.total = res.total; tt_results_fini(&res); }
    }
    e = tt_search_each(x.r, q.p, q.n, &o, with_score, on_match_stream, &x, &total);
  } else {
    x.stride = x.sort == SORT_DATE && with_score ? 24 : 16;
    e = tt_search_each(x.r, q.p, q.n, &o, with_score || x.sort == SORT_RELEVANCE, on_match_collect, &x, &total);
    if (!e) {
      if (x.npairs) qsort(x.pairs, x.npairs, x.stride, x.sort == SORT_DATE ? cmp_date : cmp_relevance);
      x.total = x.npairs;
      for (size_t i = 0; i < x.npairs && !e; i++) {
        const unsigned char *p = x.pairs + i * x.stride;
        uint64_t doc;
        double score = 0;
        memcpy(&doc, p, 8);
        if (x.sort == SORT_RELEVANCE) memcpy(&score, p + PAIR_KEY, 8);
        else if (x.stride > PAIR_SCORE) memcpy(&score, p + PAIR_SCORE, 8);
        e = write_row(&x, doc, score);
      }
    }
  }
  if (!e && x.b.n && fwrite(x.b.p, 1, x.b.n, x.out) != x.b.n) x.werr = errno ? errno : EIO;
  if (!e && fflush(x.out)) x.werr = errno ? errno : EIO;
  if (e == TT_ESYNTAX) { fprintf(stderr, "timtin export: %s\n", tt_error_last()); rc = 2; }
  else if (x.werr) { fprintf(stderr, "timtin export: write failed: %s\n", strerror(x.werr)); rc = 1; }
  else if (e < 0) rc = tt_cli_fail("export");
  else if (e > 0) rc = 1;
  else progress(&x, 1);
  if (outpath && fclose(x.out) && !rc) { fprintf(stderr, "timtin export: write failed: %s\n", strerror(errno)); rc = 1; }
  free(x.pairs);
  tt_reader_close(x.r);
  tt_buf_fini(&q);
  tt_buf_fini(&x.b);
  tt_buf_fini(&x.dup);
  return rc;
}
