/* Query parsing: text -> qnode tree (query/query_int.h), with prefix* expanded through the
 * segment dictionaries and index-wide statistics filled in. The language is in docs/query.md:
 *
 *   query   := clause*                                   clauses are ANDed
 *   clause  := ['-' | 'NOT'] orexpr                      '-' / NOT excludes the whole orexpr
 *   orexpr  := nearexpr ('OR' nearexpr)*
 *   nearexpr:= unit [('NEAR' | 'NEAR/' n) unit]          n = 1..1000, default 10
 *   unit    := '=' unit                                  exact form only (per term)
 *            | ('title' | 'body') ':' unit               field restriction
 *            | ('source' | 'url' | 'person' | 'hospital' | 'program') ':' value   keywords
 *            | 'date' ':' datevalue
 *            | '"' text '"' | '(' query ')' | word | word '*'
 *
 * Every malformed query is TT_ESYNTAX with the query and a caret under the offending byte. */
#include "query/query_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/utf8.h"
#include "indexer/bm25.h"
#include "indexer/pairs.h"
#include "timtin/article.h"
#include "timtin/entities.h"

#include <unicode/uchar.h>

typedef struct pctx {
  tt_reader *r;
  tt_analyzer *an;
  const char *q;
  size_t len, i;
  int strict;          /* global --exact */
  int xstrict;         /* inside '=' */
  int field;           /* inside title: / body: */
  int depth;
  char **terms;        /* highlight terms */
  size_t nterms, capterms;
  tt_buf note;
  tt_entities *ent;    /* recognizer for entity field values, made on first need */
} pctx;

/* ------------------------------------------------------------------ errors */

/* Display column of byte offset at: code points, not counting combining marks (U+0300..036F,
 * bytes CC 80 .. CD AF), so the caret lands under the character on a terminal. */
static int column(const char *q, size_t at)
{
  int col = 0;
  for (size_t k = 0; k < at; k++) {
    unsigned char b = (unsigned char)q[k];
    if ((b & 0xC0) == 0x80) continue;
    if (b == 0xCC) continue;
    if (b == 0xCD && k + 1 < at && (unsigned char)q[k + 1] <= 0xAF) continue;
    col++;
  }
  return col;
}

static int syntax(pctx *c, size_t at, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static int syntax(pctx *c, size_t at, const char *fmt, ...)
{
  char what[200];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(what, sizeof what, fmt, ap);
  va_end(ap);
  size_t shown = c->len > 300 ? 300 : c->len;
  if (at > c->len) at = c->len;
  char line[301];
  for (size_t k = 0; k < shown; k++) {
    unsigned char b = (unsigned char)c->q[k];
    line[k] = b < 0x20 || b == 0x7F ? ' ' : (char)b;
  }
  line[shown] = 0;
  int col = column(line, at < shown ? at : shown);
  return tt_error_set(TT_ESYNTAX, "%s at position %d\n  %s%s\n  %*s^", what, col + 1, line,
                      shown < c->len ? "…" : "", col, "");
}

/* ------------------------------------------------------------------ nodes */

static qnode *node_new(int type, size_t at)
{
  qnode *n = tt_calloc(1, sizeof *n);
  if (!n) { tt_error_set(TT_ENOMEM, "out of memory"); return NULL; }
  n->type = (uint8_t)type;
  n->at = (uint32_t)at;
  n->fresh = 1;
  n->vdoc = UINT32_MAX;
  return n;
}

static void node_free(qnode *n)
{
  if (!n) return;
  for (int i = 0; i < n->nkids; i++) node_free(n->kids[i]);
  tt_free(n->kids);
  tt_free(n->order);
  tt_free(n->key);
  tt_free(n->exact);
  tt_free(n->dent);
  if (n->cur) {
    if (n->open) tt_plist_close(n->cur);
    tt_free(n->cur);
  }
  if (n->ecur) {
    if (n->eopen) tt_plist_close(n->ecur);
    tt_free(n->ecur);
  }
  if (n->pairs)
    for (int i = 0; i + 1 < n->nkids; i++) node_free(n->pairs[i]);
  tt_free(n->pairs);
  tt_free(n->sp);
  tt_free(n->bits);
  tt_free(n->psc);
  tt_free(n->pscdoc);
  tt_free(n->ptf);
  tt_free(n->kbits);
  tt_free(n);
}

/* Append k to p; on failure frees k and returns TT_ENOMEM (p untouched). */
static int add_kid(qnode *p, qnode *k)
{
  qnode **kids = tt_realloc(p->kids, (size_t)(p->nkids + 1) * sizeof *kids);
  if (!kids) { node_free(k); return tt_error_set(TT_ENOMEM, "out of memory"); }
  p->kids = kids;
  p->kids[p->nkids++] = k;
  return 0;
}

/* A group of one kid is the kid. */
static qnode *unwrap(qnode *n)
{
  if (n && (n->type == Q_AND || n->type == Q_OR) && n->nkids == 1) {
    qnode *k = n->kids[0];
    n->nkids = 0;
    node_free(n);
    return k;
  }
  return n;
}

static int remember(pctx *c, const char *s, size_t n, int star)
{
  for (size_t i = 0; i < c->nterms; i++)
    if (strlen(c->terms[i]) == n + (size_t)star && !memcmp(c->terms[i], s, n) && (!star || c->terms[i][n] == '*'))
      return 0;
  if (tt_array_reserve(c->terms, c->capterms, c->nterms + 1)) return tt_error_set(TT_ENOMEM, "out of memory");
  char *x = tt_malloc(n + 2);
  TT_CHECK_ALLOC(x);
  memcpy(x, s, n);
  if (star) x[n++] = '*';
  x[n] = 0;
  c->terms[c->nterms++] = x;
  return 0;
}

static qnode *term_node(pctx *c, const tt_token *t, size_t at, int strict)
{
  qnode *n = node_new(Q_TERM, at);
  if (!n) return NULL;
  n->key = tt_strndup(t->folded, t->folded_len);
  if (t->exact_len != t->folded_len || memcmp(t->exact, t->folded, t->folded_len))
    n->exact = tt_strndup(t->exact, t->exact_len);
  if (!n->key || ((t->exact_len != t->folded_len || memcmp(t->exact, t->folded, t->folded_len)) && !n->exact)) {
    node_free(n);
    tt_error_set(TT_ENOMEM, "out of memory");
    return NULL;
  }
  n->field = (uint8_t)c->field;
  n->strict = (uint8_t)(n->exact && strict);
  n->tier = (uint8_t)(n->exact && !strict);
  return n;
}

/* ------------------------------------------------------------------ words and phrases */

static int is_space(char ch) { return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\f' || ch == '\v'; }

static void skip_space(pctx *c)
{
  while (c->i < c->len && is_space(c->q[c->i])) c->i++;
}

/* Analyze q[a, b) into a term (one token, not phrase) or a phrase. *out = NULL when the text
 * has no searchable token. */
static int make_terms(pctx *c, size_t a, size_t b, int phrase, int negated, qnode **out)
{
  *out = NULL;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, c->q + a, b - a, 0, &an));
  if (an.n == 0) return 0;
  if (an.n > 1000) return syntax(c, a, "too many words (at most 1000 in a phrase)");
  qnode *p = NULL;
  if (an.n > 1) {
    if (!(p = node_new(Q_PHRASE, a))) return TT_ENOMEM;
    p->field = (uint8_t)c->field;
  }
  for (size_t i = 0; i < an.n; i++) {
    const tt_token *t = &an.tokens[i];
    int strict = c->strict || c->xstrict || (t->start > 0 && c->q[a + t->start - 1] == '=');
    qnode *n = term_node(c, t, a + t->start, strict);
    if (!n) { node_free(p); return TT_ENOMEM; }
    if (!negated && remember(c, t->folded, t->folded_len, 0)) { node_free(n); node_free(p); return TT_ENOMEM; }
    if (!p) { *out = n; return 0; }
    if (add_kid(p, n)) { node_free(p); return TT_ENOMEM; }
  }
  (void)phrase;
  *out = p;
  return 0;
}

