/* timtin: the crawler stage — WARC files, HTML article extraction, and the polite crawler.
 *
 *   crawl ──► WARC.gz ──► extract ──► articles (JSONL)
 *
 * Three independent parts, each usable on its own:
 * - tt_warc_writer / tt_warc_reader: WARC/1.1 files, one gzip member per record.
 * - tt_extract_html / tt_warc_articles: the main text and metadata of a news page.
 * - tt_crawl_run: fetch a site politely (robots.txt, delays) into WARC files in a folder.
 * docs/crawler.md describes the formats and the decisions behind them. */
#ifndef TIMTIN_CRAWL_H
#define TIMTIN_CRAWL_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/article.h"

/* ================================================================== WARC */

typedef struct tt_warc_writer tt_warc_writer;

typedef struct tt_warc_writer_options {
  unsigned version;          /* TT_WARC_WRITER_OPTIONS_VERSION */
  const char *prefix;        /* file name prefix; NULL = "timtin" */
  uint64_t max_file_bytes;   /* rotate to a new file past this size; 0 = 1 GB */
  int sync;                  /* 1 = fsync after every record (default), 0 = only at close */
  const char *software;      /* for the warcinfo record; NULL = "timtin" */
} tt_warc_writer_options;

#define TT_WARC_WRITER_OPTIONS_VERSION 1
#define TT_WARC_WRITER_OPTIONS_INIT {TT_WARC_WRITER_OPTIONS_VERSION, NULL, 0, 1, NULL}

/* Open a writer that creates files DIR/<prefix>-<YYYYmmddHHMMSS>-<seq>.warc.gz, never
 * overwriting an existing file (a resumed crawl starts a new file). opts may be NULL.
 * Returns 0 or TT_EIO / TT_EINVAL / TT_ENOMEM with a message. */
int tt_warc_writer_open(tt_warc_writer **out, const char *dir, const tt_warc_writer_options *opts);

/* Write one HTTP exchange as a request record and a response record (WARC-Concurrent-To
 * links them). request / response are the raw HTTP bytes (request line + headers; status
 * line + headers + body). uri is the target URI, ip the server address (may be NULL),
 * protocol the HTTP version used as its ALPN name ("http/1.1", "h2"), written to both records
 * as WARC-Protocol (NULL or "" = no such field), t the fetch time in microseconds since the
 * epoch. The two records are durable when this returns
 * (with sync = 1). Returns 0, or TT_EIO (the file is truncated back so no torn record stays,
 * and the writer is poisoned: every later call fails). */
int tt_warc_writer_write_exchange(tt_warc_writer *w, const char *uri, const char *ip, const char *protocol, int64_t t,
                                  const void *request, size_t request_len,
                                  const void *response, size_t response_len);

/* Write one record of any type with the given content type and block (used by tests and for
 * resource/metadata records). uri may be NULL. */
int tt_warc_writer_write_record(tt_warc_writer *w, const char *type, const char *uri, int64_t t,
                                const char *content_type, const void *block, size_t block_len);

/* Path of the file being written (borrowed, valid until the next write or close). */
const char *tt_warc_writer_path(const tt_warc_writer *w);
/* Bytes written over all files, and the number of records. */
uint64_t tt_warc_writer_bytes(const tt_warc_writer *w);
uint64_t tt_warc_writer_records(const tt_warc_writer *w);

/* Sync and close. Returns 0 or TT_EIO (or the poisoned writer's first error). NULL is a no-op. */
int tt_warc_writer_close(tt_warc_writer *w);

typedef struct tt_warc_record {
  const char *type;         size_t type_len;        /* WARC-Type: "response", "request"... */
  const char *target_uri;   size_t target_uri_len;  /* "" when absent */
  const char *date;         size_t date_len;        /* WARC-Date as written */
  const char *record_id;    size_t record_id_len;
  const char *headers;      size_t headers_len;     /* all WARC header lines, CRLF separated */
  const unsigned char *block; size_t block_len;     /* the content block */
  uint64_t offset;          /* offset in the (compressed) file where the record's member starts */
} tt_warc_record;

