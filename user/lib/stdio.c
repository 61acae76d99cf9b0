/*
 * Console output through write(fd 1/2) (line input: user/lib/readline.c).
 *
 * printf and friends format with the kernel's fmt_vformat into a small
 * buffer on the stack and write it out when full and at the end of each
 * call: nothing stays buffered between calls, so output is never lost when
 * a program dies.
 */
#include <ulib.h>

#define OUTBUF_SIZE 256

struct outbuf {
    int fd;
    size_t n;
    char buf[OUTBUF_SIZE];
};

long write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    size_t done = 0;
    while (done < len) {
        long r = write(fd, p + done, len - done);
        if (r < 0)
            return r;
        if (r == 0)
            return -EIO;
        done += (size_t)r;
    }
    return (long)done;
}

static void outbuf_flush(struct outbuf *o)
{
    if (o->n)
        write_all(o->fd, o->buf, o->n);
    o->n = 0;
}

static void outbuf_putc(char c, void *ctx)
{
    struct outbuf *o = ctx;
    if (o->n == sizeof(o->buf))
        outbuf_flush(o);
    o->buf[o->n++] = c;
}

int vdprintf(int fd, const char *fmt, va_list ap)
{
    struct outbuf o = { .fd = fd, .n = 0 };
    int n = fmt_vformat(outbuf_putc, &o, fmt, ap);
    outbuf_flush(&o);
    return n;
}

int dprintf(int fd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(fd, fmt, ap);
    va_end(ap);
    return n;
}

int vprintf(const char *fmt, va_list ap)
{
    return vdprintf(FD_STDOUT, fmt, ap);
}

int printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vdprintf(FD_STDOUT, fmt, ap);
    va_end(ap);
    return n;
}

int puts(const char *s)
{
    struct outbuf o = { .fd = FD_STDOUT, .n = 0 };
    for (; *s; s++)
        outbuf_putc(*s, &o);
    outbuf_putc('\n', &o);
    outbuf_flush(&o);
    return 0;
}

int putchar(int c)
{
    char ch = (char)c;
    return write(FD_STDOUT, &ch, 1) == 1 ? (unsigned char)c : -1;
}
