/* Wait queues (see include/waitq.h). */
#include <waitq.h>
#include <thread.h>
#include <sched.h>
#include <arch/cpu.h>
#include <uapi/errno.h>

void waitq_init(struct waitq *wq)
{
    list_init(&wq->waiters);
}

enum wait_kind { WAIT_UNINTERRUPTIBLE, WAIT_INTERRUPTIBLE };

/* The loop of both waits: check cond with interrupts off, so that a wake-up
 * between the check and the sleep cannot be lost. */
static int waitq_wait(struct waitq *wq, waitq_cond_fn cond, void *arg, enum wait_kind kind)
{
    for (;;) {
        bool f = irq_save();
        if (cond(arg)) {
            irq_restore(f);
            return 0;
        }
        if (!sched_running()) {
            sti_hlt();          /* early boot: wait for the next interrupt */
            irq_restore(f);
            continue;
        }
        struct thread *self = thread_current();
        if (kind == WAIT_INTERRUPTIBLE && thread_wait_interrupted(self)) {
            irq_restore(f);
            return -EINTR;
        }
        self->state = THREAD_BLOCKED;
        self->intr_blocked = kind == WAIT_INTERRUPTIBLE;
        list_push_back(&wq->waiters, &self->sched_link);
        sched_switch();
        self->intr_blocked = false;
        irq_restore(f);
    }
}

void waitq_wait_until(struct waitq *wq, waitq_cond_fn cond, void *arg)
{
    waitq_wait(wq, cond, arg, WAIT_UNINTERRUPTIBLE);
}

int waitq_wait_interruptible(struct waitq *wq, waitq_cond_fn cond, void *arg)
{
    return waitq_wait(wq, cond, arg, WAIT_INTERRUPTIBLE);
}

void waitq_wake_all(struct waitq *wq)
{
    bool f = irq_save();
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters)))
        sched_wakeup(list_entry(n, struct thread, sched_link));
    irq_restore(f);
}
