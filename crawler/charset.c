/* Charset detection and conversion for fetched pages (crawler/charset.h).
 *
 * Detection follows the order of the HTML standard's "encoding sniffing" in short: BOM, the
 * transport's Content-Type, a <meta> prescan of the first 4 KB. Without any of these we look at
 * the bytes: valid UTF-8 is UTF-8; anything else on a Vietnamese site is most likely
 * windows-1258, so that is the guess. Conversion uses glibc iconv; windows-1258 decodes to
 * base letters plus combining tone marks, which tt_charset__nfc (ICU) composes. */
#include "crawler/charset.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>
#include <strings.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>

#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"

static int lower(int c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }

/* Copy a charset label (letters, digits, - _ . :) from p into out, lower-cased and mapped to an
 * iconv name. Returns 1 when a label was found. */
static int take_label(const char *p, size_t n, char out[32])
{
  size_t i = 0, k = 0;
  while (i < n && (p[i] == ' ' || p[i] == '"' || p[i] == '\'' || p[i] == '=')) i++;
  char lab[32];
  while (i < n && k < sizeof lab - 1) {
    int c = (unsigned char)p[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':')) break;
    lab[k++] = (char)lower(c);
    i++;
  }
  lab[k] = 0;
  if (!k) return 0;
  static const struct { const char *label, *name; } map[] = {
    {"utf8", "utf-8"}, {"unicode-1-1-utf-8", "utf-8"}, {"utf-8", "utf-8"},
    {"iso-8859-1", "windows-1252"}, {"latin1", "windows-1252"}, {"us-ascii", "windows-1252"},
    {"ascii", "windows-1252"}, {"cp1252", "windows-1252"}, {"cp1258", "windows-1258"},
    {"x-cp1258", "windows-1258"}, {"tcvn", "tcvn5712-1"}, {"tcvn3", "tcvn5712-1"},
    {"tcvn-5712", "tcvn5712-1"}, {"tcvn5712", "tcvn5712-1"}, {"viscii", "viscii"},
  };
  for (size_t j = 0; j < sizeof map / sizeof map[0]; j++)
    if (!strcmp(lab, map[j].label)) { strcpy(out, map[j].name); return 1; }
  memcpy(out, lab, k + 1);
  return 1;
}

static const char *find_ci(const char *p, size_t n, const char *needle)
{
  size_t m = strlen(needle);
  for (size_t i = 0; i + m <= n; i++)
    if (!strncasecmp(p + i, needle, m)) return p + i;
  return NULL;
}

static int valid_utf8(const unsigned char *p, size_t n)
{
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = tt_utf8_decode(p + i, n - i, &cp);
    if (cp == TT_UTF8_INVALID) return 0;
    i += k;
  }
  return 1;
}

size_t tt_charset__detect(const unsigned char *p, size_t n, const char *content_type, char out[32])
{
  if (n >= 3 && p[0] == 0xEF && p[1] == 0xBB && p[2] == 0xBF) { strcpy(out, "utf-8"); return 3; }
  if (n >= 2 && p[0] == 0xFF && p[1] == 0xFE) { strcpy(out, "utf-16le"); return 2; }
  if (n >= 2 && p[0] == 0xFE && p[1] == 0xFF) { strcpy(out, "utf-16be"); return 2; }
  if (content_type) {
    const char *c = find_ci(content_type, strlen(content_type), "charset");
    if (c && take_label(c + 7, strlen(c + 7), out)) return 0;
  }
  /* <meta> prescan: every "<meta" tag in the first 4 KB, looking for charset= inside it. */
  size_t lim = n < 4096 ? n : 4096;
  const char *s = (const char *)p;
  for (size_t i = 0; i + 5 < lim; i++) {
    if (s[i] != '<' || strncasecmp(s + i + 1, "meta", 4)) continue;
    const char *end = memchr(s + i, '>', lim - i);
    if (!end) break;
    const char *c = find_ci(s + i, (size_t)(end - (s + i)), "charset");
    if (c && take_label(c + 7, (size_t)(end - (c + 7)), out)) return 0;
    i = (size_t)(end - s);
  }
  strcpy(out, valid_utf8(p, n) ? "utf-8" : "windows-1258");
  return 0;
}

