/* text/chartab: the analyzer's per-code-point table, computed from ICU when timtin is built.
 *
 * The analyzer's hot loop never calls ICU for the characters Vietnamese news is made of. Instead
 * it looks each code point below TT_CC_MAX up in tt_cc_table, whose entries ICU itself computes
 * (text/chartab_icu.c): the character class, the exact form (NFC, full lower-case, Ð/ð -> đ)
 * and the folded form (ICU "Latin-ASCII" of the exact form, marks removed) as ready-to-copy
 * UTF-8, for Vietnamese vowels the base vowel and tone, used to move a tone mark
 * (text/normalize.c), and the compositions of a letter with the Vietnamese combining marks
 * (tt_cc_comp, for NFD input). Characters the table cannot answer alone (other combining marks,
 * anything at or above TT_CC_MAX, the few code points whose NFC or lower-case is not one code
 * point or depends on the context) carry TT_CF_SLOW: a part containing one is redone through
 * ICU (tt_text__slow_emit).
 *
 * The computation runs at build time (tt_chartab_gen writes the tables into the build tree as
 * C, with the ICU version), not in every process: it cost ~222 M instructions (~50 ms) a
 * process. tt_cc_init checks that the running ICU is that version and recomputes the tables
 * from it if not. The tables stay writable for that reason.
 *
 * tests/unit/text/test_chartab.c proves the table agrees with ICU letter by letter, and that
 * the generated tables are byte for byte what the running ICU computes. */
#ifndef TT_TEXT_CHARTAB_H
#define TT_TEXT_CHARTAB_H

#include <stdint.h>

#define TT_CC_MAX 0x2100u  /* table covers U+0000..U+20FF: Latin, combining marks, U+1E00..1EFF,
                              general punctuation (quotes, dashes, ellipsis) */

/* Character classes, ordered: cls >= TT_CC_MARK continues a part, cls >= TT_CC_LETTER starts one. */
enum {
  TT_CC_SPACE = 0,  /* breaks a chunk: Z*, Cc, Cf (incl. NUL, controls, ZWSP, BOM) */
  TT_CC_PUNCT = 1,  /* separates tokens inside a chunk: P*, S*, No, Nl, Cn, Co */
  TT_CC_JOIN  = 2,  /* - / . , and U+2010..U+2013 (ex[0] holds the ASCII joiner) */
  TT_CC_MARK  = 3,  /* combining mark (Mn, Mc, Me): continues a part, never starts one */
  TT_CC_FFFD  = 4,  /* U+FFFD (also what invalid UTF-8 becomes): continues, never starts */
  TT_CC_LETTER = 5, /* L* */
  TT_CC_DIGIT  = 6  /* Nd */
};

/* Entry flags. */
#define TT_CF_UPPER     0x01u  /* Lu or Lt (for the acronym rule) */
#define TT_CF_LOWER     0x02u  /* Ll */
#define TT_CF_DIFF      0x04u  /* exact form != folded form */
#define TT_CF_SLOW      0x08u  /* the part must go through ICU (NFC + lower-case) */
#define TT_CF_TONED_AEY 0x10u  /* exact form is a, e or y carrying a tone: may need tone moving */
#define TT_CF_DIGIT     0x20u  /* class TT_CC_DIGIT */
#define TT_CF_VNMARK    0x40u  /* a combining mark of Vietnamese (5 tones, circumflex, breve, horn):
                                  the fast path composes it with the letter before (tt_cc_comp) */

/* Vowel ids (tt_cc.vowel) and tones (tt_cc.tone). */
enum { TT_V_NONE, TT_V_A, TT_V_AW, TT_V_AA, TT_V_E, TT_V_EE, TT_V_I, TT_V_O, TT_V_OO, TT_V_OW,
       TT_V_U, TT_V_UW, TT_V_Y, TT_V_COUNT };
enum { TT_TONE_NONE, TT_TONE_GRAVE, TT_TONE_ACUTE, TT_TONE_HOOK, TT_TONE_TILDE, TT_TONE_DOT,
       TT_TONE_COUNT };

