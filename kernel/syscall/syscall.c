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

/* The call table, built from SYSCALL_LIST (uapi/syscall.h). The calls in
 * SYSCALL_NEEDS_FRAME read or rewrite the caller's whole user context:
 * they enter through the full path and get the trap frame (sigreturn
 * restores a context into it, exofork copies it into the child, exec
 * replaces it with the new program's entry); every other call takes the
 * fast path and gets tf == NULL (syscall.asm explains both). A call that
 * dereferences tf must be listed here. */
#define SYSCALL_NEEDS_FRAME(nr) ((nr) == SYS_SIGRETURN || (nr) == SYS_ENV_ALLOC || (nr) == SYS_EXEC)

enum syscall_flags {
    SYSCALL_FAST = 0,
    SYSCALL_FULL_FRAME = 1 << 0,
};

struct syscall_desc {
    syscall_fn fn;
    enum syscall_flags flags;
};

static const struct syscall_desc syscall_table[SYS_COUNT] = {
#define SYSCALL_TABLE_(NAME, name, ret, a0, a1, a2, a3, a4, doc) \
    [SYS_##NAME] = { sys_##name, SYSCALL_NEEDS_FRAME(SYS_##NAME) ? SYSCALL_FULL_FRAME : SYSCALL_FAST },
    SYSCALL_LIST(SYSCALL_TABLE_)
#undef SYSCALL_TABLE_
};
_Static_assert(SYS_COUNT <= 64, "syscall_fast_calls has one bit per call");

/* ---- batches (JOS's challenge: many calls, one kernel entry) ---- */

#define BATCH_CHUNK 16      /* requests copied in at a time (on the kernel stack) */

/* Not the calls that need the frame (a batch passes on its own tf, NULL
 * on the fast path), nor exit or a nested batch. */
static bool batch_allowed(uint64_t nr)
{
    return nr < SYS_COUNT && syscall_table[nr].fn &&
           !(syscall_table[nr].flags & SYSCALL_FULL_FRAME) && nr != SYS_EXIT && nr != SYS_BATCH;
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
                        syscall_table[q->nr].fn(tf, q->args[0], q->args[1], q->args[2], q->args[3], q->args[4]) :
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

/* What must happen before a call returns to user mode, when it does:
 * a JOS environment that passed a bad pointer dies (user_mem_check), a
 * killed process exits here, a stopped one waits to be resumed, and a
 * signal that is due gets its handler. On the fast path there is no frame
 * to point at the handler yet: the exit is diverted through
 * syscall_fast_iret, which builds one and calls syscall_fast_exit_work.
 * Out of line: the fast path only tests for it. Returns r. */
static __attribute__((noinline)) long syscall_exit_work(struct process *p, long r,
                                                        struct trap_frame *tf)
{
    if (r == -EFAULT)
        process_mem_check(p);
    if (tf)
        tf->rax = (uint64_t)r;      /* before a handler's frame saves it */
    if (process_user_return(tf) == PROCESS_RETURN_NEEDS_FRAME)
        syscall_fast_exit_divert();
    return r;
}

/* Called by syscall_fast_iret (interrupts off) when syscall_exit_work
 * diverted a fast call: tf is the frame it built, rax the call's result. */
void syscall_fast_exit_work(struct trap_frame *tf)
{
    sti();
    process_user_return(tf);
    cli();
}

/* Where this call of p is reported (enum trace_sink): the sinks p has,
 * but not strace's pipe before the first exec of a TRACE_FROM_EXEC trace
 * (then only exec counts). */
static uint32_t syscall_trace_sinks(struct process *p, uint64_t nr)
{
    uint32_t sinks = __atomic_load_n(&p->trace_sinks, __ATOMIC_RELAXED);
    if ((p->trace_flags & TRACE_FROM_EXEC) && nr != SYS_EXEC)
        sinks &= ~(uint32_t)TRACE_SINK_PIPE;
    return sinks;
}

/* The path of a traced process (strace, `trace syscalls on`), from
 * either entry: the same call between two trace points. A call that does
 * not return (exit) is reported before. A sink gets the call only if it
 * was there before and is still there after it (a trace() call does not
 * see itself; `trace syscalls off` ends the lines at once). */
static __attribute__((noinline)) long syscall_traced(struct process *p, uint64_t nr,
                                                     const uint64_t args[5], struct trap_frame *tf)
{
    struct trace_event ev;
    uint32_t sinks = syscall_trace_sinks(p, nr);
    if (sinks)
        trace_syscall_begin(p, nr, args, &ev);
    bool no_return = nr == SYS_EXIT ||
                     (nr == SYS_ENV_DESTROY && ((int)args[0] == 0 || (int)args[0] == p->pid));
    if (sinks && no_return)
        trace_syscall_end(p, &ev, 0, sinks);
    long r = syscall_table[nr].fn(tf, args[0], args[1], args[2], args[3], args[4]);
    if (nr == SYS_EXEC && r == 0)
        p->trace_flags &= ~(uint32_t)TRACE_FROM_EXEC;
    sinks &= __atomic_load_n(&p->trace_sinks, __ATOMIC_RELAXED);
    if (p->trace_flags & TRACE_FROM_EXEC)
        sinks &= ~(uint32_t)TRACE_SINK_PIPE;        /* a failed exec stays unseen */
    if (sinks)
        trace_syscall_end(p, &ev, r, sinks);
    return syscall_exit_work(p, r, tf);
}

/* Run the call (nr is known and has a handler) and the checks after it. */
static inline long syscall_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                uint64_t nr, struct trap_frame *tf)
{
    sti();      /* calls may block; the entry had interrupts off */
    struct process *p = thread_current()->proc;
    if (unlikely(p->trace_sinks)) {
        const uint64_t args[5] = { a0, a1, a2, a3, a4 };
        return syscall_traced(p, nr, args, tf);
    }
    long r = syscall_table[nr].fn(tf, a0, a1, a2, a3, a4);
    if (unlikely(r == -EFAULT || p->return_work))
        return syscall_exit_work(p, r, tf);
    return r;
}

/* The full path first checks what the fast path's number check already
 * settled: a call from compatibility mode (killed), a number with no
 * handler, a caller that is not a process (-EINVAL). */
static __attribute__((noinline)) long syscall_dispatch_full(uint64_t a0, uint64_t a1, uint64_t a2,
                                                            uint64_t a3, uint64_t a4, uint64_t nr,
                                                            struct trap_frame *tf)
{
    if (tf->vector == VEC_SYSCALL_COMPAT)
        trap_user_kill(tf, SIGSEGV, 0, "system call from 32-bit compatibility mode");
    if (!process_current() || nr >= SYS_COUNT || !syscall_table[nr].fn) {
        sti();
        return -EINVAL;
    }
    return syscall_call(a0, a1, a2, a3, a4, nr, tf);
}

/* On the fast path (tf NULL) the entry has already checked nr against
 * syscall_fast_calls, which syscall_init built from this table: nr is a
 * known call with a handler that needs no frame. */
long syscall_dispatch(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                      uint64_t nr, struct trap_frame *tf)
{
    if (unlikely(tf))
        return syscall_dispatch_full(a0, a1, a2, a3, a4, nr, tf);
    return syscall_call(a0, a1, a2, a3, a4, nr, NULL);
}

/* int $0x80: the same dispatcher with the interrupt's frame (always the
 * full path), returning through iretq. */
static void syscall_int80(struct trap_frame *tf)
{
    tf->rax = (uint64_t)syscall_dispatch(tf->rdi, tf->rsi, tf->rdx, tf->r10, tf->r8, tf->rax, tf);
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
    uint64_t fast = 0;
    for (unsigned nr = 0; nr < SYS_COUNT; nr++)
        if (syscall_table[nr].fn && !(syscall_table[nr].flags & SYSCALL_FULL_FRAME))
            fast |= 1ull << nr;
    syscall_fast_calls = fast;
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
