/*
 * ntflag: set RFLAGS.NT (nested task) with popf, then enter the kernel.
 * An iretq executed with NT set faults, so the kernel must clear NT on
 * every entry and never carry one thread's flags to another.
 *
 *   ntflag sigreturn   NT set, then sigreturn of a valid context (which
 *                      returns through the kernel's iretq)
 *   ntflag yield       NT set, then yield to a busy child that the timer
 *                      preempted (it resumes through iretq), 20 times
 *   ntflag syscall     NT set around ordinary system calls (sysret path)
 *   ntflag all         (default) every case, each in a child process
 *
 * Each case prints "ntflag: CASE: ok" and exits 0; on the kernel's side,
 * nothing but the process may suffer.
 */
#include <ulib.h>

#define RF_NT       0x4000ul

static const char *case_name;

static inline void nt_set(void)
{
    __asm__ volatile("pushfq\n\t"
                     "orq %0, (%%rsp)\n\t"
                     "popfq" :: "i"(RF_NT) : "memory", "cc");
}

static unsigned long flags_read(void)
{
    unsigned long f;
    __asm__ volatile("pushfq; popq %0" : "=r"(f));
    return f;
}

static void nt_clear(void)
{
    __asm__ volatile("pushfq\n\t"
                     "andq %0, (%%rsp)\n\t"
                     "popfq" :: "i"(~RF_NT) : "memory", "cc");
}

static __attribute__((noreturn, used)) void landed(void)
{
    nt_clear();
    printf("ntflag: %s: ok (resumed at the context's rip)\n", case_name);
    exit(0);
}

static void c_sigreturn(void)
{
    static uint64_t stack[512] __aligned(16);
    struct sigcontext ctx;
    sigcontext_forge(&ctx, landed, &stack[512]);
    nt_set();
    int r = sigreturn(&ctx);
    nt_clear();
    printf("ntflag: sigreturn: sigreturn returned %d\n", r);
    exit(1);
}

static void c_yield(void)
{
    char *argv[] = { "ntflag", "busy", NULL };
    int pid = spawn("/bin/ntflag", argv);
    if (pid < 0) {
        printf("ntflag: yield: spawn failed: %s\n", errstr(pid));
        exit(1);
    }
    for (int i = 0; i < 20; i++) {
        nt_set();
        yield();
    }
    nt_clear();
    int status, r = wait(pid, &status);
    if (r != pid || status != 0) {
        printf("ntflag: yield: the busy child ended badly (wait %d, status %#x)\n", r, status);
        exit(1);
    }
    printf("ntflag: yield: ok (20 yields with NT set)\n");
    exit(0);
}

static void c_busy(void)
{
    for (long i = 0; i < 30 * 1000000L; i++)
        __asm__ volatile("" ::: "memory");
    exit(0);
}

static void c_syscall(void)
{
    for (int i = 0; i < 100; i++) {
        nt_set();
        getpid();
        if (!(flags_read() & RF_NT)) {
            printf("ntflag: syscall: NT lost across a system call\n");
            exit(1);
        }
    }
    nt_clear();
    printf("ntflag: syscall: ok (NT survives sysret as the user's own flag)\n");
    exit(0);
}

static const struct {
    const char *name;
    void (*run)(void);
} cases[] = {
    { "sigreturn", c_sigreturn }, { "yield", c_yield }, { "syscall", c_syscall },
};

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "busy") == 0)
        c_busy();
    if (argc < 2 || strcmp(argv[1], "all") == 0) {
        int failed = 0;
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
            char *cargv[] = { "ntflag", (char *)cases[i].name, NULL };
            int pid = spawn("/bin/ntflag", cargv), status = -1;
            if (pid < 0 || wait(pid, &status) != pid || status != 0) {
                printf("ntflag: %s: FAILED (status %#x)\n", cases[i].name, status);
                failed++;
            }
        }
        printf(failed ? "ntflag: FAILED\n" : "ntflag: all cases ok\n");
        return failed ? 1 : 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        if (strcmp(argv[1], cases[i].name) == 0) {
            case_name = cases[i].name;
            cases[i].run();
        }
    }
    printf("usage: ntflag [all | sigreturn | yield | syscall]\n");
    return 2;
}
