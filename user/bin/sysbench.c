/*
 * sysbench [N]: user-mode costs in TSC cycles, one line each:
 *     sysbench: syscall: C cycles/call (N calls)      null call (getpid), `syscall`
 *     sysbench: int80: C cycles/call (N calls)        the same through `int $0x80`
 *     sysbench: spawn_wait: C cycles/call (K calls)   spawn /bin/exitcode 0 + wait
 *     sysbench: anon_fault: C cycles/call (P calls)   first touch of a map()ped page
 *     sysbench: file_fault: C cycles/call (P calls)   first touch of a page of this
 *                                                     program's read-only data
 * N defaults to 100000. (rdtsc must be allowed in user mode: CR4.TSD clear.)
 */
#include <ulib.h>

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

int main(int argc, char **argv)
{
    long n = 100000;
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
    return 0;
}
