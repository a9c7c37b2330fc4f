/* The entity recognizer (include/timtin/entities.h): officials, hospitals and health bodies,
 * programs and legal documents, over the tokens of tt_analyze(). The indexer calls it once for
 * the title and once for the body of each article; the rules are in docs/entities.md.
 *
 * How it works. At tt_entities_new() every phrase of the lexicon (text/entities_lex.c) is run
 * through the analyzer, so a phrase is a sequence of word ids made exactly as the analyzer makes
 * the text's tokens, plus a bit per token gap saying whether the phrase has punctuation there
 * ("Cục Quản lý Khám, chữa bệnh"). Words live in one open-addressing hash; each word knows the
 * phrases that start with it, longest first, and the kinds of those that can match at a token
 * (one-token phrases, and longer ones by their first two words: e->pairs), so a lookup at a
 * token is one hash probe and a few integer compares.
 *
 * Per text, each token gets, on first use, its word id, whether the ORIGINAL bytes start with
 * a capital and are all capitals (acronyms: UBND, TP.HCM), and a summary of the bytes since
 * the previous token (nothing but spaces, or a newline, full stop, comma, dash, other). Every
 * boundary rule reads that summary: names and organisations never run across punctuation. Only
 * the tokens whose word may start a mention (a trigger, about one in seven) are looked up
 * before the passes.
 *
 * Two passes: organisations and programs (gazetteer match vs. pattern, the longer wins, the
 * gazetteer on ties), then persons (prefixes and title chains, a 2-4 syllable capitalized name,
 * an apposition role after ", " or " - "), with later mentions linked to the persons seen
 * before, also across calls with TT_ENT_CONTINUE. Strings are built in per-call buffers and the
 * pointers fixed at the end, so growth never leaves a dangling pointer. */
#include "timtin/entities.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/alloc.h"
#include "common/buf.h"
#include "common/compiler.h"
#include "common/endian.h"
#include "common/error.h"
#include "common/utf8.h"
#include "text/chartab.h"
#include "text/entities_lex.h"
#include "timtin/analyze.h"
#include "timtin/errors.h"

#define NOWORD UINT32_MAX
#define MAX_PHRASE_TOK 32

/* Gap bits: what lies between a token and the previous one in the original text. */
#define G_NL    1u
#define G_DOT   2u
#define G_COMMA 4u
#define G_DASH  8u
#define G_OTHER 16u

typedef struct phr {
  uint8_t kind, sub, ntok;
  uint32_t gapmask;   /* bit k: the phrase has punctuation before its token k */
  uint32_t tok;       /* index of its first word id in e->ptok */
  uint32_t canon;     /* offset of its canonical text in e->lex (NUL-terminated) */
  uint32_t canon_len;
} phr;

typedef struct word {
  uint64_t head;      /* its first 8 bytes (tt_load_le_upto64), compared before the rest */
  uint32_t str;       /* offset in e->lex of the exact form */
  uint32_t len;
  uint32_t kinds;     /* bit per kind of the phrases starting with this word */
  uint32_t first;     /* their indices in e->starts: [first, first + nstart), longest first */
  uint32_t nstart;
} word;

/* A hash slot: the word's head, length, id and kinds in one place, so that the per-token
 * lookup in prepare() touches one cache line (len 0: empty). */
typedef struct hent {
  uint64_t head;
  uint32_t wid;
  uint16_t len;
  uint16_t kinds;
} hent;

/* Index of a long (word, kind) slice by the words after the first: its phrases of two or more
 * tokens sorted by (second, third, fourth word id), NOWORD where a phrase is shorter (so the
 * 2- and 3-token phrases sort after the longer ones that share their words), the slice's order
 * kept among equal keys (a stable sort). A common word such as "bệnh" starts hundreds of
 * gazetteer names, most of them "Bệnh viện ..."; match() then looks at the phrases whose words
 * are the text's next ones: the run of the text's (w2, w3, w4) (the phrases of 4 tokens or
 * more), then (w2, w3, -) and (w2, -, -), then the one-token phrases, which end the slice. The
 * slice is sorted longest first, so this is its order restricted to the phrases that can
 * match. */
typedef struct s2ent { uint32_t w2, w3, w4, ph; } s2ent;
#define S2_MIN 8      /* slices with fewer multi-token phrases are scanned whole */

#define R_GAP 1u
#define R_CAP 2u
#define R_WID 4u      /* wid is set, and kinds as the hash slot has them (KMULTI unresolved) */
#define R_KIN 8u      /* kinds are final (KMULTI resolved with the next token's word) */

typedef struct etok {
  uint32_t wid;       /* word id, NOWORD if the word is in no phrase */
  uint32_t kinds;     /* kinds of the phrases that can match here: those of one token starting
                         with its word, and those of more whose first two words are its and
                         the next token's (0 for NOWORD) */
  uint8_t cap;        /* the original starts with an upper-case letter */
  uint8_t acro;       /* all its letters are upper-case, at least two ("UBND", "TP.HCM") */
  uint8_t gap;        /* G_* bits before it (the first token: as if after a newline) */
  uint8_t num;        /* has a digit */
  uint8_t skip;       /* leading bytes of the token that are not part of the word: the
                         "29" of "03:29Bệnh" in listings that glue a time to a headline */
  uint8_t ready;      /* R_GAP: gap is computed, R_CAP: cap and acro are (tv()), R_WID /
                         R_KIN: wid and kinds are (twid(), tkinds()); num, skip always are */
} etok;

typedef struct person {
  uint32_t canon, canon_len;  /* offsets in e->pstr */
  uint32_t role, role_len;
  uint32_t words, words_len;  /* exact forms of the name, space-separated */
  uint32_t given, given_len;  /* exact form of the last syllable */
} person;

typedef struct moff { uint32_t canon, canon_len, key, key_len, role, role_len; } moff;

/* A key cache slot: s = "canonical\0key\0" (NULL: empty), with both lengths, so that a hit
 * is a length test and one memcmp. */
typedef struct kent { char *s; uint32_t clen, klen; } kent;

struct tt_entities {
  tt_analyzer *an;            /* tokenizes the lexicon at start-up */
  tt_buf lex;                 /* word strings and canonical forms */
  phr *phr;  size_t nphr;
  uint32_t *ptok; size_t nptok;
  uint32_t *starts;           /* phrase indices grouped by first word */
  uint32_t *kstarts;          /* the same, each word's group split by kind (order kept) */
  uint32_t *kofs;             /* word w, kind k: kstarts[kofs[w*NKOFS+k] .. kofs[w*NKOFS+k+1]) */
  word *words; size_t nwords;
  hent *hash; size_t hmask;   /* open addressing; len 0 = empty */
  uint64_t *pairs; size_t pmask; /* (first word, second word) of the phrases of two or more
                                 tokens: PAIR_KEY << 32 | their kinds (see KMULTI) */
  uint8_t *trig;              /* TRIG_N bytes by trig_hash: 1 for the words that can make a
                                 token a candidate (prepare() looks only those tokens up) */
  uint32_t *s2at;             /* word w, kind k: [2 * (w * NKINDS + k)] the start in s2 of its
                                 slice's second-word index, [+1] its length (0: no index, the
                                 slice is short and scanned whole) */
  s2ent *s2; size_t ns2;
  uint32_t *cand; size_t ncand; /* tokens with a kind either pass starts at (prepare()) */
  /* per call */
  const char *text; size_t len;
  const tt_token *tk; size_t n;
  etok *et; size_t etcap;
  tt_buf out;                 /* strings of the mentions */
  tt_buf tmp, tmp2;           /* canonical / role being built */
  tt_entity_mention *ms; moff *mo; size_t nms, mscap;
  tt_entity_mention *msx;     /* scratch for the final merge, mscap long */
  /* persons of the current document */
  person *ps; size_t nps, pscap;
  tt_buf pstr;
  int rc;                     /* sticky TT_ENOMEM during a call */
  kent *kcache;               /* KCACHE slots (tt_normalize_word is slow) */
};

#define KCACHE 4096
#define NKINDS (TT_EK_STOP + 1)   /* kinds are 1..TT_EK_STOP */
#define NKOFS (NKINDS + 1)
/* Above the kind bits, a word's kinds also say which entity types its gazetteer phrases have
 * (bit GAZSUB(t) for sub t), so that gaz() skips the scan of a type the word starts no name of
 * (at a capitalised "Bệnh", the program scan; at "Chương", the hospital scan). */
#define GAZSUB(t) (1u << (NKINDS - 1 + (unsigned)(t)))
/* Bit 0 (no kind has it) of a hash slot's kinds: the word starts phrases of two or more tokens,
 * whose kinds prepare() takes from e->pairs once it knows the next token's word. A slot's
 * other bits are the kinds of the one-token phrases. So a token's kinds hold only phrases that
 * can match there: "bệnh" in "bệnh nhân" (most of them, in health news) is no head, and no
 * pass visits it. */
#define KMULTI 1u

#define KB(k) (1u << (k))

/* Kinds a pass starts at: pass 1 (organisations and programs) at P1_KINDS, pass 2 (persons)
 * at P2_KINDS, or at P2_CAP_KINDS when the token is capitalised. */
#define P1_KINDS (KB(TT_EK_GAZ) | KB(TT_EK_ORGHEAD) | KB(TT_EK_DOCHEAD))
#define P2_KINDS (KB(TT_EK_HONOR) | KB(TT_EK_TITLE))
#define P2_CAP_KINDS (KB(TT_EK_HONOR) | KB(TT_EK_TITLE) | KB(TT_EK_SURNAME))
/* A token is a candidate if a pass can do anything there: pass 1 at a gazetteer word only
 * when it is capitalised (gaz() tests tcap() first; the patterns need a head), pass 2 at a
 * family name likewise. */
#define CAND_KINDS (KB(TT_EK_ORGHEAD) | KB(TT_EK_DOCHEAD) | P2_KINDS)
#define CAND_CAP_KINDS (KB(TT_EK_GAZ) | KB(TT_EK_SURNAME))
#define PAIR_KEY(w1, w2) ((uint64_t)(w1) << 16 | (w2) | (uint64_t)1 << 31)

static inline uint32_t pair_hash(uint64_t key) { return (uint32_t)((key * 0x9E3779B97F4A7C15ull) >> 40); }

/* The kinds of the phrases of two or more tokens whose first words are w1 and w2. */
static inline uint32_t pair_kinds(const uint64_t *pairs, size_t pmask, uint32_t w1, uint32_t w2)
{
  if (w2 == NOWORD) return 0;
  uint64_t key = PAIR_KEY(w1, w2);
  for (size_t h = pair_hash(key) & pmask; pairs[h]; h = (h + 1) & pmask)
    if (pairs[h] >> 32 == key) return (uint32_t)pairs[h];
  return 0;
}

