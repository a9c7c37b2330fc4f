/* Error codes and the thread-local message slot (include/timtin/errors.h). */
#include "common/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char tt_msg[1024];
static _Thread_local int tt_code;

const char *tt_strerror(int code)
{
  switch (code) {
#define TT_X_CASE(name, value, text) case value: return text;
    TT_ERROR_TABLE(TT_X_CASE)
#undef TT_X_CASE
  default: return "unknown error";
  }
}

const char *tt_error_last(void) { return tt_msg; }
int tt_error_last_code(void) { return tt_code; }

int tt_error_set(int code, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(tt_msg, sizeof tt_msg, fmt, ap);
  va_end(ap);
  tt_code = code;
  return code;
}

void tt_error_clear(void)
{
  tt_msg[0] = 0;
  tt_code = 0;
}