/* Terms of the dictionaries that start with the folded prefix pre (positional keys only:
 * exact forms and field keywords are not syllables; no key with a colon after the prefix
 * either, an entity term, unless pre names the field): the Q_PREFIX_MAX most frequent over the
 * union of the segments (document frequencies summed), ties in byte order. At most
 * Q_PREFIX_SCAN keys are looked at per segment. *capped says that some were left out. */
#define Q_PREFIX_SCAN 100000

typedef struct pterm { char *key; uint64_t df; } pterm;

static int cmp_pkey(const void *a, const void *b)
{
  return strcmp(((const pterm *)a)->key, ((const pterm *)b)->key);
}

static int cmp_pdf(const void *a, const void *b)
{
  const pterm *x = a, *y = b;
  if (x->df != y->df) return x->df > y->df ? -1 : 1;
  return strcmp(x->key, y->key);
}

static int expand_prefix(pctx *c, const char *pre, size_t plen, char ***out, size_t *nout, int *capped)
{
  pterm *v = NULL;
  size_t n = 0, cap = 0;
  int rc = 0;
  int field_prefix = memchr(pre, ':', plen) != NULL;
  *capped = 0;
  for (uint32_t s = 0; s < c->r->nsegs && !rc; s++) {
    tt_dict_iter it;
    rc = tt_dict_iter_seek(&it, &c->r->segs[s].dict, pre, plen);
    if (rc == TT_ITEROVER || rc == TT_ENOTFOUND) { rc = 0; continue; }
    size_t seen = 0;
    while (!rc) {
      tt_dict_entry e;
      rc = tt_dict_iter_next(&it, &e);
      if (rc == TT_ITEROVER) { rc = 0; break; }
      if (rc) break;
      if (e.key_len < plen || memcmp(e.key, pre, plen)) break;
      if (!(e.flags & TT_DICT_POSITIONAL)) continue;
      /* entity terms ("hospital:...") are positional too, but no syllable has a colon */
      if (!field_prefix && memchr(e.key + plen, ':', e.key_len - plen)) continue;
      if (++seen > Q_PREFIX_SCAN) { *capped = 1; break; }
      if (tt_array_reserve(v, cap, n + 1)) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      if (!(v[n].key = tt_strndup(e.key, e.key_len))) { rc = tt_error_set(TT_ENOMEM, "out of memory"); break; }
      v[n++].df = e.df;
    }
  }
  size_t m = 0;
  if (!rc && n) {
    qsort(v, n, sizeof *v, cmp_pkey);
    for (size_t k = 0; k < n; k++) {
      if (m && !strcmp(v[m - 1].key, v[k].key)) { v[m - 1].df += v[k].df; tt_free(v[k].key); continue; }
      v[m++] = v[k];
    }
    n = m;
    if (m > Q_PREFIX_MAX) {
      qsort(v, m, sizeof *v, cmp_pdf);
      for (size_t k = Q_PREFIX_MAX; k < m; k++) tt_free(v[k].key);
      m = n = Q_PREFIX_MAX;
      *capped = 1;
    }
  }
  char **keys = NULL;
  if (!rc && m && !(keys = tt_malloc(m * sizeof *keys))) rc = tt_error_set(TT_ENOMEM, "out of memory");
  if (rc) {
    for (size_t k = 0; k < n; k++) tt_free(v[k].key);
    tt_free(v);
    return rc;
  }
  for (size_t k = 0; k < m; k++) keys[k] = v[k].key;
  tt_free(v);
  *out = keys;
  *nout = m;
  return 0;
}

/* The OR of the n expanded keys v (taken over: v and its strings are freed here, whatever
 * happens), each a term of the current field; no keys gives a node that matches nothing. */
static int terms_or(pctx *c, size_t a, char **v, size_t n, qnode **out)
{
  int rc = 0;
  qnode *or = node_new(n ? Q_OR : Q_NONE, a);
  if (!or) rc = TT_ENOMEM;
  for (size_t k = 0; k < n && !rc; k++) {
    qnode *t = node_new(Q_TERM, a);
    if (!t) { rc = TT_ENOMEM; break; }
    t->key = v[k];
    v[k] = NULL;
    t->field = (uint8_t)c->field;
    rc = add_kid(or, t);
  }
  for (size_t k = 0; k < n; k++) tt_free(v[k]);
  tt_free(v);
  if (rc) { node_free(or); return rc; }
  *out = unwrap(or);
  return 0;
}

