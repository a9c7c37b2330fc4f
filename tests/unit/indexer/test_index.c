/* Index tests on real files: round trip against a brute-force reference, updates and deletes,
 * merge, reopen, the writer lock, and corruption detection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/stat.h>

#include "index_testutil.h"
#include "indexer/merge.h"
#include "indexer/pairs.h"
#include "indexer/postings_codec.h"
#include "text/simhash.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"
#include "timtin/errors.h"
#include "timtin/index.h"
#include "timtin/query.h"

#define NDOCS 600

static tu_doc docs[NDOCS];

/* ---- growing list of lines, sorted and joined for comparison */
typedef struct lines { char **v; size_t n, cap; } lines;
static void lines_add(lines *l, const char *fmt, ...)
{
  if (l->n == l->cap) { l->cap = l->cap ? l->cap * 2 : 1024; l->v = realloc(l->v, l->cap * sizeof *l->v); }
  va_list ap;
  va_start(ap, fmt);
  char *s = NULL;
  assert_true(vasprintf(&s, fmt, ap) >= 0);
  va_end(ap);
  l->v[l->n++] = s;
}
static int cmpstr(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }
static void lines_free(lines *l) { for (size_t i = 0; i < l->n; i++) free(l->v[i]); free(l->v); memset(l, 0, sizeof *l); }

/* Reference postings: "key doc tft tfb [positions]" for every (term, doc). Terms: each token's
 * folded form (positions), its exact form when it differs (no positions), and the distinct
 * parts of compound tokens ("covid-19": covid, 19) as folded terms at the token's position, and
 * the pair term "\x01a b" (no positions) of every folded a at p and b at p + 1 that are both in
 * the pair list (indexer/pairs.h), brute force over the folded terms and parts. */
typedef struct rtok { char *key; uint32_t pos; int title; int exact; } rtok;

static void reference(lines *out, int ndocs)
{
  tt_analyzer *at, *ab;
  assert_int_equal(tt_analyzer_new(&at), 0);
  assert_int_equal(tt_analyzer_new(&ab), 0);
  for (int d = 0; d < ndocs; d++) {
    tt_article a = tu_article(&docs[d]);
    tt_analysis ta, tb;
    assert_int_equal(tt_analyze(at, a.title, a.title_len, 0, &ta), 0);
    uint32_t te = (uint32_t)ta.n + 1;
    assert_int_equal(tt_analyze(ab, a.body, a.body_len, te, &tb), 0);
    size_t n = ta.n + tb.n, m = 0;
    rtok *rt = calloc(n * 8 + 1, sizeof *rt);
    for (size_t i = 0; i < n; i++) {
      const tt_token *t = i < ta.n ? &ta.tokens[i] : &tb.tokens[i - ta.n];
      int title = i < ta.n;
      rt[m++] = (rtok){strdup(t->folded), t->pos, title, 0};
      if (t->flags & TT_TOKEN_FOLDED) rt[m++] = (rtok){strdup(t->exact), t->pos, title, 1};
      if (t->flags & TT_TOKEN_COMPOUND) {
        char *copy = strdup(t->folded), *save = NULL;
        char *seen[64];
        int ns = 0;
        for (char *p = strtok_r(copy, "-/.,", &save); p; p = strtok_r(NULL, "-/.,", &save)) {
          int dup = strcmp(p, t->folded) == 0;
          for (int k = 0; k < ns; k++) dup |= !strcmp(seen[k], p);
          if (dup || ns == 64) continue;
          seen[ns++] = p;
          rt[m++] = (rtok){strdup(p), t->pos, title, 0};
        }
        free(copy);
      }
    }
    size_t m0 = m;
    for (size_t i = 0; i < m0; i++) {
      if (rt[i].exact || tt_pairs_id(rt[i].key, strlen(rt[i].key)) < 0) continue;
      for (size_t j = i + 1; j < m0 && rt[j].pos <= rt[i].pos + 1; j++) {   /* rt is in position order */
        if (rt[j].exact || rt[j].pos != rt[i].pos + 1 || tt_pairs_id(rt[j].key, strlen(rt[j].key)) < 0) continue;
        assert_true(rt[j].title == rt[i].title);   /* positions never run on from title to body */
        rt = realloc(rt, (m + 1) * sizeof *rt);
        assert_non_null(rt);
        char *k = NULL;
        assert_true(asprintf(&k, "\x01%s %s", rt[i].key, rt[j].key) > 0);
        rt[m++] = (rtok){k, rt[i].pos, rt[i].title, 1};
      }
    }
    char *done = calloc(m, 1);
    for (size_t i = 0; i < m; i++) {
      if (done[i]) continue;
      uint32_t tft = 0, tfb = 0;
      char pos[8192] = "";
      size_t pl = 0;
      for (size_t j = i; j < m; j++) {
        if (rt[j].exact != rt[i].exact || strcmp(rt[j].key, rt[i].key)) continue;
        done[j] = 1;
        if (rt[j].title) tft++; else tfb++;
        if (!rt[i].exact && pl + 16 < sizeof pos) pl += (size_t)snprintf(pos + pl, sizeof pos - pl, " %u", rt[j].pos);
      }
      lines_add(out, "%s %d %u %u%s", rt[i].key, d, tft, tfb, pos);
    }
    for (size_t i = 0; i < m; i++) free(rt[i].key);
    free(rt);
    free(done);
  }
  tt_analyzer_free(at);
  tt_analyzer_free(ab);
}

