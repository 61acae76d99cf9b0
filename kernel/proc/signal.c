/*
 * Signals for user processes (ABI in uapi/signal.h).
 *
 * A user-mode fault nobody could fix arrives here from the trap path. If
 * the process registered a handler and is not already in it, the kernel
 * saves the interrupted registers in a struct sigcontext on the user stack
 * and makes the trap return into the handler; sigreturn restores them
 * (possibly edited). Otherwise the process is killed and its parent's
 * wait() reports the signal.
 *
 * SIGINT is asynchronous: it is posted (process_signal, from the console's
 * interrupt handler for Ctrl-C) and delivered by the process itself at its
 * next return to user mode (process_signal_deliver), through the same
 * frame as a fault's: after a system call (whose result is saved in the
 * context, -EINTR if it was waiting), or after an interrupt, the timer's
 * included, so a loop that makes no system call is reached too.
 *
 * Invariants (env_lock held): a bit in p->sig_pending is a signal posted
 * to a process with a handler and not yet delivered; p->main's
 * signal_pending flag is set only while such a bit is and p is not in its
 * handler (a signal never interrupts its handler's waits).
 */
#include <syscall.h>
#include <proc.h>
#include <env.h>
#include <monitor.h>
#include <thread.h>
#include <trace.h>
#include <aspace.h>
#include <usercopy.h>
#include <log.h>
#include <panic.h>
#include <arch/trap.h>
#include <arch/gdt.h>
#include <arch/cpu.h>
#include <string.h>
#include <signame.h>
#include <uapi/signal.h>
#include <uapi/syscall.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

#define RED_ZONE        128
/* RFLAGS bits a context given to sigreturn may set (Linux's choice less
 * RF): the arithmetic flags, DF, TF (a single-stepping program keeps
 * stepping) and AC. Never IOPL, NT, VM, or IF off: IF is forced on. */
#define RFLAGS_USER     (RFLAGS_CF | RFLAGS_PF | RFLAGS_AF | RFLAGS_ZF | RFLAGS_SF | \
                         RFLAGS_DF | RFLAGS_OF | RFLAGS_TF | RFLAGS_AC)
/* Cleared for a signal handler: DF (SysV function entry), TF (the handler
 * of a single-stepping program must not trap on its first instruction),
 * RF. */
#define RFLAGS_HANDLER_CLEAR (RFLAGS_DF | RFLAGS_TF | RFLAGS_RF)

static void sigcontext_from_frame(struct sigcontext *c, const struct trap_frame *tf)
{
    c->r15 = tf->r15; c->r14 = tf->r14; c->r13 = tf->r13; c->r12 = tf->r12;
    c->r11 = tf->r11; c->r10 = tf->r10; c->r9 = tf->r9;   c->r8 = tf->r8;
    c->rbp = tf->rbp; c->rdi = tf->rdi; c->rsi = tf->rsi; c->rdx = tf->rdx;
    c->rcx = tf->rcx; c->rbx = tf->rbx; c->rax = tf->rax;
    c->rip = tf->rip; c->rflags = tf->rflags; c->rsp = tf->rsp;
}

static void frame_from_sigcontext(struct trap_frame *tf, const struct sigcontext *c)
{
    tf->r15 = c->r15; tf->r14 = c->r14; tf->r13 = c->r13; tf->r12 = c->r12;
    tf->r11 = c->r11; tf->r10 = c->r10; tf->r9 = c->r9;   tf->r8 = c->r8;
    tf->rbp = c->rbp; tf->rdi = c->rdi; tf->rsi = c->rsi; tf->rdx = c->rdx;
    tf->rcx = c->rcx; tf->rbx = c->rbx; tf->rax = c->rax;
    tf->rip = c->rip; tf->rsp = c->rsp;
    tf->rflags = (c->rflags & RFLAGS_USER) | RFLAGS_IF | RFLAGS_FIXED;
    tf->cs = SEL_UCODE | RPL_USER;
    tf->ss = SEL_UDATA | RPL_USER;
}

