/*
 * Signals, shared by the kernel and the user library.
 *
 * A process registers one handler with SYS_SIGNAL, for the fault signals
 * and for SIGINT alike. On an unfixable fault, or when a SIGINT is due
 * (Ctrl-C on the console: it is delivered at the process's next return to
 * user mode, a system call it is blocked in returning -EINTR), the kernel
 * pushes a struct sigframe on the user stack (below the red zone, 16-byte
 * aligned) and enters
 *     handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
 * with the return address set to the trampoline given at registration,
 * which calls SYS_SIGRETURN(ctx). The handler may edit ctx (e.g. ctx->rip
 * to skip the faulting instruction) before returning. A fault while the
 * handler runs (a nested fault), or with no handler, kills the process; a
 * SIGINT that comes while the handler runs waits until it returns.
 *
 * Instead of a handler, SYS_SIGNAL takes SIG_DFL (no handler: a fault or
 * SIGINT kills) or SIG_IGN (SIGINT is thrown away; a fault still kills).
 * fork keeps the handler or SIG_IGN (a fork made in the handler is in it
 * too until its sigreturn); exec keeps SIG_IGN (as POSIX does)
 * and turns a handler back into SIG_DFL.
 */
#ifndef STRATA_UAPI_SIGNAL_H
#define STRATA_UAPI_SIGNAL_H

#define SIGINT      2       /* interrupt: Ctrl-C on the console */
#define SIGILL      4       /* invalid opcode */
#define SIGTRAP     5       /* breakpoint */
#define SIGFPE      8       /* divide error */
#define SIGKILL     9
#define SIGSEGV     11      /* bad memory access, general protection */

/* Every signal, for its name (kernel/lib/signame.c). */
#define SIGNAL_LIST(X) X(SIGINT) X(SIGILL) X(SIGTRAP) X(SIGFPE) X(SIGKILL) X(SIGSEGV)

/* SYS_SIGNAL's handler argument, besides a handler's address. */
#define SIG_DFL     0UL     /* no handler: the signal kills */
#define SIG_IGN     1UL     /* SIGINT is ignored (faults still kill) */

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
