/*
 * sysbench [N]: user-mode costs in TSC cycles, one line each:
 *     sysbench: syscall: C cycles/call (N calls)      null call (getpid), `syscall`
 *     sysbench: int80: C cycles/call (N calls)        the same through `int $0x80`
 *     sysbench: spawn_wait: C cycles/call (K calls)   spawn /bin/exitcode 0 + wait
 *     sysbench: anon_fault: C cycles/call (P calls)   first touch of a map()ped page
 *     sysbench: file_fault: C cycles/call (P calls)   first touch of a page of this
 *                                                     program's read-only data
 *     sysbench: ipc_roundtrip: C cycles/call (M calls)       a value to a partner
 *                                                     environment and back (ipc_send +
 *                                                     ipc_recv on each side)
 *     sysbench: ipc_page_roundtrip: C cycles/call (M calls)  the same with a page each way
 *     sysbench: yield_roundtrip: C cycles/call (M calls)     yield between two environments
 * N defaults to 100000. The partner is a copy of this program ("sysbench
 * partner ipc|yield"), started for each measurement and destroyed after. (rdtsc must be allowed in user mode: CR4.TSD clear.)
 */
#include <ulib.h>
#include <uapi/env.h>

static uint64_t measure(long (*fn)(long, ...), long n)
{
    for (int i = 0; i < 100; i++)           /* warm up */
        fn(SYS_GETPID);
    uint64_t t0 = rdtsc();
    for (long i = 0; i < n; i++)
        fn(SYS_GETPID);
    return (rdtsc() - t0) / (uint64_t)n;
}

#define SPAWN_CALLS 20
#define FAULT_PAGES 64

/* Initialised, so it lives in the file (rodata, a FILE region), never
 * touched before the measurement: each page's first read is a FILE fault. */
static const char file_pages[FAULT_PAGES * 4096] __attribute__((aligned(4096))) = { 1 };

static uint64_t measure_spawn(void)
{
    char *argv[] = { "exitcode", "0", NULL };
    uint64_t t0 = rdtsc();
    for (int i = 0; i < SPAWN_CALLS; i++) {
        int status;
        long pid = spawn("/bin/exitcode", argv);
        if (pid < 0 || wait((int)pid, &status) != pid)
            return 0;
    }
    return (rdtsc() - t0) / SPAWN_CALLS;
}

static uint64_t measure_anon_faults(void)
{
    long len = FAULT_PAGES * 4096;
    void *p = map(NULL, (size_t)len, PROT_READ | PROT_WRITE);
    if (IS_ERR(p))
        return 0;
    volatile char *c = p;
    uint64_t t0 = rdtsc();
    for (long off = 0; off < len; off += 4096)
        c[off] = 1;
    uint64_t per = (rdtsc() - t0) / FAULT_PAGES;
    unmap(p, (size_t)len);
    return per;
}

static uint64_t measure_file_faults(void)
{
    volatile const char *c = file_pages;
    unsigned sum = 0;
    uint64_t t0 = rdtsc();
    for (long off = 0; off < FAULT_PAGES * 4096; off += 4096)
        sum += (unsigned char)c[off];
    uint64_t per = (rdtsc() - t0) / FAULT_PAGES;
    return sum == 1 ? per : 0;      /* only the first byte is 1 */
}

#define IPC_CALLS   2000
#define IPC_PAGE    ((void *)(USER_SCRATCH + 0x10000))  /* a free page for the partner */

static char ipc_page[4096] __attribute__((aligned(4096)));

/* The partner: echo every value (and page) back to its sender, or yield forever. */
static int partner(const char *what)
{
    const volatile struct Env *self = &((const volatile struct Env *)USER_ENVS)[ENVX(getpid())];
    if (strcmp(what, "yield") == 0)
        for (;;)
            yield();
    for (;;) {
        if (syscall(SYS_IPC_RECV, IPC_PAGE) < 0)
            return 1;
        uint64_t va = self->env_ipc_perm ? (uint64_t)IPC_PAGE : 0;
        if (syscall(SYS_IPC_SEND, self->env_ipc_from, self->env_ipc_value, va, self->env_ipc_perm) < 0)
            return 1;
    }
}

