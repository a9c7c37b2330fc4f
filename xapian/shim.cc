/* xapian/shim.cc: the C API of include/timtin/xapian.h over Xapian 1.4 (library tt_xapian).
 *
 * Owns the Xapian objects behind the opaque handles and the term scheme that writes analyzed
 * tokens to Xapian (described in the public header). Callers: the benchmark (bench_xapian) now,
 * the Xapian backend and sharding later.
 *
 * The rule of this file: no exception leaves it. Every extern "C" function runs its body
 * through guard(), which catches everything and maps it to a TT_E* code with a message naming
 * the operation (and the path, where there is one). Functions that cannot throw (accessors on
 * data copied out of Xapian) do not need it. */
extern "C" {
#include "timtin/analyze.h"
#include "timtin/errors.h"
}
#include "timtin/xapian.h"

#include <xapian.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <string>
#include <vector>

struct tt_xap_writer {
  Xapian::WritableDatabase db;
  std::string path;
  int rc = 0;              /* sticky: set by a database error; close then skips the commit */
  std::string first_error; /* message of the error that set rc */
};

struct tt_xap_doc {
  Xapian::Document doc;
  std::string id_term; /* empty until tt_xap_doc_set_id */
  std::string scratch; /* term buffer reused by tt_xap_doc_add_tokens */
};

struct tt_xap_reader {
  Xapian::Database db;
  std::string paths; /* for messages */
};

struct tt_xap_query {
  Xapian::Query q;
};

struct tt_xap_results {
  std::vector<uint32_t> docids;
  std::vector<double> weights;
  std::vector<std::string> data;
  bool has_data = false;
  uint64_t lower = 0, estimated = 0, upper = 0;
};

/* ---------------------------------------------------------------------------------------- */
/* Error mapping                                                                            */
/* ---------------------------------------------------------------------------------------- */

static int set_xapian_error(int code, const std::string &what, const Xapian::Error &e)
{
  std::string msg = what + ": Xapian " + e.get_type() + ": " + e.get_msg();
  if (!e.get_context().empty()) msg += " (" + e.get_context() + ")";
  const char *sys = e.get_error_string();
  if (sys && *sys) msg += std::string(": ") + sys;
  return tt_error_set(code, "%s", msg.c_str());
}

/* Called from a catch block: rethrow and classify. Never throws. */
static int map_current_exception(const std::string &what) noexcept
{
  try {
    try {
      throw;
    } catch (const Xapian::DatabaseLockError &e) {
      return set_xapian_error(TT_ELOCKED, what, e);
    } catch (const Xapian::DatabaseVersionError &e) {
      return set_xapian_error(TT_EFORMAT, what, e);
    } catch (const Xapian::DatabaseNotFoundError &e) {
      return set_xapian_error(TT_ENOTFOUND, what, e);
    } catch (const Xapian::DatabaseCorruptError &e) {
      return set_xapian_error(TT_ECORRUPT, what, e);
    } catch (const Xapian::DatabaseError &e) { /* opening, create, modified, closed... */
      return set_xapian_error(TT_EIO, what, e);
    } catch (const Xapian::DocNotFoundError &e) {
      return set_xapian_error(TT_ENOTFOUND, what, e);
    } catch (const Xapian::NetworkError &e) {
      return set_xapian_error(TT_EIO, what, e);
    } catch (const Xapian::QueryParserError &e) {
      return set_xapian_error(TT_ESYNTAX, what, e);
    } catch (const Xapian::InvalidArgumentError &e) {
      return set_xapian_error(TT_EINVAL, what, e);
    } catch (const Xapian::RangeError &e) {
      return set_xapian_error(TT_EINVAL, what, e);
    } catch (const Xapian::SerialisationError &e) {
      return set_xapian_error(TT_ECORRUPT, what, e);
    } catch (const Xapian::Error &e) {
      return set_xapian_error(TT_ERROR, what, e);
    } catch (const std::bad_alloc &) {
      return tt_error_set(TT_ENOMEM, "%s: out of memory", what.c_str());
    } catch (const std::exception &e) {
      return tt_error_set(TT_ERROR, "%s: %s", what.c_str(), e.what());
    } catch (...) {
      return tt_error_set(TT_ERROR, "%s: unknown C++ exception", what.c_str());
    }
  } catch (...) {
    /* building the message itself failed (std::string ran out of memory) */
    return tt_error_set(TT_ENOMEM, "xapian shim: out of memory while reporting an error");
  }
}

