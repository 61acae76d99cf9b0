/* kprintf and leveled logging onto the console. */
#include <log.h>
#include <fmt.h>
#include <console.h>

static enum log_level log_threshold = LOG_INFO;
static const char *const level_tags[] = { "error", "warn", "info", "debug" };

static void console_out(char c, void *ctx)
{
    console_write(&c, 1);
}

int kvprintf(const char *fmt, va_list ap)
{
    return fmt_vformat(console_out, NULL, fmt, ap);
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
