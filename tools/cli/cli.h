/* Shared helpers of the timtin CLI (tools/cli). Exit codes: 0 ok, 1 failure, 2 usage error. */
#ifndef TT_CLI_H
#define TT_CLI_H

#include <stdio.h>

typedef int (*tt_cli_fn)(int argc, char **argv);  /* argv[0] is the command name */

#define TT_CMD(name, fn, help) int fn(int argc, char **argv);
#include "tools/cli/commands.def"
#undef TT_CMD

/* Print "timtin: <what>: <tt_error_last()>" to stderr and return 1. */
int tt_cli_fail(const char *what);

/* Print "timtin <cmd>: <msg>" and the usage line to stderr; return 2. */
int tt_cli_usage(const char *cmd, const char *usage, const char *msg);

/* Index path from $TIMTIN_DB, else ./timtin.db. */
const char *tt_cli_default_db(void);

/* Read all of a stream into a malloc'd buffer (NUL-terminated). Returns NULL on error. */
char *tt_cli_slurp(FILE *f, size_t *len);

/* A JSON array of entity counts (tools/cli/cmd_entities.c), for `entities` and `search --facets`. */
struct tt_buf;
struct tt_entity_list;
void tt_cli_entities_json(struct tt_buf *b, const struct tt_entity_list *l);

#endif
