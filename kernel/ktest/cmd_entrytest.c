/*
 * entrytest: self-test of the entry code (arch/x86_64/entry/), for what
 * user programs cannot reach: the MSRs and the GDT slot set up at boot,
 * the sysret test of the syscall exit path on forged frames, the RFLAGS
 * the kernel runs with after an interrupt and after a context switch, and
 * the paranoid NMI path, also inside a swapgs window (simulated: swapgs,
 * then int $2, as an NMI arriving at the first instruction of the syscall
 * entry would find the CPU).
 *
 *   entrytest           the checks above, "entrytest: N passed, N failed"
 *   entrytest badiret   an iretq to user mode that the CPU refuses: reported,
 *                       then a panic (no process to kill)
 *   entrytest df        a double fault with the user's GS live: report, panic
 *   entrytest mc        a machine check (int $18) likewise
 */
#include <shell.h>
#include <selftest.h>
#include <thread.h>
#include <log.h>
#include <panic.h>
#include <string.h>
#include <uapi/errno.h>
#include <uapi/layout.h>
#include <arch/cpu.h>
#include <arch/gdt.h>
#include <arch/trap.h>

#define TEST_VECTOR     0x81        /* unused: the interrupt-entry check borrows it */
#define NONCANON        0x0000800000000000ull

static void test_msrs(struct selftest *c)
{
    const uint64_t must = RFLAGS_IF | RFLAGS_TF | RFLAGS_DF | RFLAGS_AC | RFLAGS_NT |
                          RFLAGS_IOPL | RFLAGS_RF | RFLAGS_ID;
    uint64_t fmask = rdmsr(MSR_FMASK);
    selftest_check(c, (fmask & must) == must, "MSR_FMASK %#lx clears IF TF DF AC NT IOPL RF ID",
                   fmask);
    selftest_check(c, rdmsr(MSR_LSTAR) == (uint64_t)syscall_entry, "MSR_LSTAR is syscall_entry");
    selftest_check(c, rdmsr(MSR_CSTAR) == (uint64_t)syscall_compat_entry,
                   "MSR_CSTAR %#lx is syscall_compat_entry", rdmsr(MSR_CSTAR));
}

static void test_gdt(struct selftest *c)
{
    struct { uint16_t limit; uint64_t base; } __packed g;
    __asm__ volatile("sgdt %0" : "=m"(g));
    const uint64_t *d = (const uint64_t *)g.base;
    const uint64_t present = 1ull << 47, longmode = 1ull << 53, dpl3 = 3ull << 45;
    selftest_check(c, !(d[SEL_UCODE32 / 8] & present),
                   "GDT slot %#x (32-bit user code) is not present: %#lx", SEL_UCODE32,
                   d[SEL_UCODE32 / 8]);
    const uint64_t code64 = present | longmode | dpl3;
    selftest_check(c, (d[SEL_UCODE / 8] & code64) == code64,
                   "GDT slot %#x is present 64-bit DPL 3 code", SEL_UCODE);
}

/* A frame exactly as `syscall` leaves it. */
static struct trap_frame frame_plain(void)
{
    struct trap_frame tf;
    memset(&tf, 0, sizeof(tf));
    tf.vector = VEC_SYSCALL_INSN;
    tf.rip = tf.rcx = USER_LOAD_MIN + 0x123;
    tf.rflags = tf.r11 = RFLAGS_IF | RFLAGS_FIXED | RFLAGS_ZF | RFLAGS_NT | RFLAGS_AC;
    tf.cs = SEL_UCODE | RPL_USER;
    tf.ss = SEL_UDATA | RPL_USER;
    tf.rsp = USER_STACK_TOP - 64;
    return tf;
}

static void sysret_case(struct selftest *c, const char *what, struct trap_frame tf, bool want)
{
    bool got = syscall_frame_sysret_ok(&tf);
    selftest_check(c, got == want, "sysret test: %s -> %s", what, got ? "sysret" : "iretq");
}

