/* Small helpers that kernel/lib/string.c does not have. */
#include <ulib.h>

int parse_long(const char *s, long *out)
{
    bool neg = false;
    unsigned long long v;

    if (*s == '-') {
        neg = true;
        s++;
    } else if (*s == '+') {
        s++;
    }
    int r = str_to_u64(s, &v);
    if (r < 0)
        return r;
    if (neg ? v > (unsigned long long)INT64_MAX + 1 : v > INT64_MAX)
        return -ERANGE;
    *out = neg ? (long)(0 - v) : (long)v;
    return 0;
}

int atoi(const char *s)
{
    long v;
    return parse_long(s, &v) == 0 ? (int)v : 0;
}

char *strcpy(char *dst, const char *src)
{
    memcpy(dst, src, strlen(src) + 1);
    return dst;
}

char *strcat(char *dst, const char *src)
{
    strcpy(dst + strlen(dst), src);
    return dst;
}

void abort(void)
{
    dprintf(FD_STDERR, "abort() called\n");
    exit(134);
}

void __assert_fail(const char *expr, const char *file, int line)
{
    dprintf(FD_STDERR, "assertion failed: %s (%s:%d)\n", expr, file, line);
    exit(134);
}
