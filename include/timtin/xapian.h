/* timtin: the Xapian shim — a C API over the parts of Xapian timtin uses.
 *
 * The implementation (xapian/shim.cc, library tt_xapian) is the project's only C++. Every entry
 * point catches every exception (Xapian::Error, std::bad_alloc, anything else) and turns it into
 * a negative TT_E* code plus a message in tt_error_last(); nothing is ever thrown into C.
 * Xapian is GPL-2.0-or-later and lives in its own library target; link tt_xapian only where
 * the Xapian backend or the benchmark needs it.
 *
 * Objects are opaque. Writers, documents, readers, queries and results are not thread-safe:
 * use one of each per thread (queries may be shared once built, they are immutable).
 *
 * TERM SCHEME (how analyzed text is written to Xapian; docs/benchmarks.md repeats it):
 *   folded         every token's folded form, positional (a query typed without diacritics
 *                  matches every diacritic variant). Unprefixed; our folded forms are lower-case,
 *                  so they never collide with Xapian's upper-case prefixes.
 *   "E" + exact    the exact form when it differs from the folded one (TT_TOKEN_FOLDED),
 *                  positional at the same position, for the exact-diacritic bonus and strict
 *                  mode. Tokens without diacritics have no E term (their exact form is the folded
 *                  one).
 *   "S" + folded   title tokens again, positional (Xapian's conventional title prefix) for
 *                  title: queries. Title tokens also add wdf (a caller-chosen weight, e.g. 2) to
 *                  the unprefixed folded term, the usual Xapian approximation of BM25F.
 *   "Q" + url      boolean unique id for replace-by-URL. URLs whose term would exceed Xapian's
 *                  245-byte limit become "Q#" + 16 hex digits of a 64-bit FNV-1a hash.
 *   value slot 0   the publication date, sortable_serialise(seconds since the epoch).
 * Terms longer than TT_XAP_MAX_TERM bytes are skipped by tt_xap_doc_add_tokens (counted in
 * its return value) and refused with TT_EINVAL by the single-term functions: Xapian itself
 * would only fail at the next flush and poison the whole batch. */
#ifndef TIMTIN_XAPIAN_H
#define TIMTIN_XAPIAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct tt_token; /* include/timtin/analyze.h */

#define TT_XAP_PREFIX_EXACT "E"
#define TT_XAP_PREFIX_TITLE "S"
#define TT_XAP_PREFIX_ID    "Q"
#define TT_XAP_MAX_TERM     245u /* bytes, prefix included (glass backend limit) */
#define TT_XAP_SLOT_DATE    0u

typedef struct tt_xap_writer  tt_xap_writer;
typedef struct tt_xap_doc     tt_xap_doc;
typedef struct tt_xap_reader  tt_xap_reader;
typedef struct tt_xap_query   tt_xap_query;
typedef struct tt_xap_results tt_xap_results;

/* ---------------------------------------------------------------------------------------- */
/* Writing                                                                                  */
/* ---------------------------------------------------------------------------------------- */

enum tt_xap_mode {
  TT_XAP_CREATE_OR_OVERWRITE = 0, /* default: start empty, replacing any database at path */
  TT_XAP_CREATE_OR_OPEN      = 1, /* add to an existing database, or create one */
  TT_XAP_CREATE              = 2, /* fail if a database exists */
  TT_XAP_OPEN                = 3  /* fail if none exists */
};

typedef struct tt_xap_writer_options {
  unsigned version;         /* TT_XAP_WRITER_OPTIONS_VERSION */
  int mode;                 /* enum tt_xap_mode */
  uint32_t flush_threshold; /* documents buffered between automatic flushes; 0 = Xapian's
                               default (XAPIAN_FLUSH_THRESHOLD from the environment, else 10000).
                               Xapian only reads this from the environment, so a non-zero value
                               is applied with setenv() during open: do not open writers from
                               several threads at once with different values. */
  int no_sync;              /* 1 = Xapian::DB_NO_SYNC (no fsync on commit; not crash-safe) */
} tt_xap_writer_options;

#define TT_XAP_WRITER_OPTIONS_VERSION 1
#define TT_XAP_WRITER_OPTIONS_INIT {TT_XAP_WRITER_OPTIONS_VERSION, TT_XAP_CREATE_OR_OVERWRITE, 0, 0}

/* Open a writable database at path (a directory). opts may be NULL for the defaults.
 * Returns 0, TT_ELOCKED (another writer holds it), TT_EIO / TT_ENOTFOUND (cannot create or
 * open), TT_EFORMAT (unsupported version), TT_EINVAL, TT_ENOMEM. *out is set only on success. */
int tt_xap_writer_open(tt_xap_writer **out, const char *path, const tt_xap_writer_options *opts);

/* Add d as a new document; *docid (may be NULL) receives its Xapian docid. */
int tt_xap_writer_add(tt_xap_writer *w, const tt_xap_doc *d, uint32_t *docid);