/* Run f() (returning int) with every exception mapped. `what` is built lazily by the caller
 * only when cheap; it names the operation. */
template <class F>
static int guard(const char *what, F &&f) noexcept
{
  try {
    return f();
  } catch (...) {
    return map_current_exception(what);
  }
}

template <class F>
static int guard_path(const char *what, const std::string &path, F &&f) noexcept
{
  try {
    return f();
  } catch (...) {
    std::string w;
    try {
      w = std::string(what) + " " + path;
    } catch (...) {
      w = what;
    }
    return map_current_exception(w);
  }
}

static int check_term(const char *fn, const char *term, size_t len)
{
  if (!term && len) return tt_error_set(TT_EINVAL, "%s: NULL term", fn);
  if (len > TT_XAP_MAX_TERM)
    return tt_error_set(TT_EINVAL, "%s: term of %zu bytes is over Xapian's limit of %u", fn, len,
                        TT_XAP_MAX_TERM);
  return 0;
}

/* ---------------------------------------------------------------------------------------- */
/* Writer                                                                                   */
/* ---------------------------------------------------------------------------------------- */

extern "C" int tt_xap_writer_open(tt_xap_writer **out, const char *path,
                                  const tt_xap_writer_options *opts)
{
  if (!out || !path || !*path) return tt_error_set(TT_EINVAL, "tt_xap_writer_open: no path");
  *out = nullptr;
  tt_xap_writer_options o = TT_XAP_WRITER_OPTIONS_INIT;
  if (opts) {
    if (opts->version != TT_XAP_WRITER_OPTIONS_VERSION)
      return tt_error_set(TT_EINVAL, "tt_xap_writer_open: options version %u, expected %u",
                          opts->version, TT_XAP_WRITER_OPTIONS_VERSION);
    o = *opts;
  }
  int action;
  switch (o.mode) {
  case TT_XAP_CREATE_OR_OVERWRITE: action = Xapian::DB_CREATE_OR_OVERWRITE; break;
  case TT_XAP_CREATE_OR_OPEN:      action = Xapian::DB_CREATE_OR_OPEN; break;
  case TT_XAP_CREATE:              action = Xapian::DB_CREATE; break;
  case TT_XAP_OPEN:                action = Xapian::DB_OPEN; break;
  default: return tt_error_set(TT_EINVAL, "tt_xap_writer_open: bad mode %d", o.mode);
  }
  if (o.no_sync) action |= Xapian::DB_NO_SYNC;
  return guard_path("open Xapian database for writing", path, [&]() -> int {
    /* Glass reads its flush threshold from the environment when the database is opened. */
    if (o.flush_threshold) {
      char v[16];
      snprintf(v, sizeof v, "%u", (unsigned)o.flush_threshold);
      setenv("XAPIAN_FLUSH_THRESHOLD", v, 1);
    }
    tt_xap_writer *w = new tt_xap_writer;
    try {
      w->path = path;
      w->db = Xapian::WritableDatabase(path, action);
    } catch (...) {
      delete w;
      throw;
    }
    *out = w;
    return 0;
  });
}

/* Record a database error on w so the writer is poisoned (practice 4: the first cause is kept). */
static int poison(tt_xap_writer *w, int rc)
{
  if (rc < 0 && rc != TT_EINVAL && w->rc == 0) {
    w->rc = rc;
    try {
      w->first_error = tt_error_last();
    } catch (...) {
    }
  }
  return rc;
}

static int check_poisoned(tt_xap_writer *w, const char *fn)
{
  if (w->rc)
    return tt_error_set(w->rc, "%s: writer for %s failed earlier: %s", fn, w->path.c_str(),
                        w->first_error.c_str());
  return 0;
}

extern "C" int tt_xap_writer_add(tt_xap_writer *w, const tt_xap_doc *d, uint32_t *docid)
{
  if (!w || !d) return tt_error_set(TT_EINVAL, "tt_xap_writer_add: NULL argument");
  if (int rc = check_poisoned(w, "tt_xap_writer_add")) return rc;
  return poison(w, guard_path("add document to", w->path, [&]() -> int {
    Xapian::docid id = w->db.add_document(d->doc);
    if (docid) *docid = id;
    return 0;
  }));
}

