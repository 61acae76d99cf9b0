/*
 * privinsn: privileged instructions and protected interrupt vectors from
 * user mode. Each must raise a fault (delivered to our handler, which
 * skips the instruction); none may execute.
 *
 * "privinsn NAME" runs just that one. Per instruction:
 * "privinsn: NAME -> signal N" (11 SIGSEGV for #GP-class, 4 SIGILL for
 * #UD, 5 SIGTRAP for breakpoints/int1), or "privinsn: NAME EXECUTED in
 * user mode!" (a failure). A signal other than the expected one
 * adds "(expected M)". Ends with "privinsn: all N instructions faulted" or
 * "privinsn: FAILED: N instructions executed".
 *
 * The dangerous ones: int $14 / int $8 / int $2 / int $0x20 (the kernel's
 * exception and IRQ gates must have DPL 0, else a user can enter the page
 * fault handler with a bogus frame), wrmsr to LSTAR, mov to cr3, in/out
 * (the TSS I/O bitmap must deny ports), icebp (#DB from user mode).
 */
#include <ulib.h>

struct insn {
    const char *name;
    const char *start, *end;    /* labels around the instruction */
    int expect;                 /* expected signal (0: any) */
    void (*run)(void);
};

/* pi_run_ID: run `pre` (setup, must not fault), then the instruction
 * `text` between the labels pi_start_ID and pi_end_ID. */
#define INSN(id, pre, text, clob...)                                        \
    extern const char pi_start_##id[], pi_end_##id[];                       \
    static __attribute__((noinline, noclone)) void pi_run_##id(void)        \
    {                                                                       \
        __asm__ volatile(pre "\n"                                           \
                         ".globl pi_start_" #id ", pi_end_" #id "\n"        \
                         "pi_start_" #id ":\n\t" text "\n"                  \
                         "pi_end_" #id ":\n" ::: "memory", ##clob);         \
    }

INSN(cli, "", "cli")
INSN(sti, "", "sti")
INSN(hlt, "", "hlt")
INSN(in, "", "in $0x60, %%al", "rax")
INSN(out, "mov $0x80, %%dx", "out %%al, (%%dx)", "rax", "rdx")
INSN(outcmos, "", "out %%al, $0x70", "rax")
INSN(rdcr3, "", "mov %%cr3, %%rax", "rax")
INSN(wrcr3, "xor %%eax, %%eax", "mov %%rax, %%cr3", "rax")
INSN(wrmsr, "mov $0xc0000082, %%ecx; xor %%eax, %%eax; xor %%edx, %%edx", "wrmsr",
     "rax", "rcx", "rdx")
INSN(rdmsr, "mov $0xc0000082, %%ecx", "rdmsr", "rax", "rcx", "rdx")
INSN(lidt, "", "lidt (%%rsp)")
INSN(lgdt, "", "lgdt (%%rsp)")
INSN(invlpg, "", "invlpg (%%rsp)")
INSN(swapgs, "", "swapgs")
INSN(sysret, "", "sysretq")
INSN(clts, "", "clts")
INSN(wbinvd, "", "wbinvd")
INSN(rddr7, "", "mov %%dr7, %%rax", "rax")
INSN(ltr, "xor %%eax, %%eax", "ltr %%ax", "rax")
INSN(int14, "", "int $14")
INSN(int8, "", "int $8")
INSN(int2, "", "int $2")
INSN(int13, "", "int $13")
INSN(int32, "", "int $0x20")
INSN(int255, "", "int $0xff")
INSN(ud2, "", "ud2")
INSN(into, "", ".byte 0xce")
INSN(int3, "", "int3")
INSN(int3long, "", ".byte 0xcd, 0x03")
INSN(icebp, "", ".byte 0xf1")

#define E(id, sig) { #id, pi_start_##id, pi_end_##id, sig, pi_run_##id }

static const struct insn insns[] = {
    E(cli, SIGSEGV), E(sti, SIGSEGV), E(hlt, SIGSEGV), E(in, SIGSEGV),
    E(out, SIGSEGV), E(outcmos, SIGSEGV), E(rdcr3, SIGSEGV), E(wrcr3, SIGSEGV),
    E(wrmsr, SIGSEGV), E(rdmsr, SIGSEGV), E(lidt, SIGSEGV), E(lgdt, SIGSEGV),
    E(invlpg, SIGSEGV), E(swapgs, SIGSEGV), E(sysret, SIGSEGV), E(clts, SIGSEGV),
    E(wbinvd, SIGSEGV), E(rddr7, SIGSEGV), E(ltr, SIGSEGV),
    E(int14, SIGSEGV), E(int8, SIGSEGV), E(int2, SIGSEGV), E(int13, SIGSEGV),
    E(int32, SIGSEGV), E(int255, SIGSEGV),
    E(ud2, SIGILL), E(into, SIGILL),
    E(int3, SIGTRAP), E(int3long, SIGTRAP),
    E(icebp, 0),    /* #DB (SIGTRAP) on hardware; QEMU TCG raises #UD (SIGILL) */
};

static volatile int last_sig;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    for (size_t i = 0; i < ARRAY_SIZE(insns); i++) {
        if (ctx->rip == (uintptr_t)insns[i].start) {        /* a fault */
            ctx->rip = (uintptr_t)insns[i].end;
            last_sig = sig;
            return;
        }
        if (ctx->rip == (uintptr_t)insns[i].end) {          /* a trap */
            last_sig = sig;
            return;
        }
    }
    printf("privinsn: unexpected signal %d at rip %#lx (fault address %#lx)\n",
           sig, ctx->rip, (unsigned long)fault_addr);
    exit(1);
}

int main(int argc, char **argv)
{
    int executed = 0, ran = 0;
    int r = signal(handler);
    if (r < 0) {
        printf("privinsn: signal failed: %s\n", errstr(r));
        return 1;
    }
    for (size_t i = 0; i < ARRAY_SIZE(insns); i++) {
        if (argc > 1 && strcmp(argv[1], insns[i].name) != 0)
            continue;
        last_sig = 0;
        ran++;
        insns[i].run();
        if (last_sig == 0) {
            printf("privinsn: %s EXECUTED in user mode!\n", insns[i].name);
            executed++;
        } else if (insns[i].expect && last_sig != insns[i].expect) {
            printf("privinsn: %s -> signal %d (expected %d)\n", insns[i].name,
                   last_sig, insns[i].expect);
        } else {
            printf("privinsn: %s -> signal %d\n", insns[i].name, last_sig);
        }
    }
    if (executed) {
        printf("privinsn: FAILED: %d instructions executed\n", executed);
        return 1;
    }
    printf("privinsn: all %d instructions faulted\n", ran);
    return 0;
}
