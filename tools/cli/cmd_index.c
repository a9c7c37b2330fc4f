/* timtin index / delete / merge / stats / check: the index's commands. */
#include "tools/cli/cli.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <unistd.h>

#include "common/buf.h"
#include "timtin/crawl.h"
#include "timtin/timtin.h"
#include "timtin/index.h"

/* An input: article files through tt_article_reader, WARC files through the crawler's
 * extractor (tt_warc_articles), so `timtin index` takes crawl output directly. */
typedef struct input {
  tt_article_reader *r;
  tt_warc_articles *w;
  uint64_t size;
} input;

static int ends_with(const char *s, const char *suf)
{
  size_t n = strlen(s), m = strlen(suf);
  return n >= m && !strcmp(s + n - m, suf);
}

static int input_open(input *in, const char *path)
{
  memset(in, 0, sizeof *in);
  if (ends_with(path, ".warc.gz") || ends_with(path, ".warc")) {
    FILE *f = fopen(path, "rb");
    if (f) { fseek(f, 0, SEEK_END); long n = ftell(f); in->size = n > 0 ? (uint64_t)n : 0; fclose(f); }
    return tt_warc_articles_open(&in->w, path);
  }
  int rc = tt_article_reader_open(&in->r, path);
  if (!rc) in->size = tt_article_reader_size(in->r);
  return rc;
}

static int input_next(input *in, tt_article *a)
{
  if (in->w) {
    const char *dup;
    int rc = tt_warc_articles_next(in->w, a, &dup);
    return rc == TT_ECORRUPT ? TT_EINVAL : rc;  /* reported once, then the end */
  }
  return tt_article_reader_next(in->r, a);
}

static uint64_t input_offset(input *in) { return in->r ? tt_article_reader_offset(in->r) : 0; }

static void input_close(input *in)
{
  tt_article_reader_close(in->r);
  tt_warc_articles_close(in->w);
  memset(in, 0, sizeof *in);
}

static double now_s(void)
{
  struct timeval tv;
  gettimeofday(&tv, NULL);
  return tv.tv_sec + tv.tv_usec / 1e6;
}

/* Default index path: $TIMTIN_DB or ./timtin.db */
const char *tt_cli_default_db(void)
{
  const char *e = getenv("TIMTIN_DB");
  return e && *e ? e : "timtin.db";
}

static const char index_usage[] =
  "[--db DIR] [--memory MiB] [--threads N] [--no-merge] [--no-entities] INPUT...\n"
  "  INPUT: article JSONL (.jsonl, .jsonl.gz), a folder of .txt/.html/.jsonl files, WARC files\n"
  "         (.warc, .warc.gz, as `timtin crawl` writes them), or - for stdin\n"
  "  --db DIR      index directory (default $TIMTIN_DB or ./timtin.db)\n"
  "  --memory MiB  in-memory budget before a segment is flushed (default 256)\n"
  "  --threads N   analyzer threads (default: one per core)\n"
  "  --no-merge    do not run the merge policy after the commit\n"
  "  --no-entities skip entity recognition: these articles get no person:/hospital:/program:\n"
  "                terms and are not counted by `timtin entities` (stats reports them)";

