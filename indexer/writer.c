/* The index writer and reader snapshot (include/timtin/index.h).
 *
 * Writer state: the last committed manifest, every live segment (committed or flushed in this
 * session) with a working copy of its deletion bitmap, and the segment being built in memory.
 * A commit flushes the builder, writes changed deletion bitmaps under a new delete generation,
 * fsyncs the directory and replaces the manifest; only then is garbage removed. The writer
 * lock is an flock() on dir/LOCK, so it dies with the process. */
#include "timtin/index.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/dict.h"
#include "indexer/inverter.h"
#include "indexer/merge.h"
#include "indexer/dupindex.h"
#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"
#include "timtin/entities.h"
#include "text/simhash.h"

typedef struct wseg {
  tt_segment seg;
  uint8_t *del;     /* working deletion bitmap (tt_malloc'd), NULL = nothing deleted */
  int dirty;        /* del differs from what is on disk */
  uint32_t delgen;  /* generation of the del file on disk (0 none) */
} wseg;

/* A segment under construction, with the URLs of its documents (for replacement) and the
 * deletions that hit it before it became a segment. */
typedef struct bstate {
  tt_segbuild *b;
  char name[TT_SEG_NAME_MAX];
  uint64_t *urls;                 /* open addressing: url hash (0 = empty; hash 0 mapped to 1) */
  uint32_t *docs;
  size_t slots, n;
  uint8_t *del;                   /* deletions inside the builder */
  size_t delcap;
  uint32_t ndocs;                 /* documents, when handed to a flusher */
} bstate;

struct tt_writer {
  char dir[4096];
  int lock_fd;
  int rc;                         /* sticky: set by a failure that may have lost data */
  tt_index_options opts;
  tt_manifest man;                /* last commit */
  wseg *segs;
  uint32_t nsegs, capsegs;
  bstate cur;                     /* the segment being built (cur.b NULL until the first add) */
  bstate fl;                      /* the segment a flusher thread is finishing (fl.b set) */
  int flushing;                   /* a flusher thread was started and not yet joined */
  int fl_done;                    /* set (atomically) by the flusher thread when it ends */
  pthread_t flusher;
  int fl_rc;                      /* its result ... */
  char fl_msg[1024];              /* ... and message */
  uint32_t next_segment;
  tt_analyzer *at, *ab, *ak;
  tt_entities *ent;               /* entity recognizer (caller thread) */
  tt_entity_tally *tally;         /* the entities of the article being added ("ent:" terms) */
  tt_token *kw;                  /* field keywords of the article being added */
  size_t nkw, capkw;
  tt_buf kwbuf;
  tt_writer_counts counts;
  tt_buf zmeta, zbody;            /* document-store dictionaries every new segment uses ... */
  int zhave;                      /* ... once one segment has them (docs/docstore.md) */
  /* pipeline (opts.threads != 1): the caller analyzes, a worker thread inverts and stores */
  int threaded;
  int mu_live;                   /* mu and cv initialized (destroyed at close) */
  pthread_t worker;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  struct batch *queue[2];        /* batches waiting for the worker */
  int qn;                        /* batches queued */
  int busy;                      /* the worker holds a batch */
  int stop;
  struct batch *fill;            /* batch the caller is filling */
  char wmsg[1024];               /* message of the worker's failure */
  /* seconds per phase, printed by tt_writer_close under TIMTIN_DEBUG_PIPELINE (a figure that
   * does not depend on the machine's load, unlike wall time) */
  double t_caller_wait, t_worker_wait, t_final, t_merge, t_bgmerge, t_merge_wait;
  double c_final, c_merge, c_bgmerge;  /* CPU seconds of the thread doing it */
  double c_worker, c_flusher;    /* CPU seconds of the worker thread, of the flusher threads */
  int time_ent;                  /* TIMTIN_DEBUG_PIPELINE: time the recognizer's calls ... */
  double c_ent;                  /* ... their CPU seconds (thread CPU, in the analyzing thread) */
  double t_worker;               /* the worker thread's lifetime (wall seconds) */
  double t_join;                 /* seconds spent joining flusher threads (finish_flush) */
  double fl_cpu;                 /* the last flusher thread's, added to c_flusher at its join */
  struct mjob *mj;               /* background merge, NULL when none runs */
  tt_dspool *dsp;                /* pipeline: the caller compresses the builders' document-store
                                    blocks when it would wait for the worker (help_or_wait) */
  unsigned n_helped;             /* blocks it compressed */
  double t_help;                 /* seconds it spent on them */
};

/* A merge running in a background thread while ingestion goes on (pipeline only). It works on
 * its own opened copies of the input segments and snapshots of their deletion bitmaps; the
 * deletions that hit the inputs meanwhile are carried to the merged segment when it is
 * installed (merge_install). Its output is named in no manifest until a commit after the
 * install, so a crash leaves only garbage. */
typedef struct mjob {
  pthread_t th;
  char name[TT_SEG_NAME_MAX];     /* the merged segment */
  uint32_t n;                     /* inputs: adjacent segments of w->segs at the start */
  tt_segment *in;                 /* the job's own opened copies */
  uint8_t **snap;                 /* their deletion bitmaps at the start (NULL = none) */
  int zstd_level;
  const char *dir;
  int rc;
  char msg[1024];
  double secs, cpu;
  uint64_t cost;                  /* estimated working set (merge_maybe_start) */
  int done;                       /* set (atomically) by the thread when it ends */
  uint32_t nopen;                 /* inputs opened */
} mjob;

/* An analyzed article, self-contained: every string lives in mem. */
typedef struct adoc {
  tt_article a;
  tt_token *toks;       /* ntitle + nbody + nkw tokens */
  size_t ntitle, nbody, nkw;
  uint32_t title_end;
  uint64_t simhash;     /* tt_simhash_doc of the body, computed by the caller thread */
  uint64_t *hash;       /* tt_inverter_hash_tokens of toks, computed by the caller thread */
  char *mem;
} adoc;

typedef struct batch {
  adoc *docs;
  size_t n, cap, bytes;
} batch;

static int drain(tt_writer *w);
static void merge_abandon(tt_writer *w);
static int merge_install(tt_writer *w, int wait);
static void merge_maybe_start(tt_writer *w);
static void stop_worker(tt_writer *w);
static int start_worker(tt_writer *w);

#define BATCH_DOCS  256
#define BATCH_BYTES ((size_t)2 << 20)

/* ------------------------------------------------------------------ helpers */

