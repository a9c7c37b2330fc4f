/* bench_xapian: the Xapian column of the benchmark (tools/bench), through the shim.
 *
 *   bench_xapian index DB INPUT [--flush N] [--title-weight W] [--no-sync]
 *       Read articles (tt_article_reader: JSONL, JSONL.gz, folders), analyze title and body with
 *       tt_analyze, write them by the shim's term scheme (include/timtin/xapian.h), replacing by
 *       URL, and commit. Prints one JSON summary line on stdout.
 *   bench_xapian query DB QUERIES.tsv [--k1 X] [--b X] [--limit N] [--no-exact-bonus]
 *       For each query (class<TAB>query, timtin syntax): run it once to warm, then time it.
 *       Prints one JSON line per query: engine, class, query, total (exact), hits, took_us.
 *
 * What is timed per query: analysing the query text, building the Xapian query, the search
 * with BM25 (k1, b as given), an exact match count (check_at_least = doccount), and reading
 * the document data of the top hits — the work a search front end does.
 *
 * Query mapping: a word's syllables become their folded terms (so matching ignores
 * diacritics, as timtin's does); a word that the analyzer splits into several tokens, and a
 * quoted phrase, become OP_PHRASE; space is OP_AND and OR is OP_OR. Syllables typed with
 * diacritics add their "E" exact terms under OP_AND_MAYBE: they change the ranking (the
 * exact-diacritic bonus of the design) but never the match set. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "timtin/analyze.h"
#include "timtin/article.h"
#include "timtin/errors.h"
#include "timtin/xapian.h"
#include "tools/benchmarks/bench_common.h"

#define BODY_GAP 100 /* positions between the title's last token and the body's first */

static int usage(void)
{
  fprintf(stderr,
          "usage: bench_xapian index DB INPUT [--flush N] [--title-weight W] [--no-sync] [--add]\n"
          "       bench_xapian query DB QUERIES.tsv [--k1 X] [--b X] [--limit N] "
          "[--no-exact-bonus]\n");
  return 2;
}

static int fail(const char *what)
{
  fprintf(stderr, "bench_xapian: %s: %s\n", what, tt_error_last());
  return 1;
}

/* ---------------------------------------------------------------------------------------- */

static int cmd_index(const char *db, const char *input, int argc, char **argv)
{
  tt_xap_writer_options wo = TT_XAP_WRITER_OPTIONS_INIT;
  wo.flush_threshold = 50000; /* raised from Xapian's 10000, as for bulk loads; see docs */
  unsigned title_weight = 2;
  int add_only = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--flush") && i + 1 < argc) wo.flush_threshold = (uint32_t)atol(argv[++i]);
    else if (!strcmp(argv[i], "--title-weight") && i + 1 < argc) title_weight = (unsigned)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--no-sync")) wo.no_sync = 1;
    else if (!strcmp(argv[i], "--add")) add_only = 1;
    else return usage();
  }
  double t0 = bench_now();
  tt_article_reader *rd = NULL;
  tt_analyzer *an = NULL;
  tt_xap_writer *w = NULL;
  tt_xap_doc *doc = NULL;
  tt_buf data = TT_BUF_INIT;
  int rc = 1;
  uint64_t docs = 0, bad = 0, tokens = 0, skipped = 0;

  if (tt_article_reader_open(&rd, input)) { fail(input); goto done; }
  if (tt_analyzer_new(&an)) { fail("analyzer"); goto done; }
  if (tt_xap_writer_open(&w, db, &wo)) { fail(db); goto done; }
  if (tt_xap_doc_new(&doc)) { fail("document"); goto done; }

  for (;;) {
    tt_article a;
    int r = tt_article_reader_next(rd, &a);
    if (r == TT_ITEROVER) break;
    if (r == TT_EINVAL) {
      bad++;
      fprintf(stderr, "bench_xapian: skipped: %s\n", tt_error_last());
      continue;
    }
    if (r) { fail(input); goto done; }

    tt_xap_doc_reset(doc);
    tt_analysis an_out;
    uint32_t body_pos = 0;
    if (tt_analyze(an, a.title, a.title_len, 0, &an_out)) { fail("analyze title"); goto done; }
    if (an_out.n) body_pos = an_out.tokens[an_out.n - 1].pos + 1 + BODY_GAP;
    tokens += an_out.n;
    int s = tt_xap_doc_add_tokens(doc, an_out.tokens, an_out.n, TT_XAP_FIELD_TITLE, title_weight);
    if (s < 0) { fail("index title"); goto done; }
    skipped += (uint64_t)s;
    if (tt_analyze(an, a.body, a.body_len, body_pos, &an_out)) { fail("analyze body"); goto done; }
    tokens += an_out.n;
    s = tt_xap_doc_add_tokens(doc, an_out.tokens, an_out.n, TT_XAP_FIELD_BODY, 1);
    if (s < 0) { fail("index body"); goto done; }
    skipped += (uint64_t)s;

    /* Stored data: what a result page needs (metadata and the text for snippets). */
    tt_buf_reset(&data);
    char date[40] = "";
    if (a.published != TT_DATE_UNKNOWN) tt_format_date(a.published, date, sizeof date);
    if (tt_buf_puts(&data, "{\"url\":") || tt_buf_json_string(&data, a.url, a.url_len) ||
        tt_buf_puts(&data, ",\"title\":") || tt_buf_json_string(&data, a.title, a.title_len) ||
        tt_buf_puts(&data, ",\"source\":") || tt_buf_json_string(&data, a.source, a.source_len) ||
        tt_buf_printf(&data, ",\"published\":\"%s\",\"body\":", date) ||
        tt_buf_json_string(&data, a.body, a.body_len) || tt_buf_putc(&data, '}')) {
      fail("data");
      goto done;
    }
    if (tt_xap_doc_set_data(doc, data.p, data.n) || tt_xap_doc_set_id(doc, a.url, a.url_len) ||
        (a.published != TT_DATE_UNKNOWN &&
         tt_xap_doc_add_value_number(doc, TT_XAP_SLOT_DATE, (double)a.published)) ||
        (add_only ? tt_xap_writer_add(w, doc, NULL) : tt_xap_writer_replace(w, doc, NULL))) {
      fail("add document");
      goto done;
    }
    docs++;
  }
  {
    uint64_t bytes = tt_article_reader_offset(rd);
    if (tt_xap_writer_commit(w)) { fail("commit"); goto done; }
    int crc = tt_xap_writer_close(w);
    w = NULL;
    if (crc) { fail("close"); goto done; }
    double secs = bench_now() - t0;
    printf("{\"engine\":\"xapian\",\"docs\":%" PRIu64 ",\"bad_records\":%" PRIu64
           ",\"tokens\":%" PRIu64 ",\"terms_skipped\":%" PRIu64 ",\"bytes_in\":%" PRIu64
           ",\"seconds\":%.3f,\"flush_threshold\":%u,\"title_weight\":%u,\"xapian\":\"%s\"}\n",
           docs, bad, tokens, skipped, bytes, secs, (unsigned)wo.flush_threshold, title_weight,
           tt_xap_version());
  }
  rc = 0;
