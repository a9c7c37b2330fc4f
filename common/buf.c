/* Growable byte buffer and JSON string escaping (common/buf.h). */
#include "common/buf.h"
#include "common/alloc.h"
#include "common/error.h"
#include "common/utf8.h"

#include <stdarg.h>
#include <stdio.h>

void tt_buf_init(tt_buf *b) { b->p = NULL; b->n = b->cap = 0; }

void tt_buf_fini(tt_buf *b)
{
  tt_free(b->p);
  tt_buf_init(b);
}

int tt_buf_grow_(tt_buf *b, size_t extra)
{
  size_t need = b->n + extra + 1;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < need) cap += cap / 2 + 64;
  char *p = tt_realloc(b->p, cap);
  if (!p) return tt_error_set(TT_ENOMEM, "out of memory growing a buffer to %zu bytes", cap);
  b->p = p;
  b->cap = cap;
  return 0;
}

int tt_buf_printf(tt_buf *b, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  int len = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (len < 0) return tt_error_set(TT_EINVAL, "bad format");
  if (tt_buf_reserve(b, (size_t)len)) return TT_ENOMEM;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)len + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)len;
  return 0;
}

int tt_buf_json_string(tt_buf *b, const char *s, size_t len)
{
  static const char hex[] = "0123456789abcdef";
  if (tt_buf_reserve(b, len + 2)) return TT_ENOMEM;
  tt_buf_putc(b, '"');
  size_t i = 0;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      size_t j = i + 1;
      while (j < len && (unsigned char)s[j] >= 0x20 && (unsigned char)s[j] < 0x80 &&
             s[j] != '"' && s[j] != '\\') j++;
      if (tt_buf_append(b, s + i, j - i)) return TT_ENOMEM;
      i = j;
      continue;
    }
    if (c < 0x80) {
      char esc[6] = {'\\', 0};
      size_t n = 2;
      switch (c) {
      case '"': esc[1] = '"'; break;
      case '\\': esc[1] = '\\'; break;
      case '\n': esc[1] = 'n'; break;
      case '\r': esc[1] = 'r'; break;
      case '\t': esc[1] = 't'; break;
      default:
        esc[1] = 'u'; esc[2] = '0'; esc[3] = '0'; esc[4] = hex[c >> 4]; esc[5] = hex[c & 15];
        n = 6;
      }
      if (tt_buf_append(b, esc, n)) return TT_ENOMEM;
      i++;
      continue;
    }
    uint32_t cp;
    size_t k = tt_utf8_decode((const unsigned char *)s + i, len - i, &cp);
    if (cp == TT_UTF8_INVALID) {
      if (tt_buf_append(b, "\xEF\xBF\xBD", 3)) return TT_ENOMEM;
    } else if (tt_buf_append(b, s + i, k)) {
      return TT_ENOMEM;
    }
    i += k;
  }
  return tt_buf_putc(b, '"');
}
