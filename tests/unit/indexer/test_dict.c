/* Term dictionary lookups against a sorted reference: every key of a many-block dictionary,
 * keys between and around them (absent, prefixes, extensions, before the first, after the
 * last), the iterator's seek, and corrupted blocks (TT_ECORRUPT naming file and offset, never a
 * crash: run it under ASan). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../testutil.h"
#include "common/endian.h"
#include "indexer/dict.h"
#include "indexer/fileio.h"
#include "timtin/errors.h"

static uint64_t rng = 88172645463325252ull;
static uint64_t next_rand(void) { rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17; return rng; }
static const char *words[8] = {"bệnh", "viện", "nguyễn", "thị", "trần", "văn", "đào", "y"};

typedef struct rkey { char k[TT_DICT_MAX_KEY + 1]; uint32_t len; } rkey;

static int rcmp(const rkey *a, const char *b, size_t blen)
{
  size_t n = a->len < blen ? a->len : blen;
  int c = memcmp(a->k, b, n);
  return c ? c : (a->len < blen ? -1 : a->len > blen);
}
static int rsort(const void *x, const void *y)
{
  const rkey *b = y;
  return rcmp(x, b->k, b->len);
}

/* Index of the first reference key >= (k, len). */
static size_t lower_bound(const rkey *r, size_t n, const char *k, size_t len)
{
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rcmp(&r[mid], k, len) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

static void add(rkey *r, size_t *n, const char *k, size_t len)
{
  if (len == 0 || len > TT_DICT_MAX_KEY) return;
  memcpy(r[*n].k, k, len);
  r[*n].k[len] = 0;
  r[*n].len = (uint32_t)len;
  (*n)++;
}

/* Keys shaped like the real ones: namespaces sharing long prefixes ("ent:person:..."), short
 * words, prefix chains, lengths around the 7 bytes the block summaries hold, bytes 0x00/0xff,
 * and the longest key. */
static size_t make_keys(rkey *r)
{
  size_t n = 0;
  char b[TT_DICT_MAX_KEY + 1];
  for (int i = 0; i < 1500; i++) {
    int len = snprintf(b, sizeof b, "ent:person:%s %s %d", words[i % 8], words[(i / 8) % 8], i);
    add(r, &n, b, (size_t)len);
  }
  for (int i = 0; i < 800; i++) add(r, &n, b, (size_t)snprintf(b, sizeof b, "url:%d", i * 7));
  for (int i = 0; i < 700; i++) {
    size_t len = 1 + next_rand() % 12;
    for (size_t j = 0; j < len; j++) b[j] = (char)('a' + next_rand() % 4);
    add(r, &n, b, len);
  }
  static const char *fixed[] = {"a", "ab", "abc", "abcdef", "abcdefg", "abcdefgh", "abcdefghi",
                                "abcdefg\x01", "abcdeff\xff\xff", "\x01chu", "zz\xff", "\xff"};
  for (size_t i = 0; i < sizeof fixed / sizeof *fixed; i++) add(r, &n, fixed[i], strlen(fixed[i]));
  add(r, &n, "ab\0cd", 5);
  add(r, &n, "abcdefg\0", 8);
  memset(b, 'm', TT_DICT_MAX_KEY);
  add(r, &n, b, TT_DICT_MAX_KEY);
  add(r, &n, b, TT_DICT_MAX_KEY - 1);
  qsort(r, n, sizeof *r, rsort);
  size_t u = 0;
  for (size_t i = 0; i < n; i++)
    if (!u || rcmp(&r[u - 1], r[i].k, r[i].len) != 0) r[u++] = r[i];
  return u;
}

/* Entry i's numbers: some multi-byte (df, max_impact, post_len) to exercise the step-over, and
 * lists back to back except every 5th (a negative or positive gap, version 2's zigzag). */
static void fields(size_t i, uint64_t *off, tt_dict_entry *e)
{
  e->flags = (uint32_t)(i & 1);
  e->df = (uint32_t)(i % 3 ? i + 1 : (i + 1) * 1000);
  e->max_impact = (uint32_t)(i % 7 ? 5 : 70000);
  e->post_len = i % 4 ? 3 + i % 300 : 200000 + i;   /* 1, 2 and 3 bytes */
  if (i % 5 == 0) *off = *off > 500 ? *off - 400 : *off + 12345;
  e->post_off = *off;
  *off += e->post_len;
}

static rkey *g_ref;
static tt_dict_entry *g_want;   /* g_want[i]: the numbers written for g_ref[i] */
static size_t g_n;

static void write_dict(const char *path)
{
  tt_dict_writer w;
  assert_int_equal(tt_dict_writer_open(&w, path), 0);
  for (size_t i = 0; i < g_n; i++) assert_int_equal(tt_dict_writer_add(&w, &g_want[i]), 0);
  assert_int_equal(tt_dict_writer_finish(&w), 0);
}

/* Look (k, len) up and compare with the reference. */
static void check_one(const tt_dict *d, const char *k, size_t len)
{
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_entry e;
  int rc = tt_dict_lookup(d, k, len, &e, scratch);
  size_t i = lower_bound(g_ref, g_n, k, len);
  if (i < g_n && rcmp(&g_ref[i], k, len) == 0) {
    assert_int_equal(rc, 0);
    const tt_dict_entry want = g_want[i];
    assert_int_equal(e.key_len, len);
    assert_memory_equal(e.key, k, len);
    assert_int_equal(e.key[len], 0);
    assert_int_equal(e.flags, want.flags);
    assert_int_equal(e.df, want.df);
    assert_int_equal(e.max_impact, want.max_impact);
    assert_int_equal(e.post_off, want.post_off);
    assert_int_equal(e.post_len, want.post_len);
  } else {
    assert_int_equal(rc, TT_ENOTFOUND);
  }
  /* the iterator starts at the first key >= (k, len) */
  tt_dict_iter it;
  assert_int_equal(tt_dict_iter_seek(&it, d, k, len), 0);
  rc = tt_dict_iter_next(&it, &e);
  if (i == g_n) {
    assert_int_equal(rc, TT_ITEROVER);
  } else {
    assert_int_equal(rc, 0);
    assert_int_equal(rcmp(&g_ref[i], e.key, e.key_len), 0);
  }
}

/* Every key, and around each: without its last byte, extended by 0x00, 'a' and 0xff, its last
 * byte one lower and one higher; then keys before the first and after the last. */
static void check_all(const tt_dict *d)
{
  char b[TT_DICT_MAX_KEY + 2];
  for (size_t i = 0; i < g_n; i++) {
    const rkey *r = &g_ref[i];
    check_one(d, r->k, r->len);
    memcpy(b, r->k, r->len);
    check_one(d, b, r->len - 1);
    static const char ext[3] = {0, 'a', (char)0xff};
    for (int x = 0; x < 3; x++) {
      b[r->len] = ext[x];
      check_one(d, b, r->len + 1);   /* 256 bytes for the longest: never found */
    }
    b[r->len - 1] = (char)(r->k[r->len - 1] - 1);
    check_one(d, b, r->len);
    b[r->len - 1] = (char)(r->k[r->len - 1] + 1);
    check_one(d, b, r->len);
  }
  check_one(d, "", 0);
  check_one(d, "\0", 1);
  check_one(d, "\xff\xff", 2);
  check_one(d, "{", 1);
}

static void test_lookup_matches_reference(void **state)
{
  (void)state;
  char dir[4096];
  assert_int_equal(tt_test_mkdtemp(dir, sizeof dir, "tt_dict"), 0);
  char path[4200];
  snprintf(path, sizeof path, "%s/t.dict", dir);
  write_dict(path);
  tt_dict d;
  assert_int_equal(tt_dict_open(&d, path, 1), 0);
  assert_true(d.nblocks > 80);
  check_all(&d);   /* block summaries filled as probed */
  check_all(&d);   /* and read back */
  assert_int_equal(tt_dict_verify(&d, UINT64_MAX / 2), 0);
  tt_dict_close(&d);
  tt_test_rmtree(dir);
}

static unsigned char *slurp(const char *path, size_t *len)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  unsigned char *p = malloc(*len);
  assert_non_null(p);
  assert_int_equal(fread(p, 1, *len, f), *len);
  fclose(f);
  return p;
}

