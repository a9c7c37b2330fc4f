/* Helpers for the index tests: a tiny deterministic article generator with Vietnamese
 * syllables (diacritics, đ, both tone placements, NFD) and temp directories. */
#ifndef TT_TEST_INDEX_UTIL_H
#define TT_TEST_INDEX_UTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "timtin/article.h"
#include "../testutil.h"

static const char *tu_words[] = {
  "bệnh", "viện", "bạch", "mai", "chợ", "rẫy", "y", "tế", "sức", "khỏe", "khoẻ", "hòa", "hoà",
  "thuấn", "thuận", "thuần", "trần", "văn", "đề", "án", "1816", "72-NQ/TW", "COVID-19",
  "chuyển", "giao", "kỹ", "thuật", "bác", "sĩ", "điều", "trị", "Hà", "Nội", "đào", "tạo",
  "benh", "vien", "trung", "tâm", "huyện", "tỉnh", "nhân", "dân", "chăm", "sóc", "Thứ", "trưởng",
  "Bộ", "phòng", "chống", "dịch", "vắc", "xin", "tiêm", "chủng", "trẻ", "em", "người", "cao", "tuổi",
  "B\xC3\xAA\xCC\xA3nh", /* NFD-ish: ê + combining dot below */
};
#define TU_NWORDS (sizeof tu_words / sizeof tu_words[0])

static uint64_t tu_rng = 88172645463325252ull;
static uint64_t tu_next(void) { tu_rng ^= tu_rng << 13; tu_rng ^= tu_rng >> 7; tu_rng ^= tu_rng << 17; return tu_rng; }

/* Zipf-ish pick */
static const char *tu_word(void)
{
  uint64_t r = tu_next() % 1000;
  size_t i = (size_t)((r * r / 1000) * TU_NWORDS / 1000);
  return tu_words[i < TU_NWORDS ? i : TU_NWORDS - 1];
}

typedef struct tu_doc {
  char url[64];
  char title[256];
  char *body;
  int64_t published;
} tu_doc;

static void tu_make(tu_doc *d, int i, int nwords)
{
  snprintf(d->url, sizeof d->url, "https://test.invalid/a/%d", i);
  d->title[0] = 0;
  for (int k = 0; k < 5; k++) { strcat(d->title, tu_word()); strcat(d->title, " "); }
  size_t cap = (size_t)nwords * 16 + 64, n = 0;
  d->body = malloc(cap);
  n += (size_t)snprintf(d->body, cap, "uniq%dx ", i);
  for (int k = 0; k < nwords; k++) {
    const char *w = tu_word();
    n += (size_t)snprintf(d->body + n, cap - n, "%s%s", w, k % 13 == 12 ? ". " : " ");
  }
  d->published = 1546300800 + (int64_t)(tu_next() % (8u * 365 * 86400));
}

static tt_article tu_article(const tu_doc *d)
{
  tt_article a;
  memset(&a, 0, sizeof a);
  a.url = d->url; a.url_len = strlen(d->url);
  a.title = d->title; a.title_len = strlen(d->title);
  a.source = "test"; a.source_len = 4;
  a.body = d->body; a.body_len = strlen(d->body);
  a.id = ""; a.published = d->published;
  return a;
}

static char *tu_tempdir(void)
{
  char *t = malloc(4096);
  if (t && tt_test_mkdtemp(t, 4096, "tt_index")) { free(t); return NULL; }
  return t;
}

static void tu_rmrf(const char *dir) { tt_test_rmtree(dir); }

#endif