/* word* : the folded syllable before '*' expanded to the terms it begins. */
static int make_prefix(pctx *c, size_t a, size_t b, int negated, qnode **out)
{
  *out = NULL;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, c->q + a, b - a, 0, &an));
  if (an.n == 0) return syntax(c, b, "prefix* needs a letter or digit before '*'");
  if (an.n > 1) return syntax(c, a, "prefix* must be one syllable");
  char pre[TT_DICT_MAX_KEY + 1];
  size_t plen = an.tokens[0].folded_len;
  if (plen > TT_DICT_MAX_KEY) plen = TT_DICT_MAX_KEY;
  memcpy(pre, an.tokens[0].folded, plen);
  pre[plen] = 0;
  if (!negated) TT_FORWARD(remember(c, pre, plen, 1));
  char **v = NULL;
  size_t n = 0;
  int capped;
  TT_FORWARD(expand_prefix(c, pre, plen, &v, &n, &capped));
  if (capped)
    tt_buf_printf(&c->note, "%s'%s*' matches more than %d terms: only the %d most frequent are searched",
                  c->note.n ? "; " : "", pre, Q_PREFIX_MAX, Q_PREFIX_MAX);
  return terms_or(c, a, v, n, out);
}

/* ------------------------------------------------------------------ field keywords */

static qnode *key_node(const char *prefix, const char *s, size_t n, size_t at)
{
  size_t pl = strlen(prefix);
  if (pl + n > TT_DICT_MAX_KEY) return node_new(Q_NONE, at);   /* never indexed */
  qnode *k = node_new(Q_KEY, at);
  if (!k) return NULL;
  k->key = tt_malloc(pl + n + 1);
  if (!k->key) { node_free(k); tt_error_set(TT_ENOMEM, "out of memory"); return NULL; }
  memcpy(k->key, prefix, pl);
  memcpy(k->key + pl, s, n);
  k->key[pl + n] = 0;
  return k;
}

/* source:VALUE: one keyword per folded syllable of the source name, ANDed (the indexer stores
 * "source:" + each syllable, docs/format.md "Field keywords"). */
static int make_text_keys(pctx *c, const char *prefix, size_t a, size_t b, qnode **out)
{
  *out = NULL;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, c->q + a, b - a, 0, &an));
  if (an.n == 0) return syntax(c, a, "field %s needs a word", prefix);
  if (an.n > 64) return syntax(c, a, "field %s: value too long", prefix);
  qnode *and = node_new(Q_AND, a);
  if (!and) return TT_ENOMEM;
  for (size_t i = 0; i < an.n; i++) {
    const tt_token *t = &an.tokens[i];
    qnode *k = key_node(prefix, t->folded, t->folded_len, a + t->start);
    if (!k || add_kid(and, k)) { node_free(and); return TT_ENOMEM; }   /* add_kid frees k */
  }
  *out = unwrap(and);
  return 0;
}

/* Index-wide document frequency of key (0 if absent). */
static int key_df(pctx *c, const char *key, size_t len, uint64_t *df)
{
  char scratch[TT_DICT_MAX_KEY + 1];
  *df = 0;
  if (len > TT_DICT_MAX_KEY) return 0;
  for (uint32_t s = 0; s < c->r->nsegs; s++) {
    tt_dict_entry e;
    int rc = tt_dict_lookup(&c->r->segs[s].dict, key, len, &e, scratch);
    if (rc == 0) *df += e.df;
    else if (rc != TT_ENOTFOUND) return rc;
  }
  return 0;
}

/* The key the recognizer gives text[0, n) when it reads all of it as one mention of type. */
static int recognize_whole(pctx *c, const char *text, size_t n, int type, tt_buf *out, int *found)
{
  *found = 0;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, text, n, 0, &an));
  if (!an.n) return 0;
  const tt_entity_mention *m;
  size_t nm;
  TT_FORWARD(tt_entities_find(c->ent, text, n, &an, 0, &m, &nm));
  for (size_t i = 0; i < nm; i++) {
    if ((int)m[i].type != type || m[i].first_token != 0 || m[i].end_token != an.n) continue;
    tt_buf_reset(out);
    if (tt_buf_append(out, m[i].key, m[i].key_len)) return tt_error_set(TT_ENOMEM, "out of memory");
    *found = 1;
    return 0;
  }
  return 0;
}

/* Letters of a word that is an abbreviation ("bv", "bvđk", "bvtw", "cdc", "ttyt"): no vowel, or
 * ttyt. Such a word is written in capitals when the value is re-cased for the recognizer. */
static int acronym(const char *w, size_t n)
{
  if (n == 4 && !memcmp(w, "ttyt", 4)) return 1;
  size_t letters = 0;
  for (size_t i = 0; i < n; i++, letters++) {
    unsigned char ch = (unsigned char)w[i];
    if (ch == 0xC4 && i + 1 < n && ((unsigned char)w[i + 1] == 0x91 || (unsigned char)w[i + 1] == 0x90)) { i++; continue; }  /* đ */
    if (ch >= 0x80) return 0;   /* every other Vietnamese letter beyond ASCII is a vowel */
    if (strchr("aeiouy0123456789", ch | 0x20)) return 0;
  }
  return letters >= 2 && letters <= 6;
}

/* Entity field aliases: when "<field>:<folded value>" is not in the index, the value is read by
 * the recognizer, as typed and then re-cased (each word capitalised, abbreviations in capitals),
 * so the spelling variants a document may use work in queries too: "BV Bạch Mai" -> "benh vien
 * bach mai", "bvđk tỉnh lai châu", "Nghị quyết số 72" -> "nghi quyet 72". A hospital value the
 * recognizer does not read ("bạch mai") is tried as "benh vien " + value. key holds the field
 * prefix and the folded value, and gets the alias (same prefix) if one exists in the index. */
