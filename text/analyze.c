/* The analyzer: bytes -> tokens (include/timtin/analyze.h). One pass over the input.
 *
 * Vocabulary (docs/analyzer.md has the rules in prose):
 *   chunk  a maximal run of non-space characters (space = TT_CC_SPACE: Z*, controls, NUL, ...).
 *          Junk (URLs, e-mail addresses, image file names, hash-like blobs) is recognised per
 *          chunk: the whole chunk is dropped.
 *   part   a maximal run of letters and digits (plus the combining marks and U+FFFD that follow
 *          them). A part is what gets normalized: NFC, lower-case, canonical tone.
 *   group  parts separated by single joiners (- / . , and U+2010..2013) with nothing else in
 *          between ("72-NQ/TW", "24/7/2024", "TP.HCM", "Nội-Hải"). The group decides, once it
 *          has ended, which joiners join (one token "72-nq/tw") and which separate.
 *
 * Hot path: every character is one table lookup (text/chartab.h) that gives its class and its
 * exact and folded UTF-8, copied with fixed 4-byte moves into two arenas (exact, folded) that are
 * reused across calls (no allocation per token once they have grown). A part containing a
 * combining mark or a character outside the table is redone through ICU (tt_text__slow_emit)
 * from its original bytes. Tokens point into the arenas; when an arena must grow (checked once
 * per part, not per character) its bytes move to a new block and the tokens already made are
 * re-pointed before the old block is freed (grow_arena).
 *
 * Junk is found as the chunk is scanned; the tokens it already produced are rolled back (token
 * count and arena lengths saved at the chunk's start) and the rest of the chunk is skipped. */
#include "timtin/analyze.h"
#include "text/chartab.h"
#include "text/normalize.h"
#include "common/alloc.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/endian.h"
#include "common/error.h"
#include "common/utf8.h"

#include <string.h>

/* Limits (docs/analyzer.md, "Junk"). */
#define PART_MAX_BYTES   256  /* bytes of input in one part; more: junk */
#define PART_MAX_CHARS   40   /* letters and digits in one part; more: junk */
#define BLOB_MIN_CHARS   12   /* a part at least this long with >= BLOB_MIN_DIGITS digits */
#define BLOB_MIN_DIGITS  3    /*   and at least one letter is a hash or generated name: junk */
#define JOIN_MAX_BYTES   32   /* a joined token spanning more input (UUIDs, digit lists): junk */
#define GROUP_MAX_PARTS  32   /* a longer group is cut (the joiner becomes a separator) */
/* Arena bytes reserved before a part: the part may overshoot PART_MAX_BYTES by one character,
 * every input byte yields at most 4 output bytes, and each copy moves 4 bytes. */
#define PART_ROOM (4 * (PART_MAX_BYTES + 4) + 16)

/* Part flags: the TT_CF_ flags of its characters, plus two of its own. */
#define PF_UPPER  TT_CF_UPPER  /* has an upper-case letter */
#define PF_LOWER  TT_CF_LOWER  /* has a lower-case letter */
#define PF_DIFF   TT_CF_DIFF   /* exact != folded */
#define PF_DIGIT  TT_CF_DIGIT  /* has a digit */
#define PF_SDIGIT 0x40u        /* starts with a digit */
#define PF_EDIGIT 0x80u        /* ends with a digit */

typedef struct part {
  size_t ex_off, ex_end;    /* exact form in the exact arena; ex_end holds the joiner or NUL */
  size_t fo_off, fo_end;    /* folded form in the folded arena */
  uint32_t start, end;      /* bytes in the input */
  uint8_t flags;            /* PF_* */
  char join;                /* joiner after this part ('-', '/', '.', ','), 0 for the last */
} part;

struct tt_analyzer {
  tt_token *tok;            /* tokens of the last call */
  size_t ntok, captok;
  tt_buf ex, fo;            /* arenas: exact and folded forms, NUL-terminated */
  tt_text_scratch sc;       /* ICU slow path scratch */
  tt_buf sx, sf;            /* slow path output (exact, folded) before it goes to the arenas */
  part parts[GROUP_MAX_PARTS];
};

int tt_analyzer_new(tt_analyzer **out)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_analyzer_new: out is NULL");
  *out = NULL;
  TT_FORWARD(tt_cc_init());
  tt_analyzer *a = tt_calloc(1, sizeof *a);
  TT_CHECK_ALLOC(a);
  *out = a;
  return 0;
}