typedef struct tt_warc_reader tt_warc_reader;

/* Open a reader over a .warc.gz (any number of gzip members, a record may span members) or an
 * uncompressed .warc. Returns 0 or TT_EIO with a message. */
int tt_warc_reader_open(tt_warc_reader **out, const char *path);
/* The same over len bytes in memory (valid until close); name is used in messages. */
int tt_warc_reader_open_mem(tt_warc_reader **out, const void *data, size_t len, const char *name);

/* Next record into *out (strings point into the reader, valid until the next call).
 * Returns 0, TT_ITEROVER at the end, or TT_ECORRUPT when the input is damaged: the message
 * names the file and offset. A damaged or truncated last record (a crash while writing) is
 * reported once as TT_ECORRUPT with "torn record" in the message; the next call returns
 * TT_ITEROVER. Damage before the end also stops the reader (later records are not trusted). */
int tt_warc_reader_next(tt_warc_reader *r, tt_warc_record *out);

/* Value of a WARC header of rec (case-insensitive name), or NULL; *len gets its length. */
const char *tt_warc_record_header(const tt_warc_record *rec, const char *name, size_t *len);

void tt_warc_reader_close(tt_warc_reader *r);  /* NULL is a no-op */

/* SHA-1 of data as "sha1:" + 32 base32 characters (out: at least 38 bytes). */
void tt_warc_sha1_base32(const void *data, size_t len, char *out);

/* ================================================================== extraction */

typedef struct tt_extracted {
  char *title;            /* "" when none */
  char *body;             /* main text, paragraphs separated by "\n\n"; "" when none */
  char *source;           /* og:site_name, else the host */
  char *canonical;        /* canonical URL, else the page URL */
  int64_t published;      /* seconds since the epoch, or TT_DATE_UNKNOWN */
  int is_listing;         /* 1 = a listing page (headlines + teasers), not an article */
  char **links;           /* absolute, normalized http(s) links in document order */
  size_t nlinks;
  char **feeds;           /* RSS/Atom feeds declared with <link rel=alternate> */
  size_t nfeeds;
  char charset[32];       /* the charset the page was decoded from, e.g. "utf-8", "windows-1258" */
} tt_extracted;

typedef struct tt_extract_options {
  unsigned version;             /* TT_EXTRACT_OPTIONS_VERSION */
  const char *content_type;     /* the HTTP Content-Type (for its charset), may be NULL */
  int64_t fetch_time;           /* seconds since the epoch: year for dates without one; 0 = now */
  int want_links;               /* 1 = fill links/feeds */
} tt_extract_options;

#define TT_EXTRACT_OPTIONS_VERSION 1
#define TT_EXTRACT_OPTIONS_INIT {TT_EXTRACT_OPTIONS_VERSION, NULL, 0, 0}

/* Extract metadata and main text from len bytes of HTML fetched from url. Any bytes are
 * accepted (legacy charsets are converted, invalid UTF-8 is replaced). Returns 0 and fills *out
 * (free with tt_extracted_fini), or TT_EINVAL (not HTML, too large, nested too deep) /
 * TT_ENOMEM with a message. */
int tt_extract_html(tt_extracted *out, const char *url, const void *html, size_t len,
                    const tt_extract_options *opts);
void tt_extracted_fini(tt_extracted *e);

/* Articles from WARC files: every 200 HTML response record that is an article (not a
 * listing), as tt_article. Near-duplicates (syndicated copies of one story) are detected with
 * simhash over word shingles; dup_of names the URL of the first copy seen (else ""). */
typedef struct tt_warc_articles tt_warc_articles;

int tt_warc_articles_open(tt_warc_articles **out, const char *path);
/* Next article (strings owned by the reader, valid until the next call); *dup_of may be NULL.
 * Returns 0, TT_ITEROVER, TT_EINVAL for a record that was skipped (message says why: the caller
 * may report it and call again), or TT_ECORRUPT for damaged input (reported once; then
 * TT_ITEROVER). */
