/* Shared test scaffolding: temporary directories under $TMPDIR (or /tmp), removed with
 * everything in them. Header-only, so every test executable can include it. */
#ifndef TT_TESTUTIL_H
#define TT_TESTUTIL_H

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Create a fresh directory named <prefix>_XXXXXX in out (cap bytes). Returns 0 or -1. */
static inline int tt_test_mkdtemp(char *out, size_t cap, const char *prefix)
{
  const char *base = getenv("TMPDIR");
  snprintf(out, cap, "%s/%s_XXXXXX", base && *base ? base : "/tmp", prefix);
  return mkdtemp(out) ? 0 : -1;
}

static inline int tt_test__rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
  (void)st; (void)flag; (void)ftw;
  (void)remove(path);  /* keep going whatever fails */
  return 0;
}

/* Remove dir and everything below it (depth first, symlinks not followed). */
static inline void tt_test_rmtree(const char *dir)
{
  nftw(dir, tt_test__rm, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
