/* timtin search / count: run a query on an index and print hits for people or for programs.
 * Exit status: 0 ok, 1 failure, 2 usage or query syntax error. */
#include "tools/cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "common/buf.h"
#include "timtin/entities.h"
#include "timtin/timtin.h"
#include "timtin/query.h"
#include "timtin/index.h"

static const char search_usage[] =
  "[--db DIR] [--limit N] [--offset N] [--sort relevance|date] [--exact] [--facets] [--json] [--no-color]\n"
  "       [--no-group] QUERY...\n"
  "       (near-duplicates (the same story on several sites) are folded into the best-ranked copy,\n"
  "        shown as \"N copies\"; --no-group shows every hit)\n"
  "       (--facets: sources, months and the top 5 entities of each type among the matches;\n"
  "        --json: each hit also lists its entities: type, name, role, mentions, in_title, first_position)\n"
  "       timtin search [--db DIR] --batch FILE [--limit N] [--sort ...] [--exact] [--facets]   (one query a line; JSONL out)\n"
  "       timtin count [--db DIR] [--exact] QUERY...\n"
  "       (--positions-only: verify phrases and proximity on positions, not pair terms; for comparisons)\n"
  "Query language: words (all required), OR, -word / NOT, (groups), \"phrases\", a NEAR/n b, prefix*,\n"
  "=word (exact form only), title: body: source: url: date:2024-01..2024-06 (docs/query.md)";

static double now_us(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return tv.tv_sec * 1e6 + tv.tv_usec;
}

/* CPU time of this thread: on a shared machine it is steadier than the wall clock. */
static double cpu_us(void)
{
  struct timespec ts;
  if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)) return 0;
  return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void date_str(int64_t t, char *out, size_t cap)
{
  if (t == TT_DATE_UNKNOWN) { snprintf(out, cap, "----------"); return; }
  char full[40];
  tt_format_date(t, full, sizeof full);
  snprintf(out, cap, "%.10s", full);
}

/* What the JSON output needs beyond the results: a recognizer for the entities of each hit
 * (made on first use) and the entity facets of the query (NULL without --facets). */
typedef struct jctx {
  tt_analyzer *an;
  tt_entities *ent;
  tt_entity_tally *tally;
  const tt_entity_list *efacets;
} jctx;

static void jctx_fini(jctx *j)
{
  tt_entity_tally_free(j->tally);
  tt_entities_free(j->ent);
  tt_analyzer_free(j->an);
}

/* "entities":[...] of a stored article: the recognizer the indexer ran, run again on the stored
 * title and body, grouped like the index's entity terms (same mentions, first positions and
 * spellings; tests/unit/query/test_entities.c checks them against the postings). */
static int hit_entities_json(tt_buf *b, jctx *j, const tt_doc *d)
{
  if (!j->an && (tt_analyzer_new(&j->an) || tt_entities_new(&j->ent) || tt_entity_tally_new(&j->tally))) return -1;
  tt_analysis ta, tb;
  const tt_entity_mention *m;
  size_t n;
  tt_entity_tally_reset(j->tally);
  if (tt_analyze(j->an, d->title, d->title_len, 0, &ta) ||
      tt_entities_find(j->ent, d->title, d->title_len, &ta, 0, &m, &n) || tt_entity_tally_add(j->tally, m, n, &ta))
    return -1;
  uint32_t title_end = (uint32_t)ta.n + 1;
  if (tt_analyze(j->an, d->body, d->body_len, title_end, &tb) ||
      tt_entities_find(j->ent, d->body, d->body_len, &tb, TT_ENT_CONTINUE, &m, &n) || tt_entity_tally_add(j->tally, m, n, &tb))
    return -1;
  const tt_entity_summary *e;
  if (tt_entity_tally_get(j->tally, title_end, &e, &n)) return -1;
  tt_buf_puts(b, ",\"entities\":[");
  for (size_t i = 0; i < n; i++) {
    tt_buf_printf(b, "%s{\"type\":\"%s\",\"name\":", i ? "," : "", tt_entity_type_name(e[i].type));
    tt_buf_json_string(b, e[i].canonical, strlen(e[i].canonical));
    if (e[i].type == TT_ENT_PERSON) {
      tt_buf_puts(b, ",\"role\":");
      tt_buf_json_string(b, e[i].role, strlen(e[i].role));
    }
    tt_buf_printf(b, ",\"mentions\":%u,\"in_title\":%u,\"first_position\":%u}", e[i].mentions,
                  e[i].title_mentions, e[i].first_pos);
  }
  tt_buf_putc(b, ']');
  return 0;
}

