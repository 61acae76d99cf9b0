/*
 * Fault signals, shared by the kernel and the user library.
 *
 * A process registers one handler with SYS_SIGNAL. On an unfixable fault
 * the kernel pushes a struct sigframe on the user stack (below the red
 * zone, 16-byte aligned) and enters
 *     handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
 * with the return address set to the trampoline given at registration,
 * which calls SYS_SIGRETURN(ctx). The handler may edit ctx (e.g. ctx->rip
 * to skip the faulting instruction) before returning. A fault while the
 * handler runs (a nested fault), or with no handler, kills the process.
 */
#ifndef STRATA_UAPI_SIGNAL_H
#define STRATA_UAPI_SIGNAL_H

#define SIGILL      4       /* invalid opcode */
#define SIGTRAP     5       /* breakpoint */
#define SIGFPE      8       /* divide error */
#define SIGKILL     9
#define SIGSEGV     11      /* bad memory access, general protection */

struct sigcontext {
    unsigned long r15, r14, r13, r12, r11, r10, r9, r8;
    unsigned long rbp, rdi, rsi, rdx, rcx, rbx, rax;
    unsigned long rip, rflags, rsp;
    unsigned long fault_addr;
    unsigned long signo;
};

/* What the kernel pushes on the user stack for a handler: at handler
 * entry rsp points at retaddr, and (rsp + 8) % 16 == 0 (SysV). */
struct sigframe {
    unsigned long retaddr;          /* the trampoline */
    struct sigcontext ctx;          /* the handler's third argument */
};

#endif
