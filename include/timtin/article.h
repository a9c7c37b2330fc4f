/* timtin: articles, the unit that is indexed, and the readers that produce them.
 *
 * Article JSONL is one JSON object a line: url, title, published (ISO 8601), source, body,
 * optional id. Readers accept JSONL, JSONL.gz, a folder of .txt/.html files (recursively), a
 * single .txt file, or "-" for standard input. */
#ifndef TIMTIN_ARTICLE_H
#define TIMTIN_ARTICLE_H

#include <stddef.h>
#include <stdint.h>

#define TT_DATE_UNKNOWN INT64_MIN

typedef struct tt_article {
  const char *url;     size_t url_len;
  const char *title;   size_t title_len;
  const char *source;  size_t source_len;
  const char *body;    size_t body_len;
  const char *id;      size_t id_len;      /* may be empty */
  int64_t published;   /* seconds since the epoch (UTC), or TT_DATE_UNKNOWN */
} tt_article;

typedef struct tt_article_reader tt_article_reader;

/* Open a reader over path ("-" = stdin). Returns 0 or TT_EIO / TT_EINVAL with a message. */
int tt_article_reader_open(tt_article_reader **out, const char *path);
void tt_article_reader_close(tt_article_reader *r);  /* NULL is a no-op */

/* Open a reader over len bytes in memory, which must stay valid until the reader is closed.
 * name is used in messages and chooses the format as a file name would (".jsonl", ".jsonl.gz",
 * ".txt", ".html"); any other name lets the content decide (gzip magic or '{' = JSONL,
 * '<' = HTML). Returns 0 or TT_EINVAL / TT_ENOMEM with a message. */
int tt_article_reader_open_mem(tt_article_reader **out, const void *data, size_t len, const char *name);

/* Read the next article into *out (strings owned by the reader, valid until the next call).
 * Returns 0 for an article, TT_ITEROVER at the end, TT_EINVAL for a record that was skipped
 * (malformed JSON, missing url or body...; tt_error_last() names the file and line: the caller
 * reports it and calls again), or TT_EIO for an unrecoverable read error. */
int tt_article_reader_next(tt_article_reader *r, tt_article *out);

/* Bytes of input consumed so far and total size when known (else 0), for progress lines. */
uint64_t tt_article_reader_offset(const tt_article_reader *r);
uint64_t tt_article_reader_size(const tt_article_reader *r);

/* Parse an ISO 8601 date or date-time ("2024-06-12", "2024-06-12T12:45:00+07:00", "...Z").
 * A date-time without a zone is taken as Vietnam time (UTC+7). Returns 0 and sets *out, or
 * TT_EINVAL for anything else or a year outside 1900..2200. */
int tt_parse_date(const char *s, size_t len, int64_t *out);

/* Format t as "YYYY-MM-DDTHH:MM:SS+07:00" (Vietnam time) into out (at least 32 bytes);
 * TT_DATE_UNKNOWN gives "". */
void tt_format_date(int64_t t, char *out, size_t cap);

#endif
