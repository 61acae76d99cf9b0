/*
 * The monitor for user programs (kernel/proc/monitor.c; docs/monitor.md):
 * JOS lab 3's breakpoint exercise and its challenge. A process started by
 * `urun -d` that reaches a breakpoint stops in a command loop on the
 * console instead of dying of SIGTRAP: registers, memory (read as the
 * program could read it), a backtrace named with the program's ELF
 * symbols, single steps, breakpoints planted in its code, continue, kill.
 *
 * The monitor runs in the stopped process's own thread, inside the trap
 * that stopped it: its reads go through the process's address space with
 * the process's rights, and resuming is returning from the trap.
 */
#ifndef STRATA_MONITOR_H
#define STRATA_MONITOR_H

#include <compiler.h>

struct process;
struct trap_frame;

/* Debug p (a new process, not yet running): int3 and single steps of
 * its program stop in the monitor. path is its program file, for the
 * symbols. 0 or -ENOMEM (p is unchanged). */
int monitor_attach(struct process *p, const char *path);

/* Free p's monitor state, if it has one (at exit, or when a spawn fails). */
void monitor_release(struct process *p);

/* p (debugged) now runs the program at path: the old image's
 * breakpoints, step and symbols are gone with it. */
void monitor_exec(struct process *p, const char *path);

/* child got a copy of parent's memory [va, va + len) (fork): where
 * parent (debugged) has planted breakpoints, the child's copy gets the
 * program's own bytes back (a private page of its own), or the child
 * would die of the parent's int3s. Nothing for a parent without a
 * monitor; a byte that cannot be restored (out of memory) is said. */
void monitor_fork(struct process *parent, struct process *child, uint64_t va, uint64_t len);

enum monitor_verdict {
    MONITOR_PASS,       /* not the monitor's: a signal as without it */
    MONITOR_TAKEN,      /* handled: return to user mode through tf */
};

/* A #BP or #DB from user mode in process p (the current one), before its
 * signal handler is looked at. The monitor's own traps (a planted
 * breakpoint, a step it asked for) are always its; another int3 or trap
 * flag stops in the monitor only when the program has no handler for
 * SIGTRAP (the handler wins). A person at the console then decides: tf
 * is left as the program continues (continue, step), or p exits (kill:
 * never returns). MONITOR_PASS for a process without a monitor. */
enum monitor_verdict monitor_trap(struct process *p, struct trap_frame *tf);

#endif
