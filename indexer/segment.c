/* Segments: writer (tt_segwriter), in-memory builder on top of it (tt_segbuild), reader
 * (tt_segment) and verification (indexer/segment.h).
 *
 * NAME.post layout: header "TTPOST01" v1 | postings lists back to back (each as written by
 * tt_plist_writer_finish; offsets and lengths live in the dictionary) | footer.
 *
 * NAME.dtab layout (all little-endian, every array 4- or 8-byte aligned):
 *   header   16 bytes "TTDTAB01" v2 (v1: the same without the simhash column)
 *   u32 ndocs, u32 pairs (syllable-pair list id, indexer/pairs.h; 0 = none), u64 sum_title_len, u64 sum_body_len
 *   u32 title_len[ndocs]  tokens in the title
 *   u32 body_len[ndocs]   tokens in the body
 *   i64 published[ndocs]  seconds since the epoch, INT64_MIN when unknown
 *   {u64 url_hash, u32 doc, u32 0}[ndocs]   sorted by url_hash then doc
 *   u64 simhash[ndocs]    near-duplicate fingerprint of the body (text/simhash.h), 0 = none
 *   footer   16 bytes
 *
 * NAME.del-G layout: header "TTDELS01" v1 | u32 ndocs, u32 ndeleted | ceil(ndocs/8) bytes of
 * bitmap (bit d of byte d/8 = local doc d deleted) | footer. */
#include "indexer/segment.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "common/alloc.h"
#include "common/endian.h"
#include "common/error.h"
#include "indexer/pairs.h"
#include "indexer/bm25.h"
#include "indexer/inverter.h"
#include "indexer/postings_codec.h"
#include "text/simhash.h"

static const char *kinds[] = {"dict", "post", "docs", "dtab"};

static void seg_path(char *out, size_t cap, const char *dir, const char *name, const char *ext)
{
  snprintf(out, cap, "%s/%s.%s", dir, name, ext);
}

uint64_t tt_url_hash(const char *url, size_t len) { return XXH3_64bits(url, len); }

/* ================================================================ writer */

struct tt_segwriter {
  char dir[4096];
  char name[TT_SEG_NAME_MAX];
  tt_docstore_writer *ds;
  tt_buf tlen, blen, pub, urls, sim;   /* doc table columns */
  uint64_t sum_t, sum_b;
  uint32_t ndocs;
  tt_wfile *post;
  tt_dict_writer dict;
  int dict_open;
  tt_plist_writer pw;
  tt_buf list;                    /* encoded list of the current term */
  char key[TT_DICT_MAX_KEY + 1];
  uint32_t key_len;
  int positional;
  double avgt, avgb;
  /* per-document BM25 length norms, from open_terms on (see tt_segwriter_add_posting) */
  double *nt, *nb;                /* ndocs_norm entries each */
  uint32_t *imp01;                /* impact of tf_title 0, tf_body 1 */
  uint32_t ndocs_norm;
  uint32_t pairs;                 /* pair list id for the doc table (indexer/pairs.h), 0 = none */
  int rc;                         /* sticky */
};

static void remove_files(const char *dir, const char *name)
{
  char p[4200];
  for (size_t i = 0; i < 4; i++) {
    seg_path(p, sizeof p, dir, name, kinds[i]);
    unlink(p);
  }
}

int tt_segwriter_new(tt_segwriter **out, const char *dir, const char *name, int zstd_level)
{
  *out = NULL;
  tt_segwriter *w = tt_calloc(1, sizeof *w);
  TT_CHECK_ALLOC(w);
  snprintf(w->dir, sizeof w->dir, "%s", dir);
  snprintf(w->name, sizeof w->name, "%s", name);
  char p[4200];
  seg_path(p, sizeof p, dir, name, "docs");
  int rc = tt_docstore_writer_open(&w->ds, p, zstd_level);
  if (rc) { tt_free(w); return rc; }
  tt_plist_writer_init(&w->pw, 1);
  *out = w;
  return 0;
}

/* The doc table row of a document already in the store (id w->ndocs). */
static int add_row(tt_segwriter *w, uint64_t url_hash, int64_t published, uint32_t title_len,
                   uint32_t body_len, uint64_t simhash)
{
  uint8_t b[24], u[16];
  tt_store_le32(b, title_len);
  tt_store_le32(b + 4, body_len);
  tt_store_le64(b + 8, (uint64_t)published);
  tt_store_le64(u, url_hash);
  tt_store_le32(u + 8, w->ndocs);
  tt_store_le32(u + 12, 0);
  tt_store_le64(b + 16, simhash);
  if (tt_buf_append(&w->tlen, b, 4) || tt_buf_append(&w->blen, b + 4, 4) ||
      tt_buf_append(&w->pub, b + 8, 8) || tt_buf_append(&w->urls, u, 16) ||
      tt_buf_append(&w->sim, b + 16, 8))
    return w->rc = tt_error_set(TT_ENOMEM, "out of memory");
  w->sum_t += title_len;
  w->sum_b += body_len;
  w->ndocs++;
  return 0;
}

