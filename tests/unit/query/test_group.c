/* Near-duplicates on a real index: the fingerprint stored per document is the body's simhash
 * (round trip, across segments and a merge), `tt_index_check` refuses a wrong one, search folds
 * syndicated copies (the same body under other URLs and sources, and a lightly edited copy)
 * into the best-ranked one with exact copy counts, grouped pages concatenate, no_group shows
 * every hit, and tt_hit_first_copy names the earliest copy (export's dup_of). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <xxhash.h>

#include "../indexer/index_testutil.h"
#include "common/endian.h"
#include "indexer/reader.h"
#include "text/simhash.h"
#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

#define NBASE 120
#define STORY 7          /* tu doc copied three times (one copy lightly edited) */
#define STORY2 11        /* copied once */

typedef struct art { char url[64], title[256], source[32]; char *body; int64_t published; } art;
static art arts[NBASE + 8];
static int narts;
static char *dir;

static void add_art(tt_writer *w, const art *x)
{
  tt_article a;
  memset(&a, 0, sizeof a);
  a.url = x->url; a.url_len = strlen(x->url);
  a.title = x->title; a.title_len = strlen(x->title);
  a.source = x->source; a.source_len = strlen(x->source);
  a.body = x->body; a.body_len = strlen(x->body);
  a.id = ""; a.published = x->published;
  assert_int_equal(tt_writer_add(w, &a), 0);
}

static void copy_of(art *dst, const art *src, const char *url, const char *source)
{
  *dst = *src;
  snprintf(dst->url, sizeof dst->url, "%s", url);
  snprintf(dst->source, sizeof dst->source, "%s", source);
  dst->body = strdup(src->body);
}

static int setup(void **state)
{
  (void)state;
  (void)tu_article;   /* the copies need their own sources: add_art builds the articles */
  dir = tu_tempdir();
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.merge = 0;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, &o), 0);
  for (int i = 0; i < NBASE; i++) {
    tu_doc d;
    /* doc 3: too short for a fingerprint; the stories as long as news articles, so that an edit
     * of their last words moves few bits */
    tu_make(&d, i, i == 3 ? 12 : i == STORY || i == STORY2 ? 400 : 60 + (int)(tu_next() % 80));
    art *x = &arts[narts++];
    snprintf(x->url, sizeof x->url, "%s", d.url);
    snprintf(x->title, sizeof x->title, "%s", d.title);
    snprintf(x->source, sizeof x->source, "nguon");
    x->body = d.body;
    x->published = d.published;
    add_art(w, x);
    if (i == NBASE / 2) assert_int_equal(tt_writer_commit(w), 0);   /* copies in another segment */
  }
  /* the copies: same body elsewhere, and one with its last words changed */
  copy_of(&arts[narts++], &arts[STORY], "https://baomoi.invalid/ttxvn-1", "baomoi");
  copy_of(&arts[narts++], &arts[STORY], "https://vietnamplus.invalid/ttxvn-2", "khac");
  copy_of(&arts[narts], &arts[STORY], "https://tuoitre.invalid/ttxvn-3", "tuoitre");
  char *b = arts[narts].body = realloc(arts[narts].body, strlen(arts[narts].body) + 32), *last = strrchr(b, ' ');
  if (last && last > b) { *last = 0; last = strrchr(b, ' '); }
  assert_non_null(last);
  strcpy(last, " (TTXVN) sửa");
  narts++;
  copy_of(&arts[narts++], &arts[STORY2], "https://baomoi.invalid/ttxvn-4", "baomoi");
  for (int i = NBASE; i < narts; i++) add_art(w, &arts[i]);
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  for (int i = 0; i < narts; i++) free(arts[i].body);
  tu_rmrf(dir);
  free(dir);
  return 0;
}

/* global doc id of url in r, or UINT64_MAX */
static uint64_t doc_of(tt_reader *r, const char *url)
{
  for (uint64_t d = 0; d < r->base[r->nsegs]; d++) {
    tt_doc x;
    assert_int_equal(tt_hit_fetch(r, d, 0, &x), 0);
    if (x.url_len == strlen(url) && !memcmp(x.url, url, x.url_len)) return d;
  }
  return UINT64_MAX;
}

static uint64_t stored_fp(tt_reader *r, uint64_t doc)
{
  for (uint32_t s = 0; s < r->nsegs; s++)
    if (doc < r->base[s + 1]) return tt_seg_simhash(&r->segs[s], (uint32_t)(doc - r->base[s]));
  fail();
  return 0;
}

