/* Unit tests: indexer/postings_codec (tt_plist_*) — round trips against a model, seek and
 * shallow block moves, block-max data, small-list sizes, writer errors. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test_codec_util.h"

static void roundtrip_model(const model_list *m)
{
  tt_buf b = TT_BUF_INIT;
  tt_plist_info info;
  model_encode(m, &b, &info);
  assert_int_equal(info.df, m->n);
  assert_int_equal(info.bytes, b.n);
  uint64_t ttf = 0, tpos = 0;
  uint32_t mx = 0;
  for (size_t i = 0; i < m->n; i++) {
    ttf += (uint64_t)m->p[i].tft + m->p[i].tfb;
    tpos += m->p[i].npos;
    if (m->p[i].impact > mx) mx = m->p[i].impact;
  }
  assert_true(info.total_tf == ttf);
  assert_true(info.total_pos == tpos);
  assert_int_equal(info.max_impact, mx);
  if (m->n) {
    assert_int_equal(info.first_doc, m->p[0].doc);
    assert_int_equal(info.last_doc, m->p[m->n - 1].doc);
  }
  check_iterate(&b, m, m->with_pos);
  if (m->with_pos) check_iterate(&b, m, 0);  /* a positional list read without positions */
  tt_buf_fini(&b);
}

static void test_empty_list(void **state)
{
  (void)state;
  for (int wp = 0; wp < 2; wp++) {
    model_list m = {NULL, 0, wp};
    tt_buf b = TT_BUF_INIT;
    tt_plist_info info;
    model_encode(&m, &b, &info);
    assert_int_equal(b.n, 1);
    assert_int_equal(info.df, 0);
    tt_plist_cursor c;
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, wp), 0);
    assert_int_equal(tt_plist_df(&c), 0);
    assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
    assert_int_equal(tt_plist_seek(&c, 5), TT_ITEROVER);
    assert_int_equal(tt_plist_seek_block(&c, 5), TT_ITEROVER);
    assert_int_equal(tt_plist_next_block(&c), TT_ITEROVER);
    assert_int_equal(tt_plist_block_max(&c), 0);
    tt_plist_close(&c);
    tt_buf_fini(&b);
  }
}

static void test_single_postings(void **state)
{
  (void)state;
  uint32_t docs[] = {0, 1, 2, 127, 128, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFEu, 0xFFFFFFFFu};
  for (int wp = 0; wp < 2; wp++)
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
      model_list m = {NULL, 0, wp};
      model_add(&m, docs[i], 0, 1, 1, 17, 1, 42);
      roundtrip_model(&m);
      model_free(&m);
      /* tf (0,0), no positions; big tf and positions */
      m.with_pos = wp;
      model_add(&m, docs[i], 0, 0, 0, 0, 1, 0);
      roundtrip_model(&m);
      model_free(&m);
      m.with_pos = wp;
      model_add(&m, docs[i], 3, 70000, 5, 0xFFFFFFFFu - 100, 20, 0xFFFFFFFFu);
      roundtrip_model(&m);
      model_free(&m);
    }
}

static void test_small_lists_are_compact(void **state)
{
  (void)state;
  /* df 1: header + impact + doc + one position */
  model_list m = {NULL, 0, 1};
  model_add(&m, 1000, 0, 1, 1, 35, 1, 9);
  tt_buf b = TT_BUF_INIT;
  model_encode(&m, &b, NULL);
  assert_true(b.n <= 5);
  model_free(&m);
  tt_buf_reset(&b);
  b.n = 0;
  /* df 3 without positions, small gaps */
  m.with_pos = 0;
  model_add(&m, 10, 0, 1, 0, 0, 1, 3);
  model_add(&m, 20, 0, 1, 0, 0, 1, 3);
  model_add(&m, 30, 1, 2, 0, 0, 1, 3);
  model_encode(&m, &b, NULL);
  assert_true(b.n <= 8);
  check_iterate(&b, &m, 0);
  model_free(&m);
  tt_buf_fini(&b);
}

