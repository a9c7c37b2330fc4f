/* In-memory inversion of a segment under construction (indexer/inverter.h).
 *
 * A per-document pass turns the tokens into 64-bit keys (term index << 32 | position), sorts
 * them, and appends one record per distinct term to that term's vbyte stream. Streams are
 * decoded only at flush. The term table is open addressing over XXH3 hashes; a slot holds the
 * hash's high half as a tag, and a term its key's first 8 bytes, so that a lookup of a key of up
 * to 8 bytes (most syllables) reads the slot and the term and never the key bytes. */
#include "indexer/inverter.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#define XXH_INLINE_ALL  /* the short-key paths of XXH3 inlined here: no call per token */
#include <xxhash.h>

#include "common/alloc.h"
#include "common/endian.h"
#include "common/error.h"
#include "indexer/pairs.h"
#include "indexer/vbyte.h"

struct tt_inverter {
  tt_inv_term *terms;    /* nterms entries */
  size_t nterms, capterms;
  uint64_t *slots;       /* open addressing: high 32 bits of the hash << 32 | term index + 1 (0 = empty) */
  size_t nslots;         /* power of two */
  tt_buf keys;           /* all key bytes */
  struct { uint32_t pos, next; } *chain;  /* per-document position chains */
  uint32_t *touched;     /* terms seen in the current document */
  size_t capscratch;
  uint32_t stamp;        /* current document's mark in tt_inv_term.touch */
  tt_inv_term **sorted;
  size_t stream_bytes;   /* capacity of all streams */
  /* syllable pairs (see "Syllable pairs" below) */
  struct { uint32_t pos; int32_t id; } *pl;  /* the document's common syllables, in position order */
  size_t npl, cappl;
  uint32_t *pairtab;     /* [a * TT_PAIRS_N + b]: term index + 1 of pair (a, b), 0 = not yet */
  /* stream blocks of up to TT_SMALL_MAX bytes (see "Memory" below) */
  char *bump, *bump_end;  /* free space of the newest chunk */
  char **chunks;          /* every chunk, TT_CHUNK bytes each */
  size_t nchunks, capchunks;
  char *freel[32];        /* freel[c]: freed blocks of class c (next pointer in their first bytes) */
};

/* ---- Memory. The term records, the hash table and the stream ends are read at random over
 * tens to hundreds of MB, once or twice per token: with 4 KiB pages nearly every access is a
 * TLB miss besides a cache miss, and every page is a fault when first touched. So these live
 * in anonymous maps marked MADV_HUGEPAGE (transparent huge pages where the system allows them
 * in "madvise" mode; elsewhere the hint is ignored): the records and the table in maps of
 * their own, grown with mremap; the streams of up to TT_SMALL_MAX bytes (all but a few) in
 * TT_CHUNK chunks, as blocks of the capacities tt_buf_reserve would give them (so every
 * capacity, tt_inverter_bytes() and hence every flush point stays the same), with freed blocks
 * kept per capacity class for reuse. Larger streams are tt_realloc'd as before. Measured in
 * docs/decisions.md "Inverter memory in huge pages". */
#define TT_SMALL_MAX ((size_t)64 << 10)
#define TT_CHUNK ((size_t)32 << 20)

static void *map_huge(size_t bytes)
{
  void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) return NULL;
#ifdef MADV_HUGEPAGE
  madvise(p, bytes, MADV_HUGEPAGE);  /* a hint: failure changes nothing */
#endif
  return p;
}

/* Grow a map_huge() map from old to bytes (contents kept, the tail zero). NULL on failure,
 * the old map then intact. */
static void *remap_huge(void *p, size_t old, size_t bytes)
{
  if (!p) return map_huge(bytes);
  void *q = mremap(p, old, bytes, MREMAP_MAYMOVE);
  return q == MAP_FAILED ? NULL : q;
}

static void unmap_huge(void *p, size_t bytes)
{
  if (p) munmap(p, bytes);
}

/* Capacity class of a stream block: caps follow tt_buf_grow_ (64, then cap += cap / 2 + 64). */
static size_t cap_next(size_t cap) { return cap ? cap + cap / 2 + 64 : 64; }

static unsigned cap_class(size_t cap)
{
  unsigned c = 0;
  for (size_t x = 64; x < cap; x = cap_next(x)) c++;
  return c;
}

/* Make room in t->stream for extra more bytes plus the NUL, as tt_buf_reserve does (same
 * capacities), with blocks of up to TT_SMALL_MAX from the chunks. Returns 0 or TT_ENOMEM. */
