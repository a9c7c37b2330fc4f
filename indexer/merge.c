/* Segment merging (indexer/merge.h): a k-way merge of the term dictionaries, postings decoded
 * and re-encoded with remapped doc ids, documents copied from the document stores. */
#include "indexer/merge.h"

#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "indexer/pairs.h"
#include "indexer/postings_codec.h"
#include "text/simhash.h"

/* postings looked ahead for prefetching the output's per-document norms */
#define MERGE_AHEAD 6

typedef struct msrc {
  tt_dict_iter it;
  tt_dict_entry e;
  int live;          /* e holds the current entry */
} msrc;

static int keycmp(const tt_dict_entry *a, const tt_dict_entry *b)
{
  size_t n = a->key_len < b->key_len ? a->key_len : b->key_len;
  int c = memcmp(a->key, b->key, n);
  if (c) return c;
  return a->key_len < b->key_len ? -1 : a->key_len > b->key_len;
}

int tt_merge_segments(const char *dir, const char *name, const tt_segment *const *in,
                      const uint8_t *const *dels, uint32_t n, int zstd_level)
{
  tt_segwriter *w;
  TT_FORWARD(tt_segwriter_new(&w, dir, name, zstd_level));
  int rc = 0;
  uint32_t **map = tt_calloc(n ? n : 1, sizeof *map);   /* old local -> new id, UINT32_MAX = gone */
  msrc *src = tt_calloc(n ? n : 1, sizeof *src);
  uint32_t *pos = NULL, poscap = 0;
  uint64_t nterms_done = 0;
  size_t *released = tt_calloc(n ? n : 1, sizeof *released);   /* bytes of each input's postings dropped */
  size_t *dreleased = tt_calloc(n ? n : 1, sizeof *dreleased); /* ... and of its dictionary */
  if (!map || !src || !released || !dreleased) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }

  /* the output compresses with the dictionaries of the largest input that has some (usually
   * all inputs share them: the writer hands one segment's dictionaries to the next) */
  {
    const tt_segment *dsrc = NULL;
    for (uint32_t i = 0; i < n; i++) {
      tt_docstore_dicts d;
      tt_docstore_get_dicts(in[i]->docs, &d);
      if ((d.meta_len || d.body_len) && (!dsrc || in[i]->ndocs > dsrc->ndocs)) dsrc = in[i];
    }
    if (!dsrc && n) dsrc = in[0];  /* none has any: none, and their blocks are copied */
    if (dsrc && (rc = tt_segwriter_use_dicts_of(w, dsrc))) goto done;
  }

  /* documents, block by block: a block without deleted documents is copied as it is (its
   * compressed frames) when its input has the output's dictionaries, the others document by
   * document. Inputs are read once, in order, so their pages are dropped behind the copy
   * (resident memory stays bounded). */
  uint32_t next = 0;
  for (uint32_t i = 0; i < n && !rc; i++) {
    const tt_segment *s = in[i];
    map[i] = tt_malloc(((size_t)s->ndocs + 1) * sizeof **map);
    if (!map[i]) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
    uint64_t mark = 0;
    uint32_t nblocks = tt_docstore_blocks(s->docs);
    for (uint32_t b = 0; b < nblocks && !rc; b++) {
      uint32_t first, nd, dead = 0;
      tt_docstore_block_docs(s->docs, b, &first, &nd);
      for (uint32_t d = first; d < first + nd; d++) {
        int gone = dels[i] && (dels[i][d >> 3] >> (d & 7) & 1);
        dead += (uint32_t)gone;
        map[i][d] = gone ? UINT32_MAX : next + (d - first) - dead;
      }
      /* a v1 doc table has no fingerprints: its documents go one by one to get them */
      if (dead == 0 && s->simhash && tt_segwriter_can_copy(w, s)) {
        rc = tt_segwriter_copy_block(w, s, b);
      } else {
        for (uint32_t d = first; d < first + nd && !rc; d++) {
          if (map[i][d] == UINT32_MAX) continue;
          tt_docstore_rec rec;
          rc = tt_docstore_get(s->docs, d, &rec);
          if (!rc) rc = tt_segwriter_add_doc(w, &rec, tt_seg_title_len(s, d), tt_seg_body_len(s, d),
                                                s->simhash ? tt_seg_simhash(s, d) : tt_simhash_doc(rec.body, rec.body_len));
        }
      }
      next += nd - dead;
      tt_docstore_release_before(s->docs, first + nd, &mark);
    }
    tt_docstore_release_pages(s->docs);
    tt_map_release((tt_map *)&s->dtab, 0, s->dtab.len);
  }

  /* pair terms (indexer/pairs.h) are merged like any term when every input was built with the
   * same pair list; otherwise the output has none (a pair list must be complete) */
  uint32_t pairs = n ? in[0]->pairs : 0;
  int drop_pairs = 0;
  for (uint32_t i = 1; i < n; i++)
    if (in[i]->pairs != pairs) { pairs = 0; drop_pairs = 1; }
  tt_segwriter_set_pairs(w, pairs);

  /* terms: k-way merge (n is small: a linear scan for the minimum is fine) */
  for (uint32_t i = 0; i < n && !rc; i++) {
    rc = tt_dict_iter_seek(&src[i].it, &in[i]->dict, NULL, 0);
    if (!rc) {
      int r = tt_dict_iter_next(&src[i].it, &src[i].e);
      if (r == 0) src[i].live = 1;
      else if (r != TT_ITEROVER) rc = r;
    }
  }
  while (!rc) {
    int min = -1;
    for (uint32_t i = 0; i < n; i++)
      if (src[i].live && (min < 0 || keycmp(&src[i].e, &src[min].e) < 0)) min = (int)i;
    if (min < 0) break;
    tt_dict_entry key = src[min].e;
    char keybuf[TT_DICT_MAX_KEY + 1];
    memcpy(keybuf, key.key, key.key_len);
    key.key = keybuf;
    int positional = (key.flags & TT_DICT_POSITIONAL) != 0;
    int skip = drop_pairs && key.key_len && keybuf[0] == TT_PAIRS_MARK;
    rc = tt_segwriter_begin_term(w, keybuf, key.key_len, positional);
    for (uint32_t i = 0; i < n && !rc; i++) {
      if (!src[i].live || keycmp(&src[i].e, &key)) continue;
      if (skip) {
        int r3 = tt_dict_iter_next(&src[i].it, &src[i].e);
        if (r3 == TT_ITEROVER) src[i].live = 0;
        else if (r3) rc = r3;
        continue;
      }
      const tt_segment *s = in[i];
      const tt_dict_entry *e = &src[i].e;
      tt_plist_cursor c;
      if (e->post_off > s->post.len || e->post_len > s->post.len - e->post_off) {
        rc = tt_error_set(TT_ECORRUPT, "%s: postings of '%s' out of range", s->post.path, e->key);
        break;
      }
      rc = tt_plist_open(&c, s->post.data + e->post_off, e->post_len, positional);
      int r = TT_ITEROVER;
      while (!rc && (r = tt_plist_next(&c)) == 0) {
        uint32_t d = tt_plist_doc(&c);
        if (d >= s->ndocs) { rc = tt_error_set(TT_ECORRUPT, "%s: doc %u out of range", s->post.path, d); break; }
        if (map[i][d] == UINT32_MAX) continue;
        /* two-stage prefetch: the id map's entry of the posting 2 * MERGE_AHEAD ahead, then
         * the norms of the merged doc of the one MERGE_AHEAD ahead (both are a cache miss per
         * posting otherwise: a term's documents are far apart in the map and the output) */
        uint32_t d2 = tt_plist_doc_ahead(&c, 2 * MERGE_AHEAD);
        if (d2 < s->ndocs) __builtin_prefetch(&map[i][d2]);
        uint32_t da = tt_plist_doc_ahead(&c, MERGE_AHEAD);
        if (da < s->ndocs && map[i][da] != UINT32_MAX) tt_segwriter_prefetch_doc(w, map[i][da]);
        tt_segwriter_posting p = {map[i][d], tt_plist_tf_title(&c), tt_plist_tf_body(&c), 0, NULL};
        if (positional) {   /* the stored gaps go through as they are (no conversion) */
          const uint32_t *pp;
          rc = tt_plist_position_gaps(&c, &pp, &p.npos);
          p.pos = pp;
          if (rc) break;
        }
        rc = tt_segwriter_add_posting_gaps(w, &p);
      }
      if (!rc && r != TT_ITEROVER) rc = r;
      tt_plist_close(&c);
      int r2 = tt_dict_iter_next(&src[i].it, &src[i].e);
      if (r2 == TT_ITEROVER) src[i].live = 0;
      else if (r2 && !rc) rc = r2;
    }
    if (!rc) rc = tt_segwriter_end_term(w);
    /* lists are read in file order: drop what was read from the inputs' maps, per 256 KiB
     * (per MiB, 8 inputs kept up to 16 MiB of postings and dictionary pages resident: more
     * than the merge's heap, and a background merge adds it to the ingestion's peak) */
    if (!rc && ++nterms_done % 256 == 0) {
      for (uint32_t i = 0; i < n; i++) {
        tt_map *pm = (tt_map *)&in[i]->post;
        size_t upto = src[i].live ? (size_t)src[i].e.post_off : pm->len;
        if (upto >= released[i] + ((size_t)1 << 18)) {
          tt_map_release(pm, released[i], upto - released[i]);
          released[i] = upto;
        }
        /* the dictionary is read in order too */
        tt_map *dm = (tt_map *)&in[i]->dict.map;
        size_t dupto = src[i].live ? (size_t)(src[i].it.p - dm->data) : dm->len;
        if (src[i].it.p && dupto >= dreleased[i] + ((size_t)1 << 18) && dupto <= dm->len) {
          tt_map_release(dm, dreleased[i], dupto - dreleased[i]);
          dreleased[i] = dupto;
        }
      }
    }
  }

done:
  if (map) for (uint32_t i = 0; i < n; i++) tt_free(map[i]);
  tt_free(map);
  tt_free(src);
  tt_free(released);
  tt_free(dreleased);
  tt_free(pos);
  (void)poscap;
  if (rc) tt_segwriter_abort(w);
  else rc = tt_segwriter_finish(w);
  return rc;
}
