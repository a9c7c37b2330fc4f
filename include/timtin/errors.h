/* timtin: error codes and the thread-local error message.
 *
 * Every fallible function returns an int: 0 on success, a negative TT_E* code on failure.
 * The human-readable cause (naming the file and offset where there is one) is kept in a
 * thread-local slot and read with tt_error_last(), which never returns NULL. */
#ifndef TIMTIN_ERRORS_H
#define TIMTIN_ERRORS_H

/* One table: name, value, default text. */
#define TT_ERROR_TABLE(X)                                        \
  X(TT_OK,        0,  "success")                                 \
  X(TT_ERROR,    -1,  "error")                                   \
  X(TT_ENOMEM,   -2,  "out of memory")                           \
  X(TT_EIO,      -3,  "input/output error")                      \
  X(TT_EINVAL,   -4,  "invalid argument")                        \
  X(TT_ECORRUPT, -5,  "corrupt data")                            \
  X(TT_EFORMAT,  -6,  "unsupported file format or version")      \
  X(TT_ENOTFOUND,-7,  "not found")                               \
  X(TT_ELOCKED,  -8,  "locked by another process")               \
  X(TT_ESYNTAX,  -9,  "syntax error")                            \
  X(TT_ITEROVER, -10, "iteration over")

enum tt_error_code {
#define TT_X_ENUM(name, value, text) name = value,
  TT_ERROR_TABLE(TT_X_ENUM)
#undef TT_X_ENUM
  TT_ERROR_MIN_ = -10
};

/* Default text of a code; never NULL. */
const char *tt_strerror(int code);

/* Message of the last error set on this thread; "" when none. Never NULL.
 * Valid until the next tt_error_set() on this thread. */
const char *tt_error_last(void);

/* Code of the last error set on this thread (TT_OK when none). */
int tt_error_last_code(void);

/* Record an error (printf-style message) and return code, so callers can write
 * `return tt_error_set(TT_EIO, "open %s: %s", path, strerror(errno));`. */
int tt_error_set(int code, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

void tt_error_clear(void);

#endif