/* Add d, or replace the document carrying the same id term (set with tt_xap_doc_set_id).
 * TT_EINVAL if d has no id. */
int tt_xap_writer_replace(tt_xap_writer *w, const tt_xap_doc *d, uint32_t *docid);

/* Delete the document whose id (URL) is id; deleting an absent id is not an error. */
int tt_xap_writer_delete(tt_xap_writer *w, const char *id, size_t id_len);

/* Make every change so far durable and visible to readers that reopen. */
int tt_xap_writer_commit(tt_xap_writer *w);

/* Documents in the database, pending changes included. */
int tt_xap_writer_doccount(tt_xap_writer *w, uint64_t *out);

/* Commit (unless an earlier error poisoned the writer), release the lock and free w.
 * Returns the commit's result; w is freed in every case. NULL is a no-op returning 0. */
int tt_xap_writer_close(tt_xap_writer *w);

/* Documents: built in memory, then handed to the writer (which copies them), so one
 * tt_xap_doc can be reset and reused for every article. */
int  tt_xap_doc_new(tt_xap_doc **out);
void tt_xap_doc_free(tt_xap_doc *d);  /* NULL is a no-op */
void tt_xap_doc_reset(tt_xap_doc *d); /* remove every term, value, the data and the id */

/* One occurrence of term (len bytes, any bytes but not empty) at position pos; the term's wdf
 * grows by wdf_inc. TT_EINVAL for an empty term or one over TT_XAP_MAX_TERM bytes. */
int tt_xap_doc_add_posting(tt_xap_doc *d, const char *term, size_t len, uint32_t pos, uint32_t wdf_inc);
/* A term without position. */
int tt_xap_doc_add_term(tt_xap_doc *d, const char *term, size_t len, uint32_t wdf_inc);
/* A boolean (filter) term: wdf 0, no position, no effect on the document length. */
int tt_xap_doc_add_boolean_term(tt_xap_doc *d, const char *term, size_t len);
/* The document's data (opaque bytes returned with each hit). */
int tt_xap_doc_set_data(tt_xap_doc *d, const void *data, size_t len);
/* A value in slot (bytes), and a number stored with Xapian::sortable_serialise. */
int tt_xap_doc_add_value(tt_xap_doc *d, uint32_t slot, const void *bytes, size_t len);
int tt_xap_doc_add_value_number(tt_xap_doc *d, uint32_t slot, double v);

/* The unique id (normally the URL): adds the "Q" term and remembers it for _writer_replace. */
int tt_xap_doc_set_id(tt_xap_doc *d, const char *id, size_t id_len);

/* Write the id term of id into out (cap bytes, NUL-terminated); returns its length or
 * TT_EINVAL if cap is too small (TT_XAP_MAX_TERM + 1 is always enough). */
int tt_xap_id_term(const char *id, size_t id_len, char *out, size_t cap);

enum tt_xap_field {
  TT_XAP_FIELD_BODY  = 0, /* folded + E terms */
  TT_XAP_FIELD_TITLE = 1  /* folded + E terms, plus S terms */
};

/* Index analyzed tokens by the term scheme above. Unprefixed folded terms and E terms get
 * wdf_inc per occurrence (use > 1 to weight the title); S terms get 1. Positions are taken
 * from the tokens (analyze the title and body with first_pos values that do not overlap).
 * Returns the number of tokens skipped for being too long (>= 0), or a negative TT_E* code. */
int tt_xap_doc_add_tokens(tt_xap_doc *d, const struct tt_token *toks, size_t n, int field,
                          uint32_t wdf_inc);

/* ---------------------------------------------------------------------------------------- */
/* Reading                                                                                  */
/* ---------------------------------------------------------------------------------------- */

/* Open n >= 1 databases (shards) and search them as one. Returns 0, TT_ENOTFOUND (no database
 * at a path), TT_EFORMAT, TT_ECORRUPT, TT_EIO, TT_EINVAL (n == 0, NULL path), TT_ENOMEM. */
int tt_xap_reader_open(tt_xap_reader **out, const char *const *paths, size_t n);

/* Add a shard served by xapian-tcpsrv at host:port (timeout_ms for connect and each call;
 * 0 = 10 s). Shards added this way are searched together with the local ones. */
int tt_xap_reader_add_remote(tt_xap_reader *r, const char *host, unsigned port, unsigned timeout_ms);

/* Move to the latest committed revision of every shard. */
int tt_xap_reader_reopen(tt_xap_reader *r);

/* Documents over all shards. */
int tt_xap_reader_doccount(tt_xap_reader *r, uint64_t *out);

void tt_xap_reader_close(tt_xap_reader *r); /* NULL is a no-op */

/* ---------------------------------------------------------------------------------------- */
/* Queries: a tree built bottom-up. Every constructor copies what it is given (Xapian queries
 * share their nodes by reference count), so each handle is freed on its own, in any order.  */
