/* query/query_int.h: the query layer's internal interface, shared by parse.c (text -> tree),
 * match.c (the tree evaluated on one segment: matching, scoring, bounds) and search.c (top-k,
 * counts, facets, streaming every match).
 *
 * A query is a tree of qnode. The parser builds it against a reader (prefix* is expanded
 * through the dictionaries, idf comes from index-wide document frequencies); the matcher then
 * walks the reader's segments one by one, re-opening the postings cursors of every leaf for
 * each segment. Everything a query allocates dies with qtree_free. */
#ifndef TT_QUERY_INT_H
#define TT_QUERY_INT_H

#include <stddef.h>
#include <stdint.h>

#include "indexer/postings_codec.h"
#include "indexer/reader.h"
#include "timtin/analyze.h"
#include "timtin/query.h"

#define Q_END UINT32_MAX          /* "no more documents" */
#define Q_EXACT_TIER TT_EXACT_TIER /* per syllable typed with diacritics and found in its exact
                                     form: exact-form matches rank above variant-only ones */
#define Q_PROX_WEIGHT 0.5         /* per adjacent query pair found adjacent, times the smaller idf */
#define Q_PREFIX_MAX 256          /* terms a prefix* expands to at most */
#define Q_NEAR_DEFAULT 10         /* NEAR without /n */
#define Q_NEAR_MAX 1000
#define Q_DEPTH_MAX 64            /* nesting of parentheses */
#define Q_KEEP_MAX 16             /* ORs with at most this many kids keep each kid's match set */

enum qtype {
  Q_TERM,    /* one syllable: folded list (positions), exact list when typed with diacritics */
  Q_KEY,     /* a field keyword ("source:vnexpress"): non-positional list, scores 0 */
  Q_PHRASE,  /* kids: Q_TERM at consecutive positions */
  Q_NEAR,    /* kids[0], kids[1]: Q_TERM or Q_PHRASE within `near` positions, either order */
  Q_AND,     /* every positive kid; Q_NOT kids exclude; Q_DATE kids filter */
  Q_OR,      /* any kid */
  Q_NOT,     /* kids[0] must not match (only under Q_AND) */
  Q_DATE,    /* published in [lo, hi) */
  Q_NONE     /* matches nothing (a prefix that expands to no term) */
};

enum qfield { F_ANY = 0, F_TITLE = 1, F_BODY = 2 };

/* Where a term's list is in one segment, as the parse found it in the dictionary. */
typedef struct qdent {
  uint64_t post_off, post_len;
  uint32_t flags;         /* TT_DICT_* */
  uint8_t found;          /* the segment has the key */
} qdent;

typedef struct qnode qnode;
struct qnode {
  uint8_t type;           /* enum qtype */
  uint8_t field;          /* enum qfield: term, phrase, near */
  uint8_t strict;         /* term: only the exact form matches */
  uint8_t tier;           /* term: typed with diacritics, not strict: exact form adds the tier */
  uint8_t fresh;          /* nothing sought yet in this segment */
  uint32_t at;            /* byte offset in the query text (messages) */
  qnode **kids;
  int nkids;
  int *order;             /* and/phrase/near: iterator kids, cheapest first (this segment) */
  int niter;              /* entries in order[] */
  uint32_t doc;           /* current doc: first match >= the last target, or Q_END */
  uint64_t cost;          /* estimated matches in this segment */

  /* Q_TERM, Q_KEY */
  char *key;              /* folded syllable or keyword (tt_malloc'd) */
  char *exact;            /* exact form when it differs from key, else NULL */
  double idf;             /* index-wide, of the list that decides the match */
  uint64_t df;            /* index-wide df of that list */
  qdent *dent;            /* Q_TERM: per segment of the reader it was parsed with, the entry of
                             the key its df counts (exact when strict, else key), so that
                             opening it on a segment needs no second lookup (tt_malloc'd) */
  tt_plist_cursor *cur;   /* folded / keyword list (tt_malloc'd once) */
  tt_plist_cursor *ecur;  /* exact list (when exact) */
  uint8_t open, eopen;    /* cursors opened on the current segment */
  uint8_t positional;     /* cur was opened with positions */
  double wbm;             /* BM25 part of the block bound of the current window (qseg_bound) */
  uint32_t wlast;         /* ... the last doc of the block it comes from, valid when wok */
  uint8_t wok;            /* wbm, wlast hold the block of the cursor (reset when it reopens) */
  uint32_t vdoc;          /* a plain phrase whose kids qseg_place put on vdoc from its kept
                             frequencies, their cursors not moved: qseg_score takes the kids'
                             vtft, vtfb there (UINT32_MAX: none; reset when the node reopens) */
  uint32_t vtft, vtfb;    /* kid of such a phrase: its tf_title, tf_body on the phrase's vdoc */