static void test_extreme_docs(void **state)
{
  (void)state;
  for (int wp = 0; wp < 2; wp++) {
    /* 0, 1, 2^32-1 */
    model_list m = {NULL, 0, wp};
    model_add(&m, 0, 1, 0, 1, 0, 1, 1);
    model_add(&m, 1, 0, 1, 1, 0, 1, 2);
    model_add(&m, 0xFFFFFFFFu, 0, 1, 1, 0xFFFFFFFFu, 1, 3);
    roundtrip_model(&m);
    model_free(&m);
    /* gaps of 2^31 */
    m.with_pos = wp;
    model_add(&m, 0, 0, 1, 1, 5, 1, 1);
    model_add(&m, 0x80000000u, 0, 1, 1, 5, 1, 1);
    model_add(&m, 0xFFFFFFFFu, 0, 1, 1, 5, 1, 1);
    roundtrip_model(&m);
    model_free(&m);
    /* a full block ending at 2^32-1 with huge gaps, then nothing */
    m.with_pos = wp;
    for (uint32_t i = 0; i < 128; i++) model_add(&m, 0xFFFFFFFFu - 127 * 0x1000000u + i * 0x1000000u,
                                                 0, 1, 1, i, 1, i);
    roundtrip_model(&m);
    model_free(&m);
    /* 256 postings: the last block ends at 2^32-1 */
    m.with_pos = wp;
    for (uint32_t i = 0; i < 256; i++) model_add(&m, 0xFFFFFFFFu - 255 + i, 0, 1, 1, i, 1, i);
    roundtrip_model(&m);
    model_free(&m);
  }
}

static void test_block_boundaries(void **state)
{
  (void)state;
  size_t sizes[] = {2, 3, 127, 128, 129, 255, 256, 257, 1000, 128 * 20};
  for (int wp = 0; wp < 2; wp++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      model_list m = {NULL, 0, 0};
      model_random(&m, sizes[s], wp, 50, 40);
      assert_int_equal(m.n, sizes[s]);
      roundtrip_model(&m);
      model_free(&m);
      /* dense: consecutive docs, all tf (0,1): width-0 gap and tf columns */
      m.with_pos = wp;
      for (size_t i = 0; i < sizes[s]; i++) model_add(&m, (uint32_t)i, 0, 1, 1, 0, 1, 7);
      roundtrip_model(&m);
      model_free(&m);
      /* all tf zero, no positions */
      m.with_pos = wp;
      for (size_t i = 0; i < sizes[s]; i++) model_add(&m, (uint32_t)(3 * i), 0, 0, 0, 0, 1, 0);
      roundtrip_model(&m);
      model_free(&m);
    }
}

static void test_random_lists(void **state)
{
  (void)state;
  for (int rep = 0; rep < 40; rep++) {
    int wp = rep & 1;
    size_t n = 1 + tc_below(rep < 30 ? 700 : 5000);
    uint32_t maxgap = rep % 5 == 0 ? (1u << 20) : (rep % 5 == 1 ? 3 : 300);
    model_list m = {NULL, 0, 0};
    model_random(&m, n, wp, maxgap, rep % 7 == 0 ? 3000 : 60);
    roundtrip_model(&m);
    model_free(&m);
  }
}

/* tt_plist_writer_add_gaps with the gaps of each posting's positions writes the same bytes as
 * tt_plist_writer_add with the positions (random lists, with and without positions). */