int tt_charset__utf8_clean(const unsigned char *p, size_t n, tt_buf *out)
{
  if (tt_buf_reserve(out, n + n / 2 + 4)) return TT_ENOMEM;
  size_t i = 0;
  while (i < n) {
    uint32_t cp;
    size_t k = tt_utf8_decode(p + i, n - i, &cp);
    if (cp == TT_UTF8_INVALID || cp == 0) {
      if (tt_buf_append(out, cp == 0 ? " " : "\xEF\xBF\xBD", cp == 0 ? 1 : 3)) return TT_ENOMEM;
    } else if (tt_buf_append(out, p + i, k)) {
      return TT_ENOMEM;
    }
    i += k;
  }
  return 0;
}

int tt_charset__to_utf8(const char *charset, const unsigned char *p, size_t n, tt_buf *out)
{
  if (!strcmp(charset, "utf-8")) return tt_charset__utf8_clean(p, n, out);
  iconv_t cd = iconv_open("UTF-8", charset);
  if (cd == (iconv_t)-1) return tt_charset__utf8_clean(p, n, out);
  tt_buf tmp = TT_BUF_INIT;
  char *in = (char *)(uintptr_t)p;
  size_t left = n;
  int rc = 0;
  while (left) {
    if (tt_buf_reserve(&tmp, left * 4 + 16)) { rc = TT_ENOMEM; break; }
    char *o = tmp.p + tmp.n;
    size_t room = tmp.cap - tmp.n - 1, before = room;
    size_t r = iconv(cd, &in, &left, &o, &room);
    tmp.n += before - room;
    if (r == (size_t)-1) {
      if (errno == E2BIG) continue;
      /* EILSEQ or EINVAL (truncated sequence): one replacement character, skip a byte. */
      if (tt_buf_append(&tmp, "\xEF\xBF\xBD", 3)) { rc = TT_ENOMEM; break; }
      in++;
      left--;
      iconv(cd, NULL, NULL, NULL, NULL);
    }
  }
  /* Flush the state (windows-1258 may hold back a base letter waiting for a tone mark). */
  if (!rc) {
    if (tt_buf_reserve(&tmp, 16)) rc = TT_ENOMEM;
    else {
      char *o = tmp.p + tmp.n;
      size_t room = tmp.cap - tmp.n - 1, before = room;
      iconv(cd, NULL, NULL, &o, &room);
      tmp.n += before - room;
    }
  }
  iconv_close(cd);
  if (!rc) rc = tt_charset__utf8_clean((const unsigned char *)tmp.p, tmp.n, out);
  tt_buf_fini(&tmp);
  return rc;
}

/* UTF-8 -> UTF-16, apply f, UTF-16 -> UTF-8. */
static int via_utf16(const char *s, size_t n, tt_buf *out, int nfc)
{
  if (n == 0) return 0;
  if (n > (1u << 28)) return tt_error_set(TT_EINVAL, "text too long");
  UErrorCode err = U_ZERO_ERROR;
  int32_t cap = (int32_t)n + 16;
  UChar *u = tt_malloc((size_t)cap * sizeof(UChar) * 2 + 64);
  if (!u) return TT_ENOMEM;
  UChar *v = u + cap + 16;
  int32_t ulen = 0;
  u_strFromUTF8Lenient(u, cap, &ulen, s, (int32_t)n, &err);
  int32_t vlen = 0;
  if (U_SUCCESS(err)) {
    if (nfc) {
      const UNormalizer2 *norm = unorm2_getNFCInstance(&err);
      if (U_SUCCESS(err)) vlen = unorm2_normalize(norm, u, ulen, v, cap + 16, &err);
    } else {
      vlen = u_strToLower(v, cap + 16, u, ulen, "vi", &err);
    }
  }
  int rc = 0;
  if (U_SUCCESS(err)) {
    int32_t blen = 0;
    UErrorCode e2 = U_ZERO_ERROR;
    u_strToUTF8(NULL, 0, &blen, v, vlen, &e2);
    if (tt_buf_reserve(out, (size_t)blen + 4)) rc = TT_ENOMEM;
    else {
      e2 = U_ZERO_ERROR;
      u_strToUTF8(out->p + out->n, (int32_t)(out->cap - out->n - 1), &blen, v, vlen, &e2);
      if (U_SUCCESS(e2)) { out->n += (size_t)blen; out->p[out->n] = 0; }
      else rc = tt_buf_append(out, s, n) ? TT_ENOMEM : 0;
    }
  } else {
    rc = tt_buf_append(out, s, n) ? TT_ENOMEM : 0;   /* ICU failed (buffer): keep the text as is */
  }
  tt_free(u);
  return rc;
}

int tt_charset__nfc(const char *s, size_t n, tt_buf *out) { return via_utf16(s, n, out, 1); }
int tt_charset__lower(const char *s, size_t n, tt_buf *out) { return via_utf16(s, n, out, 0); }
