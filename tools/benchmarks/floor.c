/* bench_floor: the floor of the benchmark — read the input and split it on ASCII whitespace,
 * counting tokens and nothing else. No engine can index faster than it can do this, so the
 * indexing rates of tools/bench are read against it.
 *
 *   bench_floor INPUT      (any file; the JSONL corpus in the benchmark)
 * Prints one JSON line: bytes, tokens, seconds, MB/s. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tools/benchmarks/bench_common.h"

int main(int argc, char **argv)
{
  if (argc != 2 && !(argc == 3 && !strcmp(argv[1], "index"))) {
    fprintf(stderr, "usage: bench_floor INPUT\n");
    return 2;
  }
  const char *path = argv[argc - 1];
  double t0 = bench_now();
  FILE *f = fopen(path, "rb");
  if (!f) {
    fprintf(stderr, "bench_floor: %s: %s\n", path, strerror(errno));
    return 1;
  }
  enum { CHUNK = 1 << 20 };
  unsigned char *buf = malloc(CHUNK);
  if (!buf) { fclose(f); return 1; }
  /* A byte is a separator if it is ASCII whitespace; a token starts at every non-separator
   * that follows a separator (or the start of the file). */
  static unsigned char sep[256];
  sep[' '] = sep['\t'] = sep['\n'] = sep['\r'] = sep['\f'] = sep['\v'] = 1;
  uint64_t bytes = 0, tokens = 0;
  int in_sep = 1;
  size_t n;
  while ((n = fread(buf, 1, CHUNK, f)) > 0) {
    bytes += n;
    for (size_t i = 0; i < n; i++) {
      int s = sep[buf[i]];
      tokens += (uint64_t)(in_sep & !s);
      in_sep = s;
    }
  }
  int err = ferror(f);
  fclose(f);
  free(buf);
  if (err) {
    fprintf(stderr, "bench_floor: %s: read error\n", path);
    return 1;
  }
  double secs = bench_now() - t0;
  printf("{\"engine\":\"floor\",\"bytes_in\":%" PRIu64 ",\"tokens\":%" PRIu64
         ",\"seconds\":%.3f,\"mb_per_s\":%.1f}\n",
         bytes, tokens, secs, secs > 0 ? (double)bytes / 1e6 / secs : 0.0);
  return 0;
}
