/* Unit tests: indexer/fileio (tt_wfile, tt_map, the header/footer envelope, atomic replace). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "indexer/fileio.h"

#include "../testutil.h"

static char tmpdir[256];

static int setup(void **state)
{
  (void)state;
  return tt_test_mkdtemp(tmpdir, sizeof tmpdir, "tt_fileio");
}

static int teardown(void **state)
{
  (void)state;
  tt_test_rmtree(tmpdir);
  return 0;
}

static const char *tpath(const char *name)
{
  static char p[512];
  snprintf(p, sizeof p, "%s/%s", tmpdir, name);
  return p;
}

static int exists(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0;
}

static void write_raw(const char *path, const void *data, size_t len)
{
  FILE *fp = fopen(path, "wb");
  assert_non_null(fp);
  if (len) assert_int_equal(fwrite(data, 1, len, fp), len);
  fclose(fp);
}

/* Writes of every size, straddling the internal buffer, come back byte for byte. */
static void test_wfile_roundtrip(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("rt.bin"));
  size_t total = 3u * 1024 * 1024 + 17;
  unsigned char *src = malloc(total);
  assert_non_null(src);
  for (size_t i = 0; i < total; i++) src[i] = (unsigned char)(i * 2654435761u >> 13);

  tt_wfile *f = NULL;
  assert_int_equal(tt_wfile_open(&f, path), 0);
  size_t pos = 0, step = 1;
  while (pos < total) {
    size_t n = step < total - pos ? step : total - pos;
    assert_int_equal(tt_wfile_write(f, src + pos, n), 0);
    pos += n;
    assert_int_equal(tt_wfile_offset(f), pos);
    step = step * 3 + 1;  /* 1, 4, 13, ... 600 KiB: small, buffer-sized and large writes */
    if (step > 700000) step = 5;
  }
  assert_int_equal(tt_wfile_close_sync(f), 0);

  tt_map m;
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, total);
  assert_memory_equal(m.data, src, total);
  tt_map_close(&m);
  tt_map_close(&m);  /* twice is harmless */
  free(src);
}

static void test_wfile_exclusive(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("excl.bin"));
  write_raw(path, "old", 3);
  tt_wfile *f = (tt_wfile *)(uintptr_t)1;
  assert_int_equal(tt_wfile_open(&f, path), TT_EIO);
  assert_null(f);
  assert_non_null(strstr(tt_error_last(), path));
  /* The existing file is untouched. */
  tt_map m;
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, 3);
  assert_memory_equal(m.data, "old", 3);
  tt_map_close(&m);
  /* A missing directory fails the same way. */
  assert_int_equal(tt_wfile_open(&f, tpath("no/such/dir")), TT_EIO);
}

static void test_wfile_abort_unlinks(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("abort.bin"));
  tt_wfile *f = NULL;
  assert_int_equal(tt_wfile_open(&f, path), 0);
  assert_int_equal(tt_wfile_write(f, "partial", 7), 0);
  assert_true(exists(path));
  tt_wfile_abort(f);
  assert_false(exists(path));
  tt_wfile_abort(NULL);
  assert_int_equal(tt_wfile_close_sync(NULL), 0);
}

/* A real write failure (the file size limit makes write(2) fail with EFBIG): the first error
 * sticks, later calls are no-ops returning it, close reports it with the path and removes the
 * file. */