static void test_add_gaps_same_bytes(void **state)
{
  (void)state;
  for (int rep = 0; rep < 12; rep++) {
    model_list m = {NULL, 0, 0};
    model_random(&m, 1 + tc_below(rep < 8 ? 700 : 4000), rep & 1, rep % 3 ? 300 : 3, 200);
    tt_buf a = TT_BUF_INIT, b = TT_BUF_INIT;
    tt_plist_info ia, ib;
    model_encode(&m, &a, &ia);
    tt_plist_writer w;
    tt_plist_writer_init(&w, m.with_pos);
    uint32_t gaps[256];
    for (size_t i = 0; i < m.n; i++) {
      const model_posting *q = &m.p[i];
      assert_true(q->npos <= 256);
      for (uint32_t k = 0; k < q->npos; k++) gaps[k] = k ? q->pos[k] - q->pos[k - 1] - 1 : q->pos[0];
      assert_int_equal(tt_plist_writer_add_gaps(&w, q->doc, q->tft, q->tfb, gaps, q->npos, q->impact), 0);
    }
    assert_int_equal(tt_plist_writer_finish(&w, &b, &ib), 0);
    tt_plist_writer_fini(&w);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    assert_true(ia.total_pos == ib.total_pos && ia.max_impact == ib.max_impact && ia.df == ib.df);
    tt_buf_fini(&a);
    tt_buf_fini(&b);
    model_free(&m);
  }
}

/* tt_plist_position_gaps gives the stored values of each posting: turned into positions they
 * are what tt_plist_positions gives (asked in either order, or only one of them), and handed to
 * tt_plist_writer_add_gaps they rebuild the same bytes (what a merge does). Postings with
 * thousands of positions span chunks and the tail. */
static void test_position_gaps(void **state)
{
  (void)state;
  for (int rep = 0; rep < 16; rep++) {
    model_list m = {NULL, 0, 1};
    model_random(&m, 1 + tc_below(rep < 10 ? 700 : 4000), 1, rep % 3 ? 300 : 3,
                 rep % 4 == 0 ? 3000 : 200);
    tt_buf a = TT_BUF_INIT, b = TT_BUF_INIT;
    model_encode(&m, &a, NULL);
    tt_plist_cursor c;
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)a.p, a.n, 1), 0);
    tt_plist_writer w;
    tt_plist_writer_init(&w, 1);
    for (size_t i = 0; i < m.n; i++) {
      assert_int_equal(tt_plist_next(&c), 0);
      const model_posting *q = &m.p[i];
      const uint32_t *g, *pp;
      uint32_t ng, np;
      int mode = (int)(i % 3);   /* 0: gaps only, 1: positions then gaps, 2: gaps then positions */
      if (mode == 1) {
        assert_int_equal(tt_plist_positions(&c, &pp, &np), 0);
        assert_int_equal(np, q->npos);
      }
      assert_int_equal(tt_plist_position_gaps(&c, &g, &ng), 0);
      assert_int_equal(ng, q->npos);
      for (uint32_t k = 0; k < ng; k++)
        assert_int_equal(g[k], k ? q->pos[k] - q->pos[k - 1] - 1 : q->pos[0]);
      assert_int_equal(tt_plist_writer_add_gaps(&w, q->doc, tt_plist_tf_title(&c), tt_plist_tf_body(&c),
                                                g, ng, q->impact), 0);
      if (mode != 0) {
        assert_int_equal(tt_plist_positions(&c, &pp, &np), 0);
        assert_int_equal(np, q->npos);
        if (np) assert_memory_equal(pp, q->pos, (size_t)np * sizeof *pp);
      }
    }
    assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
    tt_plist_close(&c);
    assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), 0);
    tt_plist_writer_fini(&w);
    assert_int_equal(a.n, b.n);
    assert_memory_equal(a.p, b.p, a.n);
    tt_buf_fini(&a);
    tt_buf_fini(&b);
    model_free(&m);
  }
  /* gaps that describe a position past 2^32-1 (add_gaps trusts its caller) are refused by the
   * cursor as by tt_plist_positions; so is a cursor opened without positions */
  tt_plist_writer w;
  tt_plist_writer_init(&w, 1);
  uint32_t bad[2] = {0xFFFFFFF0u, 0x20};
  assert_int_equal(tt_plist_writer_add_gaps(&w, 3, 0, 2, bad, 2, 1), 0);
  tt_buf b = TT_BUF_INIT;
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), 0);
  tt_plist_writer_fini(&w);
  tt_plist_cursor c;
  const uint32_t *g;
  uint32_t ng;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_position_gaps(&c, &g, &ng), TT_ECORRUPT);
  tt_plist_close(&c);
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 0), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_position_gaps(&c, &g, &ng), TT_EINVAL);
  tt_plist_close(&c);
  tt_buf_fini(&b);
}

