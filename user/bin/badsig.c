/*
 * badsig: abuse of the signal machinery. `badsig CASE` runs one case;
 * `badsig all` (or no argument) runs every case in its own child process
 * and prints a verdict per case:
 *     badsig: CASE: ok (exited 0)            a safe outcome, reported by the case
 *     badsig: CASE: ok (killed by signal N)  the kernel killed it: also safe
 *     badsig: CASE: FAILED (exit status N)   the case saw a security problem
 * then "badsig: all N cases handled safely" or "badsig: FAILED: N of M
 * cases". A kernel panic or hang is of course a failure too.
 *
 * The cases:
 *   null, kernel, unmapped, wrap   sigreturn(bad pointer) outside a handler
 *   forged       sigreturn(a made-up context) outside a handler: may resume
 *                at the forged rip, fail, or kill; all are fine
 *   sysret       a made-up context with rcx == rip and r11 == rflags, the
 *                one shape the kernel may leave by sysret: it must resume
 *                there with rcx, r11 and rbx exactly as given
 *   kernelrip    the handler sets ctx->rip to a kernel address (0x100000)
 *   noncanonrip  ctx->rip = 0x0000800000000000 (sysret would #GP in ring 0)
 *   iopl         ctx->rflags |= IOPL 3; then `cli` must still fault
 *   nt           ctx->rflags |= NT; then system calls must still work
 *   tf           ctx->rflags |= TF; single-step trap or TF cleared
 *   vm           ctx->rflags |= VM
 *   allflags     ctx->rflags = ~0
 *   badrsp       ctx->rsp = 0x0000800000000000
 *   kstack       ctx->rsp = a kernel address
 *   badtramp     trampoline = kernel address (handler returns there)
 *   badhandler   handler = kernel address
 *   nested       the handler faults itself: must be killed
 *   ustackfault  fault with rsp in unmapped user memory (no room for a frame)
 *   kstackfault  fault with rsp = kernel address: the kernel must not write
 *                the signal frame there
 */
#include <ulib.h>

#define KADDR       0x100000ul
#define NONCANON    0x0000800000000000ul
#define RF_TF       0x100ul
#define RF_IOPL     0x3000ul
#define RF_NT       0x4000ul
#define RF_VM       0x20000ul

static const char *case_name;
static void (*edit)(struct sigcontext *ctx);
static volatile int stage;

static unsigned long read_rflags(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

/* Stage 0: the int3 we raised; apply the edit and return into sigreturn.
 * Stage 1: any later fault is the kernel catching the edited context:
 * a safe outcome. */
static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (stage++ == 0) {
        edit(ctx);
        return;
    }
    printf("badsig: %s: fault delivered after sigreturn: signal %d, rip %#lx, address %#lx\n",
           case_name, sig, ctx->rip, (unsigned long)fault_addr);
    exit(0);
}

/* Raise the int3 whose context gets edited. */
static void trigger(void)
{
    int r = signal(handler);
    if (r < 0) {
        printf("badsig: %s: signal failed: %s\n", case_name, errstr(r));
        exit(0);
    }
    __asm__ volatile("int3" ::: "memory");
}

/* ---- sigreturn outside a handler ---- */

static void sigret_ptr(unsigned long p)
{
    int r = sigreturn((struct sigcontext *)p);
    printf("badsig: %s: sigreturn(%#lx) = %d\n", case_name, p, r);
    exit(r < 0 ? 0 : 1);
}

static void c_null(void)     { sigret_ptr(0); }
static void c_kernel(void)   { sigret_ptr(KADDR); }
static void c_unmapped(void) { sigret_ptr(USER_START + 0x1000); }
static void c_wrap(void)     { sigret_ptr(0xfffffffffffffff0ul); }

static __attribute__((noreturn, used)) void landed(void)
{
    printf("badsig: forged: resumed at the forged rip\n");
    exit(0);
}

static uint64_t forged_stack[512] __aligned(16);

static void c_forged(void)
{
    struct sigcontext ctx;
    sigcontext_forge(&ctx, landed, &forged_stack[512]);
    int r = sigreturn(&ctx);
    printf("badsig: forged: sigreturn = %d\n", r);
    exit(0);
}

/* Where the sysret case lands: hand rcx, r11, rbx to C. */
__asm__(".text\n"
        ".globl badsig_landed_sysret\n"
        "badsig_landed_sysret:\n"
        "    mov %rcx, %rdi\n"
        "    mov %r11, %rsi\n"
        "    mov %rbx, %rdx\n"
        "    and $-16, %rsp\n"
        "    call badsig_sysret_check\n"
        "    ud2\n");
