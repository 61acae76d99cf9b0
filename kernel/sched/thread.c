/*
 * Kernel threads: creation, exit, join, sleep, yield.
 *
 * Invariants:
 *  - t->magic is THREAD_MAGIC from creation until the struct is freed, when
 *    it becomes THREAD_DEAD_MAGIC: a stale pointer is caught by thread_check.
 *  - a thread's stack (but the boot thread's) has an unmapped guard page
 *    below it (include/kstack.h); the canary at t->kstack is intact
 *    whenever t is switched out (its top word checked on every switch,
 *    all of it at every tick while t runs and when t is freed).
 *  - the all-threads list, run queue and wait queues are touched only with
 *    interrupts disabled.
 */
#include <thread.h>
#include <sched.h>
#include <heap.h>
#include <string.h>
#include <panic.h>
#include <aspace.h>
#include <kstack.h>
#include <percpu.h>
#include <uapi/errno.h>

extern void thread_start(void);

static struct list_node all_threads = LIST_INIT(all_threads);
static int next_tid = 1;
static int live_threads;

const char *thread_state_name(enum thread_state s)
{
    switch (s) {
    case THREAD_RUNNABLE: return "runnable";
    case THREAD_RUNNING:  return "running";
    case THREAD_BLOCKED:  return "blocked";
    case THREAD_SLEEPING: return "sleeping";
    case THREAD_ZOMBIE:   return "zombie";
    }
    return "?";
}

void thread_check_failed(const struct thread *t, const char *caller)
{
    panic("%s: bad thread %p (magic %#x)", caller, t, t ? t->magic : 0);
}

/* Register a thread struct (stack already set up) in the global list. */
void thread_register(struct thread *t, const char *name)
{
    t->magic = THREAD_MAGIC;
    strlcpy(t->name, name, sizeof(t->name));
    list_init(&t->sched_link);
    list_init(&t->aspace_link);
    waitq_init(&t->joiners);
    bool f = irq_save();
    t->tid = next_tid++;
    list_push_back(&all_threads, &t->all_link);
    live_threads++;
    irq_restore(f);
}

/* First C code of every new thread (called from thread_start). */
static __noreturn void thread_entry(struct thread *self)
{
    sti();
    thread_exit(self->fn(self->arg));
}

int thread_create(const char *name, struct aspace *as, thread_fn fn, void *arg,
                  enum thread_flags flags, struct thread **out)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return -ENOMEM;
    /* In the kernel window, with an unmapped guard page below; t->name
     * (filled by thread_register) names it in overflow reports. */
    int err = kstack_alloc(THREAD_STACK_SIZE, t->name, &t->kstack);
    if (err) {
        kfree(t);
        return err;
    }
    thread_stack_canary_set(t);
    t->fn = fn;
    t->arg = arg;
    t->flags = flags;

    /* Initial stack: six callee-saved registers for context_switch to pop
     * (r12 and r13 carry thread_entry and its argument), then the return into thread_start. */
    uint64_t *sp = (uint64_t *)(t->kstack + THREAD_STACK_SIZE);
    *--sp = 0;                          /* keeps thread_start's frame aligned */
    *--sp = (uint64_t)thread_start;
    *--sp = 0;                          /* rbp */
    *--sp = 0;                          /* rbx */
    *--sp = (uint64_t)t;                /* r12: thread_entry's argument */
    *--sp = (uint64_t)thread_entry;     /* r13: called by thread_start */
    *--sp = 0;                          /* r14 */
    *--sp = 0;                          /* r15 */
    t->rsp = (uint64_t)sp;

    thread_register(t, name);
    aspace_thread_attach(as, t);

    if (out)
        *out = t;
    t->state = THREAD_BLOCKED;
    if (!(flags & THREAD_SUSPENDED))
        sched_wakeup(t);
    return 0;
}

void thread_resume(struct thread *t)
{
    thread_check(t, __func__);
    sched_wakeup(t);
}

/* Free a zombie's memory; it must not be running on its own stack. */
void thread_free(struct thread *t)
{
    thread_check(t, __func__);
    if (t->state != THREAD_ZOMBIE)
        panic("%s: thread %d is %s, not a zombie", __func__, t->tid, thread_state_name(t->state));
    thread_stack_canary_check(t);       /* its last moments (the switch checks one word) */
    bool f = irq_save();
    list_remove(&t->all_link);
    live_threads--;
    irq_restore(f);
    t->magic = THREAD_DEAD_MAGIC;
    kstack_free(t->kstack);
    kfree(t);
}

void thread_exit(void *value)
{
    struct thread *self = thread_current();

    cli();
    self->exit_value = value;
    aspace_thread_detach(self->aspace, self);
    self->state = THREAD_ZOMBIE;
    if (self->flags & THREAD_DETACHED)
        sched_reap_later(self);
    else
        waitq_wake_all(&self->joiners);
    sched_switch();
    panic("%s: zombie thread %d was scheduled", __func__, self->tid);
}

static bool thread_is_zombie(void *arg)
{
    return ((struct thread *)arg)->state == THREAD_ZOMBIE;
}

int thread_join(struct thread *t, void **value)
{
    thread_check(t, __func__);
    if (t == thread_current() || (t->flags & THREAD_DETACHED))
        return -EINVAL;
    waitq_wait_until(&t->joiners, thread_is_zombie, t);
    if (value)
        *value = t->exit_value;
    thread_free(t);
    return 0;
}

void thread_yield(void)
{
    bool f = irq_save();
    thread_current()->state = THREAD_RUNNABLE;
    sched_switch();
    irq_restore(f);
}

/* Wake t if it is blocked in an interruptible wait (interrupts off): the
 * wait sees the flag its caller has just set and returns -EINTR. */
static void thread_wake_interruptible(struct thread *t)
{
    if (t->state == THREAD_BLOCKED && t->intr_blocked) {
        list_remove(&t->sched_link);        /* off its wait queue */
        sched_wakeup(t);
    } else if (t->state == THREAD_SLEEPING && t->intr_blocked) {
        sched_wakeup(t);                    /* off the sleep list */
    }
}

void thread_interrupt(struct thread *t)
{
    bool f = irq_save();
    thread_check(t, __func__);
    t->intr_pending = true;
    thread_wake_interruptible(t);
    irq_restore(f);
}

void thread_signal(struct thread *t)
{
    bool f = irq_save();
    thread_check(t, __func__);
    t->signal_pending = true;
    thread_wake_interruptible(t);
    irq_restore(f);
}

void thread_signal_clear(void)
{
    thread_current()->signal_pending = false;
}

int thread_sleep_ms(uint64_t ms, enum sched_sleep_kind kind)
{
    uint64_t ticks = (ms * SCHED_HZ + 999) / 1000;
    return sched_sleep_until(sched_ticks() + (ticks ? ticks : 1), kind);
}

void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg)
{
    bool f = irq_save();
    list_for_each(n, &all_threads)
        fn(list_entry(n, struct thread, all_link), arg);
    irq_restore(f);
}

int thread_count(void)
{
    return live_threads;
}