static void spit(const char *path, const unsigned char *p, size_t len)
{
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(p, 1, len, f), len);
  fclose(f);
}

/* Each lookup of a corrupted file (opened without the checksum check, as search does) returns
 * 0, TT_ENOTFOUND or TT_ECORRUPT with a message naming the file and an offset. */
static void lookup_any(const tt_dict *d, const char *path)
{
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_entry e;
  for (size_t i = 0; i < g_n; i += 3) {
    int rc = tt_dict_lookup(d, g_ref[i].k, g_ref[i].len, &e, scratch);
    assert_true(rc == 0 || rc == TT_ENOTFOUND || rc == TT_ECORRUPT);
    if (rc == TT_ECORRUPT) {
      assert_non_null(strstr(tt_error_last(), path));
      assert_non_null(strstr(tt_error_last(), "at offset"));
    }
  }
}

static void test_corrupt_blocks(void **state)
{
  (void)state;
  char dir[4096];
  assert_int_equal(tt_test_mkdtemp(dir, sizeof dir, "tt_dict"), 0);
  char path[4200], bad[4200];
  snprintf(path, sizeof path, "%s/t.dict", dir);
  snprintf(bad, sizeof bad, "%s/bad.dict", dir);
  write_dict(path);
  size_t len;
  unsigned char *orig = slurp(path, &len);
  tt_dict d;
  assert_int_equal(tt_dict_open(&d, path, 0), 0);
  uint32_t nblocks = d.nblocks;
  uint64_t b1 = tt_load_le64(d.index + 8), b2 = tt_load_le64(d.index + 16);
  size_t blocks_end = (size_t)(d.blocks_end - d.map.data);
  tt_dict_close(&d);

  /* block 1's first entry claims a shared prefix: its keys, and the lookups probing it, fail */
  unsigned char *p = malloc(len);
  memcpy(p, orig, len);
  p[b1] = 3;
  spit(bad, p, len);
  assert_int_equal(tt_dict_open(&d, bad, 0), 0);
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_entry e;
  size_t k = TT_DICT_BLOCK + 5;   /* in block 1 */
  assert_int_equal(tt_dict_lookup(&d, g_ref[k].k, g_ref[k].len, &e, scratch), TT_ECORRUPT);
  assert_non_null(strstr(tt_error_last(), bad));
  const char *at = strstr(tt_error_last(), "at offset ");
  assert_non_null(at);
  size_t off = (size_t)strtoull(at + 10, NULL, 10);   /* where the entry's fields were read */
  assert_true(off >= b1 && off < b2);
  lookup_any(&d, bad);
  tt_dict_close(&d);

  /* block 1's last entry runs past the block: a key at its end is corrupt, not read beyond */
  memcpy(p, orig, len);
  p[b2 - 1] = 0x80;   /* post_len's last byte now continues into block 2 */
  spit(bad, p, len);
  assert_int_equal(tt_dict_open(&d, bad, 0), 0);
  k = 2 * TT_DICT_BLOCK - 1;
  assert_int_equal(tt_dict_lookup(&d, g_ref[k].k, g_ref[k].len, &e, scratch), TT_ECORRUPT);
  lookup_any(&d, bad);
  tt_dict_close(&d);

  /* random bytes anywhere in the blocks */
  for (int round = 0; round < 300; round++) {
    memcpy(p, orig, len);
    for (int j = 0; j < 1 + round % 4; j++) {
      size_t at = 16 + next_rand() % (blocks_end - 16);
      p[at] = (unsigned char)(round % 3 == 0 ? 0xff : round % 3 == 1 ? 0x80 : next_rand());
    }
    spit(bad, p, len);
    assert_int_equal(tt_dict_open(&d, bad, 0), 0);
    assert_int_equal(d.nblocks, nblocks);
    lookup_any(&d, bad);
    tt_dict_close(&d);
  }
  free(p);
  free(orig);
  tt_test_rmtree(dir);
}

int main(void)
{
  g_ref = calloc(4000, sizeof *g_ref);
  g_n = make_keys(g_ref);
  g_want = calloc(g_n, sizeof *g_want);
  uint64_t off = 1000;
  for (size_t i = 0; i < g_n; i++) {
    fields(i, &off, &g_want[i]);
    g_want[i].key = g_ref[i].k;
    g_want[i].key_len = g_ref[i].len;
  }
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_lookup_matches_reference),
    cmocka_unit_test(test_corrupt_blocks),
  };
  int rc = cmocka_run_group_tests(tests, NULL, NULL);
  free(g_want);
  free(g_ref);
  return rc;
}