static int stream_reserve(tt_inverter *inv, tt_buf *b, size_t extra)
{
  size_t need = b->n + extra + 1;
  if (need <= b->cap) return 0;
  size_t cap = cap_next(b->cap);
  while (cap < need) cap = cap_next(cap);
  char *p;
  if (cap > TT_SMALL_MAX) {
    if (b->cap > TT_SMALL_MAX) {  /* already on the heap: realloc keeps the bytes */
      p = tt_realloc(b->p, cap);
      if (!p) return TT_ENOMEM;
      b->p = p;
      b->cap = cap;
      return 0;
    } else {
      p = tt_malloc(cap);
      if (!p) return TT_ENOMEM;
    }
  } else {
    unsigned c = cap_class(cap);
    if (inv->freel[c]) {
      p = inv->freel[c];
      memcpy(&inv->freel[c], p, sizeof p);
      if (inv->freel[c]) __builtin_prefetch(inv->freel[c], 1);  /* the next pop reads it */
    } else {
      if ((size_t)(inv->bump_end - inv->bump) < cap) {
        if (tt_array_reserve(inv->chunks, inv->capchunks, inv->nchunks + 1)) return TT_ENOMEM;
        char *k = map_huge(TT_CHUNK);
        if (!k) return TT_ENOMEM;
        inv->chunks[inv->nchunks++] = k;
        inv->bump = k;
        inv->bump_end = k + TT_CHUNK;
      }
      p = inv->bump;
      inv->bump += cap;
    }
  }
  if (b->p) {
    memcpy(p, b->p, b->n + 1);
    if (b->cap <= TT_SMALL_MAX) {  /* the old block to its class's free list */
      unsigned c = cap_class(b->cap);
      memcpy(b->p, &inv->freel[c], sizeof b->p);
      inv->freel[c] = b->p;
    }
  }
  b->p = p;
  b->cap = cap;
  return 0;
}

static void streams_free(tt_inverter *inv)
{
  for (size_t i = 0; i < inv->nterms; i++)
    if (inv->terms[i].stream.cap > TT_SMALL_MAX) tt_free(inv->terms[i].stream.p);
  for (size_t i = 0; i < inv->nchunks; i++) unmap_huge(inv->chunks[i], TT_CHUNK);
  inv->nchunks = 0;
  inv->bump = inv->bump_end = NULL;
  memset(inv->freel, 0, sizeof inv->freel);
}

int tt_inverter_new(tt_inverter **out)
{
  *out = NULL;
  tt_inverter *inv = tt_calloc(1, sizeof *inv);
  TT_CHECK_ALLOC(inv);
  inv->nslots = 1 << 16;
  inv->slots = map_huge(inv->nslots * sizeof *inv->slots);
  if (!inv->slots) { tt_free(inv); return tt_error_set(TT_ENOMEM, "out of memory (inverter)"); }
  *out = inv;
  return 0;
}

void tt_inverter_reset(tt_inverter *inv)
{
  streams_free(inv);
  inv->nterms = 0;
  inv->stream_bytes = 0;
  memset(inv->slots, 0, inv->nslots * sizeof *inv->slots);
  tt_buf_reset(&inv->keys);
  tt_free(inv->sorted);
  inv->sorted = NULL;
  if (inv->pairtab) memset(inv->pairtab, 0, (size_t)TT_PAIRS_N * TT_PAIRS_N * sizeof *inv->pairtab);
}

void tt_inverter_free(tt_inverter *inv)
{
  if (!inv) return;
  tt_inverter_reset(inv);
  unmap_huge(inv->terms, inv->capterms * sizeof *inv->terms);
  unmap_huge(inv->slots, inv->nslots * sizeof *inv->slots);
  tt_free(inv->chunks);
  tt_free(inv->chain);
  tt_free(inv->touched);
  tt_free(inv->pl);
  tt_free(inv->pairtab);
  tt_buf_fini(&inv->keys);
  tt_free(inv);
}

size_t tt_inverter_bytes(const tt_inverter *inv)
{
  return inv->capterms * sizeof(tt_inv_term) +
         inv->nslots * sizeof(uint64_t) + inv->keys.cap + inv->stream_bytes +
         inv->capscratch * (sizeof(*inv->chain) + sizeof(uint32_t)) + inv->cappl * sizeof *inv->pl +
         (inv->pairtab ? (size_t)TT_PAIRS_N * TT_PAIRS_N * sizeof *inv->pairtab : 0);
}

size_t tt_inverter_nterms(const tt_inverter *inv) { return inv->nterms; }

const char *tt_inverter_key(const tt_inverter *inv, const tt_inv_term *t)
{
  return inv->keys.p + t->key_off;
}

/* A term is one cache line; its size is also what the memory budget counts per term, so keep
 * it from growing unnoticed (a change moves every flush point). */
_Static_assert(sizeof(void *) != 8 || sizeof(tt_inv_term) == 64, "tt_inv_term is 64 bytes");

static inline uint64_t key_hash(const char *key, uint32_t len, int positional)
{
  return XXH3_64bits(key, len) ^ (uint64_t)positional;
}

