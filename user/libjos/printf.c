/*
 * printf for JOS programs: format with the kernel's formatter into a
 * buffer and hand it to sys_cputs, flushing at every newline and at the
 * end of the call, so lines from several environments do not mix.
 */
#include <jos.h>
#include <fmt.h>

#define PRINTBUF_SIZE 256

struct printbuf {
    size_t n;
    char buf[PRINTBUF_SIZE];
};

static void printbuf_flush(struct printbuf *b)
{
    if (b->n)
        sys_cputs(b->buf, b->n);
    b->n = 0;
}

static void printbuf_putc(char c, void *ctx)
{
    struct printbuf *b = ctx;
    b->buf[b->n++] = c;
    if (b->n == PRINTBUF_SIZE || c == '\n')
        printbuf_flush(b);
}

int vprintf(const char *fmt, va_list ap)
{
    struct printbuf b = { .n = 0 };
    int n = fmt_vformat(printbuf_putc, &b, fmt, ap);
    printbuf_flush(&b);
    return n;
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

int cprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vprintf(fmt, ap);
    va_end(ap);
    return n;
}

void _panic(const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("[%08x] user panic in %s at %s:%d: ", sys_getenvid(), binaryname, file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    exit();
}

char *strcpy(char *dst, const char *src)
{
    char *d = dst;
    while ((*d++ = *src++))
        ;
    return dst;
}