done:
  tt_xap_writer_close(w);
  tt_xap_doc_free(doc);
  tt_analyzer_free(an);
  tt_article_reader_close(rd);
  tt_buf_fini(&data);
  return rc;
}

/* ---------------------------------------------------------------------------------------- */

typedef struct qbuild {
  tt_analyzer *an;
  tt_xap_query **bonus; /* E terms of syllables typed with diacritics */
  size_t nbonus, capbonus;
  uint32_t qpos;        /* query position counter */
} qbuild;

static int push_bonus(qbuild *b, tt_xap_query *q)
{
  if (b->nbonus == b->capbonus) {
    size_t cap = b->capbonus ? b->capbonus * 2 : 8;
    tt_xap_query **v = realloc(b->bonus, cap * sizeof *v);
    if (!v) { tt_xap_query_free(q); return tt_error_set(TT_ENOMEM, "out of memory"); }
    b->bonus = v;
    b->capbonus = cap;
  }
  b->bonus[b->nbonus++] = q;
  return 0;
}

static void free_list(tt_xap_query **v, size_t n)
{
  for (size_t i = 0; i < n; i++) tt_xap_query_free(v[i]);
}

/* Text (a word or a phrase) -> its syllables' folded terms, as one term or an OP_PHRASE.
 * *out = NULL when the text has no token. */
static int build_text(qbuild *b, const char *text, tt_xap_query **out)
{
  *out = NULL;
  tt_analysis a;
  int arc = tt_analyze(b->an, text, strlen(text), 0, &a);
  if (arc) return arc;
  if (a.n == 0) return 0;
  tt_xap_query *leaf[64];
  size_t n = a.n < 64 ? a.n : 64;
  int rc = 0;
  size_t k = 0;
  for (; k < n; k++) {
    const tt_token *t = &a.tokens[k];
    rc = tt_xap_query_term(&leaf[k], t->folded, t->folded_len, 1, ++b->qpos);
    if (rc) break;
    if (t->flags & TT_TOKEN_FOLDED) {
      char e[TT_XAP_MAX_TERM + 1];
      if (t->exact_len + 1 <= TT_XAP_MAX_TERM) {
        e[0] = TT_XAP_PREFIX_EXACT[0];
        memcpy(e + 1, t->exact, t->exact_len);
        tt_xap_query *eq;
        rc = tt_xap_query_term(&eq, e, t->exact_len + 1, 1, b->qpos);
        if (!rc) rc = push_bonus(b, eq);
        if (rc) { k++; break; }
      }
    }
  }
  if (!rc) {
    if (n == 1) { *out = leaf[0]; return 0; }
    rc = tt_xap_query_combine(out, TT_XAP_OP_PHRASE, leaf, n, 0);
  }
  free_list(leaf, k);
  return rc;
}