static uint64_t measure_with_partner(const char *what, bool page)
{
    char *argv[] = { "sysbench", "partner", (char *)what, NULL };
    int pid = spawn("/bin/sysbench", argv);
    if (pid < 0)
        return 0;
    uint64_t perm = page ? 0x7 : 0, va = page ? (uint64_t)ipc_page : 0, t0 = 0;
    bool ok = true;
    ipc_page[0] = 1;
    for (int i = -10; i < IPC_CALLS && ok; i++) {   /* ten warm-up rounds */
        if (i == 0)
            t0 = rdtsc();
        if (strcmp(what, "yield") == 0)
            ok = yield() == 0;
        else
            ok = syscall(SYS_IPC_SEND, pid, i, va, perm) == 0 &&
                 syscall(SYS_IPC_RECV, page ? (uint64_t)ipc_page : 0) == 0;
    }
    uint64_t per = (rdtsc() - t0) / IPC_CALLS;
    int status;
    kill(pid);
    wait(pid, &status);
    return ok ? per : 0;
}

int main(int argc, char **argv)
{
    long n = 100000;
    if (argc == 3 && strcmp(argv[1], "partner") == 0)
        return partner(argv[2]);
    if (argc > 1 && (parse_long(argv[1], &n) < 0 || n <= 0)) {
        printf("usage: sysbench [N]\n");
        return 2;
    }
    long pid = syscall(SYS_GETPID);
    long pid80 = syscall_int80(SYS_GETPID);
    if (pid != getpid() || pid80 != pid) {
        printf("sysbench: getpid disagrees: syscall %ld, int80 %ld, wrapper %d\n",
               pid, pid80, getpid());
        return 1;
    }
    printf("sysbench: syscall: %llu cycles/call (%ld calls)\n",
           (unsigned long long)measure(syscall, n), n);
    printf("sysbench: int80: %llu cycles/call (%ld calls)\n",
           (unsigned long long)measure(syscall_int80, n), n);
    uint64_t spawn_cost = measure_spawn(), anon = measure_anon_faults(), file = measure_file_faults();
    if (!spawn_cost || !anon || !file) {
        printf("sysbench: a measurement failed (spawn %llu, anon %llu, file %llu)\n",
               (unsigned long long)spawn_cost, (unsigned long long)anon, (unsigned long long)file);
        return 1;
    }
    printf("sysbench: spawn_wait: %llu cycles/call (%d calls)\n", (unsigned long long)spawn_cost, SPAWN_CALLS);
    printf("sysbench: anon_fault: %llu cycles/call (%d calls)\n", (unsigned long long)anon, FAULT_PAGES);
    printf("sysbench: file_fault: %llu cycles/call (%d calls)\n", (unsigned long long)file, FAULT_PAGES);
    uint64_t ipc = measure_with_partner("ipc", false), ipcp = measure_with_partner("ipc", true);
    uint64_t yl = measure_with_partner("yield", false);
    if (!ipc || !ipcp || !yl) {
        printf("sysbench: an IPC measurement failed (%llu, %llu, %llu)\n",
               (unsigned long long)ipc, (unsigned long long)ipcp, (unsigned long long)yl);
        return 1;
    }
    printf("sysbench: ipc_roundtrip: %llu cycles/call (%d calls)\n", (unsigned long long)ipc, IPC_CALLS);
    printf("sysbench: ipc_page_roundtrip: %llu cycles/call (%d calls)\n", (unsigned long long)ipcp, IPC_CALLS);
    printf("sysbench: yield_roundtrip: %llu cycles/call (%d calls)\n", (unsigned long long)yl, IPC_CALLS);
    return 0;
}
