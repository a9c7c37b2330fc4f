/* Raw HTTP/1.x responses as kept in WARC records: split, header lookup, body decoding.
 * Shared by the WARC article reader (crawler/articles.c) and the crawler (crawler/fetch.c). */
#ifndef TT_CRAWLER_HTTP_H
#define TT_CRAWLER_HTTP_H

#include <stddef.h>

#include "common/buf.h"

typedef struct tt_http_msg {
  int status;                      /* 0 when the status line is malformed */
  const char *headers; size_t headers_len;   /* header lines after the status line */
  const unsigned char *body; size_t body_len;
} tt_http_msg;

/* Split a raw response. Returns 0 or -1 (no header/body separator or no status line). */
int tt_http__parse(const void *raw, size_t len, tt_http_msg *m);

/* Header value (case-insensitive name), copied NUL-terminated into out (cap bytes; cut to
 * fit). Returns 1 when present. */
int tt_http__header(const tt_http_msg *m, const char *name, char *out, size_t cap);

/* Append the body decoded by its Content-Encoding (gzip, x-gzip, deflate, identity) and
 * Transfer-Encoding (chunked) to out, stopping with an error past max bytes.
 * Returns 0, or TT_EINVAL (unknown encoding, damaged gzip, over max) with a message. */
int tt_http__decode_body(const tt_http_msg *m, size_t max, tt_buf *out);

/* Write the first line of a raw HTTP message (a response's status line or a request's request
 * line) with "HTTP/1.1" for a version other than HTTP/1.0 and HTTP/1.1 ("HTTP/2", as curl
 * renders an h2 exchange), so that the WARC record is an HTTP/1.x message that WARC tools
 * parse; the protocol really used goes into the WARC-Protocol field. Headers and body are
 * kept. Returns 1 when rewritten, 0 when the message was left as it was (HTTP/1.x, or no
 * recognizable first line), TT_ENOMEM. */
int tt_http__as_http11(tt_buf *msg);

/* Decode gzip or zlib data (by magic; other bytes are copied) into out, up to max bytes. */
int tt_http__gunzip(const unsigned char *p, size_t n, size_t max, tt_buf *out);

#endif
