/*
 * The portable core of the system benchmarks: the same loops measure
 * Strata (user/bin/sysbench.c) and Linux (tools/bench-linux/linuxbench.c),
 * so that `make bench-linux` compares like with like. Each OS supplies a
 * thin layer of static functions, declared here and defined by the file
 * that includes this header (anywhere in it: they are static, so the
 * compiler still inlines the small ones into the loops):
 *
 *   long os_null_syscall(void)           the cheapest system call (getpid)
 *   long os_int80_syscall(void)          the same through int $0x80, or
 *                                        BENCH_UNSUPPORTED
 *   int  os_spawn_wait(void)             start a program that exits at once
 *                                        and wait for it (0, or < 0)
 *   int  os_fork_wait(void)              fork, the child exits, wait (0 or < 0;
 *                                        BENCH_UNSUPPORTED)
 *   int  os_fork_exec_wait(void)         fork, the child execs a program that
 *                                        exits at once, wait (0 or < 0)
 *   void *os_map(size_t len)             anonymous read/write memory, or NULL
 *   int  os_unmap(void *p, size_t len)   0, or < 0
 *   long os_partner_start(enum bench_partner what)   a second process running
 *                                        what (see below): its handle, or < 0
 *   void os_partner_stop(long h)         end it and wait for it
 *   int  os_yield(void)                  give up the CPU (0, or < 0)
 *   int  os_ipc_roundtrip(long h, int page)  a value (and a page) to the
 *                                        partner and back; BENCH_UNSUPPORTED
 *   int  os_pipe_roundtrip(long h)       one byte to the partner and back
 *                                        through pipes; BENCH_UNSUPPORTED
 *
 * and the OS's printf. The partner's side (what a partner process runs)
 * is each OS's own business. Every figure is one line in the format
 * tests/bench.py and tools/bench-linux read:
 *     sysbench: <name>: <ticks> cycles/call (<n> calls)
 *     sysbench: <name>: unsupported (<why>)
 * Ticks are TSC ticks: instructions under QEMU's -icount shift=0, cycles
 * otherwise. A loop's figure includes the loop itself (a few instructions).
 */
#ifndef STRATA_BENCHCORE_H
#define STRATA_BENCHCORE_H

#define BENCH_UNSUPPORTED   (-1000)     /* an OS layer's "cannot do this" */
#define BENCH_PAGE          4096

enum bench_partner {
    BENCH_PARTNER_YIELD,        /* yields forever */
    BENCH_PARTNER_IPC,          /* echoes every IPC message (and page) */
    BENCH_PARTNER_PIPE,         /* echoes every byte from one pipe to the other */
};

static inline long os_null_syscall(void);
static inline long os_int80_syscall(void);
static int os_spawn_wait(void);
static int os_fork_wait(void);
static int os_fork_exec_wait(void);
static void *os_map(size_t len);
static int os_unmap(void *p, size_t len);
static long os_partner_start(enum bench_partner what);
static void os_partner_stop(long h);
static inline int os_yield(void);
static int os_ipc_roundtrip(long h, int page);
static int os_pipe_roundtrip(long h);

/* rdtsc, fenced on both sides so the timed code stays between the reads. */
static inline uint64_t bench_tsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("lfence; rdtsc; lfence" : "=a"(lo), "=d"(hi) :: "memory");
    return ((uint64_t)hi << 32) | lo;
}

static void bench_report(const char *name, uint64_t total, long calls)
{
    printf("sysbench: %s: %llu cycles/call (%ld calls)\n", name,
           (unsigned long long)(total / (uint64_t)calls), calls);
}

static void bench_unsupported(const char *name, const char *why)
{
    printf("sysbench: %s: unsupported (%s)\n", name, why);
}

/* ---- the loops ---- */

static int bench_null_syscall(long n)
{
    for (int i = 0; i < 100; i++)           /* warm up */
        os_null_syscall();
    uint64_t t0 = bench_tsc();
    for (long i = 0; i < n; i++)
        os_null_syscall();
    bench_report("syscall", bench_tsc() - t0, n);
    return 0;
}

static int bench_int80(long n)
{
    if (os_int80_syscall() == BENCH_UNSUPPORTED) {
        bench_unsupported("int80", "no int $0x80 gate");
        return 0;
    }
    uint64_t t0 = bench_tsc();
    for (long i = 0; i < n; i++)
        os_int80_syscall();
    bench_report("int80", bench_tsc() - t0, n);
    return 0;
}

#define BENCH_SPAWNS 20

static int bench_spawn_wait(void)
{
    uint64_t t0 = bench_tsc();
    for (int i = 0; i < BENCH_SPAWNS; i++)
        if (os_spawn_wait() < 0)
            return -1;
    bench_report("spawn_wait", bench_tsc() - t0, BENCH_SPAWNS);
    return 0;
}

/* Time BENCH_SPAWNS calls of op after one warm-up call, which also asks
 * whether this personality has op at all (BENCH_UNSUPPORTED: say why). */
static int bench_process_op(const char *name, int (*op)(void), const char *missing)
{
    int r = op();
    if (r == BENCH_UNSUPPORTED) {
        bench_unsupported(name, missing);
        return 0;
    }
    if (r < 0)
        return -1;
    uint64_t t0 = bench_tsc();
    for (int i = 0; i < BENCH_SPAWNS; i++)
        if (op() < 0)
            return -1;
    bench_report(name, bench_tsc() - t0, BENCH_SPAWNS);
    return 0;
}