void tt_analyzer_free(tt_analyzer *a)
{
  if (!a) return;
  tt_free(a->tok);
  tt_buf_fini(&a->ex);
  tt_buf_fini(&a->fo);
  tt_text__scratch_fini(&a->sc);
  tt_buf_fini(&a->sx);
  tt_buf_fini(&a->sf);
  tt_free(a);
}

static TT_NOINLINE int grow_tokens(tt_analyzer *a)
{
  size_t cap = a->captok ? a->captok * 2 : 256;
  tt_token *t = tt_realloc(a->tok, cap * sizeof *t);
  if (!t) return tt_error_set(TT_ENOMEM, "out of memory for %zu tokens", cap);
  a->tok = t;
  a->captok = cap;
  return 0;
}

/* Make room for extra more bytes in an arena. The tokens already made point into it: move
 * the bytes to a new block, re-point the tokens (while the old block is still valid), free the
 * old one. Growth is geometric, so this costs O(1) per token amortised. */
static TT_NOINLINE int grow_arena(tt_analyzer *a, tt_buf *b, size_t extra, int folded)
{
  size_t need = b->n + extra + 1, cap = b->cap ? b->cap : 4096;
  while (cap < need) cap *= 2;
  char *p = tt_malloc(cap);
  if (!p) return tt_error_set(TT_ENOMEM, "out of memory growing the analyzer arena to %zu bytes", cap);
  if (b->n) memcpy(p, b->p, b->n);
  for (size_t i = 0; i < a->ntok; i++) {
    if (folded) a->tok[i].folded = p + (a->tok[i].folded - b->p);
    else a->tok[i].exact = p + (a->tok[i].exact - b->p);
  }
  tt_free(b->p);
  b->p = p;
  b->cap = cap;
  return 0;
}

/* Record a token made of parts pi..pj (standing joined in the arenas). */
TT_INLINE int emit(tt_analyzer *a, const part *pi, const part *pj, uint32_t pos, uint32_t flags)
{
  if (TT_UNLIKELY(a->ntok == a->captok)) TT_FORWARD(grow_tokens(a));
  a->ex.p[pj->ex_end] = 0;
  a->fo.p[pj->fo_end] = 0;
  tt_token *t = &a->tok[a->ntok];
  t->exact = a->ex.p + pi->ex_off;
  t->folded = a->fo.p + pi->fo_off;
  t->exact_len = (uint32_t)(pj->ex_end - pi->ex_off);
  t->folded_len = (uint32_t)(pj->fo_end - pi->fo_off);
  t->pos = pos;
  t->start = pi->start;
  t->end = pj->end;
  t->flags = flags;
  a->ntok++;
  return 0;
}

static inline int part_upper(const part *p)
{
  return (p->flags & (PF_UPPER | PF_LOWER)) == PF_UPPER;
}

/* Does the joiner after l separate l from r whatever the group is? A comma joins only digits
 * ("1,5"); a full stop joins digits ("1.590", "66.13") or two acronyms ("TP.HCM"). */
static inline int hard_boundary(const part *l, const part *r)
{
  int digits = (l->flags & PF_EDIGIT) && (r->flags & PF_SDIGIT);
  if (l->join == ',') return !digits;
  if (l->join == '.') return !(digits || (part_upper(l) && part_upper(r)));
  return 0;
}

static inline uint32_t token_flags(unsigned pf)
{
  return ((pf & PF_DIGIT) ? TT_TOKEN_NUMERIC : 0) | ((pf & PF_DIFF) ? TT_TOKEN_FOLDED : 0);
}

/* Emit the tokens of a finished group of np parts; returns 1 if it is junk, <0 on error. */
static int resolve_group(tt_analyzer *a, size_t np, uint32_t first_pos)
{
  const part *P = a->parts;
  for (size_t i = 0; i < np;) {
    size_t j = i;
    unsigned any = P[i].flags;
    int upper = part_upper(&P[i]);
    while (j + 1 < np && !hard_boundary(&P[j], &P[j + 1])) {
      j++;
      any |= P[j].flags;
      upper &= part_upper(&P[j]);
    }
    if (j > i && ((any & PF_DIGIT) || upper)) {
      if (P[j].end - P[i].start > JOIN_MAX_BYTES) return 1;
      TT_FORWARD(emit(a, &P[i], &P[j], first_pos + (uint32_t)a->ntok,
                      TT_TOKEN_COMPOUND | token_flags(any)));
    } else {
      for (size_t m = i; m <= j; m++)
        TT_FORWARD(emit(a, &P[m], &P[m], first_pos + (uint32_t)a->ntok, token_flags(P[m].flags)));
    }
    i = j + 1;
  }
  return 0;
}