int tt_segwriter_add_doc(tt_segwriter *w, const tt_docstore_rec *rec, uint32_t title_len,
                         uint32_t body_len, uint64_t simhash)
{
  if (w->rc) return w->rc;
  int64_t id = tt_docstore_writer_add(w->ds, rec);
  if (id < 0) return w->rc = (int)id;
  if ((uint32_t)id != w->ndocs)
    return w->rc = tt_error_set(TT_EINVAL, "%s: document store and doc table disagree", w->name);
  return add_row(w, tt_url_hash(rec->url, rec->url_len), rec->published, title_len, body_len, simhash);
}

int tt_segwriter_copy_block(tt_segwriter *w, const tt_segment *s, uint32_t b)
{
  if (w->rc) return w->rc;
  uint32_t first, n;
  tt_docstore_block_docs(s->docs, b, &first, &n);
  if (tt_docstore_writer_count(w->ds) != w->ndocs)
    return w->rc = tt_error_set(TT_EINVAL, "%s: document store and doc table disagree", w->name);
  int rc = tt_docstore_writer_copy_block(w->ds, s->docs, b);
  if (rc == TT_ECORRUPT) return rc;  /* the writer is untouched: the merge fails cleanly */
  if (rc) return w->rc = rc;
  for (uint32_t d = first; d < first + n; d++) {
    tt_docstore_rec rec;  /* the meta frame only: the URL for its hash */
    if ((rc = tt_docstore_get_meta(s->docs, d, &rec))) return w->rc = rc;
    if ((rc = add_row(w, tt_url_hash(rec.url, rec.url_len), tt_seg_published(s, d),
                      tt_seg_title_len(s, d), tt_seg_body_len(s, d), tt_seg_simhash(s, d))))
      return rc;
  }
  return 0;
}

void tt_segwriter_set_pairs(tt_segwriter *w, uint32_t id) { w->pairs = id; }

int tt_segwriter_use_dicts_of(tt_segwriter *w, const tt_segment *s)
{
  tt_docstore_dicts d;
  tt_docstore_get_dicts(s->docs, &d);
  return tt_docstore_writer_use_dicts(w->ds, &d);
}

int tt_segwriter_can_copy(tt_segwriter *w, const tt_segment *s)
{
  return tt_docstore_writer_can_copy(w->ds, s->docs);
}

/* tt_bm25_ptf (indexer/bm25.h) split at its length norms: the same operations in the same order,
 * so the same bits (as query/match.c's doc_ptf). */
static inline double norm_title(uint32_t lt, double avgt)
{
  return 1 - TT_BM25_B_TITLE + TT_BM25_B_TITLE * lt / (avgt > 0 ? avgt : 1);
}

static inline double norm_body(uint32_t lb, double avgb)
{
  return 1 - TT_BM25_B_BODY + TT_BM25_B_BODY * lb / (avgb > 0 ? avgb : 1);
}

static inline double ptf_norms(uint32_t tft, uint32_t tfb, double nt, double nb)
{
  double x = 0;
  if (tft) x += TT_BM25_W_TITLE * tft / nt;
  if (tfb) x += tfb / nb;
  return x;
}

static int open_terms(tt_segwriter *w)
{
  char p[4200];
  seg_path(p, sizeof p, w->dir, w->name, "post");
  int rc = tt_wfile_open(&w->post, p);
  if (!rc) rc = tt_file_header_write(w->post, TT_POST_MAGIC, TT_SEG_VERSION, 0);
  if (rc) return rc;
  seg_path(p, sizeof p, w->dir, w->name, "dict");
  rc = tt_dict_writer_open(&w->dict, p);
  if (rc) return rc;
  w->dict_open = 1;
  w->avgt = w->ndocs ? (double)w->sum_t / w->ndocs : 1;
  w->avgb = w->ndocs ? (double)w->sum_b / w->ndocs : 1;
  /* The length norms of tt_bm25_ptf, once per document instead of once per posting (a
   * division each), and the impact of the most common posting (tf_title 0, tf_body 1). Only an
   * optimisation: without the memory add_posting computes them itself. */
  size_t n = w->ndocs ? w->ndocs : 1;
  w->nt = tt_malloc(n * sizeof *w->nt);
  w->nb = tt_malloc(n * sizeof *w->nb);
  w->imp01 = tt_malloc(n * sizeof *w->imp01);
  if (w->nt && w->nb && w->imp01) {
    for (uint32_t d = 0; d < w->ndocs; d++) {
      uint32_t lt, lb;
      memcpy(&lt, w->tlen.p + 4 * (size_t)d, 4);
      memcpy(&lb, w->blen.p + 4 * (size_t)d, 4);
      w->nt[d] = norm_title(lt, w->avgt);
      w->nb[d] = norm_body(lb, w->avgb);
      w->imp01[d] = tt_bm25_impact(ptf_norms(0, 1, w->nt[d], w->nb[d]));
    }
    w->ndocs_norm = w->ndocs;
  }
  return 0;
}