/* The same from the index, through the reader's segments. */
static void from_index(lines *out, const char *dir)
{
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 1), 0);
  for (uint32_t s = 0; s < r->nsegs; s++) {
    tt_segment *seg = &r->segs[s];
    tt_dict_iter it;
    tt_dict_entry e;
    assert_int_equal(tt_dict_iter_seek(&it, &seg->dict, NULL, 0), 0);
    int rc;
    while ((rc = tt_dict_iter_next(&it, &e)) == 0) {
      if (strchr(e.key, ':')) continue;  /* field keywords and entities ("source:", "person:"...): checked apart */
      int pos = (e.flags & TT_DICT_POSITIONAL) != 0;
      tt_plist_cursor c;
      assert_int_equal(tt_plist_open(&c, seg->post.data + e.post_off, e.post_len, pos), 0);
      uint32_t n = 0;
      while ((rc = tt_plist_next(&c)) == 0) {
        char ps[8192] = "";
        size_t pl = 0;
        if (pos) {
          const uint32_t *p;
          uint32_t np;
          assert_int_equal(tt_plist_positions(&c, &p, &np), 0);
          for (uint32_t i = 0; i < np && pl + 16 < sizeof ps; i++) pl += (size_t)snprintf(ps + pl, sizeof ps - pl, " %u", p[i]);
        }
        lines_add(out, "%s %llu %u %u%s", e.key, (unsigned long long)(r->base[s] + tt_plist_doc(&c)),
                  tt_plist_tf_title(&c), tt_plist_tf_body(&c), ps);
        n++;
      }
      assert_int_equal(rc, TT_ITEROVER);
      assert_int_equal(n, e.df);
      tt_plist_close(&c);
    }
    assert_int_equal(rc, TT_ITEROVER);
  }
  tt_reader_close(r);
}

static void assert_same(lines *a, lines *b)
{
  qsort(a->v, a->n, sizeof *a->v, cmpstr);
  qsort(b->v, b->n, sizeof *b->v, cmpstr);
  for (size_t i = 0; i < a->n && i < b->n; i++)
    if (strcmp(a->v[i], b->v[i])) fail_msg("posting %zu differs:\n  reference: %s\n  index:     %s", i, a->v[i], b->v[i]);
  assert_int_equal(a->n, b->n);
}

static uint64_t count(const char *dir, const char *q)
{
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_results res;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  assert_int_equal(tt_search(r, q, strlen(q), &o, &res), 0);
  uint64_t n = res.total;
  tt_results_fini(&res);
  tt_reader_close(r);
  return n;
}

static int setup(void **state)
{
  (void)state;
  for (int i = 0; i < NDOCS; i++) tu_make(&docs[i], i, 20 + (int)(tu_next() % 400));
  return 0;
}

static int teardown(void **state)
{
  (void)state;
  for (int i = 0; i < NDOCS; i++) free(docs[i].body);
  return 0;
}

static void index_all(const char *dir, size_t budget, int merge, int ndocs)
{
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.memory_budget = budget;
  o.merge = merge;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, &o), 0);
  for (int i = 0; i < ndocs; i++) {
    tt_article a = tu_article(&docs[i]);
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
}

static void test_round_trip_one_segment(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)256 << 20, 0, NDOCS);
  lines ref = {0}, got = {0};
  reference(&ref, NDOCS);
  from_index(&got, dir);
  assert_same(&ref, &got);
  size_t npairs = 0;
  for (size_t i = 0; i < ref.n; i++) npairs += ref.v[i][0] == TT_PAIRS_MARK;
  assert_true(npairs > 1000);   /* the pair terms are exercised */
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_int_equal(r->nsegs, 1);
  assert_int_equal(r->segs[0].pairs, TT_PAIRS_ID);
  tt_index_stats st;
  tt_reader_stats(r, &st);
  assert_int_equal(st.docs, NDOCS);
  /* field keywords: every article has source "test" and host test.invalid */
  char scratch[TT_DICT_MAX_KEY + 1];
  tt_dict_entry e;
  assert_int_equal(tt_dict_lookup(&r->segs[0].dict, "source:test", 11, &e, scratch), 0);
  assert_int_equal(e.df, NDOCS);
  assert_int_equal(e.flags & TT_DICT_POSITIONAL, 0);
  assert_int_equal(tt_dict_lookup(&r->segs[0].dict, "url:test.invalid", 16, &e, scratch), 0);
  assert_int_equal(e.df, NDOCS);
  assert_int_equal(tt_dict_lookup(&r->segs[0].dict, "url:17", 6, &e, scratch), 0);
  assert_int_equal(e.df, 1);
  tt_reader_close(r);
  assert_int_equal(tt_index_check(dir), 0);
  lines_free(&ref);
  lines_free(&got);
  tu_rmrf(dir);
  free(dir);
}