/* Push a signal frame and point tf at the handler. 0, or -EFAULT if the
 * user stack cannot take it (e.g. it overflowed into the guard page). */
static int signal_deliver(struct process *p, struct trap_frame *tf, int signo, uint64_t addr)
{
    struct sigframe f;
    memset(&f, 0, sizeof(f));       /* no kernel stack bytes in any hole, ever */
    f.retaddr = p->sig_trampoline;
    sigcontext_from_frame(&f.ctx, tf);
    f.ctx.fault_addr = addr;
    f.ctx.signo = (unsigned long)signo;

    /* Below the red zone, with the context 16-byte aligned. */
    uint64_t ctx = ALIGN_DOWN(tf->rsp - RED_ZONE - sizeof(f.ctx), 16);
    uint64_t sp = ctx - offsetof(struct sigframe, ctx);
    if (tf->rsp < USER_START || copy_to_user(sp, &f, sizeof(f)) < 0)
        return -EFAULT;
    tf->rip = p->sig_handler;
    tf->rsp = sp;
    tf->rdi = (uint64_t)signo;
    tf->rsi = addr;
    tf->rdx = ctx;
    tf->rflags = (tf->rflags & ~RFLAGS_HANDLER_CLEAR) | RFLAGS_IF;
    /* The handler is 64-bit code: whatever segments the fault came from. */
    tf->cs = SEL_UCODE | RPL_USER;
    tf->ss = SEL_UDATA | RPL_USER;
    p->in_handler = true;
    trace_note(p, TRACE_SIGNAL, signo, addr, 0);
    return 0;
}

void process_fault_signal(struct trap_frame *tf, int signo, uint64_t addr, const char *why,
                          enum trap_fault_action action)
{
    struct process *p = process_current();
    if (!p) {
        trap_dump(tf);
        panic("%s: user-mode fault in a thread without a process", __func__);
    }
    /* A page fault goes to the environment's upcall first (JOS), then to
     * its signal handler; otherwise it dies. */
    if (action == TRAP_FAULT_SIGNAL && tf->vector == VEC_PF && process_upcall(p, tf, addr))
        return;
    /* A breakpoint or a single step of a program under the monitor. */
    if (action == TRAP_FAULT_SIGNAL && monitor_trap(p, tf) == MONITOR_TAKEN)
        return;
    if (action == TRAP_FAULT_SIGNAL && p->sig_handler > SIG_IGN && !p->in_handler &&
        signal_deliver(p, tf, signo, addr) == 0)
        return;
    /* Fatal: a tracer sees the signal, then the end (as strace shows it). */
    trace_note(p, TRACE_SIGNAL, signo, tf->vector == VEC_PF ? addr : 0, 0);
    if (p->env_flags & PROC_ENV_JOS) {
        /* JOS's words for an environment that faulted with no handler. */
        kprintf("[%08x] user fault va %08lx ip %08lx\n", p->pid,
                tf->vector == VEC_PF ? addr : 0, tf->rip);
        if (action == TRAP_FAULT_KILL && why)
            kprintf("[%08x] %s\n", p->pid, why);   /* why no handler was offered */
        process_exit(WAIT_SIGNALED(signo));
    }
    if (tf->vector == VEC_PF)
        kprintf("[pid %d] user fault va %#lx ip %#lx (%s)\n", p->pid, addr, tf->rip, why);
    else
        kprintf("[pid %d] user fault ip %#lx (%s)\n", p->pid, tf->rip, why ? why : "exception");
    kprintf("[pid %d] %s killed by %s (%d)%s\n", p->pid, p->name, signame(signo), signo,
            p->in_handler ? " while in its signal handler" : "");
    process_exit(WAIT_SIGNALED(signo));
}

/* ---- asynchronous signals ---- */

#define SIG_BIT(signo)  (1u << (signo))

