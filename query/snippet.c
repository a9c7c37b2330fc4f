/* Snippets: the best passage of a document for the query's syllables, with highlight ranges
 * (include/timtin/query.h). The text is analyzed again so that offsets point into the
 * original bytes (diacritics and NFD as the reader sees them). */
#include "timtin/query.h"

#include <string.h>

#include "common/alloc.h"
#include "common/error.h"
#include "timtin/analyze.h"

#define WINDOW 24   /* tokens in a passage */

/* Does the token match a query term? "pre*" matches every syllable that begins with pre. */
static int is_term(const tt_token *t, char *const *terms, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    size_t l = strlen(terms[i]);
    if (l && terms[i][l - 1] == '*') {
      if (l - 1 <= t->folded_len && !memcmp(terms[i], t->folded, l - 1)) return 1;
    } else if (l == t->folded_len && !memcmp(terms[i], t->folded, l)) {
      return 1;
    }
  }
  return 0;
}

/* Largest offset <= at that does not split a UTF-8 sequence. */
static size_t utf8_floor(const char *s, size_t len, size_t at)
{
  while (at > 0 && at < len && ((unsigned char)s[at] & 0xC0) == 0x80) at--;
  return at;
}

int tt_snippet_make(const char *text, size_t len, char *const *terms, size_t nterms,
                    size_t max_bytes, tt_snippet *out)
{
  memset(out, 0, sizeof *out);
  tt_analyzer *a;
  TT_FORWARD(tt_analyzer_new(&a));
  tt_analysis an;
  int rc = tt_analyze(a, text, len, 0, &an);
  if (rc) { tt_analyzer_free(a); return rc; }
  /* best window: most matching tokens, earliest on ties */
  size_t best = 0, bestn = 0, cnt = 0;
  for (size_t i = 0; i < an.n; i++) {
    cnt += is_term(&an.tokens[i], terms, nterms);
    if (i >= WINDOW) cnt -= is_term(&an.tokens[i - WINDOW], terms, nterms);
    if (cnt > bestn) { bestn = cnt; best = i >= WINDOW - 1 ? i + 1 - WINDOW : 0; }
  }
  size_t from = 0, to = utf8_floor(text, len, len < max_bytes ? len : max_bytes);
  if (an.n) {
    /* start a few tokens before the first match of the window */
    size_t first = best;
    while (first < an.n && first < best + WINDOW && !is_term(&an.tokens[first], terms, nterms)) first++;
    if (first >= an.n) first = best;
    size_t lead = first >= 4 ? first - 4 : 0;
    if (bestn == 0) lead = 0;
    from = lead ? an.tokens[lead].start : 0;
    to = from + max_bytes < len ? from + max_bytes : len;
    /* end at a token boundary */
    size_t end_tok = 0;
    for (size_t i = lead; i < an.n && an.tokens[i].end <= to; i++) end_tok = an.tokens[i].end;
    if (to < len && end_tok > from) to = end_tok;
    else to = utf8_floor(text, len, to);
  }
  out->text = tt_malloc(to - from + 8);
  out->ranges = tt_malloc((an.n ? an.n : 1) * sizeof *out->ranges);
  if (!out->text || !out->ranges) { tt_snippet_fini(out); tt_analyzer_free(a); return tt_error_set(TT_ENOMEM, "out of memory"); }
  size_t n = 0;
  if (from > 0) { memcpy(out->text, "…", 3); n = 3; }
  size_t shift = n;
  /* copy, replacing newlines and control bytes by spaces */
  for (size_t i = from; i < to; i++) {
    unsigned char ch = (unsigned char)text[i];
    out->text[n++] = ch < 0x20 ? ' ' : (char)ch;
  }
  if (to < len) { memcpy(out->text + n, "…", 3); n += 3; }
  out->text[n] = 0;
  out->len = n;
  for (size_t i = 0; i < an.n; i++) {
    const tt_token *t = &an.tokens[i];
    if (t->start < from || t->end > to || !is_term(t, terms, nterms)) continue;
    out->ranges[out->nranges][0] = (uint32_t)(t->start - from + shift);
    out->ranges[out->nranges][1] = (uint32_t)(t->end - from + shift);
    out->nranges++;
  }
  tt_analyzer_free(a);
  return 0;
}

void tt_snippet_fini(tt_snippet *s)
{
  tt_free(s->text);
  tt_free(s->ranges);
  memset(s, 0, sizeof *s);
}