static int entity_alias(pctx *c, const char *field, size_t a, size_t b, tt_buf *key)
{
  uint64_t df;
  TT_FORWARD(key_df(c, key->p, key->n, &df));
  if (df || b - a > 1024) return 0;
  /* the key itself, as `timtin entities --json` prints it ("so y te tp.hcm": the analyzer splits
   * a lower-case "tp.hcm" that the recognizer saw as "TP.HCM") */
  tt_buf lit = TT_BUF_INIT;
  size_t pl = strlen(field);
  int lrc = tt_buf_puts(&lit, field);
  for (size_t i = a; i < b && !lrc; i++) lrc = tt_buf_putc(&lit, c->q[i]);
  if (!lrc) lrc = key_df(c, lit.p, lit.n, &df);
  if (!lrc && df && lit.n > pl) { tt_buf_reset(key); lrc = tt_buf_append(key, lit.p, lit.n) ? tt_error_set(TT_ENOMEM, "out of memory") : 0; }
  tt_buf_fini(&lit);
  if (lrc || df) return lrc;
  int type = !strcmp(field, "person:") ? TT_ENT_PERSON : !strcmp(field, "hospital:") ? TT_ENT_HOSPITAL : TT_ENT_PROGRAM;
  if (!c->ent) TT_FORWARD(tt_entities_new(&c->ent));
  tt_buf k = TT_BUF_INIT, v = TT_BUF_INIT, cand = TT_BUF_INIT;
  int rc = 0, found = 0;
  rc = recognize_whole(c, c->q + a, b - a, type, &k, &found);
  if (!rc && !found) {   /* re-cased */
    const char *p = c->q + a, *end = c->q + b;
    int start = 1;
    while (p < end && !rc) {
      uint32_t cp;
      size_t l = tt_utf8_decode((const unsigned char *)p, (size_t)(end - p), &cp);
      if (!l) l = 1;
      int space = cp == ' ' || cp == '\t';
      if (start && !space) {
        const char *we = p;
        while (we < end && *we != ' ' && *we != '\t') we++;
        int caps = acronym(p, (size_t)(we - p));
        for (const char *x = p; x < we && !rc;) {
          size_t xl = tt_utf8_decode((const unsigned char *)x, (size_t)(we - x), &cp);
          if (!xl) { xl = 1; cp = 0xFFFD; }
          char u8[4];
          uint32_t up = (x == p || caps) ? (uint32_t)u_toupper((UChar32)cp) : cp;
          if (tt_buf_append(&v, u8, tt_utf8_encode(up, u8))) rc = tt_error_set(TT_ENOMEM, "out of memory");
          x += xl;
        }
        p = we;
        start = 0;
        continue;
      }
      if (tt_buf_append(&v, p, l)) rc = tt_error_set(TT_ENOMEM, "out of memory");
      start = space;
      p += l;
    }
    if (!rc && v.n) rc = recognize_whole(c, v.p, v.n, type, &k, &found);
  }
  if (!rc && found) {
    if (tt_buf_puts(&cand, field) || tt_buf_append(&cand, k.p, k.n)) rc = tt_error_set(TT_ENOMEM, "out of memory");
    if (!rc) rc = key_df(c, cand.p, cand.n, &df);
    if (!rc && df) { tt_buf_reset(key); if (tt_buf_append(key, cand.p, cand.n)) rc = tt_error_set(TT_ENOMEM, "out of memory"); }
  } else if (!rc && type == TT_ENT_HOSPITAL) {
    if (tt_buf_puts(&cand, field) || tt_buf_puts(&cand, "benh vien ") || tt_buf_append(&cand, key->p + pl, key->n - pl))
      rc = tt_error_set(TT_ENOMEM, "out of memory");
    if (!rc) rc = key_df(c, cand.p, cand.n, &df);
    if (!rc && df) { tt_buf_reset(key); if (tt_buf_append(key, cand.p, cand.n)) rc = tt_error_set(TT_ENOMEM, "out of memory"); }
  }
  tt_buf_fini(&k);
  tt_buf_fini(&v);
  tt_buf_fini(&cand);
  return rc;
}

/* person:, hospital:, program: — the indexer stores each entity mention as the positional term
 * "<field>:<folded canonical name>" (words joined by single spaces: "person:tran van thuan"),
 * with title mentions counted as title frequency, so an entity scores like a syllable (BM25F:
 * articles about it rank first). The value is folded the same way; "số" is dropped from
 * program names as the recognizer drops it. With prefix != 0 the value is a prefix of names
 * (person:"Trần Văn"* or person:tran*), expanded like prefix*. */
static int make_entity(pctx *c, const char *field, size_t a, size_t b, int prefix, int negated, qnode **out)
{
  *out = NULL;
  tt_analysis an;
  TT_FORWARD(tt_analyze(c->an, c->q + a, b - a, 0, &an));
  tt_buf key = TT_BUF_INIT;
  int rc = 0, words = 0;
  if (tt_buf_puts(&key, field)) rc = tt_error_set(TT_ENOMEM, "out of memory");
  for (size_t i = 0; i < an.n && !rc; i++) {
    const tt_token *t = &an.tokens[i];
    if (!strcmp(field, "program:") && !strcmp(t->exact, "số")) continue;
    if ((words++ && tt_buf_putc(&key, ' ')) || tt_buf_append(&key, t->folded, t->folded_len))
      rc = tt_error_set(TT_ENOMEM, "out of memory");
    if (!rc && !negated) rc = remember(c, t->folded, t->folded_len, 0);
  }
  if (!rc && !words) rc = syntax(c, a, "field %s needs a name", field);
  if (!rc && !prefix) rc = entity_alias(c, field, a, b, &key);
  if (!rc && key.n > TT_DICT_MAX_KEY) {   /* never indexed */
    *out = node_new(Q_NONE, a);
    rc = *out ? 0 : TT_ENOMEM;
  } else if (!rc && prefix) {
    char **v = NULL;
    size_t n = 0;
    int capped = 0;
    rc = expand_prefix(c, key.p, key.n, &v, &n, &capped);
    if (!rc && capped)
      tt_buf_printf(&c->note, "%s'%s*' matches more than %d names: only the %d most frequent are searched",
                    c->note.n ? "; " : "", key.p, Q_PREFIX_MAX, Q_PREFIX_MAX);
    if (!rc) rc = terms_or(c, a, v, n, out);
    else {
      for (size_t k = 0; k < n; k++) tt_free(v[k]);
      tt_free(v);
    }
  } else if (!rc) {
    qnode *t = node_new(Q_TERM, a);
    if (!t || !(t->key = tt_strndup(key.p, key.n))) { node_free(t); rc = tt_error_set(TT_ENOMEM, "out of memory"); }
    else { t->field = (uint8_t)c->field; *out = t; }
  }
  tt_buf_fini(&key);
  return rc;
}

