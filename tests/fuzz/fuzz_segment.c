/* Fuzz target: a real index whose files are damaged by the input, then opened WITHOUT
 * checksum verification (the default for readers, so every decoder sees the damage), searched,
 * and walked completely. It must never crash or read out of bounds; errors are fine.
 *
 * Input: byte 0 picks the file (dict, post, dtab, docs, manifest); then triples
 * (offset lo, offset hi, xor value) flip bytes of that file; a final odd byte truncates it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/index.h"
#include "timtin/query.h"

static char base_dir[64], work_dir[64];
static const char *files[] = {"seg-000001.dict", "seg-000001.post", "seg-000001.dtab", "seg-000001.docs", "manifest"};

static void build_base(void)
{
  snprintf(base_dir, sizeof base_dir, "/tmp/tt_fuzzseg_base_%d", (int)getpid());
  snprintf(work_dir, sizeof work_dir, "/tmp/tt_fuzzseg_work_%d", (int)getpid());
  tt_index_options o = TT_INDEX_OPTIONS_INIT;
  o.threads = 1;
  tt_writer *w;
  if (tt_writer_open(&w, base_dir, &o)) abort();
  const char *words[] = {"bệnh", "viện", "Bạch", "Mai", "y", "tế", "hoà", "thuý", "1816", "72-NQ/TW", "đề", "án", "khoẻ"};
  char body[4096], url[64];
  for (int d = 0; d < 300; d++) {
    size_t n = 0;
    for (int k = 0; k < 150; k++) n += (size_t)snprintf(body + n, sizeof body - n, "%s ", words[(d * 7 + k * k) % 13]);
    snprintf(url, sizeof url, "https://f.invalid/%d", d);
    tt_article a = {url, strlen(url), "Bệnh viện", 11, "src", 3, body, n, "", 0, 1700000000 + d};
    if (tt_writer_add(w, &a)) abort();
  }
  if (tt_writer_commit(w)) abort();
  tt_writer_close(w);
}

static void walk_all(tt_reader *r)
{
  for (uint32_t s = 0; s < r->nsegs; s++) {
    tt_segment *seg = &r->segs[s];
    tt_dict_iter it;
    tt_dict_entry e;
    if (tt_dict_iter_seek(&it, &seg->dict, NULL, 0)) continue;
    int guard = 0;
    while (tt_dict_iter_next(&it, &e) == 0 && guard++ < 100000) {
      if (e.post_off > seg->post.len || e.post_len > seg->post.len - e.post_off) continue;
      tt_plist_cursor c;
      if (tt_plist_open(&c, seg->post.data + e.post_off, e.post_len, (e.flags & TT_DICT_POSITIONAL) != 0) == 0) {
        int k = 0;
        while (tt_plist_next(&c) == 0 && k++ < 100000) {
          const uint32_t *p;
          uint32_t np;
          if (e.flags & TT_DICT_POSITIONAL) (void)tt_plist_positions(&c, &p, &np);
          (void)tt_plist_tf_title(&c);
        }
      }
      tt_plist_close(&c);
    }
  }
  const char *qs[] = {"bệnh viện", "\"bach mai\"", "hoà OR khỏe", "1816 -y", "te"};
  for (size_t i = 0; i < sizeof qs / sizeof *qs; i++) {
    tt_results res;
    tt_search_options o = TT_SEARCH_OPTIONS_INIT;
    if (tt_search(r, qs[i], strlen(qs[i]), &o, &res) == 0) {
      for (size_t h = 0; h < res.n; h++) {
        tt_doc d;
        (void)tt_hit_fetch(r, res.hits[h].doc, 1, &d);
      }
      tt_results_fini(&res);
    }
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static int ready;
  if (!ready) { build_base(); ready = 1; }
  if (size < 1) return 0;
  char cmd[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s && cp -r %s %s", work_dir, base_dir, work_dir);
  if (system(cmd)) return 0;
  char path[256];
  snprintf(path, sizeof path, "%s/%s", work_dir, files[data[0] % 5]);
  FILE *f = fopen(path, "r+b");
  if (!f) return 0;
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  size_t i = 1;
  for (; i + 3 <= size; i += 3) {
    long off = (long)(data[i] | data[i + 1] << 8) % (len ? len : 1);
    fseek(f, off, SEEK_SET);
    int c = fgetc(f);
    if (c == EOF) continue;
    fseek(f, off, SEEK_SET);
    fputc(c ^ data[i + 2], f);
  }
  fclose(f);
  if (i < size && (data[i] & 1)) {
    if (truncate(path, len * data[i] / 512)) {}
  }
  tt_reader *r;
  if (tt_reader_open(&r, work_dir, 0) == 0) {
    walk_all(r);
    tt_reader_close(r);
  }
  (void)tt_index_check(work_dir);
  return 0;
}
