/*
 * vmtest: hostile and edge cases of the page-granular memory calls, the
 * exofork, the upcall registration, region copies and batches (JOS lab 4
 * parts B and C), as an ordinary Strata program. Prints "  PASS: ..." /
 * "  FAIL: ..." lines and "vmtest: N passed, N failed" last.
 *
 * Roles it runs copies of itself in (argv[1]):
 *   upcall KIND   register an upcall whose exception stack or address is
 *                 bad (KIND: kstack, rostack, kupcall), then fault: the
 *                 kernel must kill it, and nothing else
 *   idle          yield forever
 */
#include <ulib.h>
#include <uapi/env.h>
#include <uapi/pte.h>
#include <uapi/vm.h>

#define PERM    (PTE_P | PTE_U | PTE_W)
#define SCRATCH (USER_SCRATCH + 0x40000)

static int passed, failed;
static const char rodata_page[4096] __attribute__((aligned(4096))) = { 1 };

static void check(bool ok, const char *what, long got)
{
    if (ok) {
        passed++;
        printf("  PASS: %s\n", what);
    } else {
        failed++;
        printf("  FAIL: %s (got %ld)\n", what, got);
    }
}

static void check_err(long got, long want, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s -> %s", what, want ? errstr((int)want) : "0");
    check(got == want, buf, got);
}

static long sys(long n, long a, long b, long c, long d, long e)
{
    return syscall(n, a, b, c, d, e);
}

/* sys_env_alloc must be inline (as JOS's): the child resumes right after
 * the syscall instruction with the stack as the parent copies it later,
 * so the call must not return through a frame that is gone by then. */
static inline __attribute__((always_inline)) int env_alloc_inline(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_ENV_ALLOC) : "rcx", "r11", "memory");
    return (int)r;
}

