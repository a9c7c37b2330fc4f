/* Unit tests: raw HTTP messages as kept in WARC (crawler/http.c): the HTTP/1.1 rewrite of an
 * h2 exchange's first line, and body decoding (gzip, zlib deflate, raw deflate, chunked,
 * bounds, unknown encodings). Compressed inputs are made here with zlib. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/error.h"
#include "crawler/http.h"

static void rewrite(const char *in, const char *want, int want_rc)
{
  tt_buf b = TT_BUF_INIT;
  assert_int_equal(tt_buf_append(&b, in, strlen(in)), 0);
  assert_int_equal(tt_http__as_http11(&b), want_rc);
  assert_int_equal(b.n, strlen(want));
  assert_memory_equal(b.p, want, b.n);
  tt_buf_fini(&b);
}

static void test_as_http11(void **state)
{
  (void)state;
  /* curl's rendering of an h2 response and request */
  rewrite("HTTP/2 200 \r\nserver: x\r\n\r\nbody HTTP/2", "HTTP/1.1 200 \r\nserver: x\r\n\r\nbody HTTP/2", 1);
  rewrite("GET /a?b=HTTP/2 HTTP/2\r\nHost: h\r\nuser-agent: t\r\n\r\n", "GET /a?b=HTTP/2 HTTP/1.1\r\nHost: h\r\nuser-agent: t\r\n\r\n", 1);
  rewrite("HTTP/3 404 \r\n\r\n", "HTTP/1.1 404 \r\n\r\n", 1);
  rewrite("HTTP/2.0 301 Moved\r\nlocation: /x\r\n\r\n", "HTTP/1.1 301 Moved\r\nlocation: /x\r\n\r\n", 1);
  /* HTTP/1.x stays byte for byte */
  rewrite("HTTP/1.1 200 OK\r\n\r\nx", "HTTP/1.1 200 OK\r\n\r\nx", 0);
  rewrite("HTTP/1.0 200 OK\r\n\r\n", "HTTP/1.0 200 OK\r\n\r\n", 0);
  rewrite("GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 0);
  /* not an HTTP message: left alone */
  rewrite("garbage without a line end", "garbage without a line end", 0);
  rewrite("GET /only-a-path\r\n\r\n", "GET /only-a-path\r\n\r\n", 0);
  rewrite("HTTP/2\r\n\r\n", "HTTP/2\r\n\r\n", 0);
  tt_buf e = TT_BUF_INIT;
  assert_int_equal(tt_http__as_http11(&e), 0);
}

/* A response with the given headers and body, decoded. Returns the rc; out gets the body. */
static int decode(const char *headers, const void *body, size_t blen, size_t max, tt_buf *out)
{
  tt_buf raw = TT_BUF_INIT;
  assert_int_equal(tt_buf_printf(&raw, "HTTP/1.1 200 OK\r\n%s\r\n", headers), 0);
  assert_int_equal(tt_buf_append(&raw, body, blen), 0);
  tt_http_msg m;
  assert_int_equal(tt_http__parse(raw.p, raw.n, &m), 0);
  assert_int_equal(m.status, 200);
  int rc = tt_http__decode_body(&m, max, out);
  tt_buf_fini(&raw);
  return rc;
}

/* Compress with zlib: windowBits 15 + 16 = gzip, 15 = zlib, -15 = raw deflate. */
static size_t compress_as(const char *text, int window_bits, unsigned char *out, size_t cap)
{
  z_stream z;
  memset(&z, 0, sizeof z);
  assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
  z.next_in = (Bytef *)(uintptr_t)text;
  z.avail_in = (uInt)strlen(text);
  z.next_out = out;
  z.avail_out = (uInt)cap;
  assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
  size_t n = cap - z.avail_out;
  deflateEnd(&z);
  return n;
}

static void test_decode_encodings(void **state)
{
  (void)state;
  const char *text = "<html><body><p>Bệnh viện Bạch Mai tiếp nhận bệnh nhân.</p><p>Bệnh viện Bạch Mai.</p></body></html>";
  unsigned char z[1024];
  static const struct { const char *ce; int bits; } cases[] = {
    {"gzip", 15 + 16}, {"x-gzip", 15 + 16}, {"deflate", 15}, {"deflate", -15}, {"Deflate", 15},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    size_t n = compress_as(text, cases[i].bits, z, sizeof z);
    char h[64];
    snprintf(h, sizeof h, "Content-Encoding: %s\r\n", cases[i].ce);
    tt_buf out = TT_BUF_INIT;
    assert_int_equal(decode(h, z, n, 1 << 20, &out), 0);
    assert_int_equal(out.n, strlen(text));
    assert_memory_equal(out.p, text, out.n);
    /* the bound holds for every encoding: a body decoding past max is an error */
    tt_buf small = TT_BUF_INIT;
    assert_int_equal(decode(h, z, n, 20, &small), TT_EINVAL);
    assert_non_null(strstr(tt_error_last(), "over 20 bytes"));
    tt_buf_fini(&small);
    /* a truncated compressed body is an error, not a short text */
    tt_buf cut = TT_BUF_INIT;
    assert_int_equal(decode(h, z, n / 2, 1 << 20, &cut), TT_EINVAL);
    tt_buf_fini(&cut);
    tt_buf_fini(&out);
  }
  /* identity and no header: the bytes as they are */
  tt_buf out = TT_BUF_INIT;
  assert_int_equal(decode("Content-Encoding: identity\r\n", text, strlen(text), 1 << 20, &out), 0);
  assert_int_equal(out.n, strlen(text));
  tt_buf_fini(&out);
  /* chunked framing (kept as sent by a server that did not remove it) */
  const char *chunked = "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n";
  tt_buf ch = TT_BUF_INIT;
  assert_int_equal(decode("Transfer-Encoding: chunked\r\n", chunked, strlen(chunked), 1 << 20, &ch), 0);
  assert_int_equal(ch.n, 11);
  assert_memory_equal(ch.p, "hello world", 11);
  tt_buf_fini(&ch);
  /* an encoding we do not know, and a claimed encoding over plain bytes: clear errors */
  tt_buf br = TT_BUF_INIT;
  assert_int_equal(decode("Content-Encoding: br\r\n", "\x0b\x02\x80", 3, 1 << 20, &br), TT_EINVAL);
  assert_non_null(strstr(tt_error_last(), "unsupported Content-Encoding 'br'"));
  assert_int_equal(decode("Content-Encoding: gzip\r\n", text, strlen(text), 1 << 20, &br), TT_EINVAL);
  assert_non_null(strstr(tt_error_last(), "not compressed"));
  tt_buf_fini(&br);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(test_as_http11),
    cmocka_unit_test(test_decode_encodings),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
