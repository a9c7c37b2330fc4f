/* timtin: the Vietnamese analyzer — one code path from text to terms, for documents and queries.
 *
 * Input is any bytes. Output is a list of tokens, each with two forms:
 *   exact   NFC, lower-case, canonical tone placement (hoà -> hòa), diacritics kept
 *   folded  exact with every diacritic removed and đ -> d (ASCII for Vietnamese text)
 * plus its position (0-based, consecutive) and the byte range [start, end) it covers in the
 * ORIGINAL input, so that a snippet can highlight what the reader sees, even in NFD text.
 * The rules (tone placement, numbers and codes, what is dropped as junk) are in docs/analyzer.md. */
#ifndef TIMTIN_ANALYZE_H
#define TIMTIN_ANALYZE_H

#include <stddef.h>
#include <stdint.h>

typedef struct tt_token {
  const char *exact;    /* NUL-terminated UTF-8, owned by the analyzer */
  const char *folded;   /* NUL-terminated, owned by the analyzer */
  uint32_t exact_len;   /* bytes, without the NUL */
  uint32_t folded_len;  /* bytes, without the NUL */
  uint32_t pos;         /* token position: first_pos, first_pos+1, ... */
  uint32_t start;       /* byte offset of the token's first byte in the input */
  uint32_t end;         /* byte offset one past its last byte in the input */
  uint32_t flags;       /* TT_TOKEN_* */
} tt_token;

/* The TT_TOKEN_READ bytes after a token's exact and folded forms (after the NUL) can be read
 * too: they lie in memory the analyzer owns, so a reader may load 8 bytes at any byte of a
 * form and mask off what lies past its length (those bytes have no specified values). */
#define TT_TOKEN_READ 8

#define TT_TOKEN_NUMERIC  1u  /* contains a digit: a number, code or date ("1816", "72-NQ/TW") */
#define TT_TOKEN_FOLDED   2u  /* exact != folded (the token carries diacritics or đ) */
#define TT_TOKEN_COMPOUND 4u  /* joined from several parts ("72-NQ/TW", "TP.HCM"): an indexer may
                                 also index the parts, which tt_analyze does not emit */

typedef struct tt_analysis {
  const tt_token *tokens; /* array of n tokens, owned by the analyzer */
  size_t n;
  size_t invalid_utf8;    /* ill-formed UTF-8 sequences replaced by U+FFFD */
  size_t dropped;         /* junk chunks dropped (URLs, image file names, hash-like blobs) */
} tt_analysis;

typedef struct tt_analyzer tt_analyzer;

/* Create an analyzer. One analyzer per thread; analyzers share read-only tables.
 * Returns 0, or TT_ENOMEM / TT_ERROR (ICU could not be initialised) with a message. */
int tt_analyzer_new(tt_analyzer **out);
void tt_analyzer_free(tt_analyzer *a);   /* NULL is a no-op */

/* Analyze len bytes of text (need not be NUL-terminated; may contain NUL bytes and invalid
 * UTF-8). Positions start at first_pos. Fills *out; the tokens stay valid until the next call
 * on this analyzer or its free. Inputs above 4 GiB are refused with TT_EINVAL.
 * Returns 0 or a negative TT_E* code. */
int tt_analyze(tt_analyzer *a, const char *text, size_t len, uint32_t first_pos, tt_analysis *out);

/* Fold one UTF-8 string as the analyzer folds a token's text: NFC, lower-case, canonical tone,
 * then (if fold != 0) diacritics removed. Writes a NUL-terminated result into out (cap bytes);
 * returns its length, or a negative TT_E* code (TT_EINVAL if it does not fit). */
int tt_normalize_word(const char *s, size_t len, int fold, char *out, size_t cap);

#endif
