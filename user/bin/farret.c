/*
 * farret: far returns (lretq) into every selector but the 64-bit user code
 * segment, with a SIGSEGV handler. 0x1b is the slot SYSRET's layout keeps
 * for 32-bit user code: were it a live segment, the program would run on
 * in compatibility mode (where `syscall` enters at MSR_CSTAR) and its
 * signal handler would be entered with the interrupted 32-bit CS.
 *
 * Each far return must fault on the spot, in 64-bit mode, and the handler
 * must run as 64-bit code (CS 0x2b, SS 0x23); it then skips the lretq.
 * Prints "farret: SEL: refused (signal 11 at the lretq, handler in 64-bit
 * mode)" per selector and "farret: ok (N selectors refused)".
 */
#include <ulib.h>

extern const char farret_insn[], farret_resume[];

static volatile int faults, bad;
static volatile unsigned long handler_cs, handler_ss;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    unsigned long cs, ss;
    __asm__ volatile("mov %%cs, %0; mov %%ss, %1" : "=r"(cs), "=r"(ss));
    handler_cs = cs;
    handler_ss = ss;
    faults++;
    if (sig != SIGSEGV || ctx->rip != (uintptr_t)farret_insn) {
        printf("farret: signal %d at rip %#lx, expected SIGSEGV at the lretq %p\n",
               sig, ctx->rip, (void *)farret_insn);
        exit(1);
    }
    ctx->rsp += 16;         /* the lretq faulted before popping rip and cs */
    ctx->rip = (uintptr_t)farret_resume;
}

/* lretq to sel:0x1000. A target below 4 GiB, because a far return into
 * a 32-bit segment checks the segment limit: that is where a live 32-bit
 * segment would take the program (and fault in compatibility mode on the
 * kernel's pages, which a user cannot fetch). */
static __attribute__((noinline, noclone)) void far_return(unsigned long sel)
{
    __asm__ volatile(
        "pushq %0\n\t"
        "pushq $0x1000\n\t"
        ".globl farret_insn, farret_resume\n"
        "farret_insn: lretq\n"
        "farret_resume:\n"
        :: "r"(sel) : "memory");
}

int main(int argc, char **argv)
{
    /* 0x1b: the 32-bit code slot; 0x08/0x10: kernel segments with RPL 3;
     * 0x23: user data; 0x33/0x3b: the TSS; 0x43: past the GDT's end. */
    static const unsigned long sels[] = { 0x1b, 0x18, 0x0b, 0x13, 0x23, 0x33, 0x3b, 0x43 };
    int r = signal(handler);
    if (r < 0) {
        printf("farret: signal failed: %s\n", errstr(r));
        return 1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(sels); i++) {
        int before = faults;
        far_return(sels[i]);
        if (faults != before + 1) {
            unsigned long cs;
            __asm__ volatile("mov %%cs, %0" : "=r"(cs));
            printf("farret: %#lx: the far return was ACCEPTED (now cs %#lx)\n", sels[i], cs);
            bad++;
            continue;
        }
        if (handler_cs != 0x2b || handler_ss != 0x23) {
            printf("farret: %#lx: the handler ran with cs %#lx ss %#lx\n", sels[i],
                   handler_cs, handler_ss);
            bad++;
            continue;
        }
        printf("farret: %#lx: refused (signal 11 at the lretq, handler in 64-bit mode)\n",
               sels[i]);
    }
    if (bad) {
        printf("farret: FAILED (%d of %zu)\n", bad, ARRAY_SIZE(sels));
        return 1;
    }
    printf("farret: ok (%zu selectors refused)\n", ARRAY_SIZE(sels));
    return 0;
}