static void test_big_positions(void **state)
{
  (void)state;
  model_list m = {NULL, 0, 1};
  /* npos in the thousands, spanning many chunks; mixed with explicit npos and huge values */
  for (uint32_t i = 0; i < 300; i++) {
    uint32_t np = (i % 37 == 0) ? 2000 + i : (i % 5);
    uint32_t first = (i % 11 == 0) ? 0xFFFFFFFFu - 4 * np - 10 : i;
    uint32_t tft = i % 3 < np ? i % 3 : np, tfb = np - tft;
    if (i % 13 == 0) tfb += 1;  /* npos != tft + tfb */
    model_add(&m, i * 3 + 1, tft, tfb, np, first, 4, i);
  }
  roundtrip_model(&m);
  model_free(&m);
  /* one posting with TT_PLIST_MAX_NPOS positions is allowed... */
  tt_plist_writer w;
  tt_plist_writer_init(&w, 1);
  uint32_t *pos = malloc(TT_PLIST_MAX_NPOS * sizeof *pos);
  for (uint32_t i = 0; i < TT_PLIST_MAX_NPOS; i++) pos[i] = i * 2;
  assert_int_equal(tt_plist_writer_add(&w, 5, 0, TT_PLIST_MAX_NPOS, pos, TT_PLIST_MAX_NPOS, 1), 0);
  tt_buf b = TT_BUF_INIT;
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), 0);
  tt_plist_cursor c;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  const uint32_t *pp;
  uint32_t np;
  assert_int_equal(tt_plist_positions(&c, &pp, &np), 0);
  assert_int_equal(np, TT_PLIST_MAX_NPOS);
  assert_memory_equal(pp, pos, (size_t)np * sizeof *pp);
  tt_plist_close(&c);
  /* ... one more is refused */
  assert_int_equal(tt_plist_writer_add(&w, 6, 0, 1, pos, TT_PLIST_MAX_NPOS + 1, 1), TT_EINVAL);
  free(pos);
  tt_plist_writer_fini(&w);
  tt_buf_fini(&b);
}

