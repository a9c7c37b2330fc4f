/* Fast single-object JSON scanner (common/json.h). */
#include "common/json.h"

#include <string.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "common/endian.h"
#include "common/error.h"
#include "common/utf8.h"

typedef struct scan {
  const char *s, *p, *end;
  const char *what;
  tt_buf *scratch;
} scan;

#define FAIL(sc, msg) do { (sc)->what = (msg); return -1; } while (0)

/* First byte in [p, end) that ends a plain run of string bytes: '"', '\\' or a control
 * character (< 0x20); end if none. Eight bytes at a time: for a word x, (x - 0x01..*n) & ~x &
 * 0x80.. is non-zero exactly when some byte of x is below n (n <= 0x80), which finds a control
 * byte directly and a quote or backslash as a zero byte of x XOR its repetition. A word with a
 * hit is then walked byte by byte. */
static const char *plain_run(const char *p, const char *end)
{
#if defined(__SSE2__)
  /* sixteen bytes at a time where SSE2 is there (every x86-64): a byte is a hit when it equals
   * '"' or '\\' or is <= 0x1F (min(x, 0x1F) == x); the first hit is the mask's lowest bit.
   * String values are most of a JSONL article, so this loop is the parser's main cost. */
  const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), c1f = _mm_set1_epi8(0x1F);
  while (end - p >= 16) {
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
    __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, dq), _mm_cmpeq_epi8(x, bs)),
                               _mm_cmpeq_epi8(_mm_min_epu8(x, c1f), x));
    unsigned m = (unsigned)_mm_movemask_epi8(hit);
    if (m) return p + __builtin_ctz(m);
    p += 16;
  }
#endif
  const uint64_t ones = 0x0101010101010101ull, high = 0x8080808080808080ull;
  while (end - p >= 8) {
    uint64_t x = tt_load_le64(p), q = x ^ (ones * '"'), b = x ^ (ones * '\\');
    uint64_t hit = ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((b - ones) & ~b);
    if (hit & high) break;
    p += 8;
  }
  while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20) p++;
  return p;
}

static void ws(scan *sc)
{
  while (sc->p < sc->end && (*sc->p == ' ' || *sc->p == '\t' || *sc->p == '\n' || *sc->p == '\r')) sc->p++;
}