extern "C" int tt_xap_writer_replace(tt_xap_writer *w, const tt_xap_doc *d, uint32_t *docid)
{
  if (!w || !d) return tt_error_set(TT_EINVAL, "tt_xap_writer_replace: NULL argument");
  if (d->id_term.empty())
    return tt_error_set(TT_EINVAL, "tt_xap_writer_replace: document has no id (tt_xap_doc_set_id)");
  if (int rc = check_poisoned(w, "tt_xap_writer_replace")) return rc;
  return poison(w, guard_path("replace document in", w->path, [&]() -> int {
    Xapian::docid id = w->db.replace_document(d->id_term, d->doc);
    if (docid) *docid = id;
    return 0;
  }));
}

extern "C" int tt_xap_writer_delete(tt_xap_writer *w, const char *id, size_t id_len)
{
  if (!w || (!id && id_len)) return tt_error_set(TT_EINVAL, "tt_xap_writer_delete: NULL argument");
  if (int rc = check_poisoned(w, "tt_xap_writer_delete")) return rc;
  char term[TT_XAP_MAX_TERM + 1];
  int n = tt_xap_id_term(id, id_len, term, sizeof term);
  if (n < 0) return n;
  return poison(w, guard_path("delete document from", w->path, [&]() -> int {
    w->db.delete_document(std::string(term, (size_t)n));
    return 0;
  }));
}

extern "C" int tt_xap_writer_commit(tt_xap_writer *w)
{
  if (!w) return tt_error_set(TT_EINVAL, "tt_xap_writer_commit: NULL writer");
  if (int rc = check_poisoned(w, "tt_xap_writer_commit")) return rc;
  return poison(w, guard_path("commit", w->path, [&]() -> int {
    w->db.commit();
    return 0;
  }));
}

extern "C" int tt_xap_writer_doccount(tt_xap_writer *w, uint64_t *out)
{
  if (!w || !out) return tt_error_set(TT_EINVAL, "tt_xap_writer_doccount: NULL argument");
  return guard_path("count documents in", w->path, [&]() -> int {
    *out = w->db.get_doccount();
    return 0;
  });
}

extern "C" int tt_xap_writer_close(tt_xap_writer *w)
{
  if (!w) return 0;
  int rc = w->rc ? check_poisoned(w, "tt_xap_writer_close")
                 : guard_path("commit and close", w->path, [&]() -> int {
                     w->db.commit();
                     return 0;
                   });
  if (w->rc) {
    /* Poisoned: no explicit commit. Releasing the handle lets Xapian's destructor deal with
     * what is pending (it swallows its own errors); the caller already has the first error. */
    try {
      w->db = Xapian::WritableDatabase();
    } catch (...) {
    }
  } else {
    int rc2 = guard_path("close", w->path, [&]() -> int {
      w->db.close();
      return 0;
    });
    if (rc == 0) rc = rc2;
  }
  delete w;
  return rc;
}

/* ---------------------------------------------------------------------------------------- */
/* Documents                                                                                */
/* ---------------------------------------------------------------------------------------- */

extern "C" int tt_xap_doc_new(tt_xap_doc **out)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_xap_doc_new: NULL out");
  *out = nullptr;
  return guard("tt_xap_doc_new", [&]() -> int {
    *out = new tt_xap_doc;
    return 0;
  });
}

extern "C" void tt_xap_doc_free(tt_xap_doc *d) { delete d; }

extern "C" void tt_xap_doc_reset(tt_xap_doc *d)
{
  if (!d) return;
  /* Assigning a fresh Document cannot throw beyond bad_alloc of its small internal object;
   * keep the guarantee anyway. */
  guard("tt_xap_doc_reset", [&]() -> int {
    d->doc = Xapian::Document();
    d->id_term.clear();
    return 0;
  });
}

extern "C" int tt_xap_doc_add_posting(tt_xap_doc *d, const char *term, size_t len, uint32_t pos,
                                      uint32_t wdf_inc)
{
  if (!d) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_posting: NULL document");
  if (int rc = check_term("tt_xap_doc_add_posting", term, len)) return rc;
  if (!len) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_posting: empty term");
  return guard("tt_xap_doc_add_posting", [&]() -> int {
    d->doc.add_posting(std::string(term, len), pos, wdf_inc);
    return 0;
  });
}

