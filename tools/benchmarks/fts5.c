/* bench_fts5: the SQLite FTS5 column of the benchmark (tools/bench).
 *
 *   bench_fts5 index DB INPUT [--batch N] [--optimize]
 *       One FTS5 table, tokenize='unicode61 remove_diacritics 2', columns title and body
 *       (indexed) and url, source, published (stored, UNINDEXED), one transaction per N rows
 *       (10,000). FTS5 reads NFD text correctly (remove_diacritics drops combining marks too);
 *       it does not fold đ to d (U+0111 has no decomposition), the one known difference from
 *       timtin's folding. Ranking is configured as bm25(2.0, 1.0): title weighted over body,
 *       like the title wdf of the Xapian column. --optimize merges the index into one b-tree
 *       at the end (off by default: not what an index that keeps growing does).
 *   bench_fts5 query DB QUERIES.tsv [--limit N] [--no-d-check]
 *       For each query: translate timtin syntax to an FTS5 MATCH expression (every word and
 *       phrase quoted, so FTS5 tokenizes it like the documents; space -> AND, OR -> OR), run
 *       it once to warm, then time the top hits ordered by rank (with url, title and body, the
 *       data a result page needs) plus SELECT count(*) for the exact count.
 *       Prints one JSON line per query, as bench_xapian does. For the fairness check it then
 *       counts (untimed) the variant where d and đ match each other; when that count differs
 *       from total it is printed as total_dd. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "timtin/article.h"
#include "timtin/errors.h"
#include "tools/benchmarks/bench_common.h"

static int usage(void)
{
  fprintf(stderr, "usage: bench_fts5 index DB INPUT [--batch N] [--optimize]\n"
                  "       bench_fts5 query DB QUERIES.tsv [--limit N] [--no-d-check]\n");
  return 2;
}

static int sql_fail(sqlite3 *db, const char *what)
{
  fprintf(stderr, "bench_fts5: %s: %s\n", what, db ? sqlite3_errmsg(db) : "cannot open");
  return 1;
}

static int exec(sqlite3 *db, const char *sql)
{
  char *err = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
    fprintf(stderr, "bench_fts5: %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    return 1;
  }
  return 0;
}

static int cmd_index(const char *path, const char *input, int argc, char **argv)
{
  long batch = 10000;
  int optimize = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--batch") && i + 1 < argc) batch = atol(argv[++i]);
    else if (!strcmp(argv[i], "--optimize")) optimize = 1;
    else return usage();
  }
  if (batch < 1) batch = 1;
  double t0 = bench_now();
  remove(path); /* create-or-overwrite, like the other engines */
  sqlite3 *db = NULL;
  sqlite3_stmt *ins = NULL;
  tt_article_reader *rd = NULL;
  int rc = 1;
  uint64_t docs = 0, bad = 0;
  if (sqlite3_open(path, &db) != SQLITE_OK) { sql_fail(db, path); goto done; }
  if (exec(db, "CREATE VIRTUAL TABLE docs USING fts5(title, body, url UNINDEXED, "
               "source UNINDEXED, published UNINDEXED, "
               "tokenize='unicode61 remove_diacritics 2')") ||
      exec(db, "INSERT INTO docs(docs, rank) VALUES('rank', 'bm25(2.0, 1.0)')"))
    goto done;
  if (sqlite3_prepare_v2(db, "INSERT INTO docs(title, body, url, source, published) "
                             "VALUES(?1, ?2, ?3, ?4, ?5)", -1, &ins, NULL) != SQLITE_OK) {
    sql_fail(db, "prepare insert");
    goto done;
  }
  if (tt_article_reader_open(&rd, input)) {
    fprintf(stderr, "bench_fts5: %s\n", tt_error_last());
    goto done;
  }
  if (exec(db, "BEGIN")) goto done;
  for (;;) {
    tt_article a;
    int r = tt_article_reader_next(rd, &a);
    if (r == TT_ITEROVER) break;
    if (r == TT_EINVAL) {
      bad++;
      fprintf(stderr, "bench_fts5: skipped: %s\n", tt_error_last());
      continue;
    }
    if (r) { fprintf(stderr, "bench_fts5: %s\n", tt_error_last()); goto done; }
    char date[40] = "";
    if (a.published != TT_DATE_UNKNOWN) tt_format_date(a.published, date, sizeof date);
    sqlite3_bind_text(ins, 1, a.title, (int)a.title_len, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, a.body, (int)a.body_len, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, a.url, (int)a.url_len, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, a.source, (int)a.source_len, SQLITE_STATIC);
    sqlite3_bind_text(ins, 5, date, -1, SQLITE_STATIC);
    if (sqlite3_step(ins) != SQLITE_DONE) { sql_fail(db, "insert"); goto done; }
    sqlite3_reset(ins);
    docs++;
    if (docs % (uint64_t)batch == 0 && (exec(db, "COMMIT") || exec(db, "BEGIN"))) goto done;
  }
  if (exec(db, "COMMIT")) goto done;
  if (optimize && exec(db, "INSERT INTO docs(docs) VALUES('optimize')")) goto done;
  {
    uint64_t bytes = tt_article_reader_offset(rd);
    sqlite3_finalize(ins);
    ins = NULL;
    if (sqlite3_close(db) != SQLITE_OK) { sql_fail(db, "close"); goto done; }
    db = NULL;
    printf("{\"engine\":\"fts5\",\"docs\":%" PRIu64 ",\"bad_records\":%" PRIu64
           ",\"bytes_in\":%" PRIu64 ",\"seconds\":%.3f,\"batch\":%ld,\"optimize\":%s,"
           "\"sqlite\":\"%s\"}\n",
           docs, bad, bytes, bench_now() - t0, batch, optimize ? "true" : "false",
           sqlite3_libversion());
  }
  rc = 0;