static void test_round_trip_many_segments_and_merge(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)64 << 10, 0, NDOCS);   /* tiny budget: many flushes */
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  uint32_t nsegs = r->nsegs;
  tt_reader_close(r);
  assert_true(nsegs > 3);
  lines ref = {0}, got = {0}, merged = {0};
  reference(&ref, NDOCS);
  from_index(&got, dir);
  assert_same(&ref, &got);
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_int_equal(r->nsegs, 1);
  tt_reader_close(r);
  from_index(&merged, dir);
  assert_same(&ref, &merged);
  assert_int_equal(tt_index_check(dir), 0);
  lines_free(&ref);
  lines_free(&got);
  lines_free(&merged);
  tu_rmrf(dir);
  free(dir);
}

/* Document-store dictionaries (docs/docstore.md): the first segment trains them, every later
 * segment (also after reopening the index) compresses with the same ones, and a merge copies
 * the blocks as they are and keeps them. Training is lowered to 16 KiB so small segments get
 * dictionaries. */
static void same_dicts(const tt_docstore *a, const tt_docstore *b)
{
  tt_docstore_dicts x, y;
  tt_docstore_get_dicts(a, &x);
  tt_docstore_get_dicts(b, &y);
  assert_true(x.meta_len > 0 && x.body_len > 0);
  assert_int_equal(x.meta_len, y.meta_len);
  assert_int_equal(x.body_len, y.body_len);
  assert_memory_equal(x.meta, y.meta, x.meta_len);
  assert_memory_equal(x.body, y.body, x.body_len);
}

static void test_docstore_dicts_shared(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  tt_docstore__set_default_training(16 << 10, 16 << 10);
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.merge = 0;
  /* two writer sessions of two commits (segments) each: the second segment of a session gets
   * the first one's dictionaries at its flush, a reopened writer takes them from a segment */
  for (int session = 0; session < 2; session++) {
    tt_writer *w;
    assert_int_equal(tt_writer_open(&w, dir, &o), 0);
    for (int i = session * NDOCS / 2; i < (session + 1) * NDOCS / 2; i++) {
      tt_article a = tu_article(&docs[i]);
      assert_int_equal(tt_writer_add(w, &a), 0);
      if (i % (NDOCS / 4) == NDOCS / 4 - 1) assert_int_equal(tt_writer_commit(w), 0);
    }
    tt_writer_close(w);
  }
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_int_equal(r->nsegs, 4);
  uint32_t f = 0;  /* the segment that trained them */
  tt_docstore_stats st0;
  tt_docstore_stat(r->segs[f].docs, &st0);
  uint64_t frames = 0;  /* compressed bytes of all blocks */
  for (uint32_t i = 0; i < r->nsegs; i++) {
    same_dicts(r->segs[f].docs, r->segs[i].docs);
    tt_docstore_stats si;
    tt_docstore_stat(r->segs[i].docs, &si);
    frames += si.meta_bytes + si.body_bytes;
  }
  tt_reader_close(r);

  lines ref = {0}, merged = {0};
  reference(&ref, NDOCS);
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_int_equal(r->nsegs, 1);
  tt_docstore_stats st;
  tt_docstore_stat(r->segs[0].docs, &st);
  assert_int_equal(st.dict_bytes, st0.dict_bytes);  /* the shared ones, kept */
  assert_int_equal(st.meta_bytes + st.body_bytes, frames);  /* every block copied as it was */
  tt_reader_close(r);
  from_index(&merged, dir);
  assert_same(&ref, &merged);
  assert_int_equal(tt_index_check(dir), 0);
  tt_docstore__set_default_training(0, 0);
  lines_free(&ref);
  lines_free(&merged);
  tu_rmrf(dir);
  free(dir);
}

/* Term dictionary version 2 stores a block's later post_off relative to the previous list's
 * end; lists out of order (a negative difference) and far apart round-trip, verify bounds the
 * decoded offsets, and a version-1 file (absolute offsets, written here by hand) still reads. */