static int is_alnum(char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); }

/* url:VALUE — the writer's keywords: "url:<host without www.>" and "url:<piece>" for each
 * lower-case alphanumeric piece (<= 40 bytes) of host and path. A value with a dot before its
 * first '/' names the host; everything else is matched piece by piece; all ANDed. */
static int make_url_keys(pctx *c, size_t a, size_t b, qnode **out)
{
  *out = NULL;
  char u[512] = {0};
  size_t n = b - a < sizeof u ? b - a : sizeof u;
  for (size_t k = 0; k < n; k++) {
    char ch = c->q[a + k];
    u[k] = (char)(ch >= 'A' && ch <= 'Z' ? ch + 32 : ch);
  }
  size_t i = 0;
  const char *sch = memmem(u, n, "://", 3);
  if (sch) i = (size_t)(sch - u) + 3;
  size_t h0 = i, h1 = i;
  while (h1 < n && u[h1] != '/' && u[h1] != '?' && u[h1] != '#') h1++;
  if (h1 - h0 > 4 && !memcmp(u + h0, "www.", 4)) h0 += 4;
  qnode *and = node_new(Q_AND, a);
  if (!and) return TT_ENOMEM;
  int rc = 0;
  size_t from = h0;
  if (h1 > h0 && memchr(u + h0, '.', h1 - h0) && u[h1 - 1] != '.') {
    qnode *k = key_node("url:", u + h0, h1 - h0, a + h0);
    rc = k ? add_kid(and, k) : TT_ENOMEM;
    from = h1;
  }
  for (size_t k = from; k < n && !rc;) {
    while (k < n && !is_alnum(u[k])) k++;
    size_t s = k;
    while (k < n && is_alnum(u[k])) k++;
    if (k > s) {
      qnode *x = key_node("url:", u + s, k - s, a + s);
      rc = x ? add_kid(and, x) : TT_ENOMEM;
    }
  }
  if (rc) { node_free(and); return rc; }
  if (and->nkids == 0) { node_free(and); return syntax(c, a, "url: needs a host or letters and digits"); }
  *out = unwrap(and);
  return 0;
}

/* ------------------------------------------------------------------ dates */

static int digits(const char *s, size_t n, int *out)
{
  int v = 0;
  if (!n) return -1;
  for (size_t k = 0; k < n; k++) {
    if (s[k] < '0' || s[k] > '9') return -1;
    v = v * 10 + (s[k] - '0');
  }
  *out = v;
  return 0;
}

static int day_start(int y, int m, int d, int64_t *out)
{
  char buf[16];
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return tt_parse_date(buf, strlen(buf), out) ? -1 : 0;
}

/* A date YYYY, YYYY-MM, YYYY-MM-DD or an ISO date-time, as the interval [lo, hi) it covers
 * (Vietnam time). Returns 0 or -1. */
static int date_interval(const char *s, size_t n, int64_t *lo, int64_t *hi)
{
  int y, m = 0, d = 0;
  if (n == 4 && !digits(s, 4, &y)) {
    if (day_start(y, 1, 1, lo)) return -1;
    if (day_start(y + 1, 1, 1, hi)) *hi = *lo + 366 * 86400;
    return 0;
  }
  if (n == 7 && !digits(s, 4, &y) && s[4] == '-' && !digits(s + 5, 2, &m)) {
    if (m < 1 || m > 12 || day_start(y, m, 1, lo)) return -1;
    if (day_start(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, hi)) *hi = *lo + 31 * 86400;
    return 0;
  }
  if (n == 10 && !digits(s, 4, &y) && s[4] == '-' && !digits(s + 5, 2, &m) && s[7] == '-' &&
      !digits(s + 8, 2, &d)) {
    if (tt_parse_date(s, n, lo)) return -1;
    *hi = *lo + 86400;   /* Vietnam has no daylight saving */
    return 0;
  }
  if (n < 11 || n > 40 || tt_parse_date(s, n, lo)) return -1;
  *hi = *lo + 1;
  return 0;
}

static int make_date(pctx *c, size_t a, size_t b, qnode **out)
{
  const char *s = c->q + a;
  size_t n = b - a;
  int64_t lo = INT64_MIN + 1, hi = INT64_MAX, x0 = 0, x1 = 0;
  const char *how = "a date (2024, 2024-06, 2024-06-30), a range (2024-01..2024-06) or a comparison (>=2025-01-01)";
  if (n >= 1 && (s[0] == '<' || s[0] == '>')) {
    int ge = s[0] == '>', eq = n >= 2 && s[1] == '=';
    size_t k = eq ? 2 : 1;
    if (date_interval(s + k, n - k, &x0, &x1)) return syntax(c, a + k, "bad date: expected %s", how);
    if (ge) lo = eq ? x0 : x1;
    else hi = eq ? x1 : x0;
  } else {
    const char *dots = NULL;
    for (size_t k = 0; k + 1 < n; k++)
      if (s[k] == '.' && s[k + 1] == '.') { dots = s + k; break; }
    if (dots) {
      size_t l1 = (size_t)(dots - s), r0 = l1 + 2;
      if (l1 == 0 && r0 == n) return syntax(c, a, "bad date range: expected %s", how);
      if (l1 && date_interval(s, l1, &x0, &x1)) return syntax(c, a, "bad date: expected %s", how);
      if (l1) lo = x0;
      if (r0 < n && date_interval(s + r0, n - r0, &x0, &x1)) return syntax(c, a + r0, "bad date: expected %s", how);
      if (r0 < n) hi = x1;
      if (lo >= hi) return syntax(c, a, "empty date range: the end is before the start");
    } else {
      if (date_interval(s, n, &lo, &hi)) return syntax(c, a, "bad date: expected %s", how);
    }
  }
  qnode *d = node_new(Q_DATE, a);
  if (!d) return TT_ENOMEM;
  d->lo = lo;
  d->hi = hi;
  *out = d;
  return 0;
}

/* ------------------------------------------------------------------ grammar */