/* ,"copies":N,"copy_urls":[...] of hit i of a grouped search (nothing with --no-group). Fetches
 * documents: call before fetching the hit itself. */
static int copies_json(tt_buf *b, tt_reader *r, const tt_results *res, size_t i)
{
  if (!res->copies) return 0;
  const tt_hit_copies *c = &res->copies[i];
  tt_buf_printf(b, ",\"copies\":%llu,\"copy_urls\":[", (unsigned long long)c->n);
  for (uint64_t k = 0; k < c->n && k < TT_COPY_DOCS_MAX; k++) {
    tt_doc d;
    if (tt_hit_fetch(r, c->docs[k], 0, &d)) return -1;
    if (k) tt_buf_putc(b, ',');
    tt_buf_json_string(b, d.url, d.url_len);
  }
  tt_buf_putc(b, ']');
  return 0;
}

/* One hit as a JSON object (url, title, published, source, score, snippet, highlights, entities,
 * and with grouping copies, copy_urls). */
static int hit_json(tt_buf *b, tt_reader *r, const tt_results *res, const tt_hit *h, jctx *j)
{
  tt_buf cb = TT_BUF_INIT;
  if (copies_json(&cb, r, res, (size_t)(h - res->hits))) { tt_buf_fini(&cb); return -1; }
  tt_doc d;
  if (tt_hit_fetch(r, h->doc, 1, &d)) return -1;
  tt_snippet sn;
  if (tt_snippet_make(d.body, d.body_len, res->terms, res->nterms, 240, &sn)) return -1;
  char date[48];
  if (d.published == TT_DATE_UNKNOWN) snprintf(date, sizeof date, "null");
  else { date[0] = '"'; tt_format_date(d.published, date + 1, sizeof date - 2); strcat(date, "\""); }
  tt_buf_puts(b, "{\"url\":");
  tt_buf_json_string(b, d.url, d.url_len);
  tt_buf_puts(b, ",\"title\":");
  tt_buf_json_string(b, d.title, d.title_len);
  tt_buf_printf(b, ",\"published\":%s,\"source\":", date);
  tt_buf_json_string(b, d.source, d.source_len);
  tt_buf_printf(b, ",\"score\":%.6f,\"snippet\":", h->score);
  tt_buf_json_string(b, sn.text, sn.len);
  tt_buf_puts(b, ",\"highlights\":[");
  for (size_t i = 0; i < sn.nranges; i++)
    tt_buf_printf(b, "%s[%u,%u]", i ? "," : "", sn.ranges[i][0], sn.ranges[i][1]);
  tt_buf_putc(b, ']');
  tt_snippet_fini(&sn);
  if (hit_entities_json(b, j, &d)) { tt_buf_fini(&cb); return -1; }
  if (cb.n) tt_buf_append(b, cb.p, cb.n);
  tt_buf_fini(&cb);
  tt_buf_putc(b, '}');
  return 0;
}

static void facets_json(tt_buf *b, const tt_results *res, const jctx *j)
{
  tt_buf_puts(b, ",\"facets\":{\"sources\":[");
  for (size_t i = 0; i < res->nsources; i++) {
    tt_buf_puts(b, i ? ",{\"source\":" : "{\"source\":");
    tt_buf_json_string(b, res->sources[i].value, strlen(res->sources[i].value));
    tt_buf_printf(b, ",\"count\":%llu}", (unsigned long long)res->sources[i].count);
  }
  tt_buf_puts(b, "],\"months\":[");
  for (size_t i = 0; i < res->nmonths; i++) {
    tt_buf_puts(b, i ? ",{\"month\":" : "{\"month\":");
    tt_buf_json_string(b, res->months[i].value, strlen(res->months[i].value));
    tt_buf_printf(b, ",\"count\":%llu}", (unsigned long long)res->months[i].count);
  }
  tt_buf_putc(b, ']');
  if (j->efacets) {
    tt_buf_puts(b, ",\"entities\":");
    tt_cli_entities_json(b, j->efacets);
  }
  tt_buf_putc(b, '}');
}

