/* tools/benchmarks/bench_common.h: helpers shared by the benchmark programs (bench_xapian,
 * bench_fts5, bench_floor); header-only, because each .c file in tools/benchmarks is a program.
 *
 * - a monotonic clock,
 * - the query file (TSV: class<TAB>query, one a line, '#' comments),
 * - a parser for the subset of timtin's query syntax the benchmark uses: words (space = AND),
 *   "quoted phrases", OR, and parentheses. OR binds looser than AND ("a b OR c" is
 *   "(a b) OR c"); the generator parenthesises every multi-word OR operand, so the queries mean
 *   the same under either precedence.
 * Each engine then turns the tree into its own query (tt_xap_query, an FTS5 MATCH string). */
#ifndef TT_BENCH_COMMON_H
#define TT_BENCH_COMMON_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline double bench_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* ---- the query file ---- */

typedef struct bench_query {
  char *cls;   /* query class, e.g. "phrase" or "phrase-nd" */
  char *text;  /* the query in timtin syntax */
} bench_query;

/* Read path into *out (n queries). Returns 0, or -1 with a message on stderr. */
static inline int bench_read_queries(const char *path, bench_query **out, size_t *n)
{
  FILE *f = fopen(path, "r");
  if (!f) { perror(path); return -1; }
  size_t cap = 0, k = 0;
  bench_query *v = NULL;
  char *line = NULL;
  size_t lcap = 0;
  ssize_t len;
  while ((len = getline(&line, &lcap, f)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
    if (len == 0 || line[0] == '#') continue;
    char *tab = strchr(line, '\t');
    if (!tab) { fprintf(stderr, "%s: line without a tab: %s\n", path, line); continue; }
    *tab = 0;
    if (k == cap) {
      cap = cap ? cap * 2 : 64;
      bench_query *nv = realloc(v, cap * sizeof *v);
      if (!nv) { fclose(f); free(line); return -1; }
      v = nv;
    }
    v[k].cls = strdup(line);
    v[k].text = strdup(tab + 1);
    if (!v[k].cls || !v[k].text) { fclose(f); free(line); return -1; }
    k++;
  }
  free(line);
  fclose(f);
  *out = v;
  *n = k;
  return 0;
}

static inline void bench_free_queries(bench_query *v, size_t n)
{
  for (size_t i = 0; i < n; i++) { free(v[i].cls); free(v[i].text); }
  free(v);
}

/* ---- the query tree ---- */

enum { BQ_WORD, BQ_PHRASE, BQ_AND, BQ_OR };

typedef struct bq_node {
  int kind;
  char *text;             /* BQ_WORD, BQ_PHRASE: the typed text (NUL-terminated) */
  struct bq_node **kids;  /* BQ_AND, BQ_OR */
  size_t n;
} bq_node;

typedef struct bq_lexer {
  const char *s;
  size_t i;
  const char *err;
} bq_lexer;

static inline void bq_free(bq_node *q)
{
  if (!q) return;
  for (size_t i = 0; i < q->n; i++) bq_free(q->kids[i]);
  free(q->kids);
  free(q->text);
  free(q);
}

static inline bq_node *bq_leaf(int kind, const char *s, size_t len)
{
  bq_node *q = calloc(1, sizeof *q);
  if (!q) return NULL;
  q->kind = kind;
  q->text = malloc(len + 1);
  if (!q->text) { free(q); return NULL; }
  memcpy(q->text, s, len);
  q->text[len] = 0;
  return q;
}

static inline int bq_push(bq_node *p, bq_node *kid)
{
  bq_node **nk = realloc(p->kids, (p->n + 1) * sizeof *nk);
  if (!nk) return -1;
  p->kids = nk;
  p->kids[p->n++] = kid;
  return 0;
}

static inline void bq_skip_space(bq_lexer *lx)
{
  while (lx->s[lx->i] == ' ' || lx->s[lx->i] == '\t') lx->i++;
}

static inline int bq_at_or(bq_lexer *lx)
{
  const char *p = lx->s + lx->i;
  return p[0] == 'O' && p[1] == 'R' && (p[2] == ' ' || p[2] == '\t' || p[2] == 0 || p[2] == '(' ||
                                        p[2] == '"');
}

static inline bq_node *bq_parse_or(bq_lexer *lx);

static inline bq_node *bq_parse_unit(bq_lexer *lx)
{
  bq_skip_space(lx);
  char c = lx->s[lx->i];
  if (c == '(') {
    lx->i++;
    bq_node *q = bq_parse_or(lx);
    if (!q) return NULL;
    bq_skip_space(lx);
    if (lx->s[lx->i] != ')') { lx->err = "missing )"; bq_free(q); return NULL; }
    lx->i++;
    return q;
  }
  if (c == '"') {
    size_t start = ++lx->i;
    while (lx->s[lx->i] && lx->s[lx->i] != '"') lx->i++;
    if (!lx->s[lx->i]) { lx->err = "unbalanced quote"; return NULL; }
    bq_node *q = bq_leaf(BQ_PHRASE, lx->s + start, lx->i - start);
    lx->i++;
    return q;
  }
  size_t start = lx->i;
  while (lx->s[lx->i] && !strchr(" \t\"()", lx->s[lx->i])) lx->i++;
  if (lx->i == start) { lx->err = "expected a word"; return NULL; }
  return bq_leaf(BQ_WORD, lx->s + start, lx->i - start);
}

static inline bq_node *bq_parse_and(bq_lexer *lx)
{
  bq_node *all = calloc(1, sizeof *all);
  if (!all) return NULL;
  all->kind = BQ_AND;
  for (;;) {
    bq_skip_space(lx);
    char c = lx->s[lx->i];
    if (c == 0 || c == ')' || bq_at_or(lx)) break;
    bq_node *u = bq_parse_unit(lx);
    if (!u || bq_push(all, u)) { bq_free(u); bq_free(all); return NULL; }
  }
  if (all->n == 0) { lx->err = "empty operand"; bq_free(all); return NULL; }
  if (all->n == 1) { bq_node *u = all->kids[0]; all->n = 0; bq_free(all); return u; }
  return all;
}

static inline bq_node *bq_parse_or(bq_lexer *lx)
{
  bq_node *any = calloc(1, sizeof *any);
  if (!any) return NULL;
  any->kind = BQ_OR;
  for (;;) {
    bq_node *a = bq_parse_and(lx);
    if (!a || bq_push(any, a)) { bq_free(a); bq_free(any); return NULL; }
    bq_skip_space(lx);
    if (!bq_at_or(lx)) break;
    lx->i += 2;
  }
  if (any->n == 1) { bq_node *u = any->kids[0]; any->n = 0; bq_free(any); return u; }
  return any;
}

/* Parse s; NULL with *err set on a syntax error. */
static inline bq_node *bq_parse(const char *s, const char **err)
{
  bq_lexer lx = {s, 0, NULL};
  bq_node *q = bq_parse_or(&lx);
  if (q) {
    bq_skip_space(&lx);
    if (lx.s[lx.i]) { lx.err = "unexpected )"; bq_free(q); q = NULL; }
  }
  if (!q && err) *err = lx.err ? lx.err : "out of memory";
  return q;
}

/* ---- output ---- */

/* Print s as a JSON string (quotes, backslashes and control characters escaped; the queries
 * are valid UTF-8, being generated). */
static inline void bench_json_str(FILE *f, const char *s)
{
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') { fputc('\\', f); fputc(c, f); }
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

/* One result line; extra (may be "") is appended inside the object: ",\"key\":value". */
static inline void bench_print_result_ex(FILE *f, const char *engine, const bench_query *q,
                                         long long total, int exact, size_t hits, double took_us,
                                         const char *extra)
{
  fprintf(f, "{\"engine\":\"%s\",\"class\":", engine);
  bench_json_str(f, q->cls);
  fputs(",\"query\":", f);
  bench_json_str(f, q->text);
  fprintf(f, ",\"total\":%lld,\"exact\":%s,\"hits\":%zu,\"took_us\":%.1f%s}\n", total,
          exact ? "true" : "false", hits, took_us, extra);
}

static inline void bench_print_result(FILE *f, const char *engine, const bench_query *q,
                                      long long total, int exact, size_t hits, double took_us)
{
  bench_print_result_ex(f, engine, q, total, exact, hits, took_us, "");
}

#endif
