/* The kernel side of system calls (numbers and ABI: uapi/syscall.h). */
#ifndef STRATA_SYSCALL_H
#define STRATA_SYSCALL_H

#include <arch/trap.h>

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

long sys_exit(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_spawn(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_wait(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_getpid(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_yield(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_getc(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_cwrite(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_open(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_close(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_read(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_write(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_seek(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_stat(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_readdir(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_map(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_unmap(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_signal(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_sigreturn(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_env_destroy(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_cgetc(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_ipc_recv(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_ipc_can_send(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_ipc_send(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mem_alloc(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mem_map(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_mem_unmap(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_env_alloc(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_env_status(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_set_pgfault_handler(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_vm_region(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_vm_pages(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_vm_copy(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);
long sys_batch(struct trap_frame *, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);


#endif