int tt_segwriter_begin_term(tt_segwriter *w, const char *key, size_t len, int positional)
{
  if (w->rc) return w->rc;
  if (!w->post && (w->rc = open_terms(w))) return w->rc;
  if (len > TT_DICT_MAX_KEY) return tt_error_set(TT_EINVAL, "term too long");
  memcpy(w->key, key, len);
  w->key[len] = 0;
  w->key_len = (uint32_t)len;
  w->positional = positional;
  tt_plist_writer_restart(&w->pw, positional);
  return 0;
}

/* The impact of a posting (doc, tf_title, tf_body) of w's segment. Reads w only (the last
 * flush's helper thread calls it too). */
static uint32_t posting_impact(const tt_segwriter *w, uint32_t doc, uint32_t tf_title, uint32_t tf_body)
{
  if (doc < w->ndocs_norm)
    return tf_title == 0 && tf_body == 1 ? w->imp01[doc]
                                         : tt_bm25_impact(ptf_norms(tf_title, tf_body, w->nt[doc], w->nb[doc]));
  uint32_t lt, lb;
  memcpy(&lt, w->tlen.p + 4 * (size_t)doc, 4);
  memcpy(&lb, w->blen.p + 4 * (size_t)doc, 4);
  return tt_bm25_impact(tt_bm25_ptf(tf_title, tf_body, lt, lb, w->avgt, w->avgb));
}

int tt_segwriter_add_posting(tt_segwriter *w, const tt_segwriter_posting *p)
{
  if (w->rc) return w->rc;
  if (p->doc >= w->ndocs) return w->rc = tt_error_set(TT_EINVAL, "posting for unknown doc %u", p->doc);
  int rc = tt_plist_writer_add(&w->pw, p->doc, p->tf_title, p->tf_body, p->pos, w->positional ? p->npos : 0,
                               posting_impact(w, p->doc, p->tf_title, p->tf_body));
  if (rc) w->rc = rc;
  return rc;
}

int tt_segwriter_add_posting_gaps(tt_segwriter *w, const tt_segwriter_posting *p)
{
  if (w->rc) return w->rc;
  if (p->doc >= w->ndocs) return w->rc = tt_error_set(TT_EINVAL, "posting for unknown doc %u", p->doc);
  int rc = tt_plist_writer_add_gaps(&w->pw, p->doc, p->tf_title, p->tf_body, p->pos,
                                    w->positional ? p->npos : 0,
                                    posting_impact(w, p->doc, p->tf_title, p->tf_body));
  if (rc) w->rc = rc;
  return rc;
}

void tt_segwriter_prefetch_doc(const tt_segwriter *w, uint32_t doc)
{
  if (doc >= w->ndocs_norm) return;
  __builtin_prefetch(&w->imp01[doc]);
  __builtin_prefetch(&w->nt[doc]);
  __builtin_prefetch(&w->nb[doc]);
}

/* Append an encoded list and its dictionary entry (terms in key order). */
static int put_list(tt_segwriter *w, const char *key, uint32_t key_len, int positional,
                    const tt_plist_info *info, const uint8_t *list, size_t n)
{
  if (info->df == 0) return 0;
  tt_dict_entry e = {key, key_len, positional ? TT_DICT_POSITIONAL : 0, info->df,
                     info->max_impact, tt_wfile_offset(w->post), n};
  int rc = tt_wfile_write(w->post, list, n);
  if (!rc) rc = tt_dict_writer_add(&w->dict, &e);
  if (rc) w->rc = rc;
  return rc;
}

int tt_segwriter_end_term(tt_segwriter *w)
{
  if (w->rc) return w->rc;
  tt_plist_info info;
  tt_buf_reset(&w->list);
  int rc = tt_plist_writer_finish(&w->pw, &w->list, &info);
  if (rc) return w->rc = rc;
  return put_list(w, w->key, w->key_len, w->positional, &info, (const uint8_t *)w->list.p, w->list.n);
}

static int cmp_url(const void *a, const void *b)
{
  uint64_t x = tt_load_le64(a), y = tt_load_le64(b);
  if (x != y) return x < y ? -1 : 1;
  uint32_t c = tt_load_le32((const uint8_t *)a + 8), d = tt_load_le32((const uint8_t *)b + 8);
  return c < d ? -1 : c > d;
}

