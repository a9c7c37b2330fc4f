/* Byte input for the article readers: a file, standard input or a caller's memory block,
 * optionally gunzipped on the fly, read as chunks or as lines.
 *
 * One code path serves all three sources, so the fuzz target (memory) exercises exactly what
 * `timtin index x.jsonl.gz` runs. Gzip is recognized by its magic bytes, not by the file name;
 * concatenated members (`cat a.gz b.gz`) are read as one stream, as gzip(1) does. Offsets count
 * input bytes (compressed bytes for gzip), which is what progress lines want. */
#ifndef TT_ARTICLES_STREAM_H
#define TT_ARTICLES_STREAM_H

#include <stdint.h>
#include <stdio.h>
#include <zlib.h>

#include "common/buf.h"

#define TT_STREAM_RAW_CHUNK  (256u << 10)     /* bytes read from a file at a time */
#define TT_STREAM_OUT_CHUNK  (256u << 10)     /* bytes inflated at a time */

typedef struct tt_articles_stream {
  FILE *fp;                   /* file or stdin; NULL for memory */
  int own_fp;                 /* fclose at the end (not stdin) */
  unsigned char *rbuf;        /* file read buffer (TT_STREAM_RAW_CHUNK bytes) */
  const unsigned char *raw;   /* raw bytes: rbuf, or the caller's memory block */
  size_t rpos, rlen;          /* unread raw bytes are raw[rpos..rlen) */
  int raw_eof;                /* nothing follows raw[rlen) */
  uint64_t raw_base;          /* input offset of raw[0] */
  uint64_t size;              /* input size when known, else 0 */
  int gz;                     /* gunzip (set by tt_articles__stream_detect_gzip) */
  int z_ready;                /* inflateInit2 done */
  int member_end;             /* a gzip member just ended: another may follow */
  z_stream z;
  unsigned char *obuf;        /* inflated bytes (TT_STREAM_OUT_CHUNK) */
  int done;                   /* end of the decoded stream, or an error was returned */
  char err[200];              /* message of the last error (without the file name) */
  /* line reader state */
  const unsigned char *cp;    /* current chunk */
  size_t cpos, clen;
  tt_buf line;                /* a line spanning chunks is assembled here */
} tt_articles_stream;

/* Open path ("-" = standard input). Returns 0 or TT_EIO / TT_ENOMEM (message in s->err). */
int tt_articles__stream_open_file(tt_articles_stream *s, const char *path);

/* Read the len bytes at data, which must stay valid until tt_articles__stream_close. */
int tt_articles__stream_open_mem(tt_articles_stream *s, const void *data, size_t len);

void tt_articles__stream_close(tt_articles_stream *s);   /* safe on a zeroed or closed stream */

/* Look at the first buffered raw bytes without consuming them (for format sniffing). *p and
 * *n describe up to one raw chunk; *n is 0 for an empty input. Returns 0 or TT_EIO. */
int tt_articles__stream_peek(tt_articles_stream *s, const unsigned char **p, size_t *n);

/* Switch to gunzip mode if the input starts with the gzip magic. Returns 0 or TT_ENOMEM. */
int tt_articles__stream_detect_gzip(tt_articles_stream *s);

/* Next chunk of decoded bytes: *p valid until the next call; *n == 0 at the end. Returns 0,
 * TT_EIO (read error) or TT_EINVAL (corrupt, truncated or trailing garbage in gzip data); after
 * an error the stream is over. */
int tt_articles__stream_chunk(tt_articles_stream *s, const unsigned char **p, size_t *n);

/* Next line without its "\n" (a trailing "\r" is kept: callers decide). The last line needs no
 * newline. Returns 1 with *p, *n set (valid until the next call), 0 at the end, TT_EIO /
 * TT_EINVAL as tt_articles__stream_chunk, or TT_ENOMEM. A line longer than cap bytes is consumed to its
 * end and returned as 2 with *n = its length and *p = NULL. */
int tt_articles__stream_line(tt_articles_stream *s, size_t cap, const unsigned char **p, size_t *n);

/* Input bytes consumed so far. */
static inline uint64_t tt_articles__stream_offset(const tt_articles_stream *s) { return s->raw_base + s->rpos; }

#endif
