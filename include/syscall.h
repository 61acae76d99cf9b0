/* The kernel side of system calls (numbers and ABI: uapi/syscall.h). */
#ifndef STRATA_SYSCALL_H
#define STRATA_SYSCALL_H

#include <arch/trap.h>

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