static int exit_code(int pid)
{
    int st;
    if (wait(pid, &st) != pid)
        return -1000;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static int role(int argc, char **argv)
{
    if (strcmp(argv[1], "idle") == 0)
        for (;;)
            yield();
    if (strcmp(argv[1], "upcall") == 0 && argc == 3) {
        uint64_t upcall = (uint64_t)&role, top = USER_XSTACK_TOP;
        if (strcmp(argv[2], "kstack") == 0) {
            top = 0x200000;                 /* the kernel's memory */
        } else if (strcmp(argv[2], "rostack") == 0) {
            top = (uint64_t)rodata_page + 4096;     /* read-only */
        } else if (strcmp(argv[2], "kupcall") == 0) {
            sys(SYS_MEM_ALLOC, 0, USER_XSTACK, PERM, 0, 0);
            upcall = 0x100020;              /* kernel code */
        } else if (strcmp(argv[2], "noncanon") == 0) {
            sys(SYS_MEM_ALLOC, 0, USER_XSTACK, PERM, 0, 0);
            upcall = 0x0000800000000000ull; /* not canonical */
        }
        sys(SYS_SET_PGFAULT_HANDLER, 0, (long)upcall, (long)top, 0, 0);
        *(volatile int *)USER_START = 1;    /* fault */
        return 0;                           /* not reached */
    }
    return 99;
}

static void test_mem_calls(void)
{
    int self = getpid();
    int parent = ((const volatile struct Env *)USER_ENVS)[ENVX(self)].env_parent_id;

    check_err(sys(SYS_MEM_ALLOC, 0, SCRATCH, PERM, 0, 0), 0, "mem_alloc a page");
    check(*(volatile uint64_t *)SCRATCH == 0, "the new page reads zero", 0);
    *(volatile uint64_t *)SCRATCH = 7;
    check_err(sys(SYS_MEM_ALLOC, parent, SCRATCH, PERM, 0, 0), -E_BAD_ENV, "mem_alloc in my parent");
    check_err(sys(SYS_MEM_ALLOC, 12345, SCRATCH, PERM, 0, 0), -E_BAD_ENV, "mem_alloc in a bad id");
    long bad_va[] = { SCRATCH + 8, 0x100000, 0x1000, (long)0x0000800000000000ull,
                      (long)USER_END, (long)0xfffffffffffff000ull, (long)USER_START - 4096 };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_va); i++) {
        char what[80];
        snprintf(what, sizeof(what), "mem_alloc at %#lx", bad_va[i]);
        check_err(sys(SYS_MEM_ALLOC, 0, bad_va[i], PERM, 0, 0), -E_INVAL, what);
        snprintf(what, sizeof(what), "mem_map to %#lx", bad_va[i]);
        check_err(sys(SYS_MEM_MAP, 0, SCRATCH, 0, bad_va[i], PERM), -E_INVAL, what);
        snprintf(what, sizeof(what), "mem_unmap of %#lx", bad_va[i]);
        check_err(sys(SYS_MEM_UNMAP, 0, bad_va[i], 0, 0, 0), -E_INVAL, what);
    }
    long bad_perm[] = { 0, PTE_P, PTE_U, PTE_P | PTE_W, PERM | 0x100, PERM | 0x1000, -1L };
    for (unsigned i = 0; i < ARRAY_SIZE(bad_perm); i++) {
        char what[80];
        snprintf(what, sizeof(what), "mem_alloc with perm %#lx", bad_perm[i]);
        check_err(sys(SYS_MEM_ALLOC, 0, SCRATCH + 4096, bad_perm[i], 0, 0), -E_INVAL, what);
    }
    check_err(sys(SYS_MEM_ALLOC, 0, USER_ENVS, PERM, 0, 0), -E_INVAL, "mem_alloc over the envs view");
    check_err(sys(SYS_MEM_UNMAP, 0, USER_ENVS, 0, 0, 0), -E_INVAL, "mem_unmap of the envs view");
    check_err(sys(SYS_MEM_MAP, 0, USER_ENVS, 0, SCRATCH + 4096, PTE_P | PTE_U), -E_INVAL,
              "mem_map from the envs view");

    /* Write grants. */
    check_err(sys(SYS_MEM_MAP, 0, (long)rodata_page, 0, SCRATCH + 4096, PERM), -E_INVAL,
              "mem_map write grant from a read-only page");
    check_err(sys(SYS_MEM_MAP, 0, (long)rodata_page, 0, SCRATCH + 4096, PTE_P | PTE_U), 0,
              "mem_map read-only from a read-only page");
    check(*(volatile char *)(SCRATCH + 4096) == 1, "it shows the same bytes", 0);
    check_err(sys(SYS_MEM_MAP, 0, SCRATCH, 0, SCRATCH + 8192, PTE_P | PTE_U | PTE_COW), 0,
              "mem_map a page copy-on-write");
    uint32_t perm = 0;
    sys(SYS_VM_PAGES, SCRATCH + 8192, 1, (long)&perm, 0, 0);
    check(perm == (PTE_P | PTE_U | PTE_COW), "vm_pages shows P|U|COW", perm);
    check_err(sys(SYS_MEM_MAP, 0, SCRATCH + 8192, 0, SCRATCH + 12288, PERM), -E_INVAL,
              "mem_map write grant from a COW page");
    check(*(volatile uint64_t *)(SCRATCH + 8192) == 7, "the COW page shares the frame", 0);
    check_err(sys(SYS_MEM_MAP, 0, SCRATCH + 20 * 4096, 0, SCRATCH + 12288, PTE_P | PTE_U), -E_INVAL,
              "mem_map from an unmapped page");

    /* Unmap. */
    check_err(sys(SYS_MEM_UNMAP, 0, SCRATCH + 30 * 4096, 0, 0, 0), 0, "mem_unmap of nothing");
    check_err(sys(SYS_MEM_UNMAP, 0, SCRATCH + 4096, 0, 0, 0), 0, "mem_unmap of a page");
    sys(SYS_VM_PAGES, SCRATCH + 4096, 1, (long)&perm, 0, 0);
    check(perm == 0, "it is gone (no region)", perm);
    check(*(volatile char *)rodata_page == 1, "the source page is intact", 0);
    for (int i = 0; i < 3; i++)
        sys(SYS_MEM_UNMAP, 0, SCRATCH + i * 4096, 0, 0, 0);
}

