/* timtin: the entity recognizer — officials, hospitals and health bodies, programs and legal
 * documents, found in analyzed text and reduced to a canonical name.
 *
 * It works on the tokens of tt_analyze() (exact and folded forms, byte offsets) and reads the
 * original bytes only for capitalization and for the punctuation between tokens. Recognition
 * is curated gazetteers (compiled in) plus patterns; the rules are in docs/entities.md.
 *
 *   tt_entities *e;  tt_entities_new(&e);
 *   tt_analyze(an, title, tlen, 0, &ta);
 *   tt_entities_find(e, title, tlen, &ta, 0, &m, &n);                 // persons remembered
 *   tt_analyze(an, body, blen, pos, &ba);
 *   tt_entities_find(e, body, blen, &ba, TT_ENT_CONTINUE, &m, &n);    // "ông Hưng" links to title
 */
#ifndef TIMTIN_ENTITIES_H
#define TIMTIN_ENTITIES_H

#include <stddef.h>
#include <stdint.h>

#include "timtin/analyze.h"

typedef enum tt_entity_type {
  TT_ENT_PERSON = 1,   /* an official, doctor or scientist named with a title or prefix */
  TT_ENT_HOSPITAL = 2, /* a hospital, health centre, ministry, department or health body */
  TT_ENT_PROGRAM = 3   /* a program, project, plan or legal document */
} tt_entity_type;

typedef struct tt_entity_mention {
  tt_entity_type type;
  const char *canonical; /* NUL-terminated UTF-8, NFC, canonical tone placement, diacritics and
                            capitals kept, abbreviations expanded, "số" dropped:
                            "Trần Văn Thuấn", "Bệnh viện Bạch Mai", "Nghị quyết 72-NQ/TW" */
  size_t canonical_len;
  const char *key;       /* NUL-terminated: canonical lower-cased and folded (no diacritics,
                            đ -> d), single spaces: "tran van thuan", "nghi quyet 72-nq/tw" */
  size_t key_len;
  const char *role;      /* persons: the title chain ("Thứ trưởng Bộ Y tế"), "" if none; other
                            types: "" (never NULL) */
  size_t role_len;
  uint32_t first_token;  /* token index range [first_token, end_token) in the analysis */
  uint32_t end_token;
  uint32_t start;        /* byte range [start, end) in the original text */
  uint32_t end;
} tt_entity_mention;

typedef struct tt_entities tt_entities;

/* Flags of tt_entities_find. */
#define TT_ENT_CONTINUE 1u /* same document as the previous call (title, then body): keep the
                              persons found so far, so later mentions by full or given name
                              link to them; without it the recognizer starts afresh */

/* Create a recognizer (builds its gazetteers). One per thread; not shared between threads.
 * Returns 0, TT_ENOMEM, or the error of tt_analyzer_new. */
int tt_entities_new(tt_entities **out);
void tt_entities_free(tt_entities *e); /* NULL is a no-op */

/* Find the entity mentions in text (len bytes), given an = tt_analyze() of the same bytes
 * (any first_pos). *out receives an array of *n mentions in order of start offset (for equal
 * starts, by type); mentions of different types may overlap (the organisation inside a
 * person's role is also a hospital mention), mentions of one type never do. The array and its
 * strings are owned by e and valid until the next tt_entities_find or tt_entities_free.
 * A later mention of a person (full name, or "ông"/"bà"/title + given name) carries the
 * canonical name and role of the first one. Never fails on content.
 * Returns 0, TT_EINVAL (NULL argument, token offsets outside the text), or TT_ENOMEM. */
int tt_entities_find(tt_entities *e, const char *text, size_t len, const tt_analysis *an,
                     unsigned flags, const tt_entity_mention **out, size_t *n);

/* Name of a type: "person", "hospital", "program"; "?" for anything else. */
const char *tt_entity_type_name(tt_entity_type t);

/* ---- per-document summary: one line per entity of an article (what the indexer stores)
 *
 *   tt_entity_tally *t;  tt_entity_tally_new(&t);
 *   tt_entities_find(e, title, ..., 0, &m, &n);                tt_entity_tally_add(t, m, n, &ta);
 *   tt_entities_find(e, body, ..., TT_ENT_CONTINUE, &m, &n);   tt_entity_tally_add(t, m, n, &ba);
 *   tt_entity_tally_get(t, title_end, &s, &ns);   ...   tt_entity_tally_reset(t);  (next article)
 */
typedef struct tt_entity_summary {
  tt_entity_type type;
  const char *key;          /* folded canonical name (as in tt_entity_mention) */
  const char *canonical;    /* the article's most frequent canonical spelling (ties: first seen) */
  const char *role;         /* persons: most frequent non-empty role ("" if none); others "" */
  uint32_t mentions;        /* mentions in title and body (the indexed term's frequency) */
  uint32_t title_mentions;  /* of which in the title */
  uint32_t first_pos;       /* token position of the first mention (title 0.., body after) */
} tt_entity_summary;

typedef struct tt_entity_tally tt_entity_tally;

int  tt_entity_tally_new(tt_entity_tally **out);   /* 0 or TT_ENOMEM */
void tt_entity_tally_free(tt_entity_tally *t);     /* NULL is a no-op */
void tt_entity_tally_reset(tt_entity_tally *t);    /* forget every mention (next article) */
/* Record n mentions found in a field analysed as an (positions taken from an's tokens; a
 * mention whose first token lies outside an is skipped). Strings are copied. 0 or TT_ENOMEM. */
int  tt_entity_tally_add(tt_entity_tally *t, const tt_entity_mention *m, size_t n, const tt_analysis *an);
/* The entities recorded since the last reset, ordered by first position (then type, key).
 * title_end: the first body position; a mention at a lower position is a title mention.
 * The array and its strings are owned by t, valid until the next add, get, reset or free.
 * 0 or TT_ENOMEM. */
int  tt_entity_tally_get(tt_entity_tally *t, uint32_t title_end, const tt_entity_summary **out, size_t *n);

#endif