static int write_dtab(tt_segwriter *w)
{
  char p[4200];
  seg_path(p, sizeof p, w->dir, w->name, "dtab");
  tt_wfile *f;
  TT_FORWARD(tt_wfile_open(&f, p));
  /* sort url entries by hash, then doc */
  if (w->ndocs > 1) qsort(w->urls.p, w->ndocs, 16, cmp_url);
  uint8_t hdr[24];
  tt_store_le32(hdr, w->ndocs);
  tt_store_le32(hdr + 4, w->pairs);
  tt_store_le64(hdr + 8, w->sum_t);
  tt_store_le64(hdr + 16, w->sum_b);
  tt_file_header_write(f, TT_DTAB_MAGIC, TT_DTAB_VERSION, 0);
  tt_wfile_write(f, hdr, sizeof hdr);
  tt_wfile_write(f, w->tlen.p, w->tlen.n);
  tt_wfile_write(f, w->blen.p, w->blen.n);
  tt_wfile_write(f, w->pub.p, w->pub.n);
  tt_wfile_write(f, w->urls.p, w->urls.n);
  tt_wfile_write(f, w->sim.p, w->sim.n);
  tt_file_footer_write(f, TT_DTAB_MAGIC);
  return tt_wfile_close_sync(f);
}

static void segwriter_free(tt_segwriter *w)
{
  tt_buf_fini(&w->tlen);
  tt_buf_fini(&w->blen);
  tt_buf_fini(&w->pub);
  tt_buf_fini(&w->urls);
  tt_buf_fini(&w->sim);
  tt_buf_fini(&w->list);
  tt_plist_writer_fini(&w->pw);
  tt_free(w->nt);
  tt_free(w->nb);
  tt_free(w->imp01);
  tt_free(w);
}

void tt_segwriter_abort(tt_segwriter *w)
{
  if (!w) return;
  tt_docstore_writer_abort(w->ds);
  tt_wfile_abort(w->post);
  if (w->dict_open) tt_dict_writer_abort(&w->dict);
  remove_files(w->dir, w->name);
  segwriter_free(w);
}

int tt_segwriter_finish(tt_segwriter *w)
{
  int rc = w->rc;
  if (!rc && !w->post) rc = open_terms(w);
  if (!rc) rc = tt_file_footer_write(w->post, TT_POST_MAGIC);
  if (!rc) { rc = tt_wfile_close_sync(w->post); w->post = NULL; }
  if (!rc) { rc = tt_dict_writer_finish(&w->dict); w->dict_open = 0; }
  if (!rc) rc = write_dtab(w);
  if (!rc) { rc = tt_docstore_writer_finish(w->ds); w->ds = NULL; }
  if (rc) {
    tt_segwriter_abort(w);
    return rc;
  }
  segwriter_free(w);
  return 0;
}

/* ================================================================ builder */

struct tt_segbuild {
  tt_segwriter *w;
  tt_inverter *inv;
};

int tt_segbuild_new(tt_segbuild **out, const char *dir, const char *name, int zstd_level)
{
  *out = NULL;
  tt_segbuild *b = tt_calloc(1, sizeof *b);
  TT_CHECK_ALLOC(b);
  int rc = tt_segwriter_new(&b->w, dir, name, zstd_level);
  if (!rc) tt_segwriter_set_pairs(b->w, TT_PAIRS_ID);
  if (!rc) rc = tt_inverter_new(&b->inv);
  if (rc) { tt_segbuild_abort(b); return rc; }
  *out = b;
  return 0;
}

int tt_segbuild_add(tt_segbuild *b, const tt_article *a, const tt_token *title, size_t ntitle,
                    const tt_token *body, size_t nbody, const tt_token *kw, size_t nkw,
                    uint32_t title_end, uint64_t simhash, const uint64_t *hash, uint32_t *doc)
{
  uint32_t id = b->w->ndocs;
  tt_docstore_rec rec = tt_docstore_rec_from_article(a);
  TT_FORWARD(tt_segwriter_add_doc(b->w, &rec, (uint32_t)ntitle, (uint32_t)nbody, simhash));
  TT_FORWARD(tt_inverter_add_hashed(b->inv, id, title, ntitle, body, nbody, title_end, hash));
  if (nkw) TT_FORWARD(tt_inverter_add_hashed(b->inv, id, NULL, 0, kw, nkw, title_end,
                                             hash ? hash + ntitle + nbody : NULL));
  *doc = id;
  return 0;
}

void tt_segbuild_set_dspool(tt_segbuild *b, tt_dspool *p) { tt_docstore_writer_set_pool(b->w->ds, p); }

uint32_t tt_segbuild_ndocs(const tt_segbuild *b) { return b->w->ndocs; }

