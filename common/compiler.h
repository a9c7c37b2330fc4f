/* Compiler helpers shared by hot loops. */
#ifndef TT_COMMON_COMPILER_H
#define TT_COMMON_COMPILER_H

#if defined(__GNUC__)
#define TT_LIKELY(x)   __builtin_expect(!!(x), 1)
#define TT_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define TT_INLINE      static inline __attribute__((always_inline))
#define TT_NOINLINE    __attribute__((noinline))
#else
#define TT_LIKELY(x)   (x)
#define TT_UNLIKELY(x) (x)
#define TT_INLINE      static inline
#define TT_NOINLINE
#endif

#define TT_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

#endif