static int bench_fork_wait(void)
{
    return bench_process_op("fork_exit_wait", os_fork_wait,
                            "no fork in this personality: see /jos/forkbench");
}

/* The Unix way to start a program (the shell's): fork, exec, wait. */
static int bench_fork_exec_wait(void)
{
    return bench_process_op("fork_exec_wait", os_fork_exec_wait, "no fork and exec");
}

#define BENCH_FAULT_PAGES 64

/* First write to each page of fresh anonymous memory. */
static int bench_anon_fault(void)
{
    size_t len = BENCH_FAULT_PAGES * BENCH_PAGE;
    volatile char *c = os_map(len);
    if (!c)
        return -1;
    uint64_t t0 = bench_tsc();
    for (size_t off = 0; off < len; off += BENCH_PAGE)
        c[off] = 1;
    uint64_t t = bench_tsc() - t0;
    os_unmap((void *)c, len);
    bench_report("anon_fault", t, BENCH_FAULT_PAGES);
    return 0;
}

/* Initialised, so it lives in the program file (read-only data), never
 * touched before the measurement: each page's first read is a fault on
 * a file mapping. */
static const char bench_file_pages[BENCH_FAULT_PAGES * BENCH_PAGE]
    __attribute__((aligned(BENCH_PAGE))) = { 1 };

static int bench_file_fault(void)
{
    volatile const char *c = bench_file_pages;
    unsigned sum = 0;
    uint64_t t0 = bench_tsc();
    for (long off = 0; off < BENCH_FAULT_PAGES * BENCH_PAGE; off += BENCH_PAGE)
        sum += (unsigned char)c[off];
    uint64_t t = bench_tsc() - t0;
    if (sum != 1)                           /* only the first byte is 1 */
        return -1;
    bench_report("file_fault", t, BENCH_FAULT_PAGES);
    return 0;
}

#define BENCH_MAP_CALLS 1000

/* Map one page, never touch it, unmap it. */
static int bench_map_unmap(void)
{
    uint64_t t0 = bench_tsc();
    for (int i = 0; i < BENCH_MAP_CALLS; i++) {
        void *p = os_map(BENCH_PAGE);
        if (!p || os_unmap(p, BENCH_PAGE) < 0)
            return -1;
    }
    bench_report("mmap_munmap", bench_tsc() - t0, BENCH_MAP_CALLS);
    return 0;
}

#define BENCH_ROUNDS 2000

/* A round trip with a partner process, measured over BENCH_ROUNDS after
 * ten warm-up rounds. kind: 0 yield, 1 IPC value, 2 IPC page, 3 pipe. */
static int bench_with_partner(const char *name, enum bench_partner what, int kind)
{
    long h = os_partner_start(what);
    if (h == BENCH_UNSUPPORTED) {
        bench_unsupported(name, what == BENCH_PARTNER_PIPE ? "no pipes" : "no JOS IPC");
        return 0;
    }
    if (h < 0)
        return -1;
    uint64_t t0 = 0;
    int r = 0;
    for (int i = -10; i < BENCH_ROUNDS && r >= 0; i++) {
        if (i == 0)
            t0 = bench_tsc();
        switch (kind) {
        case 0: r = os_yield(); break;
        case 1: r = os_ipc_roundtrip(h, 0); break;
        case 2: r = os_ipc_roundtrip(h, 1); break;
        default: r = os_pipe_roundtrip(h); break;
        }
    }
    uint64_t t = bench_tsc() - t0;
    os_partner_stop(h);
    if (r < 0)
        return -1;
    bench_report(name, t, BENCH_ROUNDS);
    return 0;
}

/* Every figure, in a fixed order; n is the count for the system-call
 * loops. Returns 0, or -1 after printing which measurement failed. */
static int bench_run_all(long n)
{
    static const char *const what[] = {
        "syscall", "int80", "spawn_wait", "fork_exit_wait", "fork_exec_wait", "anon_fault", "file_fault",
        "mmap_munmap", "ipc_roundtrip", "ipc_page_roundtrip", "pipe_roundtrip",
        "yield_roundtrip",
    };
    int step = 0;
    if (bench_null_syscall(n) < 0) goto fail;
    step++; if (bench_int80(n) < 0) goto fail;
    step++; if (bench_spawn_wait() < 0) goto fail;
    step++; if (bench_fork_wait() < 0) goto fail;
    step++; if (bench_fork_exec_wait() < 0) goto fail;
    step++; if (bench_anon_fault() < 0) goto fail;
    step++; if (bench_file_fault() < 0) goto fail;
    step++; if (bench_map_unmap() < 0) goto fail;
    step++; if (bench_with_partner("ipc_roundtrip", BENCH_PARTNER_IPC, 1) < 0) goto fail;
    step++; if (bench_with_partner("ipc_page_roundtrip", BENCH_PARTNER_IPC, 2) < 0) goto fail;
    step++; if (bench_with_partner("pipe_roundtrip", BENCH_PARTNER_PIPE, 3) < 0) goto fail;
    step++; if (bench_with_partner("yield_roundtrip", BENCH_PARTNER_YIELD, 0) < 0) goto fail;
    return 0;
fail:
    printf("sysbench: a measurement failed: %s\n", what[step]);
    return -1;
}

#endif