/* every article's stored fingerprint is tt_simhash_doc of its body; the copies are near */
static void check_fingerprints(tt_reader *r)
{
  for (int i = 0; i < narts; i++) {
    uint64_t d = doc_of(r, arts[i].url);
    assert_true(d != UINT64_MAX);
    uint64_t h = stored_fp(r, d);
    assert_true(h == tt_simhash_doc(arts[i].body, strlen(arts[i].body)));
    if (i == 3) assert_true(h == TT_SIMHASH_NONE);
    else assert_true(h != TT_SIMHASH_NONE);
  }
  uint64_t a = stored_fp(r, doc_of(r, arts[STORY].url));
  for (int i = NBASE; i < NBASE + 3; i++) assert_true(tt_simhash_near(a, stored_fp(r, doc_of(r, arts[i].url))));
  assert_true(tt_simhash_distance(a, stored_fp(r, doc_of(r, arts[NBASE + 2].url))) > 0);   /* edited: moved, still near */
  assert_false(tt_simhash_near(a, stored_fp(r, doc_of(r, arts[STORY2].url))));
}

static void test_fingerprint_round_trip_and_merge(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 1), 0);
  assert_true(r->nsegs >= 2);
  check_fingerprints(r);
  tt_reader_close(r);
  /* a merge into one segment carries them */
  char *m = tu_tempdir();
  char cmd[8400];
  snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'/", dir, m);
  assert_int_equal(system(cmd), 0);
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, m, &o), 0);
  assert_int_equal(tt_writer_delete(w, arts[20].url, strlen(arts[20].url)), 0);   /* re-encoded block path */
  assert_int_equal(tt_writer_commit(w), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(tt_index_check(m), 0);
  assert_int_equal(tt_reader_open(&r, m, 1), 0);
  assert_int_equal(r->nsegs, 1);
  free(arts[20].body);   /* deleted: skip it below */
  arts[20] = arts[--narts];
  check_fingerprints(r);
  tt_reader_close(r);
  tu_rmrf(m);
  free(m);
}

/* A stored fingerprint that does not match its body, in a file whose checksum is right, is
 * found by the check. */
static void test_check_detects_wrong_fingerprint(void **state)
{
  (void)state;
  char *m = tu_tempdir();
  char cmd[8400], p[8400];
  snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'/", dir, m);
  assert_int_equal(system(cmd), 0);
  assert_int_equal(tt_index_check(m), 0);
  snprintf(p, sizeof p, "%s/seg-000001.dtab", m);
  FILE *f = fopen(p, "r+b");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  uint8_t *buf = malloc((size_t)len);
  fseek(f, 0, SEEK_SET);
  assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
  uint32_t version = tt_load_le32(buf + 8), ndocs = tt_load_le32(buf + 16);
  assert_int_equal(version, 2);
  size_t col = 16 + 24 + (size_t)ndocs * 32;   /* the simhash column */
  assert_int_equal((size_t)len, col + (size_t)ndocs * 8 + 16);
  buf[col + 8 * 5] ^= 0x10;                     /* doc 5: one bit */
  tt_store_le64(buf + len - 16, XXH3_64bits(buf, (size_t)len - 16));
  fseek(f, 0, SEEK_SET);
  assert_int_equal(fwrite(buf, 1, (size_t)len, f), (size_t)len);
  fclose(f);
  free(buf);
  assert_int_equal(tt_index_check(m), TT_ECORRUPT);
  assert_non_null(strstr(tt_error_last(), "simhash"));
  tu_rmrf(m);
  free(m);
}

/* Rewrite every doc table of index m as version 1 (no simhash column), checksums right. */
static void downgrade_to_v1(const char *m)
{
  for (int k = 1; k < 100; k++) {
    char p[8400];
    snprintf(p, sizeof p, "%s/seg-%06d.dtab", m, k);
    FILE *f = fopen(p, "rb");
    if (!f) continue;
    fseek(f, 0, SEEK_END);
    long len = ftell(f);
    uint8_t *buf = malloc((size_t)len);
    fseek(f, 0, SEEK_SET);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    fclose(f);
    uint32_t ndocs = tt_load_le32(buf + 16);
    size_t body = 16 + 24 + (size_t)ndocs * 32;
    tt_store_le32(buf + 8, 1);
    memmove(buf + body, buf + len - 16, 16);         /* footer right after the URL table */
    size_t nlen = body + 16;
    tt_store_le64(buf + nlen - 16, XXH3_64bits(buf, nlen - 16));
    f = fopen(p, "wb");
    assert_int_equal(fwrite(buf, 1, nlen, f), nlen);
    fclose(f);
    free(buf);
  }
}

/* An index whose doc tables are version 1 is read (no fingerprints: nothing grouped) and
 * checked; a merge fingerprints its documents from their bodies. */
static void test_v1_tables_read_then_merged(void **state)
{
  (void)state;
  char *m = tu_tempdir();
  char cmd[8400];
  snprintf(cmd, sizeof cmd, "cp -r '%s'/. '%s'/", dir, m);
  assert_int_equal(system(cmd), 0);
  downgrade_to_v1(m);
  assert_int_equal(tt_index_check(m), 0);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, m, 1), 0);
  for (uint64_t d = 0; d < r->base[r->nsegs]; d++) assert_true(stored_fp(r, d) == TT_SIMHASH_NONE);
  char q[64];
  snprintf(q, sizeof q, "uniq%dx", STORY);
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  tt_results res;
  assert_int_equal(tt_search(r, q, strlen(q), &o, &res), 0);
  assert_int_equal(res.n, 4);                       /* no fingerprints: every copy shown */
  for (size_t i = 0; i < res.n; i++) assert_int_equal(res.copies[i].n, 0);
  tt_results_fini(&res);
  tt_reader_close(r);
  tt_index_options io = TT_INDEX_OPTIONS_INIT;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, m, &io), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(tt_index_check(m), 0);
  assert_int_equal(tt_reader_open(&r, m, 1), 0);
  assert_int_equal(r->nsegs, 1);
  check_fingerprints(r);
  tt_reader_close(r);
  tu_rmrf(m);
  free(m);
}