static void test_sysret_check(struct selftest *c)
{
    struct trap_frame tf = frame_plain();
    sysret_case(c, "the frame of a plain syscall (NT and AC are the user's)", tf, true);
#define CASE(what, edit, want) \
    do { tf = frame_plain(); edit; sysret_case(c, what, tf, want); } while (0)
    CASE("rip = USER_START", tf.rip = tf.rcx = USER_START, true);
    CASE("rip = USER_END - 1", tf.rip = tf.rcx = USER_END - 1, true);
    CASE("rip = USER_END", tf.rip = tf.rcx = USER_END, false);
    CASE("rip non-canonical", tf.rip = tf.rcx = NONCANON, false);
    CASE("rip just below the user half", tf.rip = tf.rcx = USER_START - 1, false);
    CASE("rip a kernel address", tf.rip = tf.rcx = 0x100000, false);
    CASE("rip edited, rcx not", tf.rip = USER_LOAD_MIN, false);
    CASE("rcx edited, rip not", tf.rcx = USER_LOAD_MIN, false);
    CASE("rflags edited, r11 not", tf.rflags |= RFLAGS_CF, false);
    CASE("cs 32-bit", tf.cs = SEL_UCODE32 | RPL_USER, false);
    CASE("cs kernel", tf.cs = SEL_KCODE, false);
    CASE("ss kernel", tf.ss = SEL_KDATA, false);
    CASE("TF set", (tf.rflags |= RFLAGS_TF, tf.r11 = tf.rflags), false);
    CASE("RF set", (tf.rflags |= RFLAGS_RF, tf.r11 = tf.rflags), false);
    CASE("IOPL 3", (tf.rflags |= RFLAGS_IOPL, tf.r11 = tf.rflags), false);
    CASE("VM set", (tf.rflags |= RFLAGS_VM, tf.r11 = tf.rflags), false);
    CASE("IF clear", (tf.rflags &= ~RFLAGS_IF, tf.r11 = tf.rflags), false);
#undef CASE
}

static volatile uint64_t handler_rflags;

static void record_rflags(struct trap_frame *tf)
{
    handler_rflags = read_rflags();
}

/* Load flags into RFLAGS (inline: nothing runs in between). */
#define RFLAGS_LOAD(f) __asm__ volatile("pushq %0; popfq" :: "r"((uint64_t)(f)) : "memory", "cc")

static void test_interrupt_flags(struct selftest *c)
{
    trap_register(TEST_VECTOR, record_rflags);
    bool f = irq_save();
    uint64_t saved = read_rflags();
    RFLAGS_LOAD(saved | RFLAGS_AC | RFLAGS_DF);
    __asm__ volatile("int %0" :: "i"(TEST_VECTOR) : "memory");
    uint64_t after = read_rflags();
    RFLAGS_LOAD(saved);
    irq_restore(f);
    trap_register(TEST_VECTOR, NULL);
    selftest_check(c, !(handler_rflags & (RFLAGS_AC | RFLAGS_DF)),
                   "an interrupt entered with AC and DF set runs its handler with both clear "
                   "(rflags %#lx)", handler_rflags);
    selftest_check(c, (after & (RFLAGS_AC | RFLAGS_DF)) == (RFLAGS_AC | RFLAGS_DF),
                   "and the interrupted code gets them back (rflags %#lx)", after);
}

static volatile uint64_t switched_rflags;

static void *record_first_rflags(void *arg)
{
    switched_rflags = read_rflags();
    return NULL;
}

static void test_switch_flags(struct selftest *c)
{
    struct thread *t;
    int err = thread_create("flags", thread_current()->aspace, record_first_rflags, NULL,
                            THREAD_JOINABLE, &t);
    if (err) {
        selftest_check_err(c, err, 0, "create a thread");
        return;
    }
    bool f = irq_save();
    RFLAGS_LOAD(read_rflags() | RFLAGS_NT | RFLAGS_AC);
    thread_yield();                 /* the new thread runs first */
    uint64_t after = read_rflags();
    RFLAGS_LOAD(after & ~(RFLAGS_NT | RFLAGS_AC));
    irq_restore(f);
    thread_join(t, NULL);
    selftest_check(c, !(switched_rflags & (RFLAGS_NT | RFLAGS_AC)),
                   "a thread switched to from one with NT and AC set starts without them "
                   "(rflags %#lx)", switched_rflags);
    selftest_check(c, !(after & (RFLAGS_NT | RFLAGS_AC)),
                   "and so does the switcher when it resumes (rflags %#lx)", after);
}