/* ---------------------------------------------------------------------------------------- */

enum tt_xap_op {
  TT_XAP_OP_AND       = 0, /* all subqueries */
  TT_XAP_OP_OR        = 1, /* any subquery */
  TT_XAP_OP_AND_NOT   = 2, /* the first, and none of the others */
  TT_XAP_OP_AND_MAYBE = 3, /* the first; the others only add weight */
  TT_XAP_OP_PHRASE    = 4, /* terms in order within window positions (0 = number of terms) */
  TT_XAP_OP_NEAR      = 5, /* terms in any order within window positions (0 = number of terms) */
  TT_XAP_OP_FILTER    = 6, /* the first, restricted to the others, which add no weight */
  TT_XAP_OP_SYNONYM   = 7  /* like OR, weighted as if it were one term */
};

/* A term leaf. wqf: within-query frequency (0 is treated as 1); pos: query position (0 if
 * unknown). TT_EINVAL for a term over TT_XAP_MAX_TERM bytes; the empty term matches all. */
int tt_xap_query_term(tt_xap_query **out, const char *term, size_t len, uint32_t wqf, uint32_t pos);

/* Combine n >= 1 subqueries with op (enum tt_xap_op); window for PHRASE and NEAR only. */
int tt_xap_query_combine(tt_xap_query **out, int op, tt_xap_query *const *subs, size_t n,
                         uint32_t window);

/* Multiply sub's weight by factor (>= 0; 0 makes it purely boolean). */
int tt_xap_query_scale(tt_xap_query **out, const tt_xap_query *sub, double factor);

/* Xapian's description of q ("Query((a AND b))"), truncated to cap bytes with a NUL; returns
 * the untruncated length or a negative code. For tests and --explain output. */
int tt_xap_query_describe(const tt_xap_query *q, char *buf, size_t cap);

void tt_xap_query_free(tt_xap_query *q); /* NULL is a no-op */

/* ---------------------------------------------------------------------------------------- */
/* Searching                                                                                */
/* ---------------------------------------------------------------------------------------- */

#define TT_XAP_SEARCH_EXACT_COUNT 1u /* check every match: the count is exact (check_at_least
                                        = doccount); slower, disables early termination */
#define TT_XAP_SEARCH_NO_DATA     2u /* do not fetch the hits' document data */

typedef struct tt_xap_search_options {
  unsigned version;      /* TT_XAP_SEARCH_OPTIONS_VERSION */
  double k1, k2, k3, b;  /* Xapian::BM25Weight parameters, always set explicitly */
  double min_normlen;
  uint32_t offset;       /* hits to skip */
  uint32_t limit;        /* hits to return */
  uint32_t check_at_least; /* matches to examine at least (0 = Xapian's default); overridden
                              by TT_XAP_SEARCH_EXACT_COUNT */
  unsigned flags;        /* TT_XAP_SEARCH_* */
} tt_xap_search_options;

#define TT_XAP_SEARCH_OPTIONS_VERSION 1
/* k1 = 1.2, b = 0.75: the textbook BM25 values (SQLite FTS5 hard-codes the same); k2 = 0 and
 * k3 = 1 as Xapian recommends; min_normlen = 0.5 (Xapian's default). */
#define TT_XAP_SEARCH_OPTIONS_INIT \
  {TT_XAP_SEARCH_OPTIONS_VERSION, 1.2, 0.0, 1.0, 0.75, 0.5, 0, 10, 0, 0}

typedef struct tt_xap_hit {
  uint32_t docid;     /* Xapian docid (interleaved over shards) */
  double weight;      /* BM25 score */
  const char *data;   /* document data (NULL with TT_XAP_SEARCH_NO_DATA); owned by the results */
  size_t data_len;
} tt_xap_hit;

/* Run q on r. opts may be NULL (TT_XAP_SEARCH_OPTIONS_INIT). The results hold everything they
 * report (hits, data, counts): reading them never fails or touches the database. */
int tt_xap_search(tt_xap_results **out, tt_xap_reader *r, const tt_xap_query *q,
                  const tt_xap_search_options *opts);

size_t tt_xap_results_size(const tt_xap_results *res); /* hits returned (<= limit) */

/* Hit i (0 <= i < size); the pointers live as long as res. TT_EINVAL if i is out of range. */
int tt_xap_results_hit(const tt_xap_results *res, size_t i, tt_xap_hit *out);

/* Match count: lower bound, estimate, upper bound (equal when exact; any may be NULL).
 * Returns 1 if the count is exact, 0 if estimated. */
int tt_xap_results_count(const tt_xap_results *res, uint64_t *lower, uint64_t *estimated,
                         uint64_t *upper);

void tt_xap_results_free(tt_xap_results *res); /* NULL is a no-op */

/* Xapian's version string ("1.4.22"), for benchmark reports. */
const char *tt_xap_version(void);

#ifdef __cplusplus
}
#endif

#endif
