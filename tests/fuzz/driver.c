/* A stand-alone driver for the libFuzzer-style targets in tests/fuzz, so that every target runs
 * in ctest without clang: it feeds the files under SEEDDIR/<target>/ and then -runs=N inputs
 * made by a deterministic generator (random bytes, mutated seeds, and Vietnamese-flavoured
 * UTF-8 fragments). Build with clang -fsanitize=fuzzer instead for real coverage-guided fuzzing
 * (docs/testing.md). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint64_t rng = 0x9E3779B97F4A7C15ull;
static uint64_t next(void)
{
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return rng;
}

static unsigned char *seeds[256];
static size_t seed_len[256];
static size_t nseeds;

static void load_seeds(const char *dir, const char *target)
{
  char path[4096];
  snprintf(path, sizeof path, "%s/%s", dir, target);
  DIR *d = opendir(path);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d)) && nseeds < 256) {
    if (e->d_name[0] == '.') continue;
    char f[8192];
    snprintf(f, sizeof f, "%s/%s", path, e->d_name);
    FILE *fp = fopen(f, "rb");
    if (!fp) continue;
    fseek(fp, 0, SEEK_END);
    long n = ftell(fp);
    fseek(fp, 0, SEEK_SET);
    if (n < 0) { fclose(fp); continue; }
    unsigned char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, fp) == (size_t)n) {
      seeds[nseeds] = buf;
      seed_len[nseeds++] = (size_t)n;
      LLVMFuzzerTestOneInput(buf, (size_t)n);
    } else {
      free(buf);
    }
    fclose(fp);
  }
  closedir(d);
}

static const char *frags[] = {"\xCC\x80", "\xCC\x81", "\xCC\x83", "\xCC\x89", "\xCC\xA3", "đ", "Đ",
  "hoà", "thuý", "khoẻ", "Bệnh viện", " ", "\n", "72-NQ/TW", "1.590", "24/7/2024", "\"", "\\",
  "\xFF", "\xC3", "\xE1\xBB", "\0", "x.jpg", "http://a.b/c", "AND", "OR", "(", ")", ":", "*", "-"};

int main(int argc, char **argv)
{
  long runs = 10000;
  const char *target = strrchr(argv[0], '/');
  target = target ? target + 1 : argv[0];
  for (int i = 1; i < argc; i++) {
    if (!strncmp(argv[i], "-runs=", 6)) runs = atol(argv[i] + 6);
    else load_seeds(argv[i], target);
  }
  unsigned char buf[4096];
  for (long r = 0; r < runs; r++) {
    size_t n = 0, want = next() % sizeof buf;
    int mode = (int)(next() % 3);
    if (mode == 0) {
      while (n < want) buf[n++] = (unsigned char)next();
    } else if (mode == 1 && nseeds) {
      size_t s = next() % nseeds;
      n = seed_len[s] < sizeof buf ? seed_len[s] : sizeof buf;
      memcpy(buf, seeds[s], n);
      for (int k = 0, flips = 1 + (int)(next() % 8); k < flips && n; k++)
        buf[next() % n] ^= (unsigned char)(1u << (next() % 8));
      if (n && next() % 4 == 0) n = next() % n;
    } else {
      while (n < want) {
        const char *f = frags[next() % (sizeof frags / sizeof frags[0])];
        size_t fl = strlen(f) ? strlen(f) : 1;
        if (n + fl > sizeof buf) break;
        memcpy(buf + n, f, fl);
        n += fl;
      }
    }
    LLVMFuzzerTestOneInput(buf, n);
  }
  printf("%s: %zu seeds, %ld generated inputs, no failure\n", target, nseeds, runs);
  for (size_t i = 0; i < nseeds; i++) free(seeds[i]);
  return 0;
}