#define TRIG_LOG 13   /* 8 KiB: stays in L1; the trigger words set about 2 % of it */
#define TRIG_N (1u << TRIG_LOG)

/* The trigger map's slot of a word from its first 8 bytes alone (head: the bytes past its
 * length zero): one multiply, no length (long words that share 8 bytes share a slot: a map
 * that may say yes wrongly, never no). */
static inline uint32_t trig_hash(uint64_t head) { return (uint32_t)((head * 0x9E3779B97F4A7C15ull) >> (64 - TRIG_LOG)); }

/* ------------------------------------------------------------------ Unicode helpers */

static int cp_upper(uint32_t c)
{
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  if (c >= 0xC0 && c <= 0xDE) return c != 0xD7;
  if (c >= 0x100 && c <= 0x137) return !(c & 1);
  if (c >= 0x139 && c <= 0x148) return c & 1;
  if (c >= 0x14A && c <= 0x177) return !(c & 1);
  if (c == 0x1A0 || c == 0x1AF) return 1;
  if (c >= 0x1EA0 && c <= 0x1EF9) return !(c & 1);
  if (c >= 0x391 && c <= 0x3A9) return 1;
  if (c >= 0x400 && c <= 0x42F) return 1;
  return 0;
}

static int cp_letter(uint32_t c)
{
  if (c < 0x80) return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
  if (c >= 0x300 && c <= 0x36F) return 0; /* combining marks */
  return c >= 0xC0 && c != 0xD7 && c != 0xF7 && c != TT_UTF8_INVALID;
}

/* Upper case of a lower-case letter as the analyzer's exact form has it (NFC, Vietnamese). */
static uint32_t cp_toupper(uint32_t c)
{
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  if (c >= 0x101 && c <= 0x137 && (c & 1)) return c - 1;
  if (c >= 0x14B && c <= 0x177 && (c & 1)) return c - 1;
  if (c == 0x1A1 || c == 0x1B0) return c - 1;
  if (c >= 0x1EA1 && c <= 0x1EF9 && (c & 1)) return c - 1;
  return c;
}

/* Append s (len bytes), upper-casing the first letter (mode 1) or all letters (mode 2).
 * Characters are decoded and encoded again up to the first letter (mode 1) or throughout
 * (mode 2), ill-formed bytes copied; after the first letter mode 1 copies the rest as is.
 * Built in a stack buffer, appended in one piece per 256 bytes. */
static void put_cased(tt_entities *e, tt_buf *b, const char *s, size_t len, int mode)
{
  if (mode == 0) { if (tt_buf_append(b, s, len)) e->rc = TT_ENOMEM; return; }
  char out[256 + 8];
  size_t o = 0, i = 0;
  while (i < len) {
    if (o > 256) { if (tt_buf_append(b, out, o)) e->rc = TT_ENOMEM; o = 0; }
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {   /* ASCII: decodes to itself, encodes to one byte */
      int letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
      out[o++] = (char)(c >= 'a' && c <= 'z' ? c - 32 : c);
      i++;
      if (letter && mode == 1) break;
      continue;
    }
    uint32_t cp;
    size_t k = tt_utf8_decode((const unsigned char *)s + i, len - i, &cp);
    if (cp == TT_UTF8_INVALID) {
      memcpy(out + o, s + i, k);   /* k <= 4 */
      o += k;
      i += k;
      continue;
    }
    int letter = cp_letter(cp);
    o += tt_utf8_encode(letter ? cp_toupper(cp) : cp, out + o);
    i += k;
    if (letter && mode == 1) break;
  }
  if (tt_buf_append(b, out, o) || tt_buf_append(b, s + i, len - i)) e->rc = TT_ENOMEM;
}

static void puts_b(tt_entities *e, tt_buf *b, const char *s, size_t len)
{
  if (tt_buf_append(b, s, len)) e->rc = TT_ENOMEM;
}

/* ------------------------------------------------------------------ lexicon */

/* Hash of a string (the key cache): eight bytes at a time, multiply-xorshift mixed;
 * head = tt_load_le_upto64(s, len). */
static inline uint32_t hash_head(const char *s, size_t len, uint64_t head)
{
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = (uint64_t)len * m;
  if (len > 8) {
    for (; len > 8; s += 8, len -= 8) h = (h ^ tt_load_le64(s)) * m, h ^= h >> 29;
    head = tt_load_le_upto64(s, len);
  }
  h = (h ^ head) * m;
  h ^= h >> 32;
  return (uint32_t)h;
}

static inline uint32_t hash_str(const char *s, size_t len)
{
  return hash_head(s, len, tt_load_le_upto64(s, len));
}

/* Hash slot of a word from its length and first 8 bytes only (head): words that share both
 * are rare, and the probe compares the rest. */
static inline uint32_t word_hash(size_t len, uint64_t head)
{
  const uint64_t m = 0x9E3779B97F4A7C15ull;
  uint64_t h = (head ^ (uint64_t)len << 59) * m;
  return (uint32_t)(h ^ (h >> 32));
}

/* The word hash's fields, copied into a local by a loop that also stores bytes (prepare()):
 * a byte store may alias any field of e, which would then be reloaded at every lookup. */
typedef struct wtab {
  const hent *hash;
  size_t hmask;
  const word *words;
  const char *lex;
} wtab;

/* The slot of a word, or NULL if no phrase has it. */
static inline const hent *wtab_slot(const wtab *t, const char *s, size_t len)
{
  if (len - 1 >= UINT16_MAX) return NULL;   /* len 0 or over 65535: no such word */
  uint64_t head = tt_load_le_upto64(s, len);
  for (size_t h = word_hash(len, head) & t->hmask;; h = (h + 1) & t->hmask) {
    const hent *x = &t->hash[h];
    if (!x->len) return NULL;
    if (x->head == head && x->len == len &&
        (len <= 8 || memcmp(t->lex + t->words[x->wid].str + 8, s + 8, len - 8) == 0))
      return x;
  }
}

/* wtab_slot out of line: the rare path of wtab_kinds, kept from taking registers in
 * prepare()'s loop. */
static TT_NOINLINE const hent *wtab_probe(const wtab *t, const char *s, size_t len)
{
  return wtab_slot(t, s, len);
}

/* The lookup of prepare(), for every token's word s (inside a token's exact form, so that
 * 8 bytes can be read from it): whether a token is a lexicon word (70 % are, in no
 * predictable order) decides no jump. The home slot is compared and the result taken with
 * masks; an empty slot (len 0, NOWORD, no kinds) gives the same as no word, which is also what
 * a token of length 0 meets. Only a long word (the rest of the string to compare) or another
 * word in the home slot (the table is about 6 % full) goes on to wtab_slot. *wid and the
 * returned kinds: the word's, or NOWORD and 0. (An occupancy bitmap read before the slot, to
 * spare the table's cache lines, cost 10 instructions a token and no measurable time.) */
static inline uint32_t wtab_kinds(const wtab *t, const char *s, size_t len, uint32_t *wid)
{
  /* = tt_load_le_upto64(s, len) in one load (TT_TOKEN_READ, timtin/analyze.h) */
  uint64_t head = tt_load_le64(s) & (len >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * len)) - 1);
  const hent *x = &t->hash[word_hash(len, head) & t->hmask];
  uint32_t hit = (uint32_t)(x->head == head) & (uint32_t)(x->len == len);
  if (TT_UNLIKELY((hit & (uint32_t)(len > 8)) | (!hit & (uint32_t)(x->len != 0)))) {
    x = wtab_probe(t, s, len);
    if (!x) { *wid = NOWORD; return 0; }
    hit = 1;
  }
  *wid = x->wid | (hit - 1u);       /* NOWORD = all ones */
  return x->kinds & (0u - hit);
}

static inline const hent *word_slot(const tt_entities *e, const char *s, size_t len)
{
  const wtab t = {e->hash, e->hmask, e->words, e->lex.p};
  return wtab_slot(&t, s, len);
}

static inline uint32_t word_find(const tt_entities *e, const char *s, size_t len)
{
  const hent *x = word_slot(e, s, len);
  return x ? x->wid : NOWORD;
}

static int s2cmp(const s2ent *x, uint32_t w2, uint32_t w3, uint32_t w4)
{
  if (x->w2 != w2) return x->w2 < w2 ? -1 : 1;
  if (x->w3 != w3) return x->w3 < w3 ? -1 : 1;
  if (x->w4 != w4) return x->w4 < w4 ? -1 : 1;
  return 0;
}

