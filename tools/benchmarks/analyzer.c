/* bench_analyzer: the analyzer against the floor of merely splitting the same bytes.
 *
 *   bench_analyzer [--runs N] FILE...     (.jsonl, .txt, anything)
 *
 * Reads the files into memory (concatenated), then measures, single-threaded, best of N runs
 * (default 3), timed in thread CPU time (wall time on a shared machine measures the neighbours):
 *   floor     split the bytes on ASCII whitespace and count the tokens (the loop of bench_floor,
 *             in memory);
 *   split     for context: what any tokenizer must at least do, line by line as the analyzer
 *             is called: split on ASCII whitespace and record each token's start and end in an
 *             array (the floor only counts, without a branch per token);
 *   analyzer  tt_analyze over the same bytes, one call per line (a JSONL line is analyzed raw:
 *             keys, quotes and escapes included, as the analyzer does not parse JSON; a .txt
 *             line is a paragraph).
 * Prints the rates in MB/s, the ratio floor/analyzer, and one JSON line for tools/bench. */
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timtin/analyze.h"
#include "timtin/errors.h"
#include "tools/benchmarks/bench_common.h"

/* Thread CPU time: on a shared machine, wall time mostly measures the neighbours. */
static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned char *slurp(int nfiles, char **files, size_t *len)
{
  size_t cap = 1 << 20, n = 0;
  unsigned char *p = malloc(cap);
  if (!p) return NULL;
  for (int i = 0; i < nfiles; i++) {
    FILE *f = fopen(files[i], "rb");
    if (!f) { perror(files[i]); free(p); return NULL; }
    for (;;) {
      if (cap - n < (1 << 16)) {
        unsigned char *q = realloc(p, cap *= 2);
        if (!q) { fclose(f); free(p); return NULL; }
        p = q;
      }
      size_t k = fread(p + n, 1, cap - n, f);
      n += k;
      if (k == 0) break;
    }
    int err = ferror(f);
    fclose(f);
    if (err) { fprintf(stderr, "bench_analyzer: %s: read error\n", files[i]); free(p); return NULL; }
    if (n && p[n - 1] != '\n') p[n++] = '\n';  /* files do not run into each other */
  }
  *len = n;
  return p;
}

/* The floor: a token starts at every non-separator that follows a separator. */
static uint64_t floor_run(const unsigned char *p, size_t n)
{
  static unsigned char sep[256];
  sep[' '] = sep['\t'] = sep['\n'] = sep['\r'] = sep['\f'] = sep['\v'] = 1;
  uint64_t tokens = 0;
  int in_sep = 1;
  for (size_t i = 0; i < n; i++) {
    int s = sep[p[i]];
    tokens += (uint64_t)(in_sep & !s);
    in_sep = s;
  }
  return tokens;
}

/* Split line by line and record [start, end) of every token. */
static uint64_t split_run(const unsigned char *p, size_t n, uint32_t *rec, size_t cap)
{
  static unsigned char sep[256];
  sep[' '] = sep['\t'] = sep['\n'] = sep['\r'] = sep['\f'] = sep['\v'] = 1;
  uint64_t tokens = 0;
  size_t i = 0;
  while (i < n) {
    const unsigned char *nl = memchr(p + i, '\n', n - i);
    size_t e = nl ? (size_t)(nl - p) : n, k = 0, j = i;
    while (j < e) {
      while (j < e && sep[p[j]]) j++;
      if (j >= e) break;
      size_t st = j;
      while (j < e && !sep[p[j]]) j++;
      if (k + 2 <= cap) { rec[k] = (uint32_t)(st - i); rec[k + 1] = (uint32_t)(j - i); k += 2; }
    }
    tokens += k / 2;
    i = e + 1;
  }
  return tokens;
}

static int analyzer_run(tt_analyzer *a, const unsigned char *p, size_t n, uint64_t *tokens,
                        uint64_t *dropped, uint64_t *invalid)
{
  *tokens = *dropped = *invalid = 0;
  size_t i = 0;
  while (i < n) {
    const unsigned char *nl = memchr(p + i, '\n', n - i);
    size_t e = nl ? (size_t)(nl - p) : n;
    tt_analysis r;
    int rc = tt_analyze(a, (const char *)p + i, e - i, 0, &r);
    if (rc) return rc;
    *tokens += r.n;
    *dropped += r.dropped;
    *invalid += r.invalid_utf8;
    i = e + 1;
  }
  return 0;
}

int main(int argc, char **argv)
{
  int runs = 3, i = 1;
  if (i + 1 < argc && !strcmp(argv[i], "--runs")) { runs = atoi(argv[i + 1]); i += 2; }
  if (i >= argc || runs < 1) {
    fprintf(stderr, "usage: bench_analyzer [--runs N] FILE...\n");
    return 2;
  }
  size_t n;
  unsigned char *buf = slurp(argc - i, argv + i, &n);
  if (!buf) return 1;
  tt_analyzer *a;
  if (tt_analyzer_new(&a)) { fprintf(stderr, "bench_analyzer: %s\n", tt_error_last()); return 1; }

  double best_floor = 1e30, best_an = 1e30, best_split = 1e30;
  uint64_t ftok = 0, atok = 0, stok = 0, dropped = 0, invalid = 0;
  size_t reccap = 1 << 22;
  uint32_t *rec = malloc(reccap * sizeof *rec);
  if (!rec) return 1;
  for (int r = 0; r < runs; r++) {
    double ts = cpu_now();
    stok = split_run(buf, n, rec, reccap);
    double t0 = cpu_now();
    if (t0 - ts < best_split) best_split = t0 - ts;
    ftok = floor_run(buf, n);
    double t1 = cpu_now();
    if (analyzer_run(a, buf, n, &atok, &dropped, &invalid)) {
      fprintf(stderr, "bench_analyzer: %s\n", tt_error_last());
      return 1;
    }
    double t2 = cpu_now();
    if (t1 - t0 < best_floor) best_floor = t1 - t0;
    if (t2 - t1 < best_an) best_an = t2 - t1;
  }
  double mb = (double)n / 1e6;
  double floor_mbs = mb / best_floor, an_mbs = mb / best_an, split_mbs = mb / best_split;
  printf("input     %.1f MB, %d run(s), best of each\n", mb, runs);
  printf("floor     %8.1f MB/s  %" PRIu64 " whitespace tokens\n", floor_mbs, ftok);
  printf("split     %8.1f MB/s  %" PRIu64 " tokens recorded (start, end)\n", split_mbs, stok);
  printf("analyzer  %8.1f MB/s  %" PRIu64 " tokens, %" PRIu64 " junk chunks dropped, %" PRIu64
         " invalid UTF-8\n", an_mbs, atok, dropped, invalid);
  printf("ratio     %.2fx (floor / analyzer), %.2fx (split / analyzer)\n", floor_mbs / an_mbs,
         split_mbs / an_mbs);
  printf("{\"engine\":\"analyzer\",\"bytes_in\":%zu,\"floor_mb_per_s\":%.1f,\"mb_per_s\":%.1f,"
         "\"ratio\":%.2f,\"split_mb_per_s\":%.1f,\"tokens\":%" PRIu64 ",\"floor_tokens\":%" PRIu64 ",\"dropped\":%" PRIu64 "}\n",
         n, floor_mbs, an_mbs, floor_mbs / an_mbs, split_mbs, atok, ftok, dropped);
  tt_analyzer_free(a);
  free(rec);
  free(buf);
  return 0;
}
