/* indexer/pairs: syllable-pair ("bigram") terms for the common syllables.
 *
 * For every two folded syllables a, b of a fixed list of TT_PAIRS_N common syllables
 * (indexer/pairs_list.inc, compiled in and frozen), a segment built with list TT_PAIRS_ID holds
 * the non-positional term TT_PAIRS_MARK "a b" whose postings are exactly the documents where
 * a stands at some position p and b at p + 1, with tf_title / tf_body = how many such p lie in
 * the title / the body (pairs never span the two fields). A phrase of common syllables then
 * needs no position check for two syllables and far fewer candidates for more; the proximity
 * bonus of two adjacent query syllables is a lookup. The doc table records the list id of the
 * segment (docs/format.md); a segment without it (0) has no pair terms and the query side
 * falls back to positions. */
#ifndef TT_INDEXER_PAIRS_H
#define TT_INDEXER_PAIRS_H

#include <stddef.h>

#define TT_PAIRS_ID 1       /* id of the compiled list, recorded per segment (0 = no pairs) */
#define TT_PAIRS_N 256      /* syllables in the list */
#define TT_PAIRS_MARK '\x01' /* first byte of every pair key: no analyzer token or keyword has it */
#define TT_PAIRS_KEY_MAX 64 /* longest pair key: mark + 2 syllables of the list + space */
#define TT_PAIRS_WORD_MAX 6 /* bytes of the longest syllable of the list ("truong") */

/* Id (0..TT_PAIRS_N-1) of the folded syllable s[0, n) in the list, or -1 (at once when n >
 * TT_PAIRS_WORD_MAX: the inverter asks for every new folded term, entity keys included). */
int tt_pairs_id(const char *s, size_t n);
/* The syllable of id (NUL-terminated, static). */
const char *tt_pairs_word(int id);
/* The pair key of ids a, b into out (room for TT_PAIRS_KEY_MAX bytes); returns its length. */
size_t tt_pairs_key(char *out, int a, int b);

/* `timtin check`: the pair terms of segment s are exactly what its positions imply (nothing
 * missing, extra or altered; indexer/pairs_check.c). 0 for a segment without pairs. Returns 0,
 * TT_ECORRUPT naming the pair, TT_EFORMAT (a pair list this build does not know) or TT_ENOMEM. */
struct tt_segment;
int tt_pairs_verify(const struct tt_segment *s, const char *dir);

#endif
