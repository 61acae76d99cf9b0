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

int waitq_sleep(struct waitq *wq, enum waitq_kind kind)
{
    if (unlikely(!sched_running())) {
        sti_hlt();              /* early boot: wait for the next interrupt */
        cli();
        return 0;
    }
    struct thread *self = thread_current();
    if (kind == WAITQ_INTERRUPTIBLE && thread_wait_interrupted(self))
        return -EINTR;
    self->state = THREAD_BLOCKED;
    self->intr_blocked = kind == WAITQ_INTERRUPTIBLE;
    list_push_back(&wq->waiters, &self->sched_link);
    sched_switch();
    self->intr_blocked = false;
    return 0;
}

void waitq_wake_all_irqs_off(struct waitq *wq)
{
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters)))
        sched_wakeup_irqs_off(list_entry(n, struct thread, sched_link));
}

void waitq_wake_all(struct waitq *wq)
{
    bool f = irq_save();
    waitq_wake_all_irqs_off(wq);
    irq_restore(f);
}