static void test_nmi(struct selftest *c)
{
    struct trap_nmi_stats s0, s1, s2;
    uint64_t kernel_gs = rdmsr(MSR_GS_BASE), user_gs = rdmsr(MSR_KERNEL_GS_BASE), in_window;

    trap_nmi_stats(&s0);
    __asm__ volatile("int $2" ::: "memory");
    trap_nmi_stats(&s1);
    selftest_check(c, s1.total == s0.total + 1 && s1.kernel_user_gs == s0.kernel_user_gs &&
                   rdmsr(MSR_GS_BASE) == kernel_gs,
                   "NMI (int $2) in the kernel: counted, the kernel's GS kept");

    bool f = irq_save();
    __asm__ volatile("swapgs\n\t"
                     "int $2\n\t"
                     "movl $0xC0000101, %%ecx\n\t"     /* MSR_GS_BASE */
                     "rdmsr\n\t"
                     "swapgs\n\t"
                     "shlq $32, %%rdx\n\t"
                     "orq %%rdx, %%rax"
                     : "=a"(in_window) :: "rcx", "rdx", "memory");
    irq_restore(f);
    trap_nmi_stats(&s2);
    selftest_check(c, s2.total == s1.total + 1 && s2.kernel_user_gs == s1.kernel_user_gs + 1,
                   "NMI in a swapgs window (the user's GS live in the kernel): seen as such");
    selftest_check(c, in_window == user_gs && rdmsr(MSR_GS_BASE) == kernel_gs,
                   "the NMI gave back the GS it found (%#lx, the user's %#lx)", in_window, user_gs);
}

/* iretq to user mode into the not-present 32-bit code segment: the CPU
 * refuses it (#GP at trap_return_user_iretq) with the user's GS live. (A
 * non-canonical rip would do on hardware, but QEMU's TCG completes that
 * iretq and faults on the fetch, in user mode.) */
static __noreturn void crash_bad_iret(void)
{
    cli();
    __asm__ volatile("pushq %[ss]\n\t"
                     "pushq %[rsp]\n\t"
                     "pushq %[fl]\n\t"
                     "pushq %[cs]\n\t"
                     "pushq %[rip]\n\t"
                     "swapgs\n\t"
                     "jmp trap_return_user_iretq"
                     :: [ss] "i"(SEL_UDATA | RPL_USER), [rsp] "r"(USER_STACK_TOP - 64),
                        [fl] "i"(RFLAGS_IF | RFLAGS_FIXED), [cs] "i"(SEL_UCODE32 | RPL_USER),
                        [rip] "r"(USER_LOAD_MIN)
                     : "memory");
    __builtin_unreachable();
}

/* A stack fault while the stack is unusable: #SS, whose delivery faults
 * again, is a double fault. With the user's GS live, as if it struck in
 * a swapgs window. */
static __noreturn void crash_double_fault(void)
{
    cli();
    __asm__ volatile("swapgs\n\t"
                     "movq %0, %%rsp\n\t"
                     "pushq $0"
                     :: "r"(NONCANON) : "memory");
    __builtin_unreachable();
}

static __noreturn void crash_machine_check(void)
{
    cli();
    __asm__ volatile("swapgs\n\t"
                     "int $18" ::: "memory");
    panic("%s: returned from a machine check", __func__);
}

static int cmd_entrytest(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "badiret") == 0)
        crash_bad_iret();
    if (argc == 2 && strcmp(argv[1], "df") == 0)
        crash_double_fault();
    if (argc == 2 && strcmp(argv[1], "mc") == 0)
        crash_machine_check();
    if (argc != 1)
        return shell_usage_print(argv[0]);
    struct selftest c = { 0, 0 };
    test_msrs(&c);
    test_gdt(&c);
    test_sysret_check(&c);
    test_interrupt_flags(&c);
    test_switch_flags(&c);
    test_nmi(&c);
    return selftest_report(&c, "entrytest");
}
SHELL_COMMAND(entrytest, "entrytest", "entrytest [badiret | df | mc]",
              "self-test of the entry code (badiret, df, mc: crash on purpose)", cmd_entrytest);
