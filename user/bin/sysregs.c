/*
 * sysregs: what a system call leaves in the registers, on both entry
 * paths (arch/x86_64/entry/syscall.asm), and single-stepping across one.
 *
 * The ABI (uapi/syscall.h): every register but rax, rcx and r11 comes back
 * unchanged; after `syscall`, rcx holds the return rip and r11 the rflags.
 * The fast path saves only the registers C may clobber and keeps the rest
 * live, so a register it forgets shows here. Cases:
 *   fast      fast-path calls: getpid (rax = pid), yield (0: a switch to
 *             another thread and back), cwrite with the patterns as
 *             arguments (-EINVAL: too long);
 *   full      a number the dispatcher refuses (63: below the fast path's
 *             limit but without a handler, and 1000: above it): the full
 *             path, rax = -EINVAL;
 *   step      getpid with TF set: the fast path must leave through iretq
 *             (sysret would make the trap arrive at once, before the
 *             instruction after the call) and give every register back, the
 *             SIGTRAP handler seeing ordinary single steps.
 * Prints "sysregs: <case>: ok" per case, then "sysregs: ok".
 */
#include <ulib.h>

#define NREGS       15
#define RF_TF       0x100ul

/* Register values before the call (rax is the call number, rsp is not
 * touched), and what the code after the call finds. Order: rbx rcx rdx
 * rsi rdi rbp r8 r9 r10 r11 r12 r13 r14 r15 rax. */
static const char *const reg_names[NREGS] = {
    "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "r8", "r9", "r10", "r11",
    "r12", "r13", "r14", "r15", "rax",
};
uint64_t sysregs_out[NREGS];
uint64_t sysregs_flags_after;

/* void sysregs_call(uint64_t nr, uint64_t step): load a pattern into every
 * register, optionally set TF (step != 0), `syscall` with rax = nr, store
 * every register into sysregs_out, clear TF. Callee-saved registers are
 * restored before it returns. Labels mark the instructions around the call
 * for the single-step case. */
extern const char sr_before[], sr_syscall[], sr_after[], sr_after2[], sr_done[];
void sysregs_call(uint64_t nr, uint64_t step);
__asm__(
    ".text\n"
    ".globl sysregs_call, sr_before, sr_syscall, sr_after, sr_after2, sr_done\n"
    "sysregs_call:\n"
    "    push %rbx\n    push %rbp\n    push %r12\n    push %r13\n    push %r14\n    push %r15\n"
    "    mov %rdi, %rax\n"
    "    test %rsi, %rsi\n"
    "    jz 1f\n"
    "    pushfq\n"
    "    orq $0x100, (%rsp)\n"
    "    popfq\n"
    "1:\n"
    "sr_before:\n"
    "    movabs $0x1111111111111111, %rbx\n"
    "    movabs $0x2222222222222222, %rcx\n"
    "    movabs $0x3333333333333333, %rdx\n"
    "    movabs $0x4444444444444444, %rsi\n"
    "    movabs $0x5555555555555555, %rdi\n"
    "    movabs $0x6666666666666666, %rbp\n"
    "    movabs $0x8888888888888888, %r8\n"
    "    movabs $0x9999999999999999, %r9\n"
    "    movabs $0xaaaaaaaaaaaaaaaa, %r10\n"
    "    movabs $0xbbbbbbbbbbbbbbbb, %r11\n"
    "    movabs $0xcccccccccccccccc, %r12\n"
    "    movabs $0xdddddddddddddddd, %r13\n"
    "    movabs $0xeeeeeeeeeeeeeeee, %r14\n"
    "    movabs $0xffffffffffffffff, %r15\n"
    "sr_syscall:\n"
    "    syscall\n"
    "sr_after:\n"
    "    nop\n"
    "sr_after2:\n"
    "    mov %rbx, sysregs_out+0(%rip)\n"
    "    mov %rcx, sysregs_out+8(%rip)\n"
    "    mov %rdx, sysregs_out+16(%rip)\n"
    "    mov %rsi, sysregs_out+24(%rip)\n"
    "    mov %rdi, sysregs_out+32(%rip)\n"
    "    mov %rbp, sysregs_out+40(%rip)\n"
    "    mov %r8, sysregs_out+48(%rip)\n"
    "    mov %r9, sysregs_out+56(%rip)\n"
    "    mov %r10, sysregs_out+64(%rip)\n"
    "    mov %r11, sysregs_out+72(%rip)\n"
    "    mov %r12, sysregs_out+80(%rip)\n"
    "    mov %r13, sysregs_out+88(%rip)\n"
    "    mov %r14, sysregs_out+96(%rip)\n"
    "    mov %r15, sysregs_out+104(%rip)\n"
    "    mov %rax, sysregs_out+112(%rip)\n"
    "sr_done:\n"
    "    pushfq\n"
    "    pop %rax\n"
    "    mov %rax, sysregs_flags_after(%rip)\n"
    "    pushfq\n"
    "    andq $~0x100, (%rsp)\n"
    "    popfq\n"
    "    pop %r15\n    pop %r14\n    pop %r13\n    pop %r12\n    pop %rbp\n    pop %rbx\n"
    "    ret\n");