/* Double the slots; the hashes are recomputed from the keys (amortised, one per term). */
static int grow_table(tt_inverter *inv)
{
  size_t n = inv->nslots * 2;
  uint64_t *s = map_huge(n * sizeof *s);
  TT_CHECK_ALLOC(s);
  for (size_t i = 0; i < inv->nterms; i++) {
    const tt_inv_term *t = &inv->terms[i];
    uint64_t h = key_hash(inv->keys.p + t->key_off, t->key_len, (int)t->positional);
    size_t j = h & (n - 1);
    while (s[j]) j = (j + 1) & (n - 1);
    s[j] = (h >> 32) << 32 | ((uint64_t)i + 1);
  }
  unmap_huge(inv->slots, inv->nslots * sizeof *inv->slots);
  inv->slots = s;
  inv->nslots = n;
  return 0;
}

/* Is t the term (key, len, positional)? head = tt_load_le_upto64(key, len). A key of 9 to 16
 * bytes (most syllables with diacritics) compares its last 8 bytes as one word (bytes 0-7 are
 * the head), no memcmp call. */
static inline int term_is(const tt_inverter *inv, const tt_inv_term *t, const char *key, uint32_t len,
                          uint64_t head, int positional)
{
  if (t->key8 != head || t->key_len != len || t->positional != (uint32_t)positional) return 0;
  if (len <= 8) return 1;
  const char *k = inv->keys.p + t->key_off;
  if (len <= 16) return tt_load_le64(k + len - 8) == tt_load_le64(key + len - 8);
  return !memcmp(k + 8, key + 8, len - 8);
}

/* Index of the term with this key and hash (key_hash), created if new. Returns -1 on out of
 * memory. */
static int64_t term_id_h(tt_inverter *inv, const char *key, uint32_t len, int positional, uint64_t h)
{
  if (len >= (1u << 31)) return -1;  /* key_len has 31 bits; tokens are far shorter */
  uint64_t head = tt_load_le_upto64(key, len);
  size_t mask = inv->nslots - 1, j = h & mask;
  uint64_t tag = (h >> 32) << 32;
  for (;;) {
    uint64_t s = inv->slots[j];
    if (!s) break;
    if ((s & 0xFFFFFFFF00000000ull) == tag) {
      uint32_t id = (uint32_t)s - 1;
      tt_inv_term *t = &inv->terms[id];
      if (term_is(inv, t, key, len, head, positional)) return id;
    }
    j = (j + 1) & mask;
  }
  if (inv->nterms == inv->capterms) {
    size_t cap = inv->capterms ? inv->capterms * 2 : 4096;
    tt_inv_term *nt = remap_huge(inv->terms, inv->capterms * sizeof *nt, cap * sizeof *nt);
    if (!nt) return -1;
    inv->terms = nt;
    inv->capterms = cap;
  }
  if (inv->keys.n + len > UINT32_MAX) return -1;
  size_t id = inv->nterms++;
  tt_inv_term *t = &inv->terms[id];
  memset(t, 0, sizeof *t);
  t->key8 = head;
  t->key_off = (uint32_t)inv->keys.n;
  t->key_len = len;
  t->positional = (uint32_t)positional;
  if (positional) t->pair_id = tt_pairs_id(key, len); /* else fold = 0 (memset): no hint yet */
  if (tt_buf_append(&inv->keys, key, len) || tt_buf_putc(&inv->keys, 0)) return -1;
  inv->slots[j] = tag | ((uint64_t)id + 1);
  if (inv->nterms * 2 > inv->nslots && grow_table(inv)) return -1;
  return (int64_t)id;
}

static inline int64_t term_id(tt_inverter *inv, const char *key, uint32_t len, int positional)
{
  return term_id_h(inv, key, len, positional, key_hash(key, len, positional));
}

/* ---- look-ahead. The table's slots and the term records are far larger than the caches, so a
 * lookup waits on memory twice (slot, then term). add_tokens therefore hashes the first key of
 * token i + TT_LOOKAHEAD (the one its lookup starts with: the exact form of a word with
 * diacritics, else the folded form) and prefetches its slot, and at token i + TT_LOOKAHEAD / 2
 * reads that slot (in cache by then) and prefetches the term it names, if the tag matches.
 * Prefetches are hints only: a table grown meanwhile costs a miss, never a wrong answer. */
#define TT_LOOKAHEAD 16

static inline void first_key(const tt_token *t, const char **key, uint32_t *len, int *positional)
{
  if (!(t->flags & (TT_TOKEN_KEYWORD | TT_TOKEN_KEYWORD_POS)) && (t->flags & TT_TOKEN_FOLDED)) {
    *key = t->exact; *len = t->exact_len; *positional = 0;
  } else {
    *key = t->folded; *len = t->folded_len; *positional = !(t->flags & TT_TOKEN_KEYWORD);
  }
}

static inline uint64_t token_hash(const tt_token *t)
{
  const char *key;
  uint32_t len;
  int positional;
  first_key(t, &key, &len, &positional);
  return key_hash(key, len, positional);
}

void tt_inverter_hash_tokens(const tt_token *t, size_t n, uint64_t *out)
{
  for (size_t i = 0; i < n; i++) out[i] = token_hash(&t[i]);
}

