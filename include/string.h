/* Freestanding string and memory functions (kernel/lib/string.c). */
#ifndef STRATA_STRING_H
#define STRATA_STRING_H

#include <stddef.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
/* Copy at most size-1 characters and always NUL-terminate; returns strlen(src). */
size_t strlcpy(char *dst, const char *src, size_t size);

/* Parse an unsigned number (decimal, or hex with 0x); returns 0 on success,
 * -EINVAL if s is not entirely a number, -ERANGE on overflow. */
int str_to_u64(const char *s, unsigned long long *out);

#endif
