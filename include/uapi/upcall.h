/*
 * The user-level page-fault upcall (JOS lab 4, part B; docs/fork.md),
 * shared by the kernel and user programs: what the kernel pushes on the
 * user exception stack before it resumes the environment at its upcall,
 * with %rsp pointing at the struct UTrapframe.
 *
 *   non-recursive (the fault was not on the exception stack):
 *       the frame ends at xstacktop (16-byte aligned);
 *   recursive (the handler itself faulted, %rsp on the exception stack):
 *       the frame ends UPCALL_SCRATCH bytes below the trap-time %rsp: the
 *       interrupted handler's 128-byte red zone and the word under it,
 *       where the upcall's return writes the trap-time %rip, stay intact.
 * A frame that would not fit in the page below xstacktop, or a stack that
 * is not mapped and writable, ends the environment.
 */
#ifndef STRATA_UAPI_UPCALL_H
#define STRATA_UAPI_UPCALL_H

#include <stdint.h>

struct PushRegs {
    uint64_t reg_r15, reg_r14, reg_r13, reg_r12, reg_r11, reg_r10, reg_r9, reg_r8;
    uint64_t reg_rsi, reg_rdi, reg_rbp, reg_rdx, reg_rcx, reg_rbx, reg_rax;
};

struct UTrapframe {
    uint64_t utf_fault_va;          /* the faulting address */
    uint64_t utf_err;               /* the page-fault error code (FEC_*) */
    struct PushRegs utf_regs;
    uint64_t utf_rip;
    uint64_t utf_rflags;
    uint64_t utf_rsp;
};

#define UPCALL_SCRATCH  136         /* red zone (128) + the return's scratch word */

/* Page-fault error code bits (utf_err). */
#define FEC_PR  0x1     /* the page was present (protection violation) */
#define FEC_WR  0x2     /* the access was a write */
#define FEC_U   0x4     /* the access came from user mode */

#endif