typedef struct tt_cc {
  uint8_t cls;     /* TT_CC_* */
  uint8_t flags;   /* TT_CF_* */
  uint8_t ex_len;  /* bytes of ex used */
  uint8_t fo_len;  /* bytes of fo used */
  char ex[4];      /* exact form, UTF-8 (NFC, lower-case); copy all 4 bytes, advance ex_len */
  char fo[4];      /* folded form, UTF-8 (ASCII for Vietnamese letters) */
  uint8_t vowel;   /* TT_V_* of the exact form */
  uint8_t tone;    /* TT_TONE_* of the exact form */
  uint8_t comp;    /* row of tt_cc_comp for this character followed by a mark; 0: none */
  uint8_t mark;    /* TT_CF_VNMARK characters: their column of tt_cc_comp + 1 */
} tt_cc;

extern tt_cc tt_cc_table[TT_CC_MAX];
/* tt_cc_compose[v][t]: the precomposed lower-case code point of vowel v with tone t. */
extern uint32_t tt_cc_compose[TT_V_COUNT][TT_TONE_COUNT];
extern const tt_cc tt_cc_fffd;  /* U+FFFD */
/* tt_cc_comp[row][mark]: NFC of (the character with that row) + (that mark), when ICU makes
 * it one code point of the table; 0 otherwise. Composing mark by mark gives the NFC of the
 * whole sequence (each step stays canonically equivalent), so NFD Vietnamese ("e" U+0323
 * U+0302) takes the fast path too; anything else falls back to ICU. */
#define TT_CC_NMARKS 8
extern uint16_t tt_cc_comp[256][TT_CC_NMARKS];

/* tt_cc_pair[b0 | b1 << 8]: the first two bytes b0 b1 of a UTF-8 sequence of 2 or 3 bytes
 * whose code point is in the table, decoded: (code point) | (length << 14), where for 3 bytes
 * the code point lacks the last byte's 6 bits. 0 for anything else (ASCII, continuation bytes,
 * C0/C1, overlong E0 80..9F, 3-byte code points >= TT_CC_MAX, 4-byte leads, F5..FF, an ill-formed
 * second byte). One load replaces the decoding arithmetic for the characters Vietnamese text
 * is made of (2-byte Latin-1/Extended-A/B, 3-byte U+1E00..1EFF). 128 KiB, filled by
 * tt_cc_init (not generated: a few thousand instructions); the rows Vietnamese uses (leads
 * C3, C4, C6, CC, E1) are a few cache lines. */
extern uint16_t tt_cc_pair[65536];

/* Decode the 2- or 3-byte UTF-8 character whose first bytes are w (little-endian load of 4
 * bytes, all readable): its code point (< TT_CC_MAX) and length in *k, or -1 when it is not
 * a well-formed 2- or 3-byte sequence of a code point in the table (the caller then asks
 * tt_utf8_decode, which also handles the invalid forms). Branch-free on the length. */
static inline int32_t tt_cc_decode23(uint32_t w, unsigned *k)
{
  unsigned v = tt_cc_pair[w & 0xFFFFu];
  unsigned n = v >> 14, three = n & 1u, b2 = (w >> 16) & 0xFFu;
  unsigned cp = (v & 0x3FFFu) | (b2 & 0x3Fu & (0u - three));
  unsigned bad = (v == 0) | (three & ((b2 & 0xC0u) != 0x80u));
  *k = n;
  return bad ? -1 : (int32_t)cp;
}

/* Make the tables ready (once per process; thread-safe): fill tt_cc_pair and, only when the
 * running ICU's version differs from the one recorded at generation (or the environment has
 * TIMTIN_CHARTAB_REBUILD=1), recompute the others from it. Returns 0, or TT_ERROR with a message when that recomputation fails (ICU cannot provide
 * NFC or the Latin-ASCII transliterator), TT_ENOMEM. */
int tt_cc_init(void);

/* 1 when tt_cc_init recomputed the tables from the running ICU, 0 when it kept the generated
 * ones (or has not run). */
int tt_cc_rebuilt(void);

/* Entry for a code point at or above TT_CC_MAX (asks ICU for its general category). */
const tt_cc *tt_cc__big(uint32_t cp);

static inline const tt_cc *tt_cc_get(uint32_t cp)
{
  return cp < TT_CC_MAX ? &tt_cc_table[cp] : tt_cc__big(cp);
}

#endif
