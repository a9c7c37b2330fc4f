/* `timtin analyze [--json] [TEXT...]`: show the tokens the analyzer makes of TEXT (the
 * arguments joined by single spaces) or of stdin. Offsets are bytes into that text. */
#include "tools/cli/cli.h"
#include "timtin/analyze.h"
#include "timtin/errors.h"
#include "common/buf.h"

#include <stdlib.h>
#include <string.h>

static const char usage_line[] = "[--json] [TEXT...]";

static void help(void)
{
  printf("usage: timtin analyze %s\n\n"
         "Print the tokens of TEXT (the arguments joined by single spaces), or of stdin when no\n"
         "TEXT is given: one line per token with its exact form, folded form, position, and the\n"
         "byte range [start, end) it covers in the input. Junk (URLs, e-mail addresses, image\n"
         "file names, hash-like blobs) is dropped; see docs/analyzer.md.\n\n"
         "options:\n"
         "  --json      print a JSON array of {\"exact\", \"folded\", \"pos\", \"start\", \"end\"}\n"
         "  -h, --help  show this help\n"
         "  --          end of options (for TEXT that starts with '-')\n",
         usage_line);
}

int tt_cmd_analyze(int argc, char **argv)
{
  int json = 0, i = 1;
  for (; i < argc; i++) {
    const char *o = argv[i];
    if (!strcmp(o, "--")) { i++; break; }
    if (o[0] != '-' || o[1] == 0) break;
    if (!strcmp(o, "--json")) json = 1;
    else if (!strcmp(o, "--help") || !strcmp(o, "-h")) { help(); return 0; }
    else {
      char msg[256];
      snprintf(msg, sizeof msg, "unknown option '%s'", o);
      return tt_cli_usage("analyze", usage_line, msg);
    }
  }

  char *text = NULL;
  size_t len = 0;
  tt_buf in = TT_BUF_INIT;
  if (i < argc) {
    for (int j = i; j < argc; j++) {
      if ((j > i && tt_buf_putc(&in, ' ')) || tt_buf_puts(&in, argv[j])) {
        tt_buf_fini(&in);
        return tt_cli_fail("analyze");
      }
    }
    text = in.p;
    len = in.n;
  } else {
    text = tt_cli_slurp(stdin, &len);
    if (!text) {
      fprintf(stderr, "timtin analyze: cannot read stdin\n");
      return 1;
    }
  }

  tt_analyzer *a = NULL;
  tt_analysis r;
  int rc = tt_analyzer_new(&a);
  if (rc == 0) rc = tt_analyze(a, text, len, 0, &r);
  if (rc) {
    tt_analyzer_free(a);
    if (in.p) tt_buf_fini(&in); else free(text);
    return tt_cli_fail("analyze");
  }

  tt_buf o = TT_BUF_INIT;
  int err = 0;
  if (json) {
    err |= tt_buf_putc(&o, '[');
    for (size_t t = 0; t < r.n; t++) {
      const tt_token *k = &r.tokens[t];
      err |= tt_buf_puts(&o, t ? ",\n {\"exact\": " : "\n {\"exact\": ");
      err |= tt_buf_json_string(&o, k->exact, k->exact_len);
      err |= tt_buf_puts(&o, ", \"folded\": ");
      err |= tt_buf_json_string(&o, k->folded, k->folded_len);
      err |= tt_buf_printf(&o, ", \"pos\": %u, \"start\": %u, \"end\": %u}", k->pos, k->start, k->end);
    }
    err |= tt_buf_puts(&o, r.n ? "\n]\n" : "]\n");
  } else {
    err |= tt_buf_puts(&o, "exact\tfolded\tpos\tstart\tend\n");
    for (size_t t = 0; t < r.n; t++) {
      const tt_token *k = &r.tokens[t];
      err |= tt_buf_printf(&o, "%s\t%s\t%u\t%u\t%u\n", k->exact, k->folded, k->pos, k->start, k->end);
    }
  }
  if (!err) fwrite(o.p, 1, o.n, stdout);
  if (!json && (r.dropped || r.invalid_utf8))
    fprintf(stderr, "timtin analyze: %zu junk chunk(s) dropped, %zu invalid UTF-8 sequence(s) replaced\n",
            r.dropped, r.invalid_utf8);
  tt_buf_fini(&o);
  tt_analyzer_free(a);
  if (in.p) tt_buf_fini(&in); else free(text);
  if (err) return tt_cli_fail("analyze");
  if (fflush(stdout)) { fprintf(stderr, "timtin analyze: write error\n"); return 1; }
  return 0;
}
