/* URLs for the crawler: RFC 3986 reference resolution and the normalization that makes the
 * seen-set work (one spelling per page). */
#ifndef TT_CRAWLER_URL_H
#define TT_CRAWLER_URL_H

#include <stddef.h>

#include "common/buf.h"

/* Resolve ref against base (an absolute http(s) URL; base may be NULL when ref is absolute)
 * and normalize the result into out (reset first):
 *   scheme and host lower-cased, default port dropped, userinfo and fragment dropped,
 *   dot segments removed, empty path -> "/", percent-encoding made uppercase and unreserved
 *   characters decoded, bytes outside URL syntax (spaces, non-ASCII) percent-encoded,
 *   tracking parameters (utm_*, fbclid, gclid) removed.
 * Returns 0, or -1 when the result is not an http(s) URL with a host (mailto:, javascript:,
 * malformed...). */
int tt_url__resolve(const char *base, const char *ref, size_t ref_len, tt_buf *out);

/* Normalize an absolute URL (tt_url__resolve with no base). */
int tt_url__normalize(const char *url, tt_buf *out);

/* Parts of a normalized URL (borrowed from it). */
typedef struct tt_url_parts {
  const char *scheme; size_t scheme_len;
  const char *host;   size_t host_len;     /* without the port */
  const char *hostport; size_t hostport_len;
  const char *path;   size_t path_len;     /* path + query, starting with '/' */
} tt_url_parts;

/* Split a normalized URL. Returns 0 or -1. */
int tt_url__split(const char *url, tt_url_parts *p);

/* The registered domain of host ("tin.suckhoe.gov.vn" -> "suckhoe.gov.vn"): the last two
 * labels, or three when the second-level label is a generic one under a country code
 * (com.vn, gov.vn, org.vn, edu.vn, net.vn, co.uk...). Returns a pointer into host. */
const char *tt_url__domain(const char *host, size_t len, size_t *dlen);

#endif
