/* Heap allocation with byte accounting.
 *
 * Every long-lived or large allocation goes through tt_malloc/tt_realloc/tt_free so that
 * tt_alloc_used() can report the bytes in use (the indexer's --memory budget reads it).
 * The count uses malloc_usable_size(), so it is what the allocator really handed out. */
#ifndef TT_COMMON_ALLOC_H
#define TT_COMMON_ALLOC_H

#include <stddef.h>

void *tt_malloc(size_t n);
void *tt_calloc(size_t count, size_t n);
void *tt_realloc(void *p, size_t n);
void  tt_free(void *p);
char *tt_strndup(const char *s, size_t n);

/* Growable arrays, one growth policy for the code base: make room for `need` elements in the
 * array `p` (a pointer lvalue) of capacity `cap` (a size_t lvalue), doubling it (16 elements at
 * least). Evaluates to 0, or to -1 when the allocation fails or the byte size would overflow;
 * then p and cap are unchanged and nothing is freed. No message is set: the caller says what
 * it was building. */
#define tt_array_reserve(p, cap, need) \
  ((size_t)(need) <= (cap) ? 0 : tt_array__grow(&(p), &(cap), (size_t)(need), sizeof *(p)))
int tt_array__grow(void *pp, size_t *cap, size_t need, size_t elem);

/* Bytes currently allocated through the functions above, over all threads. */
size_t tt_alloc_used(void);

#endif
