/* Wait queues (see include/waitq.h). */
#include <waitq.h>
#include <thread.h>
#include <sched.h>
#include <arch/cpu.h>

void waitq_init(struct waitq *wq)
{
    list_init(&wq->waiters);
}

void waitq_wait_until(struct waitq *wq, waitq_cond_fn cond, void *arg)
{
    for (;;) {
        bool f = irq_save();
        if (cond(arg)) {
            irq_restore(f);
            return;
        }
        if (!sched_running()) {
            sti_hlt();          /* early boot: wait for the next interrupt */
            irq_restore(f);
            continue;
        }
        struct thread *self = thread_current();
        self->state = THREAD_BLOCKED;
        list_push_back(&wq->waiters, &self->sched_link);
        sched_switch();
        irq_restore(f);
    }
}

void waitq_wake_all(struct waitq *wq)
{
    bool f = irq_save();
    struct list_node *n;
    while ((n = list_pop_front(&wq->waiters)))
        sched_wakeup(list_entry(n, struct thread, sched_link));
    irq_restore(f);
}
