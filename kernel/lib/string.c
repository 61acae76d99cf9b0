/*
 * Freestanding string and memory functions, shared by the kernel, the user
 * library and the host tests (plain C and inline asm, no SSE).
 *
 * memset and memcpy use the widest general-register string instructions:
 * `rep stosq` / `rep movsq` for the 8-byte words, then `rep stosb` /
 * `rep movsb` for the last 0-7 bytes. Under QEMU's -icount every iteration
 * of a rep instruction counts as one instruction, so zeroing a 4 KiB frame
 * is 512 of them rather than 4,096 (docs/benchmarks.md). (On hardware with
 * ERMS, "enhanced rep movsb/stosb", plain `rep stosb` is as fast for large
 * sizes and simpler; see STATUS.) memcmp and memmove compare and copy a
 * word at a time where they can.
 */
#include <string.h>
#include <stdint.h>
#include <uapi/errno.h>

/* An 8-byte word that may sit at any address and alias anything. */
typedef uint64_t __attribute__((may_alias, aligned(1))) word_t;

void *memcpy(void *dst, const void *src, size_t n)
{
    void *ret = dst;
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep movsq" : "+D"(dst), "+S"(src), "+c"(words) :: "memory");
    __asm__ volatile("rep movsb" : "+D"(dst), "+S"(src), "+c"(bytes) :: "memory");
    return ret;
}

void *memmove(void *dst, const void *src, size_t n)
{
    unsigned char *d = dst;
    const unsigned char *s = src;
    if (d == s || n == 0)
        return dst;
    if (d < s || d >= s + n)
        return memcpy(dst, src, n);
    /* Overlapping with dst above src: copy from the end down. */
    while (n >= 8) {
        n -= 8;
        *(word_t *)(d + n) = *(const word_t *)(s + n);
    }
    while (n--)
        d[n] = s[n];
    return dst;
}

void *memset(void *dst, int c, size_t n)
{
    void *ret = dst;
    uint64_t v = 0x0101010101010101ull * (unsigned char)c;
    size_t words = n / 8, bytes = n % 8;
    __asm__ volatile("rep stosq" : "+D"(dst), "+c"(words) : "a"(v) : "memory");
    __asm__ volatile("rep stosb" : "+D"(dst), "+c"(bytes) : "a"(v) : "memory");
    return ret;
}

int memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *x = a, *y = b;
    size_t i = 0;
    /* Skip equal words; the first difference is then found bytewise. */
    while (i + 8 <= n && *(const word_t *)(x + i) == *(const word_t *)(y + i))
        i += 8;
    for (; i < n; i++)
        if (x[i] != y[i])
            return x[i] < y[i] ? -1 : 1;
    return 0;
}

size_t strlen(const char *s)
{
    size_t n = 0;
    while (s[n])
        n++;
    return n;
}

size_t strnlen(const char *s, size_t max)
{
    size_t n = 0;
    while (n < max && s[n])
        n++;
    return n;
}

int strcmp(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
    for (; n; n--, a++, b++) {
        if (*a != *b)
            return (unsigned char)*a - (unsigned char)*b;
        if (!*a)
            return 0;
    }
    return 0;
}

char *strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (!*s)
            return NULL;
    }
}

char *strrchr(const char *s, int c)
{
    const char *last = NULL;
    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (!*s)
            return (char *)last;
    }
}

size_t strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);
    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = '\0';
    }
    return len;
}

int str_to_u64(const char *s, unsigned long long *out)
{
    unsigned base = 10;
    unsigned long long v = 0;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
    }
    if (!*s)
        return -EINVAL;
    for (; *s; s++) {
        unsigned d;
        if (*s >= '0' && *s <= '9') d = *s - '0';
        else if (base == 16 && *s >= 'a' && *s <= 'f') d = *s - 'a' + 10;
        else if (base == 16 && *s >= 'A' && *s <= 'F') d = *s - 'A' + 10;
        else return -EINVAL;
        if (v > (~0ull - d) / base)
            return -ERANGE;
        v = v * base + d;
    }
    *out = v;
    return 0;
}