extern "C" int tt_xap_doc_add_term(tt_xap_doc *d, const char *term, size_t len, uint32_t wdf_inc)
{
  if (!d) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_term: NULL document");
  if (int rc = check_term("tt_xap_doc_add_term", term, len)) return rc;
  if (!len) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_term: empty term");
  return guard("tt_xap_doc_add_term", [&]() -> int {
    d->doc.add_term(std::string(term, len), wdf_inc);
    return 0;
  });
}

extern "C" int tt_xap_doc_add_boolean_term(tt_xap_doc *d, const char *term, size_t len)
{
  if (!d) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_boolean_term: NULL document");
  if (int rc = check_term("tt_xap_doc_add_boolean_term", term, len)) return rc;
  if (!len) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_boolean_term: empty term");
  return guard("tt_xap_doc_add_boolean_term", [&]() -> int {
    d->doc.add_boolean_term(std::string(term, len));
    return 0;
  });
}

extern "C" int tt_xap_doc_set_data(tt_xap_doc *d, const void *data, size_t len)
{
  if (!d || (!data && len)) return tt_error_set(TT_EINVAL, "tt_xap_doc_set_data: NULL argument");
  return guard("tt_xap_doc_set_data", [&]() -> int {
    d->doc.set_data(std::string(static_cast<const char *>(data), len));
    return 0;
  });
}

extern "C" int tt_xap_doc_add_value(tt_xap_doc *d, uint32_t slot, const void *bytes, size_t len)
{
  if (!d || (!bytes && len)) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_value: NULL argument");
  if (slot == Xapian::BAD_VALUENO)
    return tt_error_set(TT_EINVAL, "tt_xap_doc_add_value: slot %u is reserved", slot);
  return guard("tt_xap_doc_add_value", [&]() -> int {
    d->doc.add_value(slot, std::string(static_cast<const char *>(bytes), len));
    return 0;
  });
}

extern "C" int tt_xap_doc_add_value_number(tt_xap_doc *d, uint32_t slot, double v)
{
  if (!d) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_value_number: NULL document");
  if (slot == Xapian::BAD_VALUENO)
    return tt_error_set(TT_EINVAL, "tt_xap_doc_add_value_number: slot %u is reserved", slot);
  return guard("tt_xap_doc_add_value_number", [&]() -> int {
    d->doc.add_value(slot, Xapian::sortable_serialise(v));
    return 0;
  });
}

/* 64-bit FNV-1a: stable across versions and platforms, enough to make long URLs unique. */
static uint64_t fnv1a64(const char *s, size_t n)
{
  uint64_t h = 0xcbf29ce484222325ull;
  for (size_t i = 0; i < n; i++) {
    h ^= (unsigned char)s[i];
    h *= 0x100000001b3ull;
  }
  return h;
}

extern "C" int tt_xap_id_term(const char *id, size_t id_len, char *out, size_t cap)
{
  if ((!id && id_len) || !out) return tt_error_set(TT_EINVAL, "tt_xap_id_term: NULL argument");
  if (!id_len) return tt_error_set(TT_EINVAL, "tt_xap_id_term: empty id");
  const size_t plen = sizeof TT_XAP_PREFIX_ID - 1;
  if (plen + id_len <= TT_XAP_MAX_TERM) {
    if (plen + id_len + 1 > cap) return tt_error_set(TT_EINVAL, "tt_xap_id_term: buffer too small");
    memcpy(out, TT_XAP_PREFIX_ID, plen);
    memcpy(out + plen, id, id_len);
    out[plen + id_len] = 0;
    return (int)(plen + id_len);
  }
  if (plen + 1 + 16 + 1 > cap) return tt_error_set(TT_EINVAL, "tt_xap_id_term: buffer too small");
  return snprintf(out, cap, "%s#%016llx", TT_XAP_PREFIX_ID,
                  (unsigned long long)fnv1a64(id, id_len));
}

extern "C" int tt_xap_doc_set_id(tt_xap_doc *d, const char *id, size_t id_len)
{
  if (!d) return tt_error_set(TT_EINVAL, "tt_xap_doc_set_id: NULL document");
  char term[TT_XAP_MAX_TERM + 1];
  int n = tt_xap_id_term(id, id_len, term, sizeof term);
  if (n < 0) return n;
  return guard("tt_xap_doc_set_id", [&]() -> int {
    if (!d->id_term.empty()) d->doc.remove_term(d->id_term);
    d->id_term.assign(term, (size_t)n);
    d->doc.add_boolean_term(d->id_term);
    return 0;
  });
}

