/*
 * sysbench [N]: cost of a null system call (getpid), N calls (default
 * 100000) through `syscall` and through `int $0x80`, in TSC cycles:
 *     sysbench: syscall: C cycles/call (N calls)
 *     sysbench: int80: C cycles/call (N calls)
 * (rdtsc must be allowed in user mode: CR4.TSD clear.)
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
    return 0;
}
