/* Byte input for the article readers (articles/stream.h): raw bytes from a file or memory,
 * an optional inflate layer, and a line splitter that hands out lines without copying them
 * when they lie inside one chunk. */
#include "articles/stream.h"

#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>

#include "common/alloc.h"
#include "common/error.h"

static int fail(tt_articles_stream *s, int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 3, 4)))
#endif
  ;

static int fail(tt_articles_stream *s, int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->err, sizeof s->err, fmt, ap);
  va_end(ap);
  s->done = 1;
  return code;
}

int tt_articles__stream_open_file(tt_articles_stream *s, const char *path)
{
  memset(s, 0, sizeof *s);
  if (!strcmp(path, "-")) {
    s->fp = stdin;
  } else {
    s->fp = fopen(path, "rb");
    if (!s->fp) return fail(s, TT_EIO, "%s", strerror(errno));
    s->own_fp = 1;
  }
  struct stat st;
  if (fstat(fileno(s->fp), &st) == 0 && S_ISREG(st.st_mode)) s->size = (uint64_t)st.st_size;
  s->rbuf = tt_malloc(TT_STREAM_RAW_CHUNK);
  if (!s->rbuf) return fail(s, TT_ENOMEM, "out of memory");
  s->raw = s->rbuf;
  s->done = 0;
  return 0;
}

int tt_articles__stream_open_mem(tt_articles_stream *s, const void *data, size_t len)
{
  memset(s, 0, sizeof *s);
  s->raw = data ? data : (const unsigned char *)"";
  s->rlen = data ? len : 0;
  s->raw_eof = 1;
  s->size = s->rlen;
  return 0;
}

void tt_articles__stream_close(tt_articles_stream *s)
{
  if (s->own_fp && s->fp) fclose(s->fp);
  s->fp = NULL;
  s->own_fp = 0;
  if (s->z_ready) inflateEnd(&s->z);
  s->z_ready = 0;
  tt_free(s->rbuf);
  tt_free(s->obuf);
  s->rbuf = s->obuf = NULL;
  tt_buf_fini(&s->line);
  s->done = 1;
}

/* Refill the raw buffer once it is used up. Leaves rpos == rlen at the end of the input. */
static int fill(tt_articles_stream *s)
{
  if (s->rpos < s->rlen || s->raw_eof || !s->fp) return 0;
  s->raw_base += s->rlen;
  s->rpos = s->rlen = 0;
  size_t k = fread(s->rbuf, 1, TT_STREAM_RAW_CHUNK, s->fp);
  if (k == 0) {
    if (ferror(s->fp)) return fail(s, TT_EIO, "read error: %s", strerror(errno));
    s->raw_eof = 1;
  }
  s->rlen = k;
  return 0;
}

int tt_articles__stream_peek(tt_articles_stream *s, const unsigned char **p, size_t *n)
{
  int rc = fill(s);
  if (rc) return rc;
  *p = s->raw + s->rpos;
  *n = s->rlen - s->rpos;
  return 0;
}

int tt_articles__stream_detect_gzip(tt_articles_stream *s)
{
  const unsigned char *p;
  size_t n;
  int rc = tt_articles__stream_peek(s, &p, &n);
  if (rc) return rc;
  if (n < 2 || p[0] != 0x1f || p[1] != 0x8b) return 0;
  s->obuf = tt_malloc(TT_STREAM_OUT_CHUNK);
  if (!s->obuf) return fail(s, TT_ENOMEM, "out of memory");
  if (inflateInit2(&s->z, 15 + 16) != Z_OK) return fail(s, TT_ENOMEM, "cannot start zlib");
  s->z_ready = 1;
  s->gz = 1;
  return 0;
}