static void search(tt_reader *r, const char *q, size_t offset, size_t limit, int no_group, tt_results *res)
{
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  o.offset = offset;
  o.limit = limit;
  o.no_group = no_group;
  assert_int_equal(tt_search(r, q, strlen(q), &o, res), 0);
}

static void test_copies_folded(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  char q[64];
  snprintf(q, sizeof q, "uniq%dx", STORY);    /* the story's own token: it and its 3 copies */
  tt_results res;
  search(r, q, 0, 10, 0, &res);
  assert_int_equal(res.total, 4);
  assert_int_equal(res.n, 1);
  assert_non_null(res.copies);
  assert_int_equal(res.copies[0].n, 3);
  for (int k = 0; k < 3; k++) assert_true(res.copies[0].docs[k] != res.hits[0].doc);
  tt_results_fini(&res);
  /* limit 1: the copies lie outside the ranked prefix and are counted by the streaming pass */
  search(r, q, 0, 1, 0, &res);
  assert_int_equal(res.n, 1);
  assert_int_equal(res.copies[0].n, 3);
  tt_results_fini(&res);
  /* a copy that does not match is not counted */
  char q2[96];
  snprintf(q2, sizeof q2, "uniq%dx -source:khac", STORY);
  search(r, q2, 0, 10, 0, &res);
  assert_int_equal(res.total, 3);
  assert_int_equal(res.n, 1);
  assert_int_equal(res.copies[0].n, 2);
  tt_results_fini(&res);
  /* no_group: every hit */
  search(r, q, 0, 10, 1, &res);
  assert_int_equal(res.n, 4);
  assert_null(res.copies);
  tt_results_fini(&res);
  /* the earliest copy (export's dup_of) */
  uint64_t first, orig = doc_of(r, arts[STORY].url);
  for (int i = NBASE; i < NBASE + 3; i++) {
    assert_int_equal(tt_hit_first_copy(r, doc_of(r, arts[i].url), &first), 0);
    assert_true(first == orig);
  }
  assert_int_equal(tt_hit_first_copy(r, orig, &first), 0);
  assert_true(first == orig);
  tt_reader_close(r);
}

/* Grouped pages over a query that matches everything concatenate to the one long page; no hit
 * is shown twice, no shown hit is near a higher-ranked shown hit, and the shown hits plus the
 * folded ones are every match. */
static void test_pages_consistent(void **state)
{
  (void)state;
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  const char *q = "uniq*";
  tt_results all, flat;
  search(r, q, 0, 1000, 0, &all);
  search(r, q, 0, 1000, 1, &flat);
  assert_int_equal(all.total, (uint64_t)narts);
  assert_int_equal(flat.n, (size_t)narts);
  assert_int_equal(all.n, (size_t)narts - 4);   /* 3 copies of STORY, 1 of STORY2 folded */
  uint64_t ncopies = 0;
  for (size_t i = 0; i < all.n; i++) {
    ncopies += all.copies[i].n;
    for (size_t j = 0; j < i; j++) {
      assert_true(all.hits[j].doc != all.hits[i].doc);
      assert_false(tt_simhash_near(stored_fp(r, all.hits[j].doc), stored_fp(r, all.hits[i].doc)));
    }
  }
  assert_int_equal(ncopies, 4);
  /* the grouped list is the flat list with the folded hits removed, in the same order */
  size_t k = 0;
  for (size_t i = 0; i < flat.n && k < all.n; i++) if (flat.hits[i].doc == all.hits[k].doc) k++;
  assert_int_equal(k, all.n);
  for (size_t page = 1; page <= 7; page += 3) {
    size_t at = 0;
    for (size_t off = 0; off < all.n + page; off += page) {
      tt_results p;
      search(r, q, off, page, 0, &p);
      assert_int_equal(p.total, all.total);
      for (size_t i = 0; i < p.n; i++, at++) {
        assert_true(p.hits[i].doc == all.hits[at].doc);
        assert_true(p.copies[i].n == all.copies[at].n);
      }
      tt_results_fini(&p);
    }
    assert_int_equal(at, all.n);
  }
  tt_results_fini(&all);
  tt_results_fini(&flat);
  tt_reader_close(r);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_check_detects_wrong_fingerprint),
    cmocka_unit_test(test_copies_folded),
    cmocka_unit_test(test_pages_consistent),
    cmocka_unit_test(test_v1_tables_read_then_merged),
    cmocka_unit_test(test_fingerprint_round_trip_and_merge),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
