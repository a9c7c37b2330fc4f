/* Evaluation of the entity recognizer against hand-labelled files (text/entities_eval.c).
 * Internal: used by tests/unit/text/test_entities.c and tools/benchmarks/entities.c.
 *
 * Label file (TSV, UTF-8), one mention a line; '#' lines are comments, except
 *   #file<TAB>PATH                 a file whose every document is evaluated (relative to root)
 * and mention lines
 *   PATH<TAB>DOC<TAB>FIELD<TAB>START<TAB>END<TAB>TYPE<TAB>CANONICAL<TAB>SURFACE
 * PATH: a .txt file (DOC "-", FIELD "text": the whole file is one text) or a .jsonl file of
 * articles (DOC = the article's "id", FIELD "title" or "body"); START/END: byte offsets in that
 * text; TYPE: person|hospital|program; SURFACE: the bytes [START, END), checked. */
#ifndef TT_TEXT_ENTITIES_EVAL_H
#define TT_TEXT_ENTITIES_EVAL_H

#include <stddef.h>
#include <stdio.h>

typedef struct tt_ent_score {
  size_t tp[4], fp[4], fn[4];    /* strict: span + type + canonical; index = type, 0 = all */
  size_t ltp[4], lfp[4], lfn[4]; /* lenient: overlapping span + type */
  double mb, sec_analyze, sec_entities; /* bytes (MB) and CPU seconds, for information */
} tt_ent_score;

/* Evaluate labels_path (paths in it relative to root). Writes one line per error to log
 * (NULL: none): "FP", "FN" with the mention; with dump != 0, writes every predicted mention in
 * label-file format instead of comparing. Returns 0 or a negative TT_E* code. */
int tt_entities__eval(const char *labels_path, const char *root, FILE *log, int dump,
                      tt_ent_score *out);

/* Precision and recall of a type from a score (1.0 when undefined). */
double tt_entities__precision(const tt_ent_score *s, int type, int lenient);
double tt_entities__recall(const tt_ent_score *s, int type, int lenient);

#endif