int process_signal(struct process *p, int signo, int sender)
{
    bool f = spin_lock_irqsave(&env_lock);
    if (!p->env_alive) {
        spin_unlock_irqrestore(&env_lock, f);
        return -ESRCH;
    }
    uint64_t handler = p->sig_handler;
    if (handler > SIG_IGN && !p->killed) {
        p->sig_pending |= SIG_BIT(signo);
        if (!p->in_handler)
            thread_signal(p->main);
    }
    spin_unlock_irqrestore(&env_lock, f);
    if (handler == SIG_DFL) {
        int err = process_kill(p, WAIT_SIGNALED(signo), sender, PROCESS_KILL_ASYNC);
        return err == -ESRCH ? err : 0;
    }
    return 0;
}

void process_signal_deliver(struct process *p, struct trap_frame *tf)
{
    bool f = spin_lock_irqsave(&env_lock);
    thread_signal_clear();      /* taken now, or left for after the handler */
    if (p->in_handler || !p->sig_pending || p->killed) {
        spin_unlock_irqrestore(&env_lock, f);
        return;
    }
    int signo = __builtin_ctz(p->sig_pending);
    p->sig_pending &= ~SIG_BIT(signo);
    uint64_t handler = p->sig_handler;
    /* In the handler from now on, for process_signal too: a SIGINT that
     * comes now waits for sigreturn rather than interrupt the handler. */
    p->in_handler = handler > SIG_IGN;
    spin_unlock_irqrestore(&env_lock, f);
    if (handler == SIG_IGN)             /* changed since it was posted */
        return;
    if (handler == SIG_DFL) {
        trace_note(p, TRACE_SIGNAL, signo, 0, 0);
        process_exit(WAIT_SIGNALED(signo));
    }
    if (signal_deliver(p, tf, signo, 0) < 0) {
        kprintf("[pid %d] %s: cannot push the frame for %s at rsp %#lx\n", p->pid, p->name,
                signame(signo), tf->rsp);
        kprintf("[pid %d] %s killed by %s (%d)\n", p->pid, p->name, signame(SIGSEGV), SIGSEGV);
        process_exit(WAIT_SIGNALED(SIGSEGV));
    }
}

/* signal(handler, trampoline): a handler for the fault signals and SIGINT
 * (both addresses user code, else -EFAULT and nothing changes), or SIG_DFL
 * or SIG_IGN (the trampoline is not looked at). 0. */
long sys_signal(struct trap_frame *tf, uint64_t handler, uint64_t trampoline, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    if (handler > SIG_IGN && (!user_range_ok(handler, 1) || !user_range_ok(trampoline, 1)))
        return -EFAULT;
    bool f = spin_lock_irqsave(&env_lock);
    p->sig_handler = handler;
    if (handler > SIG_IGN)
        p->sig_trampoline = trampoline;
    if (handler == SIG_IGN) {
        p->sig_pending = 0;     /* ignoring throws away what is due (POSIX); with
                                   SIG_DFL it stays due, and kills when delivered */
        thread_signal_clear();  /* and the flag that goes with it (the invariant
                                   above; p->main is the caller): no later wait
                                   may end with -EINTR for a signal thrown away */
    }
    spin_unlock_irqrestore(&env_lock, f);
    return 0;
}

long sys_sigreturn(struct trap_frame *tf, uint64_t uctx, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    struct sigcontext c;
    if (copy_from_user(&c, uctx, sizeof(c)) < 0 ||
        !user_range_ok(c.rip, 1) || !user_range_ok(c.rsp, 0)) {
        /* Resuming at a kernel or non-canonical address is never allowed. */
        kprintf("[pid %d] %s: bad sigreturn context at %#lx\n", p->pid, p->name, uctx);
        process_exit(WAIT_SIGNALED(SIGSEGV));
    }
    frame_from_sigcontext(tf, &c);
    p->in_handler = false;
    return (long)tf->rax;       /* the dispatcher stores it back in rax */
}
