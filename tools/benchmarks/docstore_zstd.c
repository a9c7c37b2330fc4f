/* Recompress the blocks of an existing document store with other zstd settings: size, compression
 * CPU and decompression CPU of each setting, on exactly the frames an index holds.
 *
 *   bench_docstore_zstd FILE.docs [--reps N] [--evict BYTES [--burst K]] SETTING...
 *
 * FILE.docs: a version-2 store (one segment's, e.g. DB/seg-000002.docs). Every block's frames are
 * decompressed once; each SETTING then compresses all body frames (or meta frames) REPS times (best
 * CPU time kept) with the file's own dictionary, checks the round trip and prints one line.
 * SETTING is a comma-separated list of key=value:
 *   level=N            zstd level (3); the dictionary is digested with ZSTD_createCDict(level),
 *                      as the writer did before docs/docstore.md "Compression parameters"
 *   hash= chain= search= minmatch= target= strategy=
 *                      override zstd's parameters for the level and dictionary size; any of them
 *                      digests the dictionary with ZSTD_createCDict_advanced(those parameters)
 *   dict=attach|copy|load  ZSTD_c_forceAttachDict (default: zstd decides by frame size)
 *   lit=0|1|2          ZSTD_c_literalCompressionMode (auto, huffman, uncompressed)
 *   frames=meta        the meta frames instead of the body frames
 *   merge=K            compress K consecutive blocks' frames as one (bigger blocks)
 *   nodict=1           no dictionary
 *   max=N              only the first N blocks
 * --evict BYTES writes one byte per cache line of a BYTES buffer before every K-th frame (K = --burst,
 * 1), untimed: the cold caches of an index run, where the worker inverts documents between two
 * blocks (40 MB: more than this machine's L3). The time is then the sum over frames.
 * For instruction counts run it under `valgrind --tool=callgrind --toggle-collect=compress_all`. */
#define ZSTD_STATIC_LINKING_ONLY /* CDict parameters, forceAttachDict, literal mode */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#include "common/endian.h"

typedef struct { unsigned char *p; size_t n; } blob;

static unsigned char *evict_buf;  /* --evict: written before every evict_every-th frame */
static size_t evict_len, evict_every = 1;

typedef struct {
  int level, hash, chain, search, minmatch, target, strategy;  /* 0 (target: -1): zstd's */
  int dict;    /* 0 auto, else a ZSTD_dictAttachPref_e */
  int lit, meta, merge, nodict, max;
} setting;

static blob *metas, *bodies;
static size_t nblocks;
static unsigned char *dmeta, *dbody;
static size_t lmeta, lbody;

