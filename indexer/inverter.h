/* indexer/inverter: the in-memory inversion of one segment under construction.
 *
 * Called by the segment builder (indexer/segbuild.c) once per document with its analyzed
 * tokens; at flush it hands back the terms in byte order, each with its postings as a compact
 * vbyte stream that tt_inv_stream_next() decodes. Every byte it holds is counted in
 * tt_inverter_bytes(), which is what the writer's memory budget is checked against.
 *
 * Terms: each token is indexed under its folded form, with positions; when the exact form
 * differs (it carries diacritics), also under its exact form, without positions (docs and term
 * frequencies only). Two adjacent syllables of the common list also make a non-positional pair
 * term (indexer/pairs.h; inverter_pairs.c). The two never collide: a folded key has no diacritic a fold would remove,
 * an exact key that differs from its fold has one. See docs/format.md "Exact and folded terms". */
#ifndef TT_INDEXER_INVERTER_H
#define TT_INDEXER_INVERTER_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "timtin/analyze.h"

typedef struct tt_inv_term {
  /* what a lookup and a token touch first, together at the start (one cache line) */
  uint64_t key8;         /* the key's first 8 bytes (fewer: zero-padded), compared before the rest */
  uint32_t key_len : 31;
  uint32_t positional : 1; /* 1 = folded term (positions kept), 0 = exact-only term */
  uint32_t touch;        /* inverter's stamp of the last document that used the term */
  uint32_t head, tail;   /* its position chain in that document */
  uint32_t key_off;      /* key bytes at tt_inverter_key() */
  uint32_t next_doc;     /* last doc with a posting + 1 (0 = none yet) */
  uint32_t df;           /* documents */
  union {                /* one or the other, by `positional` (keeps the record at 64 bytes): */
    uint32_t fold;       /* exact-only terms: id + 1 of the folded term last seen with it (a
                            hint, checked before use), 0 = none */
    int32_t  pair_id;    /* folded terms: id in the pair list (indexer/pairs.h), else -1 */
  };
  tt_buf   stream;       /* vbyte: doc gap, tf_title, tf_body, [position gaps...] per doc;
                            owned by the inverter (small blocks live in its chunks): read only */
} tt_inv_term;             /* 64 bytes: tt_inverter_bytes() counts them against the budget */

typedef struct tt_inverter tt_inverter;

int  tt_inverter_new(tt_inverter **out);
void tt_inverter_free(tt_inverter *inv);       /* NULL is a no-op */
void tt_inverter_reset(tt_inverter *inv);      /* drop all terms, keep the table's capacity */

/* Add document doc (strictly increasing from 0 within the segment). Tokens: the title's with
 * positions < title_end, then the body's with positions >= title_end; tokens flagged
 * TT_TOKEN_KEYWORD (anywhere in body) are field keywords ("source:vnexpress"): indexed under
 * their folded text as a non-positional term. Returns 0 or TT_ENOMEM. */
#define TT_TOKEN_KEYWORD 0x100u
/* An entity mention ("person:tran van thuan"): a positional term at the mention's first token
 * (term frequency = mentions, title mentions counted as title, first position = first mention). */
#define TT_TOKEN_KEYWORD_POS 0x200u
int tt_inverter_add(tt_inverter *inv, uint32_t doc, const tt_token *title, size_t ntitle,
                    const tt_token *body, size_t nbody, uint32_t title_end);

/* The same, with hash: tt_inverter_hash_tokens() of the title's tokens, then the body's
 * (ntitle + nbody values), computed beforehand, for example by the thread that analyzed the
 * document while another one inverts: the lookups then only probe. NULL: computed here. */
int tt_inverter_add_hashed(tt_inverter *inv, uint32_t doc, const tt_token *title, size_t ntitle,
                           const tt_token *body, size_t nbody, uint32_t title_end,
                           const uint64_t *hash);

/* out[i] = the hash of the key token t[i] is looked up under first (a word with diacritics:
 * its exact form; otherwise its folded form), for i < n. Depends on the tokens only: any
 * thread may compute it. */
void tt_inverter_hash_tokens(const tt_token *t, size_t n, uint64_t *out);

size_t tt_inverter_bytes(const tt_inverter *inv);  /* bytes held (terms, keys, streams, table) */
size_t tt_inverter_nterms(const tt_inverter *inv);

/* All terms sorted by key (memcmp order, shorter first). The array is owned by inv and valid
 * until the next add/reset/free. Returns 0 or TT_ENOMEM. */
int tt_inverter_sorted(tt_inverter *inv, tt_inv_term ***out, size_t *n);
const char *tt_inverter_key(const tt_inverter *inv, const tt_inv_term *t);

/* Decoding a term's stream, one document at a time. */
typedef struct tt_inv_stream {
  const uint8_t *p, *end;
  uint32_t next_doc;
  int positional;
} tt_inv_stream;

void tt_inv_stream_init(tt_inv_stream *s, const tt_inv_term *t);
/* Next document: *doc, *tf_title, *tf_body; when positional, positions written to pos (room
 * for tf_title + tf_body values: the caller sizes it from max_tf). Returns 1, or 0 at the end. */
int tt_inv_stream_next(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                       uint32_t *pos, uint32_t pos_cap);
/* The same with the positions as gaps (pos[0] = first position, pos[i] = position i - position
 * i-1 - 1): what tt_plist_writer_add_gaps takes. */
int tt_inv_stream_next_gaps(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                            uint32_t *pos, uint32_t pos_cap);

#endif
