/* The `threads` command: every thread with its state and CPU time. */
#include <shell.h>
#include <thread.h>
#include <sched.h>
#include <aspace.h>
#include <heap.h>
#include <frame.h>
#include <log.h>
#include <string.h>
#include <uapi/errno.h>

static void thread_print(struct thread *t, void *arg)
{
    uint64_t cycles = t->cpu_cycles;
    if (t == thread_current())
        cycles += rdtsc() - t->last_switch_in;
    uint64_t us = tsc_hz ? cycles / (tsc_hz / 1000000) : 0;
    kprintf("%5d  %-16s %-9s %-16s %12lu  %8lu.%03lu\n", t->tid, t->name,
            thread_state_name(t->state), t->aspace ? t->aspace->name : "boot",
            cycles, us / 1000, us % 1000);
}

static int cmd_threads(int argc, char **argv)
{
    kprintf("  TID  NAME             STATE     ASPACE                 CPU-CYCLES   CPU-MS\n");
    thread_for_each(thread_print, NULL);
    return 0;
}
SHELL_COMMAND(threads, "threads", "threads", "list threads: id, name, state, address space, CPU time", cmd_threads);