done:
  sqlite3_finalize(ins);
  sqlite3_close(db);
  tt_article_reader_close(rd);
  return rc;
}

/* ---------------------------------------------------------------------------------------- */

/* Append text as an FTS5 string: "..." with " doubled. FTS5 tokenizes a string with the
 * table's tokenizer, so a quoted phrase is a phrase and a quoted code ("72-NQ/TW") is the
 * phrase of its pieces. */
static int put_string(tt_buf *b, const char *s)
{
  if (tt_buf_putc(b, '"')) return -1;
  for (; *s; s++)
    if ((*s == '"' && tt_buf_putc(b, '"')) || tt_buf_putc(b, *s)) return -1;
  return tt_buf_putc(b, '"');
}

static int to_fts5(tt_buf *b, const bq_node *q)
{
  if (q->kind == BQ_WORD || q->kind == BQ_PHRASE) return put_string(b, q->text);
  if (tt_buf_putc(b, '(')) return -1;
  for (size_t i = 0; i < q->n; i++) {
    if (i && tt_buf_puts(b, q->kind == BQ_AND ? " AND " : " OR ")) return -1;
    if (to_fts5(b, q->kids[i])) return -1;
  }
  return tt_buf_putc(b, ')');
}

/* The fairness check's variant: every syllable that starts with d or đ matches both, as
 * timtin's folding does (FTS5's unicode61 folds every diacritic but keeps đ apart from d). A
 * leaf with k such syllables becomes the OR of its 2^k spellings (k capped at 6). Not timed:
 * its count only tells whether a difference in counts comes from đ alone. */
static int put_leaf_dd(tt_buf *b, const char *text)
{
  const char *syl[32];
  size_t len[32], n = 0, nd = 0;
  int isd[32];
  for (const char *p = text; *p && n < 32;) {
    while (*p == ' ') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != ' ') e++;
    syl[n] = p;
    len[n] = (size_t)(e - p);
    const unsigned char *u = (const unsigned char *)p;
    int dd = u[0] == 'd' || u[0] == 'D' || (u[0] == 0xC4 && (u[1] == 0x90 || u[1] == 0x91));
    isd[n] = dd && nd < 6;
    nd += (size_t)isd[n];
    n++;
    p = e;
  }
  if (nd == 0) return put_string(b, text);
  if (tt_buf_putc(b, '(')) return -1;
  for (unsigned mask = 0; mask < (1u << nd); mask++) {
    if (mask && tt_buf_puts(b, " OR ")) return -1;
    if (tt_buf_putc(b, '"')) return -1;
    unsigned bit = 0;
    for (size_t i = 0; i < n; i++) {
      if (i && tt_buf_putc(b, ' ')) return -1;
      const char *w = syl[i];
      size_t l = len[i];
      if (isd[i]) {
        size_t skip = (*w == 'd' || *w == 'D') ? 1 : 2;
        if (tt_buf_puts(b, (mask >> bit++) & 1 ? "\xC4\x91" : "d")) return -1;
        w += skip;
        l -= skip;
      }
      for (size_t k = 0; k < l; k++)
        if ((w[k] == '"' && tt_buf_putc(b, '"')) || tt_buf_putc(b, w[k])) return -1;
    }
    if (tt_buf_putc(b, '"')) return -1;
  }
  return tt_buf_putc(b, ')');
}

static int to_fts5_dd(tt_buf *b, const bq_node *q)
{
  if (q->kind == BQ_WORD || q->kind == BQ_PHRASE) return put_leaf_dd(b, q->text);
  if (tt_buf_putc(b, '(')) return -1;
  for (size_t i = 0; i < q->n; i++) {
    if (i && tt_buf_puts(b, q->kind == BQ_AND ? " AND " : " OR ")) return -1;
    if (to_fts5_dd(b, q->kids[i])) return -1;
  }
  return tt_buf_putc(b, ')');
}

