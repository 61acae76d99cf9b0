/*
 * The scheduler: preemptive round robin over one run queue, driven by the
 * local APIC timer (SCHED_HZ ticks a second, SCHED_SLICE_TICKS per slice).
 * The idle thread halts when nothing is runnable.
 *
 * Context switches route through the address-space abstraction: when the
 * next thread lives in another address space, switch_from of the old and
 * switch_to of the new implementation run (aspace_switch()).
 */
#ifndef STRATA_SCHED_H
#define STRATA_SCHED_H

#include <compiler.h>

#define SCHED_HZ            100
#define SCHED_SLICE_TICKS   2

struct thread;

/* Turn the boot context into the first thread and start the idle thread. */
void sched_init(void);

/* Has sched_init run (may threads block)? Inline: every wait asks. */
extern bool sched_is_running;
static inline bool sched_running(void)
{
    return sched_is_running;
}

/* Make a BLOCKED/SLEEPING/new thread runnable (at the tail of the run
 * queue). Callable from IRQ context. */
void sched_wakeup(struct thread *t);
/* The same with interrupts already off (wait queues wake many at once). */
void sched_wakeup_irqs_off(struct thread *t);

/* Give the CPU to t at once if it is runnable (t leaves the run queue,
 * the caller goes to its tail). Does nothing if t is not runnable or is
 * the caller. IPC uses it so that a sender whose queued message was just
 * taken runs before the receiver goes on, as after a successful send. */
void sched_yield_to(struct thread *t);

/* Switch away from the current thread, whose state the caller has already
 * set (RUNNABLE to yield, BLOCKED after queueing it somewhere, ZOMBIE).
 * Must be called with interrupts disabled; returns with them disabled. */
void sched_switch(void);

/* Timer interrupt: count a tick, wake sleepers, expire the time slice. */
void sched_tick(void);

/* Called on interrupt return: switch if the slice expired. */
void sched_preempt_point(void);

/* Put the current thread on the sleep list until tick `wake`. An
 * interruptible sleep ends early with -EINTR if the thread is interrupted
 * (thread_interrupt); else 0. */
enum sched_sleep_kind { SCHED_SLEEP_UNINTERRUPTIBLE, SCHED_SLEEP_INTERRUPTIBLE };
int sched_sleep_until(uint64_t wake, enum sched_sleep_kind kind);

uint64_t sched_ticks(void);

/* Hand a zombie to the reaper, which frees it outside its own stack. */
void sched_reap_later(struct thread *t);

#endif