static int hex4(const char *p, unsigned *v)
{
  *v = 0;
  for (int i = 0; i < 4; i++) {
    char c = p[i];
    unsigned d;
    if (c >= '0' && c <= '9') d = (unsigned)(c - '0');
    else if (c >= 'a' && c <= 'f') d = (unsigned)(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') d = (unsigned)(c - 'A' + 10);
    else return -1;
    *v = *v << 4 | d;
  }
  return 0;
}

/* Scan a string at sc->p (on the opening quote). If want, store it in *out (in place when it
 * has no escape, else decoded into scratch as an offset fixed up by the caller: out->s holds
 * the offset + 1 cast to a pointer and out->len the length; see decoded flag). */
static int string(scan *sc, tt_json_value *out, int want, int *decoded)
{
  const char *start = ++sc->p;
  /* fast path: find the closing quote; escapes send us to the slow path */
  sc->p = plain_run(sc->p, sc->end);
  if (sc->p >= sc->end) FAIL(sc, "unterminated string");
  if (*sc->p == '\\') goto slow;
  if (*sc->p != '"') FAIL(sc, "control character in string");
  if (want) { out->type = TT_JSON_STRING; out->s = start; out->len = (size_t)(sc->p - start); *decoded = 0; }
  sc->p++;
  return 0;
slow:;
  size_t off = sc->scratch->n;
  if (want && tt_buf_append(sc->scratch, start, (size_t)(sc->p - start))) FAIL(sc, "out of memory");
  while (sc->p < sc->end) {
    unsigned char c = (unsigned char)*sc->p;
    if (c == '"') break;
    if (c < 0x20) FAIL(sc, "control character in string");
    if (c != '\\') {
      const char *q = plain_run(sc->p, sc->end);
      if (want && tt_buf_append(sc->scratch, sc->p, (size_t)(q - sc->p))) FAIL(sc, "out of memory");
      sc->p = q;
      continue;
    }
    if (sc->p + 1 >= sc->end) FAIL(sc, "unterminated escape");
    char e = sc->p[1], ch;
    sc->p += 2;
    switch (e) {
    case '"': ch = '"'; break;
    case '\\': ch = '\\'; break;
    case '/': ch = '/'; break;
    case 'b': ch = '\b'; break;
    case 'f': ch = '\f'; break;
    case 'n': ch = '\n'; break;
    case 'r': ch = '\r'; break;
    case 't': ch = '\t'; break;
    case 'u': {
      unsigned v;
      if (sc->end - sc->p < 4 || hex4(sc->p, &v)) FAIL(sc, "bad \\u escape");
      sc->p += 4;
      if (v >= 0xD800 && v < 0xDC00) {  /* a high surrogate needs its low half */
        unsigned lo;
        if (sc->end - sc->p >= 6 && sc->p[0] == '\\' && sc->p[1] == 'u' && !hex4(sc->p + 2, &lo) &&
            lo >= 0xDC00 && lo < 0xE000) {
          sc->p += 6;
          v = 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00);
        } else {
          v = 0xFFFD;  /* lone surrogate: replaced */
        }
      } else if (v >= 0xDC00 && v < 0xE000) {
        v = 0xFFFD;
      }
      if (want) {
        char u[4];
        size_t k = tt_utf8_encode(v, u);
        if (tt_buf_append(sc->scratch, u, k)) FAIL(sc, "out of memory");
      }
      continue;
    }
    default: FAIL(sc, "bad escape");
    }
    if (want && tt_buf_putc(sc->scratch, ch)) FAIL(sc, "out of memory");
  }
  if (sc->p >= sc->end) FAIL(sc, "unterminated string");
  sc->p++;
  if (want) {
    if (tt_buf_putc(sc->scratch, 0)) FAIL(sc, "out of memory");
    out->type = TT_JSON_STRING;
    out->s = (const char *)(uintptr_t)(off + 1);
    out->len = sc->scratch->n - 1 - off;
    *decoded = 1;
  }
  return 0;
}

static int value(scan *sc, tt_json_value *out, int want, int *decoded, int depth);

static int number(scan *sc)
{
  const char *p = sc->p;
  if (p < sc->end && *p == '-') p++;
  if (p >= sc->end) FAIL(sc, "bad number");
  if (*p == '0') p++;
  else if (*p >= '1' && *p <= '9') while (p < sc->end && *p >= '0' && *p <= '9') p++;
  else FAIL(sc, "bad number");
  if (p < sc->end && *p == '.') {
    p++;
    if (p >= sc->end || *p < '0' || *p > '9') FAIL(sc, "bad number");
    while (p < sc->end && *p >= '0' && *p <= '9') p++;
  }
  if (p < sc->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < sc->end && (*p == '+' || *p == '-')) p++;
    if (p >= sc->end || *p < '0' || *p > '9') FAIL(sc, "bad number");
    while (p < sc->end && *p >= '0' && *p <= '9') p++;
  }
  sc->p = p;
  return 0;
}

static int literal(scan *sc, const char *lit)
{
  size_t n = strlen(lit);
  if ((size_t)(sc->end - sc->p) < n || memcmp(sc->p, lit, n)) FAIL(sc, "unexpected character");
  sc->p += n;
  return 0;
}