/* Build the lexicon: tokenize every phrase, intern its words, group phrases by first word. */
static int lex_build(tt_entities *e)
{
  size_t np = tt_ent__phrases_n;
  size_t wcap = 4096;
  e->phr = tt_calloc(np, sizeof *e->phr);
  e->ptok = tt_malloc(np * MAX_PHRASE_TOK * sizeof *e->ptok);
  e->words = tt_malloc(wcap * sizeof *e->words);
  e->hmask = 8191;
  e->hash = tt_calloc(e->hmask + 1, sizeof *e->hash);
  TT_CHECK_ALLOC(e->phr); TT_CHECK_ALLOC(e->ptok); TT_CHECK_ALLOC(e->words);
  TT_CHECK_ALLOC(e->hash);
  for (size_t i = 0; i < np; i++) {
    const tt_ent__phrase *src = &tt_ent__phrases[i];
    tt_analysis a;
    TT_FORWARD(tt_analyze(e->an, src->text, strlen(src->text), 0, &a));
    if (a.n == 0 || a.n > MAX_PHRASE_TOK) continue;
    phr *p = &e->phr[e->nphr];
    p->kind = src->kind; p->sub = src->sub; p->ntok = (uint8_t)a.n;
    p->tok = (uint32_t)e->nptok;
    for (size_t k = 0; k < a.n; k++) {
      const tt_token *t = &a.tokens[k];
      if (k > 0 && t->start > a.tokens[k - 1].end) {
        for (uint32_t b = a.tokens[k - 1].end; b < t->start; b++)
          if (src->text[b] != ' ') { p->gapmask |= 1u << k; break; }
      }
      uint32_t w = word_find(e, t->exact, t->exact_len);
      if (w == NOWORD) {
        if (e->nwords == wcap) return tt_error_set(TT_ERROR, "entities: lexicon too large");
        w = (uint32_t)e->nwords++;
        e->words[w].head = tt_load_le_upto64(t->exact, t->exact_len);
        e->words[w].str = (uint32_t)e->lex.n;
        e->words[w].len = t->exact_len;
        e->words[w].kinds = 0; e->words[w].first = 0; e->words[w].nstart = 0;
        if (tt_buf_append(&e->lex, t->exact, t->exact_len + 1)) return TT_ENOMEM;
        if (e->nwords * 2 > e->hmask) return tt_error_set(TT_ERROR, "entities: hash too small");
        if (t->exact_len == 0 || t->exact_len > UINT16_MAX) return tt_error_set(TT_ERROR, "entities: bad lexicon word");
        size_t h = word_hash(t->exact_len, e->words[w].head) & e->hmask;
        while (e->hash[h].len) h = (h + 1) & e->hmask;
        e->hash[h].head = e->words[w].head;
        e->hash[h].wid = w;
        e->hash[h].len = (uint16_t)t->exact_len;
      }
      e->ptok[e->nptok++] = w;
    }
    const char *c = src->canon ? src->canon : src->text;
    p->canon = (uint32_t)e->lex.n;
    p->canon_len = (uint32_t)strlen(c);
    if (tt_buf_append(&e->lex, c, p->canon_len + 1)) return TT_ENOMEM;
    e->nphr++;
  }
  /* group by first word, longest first */
  e->starts = tt_malloc((e->nphr + 1) * sizeof *e->starts);
  TT_CHECK_ALLOC(e->starts);
  for (size_t i = 0; i < e->nphr; i++) e->words[e->ptok[e->phr[i].tok]].nstart++;
  uint32_t acc = 0;
  for (size_t w = 0; w < e->nwords; w++) { e->words[w].first = acc; acc += e->words[w].nstart; e->words[w].nstart = 0; }
  for (size_t i = 0; i < e->nphr; i++) {
    word *w = &e->words[e->ptok[e->phr[i].tok]];
    uint32_t *s = e->starts + w->first;
    uint32_t k = w->nstart++;
    while (k > 0 && e->phr[s[k - 1]].ntok < e->phr[i].ntok) { s[k] = s[k - 1]; k--; }
    s[k] = (uint32_t)i;
    w->kinds |= 1u << e->phr[i].kind;
    if (e->phr[i].kind == TT_EK_GAZ) w->kinds |= GAZSUB(e->phr[i].sub);
  }
  /* per kind: a lookup of one kind scans only its phrases (a common word such as "bệnh"
     starts hundreds of gazetteer names) */
  e->kstarts = tt_malloc((e->nphr + 1) * sizeof *e->kstarts);
  e->kofs = tt_malloc((e->nwords * NKOFS + 1) * sizeof *e->kofs);
  TT_CHECK_ALLOC(e->kstarts); TT_CHECK_ALLOC(e->kofs);
  for (size_t w = 0; w < e->nwords; w++) {
    const word *x = &e->words[w];
    uint32_t pos = x->first;
    for (unsigned k = 0; k < NKINDS; k++) {
      e->kofs[w * NKOFS + k] = pos;
      for (uint32_t q = 0; q < x->nstart; q++)
        if (e->phr[e->starts[x->first + q]].kind == k) e->kstarts[pos++] = e->starts[x->first + q];
    }
    e->kofs[w * NKOFS + NKINDS] = pos;
  }
  /* the kinds in the hash slots, for prepare(): one-token phrases, and KMULTI; the longer
     ones' by their first two words in e->pairs (wids fit 16 bits: the lexicon has at most
     4096 words) */
  _Static_assert(NKINDS - 1 + TT_ENT_PROGRAM < 16, "kinds and GAZSUB bits must fit hent.kinds");
  _Static_assert(TT_EK_TITLE == 1, "no kind is 0: bit 0 of the kinds is KMULTI");
  uint32_t *k1 = tt_calloc(e->nwords + 1, sizeof *k1);
  e->pmask = 1;
  while (e->pmask + 1 < e->nphr * 4) e->pmask = e->pmask * 2 + 1;
  e->pairs = tt_calloc(e->pmask + 1, sizeof *e->pairs);
  if (!k1 || !e->pairs) { tt_free(k1); return tt_error_set(TT_ENOMEM, "out of memory"); }
  for (size_t i = 0; i < e->nphr; i++) {
    const phr *p = &e->phr[i];
    uint32_t k = 1u << p->kind, w1 = e->ptok[p->tok];
    if (p->kind == TT_EK_GAZ) k |= GAZSUB(p->sub);
    if (p->ntok == 1) { k1[w1] |= k; continue; }
    k1[w1] |= KMULTI;
    uint64_t key = PAIR_KEY(w1, e->ptok[p->tok + 1]);
    size_t h = pair_hash(key) & e->pmask;
    while (e->pairs[h] && e->pairs[h] >> 32 != key) h = (h + 1) & e->pmask;
    e->pairs[h] = key << 32 | (uint32_t)e->pairs[h] | k;
  }
  for (size_t h = 0; h <= e->hmask; h++) {
    if (e->hash[h].len) e->hash[h].kinds = (uint16_t)k1[e->hash[h].wid];
    else e->hash[h].wid = NOWORD;   /* what wtab_kinds reads at an empty slot */
  }
  /* the trigger filter: words whose one-token kinds, or whose longer phrases' kinds, make a
     candidate (CAND_KINDS, CAND_CAP_KINDS) */
  e->trig = tt_calloc(TRIG_N, 1);
  if (!e->trig) { tt_free(k1); return tt_error_set(TT_ENOMEM, "out of memory"); }
  for (size_t i = 0; i < e->nphr; i++) {
    const phr *p = &e->phr[i];
    if (KB(p->kind) & (CAND_KINDS | CAND_CAP_KINDS)) e->trig[trig_hash(e->words[e->ptok[p->tok]].head)] = 1;
  }
  tt_free(k1);
  /* second-word indexes of the long slices */
  e->s2at = tt_malloc((e->nwords * NKINDS + 1) * 2 * sizeof *e->s2at);
  e->s2 = tt_malloc((e->nphr + 1) * sizeof *e->s2);
  TT_CHECK_ALLOC(e->s2at); TT_CHECK_ALLOC(e->s2);
  for (size_t w = 0; w < e->nwords; w++) {
    for (unsigned k = 0; k < NKINDS; k++) {
      uint32_t a = e->kofs[w * NKOFS + k], b = e->kofs[w * NKOFS + k + 1], m = a;
      while (m < b && e->phr[e->kstarts[m]].ntok >= 2) m++;   /* longest first: 1-token last */
      uint32_t *at = e->s2at + 2 * (w * NKINDS + k);
      at[0] = (uint32_t)e->ns2;
      at[1] = m - a >= S2_MIN ? m - a : 0;
      if (!at[1]) continue;
      s2ent *d = e->s2 + e->ns2;
      for (uint32_t q = a; q < m; q++) {   /* insertion sort by second word: stable */
        const phr *p = &e->phr[e->kstarts[q]];
        s2ent x = {e->ptok[p->tok + 1], p->ntok > 2 ? e->ptok[p->tok + 2] : NOWORD,
                   p->ntok > 3 ? e->ptok[p->tok + 3] : NOWORD, e->kstarts[q]};
        size_t r = q - a;
        while (r > 0 && s2cmp(&d[r - 1], x.w2, x.w3, x.w4) > 0) { d[r] = d[r - 1]; r--; }
        d[r] = x;
      }
      e->ns2 += m - a;
    }
  }
  return 0;
}

int tt_entities_new(tt_entities **out)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_entities_new: NULL out");
  *out = NULL;
  tt_entities *e = tt_calloc(1, sizeof *e);
  TT_CHECK_ALLOC(e);
  tt_buf_init(&e->lex); tt_buf_init(&e->out); tt_buf_init(&e->tmp); tt_buf_init(&e->tmp2);
  tt_buf_init(&e->pstr);
  e->kcache = tt_calloc(KCACHE, sizeof *e->kcache);
  int rc = e->kcache ? tt_analyzer_new(&e->an) : TT_ENOMEM;
  if (rc == 0) rc = lex_build(e);
  if (rc != 0) { tt_entities_free(e); return rc; }
  *out = e;
  return 0;
}

void tt_entities_free(tt_entities *e)
{
  if (!e) return;
  tt_analyzer_free(e->an);
  tt_buf_fini(&e->lex); tt_buf_fini(&e->out); tt_buf_fini(&e->tmp); tt_buf_fini(&e->tmp2);
  tt_buf_fini(&e->pstr);
  tt_free(e->phr); tt_free(e->ptok); tt_free(e->starts); tt_free(e->kstarts); tt_free(e->kofs); tt_free(e->words); tt_free(e->hash); tt_free(e->pairs); tt_free(e->trig);
  tt_free(e->s2at); tt_free(e->s2); tt_free(e->cand);
  if (e->kcache) for (size_t k = 0; k < KCACHE; k++) tt_free(e->kcache[k].s);
  tt_free(e->kcache);
  tt_free(e->et); tt_free(e->ms); tt_free(e->msx); tt_free(e->mo); tt_free(e->ps);
  tt_free(e);
}

const char *tt_entity_type_name(tt_entity_type t)
{
  switch (t) {
  case TT_ENT_PERSON: return "person";
  case TT_ENT_HOSPITAL: return "hospital";
  case TT_ENT_PROGRAM: return "program";
  }
  return "?";
}

/* ------------------------------------------------------------------ token view */

/* The rest of token i's view, from the original bytes, in two parts computed on first use:
 * the gap (G_* bits of the bytes since the previous token; the first token as if after a
 * newline), and whether it starts with a capital and whether it is an acronym. prepare() has
 * checked the token offsets. */
static void gap_fill(const tt_entities *e, size_t i)
{
  const unsigned char *s = (const unsigned char *)e->text;
  const tt_token *t = &e->tk[i];
  etok *x = &e->et[i];
  /* gap: most tokens follow one space */
  uint8_t g = i == 0 ? G_NL : 0;
  uint32_t prev_end = i > 0 ? e->tk[i - 1].end : 0;
  uint32_t b0 = prev_end;
  if (i > 0 && t->start == prev_end + 1 && s[prev_end] == ' ') b0 = t->start;
  for (uint32_t b = b0; b < t->start && i > 0; b++) {
    unsigned c = s[b];
    if (c == ' ' || c == '\t') continue;
    if (c == '\n' || c == '\r') { g |= G_NL; continue; }
    if (c == '.') g |= G_DOT;
    else if (c == ',') g |= G_COMMA;
    else if (c == '-') g |= G_DASH;
    else if (c == 0xC2 && b + 1 < t->start && s[b + 1] == 0xA0) { b++; continue; } /* NBSP */
    else if (c == 0xE2 && b + 2 < t->start && s[b + 1] == 0x80 && (s[b + 2] == 0x93 || s[b + 2] == 0x94)) { g |= G_DASH; b += 2; }
    else g |= G_OTHER;
  }
  x->gap = g;
  x->ready |= R_GAP;
}

