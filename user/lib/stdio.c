/*
 * Console output through write(fd 1/2) and line input through getc().
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

/* ---- line input ---- */

static void echo(const char *s, size_t n)
{
    write_all(FD_STDOUT, s, n);
}

/* Skip the rest of an escape sequence (ESC already read): CSI/SS3
 * parameters up to the final byte. Arrow keys and the like are ignored. */
static int skip_escape(void)
{
    int c = getc();
    if (c < 0)
        return c;
    if (c != '[' && c != 'O')
        return 0;
    for (int i = 0; i < 16; i++) {
        c = getc();
        if (c < 0)
            return c;
        if (c >= 0x40 && c <= 0x7e)
            break;
    }
    return 0;
}

long readline(char *buf, size_t n)
{
    static bool last_was_cr;
    size_t len = 0;
    bool overflow = false;

    if (n == 0)
        return -EINVAL;
    for (;;) {
        int c = getc();
        if (c < 0)
            return c;
        if (c == '\n' && last_was_cr) {     /* the LF of a CRLF */
            last_was_cr = false;
            continue;
        }
        last_was_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            echo("\n", 1);
            buf[len] = '\0';
            return overflow ? -E2BIG : (long)len;
        }
        if (c == 0x7f || c == '\b') {       /* backspace / DEL */
            if (len > 0) {
                len--;
                echo("\b \b", 3);
            }
        } else if (c == 0x15) {             /* Ctrl-U: erase the line */
            while (len > 0) {
                len--;
                echo("\b \b", 3);
            }
            overflow = false;
        } else if (c == 0x03) {             /* Ctrl-C: abandon the line */
            echo("^C\n", 3);
            buf[0] = '\0';
            return 0;
        } else if (c == 0x1b) {
            int r = skip_escape();
            if (r < 0)
                return r;
        } else if (c >= 0x20 && c < 0x7f) {
            if (len + 1 < n) {
                buf[len++] = (char)c;
                char ch = (char)c;
                echo(&ch, 1);
            } else {
                overflow = true;            /* not stored, not echoed */
            }
        }
        /* other control characters: ignored */
    }
}