/* Seek every doc, every gap between docs, past the end, and backwards. */
static void check_seeks(const model_list *m, int pos)
{
  tt_buf b = TT_BUF_INIT;
  model_encode(m, &b, NULL);
  tt_plist_cursor c;
  /* fresh cursor per target */
  for (size_t i = 0; i < m->n; i += (m->n > 600 ? 7 : 1)) {
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
    assert_int_equal(tt_plist_seek(&c, m->p[i].doc), 0);
    check_posting(&c, m, i, pos);
    if (m->p[i].doc > 0 && (i == 0 || m->p[i - 1].doc + 1 < m->p[i].doc)) {
      tt_plist_close(&c);
      assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
      assert_int_equal(tt_plist_seek(&c, m->p[i].doc - 1), 0);   /* between docs */
      assert_int_equal(tt_plist_doc(&c), m->p[i].doc);
    }
    tt_plist_close(&c);
  }
  /* one cursor, increasing targets (each doc and the gap before it) */
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
  for (size_t i = 0; i < m->n; i++) {
    uint32_t t = m->p[i].doc;
    if (i && t > m->p[i - 1].doc + 1 && (i & 1)) t = m->p[i - 1].doc + 1;
    assert_int_equal(tt_plist_seek(&c, t), 0);
    check_posting(&c, m, i, pos && (i % 5 == 0));
    /* backwards: stays */
    if (i) {
      assert_int_equal(tt_plist_seek(&c, m->p[i - 1].doc), 0);
      assert_int_equal(tt_plist_doc(&c), m->p[i].doc);
    }
    assert_int_equal(tt_plist_seek(&c, 0), 0);
    assert_int_equal(tt_plist_doc(&c), m->p[i].doc);
  }
  tt_plist_close(&c);
  /* strides: seek every k-th doc */
  for (size_t k = 2; k < 600; k = k * 3 + 1) {
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
    for (size_t i = k - 1; i < m->n; i += k) {
      assert_int_equal(tt_plist_seek(&c, m->p[i].doc), 0);
      check_posting(&c, m, i, 0);
      if (i + 1 < m->n) {
        assert_int_equal(tt_plist_next(&c), 0);
        check_posting(&c, m, i + 1, pos);
        i++;
      }
    }
    tt_plist_close(&c);
  }
  /* past the end */
  uint32_t last = m->p[m->n - 1].doc;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
  if (last < UINT32_MAX) {
    assert_int_equal(tt_plist_seek(&c, last + 1), TT_ITEROVER);
    assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
    assert_int_equal(tt_plist_block_last_doc(&c), UINT32_MAX);
  }
  tt_plist_close(&c);
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, pos), 0);
  assert_int_equal(tt_plist_seek(&c, last), 0);
  assert_int_equal(tt_plist_doc(&c), last);
  assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
  tt_plist_close(&c);
  tt_buf_fini(&b);
}

static void test_seek(void **state)
{
  (void)state;
  size_t sizes[] = {1, 5, 128, 129, 256, 1000, 128 * 40 + 3};
  for (int wp = 0; wp < 2; wp++)
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
      model_list m = {NULL, 0, 0};
      model_random(&m, sizes[s], wp, s & 1 ? 1000 : 10, 20);
      check_seeks(&m, wp);
      model_free(&m);
    }
}

/* A full block with frequencies of 2^23 and more: the reader's one-pass prefix sum of the
 * position counts (postings_codec.c, prefix_npos) does not apply and the checked path must give
 * the same positions, read sparsely (a fresh cursor per posting) and in sequence. */
static void test_large_frequencies(void **state)
{
  (void)state;
  model_list m = {NULL, 0, 1};
  for (uint32_t i = 0; i < 129; i++) {
    uint32_t tft = i % 3, tfb = 1 + i % 4;
    if (i == 40) tft = 1u << 23;
    if (i == 41) tfb = (1u << 23) + 3;
    model_add(&m, 10 + 3 * i, tft, tfb, tft + tfb, 2 + i, i == 40 || i == 41 ? 1 : 9, 5);
  }
  roundtrip_model(&m);
  check_seeks(&m, 1);
  model_free(&m);
}

/* Sparse position reads (a fresh cursor per posting) from chunks of every width 0..32,
 * postings of 1..9 positions, some crossing a chunk boundary. */
static void test_sparse_positions_widths(void **state)
{
  (void)state;
  for (unsigned w = 0; w <= 32; w++) {
    model_list m = {NULL, 0, 1};
    uint32_t maxgap = w <= 1 ? 1 : w == 32 ? 1u << 20 : 1u << (w > 27 ? 27 : w - 1);
    for (uint32_t i = 0; i < 300; i++) {
      uint32_t np = 1 + i % 9, tft = i % 2 < np ? i % 2 : 0;
      uint32_t first = w == 32 ? 0xF0000000u + i : w == 0 ? 0 : (i & ((1u << (w > 27 ? 27 : w)) - 1));
      if (w == 0) np = 1;   /* one position 0: every stored value 0 */
      model_add(&m, 7 + 2 * i, tft, np - tft, np, first, maxgap, 3);
    }
    check_seeks(&m, 1);
    roundtrip_model(&m);
    model_free(&m);
  }
}

