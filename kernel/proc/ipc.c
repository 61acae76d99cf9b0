/*
 * IPC between environments (contract in include/ipc.h, the state machine
 * in docs/environments.md).
 *
 * A receiver R and a sender S meet in one of two orders:
 *   - R first: R sets recving and sleeps on its endpoint; S finds R
 *     receiving with an empty queue and delivers at once (both modes);
 *   - S first (blocking mode): S queues an ipc_request (on its own kernel
 *     stack) at the tail of R's FIFO and sleeps; when R calls ipc_recv it
 *     takes the head request, delivers it into itself, and wakes S.
 * A delivery writes the message into R's view slot (env_ipc_from/value/
 * perm), clears recving and makes R runnable.
 *
 * Invariants (env_lock held):
 *  - a process is never both receiving and queued as a sender;
 *  - recving is true only while the FIFO is empty (a receiver takes a
 *    queued message instead of sleeping);
 *  - a queued request's result is IPC_PENDING until it is delivered or
 *    failed, and it is on exactly one FIFO while pending.
 */
#include <ipc.h>
#include <env.h>
#include <proc.h>
#include <thread.h>
#include <sched.h>
#include <usercopy.h>
#include <mm.h>
#include <uapi/env.h>
#include <uapi/pte.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

#define IPC_PENDING 1

struct ipc_request {
    struct list_node link;      /* on the receiver's senders FIFO */
    struct process *from;
    uint64_t value;
    uint64_t srcva;
    uint32_t perm;
    int result;                 /* IPC_PENDING, then 0 or -error */
};

void ipc_endpoint_init(struct ipc_endpoint *e)
{
    e->recving = false;
    e->dstva = 0;
    list_init(&e->senders);
    waitq_init(&e->wq);
}

/* Is va acceptable as a page address for IPC: page aligned, in the user
 * half, below the end of user memory? (0 means "no page" and is checked by
 * the callers.) */
static bool ipc_va_ok(uint64_t va)
{
    return IS_ALIGNED(va, PAGE_SIZE) && user_range_ok(va, PAGE_SIZE);
}

/* Deliver a message into receiver r (receiving, env_lock held). Inline:
 * it is half of every send. */
static inline __attribute__((always_inline)) int ipc_deliver(struct process *r, struct process *from, uint64_t value,
                       uint64_t srcva, uint32_t perm)
{
    uint32_t got_perm = 0;
    if (srcva && r->ipc.dstva) {
        int err = process_page_share(from, srcva, r, r->ipc.dstva, perm);
        if (err)
            return err;
        got_perm = perm;
    }
    struct Env *v = r->view;
    v->env_ipc_from = from->pid;
    v->env_ipc_value = value;
    v->env_ipc_perm = got_perm;
    v->env_ipc_recving = 0;
    v->env_ipc_dstva_set = 0;
    v->env_status = ENV_RUNNABLE;
    r->ipc.recving = false;
    return 0;
}

static bool ipc_recv_done(void *arg)
{
    return !((struct process *)arg)->ipc.recving;
}

/* ipc_recv with senders queued (env_lock held, taken with irq state f):
 * take the first message that can be delivered and let its sender run
 * first. Returns 0 with the lock released, or 1 (lock still held) if no
 * queued message could be delivered and the caller must sleep. */
static __attribute__((noinline)) int ipc_recv_queued(struct process *self, bool f)
{
    /* A request whose page cannot be transferred fails alone; the next
     * one is tried. */
    struct list_node *n;
    struct thread *sender = NULL;
    while (self->ipc.recving && (n = list_pop_front(&self->ipc.senders))) {
        struct ipc_request *q = list_entry(n, struct ipc_request, link);
        q->result = ipc_deliver(self, q->from, q->value, q->srcva, q->perm);
        waitq_wake_all(&q->from->ipc.wq);
        sender = q->from->main;
    }
    if (self->ipc.recving)
        return 1;
    /* The sender whose message we took runs first, then we go to the back
     * of the run queue: as after a successful send in JOS, the sender goes
     * on before the receiver has seen the message (shared memory programs
     * such as pingpongs count on it), and any other sender gets to queue
     * its message before this one sends again (fair). Interrupts stay off
     * until the switch: the sender cannot run, exit and be freed in
     * between. */
    spin_unlock_irqrestore(&env_lock, false);
    sched_yield_to(sender);
    irq_restore(f);
    return 0;
}

