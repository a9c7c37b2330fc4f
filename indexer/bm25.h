/* indexer/bm25: the BM25F scoring constants and the per-posting impact, shared by the indexer
 * (which stores block maxima of impacts) and the query layer (which scores and bounds).
 *
 * Score of one term in one document (docs/ranking.md):
 *   ptf   = W_TITLE * tf_title / (1 - B_TITLE + B_TITLE * len_title / avg_title)
 *         +           tf_body  / (1 - B_BODY  + B_BODY  * len_body  / avg_body)
 *   score = idf * ptf * (K1 + 1) / (ptf + K1),   idf = ln(1 + (N - df + 0.5) / (df + 0.5))
 *
 * The impact stored per posting is ceil(ptf * TT_IMPACT_SCALE) computed with the SEGMENT's
 * average lengths. With the index-wide averages A at query time the true ptf is at most
 * impact/SCALE * max(1, A_title/a_title, A_body/a_body) (each field term grows at most by the
 * ratio of the averages), which is how the query layer turns block maxima into safe bounds. */
#ifndef TT_INDEXER_BM25_H
#define TT_INDEXER_BM25_H

#include <math.h>
#include <stdint.h>

#define TT_BM25_K1       1.2
#define TT_BM25_B_TITLE  0.5
#define TT_BM25_B_BODY   0.75
#define TT_BM25_W_TITLE  3.0
#define TT_IMPACT_SCALE  1024.0

static inline double tt_bm25_ptf(uint32_t tft, uint32_t tfb, uint32_t lt, uint32_t lb,
                                 double avgt, double avgb)
{
  double x = 0;
  if (tft) x += TT_BM25_W_TITLE * tft / (1 - TT_BM25_B_TITLE + TT_BM25_B_TITLE * lt / (avgt > 0 ? avgt : 1));
  if (tfb) x += tfb / (1 - TT_BM25_B_BODY + TT_BM25_B_BODY * lb / (avgb > 0 ? avgb : 1));
  return x;
}

static inline uint32_t tt_bm25_impact(double ptf)
{
  double v = ceil(ptf * TT_IMPACT_SCALE);
  return v >= 4294967295.0 ? 0xFFFFFFFFu : (uint32_t)v;
}

static inline double tt_bm25_sat(double ptf) { return ptf * (TT_BM25_K1 + 1) / (ptf + TT_BM25_K1); }

static inline double tt_bm25_idf(double N, double df)
{
  return log(1.0 + (N - df + 0.5) / (df + 0.5));
}

#endif