typedef struct fts_stmts {
  sqlite3 *db;
  sqlite3_stmt *top, *count;
} fts_stmts;

static int run_one(fts_stmts *s, const bench_query *bq, tt_buf *m, long long *total, size_t *hits)
{
  const char *err = NULL;
  bq_node *tree = bq_parse(bq->text, &err);
  if (!tree) { fprintf(stderr, "bench_fts5: query \"%s\": %s\n", bq->text, err); return -1; }
  tt_buf_reset(m);
  int rc = to_fts5(m, tree);
  bq_free(tree);
  if (rc) return -1;
  *hits = 0;
  sqlite3_bind_text(s->top, 1, m->p, (int)m->n, SQLITE_STATIC);
  size_t sum = 0;
  while ((rc = sqlite3_step(s->top)) == SQLITE_ROW) {
    sum += (size_t)sqlite3_column_bytes(s->top, 2) + (size_t)sqlite3_column_bytes(s->top, 3);
    (*hits)++;
  }
  (void)sum;
  sqlite3_reset(s->top);
  if (rc != SQLITE_DONE) { sql_fail(s->db, m->p); return -1; }
  sqlite3_bind_text(s->count, 1, m->p, (int)m->n, SQLITE_STATIC);
  if (sqlite3_step(s->count) != SQLITE_ROW) {
    sql_fail(s->db, m->p);
    sqlite3_reset(s->count);
    return -1;
  }
  *total = sqlite3_column_int64(s->count, 0);
  sqlite3_reset(s->count);
  return 0;
}

/* Count of the d/đ variant (see put_leaf_dd), or -1. */
static long long count_dd(fts_stmts *s, const bench_query *bq, tt_buf *m)
{
  bq_node *tree = bq_parse(bq->text, NULL);
  if (!tree) return -1;
  tt_buf_reset(m);
  int rc = to_fts5_dd(m, tree);
  bq_free(tree);
  if (rc) return -1;
  long long n = -1;
  sqlite3_bind_text(s->count, 1, m->p, (int)m->n, SQLITE_STATIC);
  if (sqlite3_step(s->count) == SQLITE_ROW) n = sqlite3_column_int64(s->count, 0);
  sqlite3_reset(s->count);
  return n;
}

static int cmd_query(const char *path, const char *qfile, int argc, char **argv)
{
  int limit = 10, check_d = 1;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--limit") && i + 1 < argc) limit = atoi(argv[++i]);
    else if (!strcmp(argv[i], "--no-d-check")) check_d = 0;
    else return usage();
  }
  bench_query *qs = NULL;
  size_t nq = 0;
  if (bench_read_queries(qfile, &qs, &nq)) return 1;
  fts_stmts s = {NULL, NULL, NULL};
  tt_buf m = TT_BUF_INIT;
  int rc = 1;
  char sql[256];
  if (sqlite3_open_v2(path, &s.db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sql_fail(s.db, path);
    goto done;
  }
  snprintf(sql, sizeof sql,
           "SELECT rowid, url, title, body FROM docs WHERE docs MATCH ?1 ORDER BY rank LIMIT %d",
           limit);
  if (sqlite3_prepare_v2(s.db, sql, -1, &s.top, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(s.db, "SELECT count(*) FROM docs WHERE docs MATCH ?1", -1, &s.count,
                         NULL) != SQLITE_OK) {
    sql_fail(s.db, "prepare");
    goto done;
  }
  for (size_t i = 0; i < nq; i++) {
    long long total = -1;
    size_t hits = 0;
    if (run_one(&s, &qs[i], &m, &total, &hits)) { /* warm */
      bench_print_result(stdout, "fts5", &qs[i], -1, 0, 0, 0);
      continue;
    }
    double t0 = bench_now();
    run_one(&s, &qs[i], &m, &total, &hits);
    double us = (bench_now() - t0) * 1e6;
    char extra[64] = "";
    if (check_d) {
      long long dd = count_dd(&s, &qs[i], &m);
      if (dd != total) snprintf(extra, sizeof extra, ",\"total_dd\":%lld", dd);
    }
    bench_print_result_ex(stdout, "fts5", &qs[i], total, 1, hits, us, extra);
  }
  rc = 0;
done:
  sqlite3_finalize(s.top);
  sqlite3_finalize(s.count);
  sqlite3_close(s.db);
  tt_buf_fini(&m);
  bench_free_queries(qs, nq);
  return rc;
}

int main(int argc, char **argv)
{
  if (argc < 4) return usage();
  if (!strcmp(argv[1], "index")) return cmd_index(argv[2], argv[3], argc - 4, argv + 4);
  if (!strcmp(argv[1], "query")) return cmd_query(argv[2], argv[3], argc - 4, argv + 4);
  return usage();
}