static int is_image_ext(const char *f, size_t n)
{
  static const char ext[][5] = {"jpg", "jpeg", "png", "gif", "webp", "bmp", "svg", "tif",
                                "tiff", "heic", "heif", "avif", "ico", "jfif"};
  if (n < 3 || n > 4) return 0;
  for (size_t i = 0; i < TT_ARRAY_LEN(ext); i++)
    if (ext[i][n] == 0 && !memcmp(f, ext[i], n)) return 1;
  return 0;
}

/* Class entry of the character at q, without counting invalid UTF-8 (a look-ahead). */
static inline const tt_cc *peek(const unsigned char *q, const unsigned char *end, size_t *k)
{
  if (*q < 0x80) { *k = 1; return &tt_cc_table[*q]; }
  uint32_t cp;
  *k = tt_utf8_decode(q, (size_t)(end - q), &cp);
  return cp == TT_UTF8_INVALID ? &tt_cc_fffd : tt_cc_get(cp);
}

/* Is the part [b, e) (a long one) junk: too many letters, or a hash-like mix of letters and
 * digits? */
static TT_NOINLINE int part_is_blob(const unsigned char *b, const unsigned char *e)
{
  unsigned nch = 0, ndig = 0;
  while (b < e) {
    size_t k;
    const tt_cc *c = peek(b, e, &k);
    nch += c->cls != TT_CC_MARK;
    ndig += c->cls == TT_CC_DIGIT;
    b += k;
  }
  return nch > PART_MAX_CHARS || (nch >= BLOB_MIN_CHARS && ndig >= BLOB_MIN_DIGITS && ndig < nch);
}

/* Decode the character at p into e (class entry) and k (bytes), counting invalid UTF-8.
 * ASCII is one table load; DECODE_MB below handles the rest, without branching on whether a
 * character has 2 or 3 bytes (Vietnamese text mixes both from one letter to the next, which a
 * branch would keep mispredicting). */

#define DECODE_SLOW()                                                                    \
  do {                                                                                   \
    uint32_t cp_;                                                                        \
    k = tt_utf8_decode(p, (size_t)(end - p), &cp_);                                      \
    if (cp_ == TT_UTF8_INVALID) {                                                        \
      invalid++;                                                                         \
      e = &tt_cc_fffd;                                                                   \
    } else {                                                                             \
      e = tt_cc_get(cp_);                                                                \
    }                                                                                    \
  } while (0)

/* The character at p, not ASCII. With 4 readable bytes, a 2- or 3-byte character of the table
 * (all of Vietnamese) is one load of tt_cc_pair (tt_cc_decode23); the rest goes the slow way. */
#define DECODE_MB()                                                                      \
  do {                                                                                   \
    int32_t c_;                                                                          \
    unsigned n_;                                                                         \
    if (TT_LIKELY(end - p >= 4) && (c_ = tt_cc_decode23(tt_load_le32(p), &n_)) >= 0) {   \
      e = &tt_cc_table[c_];                                                              \
      k = n_;                                                                            \
    } else {                                                                             \
      DECODE_SLOW();                                                                     \
    }                                                                                    \
  } while (0)

#define DECODE()                                                                         \
  do {                                                                                   \
    if (TT_LIKELY(*p < 0x80)) {                                                          \
      e = &tt_cc_table[*p];                                                              \
      k = 1;                                                                             \
    } else {                                                                             \
      DECODE_MB();                                                                       \
    }                                                                                    \
  } while (0)