static double now_mono(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double now_cpu(void)  /* this thread's CPU time */
{
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* pthread_cond_wait, its time added to *acc */
static void timed_wait(pthread_cond_t *cv, pthread_mutex_t *mu, double *acc)
{
  double t = now_mono();
  pthread_cond_wait(cv, mu);
  *acc += now_mono() - t;
}

static int ensure_dir(const char *dir)
{
  if (mkdir(dir, 0755) && errno != EEXIST)
    return tt_error_set(TT_EIO, "mkdir %s: %s", dir, strerror(errno));
  struct stat st;
  if (stat(dir, &st) || !S_ISDIR(st.st_mode))
    return tt_error_set(TT_EIO, "%s: not a directory", dir);
  return 0;
}

static void bit_set(uint8_t *b, uint32_t d) { b[d >> 3] |= (uint8_t)(1u << (d & 7)); }
static int bit_get(const uint8_t *b, uint32_t d) { return b && (b[d >> 3] >> (d & 7) & 1); }

/* Remove files that the committed manifest does not name (leftovers of a crash or of
 * segments merged away). Only called with the lock held. */
static void collect_garbage(tt_writer *w)
{
  DIR *d = opendir(w->dir);
  if (!d) return;
  struct dirent *e;
  while ((e = readdir(d))) {
    const char *n = e->d_name;
    if (strncmp(n, "seg-", 4)) {
      if (!strcmp(n, TT_MANIFEST_NAME ".tmp")) goto drop;
      continue;
    }
    const char *dot = strchr(n, '.');
    if (!dot) continue;
    size_t len = (size_t)(dot - n);
    int keep = 0;
    for (uint32_t i = 0; i < w->man.nsegs; i++) {
      const tt_manifest_seg *s = &w->man.segs[i];
      if (strlen(s->name) != len || strncmp(s->name, n, len)) continue;
      if (!strncmp(dot, ".del-", 5)) keep = (uint32_t)strtoul(dot + 5, NULL, 10) == s->delgen;
      else keep = 1;
    }
    /* the segment being built (not yet in any manifest) */
    if (w->cur.b && strlen(w->cur.name) == len && !strncmp(w->cur.name, n, len)) keep = 1;
    if (w->mj && strlen(w->mj->name) == len && !strncmp(w->mj->name, n, len)) keep = 1;
    for (uint32_t i = 0; i < w->nsegs; i++)
      if (strlen(w->segs[i].seg.name) == len && !strncmp(w->segs[i].seg.name, n, len) &&
          strncmp(dot, ".del-", 5))
        keep = 1;
    if (keep) continue;
  drop:;
    char p[4400];
    snprintf(p, sizeof p, "%s/%s", w->dir, n);
    unlink(p);
  }
  closedir(d);
}

static int add_wseg(tt_writer *w, const char *name, uint32_t delgen)
{
  if (w->nsegs == w->capsegs) {
    uint32_t cap = w->capsegs ? w->capsegs * 2 : 16;
    wseg *s = tt_realloc(w->segs, cap * sizeof *s);
    TT_CHECK_ALLOC(s);
    w->segs = s;
    w->capsegs = cap;
  }
  wseg *s = &w->segs[w->nsegs];
  memset(s, 0, sizeof *s);
  TT_FORWARD(tt_segment_open(&s->seg, w->dir, name, delgen, 0));
  s->delgen = delgen;
  if (s->seg.del) {
    size_t nb = ((size_t)s->seg.ndocs + 7) / 8;
    s->del = tt_malloc(nb);
    if (!s->del) { tt_segment_close(&s->seg); return tt_error_set(TT_ENOMEM, "out of memory"); }
    memcpy(s->del, s->seg.del, nb);
  }
  w->nsegs++;
  return 0;
}

static void drop_wseg(wseg *s)
{
  tt_segment_close(&s->seg);
  tt_free(s->del);
}

/* ------------------------------------------------------------------ open / close */

/* Keep d (if it holds a dictionary) as the one new segments use: every segment of the index
 * then compresses with the same dictionaries, and a merge copies their blocks as they are. */
static int keep_dicts(tt_writer *w, const tt_docstore_dicts *d)
{
  if (w->zhave || (!d->meta_len && !d->body_len)) return 0;
  tt_buf_reset(&w->zmeta);
  tt_buf_reset(&w->zbody);
  if (tt_buf_append(&w->zmeta, d->meta, d->meta_len) ||
      tt_buf_append(&w->zbody, d->body, d->body_len))
    return tt_error_set(TT_ENOMEM, "out of memory");
  w->zhave = 1;
  return 0;
}

int tt_writer_open(tt_writer **out, const char *dir, const tt_index_options *opts)
{
  *out = NULL;
  tt_index_options def = TT_INDEX_OPTIONS_INIT;
  if (!opts) opts = &def;
  if (opts->version != TT_INDEX_OPTIONS_VERSION)
    return tt_error_set(TT_EINVAL, "tt_index_options version %u, expected %u", opts->version, TT_INDEX_OPTIONS_VERSION);
  if (strlen(dir) > 4000) return tt_error_set(TT_EINVAL, "index path too long");
  TT_FORWARD(ensure_dir(dir));
  tt_writer *w = tt_calloc(1, sizeof *w);
  TT_CHECK_ALLOC(w);
  snprintf(w->dir, sizeof w->dir, "%s", dir);
  w->opts = *opts;
  if (w->opts.memory_budget < ((size_t)64 << 10)) w->opts.memory_budget = (size_t)64 << 10;
  w->lock_fd = -1;
  int rc;
  char p[4200];
  snprintf(p, sizeof p, "%s/LOCK", dir);
  w->lock_fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (w->lock_fd < 0) { rc = tt_error_set(TT_EIO, "open %s: %s", p, strerror(errno)); goto fail; }
  if (flock(w->lock_fd, LOCK_EX | LOCK_NB)) {
    rc = errno == EWOULDBLOCK ? tt_error_set(TT_ELOCKED, "%s: another writer is working on this index", dir)
                              : tt_error_set(TT_EIO, "flock %s: %s", p, strerror(errno));
    goto fail;
  }
  rc = tt_manifest_read(&w->man, dir);
  if (rc == TT_ENOTFOUND) {
    memset(&w->man, 0, sizeof w->man);
    w->man.analyzer = TT_ANALYZER_VERSION;
    w->man.next_segment = 1;
    rc = tt_manifest_write(&w->man, dir);
  }
  if (rc) goto fail;
  w->next_segment = w->man.next_segment;
  for (uint32_t i = 0; i < w->man.nsegs; i++)
    if ((rc = add_wseg(w, w->man.segs[i].name, w->man.segs[i].delgen))) goto fail;
  for (uint32_t i = w->nsegs; i-- > 0 && !w->zhave;) {
    tt_docstore_dicts d;
    tt_docstore_get_dicts(w->segs[i].seg.docs, &d);
    if ((rc = keep_dicts(w, &d))) goto fail;
  }
  if ((rc = tt_analyzer_new(&w->at)) || (rc = tt_analyzer_new(&w->ab)) || (rc = tt_analyzer_new(&w->ak)) ||
      (rc = tt_entities_new(&w->ent)) || (rc = tt_entity_tally_new(&w->tally))) goto fail;
  w->time_ent = getenv("TIMTIN_DEBUG_PIPELINE") != NULL;
  collect_garbage(w);
  if (w->opts.threads != 1 && sysconf(_SC_NPROCESSORS_ONLN) > 1 && (rc = start_worker(w))) goto fail;
  *out = w;
  return 0;
fail:
  tt_writer_close(w);
  return rc;
}

static void bstate_free(bstate *bs)
{
  tt_segbuild_abort(bs->b);
  tt_free(bs->urls);
  tt_free(bs->docs);
  tt_free(bs->del);
  memset(bs, 0, sizeof *bs);
}

static void drop_builder(tt_writer *w) { bstate_free(&w->cur); }

/* Wait for a background flush that may still run; its segment becomes garbage. */
static void abandon_flush(tt_writer *w)
{
  if (!w->flushing) return;
  pthread_join(w->flusher, NULL);
  w->flushing = 0;
  bstate_free(&w->fl);
}

void tt_writer_close(tt_writer *w)
{
  if (!w) return;
  int debug = getenv("TIMTIN_DEBUG_PIPELINE") != NULL;
  if (debug)
    fprintf(stderr, "pipeline: caller waited %.3fs, worker waited %.3fs, final flush %.3fs, merges %.3fs, "
            "background merges %.3fs (%u; waited for %.3fs); CPU of the committing thread in the final flush %.3fs, "
            "in merges %.3fs, background merge threads %.3fs\n", w->t_caller_wait, w->t_worker_wait, w->t_final,
            w->t_merge, w->t_bgmerge, (unsigned)w->counts.background_merges, w->t_merge_wait,
            w->c_final, w->c_merge, w->c_bgmerge);
  double caller_cpu = now_cpu();
  stop_worker(w);
  /* the caller's figure includes its reading and parsing, and the final flush and merges */
  if (debug)
    fprintf(stderr, "pipeline: thread CPU: caller %.3fs, worker %.3fs (of %.3fs alive), flushers %.3fs "
            "(waited for %.3fs); the caller compressed %u document-store blocks in %.3fs; entity recognition "
            "(tt_entities_find) %.3fs\n", caller_cpu, w->c_worker, w->t_worker, w->c_flusher, w->t_join,
            w->n_helped, w->t_help, w->c_ent);
  merge_abandon(w);
  abandon_flush(w);
  drop_builder(w);
  for (uint32_t i = 0; i < w->nsegs; i++) drop_wseg(&w->segs[i]);
  tt_free(w->segs);
  w->segs = NULL;
  w->nsegs = 0;
  /* segments flushed but never committed are garbage now */
  if (w->lock_fd >= 0 && w->man.analyzer) collect_garbage(w);
  tt_manifest_fini(&w->man);
  tt_analyzer_free(w->at);
  tt_analyzer_free(w->ab);
  tt_analyzer_free(w->ak);
  tt_entities_free(w->ent);
  tt_entity_tally_free(w->tally);
  tt_free(w->kw);
  tt_buf_fini(&w->kwbuf);
  tt_buf_fini(&w->zmeta);
  tt_buf_fini(&w->zbody);
  if (w->lock_fd >= 0) close(w->lock_fd);
  tt_dspool_free(w->dsp);  /* every builder and flush is gone now */
  if (w->mu_live) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
  }
  tt_free(w);
}

void tt_writer_counts_get(tt_writer *w, tt_writer_counts *out)
{
  drain(w);
  *out = w->counts;
}

/* ------------------------------------------------------------------ builder */

static int start_builder(tt_writer *w)
{
  snprintf(w->cur.name, sizeof w->cur.name, "seg-%06u", w->next_segment++);
  w->cur.slots = 1024;
  w->cur.urls = tt_calloc(w->cur.slots, sizeof *w->cur.urls);
  w->cur.docs = tt_calloc(w->cur.slots, sizeof *w->cur.docs);
  if (!w->cur.urls || !w->cur.docs) return tt_error_set(TT_ENOMEM, "out of memory");
  TT_FORWARD(tt_segbuild_new(&w->cur.b, w->dir, w->cur.name, w->opts.zstd_level));
  if (w->dsp) tt_segbuild_set_dspool(w->cur.b, w->dsp);
  if (!w->zhave) return 0;
  tt_docstore_dicts d = {w->zmeta.p, w->zmeta.n, w->zbody.p, w->zbody.n};
  return tt_segbuild_use_dicts(w->cur.b, &d);
}

static int cur_put(tt_writer *w, uint64_t h, uint32_t doc)
{
  if (!h) h = 1;
  if ((w->cur.n + 1) * 2 > w->cur.slots) {
    size_t n = w->cur.slots * 2;
    uint64_t *u = tt_calloc(n, sizeof *u);
    uint32_t *d = tt_calloc(n, sizeof *d);
    if (!u || !d) { tt_free(u); tt_free(d); return tt_error_set(TT_ENOMEM, "out of memory"); }
    for (size_t i = 0; i < w->cur.slots; i++) {
      if (!w->cur.urls[i]) continue;
      size_t j = w->cur.urls[i] & (n - 1);
      while (u[j]) j = (j + 1) & (n - 1);
      u[j] = w->cur.urls[i];
      d[j] = w->cur.docs[i];
    }
    tt_free(w->cur.urls);
    tt_free(w->cur.docs);
    w->cur.urls = u;
    w->cur.docs = d;
    w->cur.slots = n;
  }
  size_t j = h & (w->cur.slots - 1);
  while (w->cur.urls[j] && w->cur.urls[j] != h) j = (j + 1) & (w->cur.slots - 1);
  if (!w->cur.urls[j]) w->cur.n++;
  w->cur.urls[j] = h;
  w->cur.docs[j] = doc;
  return 0;
}

/* Local doc of hash h in a builder, or -1. */
static int64_t bs_get(const bstate *bs, uint64_t h)
{
  if (!bs->urls) return -1;
  if (!h) h = 1;
  size_t j = h & (bs->slots - 1);
  while (bs->urls[j]) {
    if (bs->urls[j] == h) return bs->docs[j];
    j = (j + 1) & (bs->slots - 1);
  }
  return -1;
}

static int bs_delete(bstate *bs, uint32_t doc)
{
  size_t need = (size_t)doc / 8 + 1;
  if (need > bs->delcap) {
    size_t cap = need * 2 + 64;
    uint8_t *b = tt_realloc(bs->del, cap);
    TT_CHECK_ALLOC(b);
    memset(b + bs->delcap, 0, cap - bs->delcap);
    bs->del = b;
    bs->delcap = cap;
  }
  bit_set(bs->del, doc);
  return 0;
}

/* Mark the copy of hash h in a builder deleted; counts it in *found. */
static int bs_delete_hash(bstate *bs, uint64_t h, int *found)
{
  int64_t d = bs_get(bs, h);
  if (d >= 0 && !(bs->del && (size_t)d / 8 < bs->delcap && bit_get(bs->del, (uint32_t)d))) {
    TT_FORWARD(bs_delete(bs, (uint32_t)d));
    (*found)++;
  }
  return 0;
}

/* A finished builder becomes a live (uncommitted) segment, with the deletions it collected. */
static int adopt(tt_writer *w, bstate *bs)
{
  int rc = add_wseg(w, bs->name, 0);
  if (rc) return w->rc = rc;
  wseg *s = &w->segs[w->nsegs - 1];
  /* what opening touched, and the URL lookups in the older segments since the last flush */
  for (uint32_t i = 0; i < w->nsegs; i++) tt_segment_release_pages(&w->segs[i].seg);
  if (bs->del) {
    size_t nb = ((size_t)bs->ndocs + 7) / 8;
    s->del = tt_calloc(1, nb);
    if (!s->del) return w->rc = tt_error_set(TT_ENOMEM, "out of memory");
    memcpy(s->del, bs->del, nb < bs->delcap ? nb : bs->delcap);
    s->dirty = 1;
  }
  w->counts.flushed_segments++;
  return 0;
}

static void *flusher_main(void *arg)
{
  tt_writer *w = arg;
  int rc = tt_segbuild_finish(w->fl.b);   /* frees the builder in every case */
  w->fl.b = NULL;
  w->fl_rc = rc;
  if (rc) snprintf(w->fl_msg, sizeof w->fl_msg, "%s", tt_error_last());
  w->fl_cpu = now_cpu();
  __atomic_store_n(&w->fl_done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Wait for the background flush, if any, and adopt its segment. */
static int finish_flush(tt_writer *w)
{
  if (!w->flushing) return 0;
  double t = now_mono();
  pthread_join(w->flusher, NULL);
  w->t_join += now_mono() - t;
  w->flushing = 0;
  w->c_flusher += w->fl_cpu;
  int rc = w->fl_rc;
  if (rc) tt_error_set(rc, "%s", w->fl_msg), w->rc = rc;
  else rc = adopt(w, &w->fl);
  bstate_free(&w->fl);
  malloc_trim(0);  /* a finished builder's memory goes back to the system, not to a thread's arena */
  return rc;
}

/* Finish the builder as a new (uncommitted) segment: in a flusher thread when background is
 * set (the worker goes on with a new builder; one flush at a time, so two builders at most,
 * each under half the budget), else here. */
static int flush_builder(tt_writer *w, int background)
{
  TT_FORWARD(finish_flush(w));
  /* a merge started now would run beside the flush of this full builder, the pipeline's
   * largest moment: merge_maybe_start refuses it unless its estimate is 0 (tests); merges
   * start when add_analyzed finds the flush done */
  if (background) {
    TT_FORWARD(merge_install(w, 0));
    merge_maybe_start(w);
  }
  if (!w->cur.b) return 0;
  uint32_t n = tt_segbuild_ndocs(w->cur.b);
  if (n == 0) { drop_builder(w); return 0; }
  w->cur.ndocs = n;
  tt_docstore_dicts d;
  if (!w->zhave && tt_segbuild_get_dicts(w->cur.b, &d)) TT_FORWARD(keep_dicts(w, &d));
  if (background) {
    w->fl = w->cur;
    memset(&w->cur, 0, sizeof w->cur);
    w->fl_rc = 0;
    w->fl_done = 0;
    if (pthread_create(&w->flusher, NULL, flusher_main, w) == 0) {
      w->flushing = 1;
      return 0;
    }
    w->cur = w->fl;  /* no thread: flush here */
    memset(&w->fl, 0, sizeof w->fl);
  }
  /* here no other builder holds memory (finish_flush above), so with the pipeline the half of
   * the budget a flushing builder may take is free: a helper thread encodes half the postings.
   * Not while a background merge runs: that merge has the memory (and the other core). */
  int helper = w->threaded && !(w->mj && !__atomic_load_n(&w->mj->done, __ATOMIC_ACQUIRE));
  int rc = tt_segbuild_finish_parallel(w->cur.b, helper);
  w->cur.b = NULL;
  if (rc) { drop_builder(w); return w->rc = rc; }
  rc = adopt(w, &w->cur);
  drop_builder(w);
  /* no malloc_trim here (unlike after a flusher thread): the freed memory is in this thread's
   * arena and the next builder reuses it (100k, --threads 1: sys 1.76 -> 1.33 s, same peak RSS) */
  return rc;
}

/* ------------------------------------------------------------------ add / delete */

typedef struct find_ctx { tt_writer *w; wseg *s; int found; } find_ctx;

static void mark_deleted(void *ctx, uint32_t doc)
{
  find_ctx *c = ctx;
  wseg *s = c->s;
  if (bit_get(s->del, doc)) return;
  if (!s->del) {
    s->del = tt_calloc(1, ((size_t)s->seg.ndocs + 7) / 8);
    if (!s->del) { c->w->rc = tt_error_set(TT_ENOMEM, "out of memory"); return; }
  }
  bit_set(s->del, doc);
  s->dirty = 1;
  c->found++;
}

/* Delete every live copy of the URL with hash h; returns how many. */
static int delete_hash(tt_writer *w, uint64_t h, int *found)
{
  *found = 0;
  for (uint32_t i = 0; i < w->nsegs; i++) {
    find_ctx c = {w, &w->segs[i], 0};
    tt_segment_find_url(&w->segs[i].seg, h, mark_deleted, &c);
    if (w->rc) return w->rc;
    *found += c.found;
  }
  TT_FORWARD(bs_delete_hash(&w->cur, h, found));
  if (w->flushing) TT_FORWARD(bs_delete_hash(&w->fl, h, found));
  return 0;
}

/* Add analyzed tokens of article a to the builder (replacing its URL). Caller thread when
 * unthreaded, the worker otherwise. */
static int add_analyzed(tt_writer *w, const tt_article *a, const tt_token *title, size_t ntitle,
                        const tt_token *body, size_t nbody, const tt_token *kw, size_t nkw,
                        uint32_t title_end, uint64_t simhash, const uint64_t *hash)
{
  if (!w->cur.b && start_builder(w)) return w->rc = TT_ENOMEM;
  uint64_t h = tt_url_hash(a->url, a->url_len);
  int found, rc;
  if ((rc = delete_hash(w, h, &found))) return w->rc = rc;
  if (found) w->counts.replaced++;
  uint32_t doc;
  rc = tt_segbuild_add(w->cur.b, a, title, ntitle, body, nbody, kw, nkw, title_end, simhash, hash, &doc);
  if (rc) return w->rc = rc;
  if ((rc = cur_put(w, h, doc))) return w->rc = rc;
  w->counts.added++;
  size_t limit = w->opts.memory_budget;
  if (w->threaded) {
    /* a background flush that has ended: adopt its segment now, and start a merge it may
     * complete, to run while this builder grows (not beside the next flush) */
    if (w->flushing && __atomic_load_n(&w->fl_done, __ATOMIC_ACQUIRE)) {
      if ((rc = finish_flush(w)) || (rc = merge_install(w, 0))) return w->rc = rc;
      merge_maybe_start(w);
    }
    /* half the budget, less what a running merge is estimated to hold: the builder handed to
     * the flusher and the merge then fit in the half the flusher may take */
    limit = w->opts.memory_budget / 2;
    if (w->mj && !__atomic_load_n(&w->mj->done, __ATOMIC_ACQUIRE)) limit -= w->mj->cost;
  }
  if (tt_segbuild_bytes(w->cur.b) > limit) return flush_builder(w, w->threaded);
  return 0;
}

static void batch_free(batch *b)
{
  if (!b) return;
  for (size_t i = 0; i < b->n; i++) tt_free(b->docs[i].mem);
  tt_free(b->docs);
  tt_free(b);
}

static void *worker_main(void *arg)
{
  tt_writer *w = arg;
  double t0 = now_mono();
  pthread_mutex_lock(&w->mu);
  for (;;) {
    while (!w->qn && !w->stop) timed_wait(&w->cv, &w->mu, &w->t_worker_wait);
    if (!w->qn && w->stop) break;
    batch *b = w->queue[0];
    w->queue[0] = w->queue[1];
    w->qn--;
    w->busy = 1;
    int failed = w->rc != 0;
    pthread_mutex_unlock(&w->mu);
    int rc = 0;
    for (size_t i = 0; i < b->n && !rc && !failed; i++) {
      adoc *d = &b->docs[i];
      rc = add_analyzed(w, &d->a, d->toks, d->ntitle, d->toks + d->ntitle, d->nbody,
                        d->toks + d->ntitle + d->nbody, d->nkw, d->title_end, d->simhash, d->hash);
    }
    batch_free(b);
    pthread_mutex_lock(&w->mu);
    if (rc && !w->rc) {
      w->rc = rc;
      snprintf(w->wmsg, sizeof w->wmsg, "%s", tt_error_last());
    }
    w->busy = 0;
    pthread_cond_broadcast(&w->cv);
  }
  w->c_worker = now_cpu();  /* read after the join (stop_worker) */
  w->t_worker = now_mono() - t0;
  pthread_mutex_unlock(&w->mu);
  return NULL;
}

/* The caller, about to wait for the worker (w->mu held): compress a queued document-store
 * block of the worker's instead, if one waits (the worker would compress it itself, on the
 * path that bounds the wall time), else wait. */
static void help_or_wait(tt_writer *w)
{
  if (w->dsp && tt_dspool_pending(w->dsp)) {
    pthread_mutex_unlock(&w->mu);
    double t = now_mono();
    w->n_helped += (unsigned)tt_dspool_help(w->dsp);
    w->t_help += now_mono() - t;
    pthread_mutex_lock(&w->mu);
    return;
  }
  timed_wait(&w->cv, &w->mu, &w->t_caller_wait);
}

/* A block was queued (worker or flusher thread): wake the caller if it waits. */
static void dsp_notify(void *ctx)
{
  tt_writer *w = ctx;
  pthread_mutex_lock(&w->mu);
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* Hand the batch being filled to the worker (waiting while two are queued). */
static void submit_fill(tt_writer *w)
{
  if (!w->fill || !w->fill->n) return;
  pthread_mutex_lock(&w->mu);
  while (w->qn == 2) help_or_wait(w);
  w->queue[w->qn++] = w->fill;
  w->fill = NULL;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
}

/* Wait until the worker has added everything submitted. Returns the worker's error, if any. */
static int drain(tt_writer *w)
{
  if (!w->threaded) return w->rc;
  submit_fill(w);
  pthread_mutex_lock(&w->mu);
  while (w->qn || w->busy) help_or_wait(w);
  int rc = w->rc;
  pthread_mutex_unlock(&w->mu);
  if (rc && w->wmsg[0]) tt_error_set(rc, "%s", w->wmsg);
  if (!rc) rc = finish_flush(w);  /* the worker is idle: its background flush can be adopted */
  return rc;
}

static int start_worker(tt_writer *w)
{
  pthread_mutex_init(&w->mu, NULL);
  pthread_cond_init(&w->cv, NULL);
  if (pthread_create(&w->worker, NULL, worker_main, w)) {
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    return 0;  /* fall back to one thread */
  }
  w->threaded = 1;
  w->mu_live = 1;
  if (tt_dspool_new(&w->dsp, dsp_notify, w)) w->dsp = NULL;  /* no helper: the worker compresses */
  return 0;
}

static void stop_worker(tt_writer *w)
{
  if (!w->threaded) return;
  pthread_mutex_lock(&w->mu);
  w->stop = 1;
  pthread_cond_broadcast(&w->cv);
  pthread_mutex_unlock(&w->mu);
  pthread_join(w->worker, NULL);
  for (int i = 0; i < w->qn; i++) batch_free(w->queue[i]);
  w->qn = 0;
  batch_free(w->fill);
  w->fill = NULL;
  w->threaded = 0;
  /* mu and cv outlive the worker: a flusher still running queues blocks (dsp_notify) until
   * tt_writer_close joins it */
}

/* Copy an article and its tokens into one allocation. The analyzer's exact and folded forms
 * lie packed in its arenas, so for the title and the body each side is one block copy (the
 * tokens re-pointed into it) when its bytes are dense; otherwise, and for the keywords, each
 * string is copied on its own. */
typedef struct strspan {
  const char *lo, *hi;  /* bytes covering every string of the side, NULs included */
  size_t sum;           /* their own bytes, NULs included */
  int block;            /* copy [lo, hi) as one block */
} strspan;

static void span_of(strspan *sp, const tt_token *t, size_t n, int folded)
{
  sp->lo = sp->hi = NULL;
  sp->sum = 0;
  for (size_t i = 0; i < n; i++) {
    const char *s = folded ? t[i].folded : t[i].exact;
    size_t len = (folded ? t[i].folded_len : t[i].exact_len) + (size_t)1;
    /* compared as integers: the strings need not share one block */
    if (!sp->lo || (uintptr_t)s < (uintptr_t)sp->lo) sp->lo = s;
    if (!sp->hi || (uintptr_t)s + len > (uintptr_t)sp->hi) sp->hi = s + len;
    sp->sum += len;
  }
  sp->block = n && (uintptr_t)sp->hi - (uintptr_t)sp->lo <= 2 * sp->sum + 64;
}

static size_t span_bytes(const strspan *sp) { return sp->block ? (size_t)(sp->hi - sp->lo) : sp->sum; }

/* Copy the side (exact or folded) of n tokens src into p, pointing dst's at the copies. */
static char *copy_side(char *p, const strspan *sp, const tt_token *src, tt_token *dst, size_t n, int folded)
{
  if (sp->block) {
    memcpy(p, sp->lo, (size_t)(sp->hi - sp->lo));
    for (size_t i = 0; i < n; i++) {
      if (folded) dst[i].folded = p + (src[i].folded - sp->lo);
      else dst[i].exact = p + (src[i].exact - sp->lo);
    }
    return p + (sp->hi - sp->lo);
  }
  for (size_t i = 0; i < n; i++) {
    const char *s = folded ? src[i].folded : src[i].exact;
    size_t len = (folded ? src[i].folded_len : src[i].exact_len) + (size_t)1;
    memcpy(p, s, len);
    if (folded) dst[i].folded = p;
    else dst[i].exact = p;
    p += len;
  }
  return p;
}

static int copy_doc(adoc *d, const tt_article *a, const tt_analysis *ta, const tt_analysis *tb,
                    const tt_token *kw, size_t nkw, uint32_t title_end)
{
  const tt_token *src[3] = {ta->tokens, tb->tokens, kw};
  size_t cnt[3] = {ta->n, tb->n, nkw};
  strspan sp[3][2];
  size_t n = a->url_len + a->title_len + a->source_len + a->body_len + a->id_len + 5;
  for (int g = 0; g < 3; g++)
    for (int f = 0; f < 2; f++) {
      span_of(&sp[g][f], src[g], cnt[g], f);
      if (g == 2) sp[g][f].block = 0;  /* keywords: exact and folded are the same string */
      n += span_bytes(&sp[g][f]);
    }
  size_t nt = ta->n + tb->n + nkw;
  size_t toff = (n + 15) & ~(size_t)15;
  size_t hoff = toff + nt * sizeof(tt_token);  /* tt_token is 8-aligned: so are the hashes */
  char *mem = tt_malloc(hoff + (nt ? nt : 1) * sizeof(uint64_t));
  TT_CHECK_ALLOC(mem);
  char *p = mem;
#define COPY(field, len) do { const char *src_ = a->field ? a->field : ""; memcpy(p, src_, a->len); p[a->len] = 0; \
    d->a.field = p; d->a.len = a->len; p += a->len + 1; } while (0)
  COPY(url, url_len);
  COPY(title, title_len);
  COPY(source, source_len);
  COPY(body, body_len);
  COPY(id, id_len);
#undef COPY
  d->a.published = a->published;
  d->toks = (tt_token *)(mem + toff);
  tt_token *dst = d->toks;
  for (int g = 0; g < 3; g++) {
    if (!cnt[g]) continue;
    memcpy(dst, src[g], cnt[g] * sizeof *dst);
    p = copy_side(p, &sp[g][0], src[g], dst, cnt[g], 0);
    p = copy_side(p, &sp[g][1], src[g], dst, cnt[g], 1);
    dst += cnt[g];
  }
  /* the term hashes here, on the analyzing thread: the inverting worker bounds the wall time */
  d->hash = (uint64_t *)(mem + hoff);
  tt_inverter_hash_tokens(d->toks, nt, d->hash);
  d->ntitle = ta->n;
  d->nbody = tb->n;
  d->nkw = nkw;
  d->title_end = title_end;
  d->mem = mem;
  return 0;
}

/* Field keywords of an article (docs/format.md "Field keywords"): "source:" + each folded
 * syllable of the source name, "url:" + the host (without www.) and "url:" + each lower-case
 * alphanumeric piece of the host and path. Stored in w->kw / w->kwbuf until the next call. */
static int kw_add_at(tt_writer *w, const char *prefix, size_t pl, const char *s, size_t n, uint32_t flags,
                     uint32_t pos)
{
  if (!n || pl + n > TT_DICT_MAX_KEY || w->nkw >= 4096) return 0;
  if (tt_array_reserve(w->kw, w->capkw, w->nkw + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  if (tt_buf_reserve(&w->kwbuf, pl + n + 1)) return TT_ENOMEM;
  tt_token *t = &w->kw[w->nkw++];
  memset(t, 0, sizeof *t);
  t->folded = (const char *)(uintptr_t)w->kwbuf.n;  /* offset; fixed up when done */
  t->folded_len = (uint32_t)(pl + n);
  t->flags = flags;
  t->pos = pos;
  char *p = w->kwbuf.p + w->kwbuf.n;
  memcpy(p, prefix, pl);
  memcpy(p + pl, s, n);
  p[pl + n] = 0;
  w->kwbuf.n += pl + n + 1;
  return 0;
}

/* prefix: a string literal (its strlen folds to a constant here) */
static inline int kw_add(tt_writer *w, const char *prefix, const char *s, size_t n)
{
  return kw_add_at(w, prefix, strlen(prefix), s, n, TT_TOKEN_KEYWORD, UINT32_MAX);
}

/* Entity mentions of one field as positional keywords "person:", "hospital:", "program:" +
 * the recognizer's folded key, at the position of each mention's first token; the mentions are
 * also tallied for the article's "ent:" terms. */
static int add_entities(tt_writer *w, const char *text, size_t len, const tt_analysis *an, unsigned flags)
{
  const tt_entity_mention *m;
  size_t n;
  /* timed only for the debug figure: a thread-CPU clock read is a system call */
  double t0 = w->time_ent ? now_cpu() : 0;
  int rc = tt_entities_find(w->ent, text, len, an, flags, &m, &n);
  if (w->time_ent) w->c_ent += now_cpu() - t0;
  TT_FORWARD(rc);
  for (size_t i = 0; i < n; i++) {
    if (m[i].first_token >= an->n) continue;
    int ty = m[i].type;
    const char *prefix = ty == TT_ENT_PERSON ? "person:" : ty == TT_ENT_HOSPITAL ? "hospital:" : "program:";
    size_t pl = ty == TT_ENT_PERSON ? 7 : ty == TT_ENT_HOSPITAL ? 9 : 8;
    TT_FORWARD(kw_add_at(w, prefix, pl, m[i].key, m[i].key_len, TT_TOKEN_KEYWORD_POS, an->tokens[m[i].first_token].pos));
  }
  return tt_entity_tally_add(w->tally, m, n, an);
}

/* Bytes of s[0, n) that fit in max without cutting a UTF-8 sequence. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
  if (n <= max) return n;
  while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80) max--;
  return max;
}

/* Copy with control bytes as spaces, so no byte of a name can pass for the separator. Eight
 * bytes at a time while none is below 0x20 ((x - 0x20..) & ~x & 0x80.. is nonzero exactly
 * when one is), then byte by byte. */
static void copy_printable(char *dst, const char *src, size_t n)
{
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x;
    memcpy(&x, src + i, 8);
    if ((x - 0x2020202020202020ull) & ~x & 0x8080808080808080ull) break;
    memcpy(dst + i, &x, 8);
  }
  for (; i < n; i++) dst[i] = (unsigned char)src[i] < 0x20 ? ' ' : src[i];
}

/* One non-positional term per entity of the article (docs/format.md "Entity terms"):
 * "ent:" + type + ":" + key + US + canonical spelling + US + role (US = 0x1F, below every
 * printable byte, so the spellings of one key sort together right after it). The document
 * frequency of a term is then the number of articles whose most frequent spelling and role of
 * that entity were these, and the sum over a key's terms is its article count. Too long for a
 * dictionary key: the role is cut (at a character), then dropped with the spelling. */
static int add_entity_terms(tt_writer *w, uint32_t title_end)
{
  const tt_entity_summary *s;
  size_t n;
  TT_FORWARD(tt_entity_tally_get(w->tally, title_end, &s, &n));
  char k[TT_DICT_MAX_KEY + 1];
  memcpy(k, "ent:", 4);   /* the whole key built here, then added without a prefix */
  for (size_t i = 0; i < n; i++) {
    const char *tn = tt_entity_type_name(s[i].type);
    size_t kl = strlen(s[i].key), cl = strlen(s[i].canonical), rl = strlen(s[i].role);
    size_t at = strlen(tn);
    memcpy(k + 4, tn, at);      /* type names are short: "hospital" at most */
    at += 4;
    k[at++] = ':';
    if (at + kl + 2 > TT_DICT_MAX_KEY) continue;
    memcpy(k + at, s[i].key, kl);
    at += kl;
    k[at++] = 0x1F;
    if (at + cl + 1 <= TT_DICT_MAX_KEY) {
      copy_printable(k + at, s[i].canonical, cl);
      at += cl;
      k[at++] = 0x1F;
      size_t room = TT_DICT_MAX_KEY - at;
      size_t r = utf8_cut(s[i].role, rl, room);
      copy_printable(k + at, s[i].role, r);
      at += r;
    } else {
      k[at++] = 0x1F;
    }
    TT_FORWARD(kw_add_at(w, "", 0, k, at, TT_TOKEN_KEYWORD, UINT32_MAX));
  }
  return 0;
}

static int build_keywords(tt_writer *w, const tt_article *a, const tt_analysis *ta, const tt_analysis *tb)
{
  w->nkw = 0;
  tt_buf_reset(&w->kwbuf);
  if (w->opts.entities) {
    tt_entity_tally_reset(w->tally);
    TT_FORWARD(add_entities(w, a->title ? a->title : "", a->title_len, ta, 0));
    TT_FORWARD(add_entities(w, a->body ? a->body : "", a->body_len, tb, TT_ENT_CONTINUE));
    TT_FORWARD(add_entity_terms(w, (uint32_t)ta->n + 1));
  } else {
    /* No recognition: the article is marked, so readers can tell its entities are unknown
     * (not absent). "ent:none" cannot collide with "ent:<type>:..." terms. */
    TT_FORWARD(kw_add(w, "ent:", "none", 4));
  }
  if (a->source_len) {
    tt_analysis an;
    TT_FORWARD(tt_analyze(w->ak, a->source, a->source_len, 0, &an));
    for (size_t i = 0; i < an.n; i++) TT_FORWARD(kw_add(w, "source:", an.tokens[i].folded, an.tokens[i].folded_len));
  }
  /* url: lower-case, scheme stripped */
  char u[512];
  size_t n = a->url_len < sizeof u ? a->url_len : sizeof u;
  for (size_t i = 0; i < n; i++) u[i] = (char)((a->url[i] >= 'A' && a->url[i] <= 'Z') ? a->url[i] + 32 : a->url[i]);
  size_t i = 0;
  const char *sch = memmem(u, n, "://", 3);
  if (sch) i = (size_t)(sch - u) + 3;
  size_t host = i;
  while (i < n && u[i] != '/' && u[i] != '?' && u[i] != '#') i++;
  size_t h0 = host;
  if (i - h0 > 4 && !memcmp(u + h0, "www.", 4)) h0 += 4;
  TT_FORWARD(kw_add(w, "url:", u + h0, i - h0));
  for (size_t k = host; k < n;) {
    while (k < n && !((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= '0' && u[k] <= '9'))) k++;
    size_t s = k;
    while (k < n && ((u[k] >= 'a' && u[k] <= 'z') || (u[k] >= '0' && u[k] <= '9'))) k++;
    if (k > s && k - s <= 40) TT_FORWARD(kw_add(w, "url:", u + s, k - s));
  }
  for (size_t k = 0; k < w->nkw; k++) w->kw[k].folded = w->kwbuf.p + (uintptr_t)w->kw[k].folded;
  for (size_t k = 0; k < w->nkw; k++) w->kw[k].exact = w->kw[k].folded, w->kw[k].exact_len = w->kw[k].folded_len;
  return 0;
}

int tt_writer_add(tt_writer *w, const tt_article *a)
{
  if (w->threaded) {
    pthread_mutex_lock(&w->mu);
    int rc = w->rc;
    pthread_mutex_unlock(&w->mu);
    if (rc) return tt_error_set(rc, "%s", w->wmsg);
  } else if (w->rc) {
    return w->rc;
  }
  if (!a->url || !a->url_len) return tt_error_set(TT_EINVAL, "article without a URL");
  if (a->body_len > ((size_t)1 << 30) || a->title_len > ((size_t)1 << 20) || a->url_len > ((size_t)1 << 16))
    return tt_error_set(TT_EINVAL, "article too large (url %zu, title %zu, body %zu bytes)",
                        a->url_len, a->title_len, a->body_len);
  tt_analysis ta, tb;
  int rc = tt_analyze(w->at, a->title ? a->title : "", a->title_len, 0, &ta);
  if (rc) return rc;
  uint32_t title_end = (uint32_t)ta.n + 1;
  rc = tt_analyze(w->ab, a->body ? a->body : "", a->body_len, title_end, &tb);
  if (rc) return rc;
  TT_FORWARD(build_keywords(w, a, &ta, &tb));
  /* the fingerprint here, not in the builder: with the pipeline this is the analyzing thread,
   * and the inverting worker is the one that bounds the wall time */
  uint64_t sim = tt_simhash_doc(a->body, a->body_len);
  if (!w->threaded) return add_analyzed(w, a, ta.tokens, ta.n, tb.tokens, tb.n, w->kw, w->nkw, title_end, sim, NULL);

  if (!w->fill) {
    w->fill = tt_calloc(1, sizeof *w->fill);
    TT_CHECK_ALLOC(w->fill);
  }
  batch *b = w->fill;
  if (tt_array_reserve(b->docs, b->cap, b->n + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  TT_FORWARD(copy_doc(&b->docs[b->n], a, &ta, &tb, w->kw, w->nkw, title_end));
  b->docs[b->n].simhash = sim;
  b->n++;
  b->bytes += a->body_len + (ta.n + tb.n) * (sizeof(tt_token) + sizeof(uint64_t) + 16);
  if (b->n >= BATCH_DOCS || b->bytes >= BATCH_BYTES) submit_fill(w);
  return 0;
}

int tt_writer_delete(tt_writer *w, const char *url, size_t url_len)
{
  TT_FORWARD(drain(w));
  if (w->rc) return w->rc;
  int found;
  TT_FORWARD(delete_hash(w, tt_url_hash(url, url_len), &found));
  if (!found) return tt_error_set(TT_ENOTFOUND, "no article with URL %.*s", (int)(url_len > 300 ? 300 : url_len), url);
  w->counts.deleted++;
  return 0;
}

/* ------------------------------------------------------------------ commit */

static uint32_t live_count(const wseg *s)
{
  uint32_t n = s->seg.ndocs;
  if (!s->del) return n;
  uint32_t d = 0;
  for (size_t i = 0; i < ((size_t)n + 7) / 8; i++) d += (uint32_t)__builtin_popcount(s->del[i]);
  return n - d;
}

static int commit(tt_writer *w)
{
  drain(w);
  if (w->rc) return tt_error_set(w->rc, "the writer failed earlier and cannot commit: %s", tt_error_last());
  double t0 = now_mono(), c0 = now_cpu();
  int frc = flush_builder(w, 0);
  w->t_final += now_mono() - t0;
  w->c_final += now_cpu() - c0;
  if (frc) return frc;
  TT_FORWARD(merge_install(w, 1));  /* a background merge ran on while the last flush was written */
  uint64_t gen = w->man.generation + 1;
  tt_manifest m = {gen, TT_ANALYZER_VERSION, w->next_segment, 0, NULL};
  m.segs = tt_malloc((w->nsegs ? w->nsegs : 1) * sizeof *m.segs);
  TT_CHECK_ALLOC(m.segs);
  int rc = 0;
  for (uint32_t i = 0; i < w->nsegs && !rc; i++) {
    wseg *s = &w->segs[i];
    if (live_count(s) == 0) continue;  /* fully deleted: drop from the manifest */
    if (s->dirty) {
      if ((uint32_t)gen != gen) { rc = tt_error_set(TT_EINVAL, "generation overflow"); break; }
      rc = tt_segment_write_del(w->dir, s->seg.name, (uint32_t)gen, s->del, s->seg.ndocs);
      if (rc) break;
    }
    tt_manifest_seg *ms = &m.segs[m.nsegs++];
    snprintf(ms->name, sizeof ms->name, "%s", s->seg.name);
    ms->docs = s->seg.ndocs;
    ms->delgen = s->dirty ? (uint32_t)gen : s->delgen;
  }
  if (!rc) rc = tt_fsync_dir(w->dir);
  if (!rc) rc = tt_manifest_write(&m, w->dir);
  if (rc) {
    tt_manifest_fini(&m);
    return w->rc = rc;
  }
  /* committed: adopt the new state */
  for (uint32_t i = 0, j = 0; i < w->nsegs; i++) {
    wseg *s = &w->segs[i];
    if (live_count(s) == 0) { drop_wseg(s); continue; }
    if (s->dirty) { s->delgen = (uint32_t)gen; s->dirty = 0; }
    w->segs[j++] = *s;
  }
  w->nsegs = m.nsegs;
  tt_manifest_fini(&w->man);
  w->man = m;
  collect_garbage(w);
  return 0;
}

int tt_writer_commit(tt_writer *w)
{
  TT_FORWARD(commit(w));
  if (w->opts.merge) return tt_writer_merge(w, 0);
  return 0;
}

/* ------------------------------------------------------------------ merge */

/* Tiered policy: segments are grouped by size tier (factor 10); when a tier holds
 * TT_MERGE_FACTOR or more segments, they merge into one. Returns the [lo, hi) range of
 * adjacent segments to merge, or lo == hi for none. Adjacent, so doc order is kept. */
#define TT_MERGE_FACTOR 8
static void pick_merge(const tt_writer *w, int full, uint32_t *lo, uint32_t *hi)
{
  *lo = *hi = 0;
  if (full) {
    if (w->nsegs > 1 || (w->nsegs == 1 && w->segs[0].seg.ndeleted)) *hi = w->nsegs;
    return;
  }
  /* find a run of >= FACTOR adjacent segments whose sizes are within one tier of the run's
   * smallest; prefer the newest (smallest) segments */
  for (uint32_t start = 0; start < w->nsegs; start++) {
    uint32_t end = start;
    uint64_t min = UINT64_MAX, max = 0;
    while (end < w->nsegs) {
      uint64_t n = w->segs[end].seg.ndocs;
      uint64_t nmin = n < min ? n : min, nmax = n > max ? n : max;
      if (nmax > nmin * 10 + 1000) break;
      min = nmin;
      max = nmax;
      end++;
    }
    if (end - start >= TT_MERGE_FACTOR) {  /* the newest FACTOR of the run: one tier up */
      *lo = end - TT_MERGE_FACTOR;
      *hi = end;
      return;
    }
  }
}

static int merge_loop(tt_writer *w, int full);

/* ------------------------------------------------------------------ background merge */

static uint64_t bg_cost_fixed = (uint64_t)6 << 20, bg_cost_per_doc = 160;

void tt_writer_set_background_merge_cost(uint64_t fixed, uint64_t per_doc)
{
  bg_cost_fixed = fixed;
  bg_cost_per_doc = per_doc;
}

static void mjob_free(mjob *j)
{
  if (!j) return;
  for (uint32_t i = 0; i < j->nopen; i++) tt_segment_close(&j->in[i]);
  for (uint32_t i = 0; j->snap && i < j->n; i++) tt_free(j->snap[i]);
  tt_free(j->in);
  tt_free(j->snap);
  tt_free(j);
}

static void *merge_main(void *arg)
{
  mjob *j = arg;
  double t0 = now_mono();
  const tt_segment *in[TT_MANIFEST_MAX_SEGMENTS];
  const uint8_t *dels[TT_MANIFEST_MAX_SEGMENTS];
  for (uint32_t i = 0; i < j->n; i++) { in[i] = &j->in[i]; dels[i] = j->snap[i]; }
  j->rc = tt_merge_segments(j->dir, j->name, in, dels, j->n, j->zstd_level);
  if (j->rc) snprintf(j->msg, sizeof j->msg, "%s", tt_error_last());
  j->secs = now_mono() - t0;
  j->cpu = now_cpu();
  __atomic_store_n(&j->done, 1, __ATOMIC_RELEASE);
  return NULL;
}

/* Start merging the range pick_merge chooses, if no merge runs. Failing to start is not an
 * error: the merge then happens at the commit, as without the pipeline. Called by the thread
 * that owns w->segs (the worker while it runs, else the caller). */
static void merge_maybe_start(tt_writer *w)
{
  if (w->mj || !w->threaded || !w->opts.merge || w->rc || w->flushing) return;
  uint32_t lo, hi;
  pick_merge(w, 0, &lo, &hi);
  if (lo == hi) return;
  /* its memory comes on top of the builders': only when its working set is at most a quarter
   * of the budget; a larger merge waits for the commit, as before. Estimate: 6 MiB (zstd, the
   * input pages being read: measured 6.3 MiB for 20k documents) + 160 B per document (doc-id
   * map 4, output doc table 40, the largest postings list twice, ~100 at 1M documents) */
  uint64_t docs = 0;
  for (uint32_t i = lo; i < hi; i++) docs += w->segs[i].seg.ndocs;
  uint64_t cost = bg_cost_fixed + bg_cost_per_doc * docs;
  if (cost > w->opts.memory_budget / 4) return;
  /* while it runs the builder is handed to the flusher at half the budget less the cost
   * (add_analyzed): not when the builder is already past that */
  if (cost && w->cur.b && tt_segbuild_bytes(w->cur.b) + cost > w->opts.memory_budget / 2) return;
  mjob *j = tt_calloc(1, sizeof *j);
  if (!j) return;
  j->n = hi - lo;
  j->cost = cost;
  j->in = tt_calloc(j->n, sizeof *j->in);
  j->snap = tt_calloc(j->n, sizeof *j->snap);
  if (!j->in || !j->snap) goto fail;
  for (uint32_t i = 0; i < j->n; i++) {
    const wseg *s = &w->segs[lo + i];
    if (tt_segment_open(&j->in[i], w->dir, s->seg.name, 0, 0)) goto fail;
    j->nopen++;
    if (s->del) {
      size_t nb = ((size_t)s->seg.ndocs + 7) / 8;
      if (!(j->snap[i] = tt_malloc(nb))) goto fail;
      memcpy(j->snap[i], s->del, nb);
    }
  }
  j->dir = w->dir;
  j->zstd_level = w->opts.zstd_level;
  snprintf(j->name, sizeof j->name, "seg-%06u", w->next_segment);
  w->mj = j;  /* before the thread: collect_garbage keeps its files */
  if (pthread_create(&j->th, NULL, merge_main, j)) { w->mj = NULL; goto fail; }
  w->next_segment++;
  return;
fail:
  mjob_free(j);
}

/* Replace the merge's inputs in w->segs by its output, when it has ended (or, with wait, once
 * it ends). Deletions made in the inputs since the merge started are carried over: the merged
 * id of a document is its rank among the inputs' documents live at the start. */
static int merge_install(tt_writer *w, int wait)
{
  mjob *j = w->mj;
  if (!j) return 0;
  if (!wait && !__atomic_load_n(&j->done, __ATOMIC_ACQUIRE)) return 0;
  double t0 = now_mono();
  pthread_join(j->th, NULL);
  w->t_merge_wait += now_mono() - t0;
  w->mj = NULL;
  int rc = j->rc;
  if (rc) {
    tt_error_set(rc, "%s", j->msg);
    mjob_free(j);
    return w->rc = rc;
  }
  uint32_t lo = 0;
  while (lo < w->nsegs && strcmp(w->segs[lo].seg.name, j->in[0].name)) lo++;
  for (uint32_t i = 0; i < j->n; i++)
    if (lo + i >= w->nsegs || strcmp(w->segs[lo + i].seg.name, j->in[i].name)) {
      mjob_free(j);
      return w->rc = tt_error_set(TT_ERROR, "background merge: its inputs are no longer in the writer");
    }
  wseg ns;
  memset(&ns, 0, sizeof ns);
  if ((rc = tt_segment_open(&ns.seg, w->dir, j->name, 0, 0))) { mjob_free(j); return w->rc = rc; }
  uint32_t base = 0;
  for (uint32_t i = 0; i < j->n && !rc; i++) {
    const wseg *s = &w->segs[lo + i];
    for (uint32_t d = 0; d < s->seg.ndocs; d++) {
      if (bit_get(j->snap[i], d)) continue;  /* gone in the merge */
      if (bit_get(s->del, d) && base < ns.seg.ndocs) {
        if (!ns.del && !(ns.del = tt_calloc(1, ((size_t)ns.seg.ndocs + 7) / 8))) {
          rc = tt_error_set(TT_ENOMEM, "out of memory");
          break;
        }
        bit_set(ns.del, base);
        ns.dirty = 1;
      }
      base++;
    }
  }
  if (!rc && base != ns.seg.ndocs)
    rc = tt_error_set(TT_ECORRUPT, "background merge %s: %u documents, expected %u", j->name, ns.seg.ndocs, base);
  if (rc) { drop_wseg(&ns); mjob_free(j); return w->rc = rc; }
  for (uint32_t i = 0; i < j->n; i++) drop_wseg(&w->segs[lo + i]);
  memmove(&w->segs[lo + 1], &w->segs[lo + j->n], (w->nsegs - lo - j->n) * sizeof *w->segs);
  w->nsegs -= j->n - 1;
  w->segs[lo] = ns;
  tt_segment_release_pages(&w->segs[lo].seg);
  w->counts.merges++;
  w->counts.background_merges++;
  w->t_bgmerge += j->secs;
  w->c_bgmerge += j->cpu;
  mjob_free(j);
  return 0;
}

/* Wait for a background merge and drop its result (its files become garbage). */
static void merge_abandon(tt_writer *w)
{
  if (!w->mj) return;
  pthread_join(w->mj->th, NULL);
  mjob_free(w->mj);
  w->mj = NULL;
}

int tt_writer_merge(tt_writer *w, int full)
{
  TT_FORWARD(commit(w));
  double t0 = now_mono(), c0 = now_cpu();
  int rc = merge_loop(w, full);
  w->t_merge += now_mono() - t0;
  w->c_merge += now_cpu() - c0;
  return rc;
}

static int merge_loop(tt_writer *w, int full)
{
  for (;;) {
    uint32_t lo, hi;
    pick_merge(w, full, &lo, &hi);
    if (lo == hi) return 0;
    char name[TT_SEG_NAME_MAX];
    snprintf(name, sizeof name, "seg-%06u", w->next_segment++);
    const tt_segment *in[TT_MANIFEST_MAX_SEGMENTS];
    const uint8_t *dels[TT_MANIFEST_MAX_SEGMENTS];
    for (uint32_t i = lo; i < hi; i++) { in[i - lo] = &w->segs[i].seg; dels[i - lo] = w->segs[i].del; }
    int rc = tt_merge_segments(w->dir, name, in, dels, hi - lo, w->opts.zstd_level);
    if (rc) return w->rc = rc;
    for (uint32_t i = lo; i < hi; i++) drop_wseg(&w->segs[i]);
    memmove(&w->segs[lo + 1], &w->segs[hi], (w->nsegs - hi) * sizeof *w->segs);
    w->nsegs -= hi - lo - 1;
    /* open the merged segment in slot lo */
    wseg ns;
    memset(&ns, 0, sizeof ns);
    rc = tt_segment_open(&ns.seg, w->dir, name, 0, 0);
    if (rc) return w->rc = rc;
    w->segs[lo] = ns;
    tt_segment_release_pages(&w->segs[lo].seg);
    w->counts.merges++;
    malloc_trim(0);
    rc = commit(w);
    if (rc) return rc;
    if (full) return 0;
  }
}

/* ------------------------------------------------------------------ reader */

int tt_reader_open(tt_reader **out, const char *dir, int verify)
{
  *out = NULL;
  int rc = 0;
  /* a writer may remove files of an older commit between our manifest read and the opens:
   * then read the newer manifest and try again */
  for (int attempt = 0; attempt < 20; attempt++) {
    tt_reader *r = tt_calloc(1, sizeof *r);
    TT_CHECK_ALLOC(r);
    pthread_mutex_init(&r->dups_lock, NULL);
    snprintf(r->dir, sizeof r->dir, "%s", dir);
    rc = tt_manifest_read(&r->man, dir);
    if (rc) { pthread_mutex_destroy(&r->dups_lock); tt_free(r); return rc; }
    r->segs = tt_calloc(r->man.nsegs ? r->man.nsegs : 1, sizeof *r->segs);
    r->base = tt_calloc(r->man.nsegs + 1, sizeof *r->base);
    if (!r->segs || !r->base) { tt_reader_close(r); return tt_error_set(TT_ENOMEM, "out of memory"); }
    uint64_t st = 0, sb = 0;
    for (uint32_t i = 0; i < r->man.nsegs; i++) {
      rc = tt_segment_open(&r->segs[i], dir, r->man.segs[i].name, r->man.segs[i].delgen, verify);
      if (rc) break;
      r->nsegs++;
      if (r->segs[i].ndocs != r->man.segs[i].docs) {
        rc = tt_error_set(TT_ECORRUPT, "%s/%s: %u docs, manifest says %u", dir, r->man.segs[i].name,
                          r->segs[i].ndocs, r->man.segs[i].docs);
        break;
      }
      r->base[i + 1] = r->base[i] + r->segs[i].ndocs;
      r->live_docs += r->segs[i].ndocs - r->segs[i].ndeleted;
      st += r->segs[i].sum_title;
      sb += r->segs[i].sum_body;
    }
    if (!rc) {
      uint64_t n = r->base[r->nsegs];
      r->avg_title = n ? (double)st / n : 1;
      r->avg_body = n ? (double)sb / n : 1;
      *out = r;
      return 0;
    }
    tt_reader_close(r);
    if (rc != TT_ENOTFOUND) return rc;
  }
  return rc;
}

void tt_reader_close(tt_reader *r)
{
  if (!r) return;
  for (uint32_t i = 0; i < r->nsegs; i++) tt_segment_close(&r->segs[i]);
  tt_free(r->segs);
  tt_free(r->base);
  tt_manifest_fini(&r->man);
  tt_dupindex_free(r->dups);
  pthread_mutex_destroy(&r->dups_lock);
  tt_free(r);
}

static uint64_t file_size(const char *dir, const char *name, const char *ext)
{
  char p[4400];
  snprintf(p, sizeof p, "%s/%s.%s", dir, name, ext);
  struct stat st;
  return stat(p, &st) ? 0 : (uint64_t)st.st_size;
}

/* Live articles carrying the "ent:none" mark (indexed without entity recognition). */
static int count_no_entities(tt_reader *r, uint64_t *out)
{
  *out = 0;
  char scratch[TT_DICT_MAX_KEY + 1];
  for (uint32_t i = 0; i < r->nsegs; i++) {
    const tt_segment *s = &r->segs[i];
    tt_dict_entry e;
    int rc = tt_dict_lookup(&s->dict, "ent:none", 8, &e, scratch);
    if (rc == TT_ENOTFOUND) continue;
    if (rc) return rc;
    if (!s->del) { *out += e.df; continue; }
    if (e.post_off > s->post.len || e.post_len > s->post.len - e.post_off)
      return tt_error_set(TT_ECORRUPT, "%s: postings of ent:none out of range", s->post.path);
    tt_plist_cursor c;
    rc = tt_plist_open(&c, s->post.data + e.post_off, e.post_len, 0);
    while (!rc && !(rc = tt_plist_next(&c))) {
      uint32_t d = tt_plist_doc(&c);
      if (d < s->ndocs && !tt_seg_is_deleted(s, d)) (*out)++;
    }
    tt_plist_close(&c);
    if (rc != TT_ITEROVER) return rc ? rc : tt_error_set(TT_ECORRUPT, "%s: postings of ent:none", s->post.path);
  }
  return 0;
}

int tt_reader_stats(tt_reader *r, tt_index_stats *out)
{
  memset(out, 0, sizeof *out);
  out->segments = r->nsegs;
  out->generation = r->man.generation;
  for (uint32_t i = 0; i < r->nsegs; i++) {
    const tt_segment *s = &r->segs[i];
    out->docs += s->ndocs - s->ndeleted;
    out->deleted += s->ndeleted;
    out->terms += s->dict.nterms;
    out->bytes_dict += s->dict.map.len;
    out->bytes_postings += s->post.len;
    out->bytes_doctable += s->dtab.len;
    out->bytes_docstore += file_size(r->dir, s->name, "docs");
    if (s->delgen) {
      char ext[32];
      snprintf(ext, sizeof ext, "del-%u", s->delgen);
      out->bytes_deletes += file_size(r->dir, s->name, ext);
    }
  }
  out->bytes_total = out->bytes_dict + out->bytes_postings + out->bytes_doctable +
                     out->bytes_docstore + out->bytes_deletes;
  return count_no_entities(r, &out->no_entities);
}

int tt_index_check(const char *dir)
{
  tt_manifest m;
  TT_FORWARD(tt_manifest_read(&m, dir));
  int rc = 0;
  for (uint32_t i = 0; i < m.nsegs && !rc; i++) rc = tt_segment_verify(dir, m.segs[i].name, m.segs[i].delgen);
  tt_manifest_fini(&m);
  return rc;
}
