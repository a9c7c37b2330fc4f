/* Fuzz target: the JSONL object scanner on arbitrary bytes (common/json.h). */
#include <stdint.h>
#include <string.h>

#include "common/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const char *keys[] = {"url", "title", "body", "published", "id", "source"};
  tt_json_value v[6];
  tt_buf b = TT_BUF_INIT;
  size_t col;
  const char *what;
  if (tt_json_scan_object((const char *)data, size, keys, 6, v, &b, &col, &what) == 0) {
    for (int i = 0; i < 6; i++)
      if (v[i].type == TT_JSON_STRING && v[i].len) {
        volatile char c = v[i].s[v[i].len - 1];  /* touch the last byte: must be in bounds */
        (void)c;
      }
  } else if (col == 0 || col > size + 1) {
    __builtin_trap();
  }
  tt_buf_fini(&b);
  return 0;
}
