/*
 * Round-robin preemptive scheduler (one CPU).
 *
 * Invariants (all with interrupts disabled):
 *  - the current thread is RUNNING and on no queue;
 *  - a RUNNABLE thread is on run_queue, except the idle thread, which is
 *    never queued and runs only when run_queue is empty;
 *  - a SLEEPING thread is on sleep_list, sorted by wake_tick;
 *  - a BLOCKED thread is on exactly one wait queue (or being created).
 */
#include <sched.h>
#include <thread.h>
#include <aspace.h>
#include <percpu.h>
#include <panic.h>
#include <string.h>
#include <log.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/trap.h>
#include <uapi/errno.h>

extern void context_switch(uint64_t *save_rsp, uint64_t new_rsp);
extern uint8_t boot_stack[];

#define STACK_CANARY        0x5AFEC0DEDEADBEEFull
#define STACK_CANARY_WORDS  8

static struct list_node run_queue = LIST_INIT(run_queue);
static struct list_node sleep_list = LIST_INIT(sleep_list);
static struct list_node reap_list = LIST_INIT(reap_list);
static bool running;
static volatile bool need_resched;
static unsigned slice_left;
static struct thread boot_thread;

void thread_stack_canary_set(struct thread *t)
{
    uint64_t *w = (uint64_t *)t->kstack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++)
        w[i] = STACK_CANARY;
}

void thread_stack_canary_check(const struct thread *t)
{
    const uint64_t *w = (const uint64_t *)t->kstack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++)
        if (w[i] != STACK_CANARY)
            panic("%s: kernel stack overflow in thread %d '%s' (stack %p)",
                  __func__, t->tid, t->name, t->kstack);
}

bool sched_running(void)
{
    return running;
}

uint64_t sched_ticks(void)
{
    return this_cpu()->ticks;
}

static void *idle_main(void *arg)
{
    for (;;) {
        cli();
        if (!list_empty(&run_queue)) {
            this_cpu()->idle->state = THREAD_RUNNABLE;
            sched_switch();
        }
        sti_hlt();
    }
    return NULL;
}

void sched_init(void)
{
    struct cpu *cpu = this_cpu();

    /* The boot context (kmain on the boot stack) becomes thread "main". */
    boot_thread.kstack = boot_stack;
    thread_stack_canary_set(&boot_thread);
    thread_register(&boot_thread, "main");
    boot_thread.state = THREAD_RUNNING;
    boot_thread.last_switch_in = rdtsc();
    aspace_thread_attach(NULL, &boot_thread);
    cpu->current = &boot_thread;

    struct thread *idle;
    /* Created suspended: the idle thread is never on the run queue. */
    if (thread_create("idle", NULL, idle_main, NULL, THREAD_DETACHED | THREAD_SUSPENDED, &idle) < 0)
        panic("%s: cannot create the idle thread", __func__);
    idle->state = THREAD_RUNNABLE;
    cpu->idle = idle;
    slice_left = SCHED_SLICE_TICKS;
    running = true;
    trap_set_preempt_hook(sched_preempt_point);
}

void sched_wakeup(struct thread *t)
{
    bool f = irq_save();
    thread_check(t, __func__);
    if (t->state == THREAD_SLEEPING)
        list_remove(&t->sched_link);
    if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING) {
        t->state = THREAD_RUNNABLE;
        if (t != this_cpu()->idle)
            list_push_back(&run_queue, &t->sched_link);
    }
    irq_restore(f);
}

void sched_reap_later(struct thread *t)
{
    list_push_back(&reap_list, &t->sched_link);
}

/* Free detached zombies; runs on a stack other than theirs. */
static void sched_reap(void)
{
    struct list_node *n;
    while ((n = list_pop_front(&reap_list))) {
        struct thread *t = list_entry(n, struct thread, sched_link);
        if (t == this_cpu()->current) {     /* cannot free the running stack */
            list_push_back(&reap_list, n);
            return;
        }
        thread_free(t);
    }
}

/* Switch from prev to next (RUNNING from now on); interrupts off. */
static void sched_switch_from_to(struct cpu *cpu, struct thread *prev, struct thread *next);