static void cap_fill(const tt_entities *e, size_t i)
{
  const unsigned char *s = (const unsigned char *)e->text;
  const tt_token *t = &e->tk[i];
  etok *x = &e->et[i];
  /* capitals from the original bytes */
  x->cap = x->acro = 0;
  uint32_t cp;
  size_t k = t->start + x->skip;
  if (k < t->end) {
    if (s[k] < 0x80) x->cap = s[k] >= 'A' && s[k] <= 'Z';   /* most words start with ASCII */
    else { tt_utf8_decode(s + k, t->end - k, &cp); x->cap = (uint8_t)cp_upper(cp); }
  }
  if (x->cap && t->end - t->start <= 24) {
    int letters = 0, lower = 0;
    while (k < t->end) {
      k += tt_utf8_decode(s + k, t->end - k, &cp);
      if (!cp_letter(cp)) continue;
      letters++;
      if (!cp_upper(cp)) { lower = 1; break; }
    }
    x->acro = (uint8_t)(letters >= 2 && !lower);
  }
  x->ready |= R_CAP;
}

/* Past the last token: a boundary, no capital (the rules check i < e->n first; this keeps a
 * slip from reading past the tokens). */
static const etok end_tok = {NOWORD, 0, 0, 0, G_NL, 0, 0, R_GAP | R_CAP | R_WID | R_KIN};

/* Token i's view with cap, acro and gap, computed on first use. */
static inline const etok *tv(const tt_entities *e, size_t i)
{
  if (i >= e->n) return &end_tok;
  uint8_t r = e->et[i].ready;
  if (!(r & R_GAP)) gap_fill(e, i);
  if (!(r & R_CAP)) cap_fill(e, i);
  return &e->et[i];
}

/* tv(e, i)->gap without the capitals (what a phrase match reads of every further token). */
static inline uint8_t tgap(const tt_entities *e, size_t i)
{
  if (i >= e->n) return end_tok.gap;
  if (!(e->et[i].ready & R_GAP)) gap_fill(e, i);
  return e->et[i].gap;
}

/* tv(e, i)->cap without the rest of the view when the token starts with an ASCII byte (most
 * lower-case words: the common test before a gazetteer scan or a family name). */
static inline int tcap(const tt_entities *e, size_t i)
{
  if (i >= e->n) return 0;
  if (e->et[i].ready & R_CAP) return e->et[i].cap;
  size_t k = e->tk[i].start + e->et[i].skip;
  if (k >= e->tk[i].end) return 0;
  unsigned char c = (unsigned char)e->text[k];
  if (c < 0x80) return c >= 'A' && c <= 'Z';
  return tv(e, i)->cap;
}

/* Token i's word and kinds for the tokens prepare() did not look up (no trigger word there):
 * computed on first use, as the gap and the capitals are. i < e->n. */
TT_INLINE uint32_t wid_set(const wtab *t, const tt_token *tk, etok *x)
{
  uint32_t wid;
  x->kinds = wtab_kinds(t, tk->exact + x->skip, tk->exact_len - x->skip, &wid);
  x->wid = wid;
  x->ready |= R_WID;
  return wid;
}

static TT_NOINLINE void wid_fill(const tt_entities *e, size_t i)
{
  const wtab t = {e->hash, e->hmask, e->words, e->lex.p};
  wid_set(&t, &e->tk[i], &e->et[i]);
}

static inline uint32_t twid(const tt_entities *e, size_t i)
{
  if (!(e->et[i].ready & R_WID)) wid_fill(e, i);
  return e->et[i].wid;
}

static TT_NOINLINE void kin_fill(const tt_entities *e, size_t i)
{
  etok *x = &e->et[i];
  uint32_t wid = twid(e, i);
  if (x->kinds & KMULTI)
    x->kinds = (x->kinds & ~KMULTI) | pair_kinds(e->pairs, e->pmask, wid, i + 1 < e->n ? twid(e, i + 1) : NOWORD);
  x->ready |= R_KIN;
}

static inline uint32_t tkinds(const tt_entities *e, size_t i)
{
  if (!(e->et[i].ready & R_KIN)) kin_fill(e, i);
  return e->et[i].kinds;
}

static const char *tx(const tt_entities *e, size_t i) { return e->tk[i].exact + e->et[i].skip; }
static size_t txl(const tt_entities *e, size_t i) { return e->tk[i].exact_len - e->et[i].skip; }

/* Phrase p (its first word is token i's) of a kind in mask and of sub (any if sub < 0) at
 * token i: the same words, punctuation exactly where the phrase has it. */
static inline int phr_at(const tt_entities *e, size_t i, const phr *p, uint32_t mask, int sub)
{
  if (!(mask & KB(p->kind)) || (sub >= 0 && p->sub != sub)) return 0;
  if (i + p->ntok > e->n) return 0;
  for (size_t k = 1; k < p->ntok; k++) {
    if (twid(e, i + k) != e->ptok[p->tok + k]) return 0;
    uint8_t g = tgap(e, i + k);
    if (p->gapmask & (1u << k)) { if (!g || (g & G_NL)) return 0; }
    else if (g) return 0;
  }
  return 1;
}

/* Longest phrase of a kind in mask starting at token i (with sub, or any sub if sub < 0);
 * returns its token count and the phrase in *out, or 0. Of equally long phrases, the first in
 * the lexicon's order. */
static size_t match_scan(const tt_entities *e, size_t i, uint32_t mask, int sub, const phr **out)
{
  uint32_t wid = e->et[i].wid;   /* set: match() read the kinds */
  /* one kind: its own slice (same order); several: the whole group, filtered. A cache line
     less for one kind: the word's record is not read, nor the slice's second-word index when
     the slice is too short to have one. */
  const uint32_t *list;
  uint32_t cnt;
  if (mask & (mask - 1)) {
    const word *w = &e->words[wid];
    list = e->starts + w->first;
    cnt = w->nstart;
  } else {
    unsigned kind = (unsigned)__builtin_ctz(mask);
    const uint32_t *o = e->kofs + (size_t)wid * NKOFS + kind;
    list = e->kstarts + o[0];
    cnt = o[1] - o[0];
    const uint32_t *at = e->s2at + 2 * ((size_t)wid * NKINDS + kind);
    if (cnt >= S2_MIN && at[1]) {
      /* a long slice: of its multi-token phrases only those whose next words are the
         text's can match (s2ent); then the 1-token ones */
      const s2ent *d = e->s2 + at[0];
      uint32_t nm = at[1];
      uint32_t w2 = i + 1 < e->n ? twid(e, i + 1) : NOWORD;
      uint32_t w3 = i + 2 < e->n ? twid(e, i + 2) : NOWORD;
      uint32_t w4 = i + 3 < e->n ? twid(e, i + 3) : NOWORD;
      if (w2 != NOWORD) {
        /* the runs (w2, w3, w4), (w2, w3, -), (w2, -, -); a NOWORD in the text's key makes
           it one of the later ones, which is then looked at once */
        const uint32_t key[3][2] = {{w3, w4}, {w3, NOWORD}, {NOWORD, NOWORD}};
        for (int r = 0; r < 3; r++) {
          if (r > 0 && key[r][0] == key[r - 1][0] && key[r][1] == key[r - 1][1]) continue;
          uint32_t lo = 0, hi = nm;
          while (lo < hi) {
            uint32_t mid = (lo + hi) / 2;
            if (s2cmp(&d[mid], w2, key[r][0], key[r][1]) < 0) lo = mid + 1; else hi = mid;
          }
          for (; lo < nm && !s2cmp(&d[lo], w2, key[r][0], key[r][1]); lo++) {
            const phr *p = &e->phr[d[lo].ph];
            if (phr_at(e, i, p, mask, sub)) { if (out) *out = p; return p->ntok; }
          }
        }
      }
      list += nm;
      cnt -= nm;
    }
  }
  for (uint32_t s = 0; s < cnt; s++) {
    const phr *p = &e->phr[list[s]];
    if (phr_at(e, i, p, mask, sub)) { if (out) *out = p; return p->ntok; }
  }
  return 0;
}

/* match() without a call when token i starts no phrase of those kinds (most calls). */
static inline size_t match(const tt_entities *e, size_t i, uint32_t mask, int sub, const phr **out)
{
  if (i >= e->n || !(tkinds(e, i) & mask)) return 0;   /* kinds: 0 for NOWORD */
  return match_scan(e, i, mask, sub, out);
}

static int is_word(const tt_entities *e, size_t i, const char *s)
{
  size_t l = strlen(s);
  return i < e->n && txl(e, i) == l && memcmp(tx(e, i), s, l) == 0;
}

static int surname(const tt_entities *e, size_t i)
{
  return tcap(e, i) && match(e, i, KB(TT_EK_SURNAME), -1, NULL) == 1;
}

/* A token that ends a name or a place run: a title, a head, an honorific, a multi-word
 * authority or an acronym one. */
static int stopper(const tt_entities *e, size_t i)
{
  const phr *p;
  /* any phrase of these kinds (one kind at a time: each has its own slice, where the group of
     a common word is mostly gazetteer names) */
  const uint32_t sk = KB(TT_EK_TITLE) | KB(TT_EK_ORGHEAD) | KB(TT_EK_DOCHEAD) | KB(TT_EK_HONOR);
  uint32_t ki = i < e->n ? tkinds(e, i) & sk : 0;
  for (; ki; ki &= ki - 1)
    if (match(e, i, ki & (~ki + 1u), -1, NULL)) return 1;
  size_t m = match(e, i, KB(TT_EK_GOV), -1, &p);
  return m > 1 || (m == 1 && tv(e, i)->acro);
}

/* A token that can be part of a name: capitalized, letters only, no gap before unless first. */
static int name_tok(const tt_entities *e, size_t i, size_t first)
{
  if (i >= e->n) return 0;
  const etok *t = tv(e, i);
  if (!t->cap || t->num || t->acro || txl(e, i) < 2) return 0;
  if (i > first && t->gap) return 0;
  if (e->tk[i].flags & TT_TOKEN_COMPOUND) return 0;
  return !stopper(e, i);
}

/* Capitalized run of a place name from j (a known place is taken whole); a person's name
 * after it (a family name followed by 1-3 more syllables, up to the end of the run) is left
 * out: "Bắc Kạn | Tạc Văn Nam". Returns the end of the place (j: none). */
