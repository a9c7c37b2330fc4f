/* common/json: a fast scanner for one JSON object (one JSONL line) that extracts the values of
 * a few named keys, for the article reader's hot path.
 *
 * A general JSON library builds a tree of every value; the indexer reads millions of lines with
 * five string fields each, so this scanner validates the whole object's syntax but materializes
 * only the requested keys: strings without escapes are returned in place (zero copy), strings
 * with escapes are decoded into a caller's buffer. Strict JSON syntax (RFC 8259) except that
 * invalid UTF-8 inside strings is passed through (the analyzer replaces it and counts it). */
#ifndef TT_COMMON_JSON_H
#define TT_COMMON_JSON_H

#include <stddef.h>

#include "common/buf.h"

enum { TT_JSON_ABSENT = 0, TT_JSON_STRING, TT_JSON_NUMBER, TT_JSON_BOOL, TT_JSON_NULL, TT_JSON_COMPOUND };

typedef struct tt_json_value {
  int type;          /* TT_JSON_* */
  const char *s;     /* string: decoded bytes (NUL-terminated when decoded into scratch, else not);
                        number/bool: the raw token */
  size_t len;
} tt_json_value;

/* Scan the object in [s, s+n). For each keys[i], out[i] receives its value (the last one if a
 * key repeats) or TT_JSON_ABSENT. Decoded strings live in scratch (reset by this call) and stay
 * valid until its next change. Returns 0, or TT_EINVAL with *err_col (1-based) and a short reason
 * in *err_what. Objects nested deeper than 64 levels are refused. */
int tt_json_scan_object(const char *s, size_t n, const char *const *keys, size_t nkeys,
                        tt_json_value *out, tt_buf *scratch, size_t *err_col, const char **err_what);

#endif
