/* text/chartab_icu: computes the analyzer's code-point tables (text/chartab.h) from ICU.
 *
 * This is where ICU decides what the table says. It runs at build time, in tt_chartab_gen
 * (text/gen/chartab_gen.c), which writes the tables as C source that tt_text compiles, so a
 * process does not pay for it (ICU compiling its Latin-ASCII transliterator alone is ~150 M
 * instructions). It also stays in tt_text, for tt_cc_init's fallback when the ICU a process
 * runs with is not the one the tables were generated from, and for test_chartab.c, which checks
 * that the generated tables are exactly what ICU computes at run time. */
#ifndef TT_TEXT_CHARTAB_ICU_H
#define TT_TEXT_CHARTAB_ICU_H

#include <stddef.h>
#include <stdint.h>

#include "text/chartab.h"

/* Everything of chartab.h that depends on ICU (tt_cc_pair does not: UTF-8 arithmetic only). */
typedef struct tt_cc_tables {
  tt_cc table[TT_CC_MAX];
  uint32_t compose[TT_V_COUNT][TT_TONE_COUNT];
  uint16_t comp[256][TT_CC_NMARKS];
} tt_cc_tables;

/* Fill *t from the ICU this process runs with (every byte of *t is written: unused entries and
 * padding bytes of the forms are 0). Returns 0, or TT_ERROR with a message in msg[0..cap) when
 * ICU cannot provide NFC, NFD or the Latin-ASCII transliterator. Slow (~220 M instructions). */
int tt_cc__build(tt_cc_tables *t, char *msg, size_t cap);

/* TT_CC_* class of an ICU general category (UCharCategory). */
int tt_cc__class_of_type(int8_t type);

/* Written by tt_chartab_gen into the generated source, next to the tables: the ICU version
 * (u_getVersion) and Unicode version (u_getUnicodeVersion) they were computed with. */
extern const uint8_t tt_cc_gen_icu_version[4];
extern const uint8_t tt_cc_gen_unicode_version[4];

#endif
