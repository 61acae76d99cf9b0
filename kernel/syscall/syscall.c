/*
 * System-call dispatch, and the calls about processes and the console.
 * Every pointer from user space goes through usercopy.h.
 */
#include <syscall.h>
#include <proc.h>
#include <trace.h>
#include <thread.h>
#include <console.h>
#include <heap.h>
#include <string.h>
#include <usercopy.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <uapi/syscall.h>
#include <uapi/layout.h>
#include <uapi/errno.h>
#include <uapi/vm.h>
#include <uapi/signal.h>

/* Cleared by `syscall` (MSR_FMASK), as Linux does: IF (nothing may
 * interrupt before the stack switch), TF (no single-step trap inside the
 * kernel), DF (the C ABI), AC (SMAP), NT (an iretq with NT set faults),
 * IOPL, RF, ID. The user's values are in r11 and come back on return. */
#define SYSCALL_RFLAGS_MASK (RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT | \
                             RFLAGS_IOPL | RFLAGS_RF | RFLAGS_ID)

static const syscall_fn syscall_table[SYS_COUNT] = {
#define SYSCALL_TABLE_(NAME, name, ret, a0, a1, a2, a3, a4, doc) [SYS_##NAME] = sys_##name,
    SYSCALL_LIST(SYSCALL_TABLE_)
#undef SYSCALL_TABLE_
};

/* ---- batches (JOS's challenge: many calls, one kernel entry) ---- */

#define BATCH_CHUNK 16      /* requests copied in at a time (on the kernel stack) */

static bool batch_allowed(uint64_t nr)
{
    return nr < SYS_COUNT && syscall_table[nr] && nr != SYS_EXIT && nr != SYS_SIGRETURN &&
           nr != SYS_ENV_ALLOC && nr != SYS_BATCH;
}

/* Run the requests in order; each result goes back to its request. Stops
 * after the first negative result (or a request that may not be batched:
 * -EINVAL). Returns how many ran, or -EFAULT / -EINVAL for the array. */
long sys_batch(struct trap_frame *tf, uint64_t ureqs, uint64_t n, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct sysreq reqs[BATCH_CHUNK];
    struct process *p = process_current();
    if (n > SYSCALL_BATCH_MAX)
        return -EINVAL;
    uint64_t done = 0;
    while (done < n) {
        uint64_t k = MIN(n - done, (uint64_t)BATCH_CHUNK);
        uint64_t at = ureqs + done * sizeof(struct sysreq);
        if (copy_from_user(reqs, at, k * sizeof(struct sysreq)) < 0)
            return done ? (long)done : -EFAULT;
        uint64_t i = 0;
        bool stop = false;
        for (; i < k && !stop; i++) {
            struct sysreq *q = &reqs[i];
            q->result = batch_allowed(q->nr) ?
                        syscall_table[q->nr](tf, q->args[0], q->args[1], q->args[2], q->args[3], q->args[4]) :
                        -EINVAL;
            stop = q->result < 0 || p->killed;
        }
        if (copy_to_user(at, reqs, i * sizeof(struct sysreq)) < 0)
            return -EFAULT;
        done += i;
        if (stop)
            break;
    }
    return (long)done;
}

/* The slow path of a traced process: the same call between two trace
 * points (strace). A call that does not return (exit) is reported before. */
static void syscall_traced(struct process *p, struct trap_frame *tf, uint64_t n)
{
    struct trace_event ev;
    uint64_t args[5] = { tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8 };
    /* Before the first exec of a TRACE_FROM_EXEC trace, only exec counts. */
    bool quiet = (p->trace_flags & TRACE_FROM_EXEC) && n != SYS_EXEC;
    if (!quiet)
        trace_syscall_begin(p, n, args, &ev);
    bool no_return = n == SYS_EXIT ||
                     (n == SYS_ENV_DESTROY && ((int)args[0] == 0 || (int)args[0] == p->pid));
    if (!quiet && no_return)
        trace_syscall_end(p, &ev, 0);
    long r = syscall_table[n](tf, args[0], args[1], args[2], args[3], args[4]);
    if (n == SYS_EXEC && r == 0)
        p->trace_flags &= ~(uint32_t)TRACE_FROM_EXEC;
    if (p->trace && !quiet && !(p->trace_flags & TRACE_FROM_EXEC))
        trace_syscall_end(p, &ev, r);
    if (r == -EFAULT)
        process_mem_check(p);
    tf->rax = (uint64_t)r;
    if (p->killed || p->stopped || p->sig_pending)
        process_user_return(tf);     /* killed: exits; stopped: waits; a signal: its handler */
}

void syscall_dispatch(struct trap_frame *tf)
{
    uint64_t n = tf->rax;
    if (tf->vector == VEC_SYSCALL_COMPAT)
        trap_user_kill(tf, SIGSEGV, "system call from 32-bit compatibility mode");
    sti();      /* calls may block; the entry had interrupts off */
    if (!process_current() || n >= SYS_COUNT || !syscall_table[n]) {
        tf->rax = (uint64_t)-EINVAL;
        return;
    }
    struct process *p = process_current();
    if (unlikely(p->trace)) {
        syscall_traced(p, tf, n);
        return;
    }
    long r = syscall_table[n](tf, tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8);
    if (r == -EFAULT)
        process_mem_check(p);       /* JOS environments die of bad pointers */
    tf->rax = (uint64_t)r;          /* before a signal's handler saves it */
    if (p->killed || p->stopped || p->sig_pending)
        process_user_return(tf);     /* killed: exits; stopped: waits; a signal: its handler */
}

/* int $0x80: the same dispatcher, returning through iretq. */
static void syscall_int80(struct trap_frame *tf)
{
    syscall_dispatch(tf);
    cli();
}

void syscall_init(void)
{
    wrmsr(MSR_EFER, rdmsr(MSR_EFER) | EFER_SCE);
    /* SYSRET: CS = STAR[63:48] + 16, SS = STAR[63:48] + 8 (RPL 3).
     * SYSCALL: CS = STAR[47:32], SS = STAR[47:32] + 8. */
    wrmsr(MSR_STAR, ((uint64_t)(SEL_UCODE32 | RPL_USER) << 48) | ((uint64_t)SEL_KCODE << 32));
    wrmsr(MSR_LSTAR, (uint64_t)syscall_entry);
    wrmsr(MSR_CSTAR, (uint64_t)syscall_compat_entry);
    wrmsr(MSR_FMASK, SYSCALL_RFLAGS_MASK);
    trap_register(VEC_SYSCALL, syscall_int80);
}

/* ---- the console ---- */

long sys_getc(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return console_getc_interruptible();
}

/* Write len user bytes to the console through a bounce buffer. */
long console_write_user(uint64_t ubuf, uint64_t len)
{
    char chunk[256];
    if (len > SYSCALL_IO_MAX)
        return -EINVAL;
    if (!user_range_ok(ubuf, len)) {
        process_uaccess_failed(ubuf);
        return -EFAULT;
    }
    for (uint64_t done = 0; done < len;) {
        size_t n = (size_t)MIN(len - done, sizeof(chunk));
        if (copy_from_user(chunk, ubuf + done, n) < 0)
            return done ? (long)done : -EFAULT;
        console_write(chunk, n);
        done += n;
    }
    return (long)len;
}

long sys_cwrite(struct trap_frame *tf, uint64_t ubuf, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return console_write_user(ubuf, len);
}
