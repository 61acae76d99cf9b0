/*
 * Trap frames and the interrupt descriptor table.
 *
 * Every one of the 256 vectors enters through a stub in isr.asm that pushes
 * an error code (a zero where the CPU pushes none) and the vector number,
 * saves all general registers and calls trap_dispatch() with a pointer to
 * this frame. Changing this struct means changing isr.asm.
 */
#ifndef STRATA_ARCH_TRAP_H
#define STRATA_ARCH_TRAP_H

#include <compiler.h>

struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector;
    uint64_t error;
    /* pushed by the CPU */
    uint64_t rip, cs, rflags, rsp, ss;
};

enum {
    VEC_DE = 0,  VEC_DB = 1,  VEC_NMI = 2, VEC_BP = 3,  VEC_OF = 4,
    VEC_BR = 5,  VEC_UD = 6,  VEC_NM = 7,  VEC_DF = 8,  VEC_TS = 10,
    VEC_NP = 11, VEC_SS = 12, VEC_GP = 13, VEC_PF = 14, VEC_MF = 16,
    VEC_AC = 17, VEC_MC = 18, VEC_XM = 19, VEC_VE = 20, VEC_CP = 21,
    VEC_IRQ_BASE = 32,          /* legacy PIC IRQs 0-15 land at 32-47 */
    VEC_SYSCALL = 0x80,         /* int $0x80 gate, DPL 3 */
    VEC_APIC_TIMER = 0xF0,
    VEC_APIC_SPURIOUS = 0xFF,
};

/* Page-fault error code bits. */
#define PF_PRESENT  (1u << 0)   /* 0: not present, 1: protection violation */
#define PF_WRITE    (1u << 1)
#define PF_USER     (1u << 2)
#define PF_RSVD     (1u << 3)
#define PF_INSTR    (1u << 4)

typedef void (*trap_handler_fn)(struct trap_frame *tf);

void idt_init(void);
/* Install a handler for vector (replacing the default exception report). */
void trap_register(unsigned vector, trap_handler_fn fn);
/* Entry point from isr.asm. */
void trap_dispatch(struct trap_frame *tf);

static inline bool trap_from_user(const struct trap_frame *tf)
{
    return (tf->cs & 3) == 3;
}

/* Hooks that higher layers install at boot, so that this layer calls up
 * without depending on them (both NULL until installed). */

/* A user-mode exception that nobody resolved (a page fault the address
 * space refused, an invalid opcode...): the process layer turns it into a
 * signal or kills the process. Returns only if the process continues, with
 * tf pointing wherever it continues (e.g. a signal handler). */
typedef void (*trap_user_fault_fn)(struct trap_frame *tf, int signo, uint64_t addr, const char *why);
void trap_set_user_fault_hook(trap_user_fault_fn fn);
/* Call the user-fault hook (panics if none is installed). */
void trap_user_fault(struct trap_frame *tf, int signo, uint64_t addr, const char *why);

/* Run on the way back to user mode from every interrupt or exception
 * taken in user mode: the process layer ends a process that was killed. */
typedef void (*trap_user_return_fn)(struct trap_frame *tf);
void trap_set_user_return_hook(trap_user_return_fn fn);

/* Run on the way out of every interrupt or exception that arrived with
 * interrupts enabled: the scheduler's preemption point. */
typedef void (*trap_preempt_fn)(void);
void trap_set_preempt_hook(trap_preempt_fn fn);

/* Name of an exception vector ("page fault"), or NULL for non-exceptions. */
const char *trap_name(unsigned vector);

/* Print the full register dump and backtrace for tf (used by panics). */
void trap_dump(const struct trap_frame *tf);

/* Exception-table fixups: code that may fault on purpose (copy to/from user,
 * probe of an address) registers (faulting rip -> resume rip) pairs in the
 * __ex_table section; returns true and redirects tf if one matches. */
bool trap_fixup(struct trap_frame *tf);

#endif
