/*
 * Kernel threads.
 *
 * Every thread has its own kernel stack (THREAD_STACK_SIZE bytes) in the
 * kernel window, with an unmapped guard page below it (include/kstack.h):
 * running off the bottom is a double fault, reported as a kernel stack
 * overflow naming the thread. The lowest bytes also hold a canary, checked
 * at the next switch (its top word, the one an overflow reaches first) or
 * the next timer tick and free (all of it); the boot thread's stack, in
 * the kernel image, has only the canary.
 *
 * Lifecycle: RUNNABLE <-> RUNNING -> BLOCKED/SLEEPING -> RUNNABLE ...
 * -> ZOMBIE (exited, stack still allocated) -> freed by thread_join(), or by
 * the reaper if the thread was created detached. A thread lives in exactly
 * one address space at a time (NULL means the boot address space).
 */
#ifndef STRATA_THREAD_H
#define STRATA_THREAD_H

#include <list.h>
#include <waitq.h>
#include <sched.h>
#include <percpu.h>

#define THREAD_MAGIC        0x54485244u     /* "THRD" */
#define THREAD_DEAD_MAGIC   0x44454144u     /* "DEAD": freed */
#define THREAD_NAME_MAX     24
#define THREAD_STACK_SIZE   16384

enum thread_state {
    THREAD_RUNNABLE,
    THREAD_RUNNING,
    THREAD_BLOCKED,     /* on a wait queue */
    THREAD_SLEEPING,    /* on the timer's sleep list */
    THREAD_ZOMBIE,      /* exited, waiting to be joined or reaped */
};

enum thread_flags {
    THREAD_JOINABLE = 0,
    THREAD_DETACHED = 1 << 0,   /* freed automatically on exit */
    THREAD_SUSPENDED = 1 << 1,  /* created blocked: thread_resume() starts it */
};

typedef void *(*thread_fn)(void *arg);
struct aspace;
struct process;

struct thread {
    uint32_t magic;
    enum thread_state state;
    int tid;
    enum thread_flags flags;
    char name[THREAD_NAME_MAX];
    uint64_t rsp;                   /* saved while not running */
    uint8_t *kstack;                /* lowest address of the kernel stack */
    struct aspace *aspace;          /* NULL: the boot address space */
    struct process *proc;           /* NULL for kernel threads */
    struct list_node sched_link;    /* run queue, wait queue or sleep list */
    struct list_node all_link;      /* every thread */
    struct list_node aspace_link;   /* threads of the same address space */
    uint64_t wake_tick;             /* SLEEPING: tick at which to wake */
    uint64_t cpu_cycles;            /* TSC cycles charged to it by the timer
                                       tick (sampled: see sched_tick) */
    uint64_t last_switch_in;        /* TSC of the last tick before it last ran:
                                       cpu_cycles + (now - this) while running */
    void *exit_value;
    struct waitq joiners;
    bool intr_pending;              /* thread_interrupt() was called: interruptible
                                       waits return -EINTR from now on */
    bool signal_pending;            /* thread_signal() was called: interruptible
                                       waits return -EINTR until thread_signal_clear() */
    bool intr_blocked;              /* blocked in an interruptible wait */
    uint32_t *run_counter;          /* if set, incremented every time the
                                       scheduler switches to this thread
                                       (the JOS env_runs view) */
    thread_fn fn;
    void *arg;
};

/* Create a runnable thread running fn(arg) in address space as (NULL: the
 * boot address space), where it counts from now on: a thread is created
 * where it belongs, so that no other address space waits for it to move.
 * Returns 0 and *out (unless flags has THREAD_DETACHED, when out may be NULL),
 * or -ENOMEM with nothing allocated. */
int thread_create(const char *name, struct aspace *as, thread_fn fn, void *arg,
                  enum thread_flags flags, struct thread **out);

/* Start a thread created with THREAD_SUSPENDED. */
void thread_resume(struct thread *t);

/* End the calling thread with value (returned to the joiner). */
void thread_exit(void *value) __noreturn;

/* Wait for a joinable thread to exit, free it and return its value.
 * Joining a detached thread, or oneself, is -EINVAL. */
int thread_join(struct thread *t, void **value);

void thread_yield(void);

/* Ask t to stop waiting: from now on its interruptible waits
 * (waitq_wait_interruptible) return -EINTR, and one it is blocked in right
 * now wakes at once. Uninterruptible waits are not disturbed. The flag
 * stays set (it marks a thread whose process is being torn down).
 * Callable with interrupts off. */
void thread_interrupt(struct thread *t);
/* The same for a signal the process layer has for t: its interruptible
 * waits return -EINTR (and one it is blocked in wakes at once) until the
 * signal is taken and t calls thread_signal_clear(). Callable with
 * interrupts off, from interrupt handlers too. */
void thread_signal(struct thread *t);
/* The calling thread's signal has been taken: waits are undisturbed again
 * (unless thread_interrupt was called). */
void thread_signal_clear(void);
/* Would an interruptible wait of t return -EINTR now? (Interrupts off.) */
static inline bool thread_wait_interrupted(const struct thread *t)
{
    return t->intr_pending || t->signal_pending;
}
/* Sleep ms milliseconds (at least one tick). 0, or -EINTR if an
 * interruptible sleep was interrupted. */
int thread_sleep_ms(uint64_t ms, enum sched_sleep_kind kind);

/* The running thread (NULL before sched_init). Inline: it is on every
 * system call's path. */
static inline struct thread *thread_current(void)
{
    return this_cpu()->current;
}

/* Panics (naming caller) if t is not a live thread. Inline (it guards
 * every wake-up); the report is out of line. */
void thread_check_failed(const struct thread *t, const char *caller) __noreturn;
static inline void thread_check(const struct thread *t, const char *caller)
{
    if (unlikely(!t || t->magic != THREAD_MAGIC))
        thread_check_failed(t, caller);
}

/* Call fn for every thread, with the scheduler lock held: fn must not block. */
void thread_for_each(void (*fn)(struct thread *t, void *arg), void *arg);
const char *thread_state_name(enum thread_state s);

/* Number of threads alive (including zombies not yet freed). */
int thread_count(void);



/* ---- for the scheduler and thread.c only ---- */
void thread_register(struct thread *t, const char *name);
void thread_free(struct thread *t);
void thread_stack_canary_set(struct thread *t);
/* Panics if t's stack canary was overwritten (every word of it). */
void thread_stack_canary_check(const struct thread *t);
#endif