extern "C" int tt_xap_doc_add_tokens(tt_xap_doc *d, const struct tt_token *toks, size_t n,
                                     int field, uint32_t wdf_inc)
{
  if (!d || (!toks && n)) return tt_error_set(TT_EINVAL, "tt_xap_doc_add_tokens: NULL argument");
  if (field != TT_XAP_FIELD_BODY && field != TT_XAP_FIELD_TITLE)
    return tt_error_set(TT_EINVAL, "tt_xap_doc_add_tokens: bad field %d", field);
  int skipped = 0;
  int rc = guard("tt_xap_doc_add_tokens", [&]() -> int {
    std::string &t = d->scratch;
    const size_t pe = sizeof TT_XAP_PREFIX_EXACT - 1, ps = sizeof TT_XAP_PREFIX_TITLE - 1;
    for (size_t i = 0; i < n; i++) {
      const tt_token &k = toks[i];
      if (k.folded_len == 0 || k.folded_len > TT_XAP_MAX_TERM - ps) {
        skipped++;
        continue;
      }
      t.assign(k.folded, k.folded_len);
      d->doc.add_posting(t, k.pos, wdf_inc);
      if (field == TT_XAP_FIELD_TITLE) {
        t.insert(0, TT_XAP_PREFIX_TITLE, ps);
        d->doc.add_posting(t, k.pos, 1);
      }
      if ((k.flags & TT_TOKEN_FOLDED) && k.exact_len &&
          !(k.exact_len == k.folded_len && memcmp(k.exact, k.folded, k.exact_len) == 0)) {
        if (k.exact_len > TT_XAP_MAX_TERM - pe) {
          skipped++;
          continue;
        }
        t.assign(TT_XAP_PREFIX_EXACT, pe);
        t.append(k.exact, k.exact_len);
        d->doc.add_posting(t, k.pos, wdf_inc);
      }
    }
    return 0;
  });
  return rc < 0 ? rc : skipped;
}

/* ---------------------------------------------------------------------------------------- */
/* Reader                                                                                   */
/* ---------------------------------------------------------------------------------------- */

extern "C" int tt_xap_reader_open(tt_xap_reader **out, const char *const *paths, size_t n)
{
  if (!out || !paths || n == 0) return tt_error_set(TT_EINVAL, "tt_xap_reader_open: no path");
  *out = nullptr;
  for (size_t i = 0; i < n; i++)
    if (!paths[i] || !*paths[i])
      return tt_error_set(TT_EINVAL, "tt_xap_reader_open: path %zu is empty", i);
  std::string cur;
  tt_xap_reader *r = nullptr;
  int rc = guard("tt_xap_reader_open", [&]() -> int {
    r = new tt_xap_reader;
    for (size_t i = 0; i < n; i++) {
      cur = paths[i];
      /* DB_BACKEND_GLASS would refuse stub files; let Xapian pick by what is at the path. */
      r->db.add_database(Xapian::Database(cur));
      if (i) r->paths += ", ";
      r->paths += cur;
    }
    return 0;
  });
  if (rc < 0) {
    if (!cur.empty()) {
      std::string msg = tt_error_last();
      if (msg.find(cur) == std::string::npos)
        tt_error_set(rc, "open Xapian database %s: %s", cur.c_str(), msg.c_str());
    }
    delete r;
    return rc;
  }
  *out = r;
  return 0;
}

extern "C" int tt_xap_reader_add_remote(tt_xap_reader *r, const char *host, unsigned port,
                                        unsigned timeout_ms)
{
  if (!r || !host || !*host || port == 0 || port > 65535)
    return tt_error_set(TT_EINVAL, "tt_xap_reader_add_remote: bad host or port");
  char where[300];
  snprintf(where, sizeof where, "%s:%u", host, port);
  return guard_path("connect to xapian-tcpsrv at", where, [&]() -> int {
    useconds_t us = (useconds_t)(timeout_ms ? timeout_ms : 10000) * 1000u;
    r->db.add_database(Xapian::Remote::open(host, port, us, us));
    r->paths += r->paths.empty() ? "" : ", ";
    r->paths += where;
    return 0;
  });
}

extern "C" int tt_xap_reader_reopen(tt_xap_reader *r)
{
  if (!r) return tt_error_set(TT_EINVAL, "tt_xap_reader_reopen: NULL reader");
  return guard_path("reopen", r->paths, [&]() -> int {
    r->db.reopen();
    return 0;
  });
}