int tt_segbuild_use_dicts(tt_segbuild *b, const tt_docstore_dicts *d)
{
  return tt_docstore_writer_use_dicts(b->w->ds, d);
}

int tt_segbuild_get_dicts(const tt_segbuild *b, tt_docstore_dicts *out)
{
  return tt_docstore_writer_get_dicts(b->w->ds, out);
}

size_t tt_segbuild_bytes(const tt_segbuild *b)
{
  return tt_inverter_bytes(b->inv) + b->w->tlen.cap + b->w->blen.cap + b->w->pub.cap +
         b->w->urls.cap + b->w->sim.cap;
}

void tt_segbuild_abort(tt_segbuild *b)
{
  if (!b) return;
  tt_segwriter_abort(b->w);
  tt_inverter_free(b->inv);
  tt_free(b);
}

/* Encode the postings of inverted term t into pw (restarted for t by the caller), positions
 * as the inverter's gaps (valid by construction); *pos grows as needed. Reads w only, so the
 * last flush's helper thread and the caller run it side by side. */
static int encode_term(const tt_segwriter *w, tt_plist_writer *pw, const tt_inv_term *t,
                       uint32_t **pos, uint32_t *poscap)
{
  tt_inv_stream s;
  tt_inv_stream_init(&s, t);
  for (;;) {
    tt_inv_stream st = s;
    uint32_t doc, a, c;
    if (!tt_inv_stream_next_gaps(&s, &doc, &a, &c, *pos, *poscap)) return 0;
    if (t->positional && a + c > *poscap) {  /* grow and decode this doc again */
      uint32_t cap = (a + c) * 2;
      uint32_t *np = tt_realloc(*pos, cap * sizeof *np);
      if (!np) return tt_error_set(TT_ENOMEM, "out of memory");
      *pos = np;
      *poscap = cap;
      s = st;
      tt_inv_stream_next_gaps(&s, &doc, &a, &c, *pos, *poscap);
    }
    if (doc >= w->ndocs) return tt_error_set(TT_EINVAL, "posting for unknown doc %u", doc);
    int rc = tt_plist_writer_add_gaps(pw, doc, a, c, *pos, t->positional ? a + c : 0,
                                      posting_impact(w, doc, a, c));
    if (rc) return rc;
  }
}

/* Encoding terms [lo, hi) of a finishing builder into memory, in a helper thread: the lists
 * one after the other in out, each term's length and plist info in recs. Reads the builder's
 * doc table columns and averages only (the calling thread meanwhile writes the terms before
 * lo), and produces the bytes tt_segwriter_add_posting/end_term would. */
typedef struct enc_rec { size_t len; tt_plist_info info; } enc_rec;
typedef struct enc_job {
  const tt_segwriter *w;
  tt_inv_term **terms;
  size_t lo, hi;
  tt_buf out;
  enc_rec *recs;
  int rc;
  char msg[1024];
} enc_job;

static void *enc_main(void *arg)
{
  enc_job *j = arg;
  tt_plist_writer pw;
  tt_plist_writer_init(&pw, 0);
  uint32_t *pos = NULL, poscap = 0;
  int rc = 0;
  for (size_t i = j->lo; i < j->hi && !rc; i++) {
    const tt_inv_term *t = j->terms[i];
    tt_plist_writer_restart(&pw, (int)t->positional);
    rc = encode_term(j->w, &pw, t, &pos, &poscap);
    if (rc) break;
    size_t before = j->out.n;
    enc_rec *e = &j->recs[i - j->lo];
    rc = tt_plist_writer_finish(&pw, &j->out, &e->info);
    e->len = j->out.n - before;
  }
  tt_plist_writer_fini(&pw);
  tt_free(pos);
  j->rc = rc;
  if (rc) snprintf(j->msg, sizeof j->msg, "%s", tt_error_last());
  return NULL;
}

int tt_segbuild_finish(tt_segbuild *b) { return tt_segbuild_finish_parallel(b, 0); }