/* {"total":..,["note":..,]"hits":[..][,"facets":{..}]} without the closing brace. */
static int results_json(tt_buf *b, tt_reader *r, const tt_results *res, jctx *j)
{
  tt_buf_printf(b, "\"total\":%llu,", (unsigned long long)res->total);
  if (res->note) {
    tt_buf_puts(b, "\"note\":");
    tt_buf_json_string(b, res->note, strlen(res->note));
    tt_buf_putc(b, ',');
  }
  tt_buf_puts(b, "\"hits\":[");
  for (size_t i = 0; i < res->n; i++) {
    if (i) tt_buf_putc(b, ',');
    if (hit_json(b, r, res, &res->hits[i], j)) return -1;
  }
  tt_buf_putc(b, ']');
  if (res->sources || res->months) facets_json(b, res, j);
  return 0;
}

static const char *const ent_heading[] = {"", "Officials", "Hospitals and health bodies", "Programs and documents"};

static void print_facets(const tt_results *res, const tt_entity_list *ef, int color)
{
  const char *bold = color ? "\033[1m" : "", *off = color ? "\033[0m" : "";
  printf("\n%sSources%s\n", bold, off);
  for (size_t i = 0; i < res->nsources; i++)
    printf("  %8llu  %s\n", (unsigned long long)res->sources[i].count, res->sources[i].value);
  printf("\n%sMonths%s\n", bold, off);
  uint64_t max = 1;
  for (size_t i = 0; i < res->nmonths; i++) if (res->months[i].count > max) max = res->months[i].count;
  for (size_t i = 0; i < res->nmonths; i++) {
    int w = (int)((res->months[i].count * 40 + max - 1) / max);
    printf("  %-7s %8llu  ", res->months[i].value, (unsigned long long)res->months[i].count);
    for (int k = 0; k < w; k++) fputs("▇", stdout);
    putchar('\n');
  }
  for (int t = TT_ENT_PERSON; ef && t <= TT_ENT_PROGRAM; t++) {
    printf("\n%s%s%s\n", bold, ent_heading[t], off);
    for (size_t i = 0; i < ef->n; i++) {
      if (ef->v[i].type != t) continue;
      printf("  %8llu  %s", (unsigned long long)ef->v[i].articles, ef->v[i].name);
      if (ef->v[i].role[0]) printf(" — %s", ef->v[i].role);
      putchar('\n');
    }
  }
}

static int print_human(tt_reader *r, const tt_results *res, const tt_search_options *o, const tt_entity_list *ef,
                       int color)
{
  const char *hl = color ? "\033[1;33m" : "", *off = color ? "\033[0m" : "";
  const char *dim = color ? "\033[2m" : "", *bold = color ? "\033[1m" : "";
  for (size_t i = 0; i < res->n; i++) {
    uint64_t ncopies = res->copies ? res->copies[i].n : 0;
    char copy_url[512] = "";   /* the first copy's URL, fetched before the hit itself */
    if (ncopies) {
      tt_doc c;
      if (tt_hit_fetch(r, res->copies[i].docs[0], 0, &c)) return tt_cli_fail("fetch");
      snprintf(copy_url, sizeof copy_url, "%.*s", (int)c.url_len, c.url);
    }
    tt_doc d;
    if (tt_hit_fetch(r, res->hits[i].doc, 1, &d)) return tt_cli_fail("fetch");
    char date[16];
    date_str(d.published, date, sizeof date);
    /* The score shown apart: relevance within the tier, and how many syllables matched in the
     * exact form typed (the tier), rather than one number in the thousands. */
    double sc = res->hits[i].score, tiers = sc >= TT_EXACT_TIER ? (double)(long)(sc / TT_EXACT_TIER) : 0;
    char exact[48] = "";
    if (tiers > 0) snprintf(exact, sizeof exact, ", %.0f exact form%s", tiers, tiers > 1 ? "s" : "");
    printf("%zu. %s%.*s%s\n   %s%s  %.*s  %.*s  score %.2f%s%s\n", o->offset + i + 1, bold, (int)d.title_len, d.title, off,
           dim, date, (int)d.source_len, d.source, (int)d.url_len, d.url, sc - tiers * TT_EXACT_TIER, exact, off);
    tt_snippet sn;
    if (tt_snippet_make(d.body, d.body_len, res->terms, res->nterms, 240, &sn)) return tt_cli_fail("snippet");
    printf("   ");
    size_t at = 0;
    for (size_t k = 0; k < sn.nranges; k++) {
      printf("%.*s%s%.*s%s", (int)(sn.ranges[k][0] - at), sn.text + at, hl,
             (int)(sn.ranges[k][1] - sn.ranges[k][0]), sn.text + sn.ranges[k][0], off);
      at = sn.ranges[k][1];
    }
    printf("%s\n", sn.text + at);
    if (ncopies)
      printf("   %s%llu cop%s: %s%s%s\n", dim, (unsigned long long)ncopies, ncopies == 1 ? "y" : "ies", copy_url,
             ncopies > 1 ? ", …" : "", off);
    putchar('\n');
    tt_snippet_fini(&sn);
  }
  if (res->n == 0 && o->offset && res->total) printf("(no hits on this page)\n");
  printf("%llu matching article%s\n", (unsigned long long)res->total, res->total == 1 ? "" : "s");
  if (res->sources || res->months) print_facets(res, ef, color);
  return 0;
}