int tt_analyze(tt_analyzer *a, const char *text, size_t len, uint32_t first_pos, tt_analysis *out)
{
  if (!a || !out || (!text && len)) return tt_error_set(TT_EINVAL, "tt_analyze: bad arguments");
  memset(out, 0, sizeof *out);
  if (len > UINT32_MAX) return tt_error_set(TT_EINVAL, "tt_analyze: input of %zu bytes is over 4 GiB", len);
  a->ntok = 0;
  a->ex.n = 0;
  a->fo.n = 0;
  size_t invalid = 0, dropped = 0;
  const unsigned char *s = (const unsigned char *)text, *p = s, *end = s + len;
  /* chunk state: where to roll back to, parts seen, where the last part ended ('@' test) */
  size_t ck_tok = 0, ck_ex = 0, ck_fo = 0, ck_parts = 0;
  const unsigned char *last_part_end = NULL;
  const tt_cc *e;
  size_t k;
  int rc;

  while (p < end) {
    if (*p == ' ') {  /* the most common character between words */
      ck_tok = a->ntok;
      ck_ex = a->ex.n;
      ck_fo = a->fo.n;
      ck_parts = 0;
      p++;
      continue;
    }
    DECODE();
    if (e->cls < TT_CC_LETTER) {
      if (e->cls == TT_CC_SPACE) {
        ck_tok = a->ntok;
        ck_ex = a->ex.n;
        ck_fo = a->fo.n;
        ck_parts = 0;
      } else if (*p == ':') {
        if (end - p >= 3 && p[1] == '/' && p[2] == '/') { p += k; goto junk; }  /* scheme:// */
      } else if (*p == '@') {
        size_t k2;
        if (last_part_end == p && p + 1 < end && peek(p + 1, end, &k2)->cls >= TT_CC_LETTER) {
          p += k;
          goto junk;  /* name@domain */
        }
      }
      p += k;
      continue;
    }

    /* a group starts at p (e, k: its first character, a letter or digit) */
    size_t np = 0;
    for (;;) {
      if (TT_UNLIKELY(a->ex.cap - a->ex.n < PART_ROOM) && (rc = grow_arena(a, &a->ex, PART_ROOM, 0)))
        return rc;
      if (TT_UNLIKELY(a->fo.cap - a->fo.n < PART_ROOM) && (rc = grow_arena(a, &a->fo, PART_ROOM, 1)))
        return rc;
      part *P = &a->parts[np];
      const unsigned char *ps = p;
      const unsigned char *plim = end - p > PART_MAX_BYTES ? p + PART_MAX_BYTES : end;
      char *exb = a->ex.p, *fob = a->fo.p;
      char *exw = exb + a->ex.n, *fow = fob + a->fo.n;
      const tt_cc *last = e;
      unsigned fl = 0;
      unsigned pf = e->cls == TT_CC_DIGIT ? PF_SDIGIT : 0;
      /* the part: the hot loop. The first character (e, k) is already decoded; ASCII takes
       * a short path (one byte each way, no decoding). */
      goto take;
      for (;;) {
        if (TT_LIKELY(*p < 0x80)) {
          e = &tt_cc_table[*p];
          k = 1;
          if (e->cls < TT_CC_MARK) break;
          fl |= e->flags;
          *exw++ = e->ex[0];
          *fow++ = e->fo[0];
          last = e;
          p++;
        } else {
          DECODE_MB();
          if (e->cls < TT_CC_MARK) break;
          if (TT_UNLIKELY(e->flags & TT_CF_VNMARK)) {
            /* NFD: compose with the letter just written, or leave the part to ICU */
            unsigned y = last->comp ? tt_cc_comp[last->comp][e->mark - 1] : 0;
            if (y) {
              exw -= last->ex_len;
              fow -= last->fo_len;
              e = &tt_cc_table[y];
            } else {
              fl |= TT_CF_SLOW;
            }
          }
        take:
          fl |= e->flags;
          memcpy(exw, e->ex, 4);
          exw += e->ex_len;
          memcpy(fow, e->fo, 4);
          fow += e->fo_len;
          last = e;
          p += k;
        }
        if (TT_UNLIKELY(p >= plim)) break;
      }
      P->start = (uint32_t)(ps - s);
      P->end = (uint32_t)(p - s);
      P->ex_off = a->ex.n;
      P->fo_off = a->fo.n;
      if (TT_UNLIKELY(p - ps >= PART_MAX_BYTES)) goto junk;
      if (TT_UNLIKELY(p - ps >= BLOB_MIN_CHARS) && part_is_blob(ps, p)) goto junk;
      pf |= fl & (PF_UPPER | PF_LOWER | PF_DIGIT);
      if (last->cls == TT_CC_DIGIT) pf |= PF_EDIGIT;
      if (TT_UNLIKELY(fl & TT_CF_SLOW)) {
        /* combining marks or characters beyond the table: ICU redoes the part */
        tt_buf_reset(&a->sx);
        tt_buf_reset(&a->sf);
        if ((rc = tt_text__slow_emit(&a->sc, ps, (size_t)(p - ps), &a->sx, &a->sf))) return rc;
        a->sx.n = (size_t)(tt_text__canon_tone(a->sx.p, a->sx.p + a->sx.n) - a->sx.p);
        /* into the arenas, growing them the way that keeps the tokens' pointers right; +1 for
         * the joiner or NUL below */
        if (a->ex.cap - a->ex.n < a->sx.n + 2 && (rc = grow_arena(a, &a->ex, a->sx.n + 2, 0)))
          return rc;
        if (a->fo.cap - a->fo.n < a->sf.n + 2 && (rc = grow_arena(a, &a->fo, a->sf.n + 2, 1)))
          return rc;
        memcpy(a->ex.p + a->ex.n, a->sx.p, a->sx.n);
        memcpy(a->fo.p + a->fo.n, a->sf.p, a->sf.n);
        a->ex.n += a->sx.n;
        a->fo.n += a->sf.n;
        if (a->sx.n != a->sf.n || memcmp(a->sx.p, a->sf.p, a->sx.n)) pf |= PF_DIFF;
      } else {
        pf |= fl & PF_DIFF;
        if (last->flags & TT_CF_TONED_AEY) exw = tt_text__canon_tone(exb + P->ex_off, exw);
        a->ex.n = (size_t)(exw - exb);
        a->fo.n = (size_t)(fow - fob);
      }
      size_t flen = a->fo.n - P->fo_off;
      const char *f = a->fo.p + P->fo_off;
      if (TT_UNLIKELY(np && a->parts[np - 1].join == '.' && is_image_ext(f, flen))) goto junk;
      if (TT_UNLIKELY(ck_parts == 0 && flen == 3 && p < end && *p == '.' && !memcmp(f, "www", 3)))
        goto junk;
      P->ex_end = a->ex.n;
      P->fo_end = a->fo.n;
      P->flags = (uint8_t)pf;
      ck_parts++;
      last_part_end = p;
      np++;
      /* does a joiner continue the group? */
      if (p < end && e->cls == TT_CC_JOIN && np < GROUP_MAX_PARTS && p + k < end) {
        size_t k2;
        const tt_cc *e2 = peek(p + k, end, &k2);
        if (e2->cls >= TT_CC_LETTER) {
          char j = e->ex[0];
          a->ex.p[a->ex.n++] = j;
          a->fo.p[a->fo.n++] = j;
          P->join = j;
          p += k;
          e = e2;
          k = k2;
          continue;
        }
      }
      P->join = 0;
      if (TT_LIKELY(np == 1)) {
        /* the common case, a group of one part: the token straight from the part, without
         * the round trip through a->parts (same fields as emit) */
        if (TT_UNLIKELY(a->ntok == a->captok) && (rc = grow_tokens(a))) return rc;
        tt_token *t = &a->tok[a->ntok];
        t->exact = a->ex.p + P->ex_off;
        t->folded = a->fo.p + P->fo_off;
        t->exact_len = (uint32_t)(a->ex.n - P->ex_off);
        t->folded_len = (uint32_t)(a->fo.n - P->fo_off);
        t->pos = first_pos + (uint32_t)a->ntok;
        t->start = (uint32_t)(ps - s);
        t->end = (uint32_t)(p - s);
        t->flags = token_flags(pf);
        a->ntok++;
        a->ex.p[a->ex.n++] = 0;
        a->fo.p[a->fo.n++] = 0;
        goto group_done;
      }
      a->ex.p[a->ex.n++] = 0;
      a->fo.p[a->fo.n++] = 0;
      break;
    }
    rc = resolve_group(a, np, first_pos);
    if (rc < 0) return rc;
    if (rc) goto junk;
  group_done:
    continue;  /* p is at the character that ended the group */

  junk:
    /* drop the whole chunk: roll back its tokens, skip to the next space */
    dropped++;
    a->ntok = ck_tok;
    a->ex.n = ck_ex;
    a->fo.n = ck_fo;
    while (p < end) {
      DECODE();
      if (e->cls == TT_CC_SPACE) break;
      p += k;
    }
  }

  if ((uint64_t)first_pos + a->ntok > (uint64_t)UINT32_MAX + 1)
    return tt_error_set(TT_EINVAL, "tt_analyze: positions overflow (first_pos %u)", first_pos);
  /* TT_TOKEN_READ readable bytes past every form (analyze.h): each is followed by its NUL and
   * the later forms, and the arenas end at least that far past the last NUL (the fast path
   * leaves that much anyway, the slow path may not) */
  if (TT_UNLIKELY(a->ex.cap - a->ex.n < TT_TOKEN_READ) && (rc = grow_arena(a, &a->ex, TT_TOKEN_READ, 0)))
    return rc;
  if (TT_UNLIKELY(a->fo.cap - a->fo.n < TT_TOKEN_READ) && (rc = grow_arena(a, &a->fo, TT_TOKEN_READ, 1)))
    return rc;
  out->tokens = a->tok;
  out->n = a->ntok;
  out->invalid_utf8 = invalid;
  out->dropped = dropped;
  return 0;
}
