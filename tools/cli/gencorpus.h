/* The deterministic corpus generator behind `timtin gen-corpus` (tools/cli/cmd_gen_corpus.c).
 *
 * It writes realistic Vietnamese health-news articles as article JSONL (include/timtin/
 * article.h), one object a line: id, url, title, published, source, body. Article i depends
 * only on (seed, i): a corpus of N articles is a prefix of every larger one with the same
 * seed, and any slice can be generated on its own. docs/corpus.md describes the model.
 *
 * Sub-prefix: tt_gencorpus_ (the interface), tt_gc_ (its internal tables). */
#ifndef TT_CLI_GENCORPUS_H
#define TT_CLI_GENCORPUS_H

#include <stdint.h>

#include "common/buf.h"

typedef struct tt_gencorpus tt_gencorpus;

/* Build the generator's tables (vocabulary, entities, samplers) for seed. About 1 MB.
 * Returns 0 and sets *out (free with tt_gencorpus_free), or TT_ENOMEM. */
int tt_gencorpus_new(tt_gencorpus **out, uint64_t seed);
void tt_gencorpus_free(tt_gencorpus *g);  /* NULL is a no-op */

/* Append article number i (0-based) as one JSON line, '\n' included, to out.
 * Returns 0, or TT_ENOMEM (out then holds a partial line: drop it). */
int tt_gencorpus_article(tt_gencorpus *g, uint64_t i, tt_buf *out);

#endif
