/*
 * Trap frames and the interrupt descriptor table.
 *
 * Every one of the 256 vectors enters through a stub in isr.asm that pushes
 * an error code (a zero where the CPU pushes none) and the vector number,
 * saves all general registers and calls trap_dispatch() with a pointer to
 * this frame (NMI, double fault and machine check: trap_paranoid_dispatch()).
 * Changing this struct means changing trapframe.inc (trap.c checks it).
 *
 * Every IDT gate is an interrupt gate: handlers start with interrupts off
 * and with a clean RFLAGS (no AC, DF, NT, TF), and keep interrupts off
 * unless they enable them themselves (the system-call dispatcher does).
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
    /* Not vectors: markers in frames that syscall.asm builds. */
    VEC_SYSCALL_INSN = 0x100,   /* the `syscall` instruction */
    VEC_SYSCALL_COMPAT = 0x101, /* `syscall` from compatibility mode (MSR_CSTAR) */
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
/* Install a handler for vector (replacing the default exception report).
 * For the fatal IST vectors (double fault, machine check) the handler
 * runs on the IST stack after the paranoid entry, with the console in
 * panic mode: it may report and panic, or return to leave the fault to
 * the default report (registers, GS) and panic. */
void trap_register(unsigned vector, trap_handler_fn fn);
/* The handler installed for vector, or NULL. */
trap_handler_fn trap_handler(unsigned vector);
/* Entry point from isr.asm. */
void trap_dispatch(struct trap_frame *tf);

static inline bool trap_from_user(const struct trap_frame *tf)
{
    return (tf->cs & 3) == 3;
}

/* Hooks that higher layers install at boot, so that this layer calls up
 * without depending on them (both NULL until installed). */

/* What may become of a user context that faulted. */
enum trap_fault_action {
    TRAP_FAULT_SIGNAL,      /* its signal handler if it has one, else death */
    TRAP_FAULT_KILL,        /* death: the context cannot be resumed */
};

/* A user-mode exception that nobody resolved (a page fault the address
 * space refused, an invalid opcode, a user frame the CPU refused to return
 * to...): the process layer turns it into a signal or kills the process.
 * Returns only if the process continues, with tf pointing wherever it
 * continues (e.g. a signal handler); never for TRAP_FAULT_KILL. */
typedef void (*trap_user_fault_fn)(struct trap_frame *tf, int signo, uint64_t addr,
                                   const char *why, enum trap_fault_action action);
void trap_set_user_fault_hook(trap_user_fault_fn fn);
/* Call the user-fault hook (panics if none is installed): with
 * TRAP_FAULT_SIGNAL, and with TRAP_FAULT_KILL (does not return; addr: the
 * fault address of a page fault, else 0). */
void trap_user_fault(struct trap_frame *tf, int signo, uint64_t addr, const char *why);
void trap_user_kill(struct trap_frame *tf, int signo, uint64_t addr, const char *why) __noreturn;

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

/* Print the sixteen general registers of tf, four lines (trap_dump's and
 * the monitor's `regs`). */
void trap_regs_print(const struct trap_frame *tf);

/* Print the full register dump and backtrace for tf (used by panics). */
void trap_dump(const struct trap_frame *tf);

/* Exception-table fixups: code that may fault on purpose (copy to/from user,
 * probe of an address) registers (faulting rip -> resume rip) pairs in the
 * __ex_table section; returns true and redirects tf if one matches. */
bool trap_fixup(struct trap_frame *tf);

/* ---- the entry code (isr.asm, syscall.asm) ---- */

/* The `syscall` entry points: MSR_LSTAR (64-bit mode) and MSR_CSTAR
 * (compatibility mode, which kills the process). */
void syscall_entry(void);
void syscall_compat_entry(void);
/* Bit n set: system call n takes syscall.asm's fast path (no trap frame).
 * Written once by syscall_init, from its table. */
extern uint64_t syscall_fast_calls;
/* The exit path's verdict on tf (the same instructions): may it leave by
 * sysret, or must it take iretq? */
bool syscall_frame_sysret_ok(const struct trap_frame *tf);
/* From a call on the fast path (interrupts on or off): leave through
 * syscall_fast_iret, which builds the full frame and passes it to
 * syscall_fast_exit_work (the system-call layer's) before the iretq. */
void syscall_fast_exit_divert(void);
void syscall_fast_exit_work(struct trap_frame *tf);
/* The iretq back to user mode: a fault there is a "bad iret". */
extern const char trap_return_user_iretq[];

/* ---- the IST vectors (paranoid.c) ---- */

/* Entry point from isr.asm for NMI, double fault and machine check, which
 * may arrive anywhere, even where the user's GS base is live: user_gs says
 * that the entry swapped GS (and will swap it back). A double fault or a
 * machine check is reported and panics; an NMI is counted and ignored, and
 * reported on the next interrupt that arrives with interrupts enabled. */
void trap_paranoid_dispatch(struct trap_frame *tf, bool user_gs);

struct trap_nmi_stats {
    uint64_t total;
    uint64_t from_user;         /* user mode was interrupted */
    uint64_t kernel_user_gs;    /* kernel mode, with the user's GS (a swapgs window) */
    uint64_t window_rip;        /* where the last of those struck */
};
void trap_nmi_stats(struct trap_nmi_stats *out);

/* Print what NMIs arrived since the last call (nothing if none). Only
 * where a console lock cannot be held: trap_dispatch calls it on the way
 * out of interrupts that arrived with interrupts enabled. */
void trap_nmi_report(void);

#endif
