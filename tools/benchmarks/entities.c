/* bench_entities: quality and speed of the entity recognizer (text/entities.c).
 *
 *   bench_entities eval LABELS.tsv [ROOT]     precision/recall per type against hand labels
 *                                             (strict: span + type + canonical; lenient:
 *                                             overlapping span + type); FP/FN lines on stderr
 *   bench_entities dump LABELS.tsv [ROOT]     every predicted mention in label format (stdout)
 *   bench_entities speed [--runs N] FILE.jsonl  tt_analyze alone vs. tt_analyze + entities,
 *                                             title and body of each article, CPU time
 * ROOT defaults to "." (the paths in the label files are relative to the repository).
 * Prints one JSON line at the end for tools/bench. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "common/json.h"
#include "text/entities_eval.h"
#include "timtin/analyze.h"
#include "timtin/entities.h"
#include "timtin/errors.h"

static double cpu_now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static const char *const tname[4] = {"all", "person", "hospital", "program"};

static int eval(const char *labels, const char *root, int dump)
{
  tt_ent_score s;
  int rc = tt_entities__eval(labels, root, dump ? stdout : stderr, dump, &s);
  if (rc) { fprintf(stderr, "bench_entities: %s\n", tt_error_last()); return 1; }
  if (dump) return 0;
  printf("%-9s %5s %5s %5s  %6s %6s   %6s %6s (lenient)\n", "type", "tp", "fp", "fn", "P", "R", "P", "R");
  for (int t = 1; t <= 3; t++)
    printf("%-9s %5zu %5zu %5zu  %6.3f %6.3f   %6.3f %6.3f\n", tname[t], s.tp[t], s.fp[t], s.fn[t],
           tt_entities__precision(&s, t, 0), tt_entities__recall(&s, t, 0),
           tt_entities__precision(&s, t, 1), tt_entities__recall(&s, t, 1));
  printf("%-9s %5zu %5zu %5zu  %6.3f %6.3f   %6.3f %6.3f\n", "all", s.tp[0], s.fp[0], s.fn[0],
         tt_entities__precision(&s, 0, 0), tt_entities__recall(&s, 0, 0),
         tt_entities__precision(&s, 0, 1), tt_entities__recall(&s, 0, 1));
  printf("{\"bench\":\"entities_eval\",\"labels\":\"%s\",\"precision\":%.4f,\"recall\":%.4f}\n", labels,
         tt_entities__precision(&s, 0, 0), tt_entities__recall(&s, 0, 0));
  return 0;
}

typedef struct doc { char *title, *body; size_t tl, bl; } doc;

static int speed(const char *path, int runs)
{
  FILE *f = fopen(path, "rb");
  if (!f) { perror(path); return 1; }
  tt_buf all = TT_BUF_INIT;
  char chunk[65536]; size_t k;
  while ((k = fread(chunk, 1, sizeof chunk, f)) > 0) tt_buf_append(&all, chunk, k);
  fclose(f);
  doc *d = NULL; size_t nd = 0, cap = 0, bytes = 0;
  tt_buf scratch = TT_BUF_INIT;
  static const char *const keys[] = {"title", "body"};
  for (char *line = all.p; line && line < all.p + all.n;) {
    char *nl = memchr(line, '\n', (size_t)(all.p + all.n - line));
    size_t ll = nl ? (size_t)(nl - line) : (size_t)(all.p + all.n - line);
    tt_json_value v[2]; size_t ec; const char *ew;
    tt_buf_reset(&scratch);
    if (ll > 1 && tt_json_scan_object(line, ll, keys, 2, v, &scratch, &ec, &ew) == 0) {
      if (nd == cap) { cap = cap ? cap * 2 : 1024; d = realloc(d, cap * sizeof *d); if (!d) return 1; }
      d[nd].tl = v[0].s ? v[0].len : 0; d[nd].bl = v[1].s ? v[1].len : 0;
      d[nd].title = malloc(d[nd].tl + 1); d[nd].body = malloc(d[nd].bl + 1);
      if (!d[nd].title || !d[nd].body) return 1;
      memcpy(d[nd].title, v[0].s ? v[0].s : "", d[nd].tl);
      memcpy(d[nd].body, v[1].s ? v[1].s : "", d[nd].bl);
      bytes += d[nd].tl + d[nd].bl;
      nd++;
    }
    line = nl ? nl + 1 : all.p + all.n;
  }
  tt_analyzer *an; tt_entities *en;
  if (tt_analyzer_new(&an) || tt_entities_new(&en)) { fprintf(stderr, "%s\n", tt_error_last()); return 1; }
  double best_a = 1e30, best_ae = 1e30;
  size_t nm = 0;
  for (int r = 0; r < runs; r++) {
    double t0 = cpu_now();
    for (size_t i = 0; i < nd; i++) {
      tt_analysis a;
      tt_analyze(an, d[i].title, d[i].tl, 0, &a);
      tt_analyze(an, d[i].body, d[i].bl, (uint32_t)a.n, &a);
    }
    double t1 = cpu_now();
    nm = 0;
    for (size_t i = 0; i < nd; i++) {
      tt_analysis a; const tt_entity_mention *m; size_t n;
      tt_analyze(an, d[i].title, d[i].tl, 0, &a);
      tt_entities_find(en, d[i].title, d[i].tl, &a, 0, &m, &n);
      nm += n;
      tt_analyze(an, d[i].body, d[i].bl, (uint32_t)a.n, &a);
      tt_entities_find(en, d[i].body, d[i].bl, &a, TT_ENT_CONTINUE, &m, &n);
      nm += n;
    }
    double t2 = cpu_now();
    if (t1 - t0 < best_a) best_a = t1 - t0;
    if (t2 - t1 < best_ae) best_ae = t2 - t1;
  }
  double mb = (double)bytes / 1e6;
  double ent = best_ae - best_a;
  printf("%zu articles, %.1f MB, %zu mentions (%.1f per article), best of %d\n", nd, mb, nm,
         nd ? (double)nm / (double)nd : 0.0, runs);
  printf("analyze            %8.1f MB/s\n", mb / best_a);
  printf("analyze + entities %8.1f MB/s\n", mb / best_ae);
  printf("entities alone     %8.1f MB/s   (+%.1f%% over analyze)\n", ent > 0 ? mb / ent : 0.0,
         100.0 * ent / best_a);
  printf("{\"bench\":\"entities_speed\",\"mb\":%.3f,\"analyze_mbs\":%.2f,\"with_entities_mbs\":%.2f,"
         "\"overhead_pct\":%.2f}\n", mb, mb / best_a, mb / best_ae, 100.0 * ent / best_a);
  tt_entities_free(en); tt_analyzer_free(an);
  for (size_t i = 0; i < nd; i++) { free(d[i].title); free(d[i].body); }
  free(d); tt_buf_fini(&all); tt_buf_fini(&scratch);
  return 0;
}

int main(int argc, char **argv)
{
  if (argc >= 3 && !strcmp(argv[1], "eval")) return eval(argv[2], argc > 3 ? argv[3] : ".", 0);
  if (argc >= 3 && !strcmp(argv[1], "dump")) return eval(argv[2], argc > 3 ? argv[3] : ".", 1);
  if (argc >= 3 && !strcmp(argv[1], "speed")) {
    int runs = 3, a = 2;
    if (argc >= 5 && !strcmp(argv[2], "--runs")) { runs = atoi(argv[3]); a = 4; }
    if (runs < 1) runs = 1;
    if (a < argc) return speed(argv[a], runs);
  }
  fprintf(stderr, "usage: bench_entities eval|dump LABELS.tsv [ROOT] | speed [--runs N] FILE.jsonl\n");
  return 2;
}