static void test_dict_versions(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  char p2[4200], p1[4200];
  snprintf(p2, sizeof p2, "%s/v2.dict", dir);
  snprintf(p1, sizeof p1, "%s/v1.dict", dir);
  static const uint64_t off[5] = {100, 160, 20, 1u << 30, 1000};
  static const uint64_t len[5] = {60, 7, 50, 9, 3};
  const char *keys[5] = {"a", "ab", "b", "c", "d"};
  tt_dict_writer dw;
  assert_int_equal(tt_dict_writer_open(&dw, p2), 0);
  for (int i = 0; i < 5; i++) {
    tt_dict_entry e = {keys[i], (uint32_t)strlen(keys[i]), 0, 1 + (uint32_t)i, 7, off[i], len[i]};
    assert_int_equal(tt_dict_writer_add(&dw, &e), 0);
  }
  assert_int_equal(tt_dict_writer_finish(&dw), 0);
  /* version 1 by hand: one block, absolute offsets */
  tt_wfile *f;
  assert_int_equal(tt_wfile_open(&f, p1), 0);
  assert_int_equal(tt_file_header_write(f, TT_DICT_MAGIC, 1, 0), 0);
  for (int i = 0; i < 5; i++) {
    unsigned char b[16];
    size_t n = 0;
    b[n++] = (unsigned char)(i == 1);              /* shared ("ab" after "a") */
    b[n++] = (unsigned char)(strlen(keys[i]) - (i == 1));
    b[n++] = (unsigned char)keys[i][i == 1];
    b[n++] = 0;                                    /* flags */
    b[n++] = (unsigned char)(1 + i);               /* df */
    b[n++] = 7;                                    /* max_impact */
    for (uint64_t v = off[i];; v >>= 7) {          /* vbyte64 post_off */
      b[n++] = (unsigned char)((v & 127) | (v >= 128 ? 128 : 0));
      if (v < 128) break;
    }
    b[n++] = (unsigned char)len[i];
    assert_int_equal(tt_wfile_write(f, b, n), 0);
  }
  unsigned char tail[8 + 24];
  memset(tail, 0, sizeof tail);
  tail[0] = 16;                                    /* block 0 at offset 16 */
  uint64_t index_off = tt_wfile_offset(f);
  for (int i = 0; i < 8; i++) tail[8 + i] = (unsigned char)(index_off >> (8 * i));
  tail[16] = 5;                                    /* nterms */
  tail[24] = 1;                                    /* nblocks */
  tail[28] = TT_DICT_BLOCK;
  assert_int_equal(tt_wfile_write(f, tail, sizeof tail), 0);
  assert_int_equal(tt_file_footer_write(f, TT_DICT_MAGIC), 0);
  assert_int_equal(tt_wfile_close_sync(f), 0);

  const char *paths[2] = {p2, p1};
  for (int v = 0; v < 2; v++) {
    tt_dict d;
    assert_int_equal(tt_dict_open(&d, paths[v], 1), 0);
    assert_int_equal(d.version, v ? 1u : 2u);
    char scratch[TT_DICT_MAX_KEY + 1];
    tt_dict_entry e;
    for (int i = 0; i < 5; i++) {
      assert_int_equal(tt_dict_lookup(&d, keys[i], strlen(keys[i]), &e, scratch), 0);
      assert_int_equal(e.post_off, off[i]);
      assert_int_equal(e.post_len, len[i]);
      assert_int_equal(e.df, 1 + (uint32_t)i);
    }
    tt_dict_iter it;
    assert_int_equal(tt_dict_iter_seek(&it, &d, "ab", 2), 0);
    for (int i = 1; i < 5; i++) {
      assert_int_equal(tt_dict_iter_next(&it, &e), 0);
      assert_int_equal(e.post_off, off[i]);
    }
    assert_int_equal(tt_dict_verify(&d, (1u << 30) + 9), 0);
    assert_int_equal(tt_dict_verify(&d, (1u << 30) + 8), TT_ECORRUPT);  /* "c" runs past */
    tt_dict_close(&d);
  }
  tu_rmrf(dir);
  free(dir);
}

/* Segments built with different pair lists (here: one pretending to predate them) merge into a
 * segment without pair terms, and everything else is kept. */
static void test_merge_mixed_pair_lists(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)64 << 10, 0, 200);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  assert_true(r->nsegs >= 2);
  const tt_segment *in[64];
  const uint8_t *dels[64] = {0};
  uint32_t n = r->nsegs < 64 ? r->nsegs : 64;
  for (uint32_t i = 0; i < n; i++) {
    assert_int_equal(r->segs[i].pairs, TT_PAIRS_ID);
    in[i] = &r->segs[i];
  }
  uint32_t ndocs = 0;
  for (uint32_t i = 0; i < n; i++) ndocs += r->segs[i].ndocs;
  r->segs[0].pairs = 0;   /* as if built before pair terms */
  assert_int_equal(tt_merge_segments(dir, "seg-999999", in, dels, n, 1), 0);
  r->segs[0].pairs = TT_PAIRS_ID;
  tt_segment m;
  assert_int_equal(tt_segment_open(&m, dir, "seg-999999", 0, 1), 0);
  assert_int_equal(m.pairs, 0);
  assert_int_equal(m.ndocs, ndocs);
  tt_dict_iter it;
  tt_dict_entry e;
  assert_int_equal(tt_dict_iter_seek(&it, &m.dict, NULL, 0), 0);
  size_t nterms = 0, npairs = 0;
  int rc;
  while ((rc = tt_dict_iter_next(&it, &e)) == 0) {
    nterms++;
    npairs += e.key[0] == TT_PAIRS_MARK;
  }
  assert_int_equal(rc, TT_ITEROVER);
  assert_true(nterms > 100);
  assert_int_equal(npairs, 0);
  /* the same merge with one list keeps them */
  assert_int_equal(tt_merge_segments(dir, "seg-999998", in, dels, n, 1), 0);
  tt_segment m2;
  assert_int_equal(tt_segment_open(&m2, dir, "seg-999998", 0, 1), 0);
  assert_int_equal(m2.pairs, TT_PAIRS_ID);
  char scratch[TT_DICT_MAX_KEY + 1];
  assert_int_equal(tt_dict_iter_seek(&it, &m2.dict, "\x01", 1), 0);
  assert_int_equal(tt_dict_iter_next(&it, &e), 0);
  assert_int_equal(e.key[0], TT_PAIRS_MARK);
  assert_int_equal(tt_dict_lookup(&m2.dict, e.key, e.key_len, &e, scratch), 0);
  tt_segment_close(&m);
  tt_segment_close(&m2);
  tt_reader_close(r);
  tu_rmrf(dir);
  free(dir);
}

/* `timtin check` recomputes the pair terms from the positions: a segment written by hand with
 * a pair whose frequencies are off, a missing pair or a pair nothing supports is refused. */
