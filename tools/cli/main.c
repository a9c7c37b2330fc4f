/* timtin: the command-line interface. Dispatches `timtin <command> ...` through the table in
 * commands.def; each command parses its own options. */
#include "tools/cli/cli.h"
#include "timtin/timtin.h"
#include "common/alloc.h"

#include <stdlib.h>
#include <string.h>

static const struct { const char *name; tt_cli_fn fn; const char *help; } commands[] = {
#define TT_CMD(name, fn, help) {name, fn, help},
#include "tools/cli/commands.def"
#undef TT_CMD
};

int tt_cli_fail(const char *what)
{
  fprintf(stderr, "timtin: %s: %s\n", what, tt_error_last()[0] ? tt_error_last() : "failed");
  return 1;
}

int tt_cli_usage(const char *cmd, const char *usage, const char *msg)
{
  if (msg) fprintf(stderr, "timtin %s: %s\n", cmd, msg);
  fprintf(stderr, "usage: timtin %s %s\n", cmd, usage);
  return 2;
}

char *tt_cli_slurp(FILE *f, size_t *len)
{
  size_t cap = 1 << 16, n = 0;
  char *p = malloc(cap);
  if (!p) return NULL;
  for (;;) {
    if (n + 1 >= cap) {
      char *q = realloc(p, cap *= 2);
      if (!q) { free(p); return NULL; }
      p = q;
    }
    size_t k = fread(p + n, 1, cap - n - 1, f);
    n += k;
    if (k == 0) break;
  }
  if (ferror(f)) { free(p); return NULL; }
  p[n] = 0;
  *len = n;
  return p;
}

static void usage(FILE *out)
{
  fprintf(out, "timtin %s — full-text search for Vietnamese health news\n\n"
               "usage: timtin <command> [options]\n\ncommands:\n", TIMTIN_VERSION);
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].help);
  fprintf(out, "\n`timtin <command> --help` shows a command's options.\n");
}

int main(int argc, char **argv)
{
  if (argc < 2) { usage(stderr); return 2; }
  if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
    usage(stdout);
    return 0;
  }
  if (!strcmp(argv[1], "--version")) { printf("timtin %s\n", TIMTIN_VERSION); return 0; }
  for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
    if (!strcmp(argv[1], commands[i].name)) return commands[i].fn(argc - 1, argv + 1);
  fprintf(stderr, "timtin: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 2;
}