/* ipc_recv interrupted while it waited: stop receiving. */
static __attribute__((noinline)) int ipc_recv_interrupted(struct process *self)
{
    bool f = spin_lock_irqsave(&env_lock);
    self->ipc.recving = false;
    self->view->env_ipc_recving = 0;
    env_view_status(self, ENV_RUNNABLE);
    spin_unlock_irqrestore(&env_lock, f);
    return -EINTR;
}

int ipc_recv(uint64_t dstva)
{
    struct process *self = process_current();
    if (dstva && !ipc_va_ok(dstva))
        return -E_INVAL;

    bool f = spin_lock_irqsave(&env_lock);
    self->ipc.recving = true;
    self->ipc.dstva = dstva;
    self->view->env_ipc_recving = 1;
    self->view->env_ipc_dstva_set = dstva != 0;
    /* A sender is already waiting: take its message without sleeping. */
    if (unlikely(!list_empty(&self->ipc.senders)) && ipc_recv_queued(self, f) == 0)
        return 0;
    self->view->env_status = ENV_NOT_RUNNABLE;
    spin_unlock_irqrestore(&env_lock, f);

    if (waitq_wait_interruptible(&self->ipc.wq, ipc_recv_done, self) < 0)
        return ipc_recv_interrupted(self);
    return 0;
}

static bool ipc_request_done(void *arg)
{
    return ((struct ipc_request *)arg)->result != IPC_PENDING;
}

/* Check a page to send: JOS's perm rules and, when the sender offers
 * write access, that the sender can write the page itself. Materialises a
 * lazy page. */
static int ipc_page_check(struct process *self, uint64_t srcva, uint32_t perm)
{
    int err = process_page_args_check(srcva, perm);
    return err ? err : process_page_check(self, srcva, perm);
}

/* The blocking send when r is not receiving (env_lock held, taken with
 * irq state f; released on return): queue a request at the tail of r's
 * FIFO and sleep until r takes it, r dies, or we are killed. */
static __attribute__((noinline)) int ipc_send_queued(struct process *self, struct process *r,
                                                     uint64_t value, uint64_t srcva,
                                                     uint32_t perm, bool f)
{
    struct ipc_request q = {
        .from = self, .value = value, .srcva = srcva, .perm = perm, .result = IPC_PENDING,
    };
    list_push_back(&r->ipc.senders, &q.link);
    spin_unlock_irqrestore(&env_lock, f);
    int w = waitq_wait_interruptible(&self->ipc.wq, ipc_request_done, &q);
    f = spin_lock_irqsave(&env_lock);
    if (w < 0 && q.result == IPC_PENDING) {
        list_remove(&q.link);       /* leave the queue cleanly */
        q.result = -EINTR;
    }
    spin_unlock_irqrestore(&env_lock, f);
    return q.result;
}

int ipc_send(int envid, uint64_t value, uint64_t srcva, uint32_t perm, enum ipc_send_mode mode)
{
    struct process *self = process_current();
    if (srcva) {
        int err = ipc_page_check(self, srcva, perm);
        if (err)
            return err;
    } else {
        perm = 0;
    }

    bool f = spin_lock_irqsave(&env_lock);
    struct process *r = env_lookup(envid, self, ENV_CHECK_NONE);
    int err;
    if (!r) {
        err = -E_BAD_ENV;
    } else if (r->ipc.recving && list_empty(&r->ipc.senders)) {
        err = ipc_deliver(r, self, value, srcva, perm);
        if (!err)       /* we go on, as after JOS's send */
            waitq_wake_all_irqs_off(&r->ipc.wq);
    } else if (mode == IPC_SEND_TRY) {
        err = -E_IPC_NOT_RECV;
    } else if (r == self) {
        err = -E_INVAL;         /* we cannot receive while we wait to send */
    } else {
        return ipc_send_queued(self, r, value, srcva, perm, f);
    }
    spin_unlock_irqrestore(&env_lock, f);
    return err;
}

void ipc_endpoint_close(struct process *p)
{
    struct list_node *n;
    p->ipc.recving = false;
    while ((n = list_pop_front(&p->ipc.senders))) {
        struct ipc_request *q = list_entry(n, struct ipc_request, link);
        q->result = -E_BAD_ENV;
        waitq_wake_all(&q->from->ipc.wq);
    }
}
