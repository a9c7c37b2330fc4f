/* `timtin gen-corpus`: write a deterministic synthetic corpus of Vietnamese health news as
 * article JSONL (the generator is tools/cli/gencorpus.c; docs/corpus.md describes it). */
#include "tools/cli/cli.h"
#include "tools/cli/gencorpus.h"

#include "common/buf.h"
#include "timtin/errors.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define GEN_USAGE "--docs N [--seed S] [--out FILE]"
#define GEN_FLUSH (4u << 20)  /* write in chunks of about 4 MB */

static void help(void)
{
  printf("usage: timtin gen-corpus " GEN_USAGE "\n\n"
         "Write N synthetic Vietnamese health-news articles as article JSONL (one object a line:\n"
         "id, url, title, published, source, body).\n\n"
         "  --docs N      number of articles (required)\n"
         "  --seed S      seed, an unsigned 64-bit integer (default 1)\n"
         "  --out FILE    write to FILE instead of standard output\n\n"
         "The output is deterministic: the same N and S give the same bytes, and article i does\n"
         "not depend on N, so a smaller corpus is a prefix of a larger one with the same seed.\n"
         "See docs/corpus.md.\n");
}

/* A whole unsigned decimal number, or -1. */
static int parse_u64(const char *s, uint64_t *out)
{
  if (!s || !*s || *s == '-' || *s == '+') return -1;
  char *end;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (errno || *end) return -1;
  *out = v;
  return 0;
}

/* "--name VALUE" or "--name=VALUE": returns the value and advances *i, or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
  size_t n = strlen(name);
  const char *a = argv[*i];
  if (strncmp(a, name, n)) return NULL;
  if (a[n] == '=') return a + n + 1;
  if (a[n]) return NULL;
  if (*i + 1 >= argc) { *missing = 1; return NULL; }
  return argv[++*i];
}

static int write_all(FILE *f, const char *p, size_t n)
{
  return fwrite(p, 1, n, f) == n ? 0 : -1;
}

int tt_cmd_gen_corpus(int argc, char **argv)
{
  const char *cmd = "gen-corpus", *out_path = NULL;
  uint64_t ndocs = 0, seed = 1;
  int have_docs = 0;
  char msg[256];
  for (int i = 1; i < argc; i++) {
    const char *v;
    int missing = 0;
    if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) { help(); return 0; }
    if ((v = opt_value(argc, argv, &i, "--docs", &missing))) {
      if (parse_u64(v, &ndocs)) {
        snprintf(msg, sizeof msg, "--docs wants a whole number, not '%s'", v);
        return tt_cli_usage(cmd, GEN_USAGE, msg);
      }
      have_docs = 1;
    } else if ((v = opt_value(argc, argv, &i, "--seed", &missing))) {
      if (parse_u64(v, &seed)) {
        snprintf(msg, sizeof msg, "--seed wants an unsigned 64-bit number, not '%s'", v);
        return tt_cli_usage(cmd, GEN_USAGE, msg);
      }
    } else if ((v = opt_value(argc, argv, &i, "--out", &missing))) {
      if (!*v) return tt_cli_usage(cmd, GEN_USAGE, "--out wants a file name");
      out_path = v;
    } else {
      if (missing) snprintf(msg, sizeof msg, "%s needs a value", argv[i]);
      else snprintf(msg, sizeof msg, "unknown option '%s'", argv[i]);
      return tt_cli_usage(cmd, GEN_USAGE, msg);
    }
  }
  if (!have_docs) return tt_cli_usage(cmd, GEN_USAGE, "--docs N is required");

  tt_gencorpus *g = NULL;
  if (tt_gencorpus_new(&g, seed)) return tt_cli_fail(cmd);
  FILE *f = stdout;
  if (out_path && !(f = fopen(out_path, "wb"))) {
    fprintf(stderr, "timtin: %s: cannot open %s: %s\n", cmd, out_path, strerror(errno));
    tt_gencorpus_free(g);
    return 1;
  }
  tt_buf b = TT_BUF_INIT;
  int rc = 0;
  uint64_t bytes = 0;
  for (uint64_t i = 0; i < ndocs && !rc; i++) {
    if (tt_gencorpus_article(g, i, &b)) { rc = tt_cli_fail(cmd); break; }
    if (b.n >= GEN_FLUSH || i + 1 == ndocs) {
      if (write_all(f, b.p, b.n)) {
        fprintf(stderr, "timtin: %s: write %s: %s\n", cmd, out_path ? out_path : "stdout", strerror(errno));
        rc = 1;
      }
      bytes += b.n;
      tt_buf_reset(&b);
    }
  }
  if (fflush(f) && !rc) {
    fprintf(stderr, "timtin: %s: write %s: %s\n", cmd, out_path ? out_path : "stdout", strerror(errno));
    rc = 1;
  }
  if (out_path) {
    if (fclose(f) && !rc) {
      fprintf(stderr, "timtin: %s: close %s: %s\n", cmd, out_path, strerror(errno));
      rc = 1;
    }
    if (!rc)
      fprintf(stderr, "gen-corpus: %llu articles, %.1f MB -> %s\n", (unsigned long long)ndocs,
              bytes / 1e6, out_path);
  }
  tt_buf_fini(&b);
  tt_gencorpus_free(g);
  return rc;
}
