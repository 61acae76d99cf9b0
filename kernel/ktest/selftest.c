/* Self-test bookkeeping (see include/selftest.h). */
#include <selftest.h>
#include <fmt.h>
#include <log.h>
#include <errstr.h>
#include <uapi/errno.h>

void selftest_check(struct selftest *t, bool ok, const char *fmt, ...)
{
    char buf[240];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("  %s: %s\n", ok ? "PASS" : "FAIL", buf);
    if (ok)
        t->passed++;
    else
        t->failed++;
}

void selftest_check_err(struct selftest *t, int got, int want, const char *what)
{
    if (got == want)
        selftest_check(t, true, "%s -> %d (%s)", what, got, errstr(got));
    else
        selftest_check(t, false, "%s -> %d (%s), expected %d (%s)", what, got, errstr(got),
                       want, errstr(want));
}

int selftest_report(const struct selftest *t, const char *name)
{
    kprintf("%s: %d passed, %d failed\n", name, t->passed, t->failed);
    return t->failed ? -EIO : 0;
}