static void write_seg(const char *d, const char *name, int variant)
{
  tt_segwriter *w;
  assert_int_equal(tt_segwriter_new(&w, d, name, 1), 0);
  tt_segwriter_set_pairs(w, TT_PAIRS_ID);
  for (int i = 0; i < 2; i++) {
    tt_docstore_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.url = i ? "https://b.invalid/" : "https://a.invalid/";
    rec.url_len = strlen(rec.url);
    rec.title = "t";
    rec.title_len = 1;
    rec.body = "b";
    rec.body_len = 1;
    assert_int_equal(tt_segwriter_add_doc(w, &rec, 2, 4, TT_SIMHASH_NONE), 0);
  }
  /* doc 0: "benh vien" in the title (0, 1), "benh vien" in the body (3, 4); doc 1: "vien benh" (3, 4) */
  char key[TT_PAIRS_KEY_MAX];
  int b = tt_pairs_id("benh", 4), v = tt_pairs_id("vien", 4);
  assert_true(b >= 0 && v >= 0);
  size_t kl = tt_pairs_key(key, b, v);
  uint32_t p0[] = {0, 3}, p1[] = {1, 4}, q0[] = {4}, q1[] = {3};
  tt_segwriter_posting bv = {0, 1, variant == 1 ? 2 : 1, 0, NULL};
  assert_int_equal(tt_segwriter_begin_term(w, key, kl, 0), 0);                 /* "\x01benh vien" */
  if (variant != 2) assert_int_equal(tt_segwriter_add_posting(w, &bv), 0);
  if (variant == 3) {
    tt_segwriter_posting extra = {1, 0, 1, 0, NULL};
    assert_int_equal(tt_segwriter_add_posting(w, &extra), 0);
  }
  assert_int_equal(tt_segwriter_end_term(w), 0);
  kl = tt_pairs_key(key, v, b);
  assert_int_equal(tt_segwriter_begin_term(w, key, kl, 0), 0);                 /* "\x01vien benh" */
  tt_segwriter_posting vb = {1, 0, 1, 0, NULL};
  assert_int_equal(tt_segwriter_add_posting(w, &vb), 0);
  assert_int_equal(tt_segwriter_end_term(w), 0);
  assert_int_equal(tt_segwriter_begin_term(w, "benh", 4, 1), 0);
  tt_segwriter_posting pb0 = {0, 1, 1, 2, p0}, pb1 = {1, 0, 1, 1, q0};
  assert_int_equal(tt_segwriter_add_posting(w, &pb0), 0);
  assert_int_equal(tt_segwriter_add_posting(w, &pb1), 0);
  assert_int_equal(tt_segwriter_end_term(w), 0);
  assert_int_equal(tt_segwriter_begin_term(w, "vien", 4, 1), 0);
  tt_segwriter_posting pv0 = {0, 1, 1, 2, p1}, pv1 = {1, 0, 1, 1, q1};
  assert_int_equal(tt_segwriter_add_posting(w, &pv0), 0);
  assert_int_equal(tt_segwriter_add_posting(w, &pv1), 0);
  assert_int_equal(tt_segwriter_end_term(w), 0);
  assert_int_equal(tt_segwriter_finish(w), 0);
}

static void test_check_verifies_pairs(void **state)
{
  (void)state;
  char *d = tu_tempdir();
  const char *names[] = {"seg-000001", "seg-000002", "seg-000003", "seg-000004"};
  for (int v = 0; v < 4; v++) {
    write_seg(d, names[v], v);
    int rc = tt_segment_verify(d, names[v], 0);
    if (v == 0) { if (rc) fail_msg("correct pairs refused: %s", tt_error_last()); }
    else {
      assert_int_equal(rc, TT_ECORRUPT);
      assert_non_null(strstr(tt_error_last(), "pair term 'benh vien'"));
    }
  }
  tu_rmrf(d);
  free(d);
}