/* Hash of token j: from the caller's array pre when given, else from the ring add_tokens fills
 * TT_LOOKAHEAD tokens ahead. */
static inline uint64_t hash_of(const uint64_t *pre, const uint64_t *ring, size_t j)
{
  return pre ? pre[j] : ring[j % TT_LOOKAHEAD];
}

static inline void prefetch_term(const tt_inverter *inv, uint64_t h)
{
  uint64_t s = inv->slots[h & (inv->nslots - 1)];
  if (s && (s >> 32) == (h >> 32)) __builtin_prefetch(&inv->terms[(uint32_t)s - 1]);
}

/* A word with diacritics reaches its folded term through the exact term's hint (add_tokens):
 * a second dependent miss. TT_LOOKAHEAD / 4 tokens ahead the exact term's slot and record are
 * in cache (prefetched earlier), so read the hint and prefetch the folded term's record. */
static inline void prefetch_fold(const tt_inverter *inv, uint64_t h)
{
  uint64_t s = inv->slots[h & (inv->nslots - 1)];
  if (s && (s >> 32) == (h >> 32)) {
    const tt_inv_term *t = &inv->terms[(uint32_t)s - 1];
    if (!t->positional && t->fold) __builtin_prefetch(&inv->terms[t->fold - 1]);
  }
}

/* A key longer than 16 bytes (entity mentions "person:...", "ent:..." terms, long compounds)
 * is compared with memcmp against its bytes in inv->keys, at a random place: a third dependent
 * miss after slot and record. TT_LOOKAHEAD / 4 tokens ahead the record is in cache (prefetched
 * earlier), so prefetch the stored key's bytes that term_is reads, [8, len): first and last
 * line. */
static inline void prefetch_key(const tt_inverter *inv, uint64_t h)
{
  uint64_t s = inv->slots[h & (inv->nslots - 1)];
  if (s && (s >> 32) == (h >> 32)) {
    const tt_inv_term *t = &inv->terms[(uint32_t)s - 1];
    const char *k = inv->keys.p + t->key_off;
    __builtin_prefetch(k + 8);
    __builtin_prefetch(k + t->key_len - 1);
  }
}

/* Per-document pass without sorting: each token's position is appended to a chain owned by
 * its term (head/tail indexes into chain[]), and each term touched in the document is listed
 * once in touched[]; then every touched term emits one record. Positions arrive in increasing
 * order, so each chain is already sorted. */
static int note(tt_inverter *inv, int64_t id, uint32_t pos, uint32_t *k, uint32_t *nt)
{
  if (id < 0) return TT_ENOMEM;
  tt_inv_term *t = &inv->terms[id];
  uint32_t slot = (*k)++;
  inv->chain[slot].pos = pos;
  inv->chain[slot].next = UINT32_MAX;
  if (t->touch != inv->stamp) {
    t->touch = inv->stamp;
    t->head = t->tail = slot;
    inv->touched[(*nt)++] = (uint32_t)id;
    /* the emit loop of tt_inverter_add appends to this term's stream after the document's
     * last token: fetch the stream's end now, while the record is in cache */
    if (t->stream.p) __builtin_prefetch(t->stream.p + t->stream.n, 1);
  } else {
    inv->chain[t->tail].next = slot;
    t->tail = slot;
  }
  return 0;
}

/* Whether part f[a..b) of a compound already occurred before a (a term gets a position once). */
static int seen_part(const char *f, uint32_t a, uint32_t b)
{
  for (uint32_t x = 0, y = 0; y < a; y++) {
    if (!strchr("-/.,", f[y])) continue;
    if (y - x == b - a && !memcmp(f + x, f + a, b - a)) return 1;
    x = y + 1;
  }
  return 0;
}

/* ---- syllable pairs (indexer/pairs.h). add_tokens lists every occurrence of a syllable of the
 * pair list (the token's folded form or a compound part) with its position in pl[]; then
 * add_pairs notes the pair term of every two listed syllables at positions p and p + 1 (a
 * compound's parts share its position, so each combination counts), at position p: the stream
 * loop turns that into tf_title / tf_body. Positions arrive in nondecreasing order, so the
 * occurrences at one position are contiguous in pl[]. */
static inline void pair_mark(tt_inverter *inv, int64_t id, uint32_t pos)
{
  if (id < 0 || inv->terms[id].pair_id < 0 || inv->npl >= inv->cappl) return;
  inv->pl[inv->npl].pos = pos;
  inv->pl[inv->npl].id = inv->terms[id].pair_id;
  inv->npl++;
}

static int grow_scratch(tt_inverter *inv, size_t need)
{
  if (need <= inv->capscratch) return 0;
  size_t cap = need + need / 2 + 256;
  void *c = tt_realloc(inv->chain, cap * sizeof *inv->chain);
  if (!c) return tt_error_set(TT_ENOMEM, "out of memory (inverter scratch)");
  inv->chain = c;
  uint32_t *t = tt_realloc(inv->touched, cap * sizeof *t);
  if (!t) return tt_error_set(TT_ENOMEM, "out of memory (inverter scratch)");
  inv->touched = t;
  inv->capscratch = cap;
  return 0;
}