extern const char badsig_landed_sysret[];

#define SYSRET_FLAGS    0x202ul                 /* IF, as sigreturn keeps it */
#define SYSRET_RBX      0x5afe5afe5afe5afeul

__attribute__((noreturn, used)) void badsig_sysret_check(unsigned long rcx, unsigned long r11,
                                                         unsigned long rbx)
{
    printf("badsig: sysret: resumed with rcx %#lx r11 %#lx rbx %#lx\n", rcx, r11, rbx);
    if (rcx != (uintptr_t)badsig_landed_sysret || r11 != SYSRET_FLAGS || rbx != SYSRET_RBX) {
        printf("badsig: sysret: registers differ from the context\n");
        exit(1);
    }
    exit(0);
}

static void c_sysret(void)
{
    struct sigcontext ctx;
    sigcontext_forge(&ctx, (void (*)(void))badsig_landed_sysret, &forged_stack[512]);
    ctx.rcx = ctx.rip;
    ctx.rflags = ctx.r11 = SYSRET_FLAGS;
    ctx.rbx = SYSRET_RBX;
    int r = sigreturn(&ctx);
    printf("badsig: sysret: sigreturn = %d\n", r);
    exit(1);
}

/* ---- edited contexts ---- */

static void e_kernelrip(struct sigcontext *c)   { c->rip = KADDR; }
static void e_noncanonrip(struct sigcontext *c) { c->rip = NONCANON; }
static void e_iopl(struct sigcontext *c)        { c->rflags |= RF_IOPL; }
static void e_nt(struct sigcontext *c)          { c->rflags |= RF_NT; }
static void e_tf(struct sigcontext *c)          { c->rflags |= RF_TF; }
static void e_vm(struct sigcontext *c)          { c->rflags |= RF_VM; }
static void e_allflags(struct sigcontext *c)    { c->rflags = ~0ul; }
static void e_badrsp(struct sigcontext *c)      { c->rsp = NONCANON; }
static void e_kstack(struct sigcontext *c)      { c->rsp = KADDR + 0x8000; }

/* After an edit that must never let the program continue here. */
static void must_not_continue(void)
{
    printf("badsig: %s: continued after the int3 with the edit ignored (rflags %#lx)\n",
           case_name, read_rflags());
    exit(0);    /* ignoring the edit (or refusing the context) is safe */
}

static void c_kernelrip(void)   { edit = e_kernelrip; trigger(); must_not_continue(); }
static void c_noncanonrip(void) { edit = e_noncanonrip; trigger(); must_not_continue(); }
static void c_badrsp(void)      { edit = e_badrsp; trigger(); must_not_continue(); }
static void c_kstack(void)      { edit = e_kstack; trigger(); must_not_continue(); }

static void check_iopl(void)
{
    unsigned long f = read_rflags();
    printf("badsig: %s: resumed, rflags %#lx (IOPL %lu)\n", case_name, f, (f >> 12) & 3);
    if (f & RF_IOPL) {
        printf("badsig: %s: IOPL ESCALATION\n", case_name);
        exit(1);
    }
    __asm__ volatile("cli");
    __asm__ volatile("sti");
    printf("badsig: %s: cli EXECUTED in user mode\n", case_name);
    exit(1);
}

static void c_iopl(void) { edit = e_iopl; trigger(); check_iopl(); }

static void c_nt(void)
{
    edit = e_nt;
    trigger();
    printf("badsig: nt: resumed, rflags %#lx\n", read_rflags());
    for (int i = 0; i < 3; i++)
        getpid();
    yield();
    printf("badsig: nt: system calls still work\n");
    exit(0);
}

static void c_tf(void)
{
    edit = e_tf;
    trigger();
    printf("badsig: tf: no single-step trap (TF cleared), rflags %#lx\n", read_rflags());
    exit(0);
}

static void c_vm(void)
{
    edit = e_vm;
    trigger();
    printf("badsig: vm: resumed, rflags %#lx\n", read_rflags());
    exit(read_rflags() & RF_VM ? 1 : 0);
}

static void c_allflags(void)
{
    edit = e_allflags;
    trigger();
    check_iopl();
}

/* ---- bad registrations and nested faults ---- */

static void simple_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    printf("badsig: %s: handler ran (signal %d), returning\n", case_name, sig);
}

static void c_badtramp(void)
{
    long r = syscall(SYS_SIGNAL, (long)simple_handler, (long)KADDR);
    printf("badsig: badtramp: signal(handler, tramp %#lx) = %ld\n", KADDR, r);
    if (r < 0)
        exit(0);
    __asm__ volatile("int3" ::: "memory");
    printf("badsig: badtramp: resumed through a kernel-address trampoline!\n");
    exit(1);
}

