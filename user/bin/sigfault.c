/*
 * sigfault: a SIGSEGV handler that repairs the context and returns.
 *
 * Three faulting loads (an unmapped user address, a kernel address, a
 * non-canonical address). The handler checks the saved context (rip at the
 * faulting instruction, the marker values in rbx, rcx, r11, r12, r15),
 * sets rax = 0x5afe and moves rip past the instruction. The main code then
 * checks it got 0x5afe and that the marker registers survived (rcx and r11
 * too: sigreturn must not go back through sysret).
 *
 * Expected, three times:
 *     sigfault: caught SIGSEGV at ADDR
 *     sigfault: resumed after handler
 * then "sigfault: ok (3 faults handled, registers intact)".
 */
#include <ulib.h>

#define M_RBX   0x1111111111111111ul
#define M_RCX   0x2222222222222222ul
#define M_R11   0x3333333333333333ul
#define M_R12   0x4444444444444444ul
#define M_R15   0x5555555555555555ul
#define FIXED   0x5afeul

extern const char sigfault_insn[], sigfault_resume[];

static volatile int faults;
static volatile int bad;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    faults++;
    printf("sigfault: caught %s at %#lx\n", sig == SIGSEGV ? "SIGSEGV" : "another signal",
           (unsigned long)fault_addr);
    if (sig != SIGSEGV || ctx->signo != (unsigned long)sig) {
        printf("sigfault: signal %d, ctx->signo %lu\n", sig, ctx->signo);
        bad++;
    }
    if (ctx->rip != (uintptr_t)sigfault_insn) {
        printf("sigfault: ctx->rip %#lx, expected %p\n", ctx->rip, (void *)sigfault_insn);
        exit(1);        /* cannot resume safely */
    }
    if (ctx->rbx != M_RBX || ctx->rcx != M_RCX || ctx->r11 != M_R11 ||
        ctx->r12 != M_R12 || ctx->r15 != M_R15) {
        printf("sigfault: saved registers wrong: rbx %#lx rcx %#lx r11 %#lx r12 %#lx r15 %#lx\n",
               ctx->rbx, ctx->rcx, ctx->r11, ctx->r12, ctx->r15);
        bad++;
    }
    ctx->rax = FIXED;
    ctx->rip = (uintptr_t)sigfault_resume;
}

/* Load from addr with marker values in registers. Returns rax; sets *regs_ok. */
static __attribute__((noinline, noclone)) unsigned long
faulting_load(uintptr_t addr, bool *regs_ok)
{
    register unsigned long rbx __asm__("rbx") = M_RBX;
    register unsigned long rcx __asm__("rcx") = M_RCX;
    register unsigned long r11 __asm__("r11") = M_R11;
    register unsigned long r12 __asm__("r12") = M_R12;
    register unsigned long r15 __asm__("r15") = M_R15;
    unsigned long rax;

    __asm__ volatile(
        ".globl sigfault_insn, sigfault_resume\n"
        "sigfault_insn:   movq (%[addr]), %%rax\n"
        "sigfault_resume:\n"
        : "=&a"(rax), "+r"(rbx), "+r"(rcx), "+r"(r11), "+r"(r12), "+r"(r15)
        : [addr] "D"(addr)
        : "memory");
    *regs_ok = rbx == M_RBX && rcx == M_RCX && r11 == M_R11 &&
               r12 == M_R12 && r15 == M_R15;
    return rax;
}

int main(int argc, char **argv)
{
    static const uintptr_t targets[] = {
        USER_START + 0x123,             /* never mapped (user half) */
        0x100000,                       /* kernel image (low half) */
        0x0000800000000000ul,           /* non-canonical: #GP */
    };

    int r = signal(handler);
    if (r < 0) {
        printf("sigfault: signal failed: %s\n", errstr(r));
        return 1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(targets); i++) {
        bool regs_ok;
        unsigned long v = faulting_load(targets[i], &regs_ok);
        printf("sigfault: resumed after handler\n");
        if (v != FIXED) {
            printf("sigfault: rax %#lx after resume, expected %#lx\n", v, FIXED);
            bad++;
        }
        if (!regs_ok) {
            printf("sigfault: registers changed across the fault\n");
            bad++;
        }
    }
    if (faults != (int)ARRAY_SIZE(targets) || bad) {
        printf("sigfault: FAILED (%d faults, %d problems)\n", faults, bad);
        return 1;
    }
    printf("sigfault: ok (%d faults handled, registers intact)\n", faults);
    return 0;
}