static int run_batch(tt_reader *r, const char *file, tt_search_options *o)
{
  FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
  if (!f) { fprintf(stderr, "timtin search: cannot open %s: %s\n", file, strerror(errno)); return 1; }
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  tt_buf b = TT_BUF_INIT;
  int rc = 0;
  jctx j;
  memset(&j, 0, sizeof j);
  while ((n = getline(&line, &cap, f)) >= 0) {
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = 0;
    if (!n) continue;
    tt_results res;
    double t0 = now_us(), c0 = cpu_us();
    int e = tt_search(r, line, (size_t)n, o, &res);
    double took = now_us() - t0, cpu = cpu_us() - c0;
    tt_buf_reset(&b);
    tt_buf_puts(&b, "{\"query\":");
    tt_buf_json_string(&b, line, (size_t)n);
    if (e) {
      tt_buf_puts(&b, ",\"error\":");
      tt_buf_json_string(&b, tt_error_last(), strlen(tt_error_last()));
      tt_buf_puts(&b, "}\n");
      if (!rc) rc = e == TT_ESYNTAX ? 2 : 1;
    } else {
      tt_buf_printf(&b, ",\"took_us\":%.0f,\"cpu_us\":%.0f,", took, cpu);
      tt_entity_list ef;
      int have_ef = o->facets && !tt_entity_list_get(r, line, (size_t)n, o, 0, 5, &ef);
      j.efacets = have_ef ? &ef : NULL;
      int jr = results_json(&b, r, &res, &j);
      if (have_ef) tt_entity_list_fini(&ef);
      j.efacets = NULL;
      if (jr) { rc = tt_cli_fail("fetch"); tt_results_fini(&res); break; }
      tt_buf_puts(&b, "}\n");
      tt_results_fini(&res);
    }
    fwrite(b.p, 1, b.n, stdout);
  }
  free(line);
  tt_buf_fini(&b);
  jctx_fini(&j);
  if (f != stdin) fclose(f);
  return rc;
}

/* A whole decimal number for --limit / --offset. */
static int parse_size(const char *s, size_t *out)
{
  if (!s || *s < '0' || *s > '9') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end || v > ((size_t)1 << 30)) return -1;
  *out = (size_t)v;
  return 0;
}