static int parse_query(pctx *c, qnode **out, int negated, size_t open);
static int parse_unit(pctx *c, qnode **out, int negated);

static int is_kw(pctx *c, const char *kw)
{
  size_t n = strlen(kw);
  return c->i + n <= c->len && !memcmp(c->q + c->i, kw, n) &&
         (c->i + n == c->len || is_space(c->q[c->i + n]) || c->q[c->i + n] == '(' || c->q[c->i + n] == '"');
}

static int word_end(pctx *c, size_t k)
{
  while (k < c->len && !is_space(c->q[k]) && c->q[k] != '"' && c->q[k] != '(' && c->q[k] != ')') k++;
  return (int)k;
}

/* A quoted value or a run of non-space bytes (up to ')'): [*a, *b). */
static int field_value(pctx *c, const char *name, size_t *a, size_t *b)
{
  if (c->i >= c->len || is_space(c->q[c->i]) || c->q[c->i] == ')')
    return syntax(c, c->i, "empty field: %s: needs a value", name);
  if (c->q[c->i] == '"') {
    size_t open = c->i++;
    while (c->i < c->len && c->q[c->i] != '"') c->i++;
    if (c->i >= c->len) return syntax(c, open, "unbalanced quote");
    *a = open + 1;
    *b = c->i++;
    if (*a == *b) return syntax(c, open, "empty field: %s: needs a value", name);
    return 0;
  }
  *a = c->i;
  while (c->i < c->len && !is_space(c->q[c->i]) && c->q[c->i] != ')' && c->q[c->i] != '(') c->i++;
  *b = c->i;
  if (*a == *b) return syntax(c, *a, "empty field: %s: needs a value", name);
  return 0;
}

static const char *const text_fields[] = {"title", "body"};
static const char *const key_fields[] = {"source", "url", "person", "hospital", "program", "date"};

/* field ':' at c->i? Returns 1 with *which (0..1 text field, 2..7 keyword field), 0 if this is
 * an ordinary word, or a negative error (unknown field). */
static int field_at(pctx *c, int *which, size_t *name_len)
{
  size_t k = c->i;
  while (k < c->len && ((c->q[k] >= 'a' && c->q[k] <= 'z') || (c->q[k] >= 'A' && c->q[k] <= 'Z'))) k++;
  if (k == c->i || k >= c->len || c->q[k] != ':' || k - c->i > 16) return 0;
  char name[17];
  size_t n = k - c->i;
  for (size_t j = 0; j < n; j++) name[j] = (char)(c->q[c->i + j] | 0x20);
  name[n] = 0;
  *name_len = n;
  for (int j = 0; j < 2; j++) if (!strcmp(name, text_fields[j])) { *which = j; return 1; }
  for (int j = 0; j < 6; j++) if (!strcmp(name, key_fields[j])) { *which = 2 + j; return 1; }
  /* not a field: "http://...", "Note: ..." stay words */
  if (!strcmp(name, "http") || !strcmp(name, "https") || k + 1 >= c->len || is_space(c->q[k + 1]))
    return 0;
  return syntax(c, c->i, "unknown field '%s' (fields: title body source url date person hospital program)", name);
}

static int parse_unit(pctx *c, qnode **out, int negated)
{
  *out = NULL;
  skip_space(c);
  if (c->i >= c->len) return syntax(c, c->i, "expected a word");
  char ch = c->q[c->i];
  if (ch == '=' && c->i + 1 < c->len && !is_space(c->q[c->i + 1])) {
    while (c->i + 1 < c->len && c->q[c->i] == '=' && !is_space(c->q[c->i + 1])) c->i++;
    int save = c->xstrict;
    c->xstrict = 1;
    int rc = parse_unit(c, out, negated);   /* one level: the '='s are consumed */
    c->xstrict = save;
    return rc;
  }
  int which = 0;
  size_t nl = 0;
  int f = field_at(c, &which, &nl);
  if (f < 0) return f;
  if (f) {
    size_t at = c->i;
    c->i += nl + 1;
    const char *name = which < 2 ? text_fields[which] : key_fields[which - 2];
    if (c->i >= c->len || is_space(c->q[c->i]) || c->q[c->i] == ')')
      return syntax(c, at, "empty field: %s: needs a value", name);
    if (which < 2) {
      if (++c->depth > Q_DEPTH_MAX) return syntax(c, at, "fields nested too deep");
      int save = c->field;
      c->field = which == 0 ? F_TITLE : F_BODY;
      int rc = parse_unit(c, out, negated);
      c->field = save;
      c->depth--;
      if (!rc && !*out) return syntax(c, at, "field %s: has no searchable word", name);
      return rc;
    }
    size_t a = 0, b = 0;
    TT_FORWARD(field_value(c, name, &a, &b));
    if (which >= 4 && which <= 6) {   /* entities: a trailing '*' (after the quote too) = prefix */
      int star = 0;
      if (c->i < c->len && c->q[c->i] == '*') { star = 1; while (c->i < c->len && c->q[c->i] == '*') c->i++; }
      while (b > a && c->q[b - 1] == '*') { b--; star = 1; }
      static const char *const ef[] = {"person:", "hospital:", "program:"};
      return make_entity(c, ef[which - 4], a, b, star, negated, out);
    }
    switch (which) {
    case 2: return make_text_keys(c, "source:", a, b, out);
    case 3: return make_url_keys(c, a, b, out);
    default: return make_date(c, a, b, out);
    }
  }
  if (ch == '"') {
    size_t open = c->i++;
    while (c->i < c->len && c->q[c->i] != '"') c->i++;
    if (c->i >= c->len) return syntax(c, open, "unbalanced quote");
    size_t end = c->i++;
    for (size_t k = open + 1; k < end; k++)
      if (c->q[k] == '*' && k > open + 1 && !is_space(c->q[k - 1]))
        return syntax(c, k, "prefix* is not supported inside a phrase");
    TT_FORWARD(make_terms(c, open + 1, end, 1, negated, out));
    if (!*out) return syntax(c, open, "empty phrase");
    return 0;
  }
  if (ch == '(') {
    size_t open = c->i++;
    if (++c->depth > Q_DEPTH_MAX) return syntax(c, open, "parentheses nested too deep");
    int rc = parse_query(c, out, negated, open);
    c->depth--;
    return rc;
  }
  if (ch == ')') return syntax(c, c->i, "unbalanced parenthesis");
  size_t start = c->i;
  size_t end = (size_t)word_end(c, c->i);
  c->i = end;
  if (end > start && c->q[end - 1] == '*') {
    size_t e = end - 1;
    while (e > start && c->q[e - 1] == '*') e--;
    return make_prefix(c, start, e, negated, out);
  }
  return make_terms(c, start, end, 0, negated, out);
}