int tt_segbuild_finish_parallel(tt_segbuild *b, int helper)
{
  tt_inv_term **terms;
  size_t n;
  int rc = tt_inverter_sorted(b->inv, &terms, &n);
  uint32_t *pos = NULL;
  uint32_t poscap = 0;
  /* with a helper: it encodes the terms from split on, about half of the stream bytes */
  size_t split = n;
  enc_job job;
  pthread_t th;
  int helping = 0;
  memset(&job, 0, sizeof job);
  if (!rc && helper && n > 1 && !b->w->post && !(rc = b->w->rc = open_terms(b->w))) {
    uint64_t total = 0, acc = 0;
    for (size_t i = 0; i < n; i++) total += terms[i]->stream.n;
    for (split = 0; split < n && acc * 2 < total; split++) acc += terms[split]->stream.n;
    job.w = b->w;
    job.terms = terms;
    job.lo = split;
    job.hi = n;
    job.recs = tt_calloc(n - split + 1, sizeof *job.recs);
    if (split < n && job.recs && pthread_create(&th, NULL, enc_main, &job) == 0) helping = 1;
    else split = n;
  }
  for (size_t i = 0; !rc && i < split; i++) {
    /* terms come in key order, at random places in the inverter's memory: fetch the record 8
     * terms ahead and the start of the stream (read from the record fetched earlier) 4 ahead */
    if (i + 8 < n) __builtin_prefetch(terms[i + 8]);
    if (i + 4 < n) __builtin_prefetch(terms[i + 4]->stream.p);
    tt_inv_term *t = terms[i];
    rc = tt_segwriter_begin_term(b->w, tt_inverter_key(b->inv, t), t->key_len, (int)t->positional);
    if (!rc && (rc = encode_term(b->w, &b->w->pw, t, &pos, &poscap))) b->w->rc = rc;
    if (!rc) rc = tt_segwriter_end_term(b->w);
  }
  if (helping) {
    pthread_join(th, NULL);
    if (!rc && job.rc) rc = b->w->rc = tt_error_set(job.rc, "%s", job.msg);
    const uint8_t *p = (const uint8_t *)job.out.p;
    for (size_t i = split; !rc && i < n; i++) {
      const enc_rec *e = &job.recs[i - split];
      rc = put_list(b->w, tt_inverter_key(b->inv, terms[i]), terms[i]->key_len, (int)terms[i]->positional,
                    &e->info, p, e->len);
      p += e->len;
    }
  }
  tt_buf_fini(&job.out);
  tt_free(job.recs);
  tt_free(pos);
  tt_inverter_free(b->inv);
  b->inv = NULL;
  if (rc) {
    tt_segwriter_abort(b->w);
  } else {
    rc = tt_segwriter_finish(b->w);
  }
  tt_free(b);
  return rc;
}

/* ================================================================ reader */

static int dtab_corrupt(const tt_map *m, size_t off, const char *what)
{
  return tt_error_set(TT_ECORRUPT, "%s: corrupt doc table at offset %zu: %s", m->path, off, what);
}

static int load_del(tt_segment *s, const char *dir, uint32_t gen)
{
  char p[4200], ext[32];
  snprintf(ext, sizeof ext, "del-%u", gen);
  seg_path(p, sizeof p, dir, s->name, ext);
  tt_map m = TT_MAP_INIT;
  int rc = tt_map_open(&m, p);
  if (rc) return rc;
  rc = tt_file_check(&m, TT_DELS_MAGIC, TT_SEG_VERSION, NULL);
  size_t nbytes = ((size_t)s->ndocs + 7) / 8;
  if (!rc && m.len != TT_FILE_HEADER_LEN + 8 + nbytes + TT_FILE_FOOTER_LEN)
    rc = tt_error_set(TT_ECORRUPT, "%s: size does not match %u docs", p, s->ndocs);
  if (!rc && tt_load_le32(m.data + 16) != s->ndocs)
    rc = tt_error_set(TT_ECORRUPT, "%s: doc count %u, segment has %u", p, tt_load_le32(m.data + 16), s->ndocs);
  if (!rc) {
    s->del = tt_malloc(nbytes ? nbytes : 1);
    if (!s->del) rc = tt_error_set(TT_ENOMEM, "out of memory");
  }
  if (!rc) {
    memcpy(s->del, m.data + 24, nbytes);
    uint32_t cnt = 0;
    for (size_t i = 0; i < nbytes; i++) cnt += (uint32_t)__builtin_popcount(s->del[i]);
    if (cnt != tt_load_le32(m.data + 20) || (s->ndocs % 8 && s->del[nbytes - 1] >> (s->ndocs % 8)))
      rc = tt_error_set(TT_ECORRUPT, "%s: deletion count does not match the bitmap", p);
    s->ndeleted = cnt;
    s->delgen = gen;
  }
  tt_map_close(&m);
  return rc;
}

