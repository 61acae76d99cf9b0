/* kprintf and leveled logging onto the console. */
#include <log.h>
#include <fmt.h>
#include <console.h>

static enum log_level log_threshold = LOG_INFO;
static const char *const level_tags[] = { "error", "warn", "info", "debug" };

/* kprintf formats into a line buffer and writes whole lines (or full
 * buffers) at once: console_write is atomic, so a line of the kernel is
 * never cut by another thread's output. */
struct line_buf {
    size_t n;
    char buf[160];
};

static void line_flush(struct line_buf *l)
{
    if (l->n)
        console_write(l->buf, l->n);
    l->n = 0;
}

static void console_out(char c, void *ctx)
{
    struct line_buf *l = ctx;
    l->buf[l->n++] = c;
    if (c == '\n' || l->n == sizeof(l->buf))
        line_flush(l);
}

int kvprintf(const char *fmt, va_list ap)
{
    struct line_buf l = { .n = 0 };
    int n = fmt_vformat(console_out, &l, fmt, ap);
    line_flush(&l);
    return n;
}

int kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = kvprintf(fmt, ap);
    va_end(ap);
    return n;
}

void klog(enum log_level level, const char *fmt, ...)
{
    va_list ap;
    if (level > log_threshold)
        return;
    kprintf("[%s] ", level_tags[level]);
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
}

void log_set_level(enum log_level level)
{
    log_threshold = level;
}