static double cpu_now(void)
{
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static void die(const char *what)
{
  fprintf(stderr, "bench_docstore_zstd: %s\n", what);
  exit(1);
}

/* Read the whole file and decompress every block's two frames (layout: indexer/docstore.c). */
static void load(const char *path)
{
  FILE *f = fopen(path, "rb");
  if (!f || fseek(f, 0, SEEK_END)) die("cannot open the file");
  long len = ftell(f);
  if (len < 16 + 48 + 16) die("file too short");
  unsigned char *d = malloc((size_t)len);
  rewind(f);
  if (!d || fread(d, 1, (size_t)len, f) != (size_t)len) die("cannot read the file");
  fclose(f);
  if (tt_load_le32(d + 8) != 2) die("not a version-2 document store");
  const unsigned char *t = d + len - 16 - 48;
  uint64_t table = tt_load_le64(t), doff = tt_load_le64(t + 32);
  nblocks = tt_load_le32(t + 8);
  lmeta = tt_load_le32(t + 40);
  lbody = tt_load_le32(t + 44);
  if (table + 32 * (uint64_t)nblocks > (uint64_t)len || doff + lmeta + lbody > table)
    die("bad tail");
  dmeta = d + doff;
  dbody = d + doff + lmeta;
  metas = calloc(nblocks, sizeof *metas);
  bodies = calloc(nblocks, sizeof *bodies);
  ZSTD_DCtx *dc = ZSTD_createDCtx();
  ZSTD_DDict *dm = lmeta ? ZSTD_createDDict(dmeta, lmeta) : NULL;
  ZSTD_DDict *db = lbody ? ZSTD_createDDict(dbody, lbody) : NULL;
  for (size_t i = 0; i < nblocks; i++) {
    const unsigned char *e = d + table + 32 * i;
    uint64_t off = tt_load_le64(e);
    uint32_t mc = tt_load_le32(e + 8), mu = tt_load_le32(e + 12);
    uint32_t bc = tt_load_le32(e + 16), bu = tt_load_le32(e + 20);
    metas[i] = (blob){malloc(mu + 1u), mu};
    bodies[i] = (blob){malloc(bu + 1u), bu};
    if (off + mc + bc > doff || !metas[i].p || !bodies[i].p ||
        ZSTD_decompress_usingDDict(dc, metas[i].p, mu, d + off, mc, dm) != mu ||
        ZSTD_decompress_usingDDict(dc, bodies[i].p, bu, d + off + mc, bc, db) != bu)
      die("cannot decompress a block");
  }
  ZSTD_freeDCtx(dc);
  ZSTD_freeDDict(dm);
  ZSTD_freeDDict(db);
}

static setting parse(const char *text)
{
  setting s = {3, 0, 0, 0, 0, -1, 0, 0, 0, 0, 1, 0, 0};
  char buf[512];
  snprintf(buf, sizeof buf, "%s", text);
  for (char *tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char *eq = strchr(tok, '=');
    if (!eq) die("a setting is key=value,...");
    *eq = 0;
    const char *v = eq + 1;
    int iv = atoi(v);
    if (!strcmp(tok, "level")) s.level = iv;
    else if (!strcmp(tok, "hash")) s.hash = iv;
    else if (!strcmp(tok, "chain")) s.chain = iv;
    else if (!strcmp(tok, "search")) s.search = iv;
    else if (!strcmp(tok, "minmatch")) s.minmatch = iv;
    else if (!strcmp(tok, "target")) s.target = iv;
    else if (!strcmp(tok, "strategy")) s.strategy = iv;
    else if (!strcmp(tok, "dict"))
      s.dict = !strcmp(v, "attach") ? ZSTD_dictForceAttach
             : !strcmp(v, "copy")   ? ZSTD_dictForceCopy
             : !strcmp(v, "load")   ? ZSTD_dictForceLoad : 0;
    else if (!strcmp(tok, "lit")) s.lit = iv;
    else if (!strcmp(tok, "frames")) s.meta = !strcmp(v, "meta");
    else if (!strcmp(tok, "merge")) s.merge = iv > 0 ? iv : 1;
    else if (!strcmp(tok, "nodict")) s.nodict = iv;
    else if (!strcmp(tok, "max")) s.max = iv;
    else die("unknown setting key");
  }
  return s;
}

/* The writer's calls for one frame per input (indexer/docstore.c ds_compress): reset, reference
 * the dictionary, pledge the size, compress. Keeps the frames when out_frames is given; adds the
 * CPU time of the compression calls to *cpu. */
__attribute__((noinline)) static size_t compress_all(ZSTD_CCtx *c, const ZSTD_CDict *cd,
                                                      const blob *in, size_t n, blob *out_frames,
                                                      unsigned char *stage, size_t cap,
                                                      double *cpu)
{
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    if (evict_buf && i % evict_every == 0)
      for (size_t x = 0; x < evict_len; x += 64) evict_buf[x]++;
    double t0 = cpu_now();
    ZSTD_inBuffer src = {in[i].p, in[i].n, 0};
    ZSTD_outBuffer dst = {stage, cap, 0};
    size_t r = ZSTD_CCtx_reset(c, ZSTD_reset_session_only);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_refCDict(c, cd);
    if (!ZSTD_isError(r)) r = ZSTD_CCtx_setPledgedSrcSize(c, in[i].n);
    if (!ZSTD_isError(r)) r = ZSTD_compressStream2(c, &dst, &src, ZSTD_e_end);
    if (ZSTD_isError(r) || r != 0) die("compression failed");
    total += dst.pos;
    *cpu += cpu_now() - t0;
    if (out_frames) {
      out_frames[i].p = malloc(dst.pos);
      if (!out_frames[i].p) die("out of memory");
      memcpy(out_frames[i].p, stage, dst.pos);
      out_frames[i].n = dst.pos;
    }
  }
  return total;
}