static int positional(const qnode *n) { return n && (n->type == Q_TERM || n->type == Q_PHRASE); }

/* nearexpr := unit [NEAR[/n] unit] */
static int parse_near(pctx *c, qnode **out, int negated)
{
  *out = NULL;
  qnode *a;
  TT_FORWARD(parse_unit(c, &a, negated));
  size_t save = c->i;
  skip_space(c);
  if (!(c->i + 4 <= c->len && !memcmp(c->q + c->i, "NEAR", 4) &&
        (c->i + 4 == c->len || c->q[c->i + 4] == '/' || is_space(c->q[c->i + 4]) || c->q[c->i + 4] == '"' ||
         c->q[c->i + 4] == '('))) {
    c->i = save;
    *out = a;
    return 0;
  }
  size_t at = c->i;
  c->i += 4;
  uint32_t dist = Q_NEAR_DEFAULT;
  if (c->i < c->len && c->q[c->i] == '/') {
    c->i++;
    size_t d0 = c->i;
    uint64_t v = 0;
    while (c->i < c->len && c->q[c->i] >= '0' && c->q[c->i] <= '9' && c->i - d0 < 6) v = v * 10 + (uint64_t)(c->q[c->i++] - '0');
    if (c->i == d0 || v == 0 || v > Q_NEAR_MAX || (c->i < c->len && !is_space(c->q[c->i]) && c->q[c->i] != '"' && c->q[c->i] != '(')) {
      node_free(a);
      return syntax(c, d0, "NEAR/n needs a distance n from 1 to %d", Q_NEAR_MAX);
    }
    dist = (uint32_t)v;
  }
  if (!positional(a)) {
    node_free(a);
    return syntax(c, at, "NEAR joins two words or \"phrases\"");
  }
  skip_space(c);
  if (c->i >= c->len || c->q[c->i] == ')') { node_free(a); return syntax(c, at, "NEAR needs a word on both sides"); }
  size_t bat = c->i;
  qnode *b;
  int rc = parse_unit(c, &b, negated);
  if (rc) { node_free(a); return rc; }
  if (!positional(b)) {
    node_free(a);
    node_free(b);
    return syntax(c, bat, "NEAR joins two words or \"phrases\"");
  }
  qnode *n = node_new(Q_NEAR, at);
  if (!n) { node_free(a); node_free(b); return TT_ENOMEM; }
  n->near = dist;
  if (add_kid(n, a)) { node_free(b); node_free(n); return TT_ENOMEM; }
  if (add_kid(n, b)) { node_free(n); return TT_ENOMEM; }
  save = c->i;
  skip_space(c);
  if (c->i + 4 <= c->len && !memcmp(c->q + c->i, "NEAR", 4) &&
      (c->i + 4 == c->len || c->q[c->i + 4] == '/' || is_space(c->q[c->i + 4]))) {
    node_free(n);
    return syntax(c, c->i, "NEAR joins exactly two words or phrases; use parentheses and AND for more");
  }
  c->i = save;
  *out = n;
  return 0;
}

/* clause := ['-' | 'NOT'] nearexpr ('OR' nearexpr)* */
static int parse_clause(pctx *c, qnode **out, int negated)
{
  *out = NULL;
  skip_space(c);
  int neg = 0;
  size_t at = c->i;
  if (c->i + 1 < c->len && c->q[c->i] == '-' && !is_space(c->q[c->i + 1])) { neg = 1; c->i++; }
  else if (is_kw(c, "NOT")) { neg = 1; c->i += 3; }
  skip_space(c);
  if (is_kw(c, "OR")) return syntax(c, c->i, "OR needs a word on both sides");
  if (neg && (c->i >= c->len || c->q[c->i] == ')')) return syntax(c, at, "nothing to exclude after '-' or NOT");
  qnode *first;
  TT_FORWARD(parse_near(c, &first, negated ^ neg));
  qnode *or = NULL;
  for (;;) {
    size_t save = c->i;
    skip_space(c);
    if (!is_kw(c, "OR")) { c->i = save; break; }
    size_t orat = c->i;
    c->i += 2;
    skip_space(c);
    if (c->i >= c->len || c->q[c->i] == ')' || is_kw(c, "OR")) {
      node_free(first);
      node_free(or);
      return syntax(c, orat, "OR needs a word on both sides");
    }
    qnode *k;
    int rc = parse_near(c, &k, negated ^ neg);
    if (rc) { node_free(first); node_free(or); return rc; }
    if (!k) continue;
    if (!or) {
      if (!(or = node_new(Q_OR, at))) { node_free(first); node_free(k); return TT_ENOMEM; }
      if (first && add_kid(or, first)) { node_free(k); node_free(or); return TT_ENOMEM; }
      first = NULL;
    }
    if (add_kid(or, k)) { node_free(or); return TT_ENOMEM; }
  }
  qnode *res = or ? unwrap(or) : first;
  if (res && neg) {
    qnode *n = node_new(Q_NOT, at);
    if (!n) { node_free(res); return TT_ENOMEM; }
    if (add_kid(n, res)) { node_free(n); return TT_ENOMEM; }
    res = n;
  }
  *out = res;
  return 0;
}