static int gz_chunk(tt_articles_stream *s, const unsigned char **p, size_t *n)
{
  int rc;
  for (;;) {
    if (s->done) return 0;
    if (s->member_end) {                 /* another member, the end, or garbage */
      if ((rc = fill(s))) return rc;
      if (s->rpos == s->rlen) { s->done = 1; return 0; }
      if (s->raw[s->rpos] != 0x1f)
        return fail(s, TT_EINVAL, "trailing garbage after the gzip data at byte %llu",
                    (unsigned long long)tt_articles__stream_offset(s));
      if (inflateReset(&s->z) != Z_OK) return fail(s, TT_EINVAL, "zlib reset failed");
      s->member_end = 0;
    }
    if ((rc = fill(s))) return rc;
    if (s->rpos == s->rlen)
      return fail(s, TT_EINVAL, "truncated gzip data (input ends at byte %llu)",
                  (unsigned long long)tt_articles__stream_offset(s));
    size_t avail = s->rlen - s->rpos;
    if (avail > (1u << 30)) avail = 1u << 30;     /* uInt is 32 bits; memory inputs may be larger */
    s->z.next_in = (Bytef *)(uintptr_t)(s->raw + s->rpos);
    s->z.avail_in = (uInt)avail;
    s->z.next_out = s->obuf;
    s->z.avail_out = TT_STREAM_OUT_CHUNK;
    int zr = inflate(&s->z, Z_NO_FLUSH);
    s->rpos += avail - s->z.avail_in;
    size_t produced = TT_STREAM_OUT_CHUNK - s->z.avail_out;
    if (zr == Z_STREAM_END) {
      s->member_end = 1;
    } else if (zr != Z_OK && zr != Z_BUF_ERROR) {
      return fail(s, TT_EINVAL, "corrupt gzip data near byte %llu (%s)",
                  (unsigned long long)tt_articles__stream_offset(s), s->z.msg ? s->z.msg : "inflate failed");
    }
    if (produced) {
      *p = s->obuf;
      *n = produced;
      return 0;
    }
  }
}

int tt_articles__stream_chunk(tt_articles_stream *s, const unsigned char **p, size_t *n)
{
  *n = 0;
  *p = NULL;
  if (s->done) return 0;
  if (s->gz) return gz_chunk(s, p, n);
  int rc = fill(s);
  if (rc) return rc;
  if (s->rpos == s->rlen) { s->done = 1; return 0; }
  *p = s->raw + s->rpos;
  *n = s->rlen - s->rpos;
  s->rpos = s->rlen;
  return 0;
}

int tt_articles__stream_line(tt_articles_stream *s, size_t cap, const unsigned char **p, size_t *n)
{
  /* Do not keep a huge buffer alive because of one huge line. */
  if (s->line.cap > ((size_t)16 << 20)) tt_buf_fini(&s->line);
  tt_buf_reset(&s->line);
  size_t total = 0;       /* line length so far, also while skipping a line over cap */
  int any = 0;            /* saw at least one byte of this line */
  for (;;) {
    if (s->cpos == s->clen) {
      int rc = tt_articles__stream_chunk(s, &s->cp, &s->clen);
      s->cpos = 0;
      if (rc) { s->clen = 0; return rc; }
      if (s->clen == 0) {
        if (!any) return 0;
        break;                            /* last line without a newline */
      }
    }
    const unsigned char *start = s->cp + s->cpos;
    size_t avail = s->clen - s->cpos;
    const unsigned char *nl = memchr(start, '\n', avail);
    size_t seg = nl ? (size_t)(nl - start) : avail;
    s->cpos += seg + (nl != NULL);
    any = 1;
    if (nl && total == 0) {               /* the common case: the whole line in this chunk */
      *p = start;
      *n = seg;
      if (seg > cap) { *p = NULL; return 2; }
      return 1;
    }
    if (total + seg <= cap) {
      if (tt_buf_append(&s->line, start, seg)) return TT_ENOMEM;
    } else if (s->line.p) {
      tt_buf_fini(&s->line);             /* over the cap: stop keeping it */
    }
    total += seg;
    if (nl) break;
  }
  *n = total;
  if (total > cap) { *p = NULL; return 2; }
  *p = (const unsigned char *)(s->line.p ? s->line.p : "");
  return 1;
}
