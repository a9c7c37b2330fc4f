/* bench_codec: micro-benchmark of the postings codec (indexer/postings_codec.h, bitpack.h,
 * vbyte.h) on a synthetic Zipf-like set of postings lists.
 *
 *   bench_codec [--docs N] [--terms V] [--seed S] [--reps R]
 *
 * The set: N documents, V terms; term r (1-based rank) has df = max(1, N * 0.5 / r), doc ids
 * spread at random (geometric gaps), tf_body = 1 + geometric(0.6), tf_title = 1 with p = 0.08,
 * positions = tf_title + tf_body distinct random positions in a document of 300..900 tokens,
 * impact = a byte derived from tf. Reports encode speed, decode speed (next only, next + tf,
 * next + tf + positions), seek speed at two skip distances, bits per posting and per position
 * (against plain vbyte of the same numbers), and raw bit-unpack and vbyte speeds.
 * Timing is the best of R repetitions. Numbers are in docs/codec.md. */
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/buf.h"
#include "indexer/bitpack.h"
#include "indexer/postings_codec.h"
#include "indexer/vbyte.h"

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: robust on a shared machine */
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static uint64_t rs = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
  rs ^= rs << 13; rs ^= rs >> 7; rs ^= rs << 17;
  return rs;
}
static double unif(void) { return (double)(rnd() >> 11) * (1.0 / 9007199254740992.0); }

typedef struct list_ref {
  size_t off, len;     /* in the with-positions buffer */
  size_t off0, len0;   /* in the without-positions buffer */
  uint32_t df;
} list_ref;

static volatile uint64_t sink;

static void die(const char *what, int rc)
{
  fprintf(stderr, "bench_codec: %s failed (%d)\n", what, rc);
  exit(1);
}

