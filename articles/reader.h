/* Internal interface of the article readers: the per-document parsers (.txt in
 * articles/text.c, .html in articles/html.c) fill a tt_article_doc that articles/reader.c
 * owns and hands out as a tt_article. */
#ifndef TT_ARTICLES_READER_H
#define TT_ARTICLES_READER_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "timtin/article.h"

#define TT_READER_LINE_CAP  ((size_t)256 << 20)   /* longest JSONL line read; longer = skipped */
#define TT_READER_FILE_CAP  ((size_t)256 << 20)   /* largest .txt/.html file read */
#define TT_HTML_MAX_DEPTH   1024                   /* deeper pages are refused (see html.c) */

/* An article whose strings the reader owns (every buffer NUL-terminated). */
typedef struct tt_article_doc {
  tt_buf url;          /* set by the parser when the document names itself (canonical link) */
  tt_buf title;
  tt_buf source;       /* set by the parser when the document names its site */
  tt_buf body;
  int64_t published;   /* TT_DATE_UNKNOWN unless the parser finds a date */
} tt_article_doc;

/* Parse a plain-text article: the first non-blank line is the title, a display date
 * (tt_articles__parse_display_date) on one of the next few non-blank lines is the date, and the rest is
 * the body, verbatim except that "\r\n" becomes "\n", a line holding only the date is dropped,
 * and blank lines at either end are trimmed. Bytes are kept as they are (invalid UTF-8 and NUL
 * included). Returns 0, or TT_EINVAL ("no text") for a file without a non-blank line. */
int tt_articles__parse_txt(const char *data, size_t len, tt_article_doc *doc);

/* Parse an HTML page with gumbo: title, date, canonical URL, site name and visible body text
 * (docs/articles.md). Returns 0, TT_EINVAL for a page nested too deeply, or TT_ENOMEM. */
int tt_articles__parse_html(const char *data, size_t len, tt_article_doc *doc);

/* Tests only: change the line cap (TT_READER_LINE_CAP) of an open reader and its sub-readers. */
void tt_article_reader__set_line_cap(tt_article_reader *r, size_t cap);

#endif
