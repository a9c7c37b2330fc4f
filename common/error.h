/* Internal error helpers on top of include/timtin/errors.h. */
#ifndef TT_COMMON_ERROR_H
#define TT_COMMON_ERROR_H

#include "timtin/errors.h"

/* Return err (with a message) from the current function if cond holds. */
#define TT_RETURN_IF(cond, err, ...) \
  do { if (cond) return tt_error_set((err), __VA_ARGS__); } while (0)

/* Propagate a negative code. */
#define TT_FORWARD(expr) \
  do { int tt__rc = (expr); if (tt__rc < 0) return tt__rc; } while (0)

/* Allocation check: sets TT_ENOMEM and returns it. */
#define TT_CHECK_ALLOC(p) \
  do { if ((p) == NULL) return tt_error_set(TT_ENOMEM, "out of memory at %s:%d", __FILE__, __LINE__); } while (0)

#endif