int tt_cmd_index(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  tt_index_options opts = TT_INDEX_OPTIONS_INIT;
  int ninputs = 0;
  char **inputs = calloc((size_t)argc + 1, sizeof *inputs);
  if (!inputs) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { printf("usage: timtin index %s\n", index_usage); free(inputs); return 0; }
    if (!strcmp(a, "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(a, "--memory") && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 8 || v > 1 << 20) { free(inputs); return tt_cli_usage("index", index_usage, "--memory takes MiB from 8 to 1048576"); }
      opts.memory_budget = (size_t)v << 20;
    } else if (!strcmp(a, "--threads") && i + 1 < argc) {
      char *end;
      long v = strtol(argv[++i], &end, 10);
      if (*end || v < 0 || v > 256) { free(inputs); return tt_cli_usage("index", index_usage, "--threads takes 0 to 256"); }
      opts.threads = (int)v;
    } else if (!strcmp(a, "--no-merge")) opts.merge = 0;
    else if (!strcmp(a, "--no-entities")) opts.entities = 0;
    else if (a[0] == '-' && a[1]) { free(inputs); return tt_cli_usage("index", index_usage, "unknown option"); }
    else inputs[ninputs++] = argv[i];
  }
  if (!ninputs) { free(inputs); return tt_cli_usage("index", index_usage, "no INPUT given"); }

  tt_writer *w;
  if (tt_writer_open(&w, db, &opts)) { free(inputs); return tt_cli_fail(db); }
  int tty = isatty(2);
  double t0 = now_s(), last = 0;
  uint64_t articles = 0, skipped = 0, bytes_done = 0;
  int rc = 0;
  for (int k = 0; k < ninputs && !rc; k++) {
    input in;
    if (input_open(&in, inputs[k])) {
      fprintf(stderr, "timtin index: %s\n", tt_error_last());
      rc = 1;
      break;
    }
    uint64_t size = in.size;
    for (;;) {
      tt_article a;
      int e = input_next(&in, &a);
      if (e == TT_ITEROVER) break;
      if (e == TT_EINVAL) { fprintf(stderr, "timtin index: skipped: %s\n", tt_error_last()); skipped++; continue; }
      if (e) { fprintf(stderr, "timtin index: %s\n", tt_error_last()); rc = 1; break; }
      e = tt_writer_add(w, &a);
      if (e == TT_EINVAL) {
        fprintf(stderr, "timtin index: %s: skipped %.*s: %s\n", inputs[k], (int)(a.url_len > 200 ? 200 : a.url_len), a.url, tt_error_last());
        skipped++;
        continue;
      }
      if (e) { fprintf(stderr, "timtin index: %s\n", tt_error_last()); rc = 1; break; }
      articles++;
      if (tty && (articles & 255) == 0) {
        double t = now_s();
        if (t - last > 0.5) {
          last = t;
          uint64_t off = bytes_done + input_offset(&in);
          double mbs = off / 1e6 / (t - t0 + 1e-9);
          fprintf(stderr, "\r%llu articles  %.1f MB/s  %.0fs", (unsigned long long)articles, mbs, t - t0);
          if (size) {
            double left = (double)(size - input_offset(&in)) / 1e6 / (mbs > 0 ? mbs : 1);
            fprintf(stderr, "  ETA %.0fs  ", left);
          }
        }
      }
    }
    bytes_done += in.r ? input_offset(&in) : in.size;
    input_close(&in);
  }
  if (tty) fprintf(stderr, "\r\033[K");
  if (!rc && tt_writer_commit(w)) { tt_cli_fail("commit"); rc = 1; }
  tt_writer_counts c;
  tt_writer_counts_get(w, &c);
  tt_writer_close(w);
  double t = now_s() - t0;
  struct rusage ru;  /* peak resident set (anonymous + file-mapped pages), KiB on Linux */
  long peak_kib = getrusage(RUSAGE_SELF, &ru) ? 0 : ru.ru_maxrss;
  fprintf(stderr, "indexed %llu articles (%llu replaced, %llu skipped) from %.1f MB in %.2fs (%.1f MB/s), %llu segments flushed, %llu merges, peak RSS %ld MiB%s\n",
          (unsigned long long)articles, (unsigned long long)c.replaced, (unsigned long long)skipped,
          bytes_done / 1e6, t, bytes_done / 1e6 / (t > 0 ? t : 1), (unsigned long long)c.flushed_segments,
          (unsigned long long)c.merges, (peak_kib + 1023) / 1024, rc ? " — NOT COMMITTED" : "");
  free(inputs);
  return rc;
}