int tt_segment_open(tt_segment *s, const char *dir, const char *name, uint32_t delgen, int verify)
{
  memset(s, 0, sizeof *s);
  snprintf(s->name, sizeof s->name, "%s", name);
  char p[4200];
  int rc;
  seg_path(p, sizeof p, dir, name, "dict");
  if ((rc = tt_dict_open(&s->dict, p, verify))) goto fail;
  seg_path(p, sizeof p, dir, name, "post");
  if ((rc = tt_map_open(&s->post, p))) goto fail;
  rc = verify ? tt_file_check(&s->post, TT_POST_MAGIC, TT_SEG_VERSION, NULL)
              : tt_file_check_header(&s->post, TT_POST_MAGIC, TT_SEG_VERSION, NULL);
  if (rc) goto fail;
  seg_path(p, sizeof p, dir, name, "dtab");
  if ((rc = tt_map_open(&s->dtab, p))) goto fail;
  uint32_t dver = 0;
  rc = verify ? tt_file_check(&s->dtab, TT_DTAB_MAGIC, TT_DTAB_VERSION, &dver)
              : tt_file_check_header(&s->dtab, TT_DTAB_MAGIC, TT_DTAB_VERSION, &dver);
  if (rc) goto fail;
  {
    const tt_map *m = &s->dtab;
    if (m->len < 16 + 24 + 16) { rc = dtab_corrupt(m, 16, "too short"); goto fail; }
    s->ndocs = tt_load_le32(m->data + 16);
    s->pairs = tt_load_le32(m->data + 20);
    s->sum_title = tt_load_le64(m->data + 24);
    s->sum_body = tt_load_le64(m->data + 32);
    uint64_t row = dver >= 2 ? 40 : 32;   /* bytes per document over all columns */
    if (m->len != 16 + 24 + (uint64_t)s->ndocs * row + 16) {
      rc = dtab_corrupt(m, 16, "size does not match the doc count");
      goto fail;
    }
    s->title_len = m->data + 40;
    s->body_len = s->title_len + 4 * (size_t)s->ndocs;
    s->published = s->body_len + 4 * (size_t)s->ndocs;
    s->urls = s->published + 8 * (size_t)s->ndocs;
    s->simhash = dver >= 2 ? s->urls + 16 * (size_t)s->ndocs : NULL;
    for (uint32_t i = 0; i < s->ndocs; i++)
      if (tt_load_le32(s->urls + 16 * (size_t)i + 8) >= s->ndocs) {
        rc = dtab_corrupt(m, (size_t)(s->urls - m->data) + 16 * (size_t)i + 8, "URL entry names a missing doc");
        goto fail;
      }
  }
  seg_path(p, sizeof p, dir, name, "docs");
  if ((rc = tt_docstore_open(&s->docs, p, verify))) goto fail;
  if (tt_docstore_count(s->docs) != s->ndocs) {
    rc = tt_error_set(TT_ECORRUPT, "%s: %u documents, doc table says %u", p,
                      tt_docstore_count(s->docs), s->ndocs);
    goto fail;
  }
  if (delgen && (rc = load_del(s, dir, delgen))) goto fail;
  return 0;
fail:
  tt_segment_close(s);
  return rc;
}

void tt_segment_close(tt_segment *s)
{
  tt_dict_close(&s->dict);
  tt_map_close(&s->post);
  tt_map_close(&s->dtab);
  tt_docstore_close(s->docs);
  s->docs = NULL;
  tt_free(s->del);
  s->del = NULL;
}

void tt_segment_release_pages(tt_segment *s)
{
  tt_map_release(&s->dict.map, 0, s->dict.map.len);
  tt_map_release(&s->post, 0, s->post.len);
  tt_map_release(&s->dtab, 0, s->dtab.len);
  tt_docstore_release_pages(s->docs);
}

/* The URL column is sorted by XXH3 hash, which is spread evenly over 64 bits: entry h / 2^64 * n
 * is within a few hundred places of where h belongs. The search starts there and gallops
 * outwards to bracket the place, then bisects the bracket: a handful of probes within a few KiB
 * instead of a bisection of the whole column (log2 n probes, each a likely miss or mispredicted
 * branch; the writer looks up every added URL in every segment). On a sorted column the answer
 * is the plain bisection's however the hashes are spread (only the number of probes depends on
 * it); on a damaged one every probe stays within the column. */
void tt_segment_find_url(const tt_segment *s, uint64_t h, void (*fn)(void *, uint32_t), void *ctx)
{
  size_t n = s->ndocs, lo = 0, hi = n;   /* entries before lo are < h, from hi on >= h */
  if (n > 64) {
    size_t g = (size_t)(((h >> 32) * (uint64_t)n) >> 32), step = 16;   /* g < n */
    if (tt_load_le64(s->urls + 16 * g) < h) {
      lo = g + 1;
      for (;;) {
        size_t j = lo + step - 1;
        if (j >= n) break;
        if (tt_load_le64(s->urls + 16 * j) >= h) { hi = j; break; }
        lo = j + 1;
        step *= 2;
      }
    } else {
      hi = g;
      for (;;) {
        if (hi < step) break;
        size_t j = hi - step;
        if (tt_load_le64(s->urls + 16 * j) < h) { lo = j + 1; break; }
        hi = j;
        step *= 2;
      }
    }
  }
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (tt_load_le64(s->urls + 16 * mid) < h) lo = mid + 1;
    else hi = mid;
  }
  for (; lo < s->ndocs && tt_load_le64(s->urls + 16 * lo) == h; lo++)
    fn(ctx, tt_load_le32(s->urls + 16 * lo + 8));
}