int tt_warc_articles_next(tt_warc_articles *a, tt_article *out, const char **dup_of);
/* Continue with another file, keeping the near-duplicate state (so copies across files group). */
int tt_warc_articles_add_file(tt_warc_articles *a, const char *path);
void tt_warc_articles_close(tt_warc_articles *a);

/* ================================================================== crawl */

typedef enum tt_crawl_scope {
  TT_SCOPE_HOST = 0,     /* the seeds' hosts */
  TT_SCOPE_DOMAIN,       /* the seeds' registered domains (example.com.vn) */
  TT_SCOPE_PREFIX        /* URLs starting with a seed's folder */
} tt_crawl_scope;

typedef struct tt_crawl_options {
  unsigned version;            /* TT_CRAWL_OPTIONS_VERSION */
  const char *out_dir;         /* WARC files, frontier log; created if missing */
  const char *const *seeds;    /* start URLs */
  size_t nseeds;
  long max_pages;              /* stop after this many pages (all sessions); 0 = no limit */
  int max_depth;               /* link hops from a seed or sitemap; < 0 = no limit */
  long delay_ms;               /* between two requests to one host, and to one IP address once known
                                  (robots Crawl-delay wins when larger) */
  int concurrency;             /* transfers in flight (at most one per host) */
  tt_crawl_scope scope;
  const char *user_agent;
  int resume;                  /* continue the crawl recorded in out_dir */
  int recrawl;                 /* re-fetch every page of out_dir with conditional requests */
  long timeout_ms;             /* whole transfer */
  long connect_timeout_ms;
  int max_retries;             /* on network errors, 5xx and 429 */
  long retry_base_ms;          /* first backoff; doubles per retry (Retry-After wins) */
  long max_retry_after_ms;     /* cap on a server's Retry-After */
  long max_bytes;              /* per response */
  int max_redirects;           /* hops per chain */
  uint64_t warc_max_bytes;     /* WARC rotation size */
  int progress;                /* 1 = progress line on stderr */
  volatile int *stop;          /* set to non-zero (e.g. by a signal handler) to stop cleanly */
  /* version 2 */
  const char *cacert;          /* PEM file of CA certificates to trust for https; NULL = the system's */
  const char *const *resolve;  /* "HOST:PORT:ADDRESS" entries that bypass DNS (curl's --resolve) */
  size_t nresolve;
} tt_crawl_options;

#define TT_CRAWL_OPTIONS_VERSION 2
#define TT_CRAWL_OPTIONS_INIT {TT_CRAWL_OPTIONS_VERSION, NULL, NULL, 0, 0, -1, 1000, 4, \
  TT_SCOPE_HOST, "timtin/0.1 (+https://github.com/timtin)", 0, 0, 30000, 10000, 3, 1000, \
  60000, 16L << 20, 5, 1ull << 30, 0, NULL, NULL, NULL, 0}

typedef struct tt_crawl_stats {
  long requests;       /* HTTP requests answered (any status) */
  long pages;          /* HTML pages fetched with 200 */
  long errors;         /* transfers that failed for good */
  long retries;
  long robots_denied;       /* URLs a host's robots.txt disallows */
  long robots_unreachable;  /* URLs skipped: their host's robots.txt could not be fetched */
  long hosts_unreachable;   /* hosts whose robots.txt could not be fetched (after retries) */
  uint64_t bytes;
  long status[600];    /* responses by HTTP status */
  long net_errors;     /* timeouts, refused connections... (after retries) */
  long too_large, filtered, redirect_dropped, not_modified;
  long tls_errors;     /* https hosts whose certificate was not trusted (not retried) */
  long queued;         /* left in the frontier at the end */
  long http2;          /* of the requests answered, those answered over HTTP/2 (h2, negotiated by ALPN) */
} tt_crawl_stats;

/* Crawl. Returns 0 (also when stopped through opts->stop: the frontier in out_dir lets
 * --resume continue), or TT_EINVAL (bad option or seed, out_dir holds a crawl and neither resume
 * nor recrawl was asked) / TT_EIO / TT_ENOMEM with a message. stats may be NULL. */
int tt_crawl_run(const tt_crawl_options *opts, tt_crawl_stats *stats);

#endif
