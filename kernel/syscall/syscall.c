/*
 * System-call dispatch, and the calls about processes and the console.
 * Every pointer from user space goes through usercopy.h.
 */
#include <syscall.h>
#include <proc.h>
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

/* The call table. SYSCALL_FULL_FRAME marks the calls that read or rewrite
 * the caller's whole user context: they enter through the full path and
 * get the trap frame; every other call takes the fast path and gets
 * tf == NULL (syscall.asm explains both). */
enum syscall_flags {
    SYSCALL_FAST = 0,
    SYSCALL_FULL_FRAME = 1 << 0,
};

struct syscall_desc {
    syscall_fn fn;
    enum syscall_flags flags;
};

#define FAST(fn)    { fn, SYSCALL_FAST }
#define FULL(fn)    { fn, SYSCALL_FULL_FRAME }

static const struct syscall_desc syscall_table[SYS_COUNT] = {
    [SYS_EXIT] = FAST(sys_exit),         [SYS_SPAWN] = FAST(sys_spawn),
    [SYS_WAIT] = FAST(sys_wait),         [SYS_GETPID] = FAST(sys_getpid),
    [SYS_YIELD] = FAST(sys_yield),       [SYS_GETC] = FAST(sys_getc),
    [SYS_CWRITE] = FAST(sys_cwrite),     [SYS_OPEN] = FAST(sys_open),
    [SYS_CLOSE] = FAST(sys_close),       [SYS_READ] = FAST(sys_read),
    [SYS_WRITE] = FAST(sys_write),       [SYS_SEEK] = FAST(sys_seek),
    [SYS_STAT] = FAST(sys_stat),         [SYS_READDIR] = FAST(sys_readdir),
    [SYS_MAP] = FAST(sys_map),           [SYS_UNMAP] = FAST(sys_unmap),
    [SYS_SIGNAL] = FAST(sys_signal),
    [SYS_SIGRETURN] = FULL(sys_sigreturn),          /* rewrites the frame */
    [SYS_ENV_DESTROY] = FAST(sys_env_destroy),      [SYS_CGETC] = FAST(sys_cgetc),
    [SYS_IPC_RECV] = FAST(sys_ipc_recv),            [SYS_IPC_CAN_SEND] = FAST(sys_ipc_can_send),
    [SYS_IPC_SEND] = FAST(sys_ipc_send),            [SYS_MEM_ALLOC] = FAST(sys_mem_alloc),
    [SYS_MEM_MAP] = FAST(sys_mem_map),              [SYS_MEM_UNMAP] = FAST(sys_mem_unmap),
    [SYS_ENV_ALLOC] = FULL(sys_env_alloc),          /* copies the frame into the child */
    [SYS_SET_ENV_STATUS] = FAST(sys_set_env_status),
    [SYS_SET_PGFAULT_HANDLER] = FAST(sys_set_pgfault_handler),
    [SYS_VM_REGION] = FAST(sys_vm_region),          [SYS_VM_PAGES] = FAST(sys_vm_pages),
    [SYS_VM_COPY] = FAST(sys_vm_copy),              [SYS_BATCH] = FAST(sys_batch),
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
 * a JOS environment that passed a bad pointer dies (user_mem_check), and
 * a killed process exits here. Returns r. */
static __attribute__((noinline)) long syscall_exit_work(struct process *p, long r)
{
    if (r == -EFAULT)
        process_mem_check(p);
    if (p->killed)
        process_exit(p->kill_status);
    return r;
}

/* Run the call (nr is known and has a handler) and the checks after it. */
static inline long syscall_call(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4,
                                uint64_t nr, struct trap_frame *tf)
{
    sti();      /* calls may block; the entry had interrupts off */
    long r = syscall_table[nr].fn(tf, a0, a1, a2, a3, a4);
    struct process *p = thread_current()->proc;
    if (unlikely(r == -EFAULT || p->killed))
        return syscall_exit_work(p, r);
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
        trap_user_kill(tf, SIGSEGV, "system call from 32-bit compatibility mode");
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

/* ---- processes ---- */

long sys_exit(struct trap_frame *tf, uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    process_exit(WAIT_EXITED((int)status));
}

/* Copy a user argv (NULL-terminated array of strings) into kernel memory:
 * *out is one kmalloc'd block holding the pointers and the strings. */
static int argv_copy_in(uint64_t uargv, char ***out, int *argc_out)
{
    uint64_t ptrs[SYSCALL_ARGV_MAX];
    int argc = 0;
    for (;; argc++) {
        uint64_t p;
        if (copy_from_user(&p, uargv + (uint64_t)argc * 8, 8) < 0)
            return -EFAULT;
        if (!p)
            break;
        if (argc == SYSCALL_ARGV_MAX)
            return -E2BIG;
        ptrs[argc] = p;
    }
    char **argv = kmalloc(sizeof(char *) * (size_t)(argc + 1) + (size_t)argc * SYSCALL_ARG_MAX);
    if (!argv)
        return -ENOMEM;
    char *strings = (char *)(argv + argc + 1);
    for (int i = 0; i < argc; i++) {
        argv[i] = strings + (size_t)i * SYSCALL_ARG_MAX;
        long n = strncpy_from_user(argv[i], ptrs[i], SYSCALL_ARG_MAX);
        if (n < 0) {
            kfree(argv);
            return n == -ENAMETOOLONG ? -E2BIG : (int)n;
        }
    }
    argv[argc] = NULL;
    *out = argv;
    *argc_out = argc;
    return 0;
}

long sys_spawn(struct trap_frame *tf, uint64_t upath, uint64_t uargv, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    char **argv = NULL;
    char *default_argv[2] = { path, NULL };
    int argc = 1;
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (uargv) {
        int err = argv_copy_in(uargv, &argv, &argc);
        if (err)
            return err;
        if (argc == 0) {        /* spawn(path, {NULL}): argv[0] = path */
            kfree(argv);
            argv = NULL;
            argc = 1;
        }
    }
    long r = process_spawn(path, argc, argv ? argv : default_argv, process_current());
    kfree(argv);
    return r;
}

long sys_wait(struct trap_frame *tf, uint64_t pid, uint64_t ustatus, uint64_t options, uint64_t a3, uint64_t a4)
{
    int status = 0;
    if (options & ~(uint64_t)(WNOHANG | WJOB))
        return -EINVAL;
    uint32_t flags = ((options & WNOHANG) ? PROCESS_WAIT_NOHANG : 0) |
                     ((options & WJOB) ? PROCESS_WAIT_JOB : 0);
    /* Check the status pointer is writable first (by writing it): a bad
     * one must fail the call without costing the child. */
    if (ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
        return -EFAULT;
    int r = process_wait(process_current(), (int)pid, &status, flags);
    if (r <= 0)
        return r;
    if (ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
        return -EFAULT;
    return r;
}

long sys_getpid(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return process_current()->pid;
}

long sys_yield(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    thread_yield();
    return 0;
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
