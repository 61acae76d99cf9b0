/* The kernel side of system calls (numbers and ABI: uapi/syscall.h). */
#ifndef STRATA_SYSCALL_H
#define STRATA_SYSCALL_H

#include <arch/trap.h>
#include <uapi/syscall.h>

/* Enable `syscall` (EFER.SCE, STAR, LSTAR, FMASK) and the int $0x80 gate. */
void syscall_init(void);

/* Run call nr with arguments a0..a4 (the user's rdi, rsi, rdx, r10, r8)
 * and return its result, for the entry code to put in rax. Called with
 * interrupts off; returns with them on.
 *
 * tf is the caller's complete user context on the full path (the calls
 * marked SYSCALL_FULL_FRAME, int $0x80, numbers that are refused) and NULL
 * on the fast path, which saves only what C does not preserve
 * (syscall.asm). A handler may rewrite the whole frame (sigreturn does,
 * and returns the restored rax): the exit path leaves by sysret only if
 * the frame allows it, so nothing here needs to ask for iretq. A system
 * call from 32-bit mode (tf->vector VEC_SYSCALL_COMPAT) kills the process.
 * After the call, as in JOS: a JOS environment whose call failed with
 * -EFAULT dies (process_mem_check), and a killed process exits. */
long syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t nr, struct trap_frame *tf);

/* Per-area handlers, called by the dispatcher. tf is NULL unless the call
 * is marked SYSCALL_FULL_FRAME in the table (syscall.c). */
typedef long (*syscall_fn)(struct trap_frame *tf, uint64_t a0, uint64_t a1,
                           uint64_t a2, uint64_t a3, uint64_t a4);

/* One handler per entry of SYSCALL_LIST (uapi/syscall.h): sys_NAME. */
#define SYSCALL_DECLARE_(NAME, name, ret, a0, a1, a2, a3, a4, doc) \
    long sys_##name(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
SYSCALL_LIST(SYSCALL_DECLARE_)
#undef SYSCALL_DECLARE_


#endif
