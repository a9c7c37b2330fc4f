/* Fuzz target: the entity recognizer (tt_entities_find) on arbitrary bytes.
 *
 * Beyond "no crash" (ASan/UBSan), every run checks the contract: mentions in start order,
 * token and byte ranges inside the analysis and the text and consistent with each other,
 * types valid, canonical/key/role NUL-terminated of the stated lengths, keys without upper-case
 * ASCII, no two mentions of one type overlapping. The input is also run split in two (title,
 * then body with TT_ENT_CONTINUE). A violation aborts. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timtin/analyze.h"
#include "timtin/entities.h"

#define CHECK(c)                                                                  \
  do {                                                                            \
    if (!(c)) {                                                                   \
      fprintf(stderr, "fuzz_entities: %s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
      abort();                                                                    \
    }                                                                             \
  } while (0)

static tt_analyzer *an;
static tt_entities *en;

static void cleanup(void) { tt_entities_free(en); tt_analyzer_free(an); }

static void run(const char *s, size_t size, unsigned flags)
{
  tt_analysis r;
  CHECK(tt_analyze(an, s, size, 7, &r) == 0);
  const tt_entity_mention *m;
  size_t n;
  CHECK(tt_entities_find(en, s, size, &r, flags, &m, &n) == 0);
  for (size_t i = 0; i < n; i++) {
    const tt_entity_mention *x = &m[i];
    CHECK(x->type >= TT_ENT_PERSON && x->type <= TT_ENT_PROGRAM);
    CHECK(x->first_token < x->end_token && x->end_token <= r.n);
    CHECK(x->start < x->end && x->end <= size);
    CHECK(x->start >= r.tokens[x->first_token].start && x->end == r.tokens[x->end_token - 1].end);
    CHECK(x->canonical && strlen(x->canonical) == x->canonical_len && x->canonical_len > 0);
    CHECK(x->key && strlen(x->key) == x->key_len);
    CHECK(x->role && strlen(x->role) == x->role_len);
    for (size_t k = 0; k < x->key_len; k++) CHECK(!(x->key[k] >= 'A' && x->key[k] <= 'Z'));
    if (i) CHECK(m[i - 1].start <= x->start);
    for (size_t j = 0; j < i; j++)
      if (m[j].type == x->type) CHECK(m[j].end <= x->start || x->end <= m[j].start);
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  if (!an) {
    CHECK(tt_analyzer_new(&an) == 0);
    CHECK(tt_entities_new(&en) == 0);
    atexit(cleanup);
  }
  const char *s = (const char *)data;
  run(s, size, 0);
  size_t cut = size ? data[0] % (size + 1) : 0;
  run(s, cut, 0);
  run(s + cut, size - cut, TT_ENT_CONTINUE);
  return 0;
}