  uint32_t near;          /* Q_NEAR: maximum distance */
  int64_t lo, hi;         /* Q_DATE */

  uint32_t *sp;           /* span scratch (phrase and near), tt_malloc'd */
  size_t nsp, capsp;

  uint64_t *bits;         /* bitmap scratch of composite nodes; exact-form set of tier terms */
  size_t bitcap;          /* words allocated */
  uint8_t ebits_ok;       /* tier term: bits holds its exact-form set in this segment */
  uint8_t kept;           /* OR: every kid's match set is kept in its kbits (phase 2 bounds) */
  uint64_t *kbits;        /* kid of a kept OR: its match set in this segment */
  size_t kbitcap;

  /* Q_PHRASE of plain syllables: the BM25F part of its score (its syllables' BM25F, no tiers)
   * of every document that verify_positions accepted in this segment; read in phase 1, where
   * the syllables' frequencies are at hand, it is phase 2's bound for the phrase
   * (qseg_bits_bound), so that few matches need placing. Sparse (the matches only, by
   * increasing doc): a dense array per query costs more in page faults than it saves. */
  uint32_t *pscdoc;       /* docs (tt_malloc'd) ... */
  double *psc;            /* ... and their scores (tt_malloc'd) */
  uint32_t *ptf;          /* ... and their kids' tf_title, tf_body (2 * nkids values a match,
                             in kid order), so that phase 2 places the kids of a kept match
                             without decoding their blocks again (tt_malloc'd) */
  size_t npsc, psccap;
  size_t pscat;           /* where qseg_place found its last match (placings go in doc order) */
  uint8_t psc_on;         /* psc holds this segment's scores (reset by qseg_open) */
  uint8_t psc_lazy;       /* ... only of the matches qseg_keep_score was called for: a
                             two-syllable phrase its pair term decides (reset by qseg_open) */
  uint8_t psc_win;        /* ... of every match phase 2 asks about (a kid of the root, kept
                             in full): qseg_bound and qseg_dbound take the phrase's bounds from
                             psc, not from its kids' blocks (set by the caller after qseg_eval;
                             reset by qseg_open) */

  /* Q_PHRASE, Q_AND: pairs[i] is the syllable-pair term (indexer/pairs.h) of kids i and i + 1
   * when both are Q_TERM syllables of the pair list, else NULL (nkids - 1 entries; NULL when
   * no pair exists). A Q_KEY node that is not in kids: its cursor is opened only on segments
   * built with the compiled pair list (pairs_on), where its list is exactly the documents in
   * which the two syllables stand adjacent (no list = nowhere). */
  qnode **pairs;
  uint8_t pairs_on;       /* this segment has the pair terms */
};

/* What a parse produces. */
typedef struct qtree {
  qnode *root;            /* always Q_AND */
  char **terms;           /* positive folded syllables for highlighting; "x*" for prefixes */
  size_t nterms;
  char *note;             /* notes for the user (prefix expansion capped), or NULL */
  double maxprox;         /* largest proximity bonus a document can get */
} qtree;

/* Parse query[0, len) against reader r (for prefix expansion and statistics). strict = the
 * global --exact. Returns 0, TT_ESYNTAX (message shows the query and a caret), TT_ENOMEM or an
 * index error. On error *t is empty. */
int  qtree_parse(qtree *t, tt_reader *r, tt_analyzer *an, const char *query, size_t len, int strict);
void qtree_free(qtree *t);

/* ---- matching on one segment (match.c) */
typedef struct qseg {
  tt_reader *r;
  const tt_segment *seg;
  double ratio;           /* max(1, index average / segment average) over the fields, + slack */
  int err;                /* first error while matching (sticky) */
  size_t words;           /* 64-bit words of a bitmap over the segment's docs */
  int no_pairs;           /* ignore pair terms (tt_search_options.positions_only) */
  int rank;               /* a relevance top k follows phase 1: a phrase that its pair term
                             decides (two syllables) is made psc_lazy (0 after qseg_open; the
                             caller sets it) */
  uint32_t nt_doc, nb_doc;/* the docs whose title / body length norms (BM25) are in ... */
  double nt, nb;          /* ... these, computed once per doc for all its terms (score_term) */
} qseg;