static int search_main(int argc, char **argv, int count_only)
{
  const char *db = tt_cli_default_db(), *batch = NULL;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  int json = 0, color = isatty(1) && !getenv("NO_COLOR");
  tt_buf q = TT_BUF_INIT;
  const char *cmd = count_only ? "count" : "search";
  int rc = 0;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { printf("usage: timtin %s %s\n", cmd, search_usage); tt_buf_fini(&q); return 0; }
    else if (!strcmp(a, "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(a, "--limit") && i + 1 < argc) { if (parse_size(argv[++i], &o.limit)) rc = tt_cli_usage(cmd, search_usage, "--limit takes a number"); }
    else if (!strcmp(a, "--offset") && i + 1 < argc) { if (parse_size(argv[++i], &o.offset)) rc = tt_cli_usage(cmd, search_usage, "--offset takes a number"); }
    else if (!strcmp(a, "--sort") && i + 1 < argc) {
      const char *s = argv[++i];
      if (!strcmp(s, "date")) o.sort_date = 1;
      else if (!strcmp(s, "relevance")) o.sort_date = 0;
      else rc = tt_cli_usage(cmd, search_usage, "--sort takes relevance or date");
    } else if (!strcmp(a, "--exact")) o.exact = 1;
    else if (!strcmp(a, "--positions-only")) o.positions_only = 1;   /* benchmarks: no pair terms */
    else if (!strcmp(a, "--facets")) o.facets = 1;
    else if (!strcmp(a, "--no-group")) o.no_group = 1;
    else if (!strcmp(a, "--json")) json = 1;
    else if (!strcmp(a, "--no-color")) color = 0;
    else if (!strcmp(a, "--batch") && i + 1 < argc) batch = argv[++i];
    else if (!strcmp(a, "--")) { for (i++; i < argc; i++) { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, argv[i]); } }
    else if (a[0] == '-' && a[1] == '-') rc = tt_cli_usage(cmd, search_usage, "unknown option or missing value");
    else { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, a); }
  }
  if (rc) { tt_buf_fini(&q); return rc; }
  if (!batch && !q.n) { tt_buf_fini(&q); return tt_cli_usage(cmd, search_usage, "no QUERY given"); }
  tt_reader *r;
  if (tt_reader_open(&r, db, 0)) { tt_buf_fini(&q); return tt_cli_fail(db); }
  if (batch) {
    rc = run_batch(r, batch, &o);
  } else {
    if (count_only) { o.limit = 0; o.offset = 0; o.facets = 0; }
    tt_results res;
    int e = tt_search(r, q.p, q.n, &o, &res);
    if (e == TT_ESYNTAX) { fprintf(stderr, "timtin %s: %s\n", cmd, tt_error_last()); rc = 2; }
    else if (e) rc = tt_cli_fail(cmd);
    else {
      if (res.note) fprintf(stderr, "timtin %s: note: %s\n", cmd, res.note);
      /* Entity fields cannot match articles indexed with --no-entities: say so. */
      if (strstr(q.p, "person:") || strstr(q.p, "hospital:") || strstr(q.p, "program:")) {
        tt_index_stats st;
        if (!tt_reader_stats(r, &st) && st.no_entities)
          fprintf(stderr, "timtin %s: note: %llu articles were indexed without entity recognition "
                  "(--no-entities); entity fields do not match them\n", cmd, (unsigned long long)st.no_entities);
      }
      /* --facets: the top entities of each type among the matches too */
      tt_entity_list ef;
      int have_ef = 0;
      if (!count_only && o.facets) {
        if (tt_entity_list_get(r, q.p, q.n, &o, 0, 5, &ef)) rc = tt_cli_fail("entities");
        else have_ef = 1;
      }
      jctx j;
      memset(&j, 0, sizeof j);
      j.efacets = have_ef ? &ef : NULL;
      if (rc) {
      } else if (count_only) printf("%llu\n", (unsigned long long)res.total);
      else if (json) {
        tt_buf b = TT_BUF_INIT;
        tt_buf_putc(&b, '{');
        if (results_json(&b, r, &res, &j)) rc = tt_cli_fail("fetch");
        tt_buf_puts(&b, "}\n");
        if (!rc) fwrite(b.p, 1, b.n, stdout);
        tt_buf_fini(&b);
      } else rc = print_human(r, &res, &o, j.efacets, color);
      jctx_fini(&j);
      if (have_ef) tt_entity_list_fini(&ef);
      tt_results_fini(&res);
    }
  }
  tt_reader_close(r);
  tt_buf_fini(&q);
  return rc;
}

int tt_cmd_search(int argc, char **argv) { return search_main(argc, argv, 0); }
int tt_cmd_count(int argc, char **argv) { return search_main(argc, argv, 1); }
