/* Character sets of fetched pages: find the one a page declares and convert to UTF-8.
 * Used by crawler/extract.c. */
#ifndef TT_CRAWLER_CHARSET_H
#define TT_CRAWLER_CHARSET_H

#include <stddef.h>

#include "common/buf.h"

/* The charset of an HTML document: the BOM, then the charset parameter of content_type (may be
 * NULL), then a <meta charset> / <meta http-equiv content="...; charset=..."> in the first
 * 4 KB, else "utf-8" when the bytes are valid UTF-8 and "windows-1258" (the legacy Vietnamese
 * code page) when they are not. Writes a lower-case iconv name into out (32 bytes) and returns
 * the length of a BOM to skip (0 when none). */
size_t tt_charset__detect(const unsigned char *p, size_t n, const char *content_type, char out[32]);

/* Append p[0..n) converted from charset to UTF-8 to out. Invalid or unmappable bytes become
 * U+FFFD, so the result is always valid UTF-8. An unknown charset is treated as UTF-8.
 * Returns 0 or TT_ENOMEM. */
int tt_charset__to_utf8(const char *charset, const unsigned char *p, size_t n, tt_buf *out);

/* Append valid UTF-8 for p[0..n) (ill-formed sequences become U+FFFD). */
int tt_charset__utf8_clean(const unsigned char *p, size_t n, tt_buf *out);

/* NFC-normalize s[0..n) (valid UTF-8) into out (appended). Returns 0 or TT_ENOMEM. */
int tt_charset__nfc(const char *s, size_t n, tt_buf *out);

/* Lower-case s[0..n) (valid UTF-8, Vietnamese rules) into out (appended). */
int tt_charset__lower(const char *s, size_t n, tt_buf *out);

#endif
