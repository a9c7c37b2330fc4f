/* Unit tests: text/entities_tally.c against a brute-force reference — random mentions of few
 * and many entities (past the table's first size), spellings and roles that repeat in and out
 * of order (the tally shares a string with the group's previous mention only when equal), more
 * than 16 distinct spellings (the rest do not vote), adds after a get, and reuse after reset. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "timtin/analyze.h"
#include "timtin/entities.h"

enum { NTOK = 4096, VOTE = 16 };

static unsigned seed = 7;
static unsigned rnd(unsigned n)
{
  seed = seed * 1103515245u + 12345u;
  return (seed >> 16) % n;
}

/* The reference: the summary of (type, key) over mentions m[0, n), by counting. */
static void ref_summary(const tt_entity_mention *m, size_t n, const tt_analysis *an, uint32_t title_end,
                        tt_entity_type type, const char *key, tt_entity_summary *out)
{
  const char *sp[VOTE], *ro[VOTE];
  unsigned cs[VOTE], cr[VOTE], ns = 0, nr = 0;
  memset(out, 0, sizeof *out);
  out->first_pos = UINT32_MAX;
  for (size_t i = 0; i < n; i++) {
    if (m[i].type != type || strcmp(m[i].key, key)) continue;
    uint32_t pos = an->tokens[m[i].first_token].pos;
    out->mentions++;
    out->title_mentions += pos < title_end;
    if (pos < out->first_pos) out->first_pos = pos;
    unsigned k = 0;
    while (k < ns && strcmp(sp[k], m[i].canonical)) k++;
    if (k == ns && ns < VOTE) { sp[ns] = m[i].canonical; cs[ns++] = 0; }
    if (k < ns) cs[k]++;
    if (!m[i].role || !*m[i].role) continue;
    k = 0;
    while (k < nr && strcmp(ro[k], m[i].role)) k++;
    if (k == nr && nr < VOTE) { ro[nr] = m[i].role; cr[nr++] = 0; }
    if (k < nr) cr[k]++;
  }
  unsigned b = 0;
  for (unsigned k = 1; k < ns; k++) if (cs[k] > cs[b]) b = k;
  out->canonical = sp[b];
  out->role = "";
  if (nr) {
    b = 0;
    for (unsigned k = 1; k < nr; k++) if (cr[k] > cr[b]) b = k;
    out->role = ro[b];
  }
}

static void check(tt_entity_tally *t, const tt_entity_mention *m, size_t n, const tt_analysis *an, uint32_t title_end)
{
  const tt_entity_summary *s;
  size_t ns;
  assert_int_equal(tt_entity_tally_get(t, title_end, &s, &ns), 0);
  size_t distinct = 0;
  for (size_t i = 0; i < n; i++) {
    size_t j = 0;
    while (j < i && !(m[j].type == m[i].type && !strcmp(m[j].key, m[i].key))) j++;
    distinct += j == i;
  }
  assert_int_equal(ns, distinct);
  for (size_t i = 0; i < ns; i++) {
    tt_entity_summary want;
    ref_summary(m, n, an, title_end, s[i].type, s[i].key, &want);
    assert_int_equal(s[i].mentions, want.mentions);
    assert_int_equal(s[i].title_mentions, want.title_mentions);
    assert_int_equal(s[i].first_pos, want.first_pos);
    assert_string_equal(s[i].canonical, want.canonical);
    assert_string_equal(s[i].role, want.role);
    if (i) {
      const tt_entity_summary *p = &s[i - 1];
      assert_true(p->first_pos < s[i].first_pos ||
                  (p->first_pos == s[i].first_pos && (p->type < s[i].type ||
                   (p->type == s[i].type && strcmp(p->key, s[i].key) < 0))));
    }
  }
}

static void random_mentions(void **state)
{
  (void)state;
  static tt_token tok[NTOK];
  for (uint32_t i = 0; i < NTOK; i++) tok[i].pos = (i * 7919u) % NTOK;   /* positions out of order */
  tt_analysis an = {tok, NTOK, 0, 0};
  static char keys[300][24], spell[40][8], roles[6][8];
  for (int k = 0; k < 300; k++) snprintf(keys[k], sizeof keys[k], "key %d of the list", k);
  for (int k = 0; k < 40; k++) snprintf(spell[k], sizeof spell[k], "S%d", k);
  for (int k = 0; k < 6; k++) snprintf(roles[k], sizeof roles[k], k ? "R%d" : "", k);
  static tt_entity_mention m[2000];
  tt_entity_tally *t;
  assert_int_equal(tt_entity_tally_new(&t), 0);
  for (int round = 0; round < 40; round++) {
    /* few entities (many repeats) or many (the table grows); few or many spellings */
    unsigned nkeys = round % 3 == 0 ? 3 : round % 3 == 1 ? 40 : 300;
    unsigned nsp = round % 4 == 0 ? 40 : 1 + round % 4;
    size_t n = 50 + rnd(1500), half = n / 2;
    for (size_t i = 0; i < n; i++) {
      tt_entity_mention *x = &m[i];
      memset(x, 0, sizeof *x);
      unsigned k = rnd(nkeys);
      x->type = (tt_entity_type)(k % 3);
      x->key = keys[k];
      x->key_len = strlen(keys[k]);
      const char *c = spell[rnd(2) ? rnd(nsp) : k % nsp];   /* runs of one spelling, and not */
      x->canonical = c;
      x->canonical_len = strlen(c);
      unsigned r = rnd(6);
      x->role = r == 5 ? NULL : roles[r];
      x->role_len = x->role ? strlen(x->role) : 0;
      x->first_token = (uint32_t)rnd(NTOK);
    }
    uint32_t title_end = (uint32_t)rnd(NTOK);
    /* two adds, a get between them (the groups go on growing after it) */
    assert_int_equal(tt_entity_tally_add(t, m, half, &an), 0);
    check(t, m, half, &an, title_end);
    assert_int_equal(tt_entity_tally_add(t, m + half, n - half, &an), 0);
    check(t, m, n, &an, title_end);
    tt_entity_tally_reset(t);
  }
  /* after a reset, nothing is left */
  const tt_entity_summary *s;
  size_t ns = 1;
  assert_int_equal(tt_entity_tally_get(t, 0, &s, &ns), 0);
  assert_int_equal(ns, 0);
  tt_entity_tally_free(t);
}

int main(void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test(random_mentions),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