static void test_wfile_sticky_error(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("sticky.bin"));
  struct rlimit old, lim;
  assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
  void (*oldsig)(int) = signal(SIGXFSZ, SIG_IGN);
  lim = old;
  lim.rlim_cur = 100000;
  if (old.rlim_max != RLIM_INFINITY && old.rlim_max < lim.rlim_cur) skip();
  assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);

  static unsigned char chunk[200000];
  memset(chunk, 'x', sizeof chunk);
  tt_wfile *f = NULL;
  assert_int_equal(tt_wfile_open(&f, path), 0);
  assert_int_equal(tt_wfile_write(f, chunk, sizeof chunk), 0);  /* buffered */
  int rc = tt_wfile_write(f, chunk, sizeof chunk);                 /* flush hits the limit */
  assert_int_equal(rc, TT_EIO);
  assert_int_equal(tt_wfile_error(f), TT_EIO);
  char first[1024];
  snprintf(first, sizeof first, "%s", tt_error_last());
  assert_non_null(strstr(first, path));
  tt_error_set(TT_EINVAL, "something else");
  assert_int_equal(tt_wfile_write(f, "y", 1), TT_EIO);       /* no-op, same error */
  assert_string_equal(tt_error_last(), first);
  assert_int_equal(tt_file_footer_write(f, "TTTEST01"), TT_EIO);
  assert_int_equal(tt_wfile_close_sync(f), TT_EIO);
  assert_string_equal(tt_error_last(), first);
  assert_false(exists(path));

  assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
  signal(SIGXFSZ, oldsig);
}

static void test_map_empty_and_missing(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("empty.bin"));
  write_raw(path, NULL, 0);
  tt_map m;
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, 0);
  assert_non_null(m.data);
  tt_map_close(&m);
  assert_int_equal(tt_map_open(&m, tpath("missing.bin")), TT_ENOTFOUND);
  assert_non_null(strstr(tt_error_last(), "missing.bin"));
  assert_int_equal(tt_map_open(&m, tmpdir), TT_EINVAL);  /* a directory */
  tt_map_close(&m);
}

static void write_enveloped(const char *path, const char *magic, uint32_t version,
                            const void *payload, size_t n)
{
  tt_wfile *f = NULL;
  assert_int_equal(tt_wfile_open(&f, path), 0);
  assert_int_equal(tt_file_header_write(f, magic, version, 7), 0);
  assert_int_equal(tt_wfile_write(f, payload, n), 0);
  assert_int_equal(tt_file_footer_write(f, magic), 0);
  assert_int_equal(tt_wfile_offset(f), 32 + n);
  assert_int_equal(tt_wfile_close_sync(f), 0);
}

static void test_envelope(void **state)
{
  (void)state;
  char path[512], bad[512];
  snprintf(path, sizeof path, "%s", tpath("env.bin"));
  snprintf(bad, sizeof bad, "%s", tpath("env_bad.bin"));
  const char payload[] = "Bệnh viện Bạch Mai \0 và Trung tâm Y tế huyện Văn Giang";
  write_enveloped(path, "TTTEST01", 2, payload, sizeof payload);

  tt_map m;
  uint32_t v = 0;
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(tt_file_check(&m, "TTTEST01", 2, &v), 0);
  assert_int_equal(v, 2);
  assert_int_equal(tt_file_flags(&m), 7);
  assert_int_equal(tt_file_check_header(&m, "TTTEST01", 5, NULL), 0);
  /* Wrong kind and too new a version are format errors. */
  assert_int_equal(tt_file_check(&m, "TTOTHER1", 2, NULL), TT_EFORMAT);
  assert_non_null(strstr(tt_error_last(), path));
  assert_int_equal(tt_file_check(&m, "TTTEST01", 1, NULL), TT_EFORMAT);
  assert_non_null(strstr(tt_error_last(), "offset 8"));

  /* Every truncation and every single-bit flip is refused, naming the file. */
  size_t n = m.len;
  unsigned char *copy = malloc(n);
  for (size_t len = 0; len < n; len++) {
    unlink(bad);
    write_raw(bad, m.data, len);
    tt_map b;
    assert_int_equal(tt_map_open(&b, bad), 0);
    int rc = tt_file_check(&b, "TTTEST01", 2, NULL);
    assert_true(rc == TT_ECORRUPT || rc == TT_EFORMAT);
    assert_non_null(strstr(tt_error_last(), bad));
    if (len >= 8) assert_int_equal(rc, TT_ECORRUPT);  /* magic intact: a corrupt file */
    tt_map_close(&b);
  }
  for (size_t bit = 0; bit < n * 8; bit++) {
    memcpy(copy, m.data, n);
    copy[bit / 8] ^= (unsigned char)(1u << (bit % 8));
    unlink(bad);
    write_raw(bad, copy, n);
    tt_map b;
    assert_int_equal(tt_map_open(&b, bad), 0);
    int rc = tt_file_check(&b, "TTTEST01", 2, NULL);
    assert_true(rc == TT_ECORRUPT || rc == TT_EFORMAT);
    assert_non_null(strstr(tt_error_last(), bad));
    tt_map_close(&b);
  }
  free(copy);
  tt_map_close(&m);
}