static int add_pairs(tt_inverter *inv, uint32_t *k, uint32_t *nt)
{
  size_t n = inv->npl, extra = 0;
  /* room in chain[] / touched[]: one slot per combination. The occurrences come in groups of
   * one position; [pi, pj) is the group before [i, j). */
  for (size_t i = 0, j, pi = 0, pj = 0; i < n; pi = i, pj = j, i = j) {
    for (j = i + 1; j < n && inv->pl[j].pos == inv->pl[i].pos; j++) {}
    if (pj > pi && inv->pl[i].pos == inv->pl[pi].pos + 1) extra += (pj - pi) * (j - i);
  }
  if (!extra) return 0;
  if ((size_t)*k + extra > UINT32_MAX / 2) return tt_error_set(TT_EINVAL, "document has too many tokens");
  TT_FORWARD(grow_scratch(inv, (size_t)*k + extra));
  if (!inv->pairtab) {
    inv->pairtab = tt_calloc((size_t)TT_PAIRS_N * TT_PAIRS_N, sizeof *inv->pairtab);
    TT_CHECK_ALLOC(inv->pairtab);
  }
  /* Three passes over the combinations, so that the table cells and the term records can be
   * prefetched ahead: (1) list each combination's cell in pairtab and its position, in the
   * chain slots its note will take (chain[k0 + q]: .pos, .next = cell; note q overwrites slot
   * k0 + q only after reading it); (2) turn cells into term ids, creating new pair terms in
   * order; (3) note them. */
  uint32_t k0 = *k, m = 0;
  for (size_t i = 0, j, pi = 0, pj = 0; i < n; pi = i, pj = j, i = j) {
    for (j = i + 1; j < n && inv->pl[j].pos == inv->pl[i].pos; j++) {}
    if (pj == pi || inv->pl[i].pos != inv->pl[pi].pos + 1) continue;
    for (size_t x = pi; x < pj; x++)
      for (size_t y = i; y < j; y++) {
        uint32_t cell = (uint32_t)inv->pl[x].id * TT_PAIRS_N + (uint32_t)inv->pl[y].id;
        __builtin_prefetch(&inv->pairtab[cell]);
        inv->chain[k0 + m].pos = inv->pl[x].pos;
        inv->chain[k0 + m].next = cell;
        m++;
      }
  }
  for (uint32_t q = 0; q < m; q++) {
    uint32_t cell = inv->chain[k0 + q].next, *slot = &inv->pairtab[cell];
    if (!*slot) {
      char key[TT_PAIRS_KEY_MAX];
      size_t len = tt_pairs_key(key, (int)(cell / TT_PAIRS_N), (int)(cell % TT_PAIRS_N));
      int64_t id = term_id(inv, key, (uint32_t)len, 0);
      if (id < 0) return tt_error_set(TT_ENOMEM, "out of memory (inverter terms)");
      *slot = (uint32_t)id + 1;
    }
    inv->chain[k0 + q].next = *slot - 1;
  }
  for (uint32_t q = 0; q < m && q < TT_LOOKAHEAD; q++)
    __builtin_prefetch(&inv->terms[inv->chain[k0 + q].next]);
  for (uint32_t q = 0; q < m; q++) {
    uint32_t id = inv->chain[k0 + q].next, pos = inv->chain[k0 + q].pos;
    if (q + TT_LOOKAHEAD < m) __builtin_prefetch(&inv->terms[inv->chain[k0 + q + TT_LOOKAHEAD].next]);
    note(inv, id, pos, k, nt);  /* id >= 0: cannot fail */
  }
  return 0;
}

