/* Helpers shared by the postings codec tests (test_codec_*.c): a reference model of a list,
 * generators, and a checker that walks a cursor against the model. Included after cmocka.h. */
#ifndef TT_TEST_CODEC_UTIL_H
#define TT_TEST_CODEC_UTIL_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "indexer/postings_codec.h"

typedef struct model_posting {
  uint32_t doc, tft, tfb, npos, impact;
  uint32_t *pos;
} model_posting;

typedef struct model_list {
  model_posting *p;
  size_t n;
  int with_pos;
} model_list;

static uint64_t tc_rng = 0x243F6A8885A308D3ull;
static inline uint64_t tc_next(void)
{
  tc_rng ^= tc_rng << 13;
  tc_rng ^= tc_rng >> 7;
  tc_rng ^= tc_rng << 17;
  return tc_rng;
}
static inline uint32_t tc_below(uint32_t n) { return n ? (uint32_t)(tc_next() % n) : 0; }

static inline void model_free(model_list *m)
{
  for (size_t i = 0; i < m->n; i++) free(m->p[i].pos);
  free(m->p);
  m->p = NULL;
  m->n = 0;
}

/* Append one posting; positions are generated: npos values strictly increasing from first,
 * gaps drawn below maxgap (>= 1). */
static inline void model_add(model_list *m, uint32_t doc, uint32_t tft, uint32_t tfb, uint32_t npos,
                             uint32_t first, uint32_t maxgap, uint32_t impact)
{
  m->p = realloc(m->p, (m->n + 1) * sizeof *m->p);
  model_posting *q = &m->p[m->n++];
  q->doc = doc;
  q->tft = tft;
  q->tfb = tfb;
  q->impact = impact;
  q->npos = m->with_pos ? npos : 0;
  q->pos = NULL;
  if (q->npos) {
    q->pos = malloc(q->npos * sizeof *q->pos);
    uint64_t p = first;
    for (uint32_t i = 0; i < q->npos; i++) {
      if (p > UINT32_MAX) p = UINT32_MAX; /* caller keeps it in range; clamp defensively */
      q->pos[i] = (uint32_t)p;
      p += 1 + tc_below(maxgap);
    }
  }
}

/* A random list of n postings: gaps from a mix of small and large, tf mostly (0,1). */
static inline void model_random(model_list *m, size_t n, int with_pos, uint32_t maxgap,
                                uint32_t maxnpos)
{
  m->with_pos = with_pos;
  uint64_t doc = tc_below(maxgap);
  for (size_t i = 0; i < n && doc <= UINT32_MAX; i++) {
    uint32_t tft = tc_below(8) == 0 ? tc_below(4) : 0;
    uint32_t tfb = tc_below(4) == 0 ? tc_below(30) : 1;
    uint32_t npos = tft + tfb;
    if (tc_below(50) == 0) npos = tc_below(maxnpos + 1);     /* explicit npos */
    if (npos > maxnpos) npos = maxnpos;
    uint32_t first = tc_below(4) == 0 ? tc_below(1u << 20) : tc_below(800);
    model_add(m, (uint32_t)doc, tft, tfb, npos, first, tc_below(4) == 0 ? 1000 : 20,
              (uint32_t)tc_next());
    doc += 1 + tc_below(maxgap);
  }
}

static inline void model_encode(const model_list *m, tt_buf *out, tt_plist_info *info)
{
  tt_plist_writer w;
  tt_plist_writer_init(&w, m->with_pos);
  for (size_t i = 0; i < m->n; i++) {
    const model_posting *q = &m->p[i];
    assert_int_equal(tt_plist_writer_add(&w, q->doc, q->tft, q->tfb, q->pos, q->npos, q->impact), 0);
  }
  assert_int_equal(tt_plist_writer_finish(&w, out, info), 0);
  tt_plist_writer_fini(&w);
}

/* Block of posting i: max impact and last doc. */
static inline uint32_t model_block_max(const model_list *m, size_t i)
{
  size_t b = i / TT_PLIST_BLOCK * TT_PLIST_BLOCK, e = b + TT_PLIST_BLOCK;
  if (e > m->n) e = m->n;
  uint32_t mx = 0;
  for (size_t k = b; k < e; k++) if (m->p[k].impact > mx) mx = m->p[k].impact;
  return mx;
}
static inline uint32_t model_block_last(const model_list *m, size_t i)
{
  size_t e = i / TT_PLIST_BLOCK * TT_PLIST_BLOCK + TT_PLIST_BLOCK;
  if (e > m->n) e = m->n;
  return m->p[e - 1].doc;
}

static inline void check_posting(tt_plist_cursor *c, const model_list *m, size_t i, int pos)
{
  const model_posting *q = &m->p[i];
  assert_int_equal(tt_plist_doc(c), q->doc);
  assert_int_equal(tt_plist_tf_title(c), q->tft);
  assert_int_equal(tt_plist_tf_body(c), q->tfb);
  assert_int_equal(tt_plist_block_max(c), model_block_max(m, i));
  assert_int_equal(tt_plist_block_last_doc(c), model_block_last(m, i));
  if (pos) {
    const uint32_t *pp;
    uint32_t np;
    assert_int_equal(tt_plist_positions(c, &pp, &np), 0);
    assert_int_equal(np, q->npos);
    if (np) assert_memory_equal(pp, q->pos, np * sizeof *pp);
  }
}

/* Open the encoding on an exact-size heap copy (so ASan sees any over-read) and walk it all. */
static inline void check_iterate(const tt_buf *enc, const model_list *m, int pos)
{
  uint8_t *copy = malloc(enc->n ? enc->n : 1);
  memcpy(copy, enc->p, enc->n);
  tt_plist_cursor c;
  assert_int_equal(tt_plist_open(&c, copy, enc->n, pos), 0);
  assert_int_equal(tt_plist_df(&c), m->n);
  uint32_t mx = 0;
  for (size_t i = 0; i < m->n; i++) if (m->p[i].impact > mx) mx = m->p[i].impact;
  assert_int_equal(tt_plist_max_impact(&c), mx);
  for (size_t i = 0; i < m->n; i++) {
    assert_int_equal(tt_plist_next(&c), 0);
    /* positions only on some postings, to exercise the lazy chunk walker */
    check_posting(&c, m, i, pos && (m->n < 300 || (i % 3) == 0));
  }
  assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
  assert_int_equal(tt_plist_next(&c), TT_ITEROVER);
  assert_int_equal(tt_plist_seek(&c, 0), TT_ITEROVER);
  assert_int_equal(tt_plist_block_max(&c), 0);
  tt_plist_close(&c);
  free(copy);
}

#endif
