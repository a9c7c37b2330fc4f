/* text/normalize: the per-word normalization shared by the analyzer and tt_normalize_word():
 * the ICU slow path (NFC + lower-case of a part that the table cannot handle alone) and the
 * canonical tone placement (docs/analyzer.md, "Tone placement"). */
#ifndef TT_TEXT_NORMALIZE_H
#define TT_TEXT_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include <unicode/utypes.h>

#include "common/buf.h"

/* Reusable UTF-16 scratch space for the slow path (caller-owned; zero-initialise, then _fini). */
typedef struct tt_text_scratch {
  UChar *u[3];    /* source, and two buffers the ICU steps alternate between */
  size_t cap[3];  /* UChars allocated in each */
} tt_text_scratch;

void tt_text__scratch_fini(tt_text_scratch *sc);

/* Append to ex and fo the exact and folded forms of the n bytes at src (any bytes; ill-formed
 * UTF-8 becomes U+FFFD, not counted here): ICU NFC, full lower-case, NFC again, then the
 * table's per-code-point forms. No tone moving (see tt_text__canon_tone). Returns 0 or TT_ENOMEM. */
int tt_text__slow_emit(tt_text_scratch *sc, const unsigned char *src, size_t n, tt_buf *ex,
                       tt_buf *fo);

/* Canonical tone placement for one part (a run of letters, already exact: NFC, lower-case)
 * held in [b, e): rewrites it in place when it is an open syllable ending in oa/oe/uy with the
 * tone on the last vowel ("hoà" -> "hòa", "thuý" -> "thúy"; not after "q": "quý").
 * Returns the new end (never after e). */
char *tt_text__canon_tone(char *b, char *e);

#endif