/* pre: token_hash of each of the n tokens, or NULL (computed here, TT_LOOKAHEAD ahead). */
static int add_tokens(tt_inverter *inv, const tt_token *toks, size_t n, const uint64_t *pre,
                      uint32_t *k, uint32_t *nt)
{
  uint64_t ring[TT_LOOKAHEAD];  /* without pre, ring[j % TT_LOOKAHEAD]: token_hash(&toks[j]), j in [i, i + TT_LOOKAHEAD) */
  for (size_t j = 0; j < n && j < TT_LOOKAHEAD; j++) {
    if (!pre) ring[j] = token_hash(&toks[j]);
    __builtin_prefetch(&inv->slots[hash_of(pre, ring, j) & (inv->nslots - 1)]);
  }
  for (size_t i = 0; i < n; i++) {
    const tt_token *t = &toks[i];
    uint64_t h = hash_of(pre, ring, i);
    if (i + TT_LOOKAHEAD < n) {
      if (!pre) ring[i % TT_LOOKAHEAD] = token_hash(&toks[i + TT_LOOKAHEAD]);
      __builtin_prefetch(&inv->slots[hash_of(pre, ring, i + TT_LOOKAHEAD) & (inv->nslots - 1)]);
    }
    if (i + TT_LOOKAHEAD / 2 < n) prefetch_term(inv, hash_of(pre, ring, i + TT_LOOKAHEAD / 2));
    if (i + TT_LOOKAHEAD / 4 < n) {
      const tt_token *u = &toks[i + TT_LOOKAHEAD / 4];
      if ((u->flags & (TT_TOKEN_FOLDED | TT_TOKEN_KEYWORD | TT_TOKEN_KEYWORD_POS)) == TT_TOKEN_FOLDED)
        prefetch_fold(inv, hash_of(pre, ring, i + TT_LOOKAHEAD / 4));
      else if (u->folded_len > 16)  /* its first key is the folded form (first_key) */
        prefetch_key(inv, hash_of(pre, ring, i + TT_LOOKAHEAD / 4));
    }
    if (t->flags & TT_TOKEN_KEYWORD) {  /* a field keyword: one non-positional term */
      if (note(inv, term_id_h(inv, t->folded, t->folded_len, 0, h), UINT32_MAX, k, nt)) return TT_ENOMEM;
      continue;
    }
    if (t->flags & TT_TOKEN_KEYWORD_POS) {  /* an entity mention: positional, at its first token */
      if (note(inv, term_id_h(inv, t->folded, t->folded_len, 1, h), t->pos, k, nt)) return TT_ENOMEM;
      continue;
    }
    int64_t ex = -1, fo;
    if (t->flags & TT_TOKEN_FOLDED) {
      /* A word with diacritics: the exact form's term remembers the folded term last seen
       * with it, so the folded form (almost always the same for the same exact form) costs a
       * check instead of a second lookup. */
      if ((ex = term_id_h(inv, t->exact, t->exact_len, 0, h)) < 0) return TT_ENOMEM;
      uint32_t f = inv->terms[ex].fold;
      if (f && term_is(inv, &inv->terms[f - 1], t->folded, t->folded_len,
                       tt_load_le_upto64(t->folded, t->folded_len), 1)) {
        fo = f - 1;
      } else {
        if ((fo = term_id(inv, t->folded, t->folded_len, 1)) < 0) return TT_ENOMEM;
        inv->terms[ex].fold = (uint32_t)fo + 1;
      }
    } else {
      fo = term_id_h(inv, t->folded, t->folded_len, 1, h);
    }
    if (note(inv, fo, t->pos, k, nt)) return TT_ENOMEM;
    pair_mark(inv, fo, t->pos);
    if (t->flags & TT_TOKEN_COMPOUND) {
      /* "covid-19", "72-nq/tw": each part is also a folded term at the token's position, so
       * that "covid" finds COVID-19 (docs/format.md) */
      const char *f = t->folded;
      uint32_t a = 0;
      for (uint32_t b = 0; b <= t->folded_len; b++) {
        if (b < t->folded_len && !strchr("-/.,", f[b])) continue;
        if (b > a && b - a < t->folded_len && !seen_part(f, a, b)) {
          int64_t pid = term_id(inv, f + a, b - a, 1);
          if (note(inv, pid, t->pos, k, nt)) return TT_ENOMEM;
          pair_mark(inv, pid, t->pos);
        }
        a = b + 1;
      }
    }
    if (ex >= 0 && note(inv, ex, t->pos, k, nt)) return TT_ENOMEM;
  }
  return 0;
}

/* vbyte into a buffer with room (the hot loop's inline copy of tt_vbyte_encode32) */
static inline uint8_t *put_vbyte(uint8_t *o, uint32_t v)
{
  while (v >= 0x80) { *o++ = (uint8_t)(v | 0x80); v >>= 7; }
  *o++ = (uint8_t)v;
  return o;
}

int tt_inverter_add(tt_inverter *inv, uint32_t doc, const tt_token *title, size_t ntitle,
                    const tt_token *body, size_t nbody, uint32_t title_end)
{
  return tt_inverter_add_hashed(inv, doc, title, ntitle, body, nbody, title_end, NULL);
}