static size_t place_run(const tt_entities *e, size_t j)
{
  if (j >= e->n) return j;
  size_t p = match(e, j, KB(TT_EK_PLACE), -1, NULL);
  size_t r = j + p;
  if (p == 0) {
    const etok *t = tv(e, j);
    if (!t->cap || stopper(e, j)) return j;
    if (t->acro || t->num) return j + 1; /* TP.HCM, an acronym: one token */
  }
  while (r < e->n && r - j < 8 && name_tok(e, r, r)) r++; /* name_tok(r, r): gap checked below */
  size_t q = j + (p ? p : 1);
  size_t end = q;
  while (end < r && !tgap(e, end)) end++;
  r = end;
  if (p) {
    if (r - q >= 2 && r - q <= 4 && surname(e, q)) return q;
    return q;  /* a known place ends the run */
  }
  size_t cut = r;
  for (size_t k = j + 1; k < r; k++) {
    if (match(e, k, KB(TT_EK_PLACE), -1, NULL)) {
      if (k + 1 < r || is_word(e, k, "việt")) return k; /* "Chợ Rẫy | Việt Nam" */
      continue;
    }
    if (surname(e, k) && r - k >= 2 && r - k <= 4) {
      if (r - k == 3) return k;  /* "Bạch Mai | Trần Phương Thụy": three syllables are likeliest */
      if (cut == r) cut = k;
    }
  }
  return cut;
}

/* Append token i as the canonical form shows it: acronyms upper-case, capitalized words
 * title-case, others as the exact form. */
static void put_tok(tt_entities *e, tt_buf *b, size_t i)
{
  int mode = tv(e, i)->acro ? 2 : tv(e, i)->cap ? 1 : 0;
  put_cased(e, b, tx(e, i), txl(e, i), mode);
}

/* Append tokens [i, j) with single spaces; ", " / " - " where the text has them. */
static void put_span(tt_entities *e, tt_buf *b, size_t i, size_t j)
{
  for (size_t k = i; k < j; k++) {
    if (k > i) {
      uint8_t g = tgap(e, k);
      puts_b(e, b, (g & G_COMMA) ? ", " : (g & G_DASH) ? " - " : " ", (g & G_COMMA) ? 2 : (g & G_DASH) ? 3 : 1);
    }
    put_tok(e, b, k);
  }
}

static void put_sp(tt_entities *e, tt_buf *b) { if (b->n) puts_b(e, b, " ", 1); }

static const char *lexs(const tt_entities *e, const phr *p) { return e->lex.p + p->canon; }

/* ------------------------------------------------------------------ organisations */

/* Descriptors that do not name a hospital by themselves ("các Bệnh viện Trung ương"). */
static int generic_desc(const tt_entities *e, const phr *p)
{
  static const char *const g[] = {"Đa khoa", "Trung ương", "Quốc tế", "Khu vực", "Đại học", "Nhân dân"};
  for (size_t k = 0; k < sizeof g / sizeof g[0]; k++)
    if (p->canon_len == strlen(g[k]) && memcmp(lexs(e, p), g[k], p->canon_len) == 0) return 1;
  return 0;
}

/* The tail of a hospital name after its head: descriptors, places, capitalized words, a
 * number. Appends its canonical form to b; returns its end (i: no tail). It must name
 * something: a capitalized word or a number, a capitalized specialty ("Nhi", "Phổi"), or,
 * after a capitalized head, a place ("Bệnh viện tỉnh Bà Rịa"). */
static size_t hosp_tail(tt_entities *e, size_t i, int head_cap, tt_buf *b)
{
  size_t k = i, last = i, lastlen = b->n;
  int name = 0, spec = 0, place = 0;
  const phr *p;
  while (k < e->n && !tgap(e, k)) {
    size_t m;
    if ((m = match(e, k, KB(TT_EK_PLACE), -1, NULL))) {
      put_sp(e, b); put_span(e, b, k, k + m);
      k += m; last = k; lastlen = b->n; place = 1;
      continue;
    }
    if (stopper(e, k)) break;
    if ((m = match(e, k, KB(TT_EK_DESC), -1, &p))) {
      put_sp(e, b); puts_b(e, b, lexs(e, p), p->canon_len);
      if (tv(e, k)->cap && !generic_desc(e, p)) spec = 1;
      k += m; last = k; lastlen = b->n;
      continue;
    }
    if ((m = match(e, k, KB(TT_EK_PLACEMARK), -1, &p)) && k + m < e->n &&
        !tgap(e, k + m) && (tv(e, k + m)->cap || e->et[k + m].num)) {
      put_sp(e, b); puts_b(e, b, lexs(e, p), p->canon_len);
      k += m;
      continue;
    }
    if (e->et[k].num && txl(e, k) <= 5 && (head_cap || k > i) && strspn(tx(e, k), "0123456789-") == txl(e, k)) {
      put_sp(e, b); put_tok(e, b, k);
      k++; last = k; lastlen = b->n; name = 1;
      break;
    }
    if (tv(e, k)->cap) {
      if (k > i && surname(e, k) && name_tok(e, k + 1, k)) break; /* "… Trung ương | Huỳnh Thanh Hạnh" */
      size_t r = place_run(e, k);
      if (r == k) break;
      put_sp(e, b); put_span(e, b, k, r);
      size_t full = r;
      while (full < e->n && name_tok(e, full, k)) full++;
      if (tv(e, k)->acro && txl(e, k) > 3) place = 1; else name = 1; /* TP.HCM */
      k = r; last = k; lastlen = b->n;
      if (full > r) break; /* a person's name follows */
      continue;
    }
    break;
  }
  b->n = lastlen;
  if (b->p) b->p[b->n] = 0;
  if (!name && !spec && !(place && head_cap)) return i;
  return last;
}

/* Free tail of an institute or department not in the gazetteer ("Viện Sốt rét và Ký sinh
 * trùng Trung ương"): words up to punctuation, a title or head, or a function word ("và" only
 * before a capital), at most 10; the first must be capitalized. */
static size_t free_tail(tt_entities *e, size_t i, tt_buf *b)
{
  size_t k = i;
  while (k < e->n && k - i < 10 && !tgap(e, k) && !stopper(e, k) && !e->et[k].num) {
    if (!tv(e, k)->cap && match(e, k, KB(TT_EK_STOP), -1, NULL)) {
      if (!(is_word(e, k, "và") && k + 1 < e->n && tv(e, k + 1)->cap && !tgap(e, k + 1))) break;
    }
    size_t pm = match(e, k, KB(TT_EK_PLACE), -1, NULL);
    if (pm) { k += pm; break; }               /* a place or an acronym ends the name */
    if (tv(e, k)->acro && k > i) { k++; break; }
    k++;
  }
  while (k > i && is_word(e, k - 1, "và")) k--;
  if (k > i) { put_sp(e, b); put_span(e, b, i, k); }
  return k;
}

/* An organisation (hospital type) starting at token i by pattern; canonical into b. */
static size_t org_pattern(tt_entities *e, size_t i, tt_buf *b)
{
  const phr *h, *p;
  size_t m = match(e, i, KB(TT_EK_ORGHEAD), -1, &h);
  if (!m) return 0;
  const etok *t = tv(e, i);
  size_t j = i + m, end;
  tt_buf_reset(b);
  switch (h->sub) {
  case TT_EH_BV: case TT_EH_BVDK: case TT_EH_BVTW:
    if (h->ntok == 1 && !t->acro) return 0; /* "bv" only as written BV */
    puts_b(e, b, lexs(e, h), h->canon_len);
    end = hosp_tail(e, j, t->cap, b);
    return end > j ? end : 0;
  case TT_EH_TTYT: case TT_EH_CDC: case TT_EH_TRAM: {
    if (h->ntok == 1 && !t->acro) return 0;
    if (h->ntok > 1 && !t->cap) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    size_t mm = (j < e->n && !tgap(e, j)) ? match(e, j, KB(TT_EK_PLACEMARK), -1, &p) : 0;
    if (mm) {
      if (h->sub == TT_EH_TRAM && !(is_word(e, j, "xã") || is_word(e, j, "phường") || is_word(e, j, "thị")))
        return 0;
      if (j + mm >= e->n || tgap(e, j + mm)) return 0;
      put_sp(e, b); puts_b(e, b, lexs(e, p), p->canon_len);
      j += mm;
    } else {
      if (h->sub == TT_EH_TRAM || j >= e->n || tgap(e, j)) return 0;
      if (h->sub == TT_EH_CDC) {
        size_t pm = match(e, j, KB(TT_EK_PLACE), -1, NULL);
        if (pm && !(is_word(e, j, "hà") && is_word(e, j + 1, "nội")) && !is_word(e, j, "tp.hcm") &&
            !is_word(e, j, "hải") && !is_word(e, j, "đà") && !is_word(e, j, "cần"))
          puts_b(e, b, " tỉnh", strlen(" tỉnh"));
      }
    }
    end = place_run(e, j);
    if (end == j) return 0;
    put_sp(e, b); put_span(e, b, j, end);
    return end;
  }
  case TT_EH_SO:
    if (!t->cap) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    if (j < e->n && !tgap(e, j) && (is_word(e, j, "tỉnh") || is_word(e, j, "thành"))) {
      size_t mm = match(e, j, KB(TT_EK_PLACEMARK), -1, NULL);
      if (mm && j + mm < e->n && !tgap(e, j + mm)) j += mm;
    } else if (j < e->n && !tgap(e, j) && is_word(e, j, "tp") && j + 1 < e->n &&
               tgap(e, j + 1) == G_DOT) {
      put_sp(e, b); puts_b(e, b, "TP.", 3);
      j++;
      end = place_run(e, j);
      if (end == j) return 0;
      put_span(e, b, j, end);
      return end;
    }
    if (j >= e->n || tgap(e, j)) return 0;
    end = j + match(e, j, KB(TT_EK_PLACE), -1, NULL);  /* provinces and cities are all known */
    if (end == j) return 0;
    put_sp(e, b); put_span(e, b, j, end);
    return end;
  case TT_EH_BO:
    if (!t->cap) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    return j;
  case TT_EH_VIEN: case TT_EH_CUC:
    if (!t->cap || j >= e->n || tgap(e, j) || !tv(e, j)->cap) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    end = free_tail(e, j, b);
    return end > j ? end : 0;
  }
  return 0;
}

/* The gazetteer entry of a type starting at i: its end, canonical into b. */
static size_t gaz(tt_entities *e, size_t i, int type, tt_buf *b)
{
  const phr *p;
  /* no name of this type starts with the word; gazetteer names start with a capital: no scan */
  if (i >= e->n || !(tkinds(e, i) & GAZSUB(type)) || !tcap(e, i)) return 0;
  size_t m = match(e, i, KB(TT_EK_GAZ), type, &p);
  if (!m) return 0;
  tt_buf_reset(b);
  puts_b(e, b, lexs(e, p), p->canon_len);
  return i + m;
}

