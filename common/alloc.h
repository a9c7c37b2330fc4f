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

/* Bytes currently allocated through the functions above, over all threads. */
size_t tt_alloc_used(void);

#endif
