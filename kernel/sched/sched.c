/*
 * Round-robin preemptive scheduler (one CPU).
 *
 * Invariants (all with interrupts disabled):
 *  - the current thread is RUNNING and on no queue;
 *  - a RUNNABLE thread is on run_queue, except the idle thread, which is
 *    never queued and runs only when run_queue is empty;
 *  - a SLEEPING thread is on sleep_list, sorted by wake_tick;
 *  - a BLOCKED thread is on exactly one wait queue (or being created);
 *  - every thread on run_queue passed thread_check when it was queued.
 *
 * The switch itself (sched_switch -> sched_switch_from_to ->
 * context_switch) is the hottest path in the kernel: a yield, an IPC
 * round trip, every blocking call goes through it. It does only what
 * switching needs, plus the one check that catches real bugs at once,
 * the top word of the outgoing thread's stack canary. The rest runs
 * elsewhere: a thread is checked (thread_check) when it is queued, not
 * when it is picked; CPU time is sampled by the timer tick instead of
 * being read from the TSC on every switch; the tick also checks the
 * whole canary of the thread it interrupts; zombies are reaped only when
 * there are some; the address space is switched only when it changes.
 * Every caller of sched_switch is in this folder and disables interrupts
 * first (thread_yield, waitq_wait, sched_sleep_until, thread_exit, the
 * idle loop, and the preemption point, which trap_dispatch calls with
 * interrupts off).
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
/* The canary word a stack overflow reaches first (the stack grows down
 * onto the canary from above): the one checked on every switch. */
#define STACK_CANARY_TOP    (STACK_CANARY_WORDS - 1)

static struct list_node run_queue = LIST_INIT(run_queue);
static struct list_node sleep_list = LIST_INIT(sleep_list);
static struct list_node reap_list = LIST_INIT(reap_list);
bool sched_is_running;
static volatile bool need_resched;
static unsigned slice_left;
static struct thread boot_thread;
static uint64_t last_tick_tsc;          /* TSC at the last timer tick */

void thread_stack_canary_set(struct thread *t)
{
    uint64_t *w = (uint64_t *)t->kstack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++)
        w[i] = STACK_CANARY;
}

static __noreturn void sched_stack_overflow(const struct thread *t, const char *caller)
{
    panic("%s: kernel stack overflow in thread %d '%s' (stack %p)",
          caller, t->tid, t->name, t->kstack);
}

void thread_stack_canary_check(const struct thread *t)
{
    const uint64_t *w = (const uint64_t *)t->kstack;
    for (int i = 0; i < STACK_CANARY_WORDS; i++)
        if (w[i] != STACK_CANARY)
            sched_stack_overflow(t, __func__);
}

/* The switch's check: the top canary word only (three instructions). */
static inline void sched_canary_top_check(const struct thread *t)
{
    if (unlikely(((const uint64_t *)t->kstack)[STACK_CANARY_TOP] != STACK_CANARY))
        sched_stack_overflow(t, __func__);
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
    last_tick_tsc = boot_thread.last_switch_in = rdtsc();
    aspace_thread_attach(NULL, &boot_thread);
    cpu->current = &boot_thread;

    struct thread *idle;
    /* Created suspended: the idle thread is never on the run queue. */
    if (thread_create("idle", NULL, idle_main, NULL, THREAD_DETACHED | THREAD_SUSPENDED, &idle) < 0)
        panic("%s: cannot create the idle thread", __func__);
    idle->state = THREAD_RUNNABLE;
    cpu->idle = idle;
    slice_left = SCHED_SLICE_TICKS;
    sched_is_running = true;
    trap_set_preempt_hook(sched_preempt_point);
}

void sched_wakeup_irqs_off(struct thread *t)
{
    thread_check(t, __func__);
    if (t->state == THREAD_SLEEPING)
        list_remove(&t->sched_link);
    if (t->state == THREAD_BLOCKED || t->state == THREAD_SLEEPING) {
        t->state = THREAD_RUNNABLE;
        if (t != this_cpu()->idle)
            list_push_back(&run_queue, &t->sched_link);
    }
}

void sched_wakeup(struct thread *t)
{
    bool f = irq_save();
    sched_wakeup_irqs_off(t);
    irq_restore(f);
}

void sched_reap_later(struct thread *t)
{
    list_push_back(&reap_list, &t->sched_link);
}

/* Free detached zombies; runs on a stack other than theirs. Called after
 * a switch, only when reap_list is not empty. */
static __attribute__((noinline)) void sched_reap(void)
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
static inline void sched_switch_from_to(struct cpu *cpu, struct thread *prev, struct thread *next);

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

    if (prev->state == THREAD_RUNNING)
        prev->state = THREAD_RUNNABLE;
    if (prev->state == THREAD_RUNNABLE && prev != cpu->idle)
        list_push_back(&run_queue, &prev->sched_link);

    struct list_node *n = list_pop_front(&run_queue);
    next = n ? list_entry(n, struct thread, sched_link) : cpu->idle;
    if (next == prev) {
        next->state = THREAD_RUNNING;
        slice_left = SCHED_SLICE_TICKS;
        need_resched = false;
        return;
    }
    sched_switch_from_to(cpu, prev, next);
}

static inline void sched_switch_from_to(struct cpu *cpu, struct thread *prev, struct thread *next)
{
    sched_canary_top_check(prev);
    next->state = THREAD_RUNNING;
    slice_left = SCHED_SLICE_TICKS;
    need_resched = false;

    if (next->run_counter)
        (*next->run_counter)++;
    next->last_switch_in = last_tick_tsc;   /* see sched_tick */
    cpu->current = next;
    /* Interrupts and syscalls from user mode land on next's kernel stack. */
    cpu->kernel_rsp = (uint64_t)next->kstack + THREAD_STACK_SIZE;
    tss_set_rsp0(cpu->kernel_rsp);
    if (next->aspace != cpu->aspace)        /* never NULL: attach sets it */
        aspace_switch(next->aspace);
    context_switch(&prev->rsp, next->rsp);
    /* Back in prev, possibly much later. */
    if (unlikely(!list_empty(&reap_list)))
        sched_reap();
}

/* CPU time is sampled here rather than measured at every switch: the
 * whole interval since the previous tick is charged to the thread that is
 * running now (as Unix charges ticks), and last_switch_in lets `threads`
 * add the part of the current interval. The full canary of the running
 * thread is checked here too (the switch checks only its top word). */
void sched_tick(void)
{
    struct cpu *cpu = this_cpu();
    struct thread *cur = cpu->current;
    uint64_t now = rdtsc();
    cur->cpu_cycles += now - last_tick_tsc;
    cur->last_switch_in = last_tick_tsc = now;
    thread_stack_canary_check(cur);
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
    if (sched_is_running && need_resched)
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