static int build_node(qbuild *b, const bq_node *q, tt_xap_query **out)
{
  *out = NULL;
  if (q->kind == BQ_WORD || q->kind == BQ_PHRASE) return build_text(b, q->text, out);
  tt_xap_query **kids = calloc(q->n, sizeof *kids);
  if (!kids) return tt_error_set(TT_ENOMEM, "out of memory");
  size_t k = 0;
  int rc = 0;
  for (size_t i = 0; i < q->n && !rc; i++) {
    tt_xap_query *c;
    rc = build_node(b, q->kids[i], &c);
    if (!rc && c) kids[k++] = c;
  }
  if (!rc && k == 1) { *out = kids[0]; k = 0; }
  else if (!rc && k > 1)
    rc = tt_xap_query_combine(out, q->kind == BQ_AND ? TT_XAP_OP_AND : TT_XAP_OP_OR, kids, k, 0);
  free_list(kids, k);
  free(kids);
  return rc;
}

/* The whole query: the match tree, AND_MAYBE the exact-form bonus. */
static int build_query(tt_analyzer *an, const bq_node *tree, int exact_bonus, tt_xap_query **out)
{
  qbuild b = {an, NULL, 0, 0, 0};
  tt_xap_query *main = NULL;
  int rc = build_node(&b, tree, &main);
  if (!rc && !main) rc = tt_error_set(TT_ESYNTAX, "query has no searchable token");
  if (!rc && exact_bonus && b.nbonus) {
    tt_xap_query *bonus = NULL, *pair[2];
    rc = b.nbonus == 1 ? 0 : tt_xap_query_combine(&bonus, TT_XAP_OP_OR, b.bonus, b.nbonus, 0);
    if (!rc) {
      pair[0] = main;
      pair[1] = bonus ? bonus : b.bonus[0];
      rc = tt_xap_query_combine(out, TT_XAP_OP_AND_MAYBE, pair, 2, 0);
    }
    tt_xap_query_free(bonus);
    tt_xap_query_free(main);
  } else if (!rc) {
    *out = main;
  } else {
    tt_xap_query_free(main);
  }
  free_list(b.bonus, b.nbonus);
  free(b.bonus);
  return rc;
}

static int run_one(tt_xap_reader *r, tt_analyzer *an, const bench_query *bq,
                   const tt_xap_search_options *so, int exact_bonus, long long *total,
                   int *exact, size_t *hits)
{
  const char *err = NULL;
  bq_node *tree = bq_parse(bq->text, &err);
  if (!tree) return tt_error_set(TT_ESYNTAX, "query \"%s\": %s", bq->text, err);
  tt_xap_query *q = NULL;
  int rc = build_query(an, tree, exact_bonus, &q);
  bq_free(tree);
  if (rc) return rc;
  tt_xap_results *res = NULL;
  rc = tt_xap_search(&res, r, q, so);
  tt_xap_query_free(q);
  if (rc) return rc;
  uint64_t est;
  *exact = tt_xap_results_count(res, NULL, &est, NULL);
  *total = (long long)est;
  *hits = tt_xap_results_size(res);
  /* touch the data, as a front end would */
  size_t sum = 0;
  for (size_t i = 0; i < *hits; i++) {
    tt_xap_hit h;
    if (tt_xap_results_hit(res, i, &h) == 0) sum += h.data_len;
  }
  (void)sum;
  tt_xap_results_free(res);
  return 0;
}

static int cmd_query(const char *db, const char *qfile, int argc, char **argv)
{
  tt_xap_search_options so = TT_XAP_SEARCH_OPTIONS_INIT;
  so.flags |= TT_XAP_SEARCH_EXACT_COUNT;
  int exact_bonus = 1;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--k1") && i + 1 < argc) so.k1 = atof(argv[++i]);
    else if (!strcmp(argv[i], "--b") && i + 1 < argc) so.b = atof(argv[++i]);
    else if (!strcmp(argv[i], "--limit") && i + 1 < argc) so.limit = (uint32_t)atoi(argv[++i]);
    else if (!strcmp(argv[i], "--no-exact-bonus")) exact_bonus = 0;
    else return usage();
  }
  bench_query *qs = NULL;
  size_t nq = 0;
  if (bench_read_queries(qfile, &qs, &nq)) return 1;
  tt_xap_reader *r = NULL;
  tt_analyzer *an = NULL;
  int rc = 1;
  if (tt_xap_reader_open(&r, &db, 1)) { fail(db); goto done; }
  if (tt_analyzer_new(&an)) { fail("analyzer"); goto done; }
  for (size_t i = 0; i < nq; i++) {
    long long total;
    int exact;
    size_t hits;
    if (run_one(r, an, &qs[i], &so, exact_bonus, &total, &exact, &hits)) { /* warm */
      fprintf(stderr, "bench_xapian: %s\n", tt_error_last());
      bench_print_result(stdout, "xapian", &qs[i], -1, 0, 0, 0);
      continue;
    }
    double t0 = bench_now();
    run_one(r, an, &qs[i], &so, exact_bonus, &total, &exact, &hits);
    double us = (bench_now() - t0) * 1e6;
    bench_print_result(stdout, "xapian", &qs[i], total, exact, hits, us);
  }
  rc = 0;
done:
  tt_analyzer_free(an);
  tt_xap_reader_close(r);
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
