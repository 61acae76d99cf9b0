/* Small compiler helpers shared by the whole kernel (and host tests). */
#ifndef STRATA_COMPILER_H
#define STRATA_COMPILER_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define likely(x)       __builtin_expect(!!(x), 1)
#define unlikely(x)     __builtin_expect(!!(x), 0)
#define __packed        __attribute__((packed))
#define __noreturn      __attribute__((noreturn))
#define __used          __attribute__((used))
#define __section(s)    __attribute__((section(s)))
#define __aligned(n)    __attribute__((aligned(n)))
#define __printf(a, b)  __attribute__((format(printf, a, b)))

#define ARRAY_SIZE(a)   (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))

/* Power-of-two alignment helpers. */
#define ALIGN_DOWN(x, a)    ((x) & ~((__typeof__(x))(a) - 1))
#define ALIGN_UP(x, a)      ALIGN_DOWN((x) + (a) - 1, (a))
#define IS_ALIGNED(x, a)    (((x) & ((__typeof__(x))(a) - 1)) == 0)

#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#define KiB(x)  ((uint64_t)(x) << 10)
#define MiB(x)  ((uint64_t)(x) << 20)
#define GiB(x)  ((uint64_t)(x) << 30)

#endif