/* Best organisation at i: the gazetteer's entry when there is one (it knows where the name
 * ends), else the pattern. */
static size_t org_at(tt_entities *e, size_t i, tt_buf *b)
{
  size_t g = gaz(e, i, TT_ENT_HOSPITAL, &e->tmp2);
  size_t p = g ? 0 : org_pattern(e, i, b);
  if (g) {
    tt_buf_reset(b);
    puts_b(e, b, e->tmp2.p, e->tmp2.n);
    return g;
  }
  return p;
}

/* ------------------------------------------------------------------ programs */

static size_t prog_pattern(tt_entities *e, size_t i, tt_buf *b)
{
  const phr *h;
  size_t m = match(e, i, KB(TT_EK_DOCHEAD), -1, &h);
  if (!m) return 0;
  size_t j = i + m;
  tt_buf_reset(b);
  switch (h->sub) {
  case TT_ED_NUM: {
    int so = 0;
    if (j < e->n && !tgap(e, j) && is_word(e, j, "số")) { so = 1; j++; }
    if (!tcap(e, i) && !so) return 0;
    if (j >= e->n || tgap(e, j) || !e->et[j].num) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    put_sp(e, b);
    if (e->tk[j].end - e->tk[j].start == txl(e, j) && e->et[j].skip == 0)
      puts_b(e, b, e->text + e->tk[j].start, txl(e, j)); /* the code as written: "QĐ-TTg" */
    else
      put_cased(e, b, tx(e, j), txl(e, j), 2);
    return j + 1;
  }
  case TT_ED_LAW: {
    if (!tv(e, i)->cap || j >= e->n || tgap(e, j) || !tv(e, j)->cap || e->et[j].num) return 0;
    if (stopper(e, j)) return 0;
    size_t k = j + 1;
    while (k < e->n && k - j < 6 && !tgap(e, k) && !tv(e, k)->cap && !e->et[k].num &&
           !match(e, k, KB(TT_EK_STOP), -1, NULL) && !stopper(e, k))
      k++;
    puts_b(e, b, lexs(e, h), h->canon_len);
    put_sp(e, b);
    put_span(e, b, j, k);
    return k;
  }
  case TT_ED_CTMTQG:
    if (!tcap(e, i)) return 0;
    puts_b(e, b, lexs(e, h), h->canon_len);
    return j;
  }
  return 0;
}

static size_t prog_at(tt_entities *e, size_t i, tt_buf *b)
{
  size_t g = gaz(e, i, TT_ENT_PROGRAM, &e->tmp2);
  size_t p = prog_pattern(e, i, b);
  if (g && g >= p) {
    tt_buf_reset(b);
    puts_b(e, b, e->tmp2.p, e->tmp2.n);
    return g;
  }
  return p;
}

/* ------------------------------------------------------------------ output */

/* The key of a canonical name without ICU, for the names made of ASCII letters and digits,
 * single spaces and the table's letters that need no ICU (every Vietnamese letter): each
 * character's folded form from the analyzer's own table (text/chartab.h), so the result is what
 * tt_normalize_word(fold = 1) gives. Returns the key's length, or -1 for anything else (the
 * caller then asks tt_normalize_word). */
static long fast_fold(const char *s, size_t len, char *out, size_t cap)
{
  const unsigned char *u = (const unsigned char *)s;
  size_t o = 0;
  if (!len || u[0] == ' ' || u[len - 1] == ' ') return -1;
  for (size_t i = 0; i < len;) {
    unsigned c = u[i];
    if (o + 4 > cap) return -1;
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z') out[o++] = (char)(c + 32);
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out[o++] = (char)c;
      else if (c == ' ' && u[i + 1] != ' ') out[o++] = ' ';
      else return -1;
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = tt_utf8_decode(u + i, len - i, &cp);
    if (cp >= TT_CC_MAX) return -1;
    const tt_cc *t = &tt_cc_table[cp];
    if (t->cls != TT_CC_LETTER || (t->flags & TT_CF_SLOW) || !t->fo_len) return -1;
    memcpy(out + o, t->fo, t->fo_len);
    o += t->fo_len;
    i += k;
  }
  out[o] = 0;
  return (long)o;
}

static size_t out_str(tt_entities *e, const char *s, size_t len)
{
  size_t off = e->out.n;
  if (tt_buf_append(&e->out, s, len) || tt_buf_putc(&e->out, 0)) e->rc = TT_ENOMEM;
  return off;
}

static void emit(tt_entities *e, tt_entity_type type, size_t i, size_t j, const char *canon,
                 size_t clen, const char *role, size_t rlen)
{
  if (e->rc) return;
  if (e->nms == e->mscap) {
    size_t cap = e->mscap ? e->mscap * 2 : 32;
    tt_entity_mention *ms = tt_realloc(e->ms, cap * sizeof *ms);
    if (!ms) { e->rc = TT_ENOMEM; return; }
    e->ms = ms;
    moff *mo = tt_realloc(e->mo, cap * sizeof *mo);
    if (!mo) { e->rc = TT_ENOMEM; return; }
    e->mo = mo;
    tt_entity_mention *msx = tt_realloc(e->msx, cap * sizeof *msx);
    if (!msx) { e->rc = TT_ENOMEM; return; }
    e->msx = msx;
    e->mscap = cap;
  }
  tt_entity_mention *m = &e->ms[e->nms];
  moff *o = &e->mo[e->nms];
  memset(m, 0, sizeof *m);
  m->type = type;
  m->first_token = (uint32_t)i; m->end_token = (uint32_t)j;
  m->start = e->tk[i].start + e->et[i].skip; m->end = e->tk[j - 1].end;
  o->canon = (uint32_t)out_str(e, canon, clen);
  o->canon_len = (uint32_t)clen;
  /* key: the analyzer's folding of the canonical form. A name of letters, digits and single
     spaces (most) is folded here with the analyzer's table (fast_fold), straight into out; the
     others go through a small cache (tt_normalize_word allocates and may call ICU). The cache
     was the path of every name before: its slot and the string it points to were two cache
     misses per mention once indexing had evicted them, dearer than folding again. */
  size_t kcap = clen * 2 + 16;
  if (tt_buf_reserve(&e->out, kcap + 1)) { e->rc = TT_ENOMEM; return; }
  long fl = fast_fold(canon, clen, e->out.p + e->out.n, kcap);
  if (fl >= 0) {
    o->key = (uint32_t)e->out.n;
    o->key_len = (uint32_t)fl;
    e->out.n += (size_t)fl + 1;   /* fast_fold wrote the NUL */
  } else {
    kent *slot = &e->kcache[hash_str(canon, clen) & (KCACHE - 1)];
    if (!slot->s || slot->clen != clen || memcmp(slot->s, canon, clen) != 0) {
      char *c = tt_malloc(clen + 1 + kcap);
      if (!c) { e->rc = TT_ENOMEM; return; }
      memcpy(c, canon, clen);
      c[clen] = 0;
      if (tt_normalize_word(canon, clen, 1, c + clen + 1, kcap) < 0) c[clen + 1] = 0;
      tt_free(slot->s);
      slot->s = c;
      slot->clen = (uint32_t)clen;
      slot->klen = (uint32_t)strlen(c + clen + 1);
    }
    o->key = (uint32_t)out_str(e, slot->s + clen + 1, slot->klen);
    o->key_len = slot->klen;
  }
#ifdef TT_ENT_CHECK_FOLD
  {
    char *ref = tt_malloc(kcap);
    if (ref && tt_normalize_word(canon, clen, 1, ref, kcap) >= 0 && strcmp(ref, e->out.p + o->key))
      fprintf(stderr, "FOLD MISMATCH [%.*s] fast [%s] ref [%s]\n", (int)clen, canon, e->out.p + o->key, ref);
    tt_free(ref);
  }
#endif
  o->role = (uint32_t)out_str(e, role ? role : "", role ? rlen : 0);
  o->role_len = role ? (uint32_t)rlen : 0;
  if (!e->rc) e->nms++;
}

/* ------------------------------------------------------------------ persons */

static const char *pstr(const tt_entities *e, uint32_t off) { return e->pstr.p + off; }

/* Known person whose name is tokens [i, j) (full name), or whose given name is token i
 * (j == i + 1 and given != 0); the most recent first. */
static const person *known(const tt_entities *e, size_t i, size_t j, int given)
{
  for (size_t q = e->nps; q-- > 0;) {
    const person *p = &e->ps[q];
    if (given) {
      if (p->given_len == txl(e, i) && memcmp(pstr(e, p->given), tx(e, i), txl(e, i)) == 0) return p;
      continue;
    }
    const char *w = pstr(e, p->words);
    size_t wl = p->words_len, pos = 0, k = i;
    for (; k < j && pos <= wl; k++) {
      size_t l = txl(e, k);
      if (pos + l > wl || memcmp(w + pos, tx(e, k), l) != 0) break;
      pos += l;
      if (k + 1 < j) { if (pos >= wl || w[pos] != ' ') break; pos++; }
    }
    if (k == j && pos == wl) return p;
  }
  return NULL;
}

static uint32_t pstr_add(tt_entities *e, const char *s, size_t len)
{
  uint32_t off = (uint32_t)e->pstr.n;
  if (tt_buf_append(&e->pstr, s, len) || tt_buf_putc(&e->pstr, 0)) e->rc = TT_ENOMEM;
  return off;
}

static void person_add(tt_entities *e, size_t i, size_t j, const char *canon, size_t clen,
                       const char *role, size_t rlen)
{
  if (tt_array_reserve(e->ps, e->pscap, e->nps + 1)) { e->rc = TT_ENOMEM; return; }
  person *p = &e->ps[e->nps];
  p->canon = pstr_add(e, canon, clen); p->canon_len = (uint32_t)clen;
  p->role = pstr_add(e, role, rlen); p->role_len = (uint32_t)rlen;
  p->words = (uint32_t)e->pstr.n;
  for (size_t k = i; k < j; k++) {
    if (k > i) puts_b(e, &e->pstr, " ", 1);
    puts_b(e, &e->pstr, tx(e, k), txl(e, k));
  }
  p->words_len = (uint32_t)(e->pstr.n - p->words);
  if (tt_buf_putc(&e->pstr, 0)) e->rc = TT_ENOMEM;
  p->given = pstr_add(e, tx(e, j - 1), txl(e, j - 1)); p->given_len = (uint32_t)txl(e, j - 1);
  if (!e->rc) e->nps++;
}

/* A title chain from j: title [thường trực] [organisation | authority [marker] place], and
 * more titles after ", ". Returns its end (j: none). The caller builds the role text
 * (role_text()) only once a person goes with it: most chains have none. */
