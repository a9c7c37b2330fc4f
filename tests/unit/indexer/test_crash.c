/* Crash safety: a child process indexes and commits batches in a loop, reporting each commit
 * it has seen succeed; the parent kills it with SIGKILL at a random moment. Afterwards the index
 * must open at its last commit, pass `check`, and contain every acknowledged article.
 * TT_CRASH_TRIALS sets the number of trials (default 50; the long mode uses more). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>

#include "index_testutil.h"
#include "indexer/merge.h"
#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

#define BATCH 15

static void child(const char *dir, int fd, int small)
{
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  if (small) o.memory_budget = (size_t)64 << 10;   /* flush often: crashes land inside flushes and merges too */
  if (small) tt_writer_set_background_merge_cost(0, 0);  /* ... and inside background merges */
  tt_writer *w;
  if (tt_writer_open(&w, dir, &o)) _exit(3);
  for (int b = 0;; b++) {
    for (int i = 0; i < BATCH; i++) {
      tu_doc d;
      tu_make(&d, b * 1000 + i, 30 + (int)(tu_next() % 200));
      snprintf(d.url, sizeof d.url, "https://crash.invalid/%d/%d", b, i);
      char *body = d.body;
      if (asprintf(&d.body, "ackb%dd%d %s", b, i, body) < 0) _exit(4);
      free(body);
      tt_article a = tu_article(&d);
      if (tt_writer_add(w, &a)) _exit(5);
      free(d.body);
    }
    if (tt_writer_commit(w)) _exit(6);
    if (write(fd, &b, sizeof b) != sizeof b) _exit(7);
  }
}

static uint64_t count(tt_reader *r, const char *q)
{
  tt_results res;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  assert_int_equal(tt_search(r, q, strlen(q), &o, &res), 0);
  uint64_t n = res.total;
  tt_results_fini(&res);
  return n;
}

static void test_sigkill_trials(void **state)
{
  (void)state;
  int trials = getenv("TT_CRASH_TRIALS") ? atoi(getenv("TT_CRASH_TRIALS")) : 50;
  srand((unsigned)time(NULL));
  int with_commit = 0;
  for (int t = 0; t < trials; t++) {
    char *dir = tu_tempdir();
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
      close(p[0]);
      tu_rng ^= (uint64_t)t * 0x9E3779B97F4A7C15ull;
      child(dir, p[1], t & 1);
      _exit(0);
    }
    close(p[1]);
    usleep((useconds_t)(rand() % (getenv("TT_CRASH_MAXUS") ? atoi(getenv("TT_CRASH_MAXUS")) : 1500000)));
    kill(pid, SIGKILL);
    int st;
    waitpid(pid, &st, 0);
    assert_true(WIFSIGNALED(st));  /* it did not fail on its own */
    int acked = -1, b;
    while (read(p[0], &b, sizeof b) == sizeof b) acked = b;
    close(p[0]);

    tt_reader *r;
    int rc = tt_reader_open(&r, dir, 1);
    if (acked < 0 && rc == TT_ENOTFOUND) { tu_rmrf(dir); free(dir); continue; }
    if (rc) fail_msg("trial %d: reopen failed after a kill: %s", t, tt_error_last());
    if (tt_index_check(dir)) fail_msg("trial %d: check failed: %s", t, tt_error_last());
    tt_index_stats s;
    tt_reader_stats(r, &s);
    assert_true(s.docs >= (uint64_t)(acked + 1) * BATCH);
    assert_int_equal(s.docs % BATCH, 0);  /* a commit is all or nothing */
    for (int a = 0; a <= acked; a++) {
      char q[64];
      snprintf(q, sizeof q, "ackb%dd%d", a, a % BATCH);
      if (count(r, q) != 1) fail_msg("trial %d: acknowledged article %s lost", t, q);
    }
    tt_reader_close(r);
    if (acked >= 0) with_commit++;
    if (getenv("TT_CRASH_VERBOSE")) printf("trial %d: %d commits acknowledged, %llu docs\n", t, acked + 1, (unsigned long long)s.docs);
    /* the lock died with the child: a new writer opens and cleans up */
    tt_writer *w;
    assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
    tt_writer_close(w);
    assert_int_equal(tt_index_check(dir), 0);
    tu_rmrf(dir);
    free(dir);
  }
  assert_true(with_commit > 0 || trials < 5);
  printf("crash trials: %d, %d with at least one acknowledged commit\n", trials, with_commit);
}

int main(void)
{
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_sigkill_trials)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
