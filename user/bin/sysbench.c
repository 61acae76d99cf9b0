/*
 * sysbench [N]: user-mode costs in TSC ticks (instructions under -icount),
 * one line each (format and loops: user/bench/benchcore.h, which Linux's
 * side of `make bench-linux` shares):
 *     syscall              null call (getpid) through `syscall`, N times
 *     int80                the same through `int $0x80`
 *     spawn_wait           spawn /bin/exitcode 0 + wait
 *     fork_exit_wait       fork (the user library's, copy-on-write in the
 *                          kernel) + the child exits + wait
 *     fork_exec_wait       fork + the child execs /bin/exitcode 0 + wait (the shell's way)
 *     anon_fault           first touch of a map()ped page
 *     file_fault           first touch of a page of this program's read-only data
 *     mmap_munmap          map() then unmap() of one untouched page
 *     ipc_roundtrip        a value to a partner environment and back
 *                          (ipc_send + ipc_recv on each side)
 *     ipc_page_roundtrip   the same with a page each way
 *     pipe_roundtrip       one byte to a forked partner and back through two pipes
 *     yield_roundtrip      yield between two environments
 * N defaults to 100000. The IPC and yield partner is a copy of this program
 * ("sysbench partner ipc|yield"), the pipe partner a fork; each is started
 * for its measurement and destroyed after.
 * (rdtsc must be allowed in user mode: CR4.TSD clear.)
 *
 * This file is Strata's thin layer: the os_* functions benchcore.h needs.
 */
#include <ulib.h>
#include <sysc.h>
#include <uapi/env.h>
#include "../bench/benchcore.h"

static inline long os_null_syscall(void)
{
    return sc0(SYS_GETPID);
}

static inline long os_int80_syscall(void)
{
    long r;
    __asm__ volatile("int $0x80" : "=a"(r) : "a"((long)SYS_GETPID) : "memory");
    return r;
}

static int os_spawn_wait(void)
{
    char *argv[] = { "exitcode", "0", NULL };
    int status;
    long pid = spawn("/bin/exitcode", argv);
    return pid >= 0 && wait((int)pid, &status) == pid && status == 0 ? 0 : -1;
}

static int os_fork_wait(void)
{
    int status;
    int pid = fork();
    if (pid == 0)
        exit(0);
    return pid > 0 && wait(pid, &status) == pid && status == 0 ? 0 : -1;
}

static int os_fork_exec_wait(void)
{
    int status;
    int pid = fork();
    if (pid == 0) {
        char *argv[] = { "exitcode", "0", NULL };
        exec("/bin/exitcode", argv);
        exit(127);
    }
    return pid > 0 && wait(pid, &status) == pid && status == 0 ? 0 : -1;
}

static void *os_map(size_t len)
{
    void *p = map(NULL, len, PROT_READ | PROT_WRITE);
    return IS_ERR(p) ? NULL : p;
}

static int os_unmap(void *p, size_t len)
{
    return unmap(p, len);
}

static const char *const partner_names[] = {
    [BENCH_PARTNER_YIELD] = "yield", [BENCH_PARTNER_IPC] = "ipc", [BENCH_PARTNER_PIPE] = "pipe",
};

static int to_partner[2], from_partner[2];

/* The pipe partner: a fork that echoes every byte back. */
static long pipe_partner_start(void)
{
    if (pipe(to_partner) < 0)
        return -1;
    if (pipe(from_partner) < 0) {
        close(to_partner[0]);
        close(to_partner[1]);
        return -1;
    }
    int pid = fork();
    if (pid == 0) {
        char c;
        close(to_partner[1]);
        close(from_partner[0]);
        while (read(to_partner[0], &c, 1) == 1 && write(from_partner[1], &c, 1) == 1)
            ;
        exit(0);
    }
    close(to_partner[0]);
    close(from_partner[1]);
    if (pid < 0) {
        close(to_partner[1]);
        close(from_partner[0]);
    }
    return pid;
}

static long os_partner_start(enum bench_partner what)
{
    if (what == BENCH_PARTNER_PIPE)
        return pipe_partner_start();
    char *argv[] = { "sysbench", "partner", (char *)partner_names[what], NULL };
    return spawn("/bin/sysbench", argv);
}

static void os_partner_stop(long pid)
{
    int status;
    kill((int)pid);
    wait((int)pid, &status);
    if (to_partner[1] > 0) {        /* the pipe partner's ends */
        close(to_partner[1]);
        close(from_partner[0]);
        to_partner[1] = from_partner[0] = 0;
    }
}

static inline int os_yield(void)
{
    return (int)sc0(SYS_YIELD);
}

#define IPC_PAGE    ((void *)(USER_SCRATCH + 0x10000))  /* a free page for the partner */

static char ipc_page[4096] __attribute__((aligned(4096)));

static int os_ipc_roundtrip(long pid, int page)
{
    uint64_t va = page ? (uint64_t)ipc_page : 0;
    ipc_page[0] = 1;
    if (sc4(SYS_IPC_SEND, pid, 1, (long)va, page ? 0x7 : 0) < 0)
        return -1;
    return sc1(SYS_IPC_RECV, (long)va) < 0 ? -1 : 0;
}

static int os_pipe_roundtrip(long h)
{
    char c = 'x';
    return write(to_partner[1], &c, 1) == 1 && read(from_partner[0], &c, 1) == 1 ? 0 : -1;
}

/* The partner: echo every value (and page) back to its sender, or yield forever. */
static int partner(const char *what)
{
    const volatile struct Env *self = &((const volatile struct Env *)USER_ENVS)[ENVX(getpid())];
    if (strcmp(what, "yield") == 0)
        for (;;)
            os_yield();
    for (;;) {
        if (sc1(SYS_IPC_RECV, (long)IPC_PAGE) < 0)
            return 1;
        uint64_t va = self->env_ipc_perm ? (uint64_t)IPC_PAGE : 0;
        if (sc4(SYS_IPC_SEND, self->env_ipc_from, (long)self->env_ipc_value, (long)va,
                self->env_ipc_perm) < 0)
            return 1;
    }
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
    long pid = os_null_syscall(), pid80 = os_int80_syscall();
    if (pid != getpid() || pid80 != pid) {
        printf("sysbench: getpid disagrees: syscall %ld, int80 %ld, wrapper %d\n",
               pid, pid80, getpid());
        return 1;
    }
    return bench_run_all(n) < 0 ? 1 : 0;
}