int tt_inverter_add_hashed(tt_inverter *inv, uint32_t doc, const tt_token *title, size_t ntitle,
                           const tt_token *body, size_t nbody, uint32_t title_end,
                           const uint64_t *hash)
{
  size_t need = 2 * (ntitle + nbody);
  for (size_t i = 0; i < ntitle + nbody; i++) {  /* compound parts take extra slots */
    const tt_token *t = i < ntitle ? &title[i] : &body[i - ntitle];
    if (t->flags & TT_TOKEN_COMPOUND) need += t->folded_len / 2 + 1;
  }
  if (need > UINT32_MAX / 2) return tt_error_set(TT_EINVAL, "document has too many tokens");
  TT_FORWARD(grow_scratch(inv, need));
  if (need > inv->cappl) {   /* pair list occurrences: at most one per noted slot */
    size_t cap = need + need / 2 + 256;
    void *p = tt_realloc(inv->pl, cap * sizeof *inv->pl);
    if (!p) return tt_error_set(TT_ENOMEM, "out of memory (inverter scratch)");
    inv->pl = p;
    inv->cappl = cap;
  }
  inv->npl = 0;
  inv->stamp++;
  if (inv->stamp == 0) {  /* wrapped: clear every term's stamp */
    for (size_t i = 0; i < inv->nterms; i++) inv->terms[i].touch = 0;
    inv->stamp = 1;
  }
  uint32_t k = 0, nt = 0;
  if (add_tokens(inv, title, ntitle, hash, &k, &nt) ||
      add_tokens(inv, body, nbody, hash ? hash + ntitle : NULL, &k, &nt))
    return tt_error_set(TT_ENOMEM, "out of memory (inverter terms)");
  TT_FORWARD(add_pairs(inv, &k, &nt));

  /* Each touched term's record was read by note() during this document, and its stream's
   * end prefetched there (the record in cache then): no prefetch needed here. */
  for (uint32_t i = 0; i < nt; i++) {
    tt_inv_term *t = &inv->terms[inv->touched[i]];
    uint32_t tft = 0, tf = 0;
    for (uint32_t s = t->head; s != UINT32_MAX; s = inv->chain[s].next) {
      tf++;
      tft += inv->chain[s].pos < title_end;
    }
    size_t before = t->stream.cap;
    if (stream_reserve(inv, &t->stream, 15 + (t->positional ? (size_t)tf * 5 : 0))) return TT_ENOMEM;
    uint8_t *o = (uint8_t *)t->stream.p + t->stream.n;
    o = put_vbyte(o, doc - t->next_doc);
    o = put_vbyte(o, tft);
    o = put_vbyte(o, tf - tft);
    if (t->positional) {
      uint32_t next = 0;
      for (uint32_t s = t->head; s != UINT32_MAX; s = inv->chain[s].next) {
        uint32_t p = inv->chain[s].pos;
        o = put_vbyte(o, p - next);
        next = p + 1;
      }
    }
    t->stream.n = (size_t)(o - (uint8_t *)t->stream.p);
    t->stream.p[t->stream.n] = 0;
    inv->stream_bytes += t->stream.cap - before;
    t->next_doc = doc + 1;
    t->df++;
  }
  return 0;
}

static int cmp_terms(const void *a, const void *b, void *ctx)
{
  const tt_inverter *inv = ctx;
  const tt_inv_term *x = *(tt_inv_term *const *)a, *y = *(tt_inv_term *const *)b;
  size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
  int c = memcmp(inv->keys.p + x->key_off, inv->keys.p + y->key_off, n);
  if (c) return c;
  if (x->key_len != y->key_len) return x->key_len < y->key_len ? -1 : 1;
  return (int)x->positional - (int)y->positional;
}

/* Sort item: 8 bytes of the key from some offset (first the key's first 8 bytes, the term's
 * key8), big-endian and zero-padded past the key's end, so that comparing two heads as integers
 * orders the keys as cmp_terms does whenever the heads differ and the keys agree before that
 * offset (bytes equal up to a difference; a pad byte 0 there means that key is the shorter, a
 * prefix of the other, and sorts first either way). */
typedef struct sort_item { uint64_t head; tt_inv_term *t; } sort_item;

/* full: equal heads fall back to cmp_terms (a total order); else they compare equal, and the
 * stable sort keeps their input order. */
static inline int item_less(const sort_item *x, const sort_item *y, const tt_inverter *inv, int full)
{
  if (x->head != y->head) return x->head < y->head;
  return full && cmp_terms(&x->t, &y->t, (void *)inv) < 0;
}

/* Bottom-up merge sort of it[0..n) with tmp[0..n) as scratch, the comparison inlined (qsort_r
 * called a comparator per comparison). Stable. */
static void sort_items(sort_item *it, sort_item *tmp, size_t n, const tt_inverter *inv, int full)
{
  enum { RUN = 16 };
  for (size_t b = 0; b < n; b += RUN) {  /* insertion sort of runs of RUN */
    size_t e = b + RUN < n ? b + RUN : n;
    for (size_t i = b + 1; i < e; i++) {
      sort_item v = it[i];
      size_t j = i;
      for (; j > b && item_less(&v, &it[j - 1], inv, full); j--) it[j] = it[j - 1];
      it[j] = v;
    }
  }
  sort_item *src = it, *dst = tmp;
  for (size_t w = RUN; w < n; w *= 2) {
    for (size_t lo = 0; lo < n; lo += 2 * w) {
      size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
      size_t i = lo, j = mid, o = lo;
      while (i < mid && j < hi) dst[o++] = item_less(&src[j], &src[i], inv, full) ? src[j++] : src[i++];
      while (i < mid) dst[o++] = src[i++];
      while (j < hi) dst[o++] = src[j++];
    }
    sort_item *x = src; src = dst; dst = x;
  }
  if (src != it) memcpy(it, src, n * sizeof *it);
}