extern "C" int tt_xap_reader_doccount(tt_xap_reader *r, uint64_t *out)
{
  if (!r || !out) return tt_error_set(TT_EINVAL, "tt_xap_reader_doccount: NULL argument");
  return guard_path("count documents in", r->paths, [&]() -> int {
    *out = r->db.get_doccount();
    return 0;
  });
}

extern "C" void tt_xap_reader_close(tt_xap_reader *r)
{
  if (!r) return;
  guard("tt_xap_reader_close", [&]() -> int {
    r->db.close();
    return 0;
  });
  delete r;
}

/* ---------------------------------------------------------------------------------------- */
/* Queries                                                                                  */
/* ---------------------------------------------------------------------------------------- */

extern "C" int tt_xap_query_term(tt_xap_query **out, const char *term, size_t len, uint32_t wqf,
                                 uint32_t pos)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_xap_query_term: NULL out");
  *out = nullptr;
  if (int rc = check_term("tt_xap_query_term", term, len)) return rc;
  return guard("tt_xap_query_term", [&]() -> int {
    tt_xap_query *q = new tt_xap_query;
    q->q = Xapian::Query(std::string(term ? term : "", len), wqf ? wqf : 1, pos);
    *out = q;
    return 0;
  });
}

extern "C" int tt_xap_query_combine(tt_xap_query **out, int op, tt_xap_query *const *subs,
                                    size_t n, uint32_t window)
{
  if (!out) return tt_error_set(TT_EINVAL, "tt_xap_query_combine: NULL out");
  *out = nullptr;
  if (!subs || n == 0) return tt_error_set(TT_EINVAL, "tt_xap_query_combine: no subqueries");
  for (size_t i = 0; i < n; i++)
    if (!subs[i]) return tt_error_set(TT_EINVAL, "tt_xap_query_combine: subquery %zu is NULL", i);
  Xapian::Query::op xop;
  switch (op) {
  case TT_XAP_OP_AND:       xop = Xapian::Query::OP_AND; break;
  case TT_XAP_OP_OR:        xop = Xapian::Query::OP_OR; break;
  case TT_XAP_OP_AND_NOT:   xop = Xapian::Query::OP_AND_NOT; break;
  case TT_XAP_OP_AND_MAYBE: xop = Xapian::Query::OP_AND_MAYBE; break;
  case TT_XAP_OP_PHRASE:    xop = Xapian::Query::OP_PHRASE; break;
  case TT_XAP_OP_NEAR:      xop = Xapian::Query::OP_NEAR; break;
  case TT_XAP_OP_FILTER:    xop = Xapian::Query::OP_FILTER; break;
  case TT_XAP_OP_SYNONYM:   xop = Xapian::Query::OP_SYNONYM; break;
  default: return tt_error_set(TT_EINVAL, "tt_xap_query_combine: bad operator %d", op);
  }
  if (window && op != TT_XAP_OP_PHRASE && op != TT_XAP_OP_NEAR)
    return tt_error_set(TT_EINVAL, "tt_xap_query_combine: a window needs PHRASE or NEAR");
  return guard("tt_xap_query_combine", [&]() -> int {
    std::vector<Xapian::Query> v;
    v.reserve(n);
    for (size_t i = 0; i < n; i++) v.push_back(subs[i]->q);
    tt_xap_query *q = new tt_xap_query;
    try {
      q->q = Xapian::Query(xop, v.begin(), v.end(), window);
    } catch (...) {
      delete q;
      throw;
    }
    *out = q;
    return 0;
  });
}

extern "C" int tt_xap_query_scale(tt_xap_query **out, const tt_xap_query *sub, double factor)
{
  if (!out || !sub) return tt_error_set(TT_EINVAL, "tt_xap_query_scale: NULL argument");
  *out = nullptr;
  if (!(factor >= 0)) return tt_error_set(TT_EINVAL, "tt_xap_query_scale: factor %g < 0", factor);
  return guard("tt_xap_query_scale", [&]() -> int {
    tt_xap_query *q = new tt_xap_query;
    try {
      q->q = Xapian::Query(Xapian::Query::OP_SCALE_WEIGHT, sub->q, factor);
    } catch (...) {
      delete q;
      throw;
    }
    *out = q;
    return 0;
  });
}