static size_t title_chain(tt_entities *e, size_t j)
{
  size_t start = j, end = j;
  const phr *p;
  for (;;) {
    size_t m = match(e, j, KB(TT_EK_TITLE), -1, NULL);
    if (!m) break;
    if (j > start && !(tgap(e, j) == G_COMMA)) break;
    j += m;
    if ((m = match(e, j, KB(TT_EK_TITLEMOD), -1, NULL)) && !tgap(e, j)) j += m;
    if (j < e->n && !tgap(e, j)) {
      size_t o = org_at(e, j, &e->tmp);
      if (o > j) {
        j = o;
      } else if ((m = match(e, j, KB(TT_EK_GOV), -1, &p)) && (tv(e, j)->cap || tv(e, j)->acro)) {
        size_t k = j + m;
        size_t mm = (k < e->n && !tgap(e, k)) ? match(e, k, KB(TT_EK_PLACEMARK), -1, NULL) : 0;
        if (mm && k + mm < e->n && !tgap(e, k + mm)) k += mm;
        size_t r = (k < e->n && !tgap(e, k)) ? place_run(e, k) : k;
        if (mm && r == k) k -= mm;
        j = r > k ? r : k;
      }
    }
    end = j;
  }
  return end;
}

/* The role text of the title chain [start, end) into b; returns its length. */
static size_t role_text(tt_entities *e, tt_buf *b, size_t start, size_t end)
{
  tt_buf_reset(b);
  put_span(e, b, start, end);
  return b->n;
}

/* Honorifics and academic prefixes from j ("ông", "PGS.TS.", "ThS. BS."); returns the end. */
static size_t prefixes(const tt_entities *e, size_t j, size_t first)
{
  size_t m;
  while ((m = match(e, j, KB(TT_EK_HONOR), -1, NULL))) {
    if (j > first && (tgap(e, j) & ~(unsigned)G_DOT)) break;
    if (j == first && j > 0 && tv(e, j)->cap && !tgap(e, j) && tv(e, j - 1)->cap) break;
    j += m;
  }
  return j;
}

/* Try a person mention at token i. Returns the token to continue from (i: nothing). */
static size_t person_at(tt_entities *e, size_t i)
{
  size_t j = i, role_s = 0, role_e = 0;
  int pre = 0, titled = 0;
  tt_buf *rb = &e->tmp2;
  size_t rlen = 0;
  size_t k = prefixes(e, j, j);
  if (k > j) { pre = 1; j = k; }
  if (!pre) {
    size_t c = title_chain(e, j);
    if (c > j) {
      titled = 1; role_s = j; role_e = c; j = c;
      if (j < e->n && (tgap(e, j) == G_COMMA || tgap(e, j) == 0)) {
        k = prefixes(e, j, j);
        if (k > j) { pre = 1; j = k; }
      }
    }
  }
  if (!pre && !titled) return i;
  /* the name */
  if (j >= e->n) return i;
  uint8_t g = tgap(e, j);
  if (g && !(pre && g == G_DOT)) return i;
  size_t r = j;
  while (r < e->n && r - j < 5 && name_tok(e, r, j)) r++;
  size_t len = r - j;
  const person *kp = NULL;
  if (len > 4 || len == 0) return i;
  if (match(e, j, KB(TT_EK_PLACE), -1, NULL) >= len) return i;
  if (len == 1 || !(surname(e, j) || pre)) {
    if (len != 1 || !(kp = known(e, j, r, 1))) return i;
  }
  /* apposition: "…, Giám đốc Bệnh viện X" */
  size_t next = r;
  if (!titled && r < e->n && (tgap(e, r) == G_COMMA || tgap(e, r) == G_DASH)) {
    size_t c = title_chain(e, r);
    if (c > r) { titled = 1; role_s = r; role_e = c; next = c; }
  }
  if (titled) rlen = role_text(e, rb, role_s, role_e);
  tt_buf *cb = &e->tmp;
  tt_buf_reset(cb);
  if (!kp) kp = known(e, j, r, 0);
  if (kp) {
    puts_b(e, cb, pstr(e, kp->canon), kp->canon_len);
    if (!titled) { rb->n = 0; puts_b(e, rb, pstr(e, kp->role), kp->role_len); rlen = rb->n; }
  } else {
    for (size_t q = j; q < r; q++) { if (q > j) puts_b(e, cb, " ", 1); put_cased(e, cb, tx(e, q), txl(e, q), 1); }
  }
  if (e->rc) return i;
  const char *role = titled || kp ? rb->p : "";
  if (!role) role = "";
  emit(e, TT_ENT_PERSON, j, r, cb->p, cb->n, role, titled || kp ? rlen : 0);
  if (!kp) person_add(e, j, r, cb->p, cb->n, role, titled ? rlen : 0);
  return next;
}

/* A name without a prefix: a known person's full name, or "Name, Title …". */
static size_t bare_person(tt_entities *e, size_t i)
{
  if (!surname(e, i)) return i;
  if (i > 0 && tgap(e, i) == 0 && tv(e, i - 1)->cap && !e->et[i - 1].num) return i;
  size_t r = i;
  while (r < e->n && r - i < 5 && name_tok(e, r, i)) r++;
  if (r - i < 2 || r - i > 4) return i;
  if (match(e, i, KB(TT_EK_PLACE), -1, NULL)) return i;  /* "Hà Nội, Thứ trưởng …" */
  const person *kp = known(e, i, r, 0);
  tt_buf *rb = &e->tmp2;
  tt_buf_reset(rb);
  size_t next = r, c = r;
  if (r < e->n && (tgap(e, r) == G_COMMA || tgap(e, r) == G_DASH)) c = title_chain(e, r);
  if (!kp && c == r) return i;
  size_t rlen = c > r ? role_text(e, rb, r, c) : 0;
  if (c > r) next = c;
  tt_buf *cb = &e->tmp;
  tt_buf_reset(cb);
  if (kp) {
    puts_b(e, cb, pstr(e, kp->canon), kp->canon_len);
    if (!rlen) { tt_buf_reset(rb); puts_b(e, rb, pstr(e, kp->role), kp->role_len); rlen = rb->n; }
  } else {
    for (size_t q = i; q < r; q++) { if (q > i) puts_b(e, cb, " ", 1); put_cased(e, cb, tx(e, q), txl(e, q), 1); }
  }
  if (e->rc) return i;
  emit(e, TT_ENT_PERSON, i, r, cb->p, cb->n, rb->p ? rb->p : "", rlen);
  if (!kp) person_add(e, i, r, cb->p, cb->n, rb->p ? rb->p : "", rlen);
  return next;
}

/* ------------------------------------------------------------------ the call */

static int cmp_mention(const void *a, const void *b)
{
  const tt_entity_mention *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return (int)x->type - (int)y->type;
}

/* tcap(e, i) in prepare(), before the token's view exists (skip is set). */
static inline int first_cap(const tt_entities *e, size_t i)
{
  const unsigned char *s = (const unsigned char *)e->text;
  size_t k = e->tk[i].start + e->et[i].skip;
  if (k >= e->tk[i].end) return 0;
  if (s[k] < 0x80) return s[k] >= 'A' && s[k] <= 'Z';
  uint32_t cp;
  tt_utf8_decode(s + k, e->tk[i].end - k, &cp);
  return cp_upper(cp);
}

/* Fill e->et from the analysis: for every token digits and the skipped digit run; and e->cand,
 * the tokens in order whose kinds a pass starts at (about one in twelve), so that the passes
 * visit only those. Two loops. The first, over every token, lists without a jump the tokens
 * whose word may be a trigger (e->trig: a byte by the word's first bytes; about one token in
 * seven). The second looks those up, with the next token's word when theirs starts longer
 * phrases (KMULTI), and keeps the candidates (in place: there are no more of them than
 * triggers). Every other token's word, like the capitals and the gap, is left to the rules
 * that read it (twid(), tkinds()): most are never read. */
static int prepare(tt_entities *e)
{
  if (e->n > e->etcap) {
    size_t cap = e->n + e->n / 2 + 16;
    etok *et = tt_realloc(e->et, cap * sizeof *et);
    TT_CHECK_ALLOC(et);
    e->et = et;
    uint32_t *cand = tt_realloc(e->cand, cap * sizeof *cand);
    TT_CHECK_ALLOC(cand);
    e->cand = cand;
    e->etcap = cap;
  }
  const unsigned char *s = (const unsigned char *)e->text;
  uint32_t prev_end = 0;
  size_t nt = 0, nc = 0;
  /* locals: the loop stores bytes (etok), which may alias any field of e */
  const uint8_t *trig = e->trig;
  const tt_token *tk = e->tk;
  etok *et = e->et;
  uint32_t *cand = e->cand;
  const size_t n = e->n, len = e->len;
  for (size_t i = 0; i < n; i++) {
    const tt_token *t = &tk[i];
    const uint32_t start = t->start, end = t->end, exlen = t->exact_len, flags = t->flags;
    const char *ex = t->exact;
    if (start > end || end > len || start < prev_end)
      return tt_error_set(TT_EINVAL, "tt_entities_find: token %zu outside the text", i);
    prev_end = end;
    etok *x = &et[i];
    uint8_t num = (flags & TT_TOKEN_NUMERIC) != 0, skip = 0;
    if (num && !(flags & TT_TOKEN_COMPOUND)) {
      /* "29bệnh" from "03:29Bệnh viện": a short digit run glued to a capitalized word */
      uint32_t d = 0;
      while (d < exlen && ex[d] >= '0' && ex[d] <= '9') d++;
      if (d >= 1 && d <= 4 && d < exlen && end - start > d) {
        uint32_t k2 = d;
        while (k2 < exlen && !(ex[k2] >= '0' && ex[k2] <= '9')) k2++;
        int digits_ok = 1;
        for (uint32_t q = 0; q < d; q++) if (s[start + q] != (unsigned char)ex[q]) digits_ok = 0;
        uint32_t cp0;
        if (k2 == exlen && digits_ok) {
          tt_utf8_decode(s + start + d, end - start - d, &cp0);
          if (cp_upper(cp0)) { skip = (uint8_t)d; num = 0; }
        }
      }
    }
    x->num = num;
    x->skip = skip;
    x->ready = 0;
    const char *w = ex + skip;
    const size_t wl = exlen - skip;
    /* = tt_load_le_upto64(w, wl) in one load (TT_TOKEN_READ) */
    const uint64_t head = tt_load_le64(w) & (wl >= 8 ? ~(uint64_t)0 : ((uint64_t)1 << (8 * wl)) - 1);
    cand[nt] = (uint32_t)i;
    nt += trig[trig_hash(head)];
  }
  const wtab wt = {e->hash, e->hmask, e->words, e->lex.p};
  const uint64_t *pairs = e->pairs;
  const size_t pmask = e->pmask;
  for (size_t q = 0; q < nt; q++) {
    const uint32_t i = cand[q];
    etok *x = &et[i];
    const uint32_t wid = x->ready & R_WID ? x->wid : wid_set(&wt, &tk[i], x);   /* set: the next of a trigger */
    uint32_t k = x->kinds;
    if (k & KMULTI) {
      uint32_t w2 = NOWORD;
      if (i + 1 < n) w2 = et[i + 1].ready & R_WID ? et[i + 1].wid : wid_set(&wt, &tk[i + 1], &et[i + 1]);
      k = (k & ~KMULTI) | pair_kinds(pairs, pmask, wid, w2);
      x->kinds = k;
    }
    x->ready |= R_KIN;
    /* a candidate by its kinds, or a capitalised gazetteer word or family name */
    uint32_t c = (k & CAND_KINDS) != 0;
    if ((k & CAND_CAP_KINDS) && first_cap(e, i)) c = 1;
    cand[nc] = i;
    nc += c;
  }
  e->ncand = nc;
  return 0;
}