/* Clauses up to ')' (when open != SIZE_MAX, which is the '(' offset) or the end. */
static int parse_query(pctx *c, qnode **out, int negated, size_t open)
{
  *out = NULL;
  qnode *and = node_new(Q_AND, open == SIZE_MAX ? 0 : open);
  if (!and) return TT_ENOMEM;
  for (;;) {
    skip_space(c);
    if (c->i >= c->len) {
      if (open != SIZE_MAX) { node_free(and); return syntax(c, open, "unbalanced parenthesis"); }
      break;
    }
    if (c->q[c->i] == ')') {
      if (open == SIZE_MAX) { node_free(and); return syntax(c, c->i, "unbalanced parenthesis"); }
      c->i++;
      break;
    }
    size_t before = c->i;
    qnode *k;
    int rc = parse_clause(c, &k, negated);
    if (rc) { node_free(and); return rc; }
    if (k && add_kid(and, k)) { node_free(and); return TT_ENOMEM; }
    if (c->i == before) { node_free(and); return syntax(c, c->i, "unexpected character"); }  /* no progress */
  }
  int pos = 0;
  for (int i = 0; i < and->nkids; i++) pos += and->kids[i]->type != Q_NOT;
  if (open != SIZE_MAX) {
    if (and->nkids == 0) { node_free(and); return syntax(c, open, "empty parentheses"); }
    if (!pos) { node_free(and); return syntax(c, open, "a group needs a word that is not excluded"); }
    *out = unwrap(and);
    return 0;
  }
  if (and->nkids && !pos) { node_free(and); return syntax(c, 0, "a query needs at least one word that is not excluded"); }
  *out = and;
  return 0;
}

/* ------------------------------------------------------------------ statistics */

/* The pair terms (indexer/pairs.h) of neighbouring syllables of a phrase (for matching) or of
 * an AND (for the proximity bonus). */
static int add_pairs(qnode *n)
{
  if ((n->type != Q_PHRASE && n->type != Q_AND) || n->nkids < 2) return 0;
  for (int i = 0; i + 1 < n->nkids; i++) {
    const qnode *a = n->kids[i], *b = n->kids[i + 1];
    if (a->type != Q_TERM || b->type != Q_TERM) continue;
    int x = tt_pairs_id(a->key, strlen(a->key)), y = tt_pairs_id(b->key, strlen(b->key));
    if (x < 0 || y < 0) continue;
    if (!n->pairs && !(n->pairs = tt_calloc((size_t)n->nkids - 1, sizeof *n->pairs)))
      return tt_error_set(TT_ENOMEM, "out of memory");
    char key[TT_PAIRS_KEY_MAX];
    size_t len = tt_pairs_key(key, x, y);
    qnode *k = node_new(Q_KEY, a->at);
    if (!k) return TT_ENOMEM;
    n->pairs[i] = k;
    if (!(k->key = tt_strndup(key, len)) || !(k->cur = tt_malloc(sizeof *k->cur)))
      return tt_error_set(TT_ENOMEM, "out of memory");
    k->field = n->type == Q_PHRASE ? n->field : F_ANY;
  }
  return 0;
}

static int stats(tt_reader *r, qnode *n)
{
  if (n->type == Q_TERM || n->type == Q_KEY) {
    char scratch[TT_DICT_MAX_KEY + 1];
    const char *key = n->strict ? n->exact : n->key;
    uint64_t df = 0;
    if (n->type == Q_TERM && r->nsegs && !(n->dent = tt_calloc(r->nsegs, sizeof *n->dent)))
      return tt_error_set(TT_ENOMEM, "out of memory");
    for (uint32_t s = 0; s < r->nsegs; s++) {
      tt_dict_entry e;
      int rc = tt_dict_lookup(&r->segs[s].dict, key, strlen(key), &e, scratch);
      if (rc == 0) {
        df += e.df;
        if (n->dent) n->dent[s] = (qdent){e.post_off, e.post_len, e.flags, 1};
      } else if (rc != TT_ENOTFOUND) {
        return rc;
      }
    }
    n->df = df;
    n->idf = df ? tt_bm25_idf((double)r->base[r->nsegs], (double)df) : 0;
    if (!(n->cur = tt_malloc(sizeof *n->cur))) return tt_error_set(TT_ENOMEM, "out of memory");
    if (n->exact && !(n->ecur = tt_malloc(sizeof *n->ecur))) return tt_error_set(TT_ENOMEM, "out of memory");
    return 0;
  }
  for (int i = 0; i < n->nkids; i++) TT_FORWARD(stats(r, n->kids[i]));
  TT_FORWARD(add_pairs(n));
  if (n->nkids && !(n->order = tt_malloc((size_t)n->nkids * sizeof *n->order)))
    return tt_error_set(TT_ENOMEM, "out of memory");
  return 0;
}

double qtree_maxprox(const qnode *n)
{
  double b = 0;
  if (n->type == Q_AND) {
    for (int i = 0; i + 1 < n->nkids; i++) {
      const qnode *a = n->kids[i], *k = n->kids[i + 1];
      if (a->type == Q_TERM && k->type == Q_TERM) b += Q_PROX_WEIGHT * (a->idf < k->idf ? a->idf : k->idf);
    }
  }
  if (n->type == Q_AND || n->type == Q_OR)
    for (int i = 0; i < n->nkids; i++) b += qtree_maxprox(n->kids[i]);
  return b;
}

int qtree_parse(qtree *t, tt_reader *r, tt_analyzer *an, const char *query, size_t len, int strict)
{
  memset(t, 0, sizeof *t);
  pctx c;
  memset(&c, 0, sizeof c);
  c.r = r;
  c.an = an;
  c.q = query ? query : "";
  c.len = query ? len : 0;
  c.strict = strict;
  tt_buf_init(&c.note);
  int rc = 0;
  if (c.len > 65536) rc = tt_error_set(TT_ESYNTAX, "query too long (%zu bytes, at most 65536)", c.len);
  if (!rc) rc = parse_query(&c, &t->root, 0, SIZE_MAX);
  if (!rc) rc = stats(r, t->root);
  t->terms = c.terms;
  t->nterms = c.nterms;
  if (!rc && c.note.n) {
    t->note = tt_strndup(c.note.p, c.note.n);
    if (!t->note) rc = tt_error_set(TT_ENOMEM, "out of memory");
  }
  tt_buf_fini(&c.note);
  tt_entities_free(c.ent);
  if (!rc) t->maxprox = qtree_maxprox(t->root);
  if (rc) qtree_free(t);
  return rc;
}

void qtree_free(qtree *t)
{
  node_free(t->root);
  for (size_t i = 0; i < t->nterms; i++) tt_free(t->terms[i]);
  tt_free(t->terms);
  tt_free(t->note);
  memset(t, 0, sizeof *t);
}