static void test_updates_and_deletes(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)64 << 10, 1, 200);
  assert_int_equal(count(dir, "uniq17x"), 1);
  assert_int_equal(count(dir, "uniq18x"), 1);
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  /* replace 17 (same URL, new text), delete 18, add and then replace 500 within one session */
  tu_doc d = docs[17];
  d.body = "uniq17y nội dung mới";
  tt_article a = tu_article(&d);
  assert_int_equal(tt_writer_add(w, &a), 0);
  assert_int_equal(tt_writer_delete(w, docs[18].url, strlen(docs[18].url)), 0);
  assert_int_equal(tt_writer_delete(w, "https://nowhere.invalid/", 24), TT_ENOTFOUND);
  tu_doc e = docs[500];
  tt_article b = tu_article(&e);
  assert_int_equal(tt_writer_add(w, &b), 0);
  e.body = "uniq500z bản sửa";
  b = tu_article(&e);
  assert_int_equal(tt_writer_add(w, &b), 0);
  /* not committed yet: readers still see the old state */
  assert_int_equal(count(dir, "uniq17x"), 1);
  assert_int_equal(count(dir, "uniq17y"), 0);
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  assert_int_equal(count(dir, "uniq17x"), 0);
  assert_int_equal(count(dir, "uniq17y"), 1);
  assert_int_equal(count(dir, "uniq18x"), 0);
  assert_int_equal(count(dir, "uniq500x"), 0);
  assert_int_equal(count(dir, "uniq500z"), 1);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_index_stats st;
  tt_reader_stats(r, &st);
  assert_int_equal(st.docs, 200);     /* 200 - 1 deleted + 1 new */
  tt_reader_close(r);
  assert_int_equal(tt_index_check(dir), 0);
  /* merge keeps everything and drops the deleted */
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(count(dir, "uniq17x"), 0);
  assert_int_equal(count(dir, "uniq17y"), 1);
  assert_int_equal(count(dir, "uniq18x"), 0);
  assert_int_equal(count(dir, "uniq19x"), 1);
  assert_int_equal(count(dir, "uniq500z"), 1);
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_reader_stats(r, &st);
  assert_int_equal(st.docs, 200);
  assert_int_equal(st.deleted, 0);
  assert_int_equal(st.segments, 1);
  tt_reader_close(r);
  assert_int_equal(tt_index_check(dir), 0);
  /* the merged segment's URL table (rows of blocks copied as they are, and of blocks re-added)
   * still finds documents to replace, on both sides of the deleted one */
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  int again[] = {19, 150};
  for (int k = 0; k < 2; k++) {
    tu_doc f = docs[again[k]];
    f.body = "uniqagain nội dung thay";
    tt_article c = tu_article(&f);
    assert_int_equal(tt_writer_add(w, &c), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_counts wc;
  tt_writer_counts_get(w, &wc);
  assert_int_equal(wc.replaced, 2);
  tt_writer_close(w);
  assert_int_equal(count(dir, "uniq19x"), 0);
  assert_int_equal(count(dir, "uniq150x"), 0);
  assert_int_equal(count(dir, "uniqagain"), 2);
  tu_rmrf(dir);
  free(dir);
}

/* Every URL of a merged segment of 600 documents (the URL search's interpolated start and
 * gallop, tt_segment_find_url) is found when its article comes again: all are replaced, none
 * added twice. */
static void test_replace_every_url(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)64 << 10, 1, 600);
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  for (int i = 599; i >= 0; i--) {   /* reverse order: nothing depends on the order of adding */
    tt_article a = tu_article(&docs[i]);
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_counts wc;
  tt_writer_counts_get(w, &wc);
  assert_int_equal(wc.replaced, 600);
  tt_writer_close(w);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), 0);
  tt_index_stats st;
  tt_reader_stats(r, &st);
  assert_int_equal(st.docs, 600);
  tt_reader_close(r);
  tu_rmrf(dir);
  free(dir);
}

/* Background merges (indexer/writer.c): with every merge allowed in the background and a tiny
 * budget, the pipelined writer merges while it adds, and replacements and deletions hit
 * segments that are being merged. The result must hold the same live documents as a --threads 1
 * writer given the same operations (whose merges run at the commit): after a full merge of
 * each, the dictionary, postings and doc table files are equal byte for byte and every stored
 * document is the same. */
static void bg_apply(const char *dir, int threads, tt_writer_counts *c)
{
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.memory_budget = (size_t)256 << 10;
  o.threads = threads;
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, &o), 0);
  uint64_t saved = tu_rng;
  tu_rng = 12345;
  for (int i = 0; i < 800; i++) {
    tu_doc d;
    /* a new article, or (every 5th) a new version of a recent one: it is in a segment that a
     * background merge may be reading */
    int id = i % 5 == 4 ? i - 1 - (int)(tu_next() % 60) : i;
    if (id < 0) id = i;
    tu_make(&d, id, 20 + (int)(tu_next() % 80));
    tt_article a = tu_article(&d);
    assert_int_equal(tt_writer_add(w, &a), 0);
    free(d.body);
    if (i % 97 == 96) {   /* delete a recent article (maybe deleted already: same answer in both) */
      char url[64];
      snprintf(url, sizeof url, "https://test.invalid/a/%d", i - 30 - (int)(tu_next() % 40));
      int rc = tt_writer_delete(w, url, strlen(url));
      assert_true(rc == 0 || rc == TT_ENOTFOUND);
    }
  }
  tu_rng = saved;
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_counts_get(w, c);
  tt_writer_close(w);
  assert_int_equal(tt_index_check(dir), 0);
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  assert_int_equal(tt_index_check(dir), 0);
}

static void read_all(const char *path, char **out, size_t *n)
{
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  fseek(f, 0, SEEK_END);
  *n = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  *out = malloc(*n + 1);
  assert_int_equal(fread(*out, 1, *n, f), *n);
  fclose(f);
}