int main(int argc, char **argv)
{
  uint32_t ndocs = 2000000, nterms = 200000;
  int reps = 3;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--docs") && i + 1 < argc) ndocs = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--terms") && i + 1 < argc) nterms = (uint32_t)strtoul(argv[++i], NULL, 10);
    else if (!strcmp(argv[i], "--seed") && i + 1 < argc) rs = strtoull(argv[++i], NULL, 10) | 1;
    else if (!strcmp(argv[i], "--reps") && i + 1 < argc) reps = atoi(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_codec [--docs N] [--terms V] [--seed S] [--reps R]\n");
      return 2;
    }
  }
  if (reps < 1) reps = 1;

  /* ---- generate and encode ---- */
  tt_buf all = TT_BUF_INIT, all0 = TT_BUF_INIT;
  list_ref *lists = calloc(nterms, sizeof *lists);
  tt_plist_writer w, w0;
  tt_plist_writer_init(&w, 1);
  tt_plist_writer_init(&w0, 0);
  uint64_t npost = 0, npos = 0, vb_post_bytes = 0, vb_pos_bytes = 0, small_lists = 0;
  double t_enc = 0;
  uint32_t pos[256];
  uint32_t *docs = malloc((size_t)ndocs * sizeof *docs);
  uint32_t *tft = malloc((size_t)ndocs * sizeof *tft), *tfb = malloc((size_t)ndocs * sizeof *tfb);
  uint32_t *imp = malloc((size_t)ndocs * sizeof *imp);
  uint8_t tmp[16];
  for (uint32_t r = 0; r < nterms; r++) {
    double dfd = ndocs * 0.5 / (r + 1);
    uint32_t df = dfd < 1 ? 1 : (uint32_t)dfd;
    double mean = (double)ndocs / df;
    uint32_t n = 0;
    uint64_t d = (uint64_t)(unif() * mean);
    while (n < df && d < ndocs) {
      docs[n] = (uint32_t)d;
      uint32_t b = 1;
      while (unif() < 0.4 && b < 200) b++;
      tfb[n] = b;
      tft[n] = unif() < 0.08;
      imp[n] = (uint32_t)(40 + 30 * log2(1.0 + tfb[n] + 2 * tft[n])) & 255;
      n++;
      d += 1 + (uint64_t)(-log(1.0 - unif()) * (mean - 1 > 0 ? mean - 1 : 0));
    }
    /* encode with and without positions (only the with-positions write is timed) */
    double t0 = now();
    uint32_t prev = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t np = tft[i] + tfb[i], L = 300 + (uint32_t)(rnd() % 600), p = 0;
      if (np > 256) np = 256;
      for (uint32_t k = 0; k < np; k++) {
        p += (uint32_t)(rnd() % (2 * L / np + 1)) + (k ? 1 : 0);
        pos[k] = p;
      }
      int rc = tt_plist_writer_add(&w, docs[i], tft[i], tfb[i], pos, np, imp[i]);
      if (rc) die("writer_add", rc);
      (void)prev;
      npos += np;
    }
    tt_plist_info info;
    int rc = tt_plist_writer_finish(&w, &all, &info);
    if (rc) die("writer_finish", rc);
    t_enc += now() - t0;
    lists[r].off = all.n - info.bytes;
    lists[r].len = info.bytes;
    lists[r].df = n;
    for (uint32_t i = 0; i < n; i++) {
      if ((rc = tt_plist_writer_add(&w0, docs[i], tft[i], tfb[i], NULL, 0, imp[i]))) die("add", rc);
      /* baseline: plain vbyte of gap, tf_title, tf_body; positions re-derived below */
      vb_post_bytes += tt_vbyte_encode32(tmp, i ? docs[i] - docs[i - 1] : docs[0]) +
                       tt_vbyte_encode32(tmp, tft[i]) + tt_vbyte_encode32(tmp, tfb[i]);
    }
    if ((rc = tt_plist_writer_finish(&w0, &all0, &info))) die("finish", rc);
    lists[r].off0 = all0.n - info.bytes;
    lists[r].len0 = info.bytes;
    npost += n;
    small_lists += n < TT_PLIST_BLOCK;
  }
  /* vbyte baseline for positions: decode our own lists once and re-encode the deltas */
  {
    tt_plist_cursor c;
    for (uint32_t r = 0; r < nterms; r++) {
      if (tt_plist_open(&c, (const uint8_t *)all.p + lists[r].off, lists[r].len, 1)) die("open", -1);
      while (tt_plist_next(&c) == 0) {
        const uint32_t *p;
        uint32_t m;
        if (tt_plist_positions(&c, &p, &m)) die("positions", -1);
        for (uint32_t k = 0; k < m; k++)
          vb_pos_bytes += tt_vbyte_encode32(tmp, k ? p[k] - p[k - 1] : p[0]);
      }
      tt_plist_close(&c);
    }
  }

  printf("bench_codec: %u docs, %u terms (Zipf df = N/2r), %" PRIu64 " postings, %" PRIu64
         " positions, %" PRIu64 " lists with df < 128\n", ndocs, nterms, npost, npos, small_lists);
  printf("size:   %.2f bits/posting (doc+tf+skip, list without positions; vbyte: %.2f)\n",
         all0.n * 8.0 / npost, vb_post_bytes * 8.0 / npost);
  printf("        %.2f bits/position (vbyte of the same deltas: %.2f)\n",
         (double)(all.n - all0.n) * 8.0 / npos, vb_pos_bytes * 8.0 / npos);
  {
    uint64_t bytes_big = 0, post_big = 0, lists_small = 0, bytes_small = 0;
    for (uint32_t r = 0; r < nterms; r++) {
      if (lists[r].df >= TT_PLIST_BLOCK) { bytes_big += lists[r].len0; post_big += lists[r].df; }
      else { bytes_small += lists[r].len0; lists_small++; }
    }
    printf("        %.2f bits/posting in lists with df >= 128, %.2f in the others"
           " (%.1f bytes a list)\n", bytes_big * 8.0 / post_big,
           bytes_small * 8.0 / (npost - post_big), (double)bytes_small / lists_small);
  }
  printf("        %.1f MB with positions, %.1f MB without\n", all.n / 1e6, all0.n / 1e6);
  printf("encode: %.1f M postings/s (with positions)\n", npost / t_enc / 1e6);

  /* ---- decode ---- */
  /* pass kinds: 0 next, 1 next+tf, 2 next+tf+positions, 3 next on positional lists;
   * filter: 0 all lists, 1 lists with df >= 128, 2 lists with df < 128 */
  static const char *names[] = {"next()", "next()+tf", "next()+tf+positions",
                                "next(), positional list, positions untouched"};
  for (int kind = 0; kind < 4; kind++) {
    for (int filter = 0; filter < (kind == 0 ? 3 : 1); filter++) {
      double best = 1e30;
      uint64_t np = 0, nq = 0;
      for (int rep = 0; rep < reps; rep++) {
        tt_plist_cursor c;
        uint64_t s = 0;
        np = nq = 0;
        double t0 = now();
        for (uint32_t r = 0; r < nterms; r++) {
          if ((filter == 1 && lists[r].df < 128) || (filter == 2 && lists[r].df >= 128)) continue;
          int wp = kind >= 2;
          const uint8_t *base = (const uint8_t *)(wp ? all.p + lists[r].off : all0.p + lists[r].off0);
          tt_plist_open(&c, base, wp ? lists[r].len : lists[r].len0, kind == 2);
          while (tt_plist_next(&c) == 0) {
            s += tt_plist_doc(&c);
            np++;
            if (kind == 1 || kind == 2) s += tt_plist_tf_title(&c) + tt_plist_tf_body(&c);
            if (kind == 2) {
              const uint32_t *p;
              uint32_t m;
              tt_plist_positions(&c, &p, &m);
              nq += m;
              if (m) s += p[m - 1];
            }
          }
          tt_plist_close(&c);
        }
        double el = now() - t0;
        sink += s;
        if (el < best) best = el;
      }
      printf("decode: %-45s %7.1f M postings/s (%5.2f ns/posting)", names[kind], np / best / 1e6,
             best * 1e9 / np);
      if (filter) printf(" [%s]", filter == 1 ? "lists df >= 128" : "lists df < 128");
      if (kind == 2) printf(", %.1f M positions/s (%.2f ns/position)", nq / best / 1e6, best * 1e9 / nq);
      printf("\n");
    }
  }

  /* ---- seek: lists with df >= 20000, targets every ~16 and ~1000 postings ---- */
  for (int mode = 0; mode < 2; mode++) {
    uint32_t stride = mode ? 1000 : 16;
    double best = 1e30;
    uint64_t nseek = 0;
    for (int rep = 0; rep < reps; rep++) {
      tt_plist_cursor c;
      uint64_t s = 0, k = 0;
      uint64_t state = 12345;
      double t0 = now();
      for (uint32_t r = 0; r < nterms && lists[r].df >= 20000; r++) {
        tt_plist_open(&c, (const uint8_t *)all0.p + lists[r].off0, lists[r].len0, 0);
        double mean = (double)ndocs / lists[r].df * stride;
        uint64_t t = 0;
        for (;;) {
          state ^= state << 13; state ^= state >> 7; state ^= state << 17;
          t += 1 + state % (uint64_t)(2 * mean);
          if (t > UINT32_MAX || tt_plist_seek(&c, (uint32_t)t)) break;
          s += tt_plist_doc(&c) + tt_plist_tf_body(&c);
          k++;
        }
        tt_plist_close(&c);
      }
      double el = now() - t0;
      sink += s;
      nseek = k;
      if (el < best) best = el;
    }
    printf("seek:   every ~%-4u postings:    %7.1f M seeks/s (%.1f ns/seek, %" PRIu64 " seeks)\n",
           stride, nseek / best / 1e6, best * 1e9 / (nseek ? nseek : 1), nseek);
  }

  /* ---- raw kernels ---- */
  {
    enum { NB = 4096 };
    uint32_t in[128], out[128];
    uint8_t *packed = malloc((size_t)NB * 16 * 32);
    printf("bp128 unpack (M values/s):  width");
    unsigned widths[] = {1, 4, 8, 12, 16, 24, 32};
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) printf(" %6u", widths[wi]);
    printf("\n");
    for (int impl = 0; impl < 2; impl++) {
#ifndef TT_BP128_HAVE_SSE2
      if (impl == 1) break;
#endif
      printf("  %-25s      ", impl ? "sse2" : "scalar");
      for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
        unsigned b = widths[wi];
        for (int k = 0; k < NB; k++) {
          for (int i = 0; i < 128; i++) in[i] = (uint32_t)rnd() & (b == 32 ? ~0u : (1u << b) - 1);
          tt_bp128_pack(packed + (size_t)k * 16 * b, in, b);
        }
        double best = 1e30;
        for (int rep = 0; rep < reps; rep++) {
          double t0 = now();
          uint64_t s = 0;
          for (int it = 0; it < 20; it++)
            for (int k = 0; k < NB; k++) {
#ifdef TT_BP128_HAVE_SSE2
              if (impl) tt_bp128__unpack_sse2(out, packed + (size_t)k * 16 * b, b);
              else
#endif
                tt_bp128__unpack_scalar(out, packed + (size_t)k * 16 * b, b);
              s += out[k & 127];
            }
          double el = now() - t0;
          sink += s;
          if (el < best) best = el;
        }
        printf(" %6.0f", 20.0 * NB * 128 / best / 1e6);
      }
      printf("\n");
    }
    free(packed);
    /* vbyte: 1M values, mixed 1-3 bytes */
    size_t nv = 1 << 20, nbytes = 0;
    uint8_t *vb = malloc(nv * 5);
    uint32_t *vals = malloc(nv * sizeof *vals);
    for (size_t i = 0; i < nv; i++) nbytes += tt_vbyte_encode32(vb + nbytes, (uint32_t)(rnd() % 3000));
    double best = 1e30;
    for (int rep = 0; rep < reps; rep++) {
      double t0 = now();
      if (tt_vbyte_decode32_n(vals, nv, vb, vb + nbytes) != nbytes) die("vbyte", -1);
      double el = now() - t0;
      sink += vals[nv - 1];
      if (el < best) best = el;
    }
    printf("vbyte decode (values < 3000, %.2f bytes each): %.0f M values/s\n",
           (double)nbytes / nv, nv / best / 1e6);
    free(vb);
    free(vals);
  }

  tt_plist_writer_fini(&w);
  tt_plist_writer_fini(&w0);
  tt_buf_fini(&all);
  tt_buf_fini(&all0);
  free(lists);
  free(docs);
  free(tft);
  free(tfb);
  free(imp);
  return 0;
}