static void c_badhandler(void)
{
    long r = syscall(SYS_SIGNAL, (long)KADDR, (long)__sigtramp);
    printf("badsig: badhandler: signal(%#lx) = %ld\n", KADDR, r);
    if (r < 0)
        exit(0);
    __asm__ volatile("int3" ::: "memory");
    printf("badsig: badhandler: resumed after a kernel-address handler!\n");
    exit(1);
}

static volatile int depth;

static void nested_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (++depth > 1) {
        printf("badsig: nested: a fault inside the handler was delivered to it\n");
        exit(1);
    }
    printf("badsig: nested: in the handler, faulting again\n");
    (void)*(volatile long *)USER_START;
    printf("badsig: nested: survived a fault inside the handler\n");
    exit(1);
}

static void c_nested(void)
{
    int r = signal(nested_handler);
    if (r < 0) {
        printf("badsig: nested: signal failed: %s\n", errstr(r));
        exit(0);
    }
    __asm__ volatile("int3" ::: "memory");
    printf("badsig: nested: resumed?!\n");
    exit(1);
}

static void stack_handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    /* Delivered anyway (on some other stack?): not a security problem, as
     * long as the frame did not land at the bad rsp. */
    printf("badsig: %s: handler ran with rsp %#lx (saved rsp %#lx)\n", case_name,
           (unsigned long)__builtin_frame_address(0), ctx->rsp);
    exit(0);
}

static void fault_with_rsp(unsigned long rsp)
{
    int r = signal(stack_handler);
    if (r < 0) {
        printf("badsig: %s: signal failed: %s\n", case_name, errstr(r));
        exit(0);
    }
    printf("badsig: %s: faulting with rsp = %#lx\n", case_name, rsp);
    __asm__ volatile("mov %0, %%rsp\n\t"
                     "movq $0, (%%rsp)\n\t"      /* faults: rsp is not writable */
                     "ud2" :: "r"(rsp) : "memory");
}

static void c_ustackfault(void) { fault_with_rsp(USER_START + 0x10000); }
static void c_kstackfault(void) { fault_with_rsp(KADDR + 0x10000); }

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    { "null", c_null }, { "kernel", c_kernel }, { "unmapped", c_unmapped },
    { "wrap", c_wrap }, { "forged", c_forged }, { "sysret", c_sysret },
    { "kernelrip", c_kernelrip }, { "noncanonrip", c_noncanonrip },
    { "iopl", c_iopl }, { "nt", c_nt }, { "tf", c_tf }, { "vm", c_vm },
    { "allflags", c_allflags }, { "badrsp", c_badrsp }, { "kstack", c_kstack },
    { "badtramp", c_badtramp }, { "badhandler", c_badhandler },
    { "nested", c_nested }, { "ustackfault", c_ustackfault },
    { "kstackfault", c_kstackfault },
};

static int run_all(void)
{
    int failed = 0;
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *argv[] = { "badsig", (char *)cases[i].name, NULL };
        int pid = spawn("/bin/badsig", argv);
        if (pid < 0) {
            printf("badsig: %s: spawn failed: %s\n", cases[i].name, errstr(pid));
            failed++;
            continue;
        }
        int status;
        int r = wait(pid, &status);
        if (r < 0) {
            printf("badsig: %s: wait failed: %s\n", cases[i].name, errstr(r));
            failed++;
        } else if (WIFSIGNALED(status)) {
            printf("badsig: %s: ok (killed by signal %d)\n", cases[i].name, WTERMSIG(status));
        } else if (WEXITSTATUS(status) == 0) {
            printf("badsig: %s: ok (exited 0)\n", cases[i].name);
        } else {
            printf("badsig: %s: FAILED (exit status %d)\n", cases[i].name, WEXITSTATUS(status));
            failed++;
        }
    }
    if (failed) {
        printf("badsig: FAILED: %d of %zu cases\n", failed, ARRAY_SIZE(cases));
        return 1;
    }
    printf("badsig: all %zu cases handled safely\n", ARRAY_SIZE(cases));
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "all") == 0)
        return run_all();
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            case_name = cases[i].name;
            cases[i].run();
            printf("badsig: %s: case returned\n", case_name);
            return 0;
        }
    }
    printf("usage: badsig [all | CASE]; cases:");
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
        printf(" %s", cases[i].name);
    printf("\n");
    return 2;
}