static void test_header_must_be_first(void **state)
{
  (void)state;
  tt_wfile *f = NULL;
  assert_int_equal(tt_wfile_open(&f, tpath("late.bin")), 0);
  assert_int_equal(tt_wfile_write(f, "x", 1), 0);
  assert_int_equal(tt_file_header_write(f, "TTTEST01", 1, 0), TT_EINVAL);
  assert_int_equal(tt_wfile_close_sync(f), TT_EINVAL);
  assert_false(exists(tpath("late.bin")));
}

static int count_tmp_files(void)
{
  int n = 0;
  DIR *d = opendir(tmpdir);
  struct dirent *e;
  while ((e = readdir(d))) {
    size_t l = strlen(e->d_name);
    if (l > 4 && !strcmp(e->d_name + l - 4, ".tmp")) n++;
  }
  closedir(d);
  return n;
}

static void test_replace_atomic(void **state)
{
  (void)state;
  char path[512];
  snprintf(path, sizeof path, "%s", tpath("MANIFEST"));
  assert_int_equal(tt_file_replace_atomic(tmpdir, "MANIFEST", "gen 1\n", 6), 0);
  tt_map m;
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, 6);
  assert_memory_equal(m.data, "gen 1\n", 6);
  tt_map_close(&m);

  /* A stale temp file left by a crash does not get in the way. */
  write_raw(tpath("MANIFEST.tmp"), "half-writ", 9);
  assert_int_equal(tt_file_replace_atomic(tmpdir, "MANIFEST", "generation 2\n", 13), 0);
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, 13);
  assert_memory_equal(m.data, "generation 2\n", 13);
  tt_map_close(&m);
  assert_int_equal(count_tmp_files(), 0);

  /* Empty contents are fine. */
  assert_int_equal(tt_file_replace_atomic(tmpdir, "MANIFEST", NULL, 0), 0);
  assert_int_equal(tt_map_open(&m, path), 0);
  assert_int_equal(m.len, 0);
  tt_map_close(&m);

  /* Failure (no such directory) names the path. */
  assert_int_equal(tt_file_replace_atomic(tpath("nodir"), "MANIFEST", "x", 1), TT_EIO);
  assert_non_null(strstr(tt_error_last(), "nodir"));
  assert_int_equal(count_tmp_files(), 0);
}

static void test_fsync_dir(void **state)
{
  (void)state;
  assert_int_equal(tt_fsync_dir(tmpdir), 0);
  assert_int_equal(tt_fsync_dir(tpath("nodir")), TT_EIO);
  assert_non_null(strstr(tt_error_last(), "nodir"));
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_wfile_roundtrip),
    cmocka_unit_test(test_wfile_exclusive),
    cmocka_unit_test(test_wfile_abort_unlinks),
    cmocka_unit_test(test_wfile_sticky_error),
    cmocka_unit_test(test_map_empty_and_missing),
    cmocka_unit_test(test_envelope),
    cmocka_unit_test(test_header_must_be_first),
    cmocka_unit_test(test_replace_atomic),
    cmocka_unit_test(test_fsync_dir),
  };
  if (getenv("TT_TEST_FILTER")) cmocka_set_test_filter(getenv("TT_TEST_FILTER"));
  return cmocka_run_group_tests(tests, setup, teardown);
}