static void expect_positions(tt_plist_cursor *c, const model_posting *q)
{
  const uint32_t *pp;
  uint32_t np;
  assert_int_equal(tt_plist_positions(c, &pp, &np), 0);
  assert_int_equal(np, q->npos);
  if (np) assert_memory_equal(pp, q->pos, np * sizeof *pp);
}

static void expect_gaps(tt_plist_cursor *c, const model_posting *q)
{
  const uint32_t *g;
  uint32_t ng;
  assert_int_equal(tt_plist_position_gaps(c, &g, &ng), 0);
  assert_int_equal(ng, q->npos);
  for (uint32_t j = 0; j < ng; j++)
    assert_int_equal(g[j], j ? q->pos[j] - q->pos[j - 1] - 1 : q->pos[0]);
}

/* Position offsets from the lane sums of the frequency columns (postings_codec.c, psum):
 * sparse reads in increasing order before or after the frequencies were read (the lane sums
 * are then kept while unpacking them, or summed from them), a run of consecutive
 * reads that switches the block to whole chunks mid-way, the stored gaps and a read again of
 * the same posting after them; tf_body columns of widths 0..7, and one block with an explicit
 * npos column (the other path). Every read against the model. */
static void test_sparse_position_sums(void **state)
{
  (void)state;
  for (unsigned w = 0; w <= 7; w++) {
    model_list m = {NULL, 0, 1};
    for (uint32_t i = 0; i < 128 * 6 + 17; i++) {
      uint32_t tft = i % 5 == 0 ? 1 : 0;
      uint32_t tfb = w ? 1 + tc_below((1u << w) - 1) : (tft ? 0 : 1);
      uint32_t np = tft + tfb;
      if (i == 128 * 3 + 9) np = tft + tfb + 2;   /* block 3: explicit npos */
      model_add(&m, 3 + 2 * i, tft, tfb, np, tc_below(1000), 9, 1);
    }
    tt_buf b = TT_BUF_INIT;
    model_encode(&m, &b, NULL);
    for (int mode = 0; mode < 3; mode++) {
      tt_plist_cursor c;
      assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
      size_t i = tc_below(5);
      while (i < m.n) {
        assert_int_equal(tt_plist_seek(&c, m.p[i].doc), 0);
        if (mode == 1) assert_int_equal(tt_plist_tf_body(&c), m.p[i].tfb);   /* tf first */
        expect_positions(&c, &m.p[i]);
        if (mode == 2 && i % 7 == 0) {
          expect_gaps(&c, &m.p[i]);
          expect_positions(&c, &m.p[i]);
        }
        if (i % 128 == 50) {   /* a run in sequence, then sparse again */
          for (int r = 0; r < 12 && i + 1 < m.n; r++) {
            assert_int_equal(tt_plist_next(&c), 0);
            i++;
            expect_positions(&c, &m.p[i]);
          }
        }
        i += 1 + tc_below(mode == 0 ? 6 : 20);
      }
      tt_plist_close(&c);
    }
    tt_buf_fini(&b);
    model_free(&m);
  }
}