static const uint64_t pattern[NREGS] = {
    0x1111111111111111, 0x2222222222222222, 0x3333333333333333, 0x4444444444444444,
    0x5555555555555555, 0x6666666666666666, 0x8888888888888888, 0x9999999999999999,
    0xaaaaaaaaaaaaaaaa, 0xbbbbbbbbbbbbbbbb, 0xcccccccccccccccc, 0xdddddddddddddddd,
    0xeeeeeeeeeeeeeeee, 0xffffffffffffffff, 0,
};

#define MAX_TRAPS 64
static volatile int ntraps;
static volatile uint64_t trap_rips[MAX_TRAPS];

/* SIGTRAP while stepping: note where; stop stepping at sr_done. */
static void handler(int sig, uint64_t addr, struct sigcontext *ctx)
{
    if (sig != SIGTRAP || ntraps >= MAX_TRAPS) {
        printf("sysregs: signal %d at %#lx\n", sig, ctx->rip);
        exit(1);
    }
    trap_rips[ntraps++] = ctx->rip;
    if (ctx->rip == (uintptr_t)sr_done)
        ctx->rflags &= ~RF_TF;
}

/* Compare sysregs_out with what the call must leave; rax must be want_rax.
 * Returns true if all is well, printing every difference. */
static bool regs_check(const char *what, long want_rax)
{
    bool ok = true;
    for (int i = 0; i < NREGS; i++) {
        uint64_t want = pattern[i];
        if (i == 1)                     /* rcx: the return rip */
            want = (uintptr_t)sr_after;
        if (i == 14)
            want = (uint64_t)want_rax;
        if (i == 9)                     /* r11: rflags, checked below */
            continue;
        if (sysregs_out[i] != want) {
            printf("sysregs: %s: %s is %#lx, not %#lx\n", what, reg_names[i], sysregs_out[i], want);
            ok = false;
        }
    }
    /* r11: the rflags of the call (IF and the fixed bit at least; TF as
     * the caller had it). */
    if ((sysregs_out[9] & 0x202) != 0x202) {
        printf("sysregs: %s: r11 %#lx is not an rflags value\n", what, sysregs_out[9]);
        ok = false;
    }
    return ok;
}

static const char *label(uint64_t rip)
{
    if (rip == (uintptr_t)sr_after) return "sr_after";
    if (rip == (uintptr_t)sr_after2) return "sr_after2";
    if (rip == (uintptr_t)sr_syscall) return "sr_syscall";
    if (rip == (uintptr_t)sr_done) return "sr_done";
    if (rip > (uintptr_t)sr_after2 && rip < (uintptr_t)sr_done) return "(a store)";
    if (rip >= (uintptr_t)sr_before && rip < (uintptr_t)sr_syscall) return "(a load)";
    return "?";
}

int main(int argc, char **argv)
{
    bool ok = true;
    long pid = getpid();

    sysregs_call(SYS_GETPID, 0);
    bool fast_ok = regs_check("fast (getpid)", pid);
    sysregs_call(SYS_YIELD, 0);
    fast_ok &= regs_check("fast (yield)", 0);
    sysregs_call(SYS_CWRITE, 0);
    fast_ok &= regs_check("fast (cwrite)", -EINVAL);
    if (fast_ok)
        printf("sysregs: fast: ok\n");
    ok &= fast_ok;

    bool full_ok = true;
    static const uint64_t refused[] = { 63, 1000 };
    for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
        sysregs_call(refused[i], 0);
        full_ok &= regs_check(refused[i] == 63 ? "full (63)" : "full (1000)", -EINVAL);
    }
    if (full_ok)
        printf("sysregs: full: ok\n");
    ok &= full_ok;

    int r = signal(handler);
    if (r < 0) {
        printf("sysregs: signal failed: %s\n", errstr(r));
        return 1;
    }
    sysregs_call(SYS_GETPID, 1);
    bool step_ok = regs_check("step", pid) && (sysregs_out[9] & RF_TF) &&
                   !(sysregs_flags_after & RF_TF);
    /* The steps: every load, the syscall, then sr_after2 (the trap after
     * the nop at sr_after, as after any instruction), every store, done.
     * A trap at sr_after would mean the call returned by sysret with TF
     * set, which traps before the next instruction runs. */
    int saw_after = 0, saw_after2 = 0, saw_done = 0;
    for (int i = 0; i < ntraps; i++) {
        saw_after += trap_rips[i] == (uintptr_t)sr_after;
        saw_after2 += trap_rips[i] == (uintptr_t)sr_after2;
        saw_done += trap_rips[i] == (uintptr_t)sr_done;
    }
    if (saw_after || saw_after2 != 1 || saw_done != 1) {
        printf("sysregs: step: %d traps:", ntraps);
        for (int i = 0; i < ntraps; i++)
            printf(" %s", label(trap_rips[i]));
        printf("\n");
        step_ok = false;
    }
    if (step_ok)
        printf("sysregs: step: ok (%d traps)\n", ntraps);
    else
        printf("sysregs: step: FAILED (r11 %#lx, rflags after %#lx)\n", sysregs_out[9],
               sysregs_flags_after);
    ok &= step_ok;

    if (!ok) {
        printf("sysregs: FAILED\n");
        return 1;
    }
    printf("sysregs: ok\n");
    return 0;
}