void sched_yield_to(struct thread *t)
{
    bool f = irq_save();
    struct cpu *cpu = this_cpu();
    struct thread *prev = cpu->current;
    thread_check(t, __func__);
    if (t == prev || t->state != THREAD_RUNNABLE || t == cpu->idle) {
        irq_restore(f);
        return;
    }
    thread_stack_canary_check(prev);
    list_remove(&t->sched_link);            /* off the run queue */
    prev->state = THREAD_RUNNABLE;
    list_push_back(&run_queue, &prev->sched_link);
    sched_switch_from_to(cpu, prev, t);
    irq_restore(f);
}

void sched_switch(void)
{
    struct cpu *cpu = this_cpu();
    struct thread *prev = cpu->current, *next;

    if (read_rflags() & RFLAGS_IF)
        panic("%s: called with interrupts enabled", __func__);
    thread_check(prev, __func__);
    thread_stack_canary_check(prev);

    if (prev->state == THREAD_RUNNING)
        prev->state = THREAD_RUNNABLE;
    if (prev->state == THREAD_RUNNABLE && prev != cpu->idle)
        list_push_back(&run_queue, &prev->sched_link);

    struct list_node *n = list_pop_front(&run_queue);
    next = n ? list_entry(n, struct thread, sched_link) : cpu->idle;
    thread_check(next, __func__);
    if (next == prev) {
        next->state = THREAD_RUNNING;
        slice_left = SCHED_SLICE_TICKS;
        need_resched = false;
        return;
    }
    sched_switch_from_to(cpu, prev, next);
}

static void sched_switch_from_to(struct cpu *cpu, struct thread *prev, struct thread *next)
{
    next->state = THREAD_RUNNING;
    slice_left = SCHED_SLICE_TICKS;
    need_resched = false;

    if (next->run_counter)
        (*next->run_counter)++;
    uint64_t now = rdtsc();
    prev->cpu_cycles += now - prev->last_switch_in;
    next->last_switch_in = now;
    cpu->current = next;
    /* Interrupts and syscalls from user mode land on next's kernel stack. */
    cpu->kernel_rsp = (uint64_t)next->kstack + THREAD_STACK_SIZE;
    tss_set_rsp0(cpu->kernel_rsp);
    aspace_switch(next->aspace);
    context_switch(&prev->rsp, next->rsp);
    /* Back in prev, possibly much later. */
    sched_reap();
}

void sched_tick(void)
{
    struct cpu *cpu = this_cpu();
    cpu->ticks++;
    while (!list_empty(&sleep_list)) {
        struct thread *t = list_entry(sleep_list.next, struct thread, sched_link);
        if (t->wake_tick > cpu->ticks)
            break;
        sched_wakeup(t);
    }
    if (cpu->current == cpu->idle) {
        if (!list_empty(&run_queue))
            need_resched = true;
    } else if (slice_left == 0 || --slice_left == 0) {
        need_resched = true;
    }
}

void sched_preempt_point(void)
{
    if (running && need_resched)
        sched_switch();
}

int sched_sleep_until(uint64_t wake, enum sched_sleep_kind kind)
{
    bool f = irq_save();
    struct thread *self = thread_current();
    if (kind == SCHED_SLEEP_INTERRUPTIBLE && thread_wait_interrupted(self)) {
        irq_restore(f);
        return -EINTR;
    }
    self->wake_tick = wake;
    self->state = THREAD_SLEEPING;
    self->intr_blocked = kind == SCHED_SLEEP_INTERRUPTIBLE;
    /* Keep the list sorted so the timer only looks at its head. */
    struct list_node *pos = sleep_list.next;
    while (pos != &sleep_list && list_entry(pos, struct thread, sched_link)->wake_tick <= wake)
        pos = pos->next;
    list_insert_between(&self->sched_link, pos->prev, pos);
    sched_switch();
    self->intr_blocked = false;
    int r = kind == SCHED_SLEEP_INTERRUPTIBLE && thread_wait_interrupted(self) &&
            sched_ticks() < wake ? -EINTR : 0;
    irq_restore(f);
    return r;
}
