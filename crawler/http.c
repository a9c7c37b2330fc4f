/* Raw HTTP responses (crawler/http.h). The decoders are bounded: a decompression bomb stops at
 * max bytes with an error instead of filling memory. */
#include "crawler/http.h"

#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "common/error.h"

int tt_http__parse(const void *raw, size_t len, tt_http_msg *m)
{
  memset(m, 0, sizeof *m);
  const char *p = raw;
  const char *sep = NULL;
  for (size_t i = 0; i + 3 < len; i++)
    if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') { sep = p + i; break; }
  if (!sep || len < 12 || strncmp(p, "HTTP/", 5)) return -1;
  const char *sp = memchr(p, ' ', (size_t)(sep - p));
  if (!sp || sep - sp < 4) return -1;
  int st = 0;
  for (int k = 1; k <= 3; k++) {
    if (sp[k] < '0' || sp[k] > '9') return -1;
    st = st * 10 + (sp[k] - '0');
  }
  m->status = st;
  const char *eol = memchr(p, '\n', (size_t)(sep - p) + 2);
  m->headers = eol ? eol + 1 : sep;
  m->headers_len = (size_t)(sep + 2 - m->headers);
  m->body = (const unsigned char *)sep + 4;
  m->body_len = len - (size_t)(sep + 4 - p);
  return 0;
}

int tt_http__header(const tt_http_msg *m, const char *name, char *out, size_t cap)
{
  size_t nl = strlen(name);
  const char *p = m->headers, *end = m->headers + m->headers_len;
  while (p < end) {
    const char *eol = memchr(p, '\n', (size_t)(end - p));
    if (!eol) eol = end;
    if ((size_t)(eol - p) > nl && p[nl] == ':' && !strncasecmp(p, name, nl)) {
      const char *v = p + nl + 1, *ve = eol;
      while (v < ve && (*v == ' ' || *v == '\t')) v++;
      while (ve > v && (ve[-1] == '\r' || ve[-1] == ' ')) ve--;
      size_t k = (size_t)(ve - v) < cap - 1 ? (size_t)(ve - v) : cap - 1;
      memcpy(out, v, k);
      out[k] = 0;
      return 1;
    }
    p = eol + 1;
  }
  if (cap) out[0] = 0;
  return 0;
}

int tt_http__gunzip(const unsigned char *p, size_t n, size_t max, tt_buf *out)
{
  int gz = n >= 2 && p[0] == 0x1f && p[1] == 0x8b;
  int zl = n >= 2 && (p[0] & 0x0F) == 8 && ((p[0] << 8) | p[1]) % 31 == 0;
  if (!gz && !zl) {
    /* raw deflate is tried by the caller's encoding; other bytes pass through */
    if (n > max) return tt_error_set(TT_EINVAL, "body over %zu bytes", max);
    return tt_buf_append(out, p, n) ? TT_ENOMEM : 0;
  }
  z_stream z;
  memset(&z, 0, sizeof z);
  if (inflateInit2(&z, gz ? 15 + 16 : 15) != Z_OK) return TT_ENOMEM;
  z.next_in = (Bytef *)(uintptr_t)p;
  z.avail_in = (uInt)n;
  size_t start = out->n;
  int rc = 0;
  for (;;) {
    if (tt_buf_reserve(out, 1 << 16)) { rc = TT_ENOMEM; break; }
    z.next_out = (Bytef *)out->p + out->n;
    z.avail_out = (uInt)(out->cap - out->n - 1);
    size_t before = z.avail_out;
    int zr = inflate(&z, Z_NO_FLUSH);
    out->n += before - z.avail_out;
    out->p[out->n] = 0;
    if (out->n - start > max) { rc = tt_error_set(TT_EINVAL, "decoded body over %zu bytes", max); break; }
    if (zr == Z_STREAM_END) {
      /* concatenated gzip members */
      if (gz && z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b) { inflateReset(&z); continue; }
      break;
    }
    if (zr == Z_BUF_ERROR && z.avail_in == 0) { rc = tt_error_set(TT_EINVAL, "truncated compressed body"); break; }
    if (zr != Z_OK && zr != Z_BUF_ERROR) { rc = tt_error_set(TT_EINVAL, "damaged compressed body (%s)", z.msg ? z.msg : "zlib error"); break; }
  }
  inflateEnd(&z);
  return rc;
}

static int dechunk(const unsigned char *p, size_t n, size_t max, tt_buf *out)
{
  size_t i = 0;
  while (i < n) {
    size_t sz = 0;
    int digits = 0;
    while (i < n) {
      int c = p[i], v = c >= '0' && c <= '9' ? c - '0' : (c | 32) >= 'a' && (c | 32) <= 'f' ? (c | 32) - 'a' + 10 : -1;
      if (v < 0) break;
      if (sz > (max >> 4)) return tt_error_set(TT_EINVAL, "chunk too large");
      sz = sz * 16 + (size_t)v;
      digits++;
      i++;
    }
    if (!digits) return tt_error_set(TT_EINVAL, "bad chunked encoding");
    while (i < n && p[i] != '\n') i++;
    i++;
    if (sz == 0) return 0;
    if (i > n || sz > n - i) return tt_error_set(TT_EINVAL, "truncated chunked body");
    if (out->n + sz > max) return tt_error_set(TT_EINVAL, "body over %zu bytes", max);
    if (tt_buf_append(out, p + i, sz)) return TT_ENOMEM;
    i += sz;
    while (i < n && (p[i] == '\r' || p[i] == '\n')) i++;
  }
  return 0;
}

