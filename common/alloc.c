/* Counted heap allocation (common/alloc.h). */
#include "common/alloc.h"

#include <malloc.h>
#include <stdatomic.h>
#include <stdint.h>
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

/* pp points at the array pointer; it is read and written with memcpy, so any object pointer
 * type works without aliasing a T* object through a void* lvalue. */
int tt_array__grow(void *pp, size_t *cap, size_t need, size_t elem)
{
  if (*cap > SIZE_MAX / 2) return -1;
  size_t n = *cap < 8 ? 16 : *cap * 2;
  if (n < need) n = need;
  if (elem && n > SIZE_MAX / elem) return -1;
  void *p;
  memcpy(&p, pp, sizeof p);
  void *q = tt_realloc(p, n * elem);
  if (!q) return -1;
  memcpy(pp, &q, sizeof q);
  *cap = n;
  return 0;
}

size_t tt_alloc_used(void) { return atomic_load_explicit(&tt_used, memory_order_relaxed); }