static void run(const char *text, int reps)
{
  setting s = parse(text);
  const blob *src = s.meta ? metas : bodies;
  const unsigned char *dict = s.meta ? dmeta : dbody;
  size_t dlen = s.nodict ? 0 : s.meta ? lmeta : lbody;
  size_t n = s.max > 0 && (size_t)s.max < nblocks ? (size_t)s.max : nblocks;
  size_t ng = (n + (size_t)s.merge - 1) / (size_t)s.merge, raw = 0, biggest = 0;
  blob *in = calloc(ng, sizeof *in), *frames = calloc(ng, sizeof *frames);
  for (size_t g = 0; g < ng; g++) {
    size_t lo = g * (size_t)s.merge, hi = lo + (size_t)s.merge < n ? lo + (size_t)s.merge : n;
    for (size_t j = lo; j < hi; j++) in[g].n += src[j].n;
    in[g].p = malloc(in[g].n + 1u);
    in[g].n = 0;
    for (size_t j = lo; j < hi; j++) {
      memcpy(in[g].p + in[g].n, src[j].p, src[j].n);
      in[g].n += src[j].n;
    }
    raw += in[g].n;
    if (in[g].n > biggest) biggest = in[g].n;
  }
  ZSTD_compressionParameters cp = ZSTD_getCParams(s.level, ZSTD_CONTENTSIZE_UNKNOWN, dlen);
  int explicit_params = s.hash || s.chain || s.search || s.minmatch || s.target >= 0 || s.strategy;
  if (s.hash) cp.hashLog = (unsigned)s.hash;
  if (s.chain) cp.chainLog = (unsigned)s.chain;
  if (s.search) cp.searchLog = (unsigned)s.search;
  if (s.minmatch) cp.minMatch = (unsigned)s.minmatch;
  if (s.target >= 0) cp.targetLength = (unsigned)s.target;
  if (s.strategy) cp.strategy = (ZSTD_strategy)s.strategy;
  ZSTD_CDict *cd = NULL;
  if (dlen)
    cd = explicit_params ? ZSTD_createCDict_advanced(dict, dlen, ZSTD_dlm_byRef, ZSTD_dct_auto, cp,
                                                     ZSTD_defaultCMem)
                         : ZSTD_createCDict(dict, dlen, s.level);
  ZSTD_CCtx *c = ZSTD_createCCtx();
  if ((dlen && !cd) || !c) die("zstd refused the setting");
  ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, s.level);
  ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 1);
  ZSTD_CCtx_setParameter(c, ZSTD_c_contentSizeFlag, 1);
  ZSTD_CCtx_setParameter(c, ZSTD_c_dictIDFlag, 0);
  if (s.dict) ZSTD_CCtx_setParameter(c, ZSTD_c_forceAttachDict, s.dict);
  if (s.lit) ZSTD_CCtx_setParameter(c, ZSTD_c_literalCompressionMode, s.lit);
  if (!dlen && explicit_params) {  /* without a CDict the context's parameters apply */
    ZSTD_CCtx_setParameter(c, ZSTD_c_hashLog, (int)cp.hashLog);
    ZSTD_CCtx_setParameter(c, ZSTD_c_chainLog, (int)cp.chainLog);
    ZSTD_CCtx_setParameter(c, ZSTD_c_searchLog, (int)cp.searchLog);
    ZSTD_CCtx_setParameter(c, ZSTD_c_minMatch, (int)cp.minMatch);
    ZSTD_CCtx_setParameter(c, ZSTD_c_targetLength, (int)cp.targetLength);
    ZSTD_CCtx_setParameter(c, ZSTD_c_strategy, (int)cp.strategy);
  }
  size_t cap = ZSTD_compressBound(biggest);
  unsigned char *stage = malloc(cap), *back = malloc(biggest + 1u);
  ZSTD_DDict *dd = dlen ? ZSTD_createDDict(dict, dlen) : NULL;
  ZSTD_DCtx *dc = ZSTD_createDCtx();
  if (!stage || !back || !dc || (dlen && !dd)) die("out of memory");
  double best_c = 1e30, best_d = 1e30;
  size_t csize = 0;
  for (int r = 0; r < reps; r++) {
    double tc = 0;
    csize = compress_all(c, cd, in, ng, r == 0 ? frames : NULL, stage, cap, &tc);
    if (tc < best_c) best_c = tc;
    double t0 = cpu_now();
    for (size_t g = 0; g < ng; g++) {
      size_t got = ZSTD_decompress_usingDDict(dc, back, biggest + 1u, frames[g].p, frames[g].n, dd);
      if (got != in[g].n || memcmp(back, in[g].p, got)) die("round trip failed");
    }
    double t1 = cpu_now();
    if (t1 - t0 < best_d) best_d = t1 - t0;
  }
  printf("%-48s %6zu frames %8.2f MB -> %8.4f MB (%.3fx)  compress %.3f s cpu (%.0f MB/s)  "
         "decompress %.3f s  CDict %zu KiB  W%u C%u H%u S%u M%u T%u strategy %d\n",
         text, ng, (double)raw / 1e6, (double)csize / 1e6, (double)raw / (double)csize, best_c,
         (double)raw / 1e6 / best_c, best_d, cd ? ZSTD_sizeof_CDict(cd) / 1024 : 0, cp.windowLog,
         cp.chainLog, cp.hashLog, cp.searchLog, cp.minMatch, cp.targetLength, (int)cp.strategy);
  fflush(stdout);
  for (size_t g = 0; g < ng; g++) free(in[g].p), free(frames[g].p);
  free(in);
  free(frames);
  free(stage);
  free(back);
  ZSTD_freeCCtx(c);
  ZSTD_freeCDict(cd);
  ZSTD_freeDDict(dd);
  ZSTD_freeDCtx(dc);
}

int main(int argc, char **argv)
{
  int reps = 3, first = 2;
  if (argc < 3) {
    fprintf(stderr, "usage: bench_docstore_zstd FILE.docs [--reps N] [--evict BYTES [--burst K]] "
                    "SETTING...\n");
    return 2;
  }
  for (; first + 1 < argc && argv[first][0] == '-'; first += 2) {
    long v = atol(argv[first + 1]);
    if (!strcmp(argv[first], "--reps")) reps = v > 0 ? (int)v : 1;
    else if (!strcmp(argv[first], "--evict")) evict_len = v > 0 ? (size_t)v : 0;
    else if (!strcmp(argv[first], "--burst")) evict_every = v > 0 ? (size_t)v : 1;
    else die("unknown option");
  }
  if (evict_len && !(evict_buf = calloc(1, evict_len))) die("out of memory");
  load(argv[1]);
  printf("%s: %zu blocks, meta dictionary %zu B, body dictionary %zu B\n", argv[1], nblocks, lmeta,
         lbody);
  for (int a = first; a < argc; a++) run(argv[a], reps);
  return 0;
}
