/* The analyzer's code-point table (text/chartab.h): the ICU-derived tables come from the build.
 *
 * tt_cc_table, tt_cc_compose and tt_cc_comp are defined in chartab_data.c, which the build
 * generates (tt_chartab_gen runs text/chartab_icu.c against the ICU it links with) and records
 * the ICU and Unicode versions in. tt_cc_init only compares those with the running ICU's
 * (u_getVersion: no data loaded) and fills tt_cc_pair (UTF-8 arithmetic). When they differ (a
 * libicu update without a rebuild), it recomputes the tables from the running ICU, as every
 * process did before, so the table never disagrees with the ICU of the slow path.
 * TIMTIN_CHARTAB_REBUILD=1 in the environment forces that path (test_chartab runs both). */
#include "text/chartab.h"
#include "common/alloc.h"
#include "common/error.h"
#include "text/chartab_icu.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unicode/uchar.h>
#include <unicode/uversion.h>

uint16_t tt_cc_pair[65536];
const tt_cc tt_cc_fffd = {TT_CC_FFFD, 0, 3, 3, "\xEF\xBF\xBD", "\xEF\xBF\xBD", 0, 0, 0, 0};

static pthread_once_t cc_once = PTHREAD_ONCE_INIT;
static int cc_rc;
static char cc_msg[256];
static int cc_rebuilt;  /* 1: the tables were recomputed at run time (rebuild) */

/* Entries for code points above the table: only the class and case flags matter, the part
 * they occur in goes through ICU. */
static const tt_cc big_space  = {TT_CC_SPACE, 0, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_punct  = {TT_CC_PUNCT, 0, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_mark   = {TT_CC_MARK, TT_CF_SLOW, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_upper  = {TT_CC_LETTER, TT_CF_SLOW | TT_CF_UPPER, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_lower  = {TT_CC_LETTER, TT_CF_SLOW | TT_CF_LOWER, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_letter = {TT_CC_LETTER, TT_CF_SLOW, 0, 0, {0}, {0}, 0, 0, 0, 0};
static const tt_cc big_digit  = {TT_CC_DIGIT, TT_CF_SLOW | TT_CF_DIGIT, 0, 0, {0}, {0}, 0, 0, 0, 0};

const tt_cc *tt_cc__big(uint32_t cp)
{
  if (cp == 0xFFFD) return &tt_cc_fffd;
  int8_t t = u_charType((UChar32)cp);
  switch (tt_cc__class_of_type(t)) {
  case TT_CC_SPACE: return &big_space;
  case TT_CC_MARK: return &big_mark;
  case TT_CC_DIGIT: return &big_digit;
  case TT_CC_LETTER:
    if (t == U_UPPERCASE_LETTER || t == U_TITLECASE_LETTER) return &big_upper;
    if (t == U_LOWERCASE_LETTER) return &big_lower;
    return &big_letter;
  default: return &big_punct;
  }
}

/* tt_cc_pair (chartab.h): UTF-8 arithmetic only, no ICU. */
static void build_pair(void)
{
  for (unsigned b0 = 0xC2; b0 <= 0xEF; b0++) {
    for (unsigned b1 = 0x80; b1 <= 0xBF; b1++) {
      unsigned v;
      if (b0 <= 0xDF) {
        v = (((b0 & 0x1Fu) << 6) | (b1 & 0x3Fu)) | (2u << 14);  /* U+0080..U+07FF */
      } else {
        uint32_t hi = ((b0 & 0x0Fu) << 12) | ((b1 & 0x3Fu) << 6);  /* the last byte adds 0..63 */
        if (hi < 0x800 || hi + 0x3F >= TT_CC_MAX) continue;       /* overlong, or beyond the table */
        v = hi | (3u << 14);
      }
      tt_cc_pair[b0 | (b1 << 8)] = (uint16_t)v;
    }
  }
}

/* The running ICU is not the one the tables were generated with: recompute them from it. */
static int rebuild(void)
{
  tt_cc_tables *t = tt_malloc(sizeof *t);
  if (!t) {
    snprintf(cc_msg, sizeof cc_msg, "out of memory for the character table");
    return TT_ENOMEM;
  }
  int rc = tt_cc__build(t, cc_msg, sizeof cc_msg);
  if (!rc) {
    memcpy(tt_cc_table, t->table, sizeof tt_cc_table);
    memcpy(tt_cc_compose, t->compose, sizeof tt_cc_compose);
    memcpy(tt_cc_comp, t->comp, sizeof tt_cc_comp);
    cc_rebuilt = 1;
  }
  tt_free(t);
  return rc;
}

static void init_once(void)
{
  UVersionInfo icu, uni;
  u_getVersion(icu);
  u_getUnicodeVersion(uni);
  const char *force = getenv("TIMTIN_CHARTAB_REBUILD");  /* tests, measurements */
  if (memcmp(icu, tt_cc_gen_icu_version, sizeof icu) ||
      memcmp(uni, tt_cc_gen_unicode_version, sizeof uni) || (force && *force && *force != '0'))
    cc_rc = rebuild();
  if (!cc_rc) build_pair();
}

int tt_cc_init(void)
{
  pthread_once(&cc_once, init_once);
  if (cc_rc) return tt_error_set(cc_rc, "%s", cc_msg);
  return 0;
}

int tt_cc_rebuilt(void)
{
  return cc_rebuilt;
}
