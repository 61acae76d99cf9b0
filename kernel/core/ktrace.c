/*
 * Console tracing: the mask the trace points test, and the one way their
 * lines reach the console (include/ktrace.h).
 *
 * ktrace_printf runs with interrupts off from start to end, on one CPU
 * (Strata has one): the static line buffer and counters below need no
 * other lock, and a trace point that fires while a line is being written
 * (a fault inside the console driver, a switch traced from a fault) finds
 * `busy` set or the console lock held and drops its line instead of
 * deadlocking on the console lock or recursing.
 */
#include <ktrace.h>
#include <console.h>
#include <fmt.h>
#include <panic.h>
#include <percpu.h>
#include <arch/cpu.h>

uint32_t trace_mask;

#define KTRACE_KINDS    3
#define KTRACE_LINE_MAX 512

static struct {
    bool busy;                          /* a line is being written */
    uint64_t window;                    /* the rate limit's current window */
    uint32_t lines[KTRACE_KINDS];       /* printed in this window */
    uint64_t dropped[KTRACE_KINDS];     /* suppressed, not yet reported */
    uint64_t dropped_total[KTRACE_KINDS];
    char buf[KTRACE_LINE_MAX];
} kt;

/* 0, 1, 2 for the three kinds; panics for anything else (a caller bug). */
static int ktrace_index(enum ktrace_kind kind)
{
    switch (kind) {
    case KTRACE_FAULTS:   return 0;
    case KTRACE_SYSCALLS: return 1;
    case KTRACE_SWITCHES: return 2;
    default:
        panic("%s: not one trace kind: %#x", __func__, kind);
    }
}

void ktrace_set(uint32_t kinds, enum ktrace_state state)
{
    if (kinds & ~(uint32_t)KTRACE_ALL)
        panic("%s: unknown trace kinds %#x", __func__, kinds);
    if (state == KTRACE_ON)
        __atomic_fetch_or(&trace_mask, kinds, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&trace_mask, ~kinds, __ATOMIC_RELAXED);
}

const char *ktrace_kind_name(enum ktrace_kind kind)
{
    switch (kind) {
    case KTRACE_FAULTS:   return "faults";
    case KTRACE_SYSCALLS: return "syscalls";
    case KTRACE_SWITCHES: return "switches";
    default:              return "?";
    }
}

/* Start a new window if the current one is over, first reporting what
 * the last one suppressed. Interrupts off, kt.busy set. */
static void ktrace_window_roll(void)
{
    uint64_t window = this_cpu()->ticks / KTRACE_WINDOW_TICKS;
    if (window == kt.window)
        return;
    kt.window = window;
    for (int i = 0; i < KTRACE_KINDS; i++) {
        kt.lines[i] = 0;
        if (!kt.dropped[i])
            continue;
        int n = snprintf(kt.buf, sizeof(kt.buf), "trace: %lu %s line(s) suppressed (rate limit)\n",
                         kt.dropped[i], ktrace_kind_name(1u << i));
        console_write(kt.buf, (size_t)MIN(n, KTRACE_LINE_MAX - 1));
        kt.dropped[i] = 0;
    }
}

bool ktrace_printf(enum ktrace_kind kind, const char *fmt, ...)
{
    int i = ktrace_index(kind);
    bool irq = irq_save();
    if (kt.busy || console_busy()) {
        kt.dropped_total[i]++;              /* would recurse: no summary either */
        irq_restore(irq);
        return false;
    }
    kt.busy = true;
    ktrace_window_roll();
    bool print = kt.lines[i] < KTRACE_LINES_PER_WINDOW;
    if (print) {
        kt.lines[i]++;
        size_t n = (size_t)snprintf(kt.buf, sizeof(kt.buf), "%strace: ",
                                    console_at_line_start() ? "" : "\n");
        va_list ap;
        va_start(ap, fmt);
        n += (size_t)vsnprintf(kt.buf + n, sizeof(kt.buf) - n, fmt, ap);
        va_end(ap);
        n = MIN(n, sizeof(kt.buf) - 2);     /* a cut line still ends its line */
        kt.buf[n++] = '\n';
        console_write(kt.buf, n);
    } else {
        kt.dropped[i]++;
        kt.dropped_total[i]++;
    }
    kt.busy = false;
    irq_restore(irq);
    return print;
}

uint64_t ktrace_suppressed(enum ktrace_kind kind)
{
    return kt.dropped_total[ktrace_index(kind)];
}
