/*
 * Linux's thin layer under the portable benchmark core (benchcore.h), for
 * `make bench-linux` (tools/bench-linux). Built on the host with
 * `gcc -static` and run as /init of an initramfs in Debian's stock kernel,
 * booted with the same QEMU flags as Strata. It prints the same lines as
 * Strata's sysbench, then a TSC calibration line, and powers off.
 *
 * The operations are Linux's nearest equivalents of Strata's: getpid by a
 * raw `syscall` (no libc wrapper), getpid through the 32-bit int $0x80
 * gate (number 20 there), fork + execve of a tiny static program that
 * exits (spawn_wait), fork + _exit + wait, mmap/munmap, sched_yield with a
 * child that yields forever, and a one-byte round trip through two pipes.
 * Linux has no JOS IPC: those rows say so.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <time.h>
#include <sys/mman.h>
#include <sys/reboot.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/mount.h>

#include "benchcore.h"

#define EXITCODE_PATH "/exitcode"       /* user/bench/linux-exitcode.c */

static inline long os_null_syscall(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_getpid) : "rcx", "r11", "memory");
    return r;
}

static inline long os_int80_syscall(void)
{
    long r;
    /* 20: getpid in the i386 table; the gate exists when the kernel has
     * IA32_EMULATION (Debian's has). It clobbers r8-r11 (not saved). */
    __asm__ volatile("int $0x80" : "=a"(r) : "a"(20L) : "r8", "r9", "r10", "r11", "memory");
    return r < 0 ? BENCH_UNSUPPORTED : r;
}

static int os_spawn_wait(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char *argv[] = { EXITCODE_PATH, NULL }, *envp[] = { NULL };
        execve(EXITCODE_PATH, argv, envp);
        _exit(127);
    }
    int status;
    return waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static int os_fork_wait(void)
{
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(0);
    int status;
    return waitpid(pid, &status, 0) == pid ? 0 : -1;
}

/* Linux's spawn_wait is already fork + execve + wait. */
static int os_fork_exec_wait(void)
{
    return os_spawn_wait();
}

static void *os_map(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

static int os_unmap(void *p, size_t len)
{
    return munmap(p, len);
}

static inline int os_yield(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_sched_yield) : "rcx", "r11", "memory");
    return (int)r;
}

/* The pipe partner's ends (this process writes to_child[1], reads from_child[0]). */
static int to_child[2], from_child[2];
/* How often the yield partner ran (shared memory): a yield round trip is
 * only one if the partner runs once per round. CFS does not promise that:
 * a forked child starts a slice behind, and sched_yield keeps picking the
 * parent until its virtual runtime catches up (the partner ran 0 times in
 * 2,010 rounds under icount). So both sides of the yield measurement run
 * SCHED_FIFO at one priority, where sched_yield moves the caller behind
 * its peer: strict alternation, as Strata's round robin. */
static volatile long *partner_runs;

static long os_partner_start(enum bench_partner what)
{
    if (what == BENCH_PARTNER_IPC)
        return BENCH_UNSUPPORTED;
    if (what == BENCH_PARTNER_PIPE && (pipe(to_child) < 0 || pipe(from_child) < 0))
        return -1;
    if (what == BENCH_PARTNER_YIELD) {
        void *p = mmap(NULL, BENCH_PAGE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        struct sched_param fifo = { .sched_priority = 1 };
        if (p == MAP_FAILED || sched_setscheduler(0, SCHED_FIFO, &fifo) < 0)
            return -1;
        partner_runs = p;       /* the child inherits SCHED_FIFO */
    }
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        if (what == BENCH_PARTNER_YIELD)
            for (;;) {
                (*partner_runs)++;
                os_yield();
            }
        char c;
        while (read(to_child[0], &c, 1) == 1 && write(from_child[1], &c, 1) == 1)
            ;
        _exit(0);
    }
    return pid;
}

static void os_partner_stop(long pid)
{
    int status;
    kill((pid_t)pid, SIGKILL);
    waitpid((pid_t)pid, &status, 0);
    if (partner_runs) {
        struct sched_param other = { .sched_priority = 0 };
        sched_setscheduler(0, SCHED_OTHER, &other);
        printf("sysbench-info: the yield partner ran %ld times in %d rounds\n",
               *partner_runs, BENCH_ROUNDS + 10);
        munmap((void *)partner_runs, BENCH_PAGE);
        partner_runs = NULL;
    }
    if (to_child[0]) {
        close(to_child[0]); close(to_child[1]);
        close(from_child[0]); close(from_child[1]);
        to_child[0] = 0;
    }
}

static int os_ipc_roundtrip(long h, int page)
{
    return BENCH_UNSUPPORTED;
}

static int os_pipe_roundtrip(long h)
{
    char c = 'x';
    return write(to_child[1], &c, 1) == 1 && read(from_child[0], &c, 1) == 1 ? 0 : -1;
}

/* TSC ticks per second against CLOCK_MONOTONIC over 200 ms, for the wall
 * times of the run without icount. */
static void tsc_calibrate(void)
{
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t t0 = bench_tsc();
    do
        clock_gettime(CLOCK_MONOTONIC, &b);
    while ((b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec) < 200000000L);
    uint64_t t1 = bench_tsc();
    long ns = (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec);
    printf("sysbench-info: tsc_hz %llu\n", (unsigned long long)((t1 - t0) * 1000000000ull / (uint64_t)ns));
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("sysbench: linux start\n");
    int r = bench_run_all(100000);
    tsc_calibrate();
    printf("sysbench: linux done (%s)\n", r < 0 ? "failed" : "ok");
    if (getpid() == 1) {
        sync();
        reboot(RB_POWER_OFF);
    }
    return r < 0 ? 1 : 0;
}