int tt_segment_write_del(const char *dir, const char *name, uint32_t gen, const uint8_t *bits,
                         uint32_t ndocs)
{
  char p[4200], ext[32];
  snprintf(ext, sizeof ext, "del-%u", gen);
  seg_path(p, sizeof p, dir, name, ext);
  unlink(p);  /* a leftover of a crashed commit is never referenced by a manifest */
  tt_wfile *f;
  TT_FORWARD(tt_wfile_open(&f, p));
  size_t nbytes = ((size_t)ndocs + 7) / 8;
  uint32_t cnt = 0;
  for (size_t i = 0; i < nbytes; i++) cnt += (uint32_t)__builtin_popcount(bits[i]);
  uint8_t hdr[8];
  tt_store_le32(hdr, ndocs);
  tt_store_le32(hdr + 4, cnt);
  tt_file_header_write(f, TT_DELS_MAGIC, TT_SEG_VERSION, 0);
  tt_wfile_write(f, hdr, 8);
  tt_wfile_write(f, bits, nbytes);
  tt_file_footer_write(f, TT_DELS_MAGIC);
  return tt_wfile_close_sync(f);
}

int tt_segment_verify(const char *dir, const char *name, uint32_t delgen)
{
  tt_segment s;
  int rc = tt_segment_open(&s, dir, name, delgen, 1);
  if (rc) return rc;
  rc = tt_dict_verify(&s.dict, s.post.len - TT_FILE_FOOTER_LEN);
  /* every postings list decodes, with docs inside the segment */
  tt_dict_iter it;
  tt_dict_entry e;
  if (!rc) rc = tt_dict_iter_seek(&it, &s.dict, NULL, 0);
  while (!rc && (rc = tt_dict_iter_next(&it, &e)) == 0) {
    tt_plist_cursor c;
    int pos = (e.flags & TT_DICT_POSITIONAL) != 0;
    rc = tt_plist_open(&c, s.post.data + e.post_off, e.post_len, pos);
    uint32_t n = 0;
    while (!rc && (rc = tt_plist_next(&c)) == 0) {
      n++;
      if (tt_plist_doc(&c) >= s.ndocs) {
        rc = tt_error_set(TT_ECORRUPT, "%s/%s.post: list of term '%s' at offset %llu names doc %u of %u",
                          dir, name, e.key, (unsigned long long)e.post_off, tt_plist_doc(&c), s.ndocs);
        break;
      }
      if (pos) {
        const uint32_t *pp;
        uint32_t np;
        rc = tt_plist_positions(&c, &pp, &np);
        if (!rc && np && pp[np - 1] > tt_seg_title_len(&s, tt_plist_doc(&c)) + 1 + tt_seg_body_len(&s, tt_plist_doc(&c)))
          rc = tt_error_set(TT_ECORRUPT, "%s/%s.post: term '%s' has a position beyond its document", dir, name, e.key);
      }
    }
    if (rc == TT_ITEROVER) rc = n == e.df ? 0 : tt_error_set(TT_ECORRUPT,
        "%s/%s.post: list of term '%s' at offset %llu has %u postings, dictionary says %u",
        dir, name, e.key, (unsigned long long)e.post_off, n, e.df);
    else if (rc == TT_ECORRUPT) {
      char msg[1024];
      snprintf(msg, sizeof msg, "%s", tt_error_last());
      tt_error_set(TT_ECORRUPT, "%s/%s.post: list of term '%s' at offset %llu: %s", dir, name, e.key,
                   (unsigned long long)e.post_off, msg);
    }
    tt_plist_close(&c);
  }
  if (rc == TT_ITEROVER) rc = 0;
  if (!rc) rc = tt_pairs_verify(&s, dir);
  if (!rc) {
    char p[4200];
    seg_path(p, sizeof p, dir, name, "docs");
    rc = tt_docstore_verify(p);
  }
  /* every stored fingerprint is the one of the stored body */
  for (uint32_t d = 0; !rc && s.simhash && d < s.ndocs; d++) {
    tt_docstore_rec rec;
    if ((rc = tt_docstore_get(s.docs, d, &rec))) break;
    uint64_t want = tt_simhash_doc(rec.body, rec.body_len);
    if (tt_seg_simhash(&s, d) != want)
      rc = tt_error_set(TT_ECORRUPT, "%s/%s.dtab: simhash of doc %u at offset %zu is %016llx, its body gives %016llx",
                        dir, name, d, (size_t)(s.simhash - s.dtab.data) + 8 * (size_t)d,
                        (unsigned long long)tt_seg_simhash(&s, d), (unsigned long long)want);
  }
  tt_segment_close(&s);
  return rc;
}
