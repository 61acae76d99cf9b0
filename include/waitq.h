/*
 * Wait queues: a thread sleeps until a condition holds; whoever changes the
 * condition wakes the queue. The condition is re-checked with interrupts
 * disabled before sleeping, so a wake-up cannot be lost between check and
 * sleep (on one CPU; SMP will add a per-queue lock held across both).
 */
#ifndef STRATA_WAITQ_H
#define STRATA_WAITQ_H

#include <list.h>
#include <arch/cpu.h>

struct waitq {
    struct list_node waiters;   /* struct thread.sched_link */
};

#define WAITQ_INIT(name) { LIST_INIT((name).waiters) }

typedef bool (*waitq_cond_fn)(void *arg);

enum waitq_kind {
    WAITQ_UNINTERRUPTIBLE,
    WAITQ_INTERRUPTIBLE,        /* thread_interrupt() ends the wait: -EINTR */
};

void waitq_init(struct waitq *wq);

/* Sleep once on wq: the caller has disabled interrupts and found its
 * condition false. Returns 0 after a wake-up (the condition may still be
 * false: check again), -EINTR at once for an interrupted thread in an
 * interruptible wait. Before the scheduler runs, halts until the next
 * interrupt instead. Interrupts are off again on return. */
int waitq_sleep(struct waitq *wq, enum waitq_kind kind);

/* The wait loop: check cond with interrupts off, so that a wake-up
 * between the check and the sleep cannot be lost. Inline, so that a
 * caller's condition (a static function beside it) is inlined too: IPC
 * waits on every round trip. */
static inline int waitq_wait_kind(struct waitq *wq, waitq_cond_fn cond, void *arg,
                                  enum waitq_kind kind)
{
    for (;;) {
        bool f = irq_save();
        if (cond(arg)) {
            irq_restore(f);
            return 0;
        }
        int err = waitq_sleep(wq, kind);
        irq_restore(f);
        if (err)
            return err;
    }
}

/* Sleep until cond(arg) is true. Before the scheduler runs, halts instead. */
static inline void waitq_wait_until(struct waitq *wq, waitq_cond_fn cond, void *arg)
{
    waitq_wait_kind(wq, cond, arg, WAITQ_UNINTERRUPTIBLE);
}

/* Like waitq_wait_until, but give up with -EINTR if the thread is
 * interrupted (thread_interrupt) before or while it waits; 0 when cond
 * holds. Every wait a user process can be stuck in uses this. */
static inline int waitq_wait_interruptible(struct waitq *wq, waitq_cond_fn cond, void *arg)
{
    return waitq_wait_kind(wq, cond, arg, WAITQ_INTERRUPTIBLE);
}

/* Make every waiter runnable; callable from interrupt handlers. */
void waitq_wake_all(struct waitq *wq);
/* The same for a caller that has interrupts off already (one holding an
 * interrupt-disabling lock: IPC under env_lock). */
void waitq_wake_all_irqs_off(struct waitq *wq);

#endif
