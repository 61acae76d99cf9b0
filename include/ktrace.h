/*
 * Console tracing a student can watch (the root shell's `trace`): one line
 * per page fault, system call or address-space switch, on the console.
 *
 * Off by default. Each trace point costs one predictable branch on a flag
 * when its kind is off: trace_mask, read with ktrace_on() (unlikely()).
 * System calls are the exception that costs nothing at all: the
 * dispatcher already tests one word of the process (trace_sinks, see
 * include/trace.h), and `trace syscalls on` sets a bit in it.
 *
 * Lines are printed with ktrace_printf, which is safe where trace points
 * run: with interrupts off, in the fault handler, in the scheduler. A
 * line that would recurse (a trace point hit while a trace line or any
 * console output is being written on this CPU) is dropped, not printed,
 * and each kind is rate limited (KTRACE_LINES_PER_WINDOW lines per
 * KTRACE_WINDOW_TICKS timer ticks), so that a flood of switches cannot
 * bury the shell; suppressed lines are counted in one summary line.
 */
#ifndef STRATA_KTRACE_H
#define STRATA_KTRACE_H

#include <compiler.h>

enum ktrace_kind {
    KTRACE_FAULTS   = 1u << 0,      /* page faults, resolved or not */
    KTRACE_SYSCALLS = 1u << 1,      /* system calls of every process */
    KTRACE_SWITCHES = 1u << 2,      /* address-space switches */
    KTRACE_ALL      = KTRACE_FAULTS | KTRACE_SYSCALLS | KTRACE_SWITCHES,
};

enum ktrace_state {
    KTRACE_OFF,
    KTRACE_ON,
};

#define KTRACE_WINDOW_TICKS     10      /* 100 ms at SCHED_HZ 100 */
#define KTRACE_LINES_PER_WINDOW 64      /* per kind: 640 lines a second at most */

/* The kinds that are on (enum ktrace_kind bits). Written only by
 * ktrace_set; read by the trace points through ktrace_on. */
extern uint32_t trace_mask;

static inline bool ktrace_on(enum ktrace_kind kind)
{
    return unlikely(__atomic_load_n(&trace_mask, __ATOMIC_RELAXED) & kind);
}

/* Turn the kinds in `kinds` on or off. Only the bits: turning system
 * calls on for the processes is proc's (process_trace_console_set). */
void ktrace_set(uint32_t kinds, enum ktrace_state state);

/* "faults", "syscalls" or "switches" for one kind; "?" otherwise. */
const char *ktrace_kind_name(enum ktrace_kind kind);

/* Print "trace: " and one line (fmt without its newline) for kind, unless
 * the line would recurse or the kind is over its rate limit (then the line
 * is counted as suppressed). Any context, interrupts on or off. Returns
 * whether the line was printed. */
bool ktrace_printf(enum ktrace_kind kind, const char *fmt, ...) __printf(2, 3);

/* Lines of kind suppressed (rate limit or recursion) since boot. */
uint64_t ktrace_suppressed(enum ktrace_kind kind);

#endif