int tt_http__decode_body(const tt_http_msg *m, size_t max, tt_buf *out)
{
  char te[64], ce[64];
  tt_http__header(m, "Transfer-Encoding", te, sizeof te);
  tt_http__header(m, "Content-Encoding", ce, sizeof ce);
  const unsigned char *p = m->body;
  size_t n = m->body_len;
  tt_buf tmp = TT_BUF_INIT;
  if (strstr(te, "chunked") && n && !(p[0] == 0x1f && n > 1 && p[1] == 0x8b)) {
    int rc = dechunk(p, n, max, &tmp);
    if (rc) { tt_buf_fini(&tmp); return rc; }
    p = (const unsigned char *)(tmp.p ? tmp.p : "");
    n = tmp.n;
  }
  int rc;
  if (!ce[0] || !strcasecmp(ce, "identity")) {
    rc = n > max ? tt_error_set(TT_EINVAL, "body over %zu bytes", max) : tt_buf_append(out, p, n) ? TT_ENOMEM : 0;
  } else if (!strcasecmp(ce, "gzip") || !strcasecmp(ce, "x-gzip") || !strcasecmp(ce, "deflate")) {
    if (!strcasecmp(ce, "deflate") && !(n >= 2 && (p[0] & 0x0F) == 8 && ((p[0] << 8) | p[1]) % 31 == 0)) {
      /* raw deflate, as some servers send */
      z_stream z;
      memset(&z, 0, sizeof z);
      rc = inflateInit2(&z, -15) == Z_OK ? 0 : TT_ENOMEM;
      if (!rc) {
        z.next_in = (Bytef *)(uintptr_t)p;
        z.avail_in = (uInt)n;
        for (;;) {
          if (tt_buf_reserve(out, 1 << 16)) { rc = TT_ENOMEM; break; }
          z.next_out = (Bytef *)out->p + out->n;
          z.avail_out = (uInt)(out->cap - out->n - 1);
          size_t before = z.avail_out;
          int zr = inflate(&z, Z_NO_FLUSH);
          out->n += before - z.avail_out;
          out->p[out->n] = 0;
          if (out->n > max) { rc = tt_error_set(TT_EINVAL, "decoded body over %zu bytes", max); break; }
          if (zr == Z_STREAM_END) break;
          if (zr != Z_OK) { rc = tt_error_set(TT_EINVAL, "damaged deflate body"); break; }
        }
        inflateEnd(&z);
      }
    } else if (n >= 2 && ((p[0] == 0x1f && p[1] == 0x8b) || ((p[0] & 0x0F) == 8 && ((p[0] << 8) | p[1]) % 31 == 0))) {
      rc = tt_http__gunzip(p, n, max, out);
    } else {
      rc = tt_error_set(TT_EINVAL, "Content-Encoding %s but the body is not compressed", ce);
    }
  } else {
    rc = tt_error_set(TT_EINVAL, "unsupported Content-Encoding '%s'", ce);
  }
  tt_buf_fini(&tmp);
  return rc;
}

int tt_http__as_http11(tt_buf *msg)
{
  if (!msg->p || msg->n < 8) return 0;
  const char *p = msg->p;
  const char *eol = memchr(p, '\n', msg->n);
  if (!eol) return 0;
  size_t line = (size_t)(eol - p);
  if (line && p[line - 1] == '\r') line--;
  /* the version token: first on a status line, last on a request line */
  size_t vs, ve;
  if (!strncmp(p, "HTTP/", 5)) {
    const char *sp = memchr(p, ' ', line);
    if (!sp) return 0;
    vs = 0;
    ve = (size_t)(sp - p);
  } else {
    size_t k = line;
    while (k && p[k - 1] != ' ') k--;
    if (!k || line - k < 6 || strncmp(p + k, "HTTP/", 5)) return 0;
    vs = k;
    ve = line;
  }
  size_t vl = ve - vs;
  if (vl == 8 && (!strncmp(p + vs, "HTTP/1.1", 8) || !strncmp(p + vs, "HTTP/1.0", 8))) return 0;
  tt_buf out = TT_BUF_INIT;
  if (tt_buf_append(&out, p, vs) || tt_buf_append(&out, "HTTP/1.1", 8) || tt_buf_append(&out, p + ve, msg->n - ve)) {
    tt_buf_fini(&out);
    return TT_ENOMEM;
  }
  tt_buf_fini(msg);
  *msg = out;
  return 1;
}
