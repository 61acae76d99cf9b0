/* The kernel side of system calls (numbers and ABI: uapi/syscall.h). */
#ifndef STRATA_SYSCALL_H
#define STRATA_SYSCALL_H

#include <arch/trap.h>
#include <uapi/syscall.h>

/* Enable `syscall` (EFER.SCE, STAR, LSTAR, FMASK) and the int $0x80 gate. */
void syscall_init(void);

/* Run the call described by tf (rax, rdi, rsi, rdx, r10, r8, r9) and put
 * its result in tf->rax. A handler may rewrite the whole frame (sigreturn
 * does, and returns the restored rax): the exit path (syscall.asm) leaves
 * by sysret only if the frame allows it, so nothing here needs to ask for
 * iretq. A system call from 32-bit mode (tf->vector VEC_SYSCALL_COMPAT)
 * kills the process. */
void syscall_dispatch(struct trap_frame *tf);

/* Per-area handlers, called by the dispatcher. */
typedef long (*syscall_fn)(struct trap_frame *tf, uint64_t a0, uint64_t a1,
                           uint64_t a2, uint64_t a3, uint64_t a4);

/* One handler per entry of SYSCALL_LIST (uapi/syscall.h): sys_NAME. */
#define SYSCALL_DECLARE_(NAME, name, ret, a0, a1, a2, a3, a4, doc) \
    long sys_##name(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
SYSCALL_LIST(SYSCALL_DECLARE_)
#undef SYSCALL_DECLARE_


#endif