int tt_cmd_delete(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  const char *usage = "[--db DIR] URL...";
  int n = 0, missing = 0;
  tt_writer *w = NULL;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) { db = argv[++i]; continue; }
    if (!strcmp(argv[i], "--help")) { printf("usage: timtin delete %s\n", usage); return 0; }
    if (!w && tt_writer_open(&w, db, NULL)) return tt_cli_fail(db);
    int rc = tt_writer_delete(w, argv[i], strlen(argv[i]));
    if (rc == TT_ENOTFOUND) { fprintf(stderr, "timtin delete: not found: %s\n", argv[i]); missing++; }
    else if (rc) { tt_writer_close(w); return tt_cli_fail("delete"); }
    else n++;
  }
  if (!w) return tt_cli_usage("delete", usage, "no URL given");
  if (tt_writer_commit(w)) { tt_writer_close(w); return tt_cli_fail("commit"); }
  tt_writer_close(w);
  printf("deleted %d article%s\n", n, n == 1 ? "" : "s");
  return missing ? 1 : 0;
}

int tt_cmd_merge(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(argv[i], "--help")) { printf("usage: timtin merge [--db DIR]\n"); return 0; }
    else return tt_cli_usage("merge", "[--db DIR]", "unknown option");
  }
  tt_writer *w;
  if (tt_writer_open(&w, db, NULL)) return tt_cli_fail(db);
  double t0 = now_s();
  if (tt_writer_merge(w, 1)) { tt_writer_close(w); return tt_cli_fail("merge"); }
  tt_writer_close(w);
  printf("merged into one segment in %.2fs\n", now_s() - t0);
  return 0;
}

int tt_cmd_stats(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  int json = 0;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(argv[i], "--json")) json = 1;
    else if (!strcmp(argv[i], "--help")) { printf("usage: timtin stats [--db DIR] [--json]\n"); return 0; }
    else return tt_cli_usage("stats", "[--db DIR] [--json]", "unknown option");
  }
  tt_reader *r;
  if (tt_reader_open(&r, db, 0)) return tt_cli_fail(db);
  tt_index_stats s;
  if (tt_reader_stats(r, &s)) { tt_reader_close(r); return tt_cli_fail("stats"); }
  tt_reader_close(r);
  if (json) {
    printf("{\"docs\":%llu,\"deleted\":%llu,\"terms\":%llu,\"segments\":%u,\"generation\":%llu,"
           "\"no_entities\":%llu,\"bytes\":{\"dict\":%llu,\"postings\":%llu,\"docstore\":%llu,\"doctable\":%llu,\"deletes\":%llu,\"total\":%llu}}\n",
           (unsigned long long)s.docs, (unsigned long long)s.deleted, (unsigned long long)s.terms, s.segments,
           (unsigned long long)s.generation, (unsigned long long)s.no_entities, (unsigned long long)s.bytes_dict, (unsigned long long)s.bytes_postings,
           (unsigned long long)s.bytes_docstore, (unsigned long long)s.bytes_doctable,
           (unsigned long long)s.bytes_deletes, (unsigned long long)s.bytes_total);
  } else {
    printf("index       %s (commit %llu)\n", db, (unsigned long long)s.generation);
    printf("articles    %llu live, %llu deleted\n", (unsigned long long)s.docs, (unsigned long long)s.deleted);
    printf("terms       %llu (summed over segments)\n", (unsigned long long)s.terms);
    if (s.no_entities)
      printf("entities    not recognized in %llu live articles (indexed with --no-entities)\n",
             (unsigned long long)s.no_entities);
    printf("segments    %u\n", s.segments);
    printf("bytes       %.2f MB total: dictionary %.2f, postings %.2f, document store %.2f, doc table %.2f, deletes %.3f\n",
           s.bytes_total / 1e6, s.bytes_dict / 1e6, s.bytes_postings / 1e6, s.bytes_docstore / 1e6,
           s.bytes_doctable / 1e6, s.bytes_deletes / 1e6);
  }
  return 0;
}

int tt_cmd_check(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(argv[i], "--help")) { printf("usage: timtin check [--db DIR]\n"); return 0; }
    else return tt_cli_usage("check", "[--db DIR]", "unknown option");
  }
  if (tt_index_check(db)) {
    fprintf(stderr, "timtin check: FAILED: %s\n", tt_error_last());
    return 1;
  }
  printf("%s: ok\n", db);
  return 0;
}