/* Shallow moves: seek_block/next_block report the right block data and bound the next posting. */
static void test_block_moves(void **state)
{
  (void)state;
  model_list m = {NULL, 0, 0};
  model_random(&m, 128 * 30 + 17, 1, 100, 10);
  tt_buf b = TT_BUF_INIT;
  model_encode(&m, &b, NULL);
  size_t nblocks = (m.n + 127) / 128;
  tt_plist_cursor c;

  /* walk the blocks with next_block only: never decodes, reports every block */
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
  for (size_t k = 0; k < nblocks; k++) {
    assert_int_equal(tt_plist_block_last_doc(&c), model_block_last(&m, k * 128));
    assert_int_equal(tt_plist_block_max(&c), model_block_max(&m, k * 128));
    if (k + 1 < nblocks) assert_int_equal(tt_plist_next_block(&c), 0);
  }
  assert_int_equal(tt_plist_next_block(&c), TT_ITEROVER);
  assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
  tt_plist_close(&c);

  /* next_block then next(): the first posting of the next block */
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_next_block(&c), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  check_posting(&c, &m, 128, 1);
  tt_plist_close(&c);

  /* seek_block to every doc-1 target, then next() lands on the first doc >= target */
  for (size_t i = 0; i < m.n; i += 13) {
    uint32_t t = m.p[i].doc;
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
    assert_int_equal(tt_plist_seek_block(&c, t), 0);
    assert_int_equal(tt_plist_block_last_doc(&c), model_block_last(&m, i));
    assert_int_equal(tt_plist_block_max(&c), model_block_max(&m, i));
    /* a smaller shallow target does not move back */
    assert_int_equal(tt_plist_seek_block(&c, 0), 0);
    assert_int_equal(tt_plist_block_last_doc(&c), model_block_last(&m, i));
    assert_int_equal(tt_plist_next(&c), 0);
    check_posting(&c, &m, i, 1);
    tt_plist_close(&c);
    /* seek_block then a seek below the bound still honours the bound */
    assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 0), 0);
    assert_int_equal(tt_plist_seek_block(&c, t), 0);
    assert_int_equal(tt_plist_seek(&c, 0), 0);
    check_posting(&c, &m, i, 0);
    tt_plist_close(&c);
  }
  /* seek_block within the current block while on a posting */
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), 0);
  assert_int_equal(tt_plist_seek(&c, m.p[130].doc), 0);
  assert_int_equal(tt_plist_seek_block(&c, m.p[140].doc), 0);
  assert_int_equal(tt_plist_block_last_doc(&c), model_block_last(&m, 140));
  assert_int_equal(tt_plist_next(&c), 0);
  check_posting(&c, &m, 140, 1);
  assert_int_equal(tt_plist_next(&c), 0);
  check_posting(&c, &m, 141, 1);
  /* seek_block past the end */
  assert_int_equal(tt_plist_seek_block(&c, m.p[m.n - 1].doc + 1), TT_ITEROVER);
  assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
  tt_plist_close(&c);
  /* a BMW-style loop: visit only blocks whose max passes a threshold */
  uint32_t thr = 0xF0000000u;
  size_t expect = 0, got = 0;
  for (size_t i = 0; i < m.n; i++) if (model_block_max(&m, i) >= thr) expect++;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 0), 0);
  for (;;) {
    if (tt_plist_block_max(&c) < thr) {
      if (tt_plist_next_block(&c)) break;
      continue;
    }
    uint32_t last = tt_plist_block_last_doc(&c);
    int rc;
    while ((rc = tt_plist_next(&c)) == 0) {
      got++;
      if (tt_plist_doc(&c) == last) break;
    }
    if (rc || tt_plist_next_block(&c)) break;
  }
  assert_int_equal(got, expect);
  tt_plist_close(&c);
  model_free(&m);
  tt_buf_fini(&b);
}

static void test_single_block_moves(void **state)
{
  (void)state;
  model_list m = {NULL, 0, 0};
  model_random(&m, 50, 0, 10, 5);
  tt_buf b = TT_BUF_INIT;
  model_encode(&m, &b, NULL);
  tt_plist_cursor c;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 0), 0);
  assert_int_equal(tt_plist_block_last_doc(&c), m.p[49].doc);
  assert_int_equal(tt_plist_block_max(&c), model_block_max(&m, 0));
  assert_int_equal(tt_plist_seek_block(&c, m.p[20].doc), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_doc(&c), m.p[20].doc);
  assert_int_equal(tt_plist_next_block(&c), TT_ITEROVER);
  tt_plist_close(&c);
  model_free(&m);
  tt_buf_fini(&b);
}