static void test_background_merge(void **state)
{
  (void)state;
  char *da = tu_tempdir(), *db = tu_tempdir();
  tt_writer_set_background_merge_cost(0, 0);
  tt_writer_counts ca, cb;
  bg_apply(da, 1, &ca);
  bg_apply(db, 2, &cb);
  tt_writer_set_background_merge_cost((uint64_t)6 << 20, 160);
  assert_int_equal(ca.background_merges, 0);
  if (sysconf(_SC_NPROCESSORS_ONLN) > 1) assert_true(cb.background_merges > 0);
  assert_true(ca.merges > 0);
  assert_int_equal(ca.replaced, cb.replaced);
  assert_int_equal(ca.deleted, cb.deleted);
  assert_true(ca.replaced > 0 && ca.deleted > 0);
  tt_reader *ra, *rb;
  assert_int_equal(tt_reader_open(&ra, da, 1), 0);
  assert_int_equal(tt_reader_open(&rb, db, 1), 0);
  assert_int_equal(ra->nsegs, 1);
  assert_int_equal(rb->nsegs, 1);
  assert_int_equal(ra->segs[0].ndocs, rb->segs[0].ndocs);
  assert_int_equal(ra->segs[0].ndeleted, 0);
  assert_int_equal(rb->segs[0].ndeleted, 0);
  const char *ext[] = {"dict", "post", "dtab"};
  for (int e = 0; e < 3; e++) {
    char pa[4400], pb[4400];
    snprintf(pa, sizeof pa, "%s/%s.%s", da, ra->segs[0].name, ext[e]);
    snprintf(pb, sizeof pb, "%s/%s.%s", db, rb->segs[0].name, ext[e]);
    char *a, *b;
    size_t na, nb;
    read_all(pa, &a, &na);
    read_all(pb, &b, &nb);
    if (na != nb || memcmp(a, b, na)) fail_msg("%s files differ (%zu and %zu bytes)", ext[e], na, nb);
    free(a);
    free(b);
  }
  for (uint32_t d = 0; d < ra->segs[0].ndocs; d++) {
    tt_docstore_rec x, y;
    assert_int_equal(tt_docstore_get(ra->segs[0].docs, d, &x), 0);
    assert_int_equal(tt_docstore_get(rb->segs[0].docs, d, &y), 0);
    assert_int_equal(x.url_len, y.url_len);
    assert_memory_equal(x.url, y.url, x.url_len);
    assert_int_equal(x.body_len, y.body_len);
    assert_memory_equal(x.body, y.body, x.body_len);
  }
  tt_reader_close(ra);
  tt_reader_close(rb);
  tu_rmrf(da);
  tu_rmrf(db);
  free(da);
  free(db);
}

static void test_uncommitted_is_discarded_and_lock(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)1 << 20, 0, 50);
  tt_writer *w, *w2;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  assert_int_equal(tt_writer_open(&w2, dir, NULL), TT_ELOCKED);
  for (int i = 50; i < 100; i++) {
    tt_article a = tu_article(&docs[i]);
    assert_int_equal(tt_writer_add(w, &a), 0);
  }
  tt_writer_close(w);  /* no commit */
  assert_int_equal(count(dir, "uniq60x"), 0);
  assert_int_equal(count(dir, "uniq10x"), 1);
  assert_int_equal(tt_index_check(dir), 0);
  tu_rmrf(dir);
  free(dir);
}

/* A reader keeps seeing its commit while a writer replaces, deletes, commits and merges away
 * the very segment files it has open. */
static void test_reader_snapshot_isolation(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  index_all(dir, (size_t)64 << 10, 0, 120);
  tt_reader *old;
  assert_int_equal(tt_reader_open(&old, dir, 0), 0);
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  for (int i = 0; i < 60; i++) assert_int_equal(tt_writer_delete(w, docs[i].url, strlen(docs[i].url)), 0);
  assert_int_equal(tt_writer_commit(w), 0);
  assert_int_equal(tt_writer_merge(w, 1), 0);
  tt_writer_close(w);
  /* the old snapshot: all 120 docs, searchable and fetchable */
  tt_index_stats st;
  tt_reader_stats(old, &st);
  assert_int_equal(st.docs, 120);
  tt_results res;
  assert_int_equal(tt_search(old, "uniq5x", 6, NULL, &res), 0);
  assert_int_equal(res.total, 1);
  tt_doc d;
  assert_int_equal(tt_hit_fetch(old, res.hits[0].doc, 1, &d), 0);
  assert_memory_equal(d.url, docs[5].url, strlen(docs[5].url));
  tt_results_fini(&res);
  tt_reader_close(old);
  /* a new reader sees the new commit */
  assert_int_equal(count(dir, "uniq5x"), 0);
  assert_int_equal(count(dir, "uniq65x"), 1);
  tu_rmrf(dir);
  free(dir);
}

