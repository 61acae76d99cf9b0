/*
 * Per-CPU state, reached through the GS base (%gs:0 holds the struct's own
 * address). Strata runs on one CPU today; everything per-CPU already lives
 * here so SMP only has to allocate more of these.
 *
 * The syscall entry path reads kernel_rsp and scratches user_rsp through
 * fixed offsets: keep the first fields in sync with arch/x86_64/entry/syscall.asm.
 */
#ifndef STRATA_PERCPU_H
#define STRATA_PERCPU_H

#include <compiler.h>

struct thread;
struct aspace;

struct cpu {
    struct cpu *self;           /* offset 0  */
    uint64_t kernel_rsp;        /* offset 8: stack top for syscall entry */
    uint64_t user_rsp;          /* offset 16: user rsp saved at syscall entry */
    int id;
    struct thread *current;
    struct thread *idle;
    struct aspace *aspace;      /* address space loaded on this CPU */
    uint64_t ticks;             /* timer interrupts seen */
};

#define PERCPU_KERNEL_RSP   8
#define PERCPU_USER_RSP     16

void percpu_init(void);

static inline struct cpu *this_cpu(void)
{
    struct cpu *c;
    __asm__ volatile("movq %%gs:0, %0" : "=r"(c));
    return c;
}

#endif