static void test_queries_and_batches(void)
{
    struct vm_region r;
    check_err(sys(SYS_VM_REGION, USER_START, (long)&r, 0, 0, 0), 0, "vm_region from the start");
    check(r.start >= USER_LOAD_MIN && (r.flags & VM_EXEC), "the first region is the program's text", r.start);
    check_err(sys(SYS_VM_REGION, USER_START, 0x100000, 0, 0, 0), -EFAULT, "vm_region to a kernel pointer");
    check_err(sys(SYS_VM_REGION, (long)USER_END, (long)&r, 0, 0, 0), -ENOENT, "vm_region past the end");
    uint32_t perms[4];
    check_err(sys(SYS_VM_PAGES, USER_START + 1, 1, (long)perms, 0, 0), -E_INVAL, "vm_pages unaligned");
    check_err(sys(SYS_VM_PAGES, USER_START, VM_PAGES_MAX + 1, (long)perms, 0, 0), -E_INVAL,
              "vm_pages of too many pages");
    check_err(sys(SYS_VM_PAGES, USER_STACK_BOTTOM, 1, 0x100000, 0, 0), -EFAULT, "vm_pages to a kernel pointer");
    check_err(sys(SYS_VM_COPY, 0, USER_STACK_BOTTOM, 4096, VM_COPY_COW, 0), -E_INVAL, "vm_copy to myself");
    check_err(sys(SYS_VM_COPY, 12345, USER_STACK_BOTTOM, 4096, VM_COPY_COW, 0), -E_BAD_ENV,
              "vm_copy to a bad id");

    struct sysreq reqs[3] = {
        { .nr = SYS_GETPID }, { .nr = SYS_EXIT, .args = { 0 } }, { .nr = SYS_GETPID },
    };
    check_err(sys(SYS_BATCH, (long)reqs, 3, 0, 0, 0), 2, "a batch stops at a call it may not run (exit)");
    check(reqs[0].result == getpid() && reqs[1].result == -EINVAL, "its results are written back",
          reqs[1].result);
    check_err(sys(SYS_BATCH, 0x100000, 1, 0, 0, 0), -EFAULT, "a batch at a kernel address");
    check_err(sys(SYS_BATCH, (long)reqs, SYSCALL_BATCH_MAX + 1, 0, 0, 0), -EINVAL, "a batch too long");
    struct sysreq nested = { .nr = SYS_BATCH, .args = { (uint64_t)&nested, 1 } };
    check_err(sys(SYS_BATCH, (long)&nested, 1, 0, 0, 0), 1, "a batch inside a batch runs and fails");
    check(nested.result == -EINVAL, "with -EINVAL", nested.result);
}

static void test_exofork(void)
{
    int child = env_alloc_inline();
    if (child == 0)
        exit(42);           /* runs only once set runnable */
    check(child > 0, "env_alloc gives a child", child);
    const volatile struct Env *e = &((const volatile struct Env *)USER_ENVS)[ENVX(child)];
    check(e->env_status == ENV_NOT_RUNNABLE, "the child is not runnable", e->env_status);
    check_err(sys(SYS_SET_ENV_STATUS, child, 7, 0, 0, 0), -E_INVAL, "set_env_status to 7");
    check_err(sys(SYS_SET_ENV_STATUS, child, ENV_FREE, 0, 0, 0), -E_INVAL, "set_env_status to ENV_FREE");
    /* Its user half is empty: it needs its stack back before it can run. */
    check_err(sys(SYS_VM_COPY, child, USER_STACK_BOTTOM, USER_STACK_TOP - USER_STACK_BOTTOM, VM_COPY_COW, 0),
              0, "vm_copy my stack to it");
    struct vm_region r;
    for (uint64_t va = USER_START; sys(SYS_VM_REGION, (long)va, (long)&r, 0, 0, 0) == 0; va = r.end)
        if (r.end <= USER_ENVS)
            sys(SYS_VM_COPY, child, (long)r.start, (long)(r.end - r.start), VM_COPY_COW, 0);
    check_err(sys(SYS_VM_COPY, child, USER_STACK_BOTTOM, 4096, VM_COPY_COW, 0), -E_INVAL,
              "vm_copy over what it has already");
    check_err(sys(SYS_SET_ENV_STATUS, child, ENV_RUNNABLE, 0, 0, 0), 0, "set it runnable");
    check(exit_code(child) == 42, "it ran my program from the call on", 0);

    /* A child that never ran can be destroyed. */
    child = env_alloc_inline();
    if (child == 0)
        exit(1);
    check(child > 0 && kill(child) == 0 && exit_code(child) == -SIGKILL,
          "destroy a child that never ran", child);
}

static void test_upcalls(void)
{
    const char *kinds[] = { "kstack", "rostack", "kupcall", "noncanon" };
    for (unsigned i = 0; i < ARRAY_SIZE(kinds); i++) {
        char *argv[] = { "vmtest", "upcall", (char *)kinds[i], NULL };
        int pid = spawn("/bin/vmtest", argv);
        char what[80];
        snprintf(what, sizeof(what), "a bad upcall setup (%s) kills only the program", kinds[i]);
        check(pid > 0 && exit_code(pid) == -SIGSEGV, what, pid);
    }
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return role(argc, argv);
    test_mem_calls();
    test_queries_and_batches();
    test_exofork();
    test_upcalls();
    printf("vmtest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