/* A lower-case "bệnh viện" head at token i after "các"/"những" (the plural that introduces a
 * list). Returns its length in tokens with *h its phrase, or 0. */
static size_t plural_head(tt_entities *e, size_t i, const phr **h)
{
  /* the plural first: it is rarer than a head, and cheaper to test */
  if (i == 0 || !(is_word(e, i - 1, "các") || is_word(e, i - 1, "những"))) return 0;
  size_t hm = match(e, i, KB(TT_EK_ORGHEAD), -1, h);
  if (e->rc || !hm || (*h)->sub != TT_EH_BV || (*h)->ntok != 2 || tv(e, i)->cap || tgap(e, i))
    return 0;
  return hm;
}

/* One name of such a list at token k: emitted as a hospital canonicalised with the head h.
 * Returns its end (<= k: no name here). */
static size_t list_name(tt_entities *e, size_t k, const phr *h)
{
  tv(e, k);
  etok *x = &e->et[k];
  uint8_t gap = x->gap;
  x->gap = 0;   /* hosp_tail stops at punctuation before any token, the first included */
  tt_buf_reset(&e->tmp);
  puts_b(e, &e->tmp, lexs(e, h), h->canon_len);
  size_t end = hosp_tail(e, k, 1, &e->tmp);
  x->gap = gap;
  if (end > k) emit(e, TT_ENT_HOSPITAL, k, end, e->tmp.p, e->tmp.n, NULL, 0);
  return end;
}

/* A list after one plural head: "các bệnh viện Chợ Rẫy, Quân Y 175, Thống Nhất". When the
 * mention just emitted for [i, j) starts with a lower-case "bệnh viện" after "các"/"những",
 * each further capitalised name after ", " is a hospital of its own (span: the name alone, as
 * labelled; canonical: with the head). Returns the end of the list. */
static size_t head_list(tt_entities *e, size_t i, size_t j)
{
  const phr *h;
  size_t hm = plural_head(e, i, &h);
  if (!hm || i + hm >= j) return j;
  size_t k = j;
  while (k < e->n && tgap(e, k) == G_COMMA && tv(e, k)->cap && !e->rc) {
    size_t end = list_name(e, k, h);
    if (end <= k) break;
    k = end;
  }
  return k;
}

/* The bytes between token j-1 and token j are one ':' and spaces. */
static int colon_before(const tt_entities *e, size_t j)
{
  if (j == 0 || j >= e->n) return 0;
  int colons = 0;
  for (uint32_t b = e->tk[j - 1].end; b < e->tk[j].start; b++) {
    char c = e->text[b];
    if (c == ':') colons++;
    else if (c != ' ') return 0;
  }
  return colons == 1;
}

/* The names of a list introduced after a plural head that no name follows directly:
 * "các bệnh viện tại TP.HCM như: Chợ Rẫy, Thống Nhất, Quân Y 175", "các bệnh viện như: Chợ
 * Rẫy, Phạm Ngọc Thạch", "các bệnh viện: Bạch Mai, Hữu nghị Việt Đức và Đại học Y Hà Nội".
 * Shape: "các"/"những" + lower-case "bệnh viện" [tại PLACE] then "như" [":"] or ":" alone, then
 * capitalised names separated by ", " (the last may follow "và"). Each name is a hospital of
 * its own (span: the name alone; canonical: with the head), as in head_list. Returns the end
 * of the list (i: not this shape). */
static size_t intro_list(tt_entities *e, size_t i)
{
  const phr *h;
  size_t hm = plural_head(e, i, &h);
  if (!hm) return i;
  size_t j = i + hm;
  if (j < e->n && !tgap(e, j) && is_word(e, j, "tại")) {
    size_t r = j + 1 < e->n && !tgap(e, j + 1) ? place_run(e, j + 1) : j + 1;
    if (r == j + 1) return i;
    j = r;
  }
  if (j + 1 < e->n && !tgap(e, j) && is_word(e, j, "như") && (!tgap(e, j + 1) || colon_before(e, j + 1))) j++;
  else if (!colon_before(e, j)) return i;
  size_t k = j;
  int first = 1;
  while (k < e->n && tv(e, k)->cap && !e->rc) {
    size_t end = list_name(e, k, h);
    if (end <= k) break;
    first = 0;
    k = end;
    if (k + 1 < e->n && !tgap(e, k) && is_word(e, k, "và") && !tgap(e, k + 1) && tv(e, k + 1)->cap) k++;
    else if (k >= e->n || tgap(e, k) != G_COMMA) break;
  }
  return first ? i : k;
}

/* Sort the mentions by start, then type, stably (as glibc's qsort, a merge sort, did before).
 * Each pass emits in text order, so [0, n1) and [n1, nms) are normally sorted runs and one
 * merge does it; anything else goes to qsort. */
static void sort_mentions(tt_entities *e, size_t n1)
{
  tt_entity_mention *m = e->ms;
  size_t n = e->nms;
  if (n < 2) return;
  for (size_t a = 1; a < n; a++) {
    if (a != n1 && cmp_mention(&m[a - 1], &m[a]) > 0) {
      qsort(m, n, sizeof *m, cmp_mention);
      return;
    }
  }
  if (n1 == 0 || n1 >= n || cmp_mention(&m[n1 - 1], &m[n1]) <= 0) return;
  size_t a = 0, b = n1, o = 0;
  while (a < n1 && b < n) e->msx[o++] = cmp_mention(&m[b], &m[a]) < 0 ? m[b++] : m[a++];
  while (a < n1) e->msx[o++] = m[a++];
  while (b < n) e->msx[o++] = m[b++];
  memcpy(m, e->msx, n * sizeof *m);
}

int tt_entities_find(tt_entities *e, const char *text, size_t len, const tt_analysis *an,
                     unsigned flags, const tt_entity_mention **out, size_t *n)
{
  if (!e || !an || !out || !n || (!text && len)) return tt_error_set(TT_EINVAL, "tt_entities_find: NULL argument");
  *out = NULL; *n = 0;
  e->text = text ? text : ""; e->len = len;
  e->tk = an->tokens; e->n = an->tokens ? an->n : 0;
  e->nms = 0; e->rc = 0;
  tt_buf_reset(&e->out);
  if (!(flags & TT_ENT_CONTINUE)) { e->nps = 0; tt_buf_reset(&e->pstr); }
  TT_FORWARD(prepare(e));
  /* pass 1: organisations and programs. Every token that is no candidate (e->cand) would be
     stepped over, so the pass goes from one candidate at or after i to the next. */
  for (size_t c = 0, i = 0; c < e->ncand && !e->rc; c++) {
    size_t j;
    if (e->cand[c] < i || !(e->et[e->cand[c]].kinds & P1_KINDS)) continue;
    i = e->cand[c];
    if ((j = org_at(e, i, &e->tmp)) > i) {
      emit(e, TT_ENT_HOSPITAL, i, j, e->tmp.p, e->tmp.n, NULL, 0);
      j = head_list(e, i, j);
      /* the head of a nested program/organisation cannot start inside: continue after */
      i = j;
    } else if ((j = prog_at(e, i, &e->tmp)) > i) {
      emit(e, TT_ENT_PROGRAM, i, j, e->tmp.p, e->tmp.n, NULL, 0);
      i = j;
    } else if ((j = intro_list(e, i)) > i) {
      i = j;
    } else {
      i++;
    }
  }
  size_t npass1 = e->nms;
  /* pass 2: persons, likewise */
  for (size_t c = 0, i = 0; c < e->ncand && !e->rc; c++) {
    /* person_at needs an honorific or a title at i, bare_person a capitalised family name */
    if (e->cand[c] < i) continue;
    size_t t = e->cand[c];
    uint32_t ki = e->et[t].kinds;
    if (!(ki & P2_KINDS) && !((ki & P2_CAP_KINDS) && tcap(e, t))) continue;
    i = t;
    size_t j = person_at(e, i);
    if (j == i) j = bare_person(e, i);
    i = j > i ? j : i + 1;
  }
  if (e->rc) return tt_error_set(e->rc, "tt_entities_find: out of memory");
  /* short program numbers take the full code seen in the same text ("Nghị quyết 72" after
     "Nghị quyết số 72-NQ/TW") */
  for (size_t a = 0; a < e->nms; a++) {
    if (e->ms[a].type != TT_ENT_PROGRAM) continue;
    const char *ca = e->out.p + e->mo[a].canon;
    size_t la = e->mo[a].canon_len;
    for (size_t b = 0; b < e->nms; b++) {
      if (b == a || e->ms[b].type != TT_ENT_PROGRAM) continue;
      const char *cb = e->out.p + e->mo[b].canon;
      size_t lb = e->mo[b].canon_len;
      if (lb > la && memcmp(ca, cb, la) == 0 && (cb[la] == '-' || cb[la] == '/') &&
          la > 0 && ca[la - 1] >= '0' && ca[la - 1] <= '9') {
        e->mo[a] = e->mo[b];
        break;
      }
    }
  }
  for (size_t a = 0; a < e->nms; a++) {
    tt_entity_mention *m = &e->ms[a];
    const moff *o = &e->mo[a];
    m->canonical = e->out.p + o->canon; m->canonical_len = o->canon_len;
    m->key = e->out.p + o->key; m->key_len = o->key_len;
    m->role = e->out.p + o->role; m->role_len = o->role_len;
  }
  sort_mentions(e, npass1);
  *out = e->ms;
  *n = e->nms;
  return 0;
}