extern "C" int tt_xap_query_describe(const tt_xap_query *q, char *buf, size_t cap)
{
  if (!q || (!buf && cap)) return tt_error_set(TT_EINVAL, "tt_xap_query_describe: NULL argument");
  return guard("tt_xap_query_describe", [&]() -> int {
    std::string s = q->q.get_description();
    if (cap) {
      size_t k = s.size() < cap - 1 ? s.size() : cap - 1;
      memcpy(buf, s.data(), k);
      buf[k] = 0;
    }
    return s.size() > (size_t)0x7fffffff ? 0x7fffffff : (int)s.size();
  });
}

extern "C" void tt_xap_query_free(tt_xap_query *q) { delete q; }

/* ---------------------------------------------------------------------------------------- */
/* Search                                                                                   */
/* ---------------------------------------------------------------------------------------- */

extern "C" int tt_xap_search(tt_xap_results **out, tt_xap_reader *r, const tt_xap_query *q,
                             const tt_xap_search_options *opts)
{
  if (!out || !r || !q) return tt_error_set(TT_EINVAL, "tt_xap_search: NULL argument");
  *out = nullptr;
  tt_xap_search_options o = TT_XAP_SEARCH_OPTIONS_INIT;
  if (opts) {
    if (opts->version != TT_XAP_SEARCH_OPTIONS_VERSION)
      return tt_error_set(TT_EINVAL, "tt_xap_search: options version %u, expected %u",
                          opts->version, TT_XAP_SEARCH_OPTIONS_VERSION);
    o = *opts;
  }
  if (!(o.k1 >= 0 && o.k2 >= 0 && o.k3 >= 0 && o.b >= 0 && o.b <= 1 && o.min_normlen >= 0))
    return tt_error_set(TT_EINVAL, "tt_xap_search: BM25 parameters out of range");
  return guard_path("search", r->paths, [&]() -> int {
    Xapian::Enquire enq(r->db);
    enq.set_query(q->q);
    enq.set_weighting_scheme(Xapian::BM25Weight(o.k1, o.k2, o.k3, o.b, o.min_normlen));
    Xapian::doccount check = o.check_at_least;
    if (o.flags & TT_XAP_SEARCH_EXACT_COUNT) check = r->db.get_doccount();
    Xapian::MSet m = enq.get_mset(o.offset, o.limit, check);
    tt_xap_results *res = new tt_xap_results;
    try {
      res->lower = m.get_matches_lower_bound();
      res->estimated = m.get_matches_estimated();
      res->upper = m.get_matches_upper_bound();
      res->has_data = !(o.flags & TT_XAP_SEARCH_NO_DATA);
      size_t k = m.size();
      res->docids.reserve(k);
      res->weights.reserve(k);
      if (res->has_data) res->data.reserve(k);
      for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
        res->docids.push_back(*it);
        res->weights.push_back(it.get_weight());
        if (res->has_data) res->data.push_back(it.get_document().get_data());
      }
    } catch (...) {
      delete res;
      throw;
    }
    *out = res;
    return 0;
  });
}

extern "C" size_t tt_xap_results_size(const tt_xap_results *res)
{
  return res ? res->docids.size() : 0;
}

extern "C" int tt_xap_results_hit(const tt_xap_results *res, size_t i, tt_xap_hit *out)
{
  if (!res || !out) return tt_error_set(TT_EINVAL, "tt_xap_results_hit: NULL argument");
  if (i >= res->docids.size())
    return tt_error_set(TT_EINVAL, "tt_xap_results_hit: hit %zu of %zu", i, res->docids.size());
  out->docid = res->docids[i];
  out->weight = res->weights[i];
  if (res->has_data) {
    out->data = res->data[i].c_str();
    out->data_len = res->data[i].size();
  } else {
    out->data = nullptr;
    out->data_len = 0;
  }
  return 0;
}

extern "C" int tt_xap_results_count(const tt_xap_results *res, uint64_t *lower,
                                    uint64_t *estimated, uint64_t *upper)
{
  if (!res) return 0;
  if (lower) *lower = res->lower;
  if (estimated) *estimated = res->estimated;
  if (upper) *upper = res->upper;
  return res->lower == res->upper;
}

extern "C" void tt_xap_results_free(tt_xap_results *res) { delete res; }

extern "C" const char *tt_xap_version(void) { return Xapian::version_string(); }