/* Open every leaf's cursors on segment s and order the iterators by cost; no_pairs: do not use
 * the segment's pair terms. */
int      qseg_open(qseg *q, tt_reader *r, uint32_t s, qnode *root, int no_pairs);
/* Re-open the cursors of the tree (after qseg_eval consumed them). */
int      qseg_rewind(qseg *q, qnode *root);
/* The same as qseg_rewind (after qseg_open on the same segment), without the dictionary
 * lookups: the cursors are reopened on the lists qseg_open found. */
int      qseg_restart(qseg *q, qnode *root);
/* The exact match set of n on the segment, restricted to mask (NULL: every doc), into out
 * (q->words words). Decodes doc ids into bitmaps instead of leapfrogging document by document;
 * positions are checked for the candidates of phrases and NEAR. Consumes the cursors (call
 * qseg_rewind before qseg_seek). Errors go to q->err. */
void     qseg_eval(qseg *q, qnode *n, uint64_t *out, const uint64_t *mask);
/* The exact-form set of a tier term (every doc whose exact list has it) into n->bits. */
int      qseg_exact_bits(qseg *q, qnode *n);
/* Phrase n (psc_lazy) matches d, which is past every doc kept so far: keep d's BM25F part and
 * its kids' frequencies as phase 1 keeps them for verified phrases, so that qseg_bits_bound is
 * exact for the phrase and qseg_place puts it on d without its cursors. Moves the kids'
 * cursors to d. Phase 2 would otherwise place both syllables on most matches it bounds (the
 * block-max bounds of two frequent syllables drop few) and walk the tree to bound and score
 * each. Returns 0 or an error (also in q->err). */
int      qseg_keep_score(qseg *q, qnode *n, uint32_t d);
/* Put the nodes of the tree that match d (which root n matches) on d, and the others off it,
 * from the match sets qseg_eval kept (OR kids) or the cursors: cheaper than qseg_seek, which
 * would leapfrog and check positions again. Errors go to q->err. */
void     qseg_place(qseg *q, qnode *n, uint32_t d);
/* Put term n (a plain Q_TERM whose list holds d, d not below its last target) on d and return
 * its score, exactly as qseg_score would. Errors go to q->err. */
double   qseg_term_place_score(qseg *q, qnode *n, uint32_t d);
/* First matching doc >= target, or Q_END. Targets must not decrease. Errors go to q->err. */
uint32_t qseg_seek(qseg *q, qnode *n, uint32_t target);
/* Score of the doc every positive node is on (after qseg_seek returned d), without
 * proximity, and the proximity bonus. */
double   qseg_score(qseg *q, qnode *n, uint32_t d);
double   qseg_proximity(qseg *q, qnode *n, uint32_t d);
/* Upper bound of qseg_score for every doc in [d, *win] (block-max bounds); *win is lowered to
 * the last doc the bound is valid for. Moves cursors shallowly (never past d). */
double   qseg_bound(qseg *q, qnode *n, uint32_t d, uint32_t *win);
/* Tighter bound for doc d inside the current window: only the nodes on d count, with their
 * window bounds; the exact-tier terms it counted are appended to tiers[*nt] (capacity: the
 * number of Q_TERM nodes), so the caller can drop the tiers that d lacks. */
double   qseg_dbound(qseg *q, qnode *n, uint32_t d, qnode **tiers, int *nt);
/* Bound of the score plus proximity of doc d from the match sets kept by qseg_eval (no cursor
 * moves): the window bounds of the terms on d, the exact-form tiers d has (where the sets were
 * built), and the proximity pairs of the ANDs on d. */
double   qseg_bits_bound(qnode *n, uint32_t d);
/* The document sets of the pair terms of the ANDs (proximity) into their bits, so that
 * qseg_bits_bound counts a proximity bonus only where the pair stands; skipped for a pair list
 * over 16 times longer than cnt, the segment's matches. Errors go to q->err (returned). */
int      qseg_pair_bits(qseg *q, qnode *n, uint64_t cnt);
/* Number of Q_TERM nodes in the tree. */
int      qtree_count_terms(const qnode *n);
/* Largest proximity bonus of the tree. */
double   qtree_maxprox(const qnode *n);

/* tt_search without grouping (search.c): every hit of the ranked page. query/group.c's
 * tt_search folds near-duplicates on top of it. */
int tt_search__ranked(tt_reader *r, const char *query, size_t len, const tt_search_options *o,
                      tt_results *out);

#endif
