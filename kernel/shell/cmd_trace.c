/*
 * trace [faults|syscalls|switches|all on|off]: console tracing
 * (include/ktrace.h). Without arguments, what is on.
 */
#include <shell.h>
#include <ktrace.h>
#include <proc.h>
#include <log.h>
#include <string.h>

static const enum ktrace_kind trace_kinds[] = { KTRACE_FAULTS, KTRACE_SYSCALLS, KTRACE_SWITCHES };

static void trace_status_print(void)
{
    kprintf("trace:");
    for (size_t i = 0; i < ARRAY_SIZE(trace_kinds); i++)
        kprintf(" %s %s%s", ktrace_kind_name(trace_kinds[i]),
                ktrace_on(trace_kinds[i]) ? "on" : "off", i + 1 < ARRAY_SIZE(trace_kinds) ? "," : "\n");
    for (size_t i = 0; i < ARRAY_SIZE(trace_kinds); i++) {
        uint64_t n = ktrace_suppressed(trace_kinds[i]);
        if (n)
            kprintf("  %lu %s line(s) suppressed since boot (rate limit: %d a kind per %d ticks)\n",
                    n, ktrace_kind_name(trace_kinds[i]), KTRACE_LINES_PER_WINDOW, KTRACE_WINDOW_TICKS);
    }
}

/* The kinds a word names: 0 if none. */
static uint32_t trace_kinds_parse(const char *word)
{
    if (strcmp(word, "all") == 0)
        return KTRACE_ALL;
    for (size_t i = 0; i < ARRAY_SIZE(trace_kinds); i++)
        if (strcmp(word, ktrace_kind_name(trace_kinds[i])) == 0)
            return trace_kinds[i];
    return 0;
}

static int cmd_trace(int argc, char **argv)
{
    if (argc == 1) {
        trace_status_print();
        return 0;
    }
    uint32_t kinds = trace_kinds_parse(argv[1]);
    bool on = argc == 3 && strcmp(argv[2], "on") == 0;
    if (!kinds || argc != 3 || (!on && strcmp(argv[2], "off") != 0))
        return shell_usage_print(argv[0]);
    enum ktrace_state state = on ? KTRACE_ON : KTRACE_OFF;
    /* System calls through the processes' own flag word (the dispatcher's
     * one test); the other kinds through the mask alone. */
    if (kinds & KTRACE_SYSCALLS)
        process_trace_console_set(state);
    if (kinds & ~(uint32_t)KTRACE_SYSCALLS)
        ktrace_set(kinds & ~(uint32_t)KTRACE_SYSCALLS, state);
    trace_status_print();
    return 0;
}
SHELL_COMMAND(trace, "trace", "trace [faults|syscalls|switches|all on|off]",
              "one console line per page fault, system call or address-space switch "
              "(alone: what is on)", cmd_trace);
