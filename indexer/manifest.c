/* The manifest: the list of live segments of one commit (indexer/manifest.h). */
#include "indexer/manifest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "indexer/fileio.h"

void tt_manifest_fini(tt_manifest *m)
{
  tt_free(m->segs);
  memset(m, 0, sizeof *m);
}

int tt_manifest_copy(tt_manifest *dst, const tt_manifest *src)
{
  *dst = *src;
  dst->segs = tt_malloc((src->nsegs ? src->nsegs : 1) * sizeof *dst->segs);
  TT_CHECK_ALLOC(dst->segs);
  if (src->nsegs) memcpy(dst->segs, src->segs, src->nsegs * sizeof *dst->segs);
  return 0;
}

static int bad(const char *path, int line, const char *what)
{
  return tt_error_set(TT_ECORRUPT, "%s: line %d: %s", path, line, what);
}

int tt_manifest_read(tt_manifest *m, const char *dir)
{
  memset(m, 0, sizeof *m);
  char path[4200];
  snprintf(path, sizeof path, "%s/%s", dir, TT_MANIFEST_NAME);
  tt_map map = TT_MAP_INIT;
  int rc = tt_map_open(&map, path);
  if (rc == TT_ENOTFOUND) return tt_error_set(TT_ENOTFOUND, "%s: no index here (no manifest)", dir);
  if (rc) return rc;
  /* copy so that we can NUL-terminate lines */
  char *text = tt_malloc(map.len + 1);
  if (!text) { tt_map_close(&map); return tt_error_set(TT_ENOMEM, "out of memory"); }
  memcpy(text, map.data, map.len);
  text[map.len] = 0;
  size_t len = map.len;
  tt_map_close(&map);

  /* the checksum line is the last line */
  char *ck = NULL;
  if (len && text[len - 1] == '\n') {
    for (size_t i = len - 1; i > 0; i--)
      if (text[i - 1] == '\n') { ck = text + i; break; }
  }
  unsigned long long want;
  if (!ck || sscanf(ck, "checksum %16llx", &want) != 1) {
    rc = bad(path, 0, "missing checksum line (truncated?)");
    goto done;
  }
  if (XXH3_64bits(text, (size_t)(ck - text)) != want) {
    rc = bad(path, 0, "checksum mismatch");
    goto done;
  }
  *ck = 0;
  int lineno = 0;
  char *save = NULL;
  uint32_t cap = 0;
  for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
    lineno++;
    unsigned long long a;
    unsigned b, c;
    char name[TT_SEG_NAME_MAX];
    if (lineno == 1) {
      if (sscanf(line, "timtin-manifest %u", &b) != 1) { rc = bad(path, lineno, "not a timtin manifest"); goto done; }
      if (b != 1) { rc = tt_error_set(TT_EFORMAT, "%s: manifest version %u is not supported", path, b); goto done; }
    } else if (sscanf(line, "generation %llu", &a) == 1) {
      m->generation = a;
    } else if (sscanf(line, "analyzer %u", &b) == 1) {
      m->analyzer = b;
    } else if (sscanf(line, "next-segment %u", &b) == 1) {
      m->next_segment = b;
    } else if (sscanf(line, "segment %31s %u %u", name, &b, &c) == 3) {
      if (m->nsegs >= TT_MANIFEST_MAX_SEGMENTS) { rc = bad(path, lineno, "too many segments"); goto done; }
      if (strchr(name, '/') || name[0] == '.') { rc = bad(path, lineno, "bad segment name"); goto done; }
      if (m->nsegs == cap) {
        cap = cap ? cap * 2 : 16;
        tt_manifest_seg *s = tt_realloc(m->segs, cap * sizeof *s);
        if (!s) { rc = tt_error_set(TT_ENOMEM, "out of memory"); goto done; }
        m->segs = s;
      }
      tt_manifest_seg *s = &m->segs[m->nsegs++];
      snprintf(s->name, sizeof s->name, "%s", name);
      s->docs = b;
      s->delgen = c;
    } else {
      rc = bad(path, lineno, "unknown line");
      goto done;
    }
  }
  if (m->analyzer != TT_ANALYZER_VERSION)
    rc = tt_error_set(TT_EFORMAT, "%s: index built with analyzer %u, this timtin has %u: rebuild the index",
                      path, m->analyzer, TT_ANALYZER_VERSION);
done:
  tt_free(text);
  if (rc) tt_manifest_fini(m);
  return rc;
}

int tt_manifest_write(const tt_manifest *m, const char *dir)
{
  tt_buf b = TT_BUF_INIT;
  int rc = tt_buf_printf(&b, "timtin-manifest 1\ngeneration %" PRIu64 "\nanalyzer %u\nnext-segment %u\n",
                         m->generation, m->analyzer, m->next_segment);
  for (uint32_t i = 0; !rc && i < m->nsegs; i++)
    rc = tt_buf_printf(&b, "segment %s %u %u\n", m->segs[i].name, m->segs[i].docs, m->segs[i].delgen);
  if (!rc) rc = tt_buf_printf(&b, "checksum %016llx\n", (unsigned long long)XXH3_64bits(b.p, b.n));
  if (!rc) rc = tt_file_replace_atomic(dir, TT_MANIFEST_NAME, b.p, b.n);
  tt_buf_fini(&b);
  return rc;
}
