/*
 * Wait queues: a thread sleeps until a condition holds; whoever changes the
 * condition wakes the queue. The condition is re-checked with interrupts
 * disabled before sleeping, so a wake-up cannot be lost between check and
 * sleep (on one CPU; SMP will add a per-queue lock held across both).
 */
#ifndef STRATA_WAITQ_H
#define STRATA_WAITQ_H

#include <list.h>

struct waitq {
    struct list_node waiters;   /* struct thread.sched_link */
};

#define WAITQ_INIT(name) { LIST_INIT((name).waiters) }

typedef bool (*waitq_cond_fn)(void *arg);

void waitq_init(struct waitq *wq);
/* Sleep until cond(arg) is true. Before the scheduler runs, halts instead. */
void waitq_wait_until(struct waitq *wq, waitq_cond_fn cond, void *arg);
/* Like waitq_wait_until, but give up with -EINTR if the thread is
 * interrupted (thread_interrupt) before or while it waits; 0 when cond
 * holds. Every wait a user process can be stuck in uses this. */
int waitq_wait_interruptible(struct waitq *wq, waitq_cond_fn cond, void *arg);
/* Make every waiter runnable; callable from interrupt handlers. */
void waitq_wake_all(struct waitq *wq);

#endif
