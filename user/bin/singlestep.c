/*
 * singlestep: single-step a few instructions with RFLAGS.TF and a SIGTRAP
 * handler that counts the steps and clears TF at the last one.
 *
 * The handler must run without TF (else it traps on its own first
 * instruction, a fault inside the handler, and the process dies), and a
 * context returned with TF set must go on stepping. popf sets TF; the
 * first trap comes after the instruction that follows it, then one after
 * each instruction: at ss_2, ss_3, ss_4 and ss_stop, where the handler
 * clears TF in the saved context.
 *
 * Prints "singlestep: step N at ss_K" per trap and "singlestep: ok (4
 * steps, then TF cleared)".
 */
#include <ulib.h>

extern const char ss_1[], ss_2[], ss_3[], ss_4[], ss_stop[];

#define RF_TF   0x100ul
#define MAX_STEPS 16

static volatile int steps;
static volatile uint64_t rips[MAX_STEPS];
static volatile unsigned long handler_flags;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    handler_flags |= f;
    if (sig != SIGTRAP || steps >= MAX_STEPS) {
        printf("singlestep: signal %d at %#lx after %d steps\n", sig, ctx->rip, steps);
        exit(1);
    }
    rips[steps++] = ctx->rip;
    if (ctx->rip == (uintptr_t)ss_stop)
        ctx->rflags &= ~RF_TF;
}

static const char *label(uint64_t rip)
{
    static const struct { const char *name; const char *at; } l[] = {
        { "ss_1", ss_1 }, { "ss_2", ss_2 }, { "ss_3", ss_3 }, { "ss_4", ss_4 },
        { "ss_stop", ss_stop },
    };
    for (size_t i = 0; i < ARRAY_SIZE(l); i++)
        if (rip == (uintptr_t)l[i].at)
            return l[i].name;
    return "?";
}

int main(int argc, char **argv)
{
    int r = signal(handler);
    if (r < 0) {
        printf("singlestep: signal failed: %s\n", errstr(r));
        return 1;
    }
    __asm__ volatile(
        "pushfq\n\t"
        "orq %0, (%%rsp)\n\t"
        "popfq\n"
        ".globl ss_1, ss_2, ss_3, ss_4, ss_stop\n"
        "ss_1: nop\n"
        "ss_2: nop\n"
        "ss_3: nop\n"
        "ss_4: nop\n"
        "ss_stop: nop\n"
        :: "i"(RF_TF) : "memory", "cc");
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));

    static const char *const want[] = { "ss_2", "ss_3", "ss_4", "ss_stop" };
    bool ok = steps == (int)ARRAY_SIZE(want) && !(f & RF_TF) && !(handler_flags & RF_TF);
    for (int i = 0; i < steps; i++) {
        printf("singlestep: step %d at %s\n", i + 1, label(rips[i]));
        if (i >= (int)ARRAY_SIZE(want) || strcmp(label(rips[i]), want[i]) != 0)
            ok = false;
    }
    if (handler_flags & RF_TF)
        printf("singlestep: the handler ran with TF set\n");
    if (!ok) {
        printf("singlestep: FAILED (%d steps, TF %s after)\n", steps, f & RF_TF ? "set" : "clear");
        return 1;
    }
    printf("singlestep: ok (%d steps, then TF cleared)\n", steps);
    return 0;
}
