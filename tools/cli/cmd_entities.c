/* timtin entities: the officials, hospitals and programs an index mentions, with article counts,
 * over the whole index or over the articles matching a query (docs/entities.md).
 * Exit status: 0 ok, 1 failure, 2 usage or query syntax error. */
#include "tools/cli/cli.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "timtin/entities.h"
#include "timtin/errors.h"
#include "timtin/query.h"
#include "timtin/timtin.h"

static const char usage[] =
  "[--db DIR] [--type person|hospital|program] [--limit N] [--exact] [--json] [QUERY...]\n"
  "Entities with the number of live articles that mention them: over the whole index, or among\n"
  "the articles matching QUERY (same language as `timtin search`). Officials come with the role\n"
  "most articles give them. --limit N per type (default 10).";

static int type_of(const char *s)
{
  for (int t = TT_ENT_PERSON; t <= TT_ENT_PROGRAM; t++)
    if (!strcmp(s, tt_entity_type_name((tt_entity_type)t))) return t;
  return -1;
}

static const char *const heading[] = {"", "Officials", "Hospitals and health bodies", "Programs and documents"};

static void print_human(const tt_entity_list *l, int type, int has_query)
{
  for (int t = TT_ENT_PERSON; t <= TT_ENT_PROGRAM; t++) {
    if (type && type != t) continue;
    printf("%s\n", heading[t]);
    int any = 0;
    for (size_t i = 0; i < l->n; i++) {
      const tt_entity_stat *e = &l->v[i];
      if (e->type != t) continue;
      any = 1;
      printf("  %7llu  %s", (unsigned long long)e->articles, e->name);
      if (e->role[0]) printf(" — %s", e->role);
      printf("\n");
    }
    if (!any) printf("  (none)\n");
    printf("\n");
  }
  printf("%llu article%s%s\n", (unsigned long long)l->matches, l->matches == 1 ? "" : "s",
         has_query ? " match the query" : " in the index");
  if (l->no_entities)
    printf("%llu of them were indexed without entity recognition (timtin index --no-entities) "
           "and are not counted above\n", (unsigned long long)l->no_entities);
}

/* Also used by `search --facets --json`: ["type", "name", "key", "role", "articles"] objects. */
void tt_cli_entities_json(tt_buf *b, const tt_entity_list *l)
{
  tt_buf_putc(b, '[');
  for (size_t i = 0; i < l->n; i++) {
    const tt_entity_stat *e = &l->v[i];
    tt_buf_printf(b, "%s{\"type\":\"%s\",\"name\":", i ? "," : "", tt_entity_type_name((tt_entity_type)e->type));
    tt_buf_json_string(b, e->name, strlen(e->name));
    tt_buf_puts(b, ",\"key\":");
    tt_buf_json_string(b, e->key, strlen(e->key));
    if (e->type == TT_ENT_PERSON) {
      tt_buf_puts(b, ",\"role\":");
      tt_buf_json_string(b, e->role, strlen(e->role));
    }
    tt_buf_printf(b, ",\"articles\":%llu}", (unsigned long long)e->articles);
  }
  tt_buf_putc(b, ']');
}

int tt_cmd_entities(int argc, char **argv)
{
  const char *db = tt_cli_default_db();
  int type = 0, json = 0, rc = 0;
  size_t limit = 10;
  tt_search_options o = TT_SEARCH_OPTIONS_INIT;
  tt_buf q = TT_BUF_INIT;
  for (int i = 1; i < argc && !rc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--help") || !strcmp(a, "-h")) { printf("usage: timtin entities %s\n", usage); tt_buf_fini(&q); return 0; }
    else if (!strcmp(a, "--db") && i + 1 < argc) db = argv[++i];
    else if (!strcmp(a, "--type") && i + 1 < argc) {
      if ((type = type_of(argv[++i])) < 0) rc = tt_cli_usage("entities", usage, "--type takes person, hospital or program");
    } else if (!strcmp(a, "--limit") && i + 1 < argc) {
      const char *s = argv[++i];
      char *end;
      errno = 0;
      unsigned long long v = strtoull(s, &end, 10);
      if (*s < '0' || *s > '9' || *end || errno || v == 0 || v > 100000)
        rc = tt_cli_usage("entities", usage, "--limit takes a number from 1 to 100000");
      else limit = (size_t)v;
    } else if (!strcmp(a, "--exact")) o.exact = 1;
    else if (!strcmp(a, "--json")) json = 1;
    else if (!strcmp(a, "--")) { for (i++; i < argc; i++) { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, argv[i]); } }
    else if (a[0] == '-' && a[1] == '-') rc = tt_cli_usage("entities", usage, "unknown option or missing value");
    else { if (q.n) tt_buf_putc(&q, ' '); tt_buf_puts(&q, a); }
  }
  if (rc) { tt_buf_fini(&q); return rc; }
  tt_reader *r;
  if (tt_reader_open(&r, db, 0)) { tt_buf_fini(&q); return tt_cli_fail(db); }
  tt_entity_list l;
  int e = tt_entity_list_get(r, q.n ? q.p : NULL, q.n, &o, type, limit, &l);
  if (e == TT_ESYNTAX) { fprintf(stderr, "timtin entities: %s\n", tt_error_last()); rc = 2; }
  else if (e) rc = tt_cli_fail("entities");
  else if (json) {
    tt_buf b = TT_BUF_INIT;
    tt_buf_puts(&b, "{");
    if (q.n) { tt_buf_puts(&b, "\"query\":"); tt_buf_json_string(&b, q.p, q.n); tt_buf_putc(&b, ','); }
    tt_buf_printf(&b, "\"articles\":%llu,", (unsigned long long)l.matches);
    if (l.no_entities) tt_buf_printf(&b, "\"articles_without_entities\":%llu,", (unsigned long long)l.no_entities);
    tt_buf_puts(&b, "\"entities\":");
    tt_cli_entities_json(&b, &l);
    tt_buf_puts(&b, "}\n");
    fwrite(b.p, 1, b.n, stdout);
    tt_buf_fini(&b);
  } else {
    print_human(&l, type, q.n != 0);
  }
  if (!e) tt_entity_list_fini(&l);
  tt_reader_close(r);
  tt_buf_fini(&q);
  return rc;
}