/* Head of t's key at byte off (see sort_item). */
static inline uint64_t head_at(const tt_inverter *inv, const tt_inv_term *t, size_t off)
{
  if (t->key_len <= off) return 0;
  return __builtin_bswap64(tt_load_le_upto64(inv->keys.p + t->key_off + off, t->key_len - off));
}

/* Sort it[0..n), whose keys agree (zero-padded) before byte off and whose heads are the keys'
 * bytes from off: by heads, then each run of equal heads by the next 8 bytes, and so on (a
 * most-significant-first radix over 8-byte digits). Keys with long common prefixes (entity
 * terms: "hospital:benh vien ...", "ent:person:nguyen ...") then cost one read of their key
 * bytes per 8-byte digit, instead of a memcmp from a random place per comparison. A run whose
 * keys all end within the digit (or past 32 digits: the recursion stays shallow) is sorted by
 * cmp_terms. The result is cmp_terms order, which is total: keys are distinct. */
static void sort_digits(sort_item *it, sort_item *tmp, size_t n, const tt_inverter *inv, size_t off)
{
  sort_items(it, tmp, n, inv, 0);
  for (size_t a = 0, b; a < n; a = b) {
    for (b = a + 1; b < n && it[b].head == it[a].head; b++) {}
    if (b - a < 2) continue;
    int longer = 0;
    for (size_t i = a; i < b; i++) longer |= it[i].t->key_len > off + 8;
    if (!longer || off >= 32 * 8) {
      sort_items(it + a, tmp + a, b - a, inv, 1);
      continue;
    }
    for (size_t i = a; i < b; i++) it[i].head = head_at(inv, it[i].t, off + 8);
    sort_digits(it + a, tmp + a, b - a, inv, off + 8);
  }
}

int tt_inverter_sorted(tt_inverter *inv, tt_inv_term ***out, size_t *n)
{
  tt_free(inv->sorted);
  inv->sorted = tt_malloc((inv->nterms ? inv->nterms : 1) * sizeof *inv->sorted);
  TT_CHECK_ALLOC(inv->sorted);
  sort_item *it = tt_malloc((inv->nterms ? inv->nterms : 1) * 2 * sizeof *it);
  TT_CHECK_ALLOC(it);
  for (size_t i = 0; i < inv->nterms; i++) {
    it[i].head = __builtin_bswap64(inv->terms[i].key8);  /* key8: little-endian load, zero-padded */
    it[i].t = &inv->terms[i];
  }
  sort_digits(it, it + inv->nterms, inv->nterms, inv, 0);
  for (size_t i = 0; i < inv->nterms; i++) inv->sorted[i] = it[i].t;
  tt_free(it);
  *out = inv->sorted;
  *n = inv->nterms;
  return 0;
}

void tt_inv_stream_init(tt_inv_stream *s, const tt_inv_term *t)
{
  s->p = (const uint8_t *)t->stream.p;
  s->end = s->p + t->stream.n;
  s->next_doc = 0;
  s->positional = (int)t->positional;
}

/* vbyte from a stream this inverter wrote (trusted: every record is complete and the stream
 * ends in a NUL, so no bound is checked) */
static inline uint32_t get_vbyte(const uint8_t **pp)
{
  const uint8_t *p = *pp;
  uint32_t v = *p++;
  if (v >= 0x80) {
    v &= 0x7F;
    for (unsigned sh = 7;; sh += 7) {
      uint32_t c = *p++;
      v |= (c & 0x7F) << sh;
      if (c < 0x80) break;
    }
  }
  *pp = p;
  return v;
}

static inline int stream_next(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                              uint32_t *pos, uint32_t pos_cap, int gaps)
{
  if (s->p >= s->end) return 0;
  const uint8_t *p = s->p;
  uint32_t gap = get_vbyte(&p), a = get_vbyte(&p), b = get_vbyte(&p);
  *doc = s->next_doc + gap;
  s->next_doc = *doc + 1;
  *tf_title = a;
  *tf_body = b;
  if (s->positional) {
    uint32_t next = 0, n = a + b, i = 0;
    uint32_t m = n < pos_cap ? n : pos_cap;
    if (gaps) {
      for (; i < m; i++) pos[i] = get_vbyte(&p);
    } else {
      for (; i < m; i++) {
        next += get_vbyte(&p);
        pos[i] = next++;
      }
    }
    for (; i < n; i++) get_vbyte(&p);  /* no room: the caller grows pos and decodes again */
  }
  s->p = p;
  return 1;
}

int tt_inv_stream_next(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                       uint32_t *pos, uint32_t pos_cap)
{
  return stream_next(s, doc, tf_title, tf_body, pos, pos_cap, 0);
}

int tt_inv_stream_next_gaps(tt_inv_stream *s, uint32_t *doc, uint32_t *tf_title, uint32_t *tf_body,
                            uint32_t *pos, uint32_t pos_cap)
{
  return stream_next(s, doc, tf_title, tf_body, pos, pos_cap, 1);
}