static void test_writer_errors(void **state)
{
  (void)state;
  tt_plist_writer w;
  tt_plist_writer_init(&w, 1);
  uint32_t pos[3] = {1, 5, 5};
  tt_buf b = TT_BUF_INIT;
  /* positions not increasing */
  assert_int_equal(tt_plist_writer_add(&w, 3, 0, 3, pos, 3, 0), TT_EINVAL);
  /* poisoned until reset */
  assert_int_equal(tt_plist_writer_add(&w, 4, 0, 1, pos, 1, 0), TT_EINVAL);
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), TT_EINVAL);
  assert_int_equal(b.n, 0);
  tt_plist_writer_reset(&w);
  assert_int_equal(tt_plist_writer_add(&w, 4, 0, 1, pos, 1, 0), 0);
  /* doc not increasing */
  assert_int_equal(tt_plist_writer_add(&w, 4, 0, 1, pos, 1, 0), TT_EINVAL);
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), TT_EINVAL);
  tt_plist_writer_reset(&w);
  /* npos without a pointer */
  assert_int_equal(tt_plist_writer_add(&w, 4, 0, 1, NULL, 1, 0), TT_EINVAL);
  tt_plist_writer_reset(&w);
  /* the writer is reusable: two lists back to back in one buffer */
  assert_int_equal(tt_plist_writer_add(&w, 4, 0, 1, pos, 1, 0), 0);
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), 0);
  size_t first = b.n;
  for (uint32_t d = 0; d < 300; d++) assert_int_equal(tt_plist_writer_add(&w, d, 0, 1, pos, 1, d), 0);
  tt_plist_info info;
  assert_int_equal(tt_plist_writer_finish(&w, &b, &info), 0);
  assert_int_equal(info.df, 300);
  assert_int_equal(info.bytes, b.n - first);
  tt_plist_cursor c;
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, first, 1), 0);
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_doc(&c), 4);
  tt_plist_close(&c);
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p + first, b.n - first, 1), 0);
  for (uint32_t d = 0; d < 300; d++) {
    assert_int_equal(tt_plist_next(&c), 0);
    assert_int_equal(tt_plist_doc(&c), d);
  }
  tt_plist_close(&c);
  /* a list written without positions: opening it with positions is refused; positions() is
   * refused on a cursor opened without them */
  tt_plist_writer_fini(&w);
  tt_plist_writer_init(&w, 0);
  tt_buf_reset(&b);
  assert_int_equal(tt_plist_writer_add(&w, 1, 0, 1, NULL, 0, 0), 0);
  assert_int_equal(tt_plist_writer_finish(&w, &b, NULL), 0);
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 1), TT_ECORRUPT);
  tt_plist_close(&c);
  assert_int_equal(tt_plist_open(&c, (const uint8_t *)b.p, b.n, 0), 0);
  const uint32_t *pp;
  uint32_t np;
  assert_int_equal(tt_plist_positions(&c, &pp, &np), TT_EINVAL);  /* not on a posting yet */
  assert_int_equal(tt_plist_next(&c), 0);
  assert_int_equal(tt_plist_positions(&c, &pp, &np), TT_EINVAL);
  tt_plist_close(&c);
  tt_plist_writer_fini(&w);
  tt_buf_fini(&b);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_empty_list),
    cmocka_unit_test(test_single_postings),
    cmocka_unit_test(test_small_lists_are_compact),
    cmocka_unit_test(test_extreme_docs),
    cmocka_unit_test(test_block_boundaries),
    cmocka_unit_test(test_random_lists),
    cmocka_unit_test(test_add_gaps_same_bytes),
    cmocka_unit_test(test_big_positions),
    cmocka_unit_test(test_position_gaps),
    cmocka_unit_test(test_seek),
    cmocka_unit_test(test_large_frequencies),
    cmocka_unit_test(test_sparse_positions_widths),
    cmocka_unit_test(test_sparse_position_sums),
    cmocka_unit_test(test_block_moves),
    cmocka_unit_test(test_single_block_moves),
    cmocka_unit_test(test_writer_errors),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
