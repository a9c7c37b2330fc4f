/* Counted heap allocation (common/alloc.h). */
#include "common/alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_size_t tt_used;

void *tt_malloc(size_t n)
{
  void *p = malloc(n ? n : 1);
  if (p) atomic_fetch_add_explicit(&tt_used, malloc_usable_size(p), memory_order_relaxed);
  return p;
}

void *tt_calloc(size_t count, size_t n)
{
  void *p = calloc(count ? count : 1, n ? n : 1);
  if (p) atomic_fetch_add_explicit(&tt_used, malloc_usable_size(p), memory_order_relaxed);
  return p;
}

void *tt_realloc(void *p, size_t n)
{
  size_t old = p ? malloc_usable_size(p) : 0;
  void *q = realloc(p, n ? n : 1);
  if (!q) return NULL;
  atomic_fetch_sub_explicit(&tt_used, old, memory_order_relaxed);
  atomic_fetch_add_explicit(&tt_used, malloc_usable_size(q), memory_order_relaxed);
  return q;
}

void tt_free(void *p)
{
  if (!p) return;
  atomic_fetch_sub_explicit(&tt_used, malloc_usable_size(p), memory_order_relaxed);
  free(p);
}

char *tt_strndup(const char *s, size_t n)
{
  char *d = tt_malloc(n + 1);
  if (!d) return NULL;
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

size_t tt_alloc_used(void) { return atomic_load_explicit(&tt_used, memory_order_relaxed); }