static int value(scan *sc, tt_json_value *out, int want, int *decoded, int depth)
{
  ws(sc);
  if (sc->p >= sc->end) FAIL(sc, "value expected");
  const char *start = sc->p;
  char c = *sc->p;
  if (c == '"') return string(sc, out, want, decoded);
  if (c == '{' || c == '[') {
    if (depth > 64) FAIL(sc, "nested too deep");
    char close = c == '{' ? '}' : ']';
    sc->p++;
    ws(sc);
    if (sc->p < sc->end && *sc->p == close) { sc->p++; goto compound; }
    for (;;) {
      if (c == '{') {
        ws(sc);
        if (sc->p >= sc->end || *sc->p != '"') FAIL(sc, "key expected");
        if (string(sc, NULL, 0, NULL)) return -1;
        ws(sc);
        if (sc->p >= sc->end || *sc->p != ':') FAIL(sc, "':' expected");
        sc->p++;
      }
      if (value(sc, NULL, 0, NULL, depth + 1)) return -1;
      ws(sc);
      if (sc->p >= sc->end) FAIL(sc, "unterminated object or array");
      if (*sc->p == ',') { sc->p++; continue; }
      if (*sc->p == close) { sc->p++; break; }
      FAIL(sc, "',' or end expected");
    }
  compound:
    if (want) { out->type = TT_JSON_COMPOUND; out->s = start; out->len = (size_t)(sc->p - start); *decoded = 0; }
    return 0;
  }
  int type;
  if (c == 't') { if (literal(sc, "true")) return -1; type = TT_JSON_BOOL; }
  else if (c == 'f') { if (literal(sc, "false")) return -1; type = TT_JSON_BOOL; }
  else if (c == 'n') { if (literal(sc, "null")) return -1; type = TT_JSON_NULL; }
  else { if (number(sc)) return -1; type = TT_JSON_NUMBER; }
  if (want) { out->type = type; out->s = start; out->len = (size_t)(sc->p - start); *decoded = 0; }
  return 0;
}

int tt_json_scan_object(const char *s, size_t n, const char *const *keys, size_t nkeys,
                        tt_json_value *out, tt_buf *scratch, size_t *err_col, const char **err_what)
{
  scan sc = {s, s, s + n, NULL, scratch};
  int dec[16] = {0};
  if (nkeys > 16) return tt_error_set(TT_EINVAL, "too many keys");
  memset(out, 0, nkeys * sizeof *out);
  tt_buf_reset(scratch);
  ws(&sc);
  if (sc.p >= sc.end || *sc.p != '{') { sc.what = "object expected"; goto fail; }
  sc.p++;
  ws(&sc);
  if (sc.p < sc.end && *sc.p == '}') { sc.p++; goto done; }
  for (;;) {
    ws(&sc);
    if (sc.p >= sc.end || *sc.p != '"') { sc.what = "key expected"; goto fail; }
    tt_json_value key;
    int kdec = 0;
    size_t mark = scratch->n;
    if (string(&sc, &key, 1, &kdec)) goto fail;
    const char *kp = kdec ? scratch->p + ((uintptr_t)key.s - 1) : key.s;
    size_t which = nkeys;
    for (size_t i = 0; i < nkeys; i++)
      if (strlen(keys[i]) == key.len && !memcmp(keys[i], kp, key.len)) { which = i; break; }
    if (kdec) scratch->n = mark;  /* the key itself need not be kept */
    ws(&sc);
    if (sc.p >= sc.end || *sc.p != ':') { sc.what = "':' expected"; goto fail; }
    sc.p++;
    if (value(&sc, which < nkeys ? &out[which] : NULL, which < nkeys, which < nkeys ? &dec[which] : NULL, 1)) goto fail;
    ws(&sc);
    if (sc.p >= sc.end) { sc.what = "unterminated object"; goto fail; }
    if (*sc.p == ',') { sc.p++; continue; }
    if (*sc.p == '}') { sc.p++; break; }
    sc.what = "',' or '}' expected";
    goto fail;
  }
done:
  ws(&sc);
  if (sc.p != sc.end) { sc.what = "text after the object"; goto fail; }
  for (size_t i = 0; i < nkeys; i++)
    if (out[i].type == TT_JSON_STRING && dec[i]) out[i].s = scratch->p + ((uintptr_t)out[i].s - 1);
  return 0;
fail:
  *err_col = (size_t)(sc.p - s) + 1;
  *err_what = sc.what ? sc.what : "syntax error";
  return TT_EINVAL;
}