/* Entities become positional keyword terms: mentions counted per field, first mention first. */
static void test_entity_terms(void **state)
{
  (void)state;
  char *dir = tu_tempdir();
  tt_writer *w;
  assert_int_equal(tt_writer_open(&w, dir, NULL), 0);
  const char *title = "Thứ trưởng Bộ Y tế Trần Văn Thuấn thăm Bệnh viện Bạch Mai";
  const char *body = "Sáng nay, Thứ trưởng Trần Văn Thuấn làm việc với BV Bạch Mai về Đề án 1816. "
                     "Ông Thuấn đề nghị Bệnh viện Bạch Mai tiếp tục triển khai Đề án số 1816.";
  tt_article a = {"https://e.invalid/1", 19, title, strlen(title), "Bộ Y tế", strlen("Bộ Y tế"),
                  body, strlen(body), "", 0, 1718000000};
  assert_int_equal(tt_writer_add(w, &a), 0);
  assert_int_equal(tt_writer_commit(w), 0);
  tt_writer_close(w);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 1), 0);
  char scratch[TT_DICT_MAX_KEY + 1];
  struct { const char *key; uint32_t tft, tfb; } want[] = {
    {"person:tran van thuan", 1, 2},       /* title, full name in the body, "Ông Thuấn" */
    {"hospital:benh vien bach mai", 1, 2}, /* title, "BV Bạch Mai", full name */
    {"program:de an 1816", 0, 2},          /* "số" dropped */
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
    tt_dict_entry e;
    if (tt_dict_lookup(&r->segs[0].dict, want[i].key, strlen(want[i].key), &e, scratch))
      fail_msg("no term %s", want[i].key);
    assert_true(e.flags & TT_DICT_POSITIONAL);
    tt_plist_cursor c;
    assert_int_equal(tt_plist_open(&c, r->segs[0].post.data + e.post_off, e.post_len, 1), 0);
    assert_int_equal(tt_plist_next(&c), 0);
    if (tt_plist_tf_title(&c) != want[i].tft || tt_plist_tf_body(&c) != want[i].tfb)
      fail_msg("%s: tf title %u body %u, want %u %u", want[i].key, tt_plist_tf_title(&c), tt_plist_tf_body(&c),
               want[i].tft, want[i].tfb);
    tt_plist_close(&c);
  }
  /* one non-positional "ent:" term per entity: key, US, most frequent spelling, US, role (the
   * spelling and role copied eight bytes at a time where no control byte is among them) */
  const char *ent[] = {
    "ent:person:tran van thuan\x1FTr\xE1\xBA\xA7n V\xC4\x83n Thu\xE1\xBA\xA5n\x1F"
    "Th\xE1\xBB\xA9 tr\xC6\xB0\xE1\xBB\x9Fng B\xE1\xBB\x99 Y t\xE1\xBA\xBF",
    "ent:hospital:benh vien bach mai\x1F" "B\xE1\xBB\x87nh vi\xE1\xBB\x87n B\xE1\xBA\xA1" "ch Mai\x1F",
    "ent:program:de an 1816\x1F\xC4\x90\xE1\xBB\x81 \xC3\xA1n 1816\x1F",
  };
  for (size_t i = 0; i < sizeof ent / sizeof *ent; i++) {
    tt_dict_entry e;
    if (tt_dict_lookup(&r->segs[0].dict, ent[i], strlen(ent[i]), &e, scratch)) fail_msg("no term %s", ent[i]);
    assert_false(e.flags & TT_DICT_POSITIONAL);
    assert_int_equal(e.df, 1);
  }
  tt_reader_close(r);
  tu_rmrf(dir);
  free(dir);
}

static void corrupt_file(const char *path, long off, int truncate)
{
  int fd = open(path, O_RDWR);
  assert_true(fd >= 0);
  struct stat st;
  fstat(fd, &st);
  if (truncate) {
    assert_int_equal(ftruncate(fd, st.st_size / 2), 0);
  } else {
    unsigned char b;
    off = off % st.st_size;
    assert_int_equal(pread(fd, &b, 1, off), 1);
    b ^= 0x20;
    assert_int_equal(pwrite(fd, &b, 1, off), 1);
  }
  close(fd);
}

static void test_corruption_detected(void **state)
{
  (void)state;
  const char *exts[] = {"dict", "post", "docs", "dtab"};
  for (int k = 0; k < 4; k++) {
    for (int mode = 0; mode < 2; mode++) {
      char *dir = tu_tempdir();
      index_all(dir, (size_t)256 << 20, 0, 100);
      char path[4200];
      snprintf(path, sizeof path, "%s/seg-000001.%s", dir, exts[k]);
      corrupt_file(path, 977, mode);
      int rc = tt_index_check(dir);
      assert_true(rc == TT_ECORRUPT || rc == TT_EFORMAT);
      assert_non_null(strstr(tt_error_last(), exts[k]));
      tt_reader *r;
      rc = tt_reader_open(&r, dir, 1);
      assert_true(rc == TT_ECORRUPT || rc == TT_EFORMAT);
      tu_rmrf(dir);
      free(dir);
    }
  }
  /* a corrupted manifest is refused too */
  char *dir = tu_tempdir();
  index_all(dir, (size_t)256 << 20, 0, 20);
  char path[4200];
  snprintf(path, sizeof path, "%s/manifest", dir);
  corrupt_file(path, 20, 0);
  tt_reader *r;
  assert_int_equal(tt_reader_open(&r, dir, 0), TT_ECORRUPT);
  assert_non_null(strstr(tt_error_last(), "manifest"));
  tu_rmrf(dir);
  free(dir);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_round_trip_one_segment),
    cmocka_unit_test(test_round_trip_many_segments_and_merge),
    cmocka_unit_test(test_merge_mixed_pair_lists),
    cmocka_unit_test(test_docstore_dicts_shared),
    cmocka_unit_test(test_dict_versions),
    cmocka_unit_test(test_check_verifies_pairs),
    cmocka_unit_test(test_updates_and_deletes),
    cmocka_unit_test(test_replace_every_url),
    cmocka_unit_test(test_background_merge),
    cmocka_unit_test(test_uncommitted_is_discarded_and_lock),
    cmocka_unit_test(test_corruption_detected),
    cmocka_unit_test(test_reader_snapshot_isolation),
    cmocka_unit_test(test_entity_terms),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
