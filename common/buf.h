/* tt_buf: a growable byte buffer owned by its user (init/reset/fini).
 * The bytes are always followed by a NUL (not counted in n), so text can be passed to C APIs. */
#ifndef TT_COMMON_BUF_H
#define TT_COMMON_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct tt_buf {
  char  *p;    /* bytes; NULL until the first append */
  size_t n;    /* bytes used */
  size_t cap;  /* bytes allocated */
} tt_buf;

#define TT_BUF_INIT {NULL, 0, 0}

void tt_buf_init(tt_buf *b);
void tt_buf_fini(tt_buf *b);              /* frees; b can be reused after init */
static inline void tt_buf_reset(tt_buf *b) { b->n = 0; if (b->p) b->p[0] = 0; }

/* Make room for extra more bytes (plus the NUL). Returns 0 or TT_ENOMEM. */
int tt_buf_grow_(tt_buf *b, size_t extra);
static inline int tt_buf_reserve(tt_buf *b, size_t extra)
{
  return (b->n + extra + 1 <= b->cap) ? 0 : tt_buf_grow_(b, extra);
}

static inline int tt_buf_append(tt_buf *b, const void *d, size_t len)
{
  if (tt_buf_reserve(b, len)) return -2;
  if (len) memcpy(b->p + b->n, d, len);
  b->n += len;
  b->p[b->n] = 0;
  return 0;
}

static inline int tt_buf_putc(tt_buf *b, char c) { return tt_buf_append(b, &c, 1); }
static inline int tt_buf_puts(tt_buf *b, const char *s) { return tt_buf_append(b, s, strlen(s)); }

int tt_buf_printf(tt_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

/* Append s as a JSON string literal (with quotes). Invalid UTF-8 becomes U+FFFD,
 * control characters are escaped, so the output is always valid JSON. */
int tt_buf_json_string(tt_buf *b, const char *s, size_t len);

#endif
