/*
 * debugme: a program for the monitor (`urun -d debugme`, docs/monitor.md).
 *
 *   debugme            main -> debugme_outer -> debugme_inner, which runs
 *                      int3 (a stop under -d, SIGTRAP death without), then
 *                      calls debugme_tick(1..3) (a place to `break`) and
 *                      prints their sum
 *   debugme nobreak    the same without the int3 (never stops)
 *   debugme handler    the same with a SIGTRAP handler of its own, which
 *                      catches the int3 (the handler wins over the monitor)
 *   debugme fork       forks a child before the int3 and another after it,
 *                      both calling debugme_tick (10, 20) once the parent
 *                      has run on from the int3: a breakpoint planted
 *                      there in the parent must not reach them (each
 *                      prints "debugme: child N exited with status 0", not
 *                      a SIGTRAP death)
 *
 * debugme_value holds 0x1122334455667788 for `x`. Prints "debugme: start",
 * "debugme: after int3" (or "debugme: no int3"), "debugme: tick N" per call and "debugme: done,
 * sum 12".
 */
#include <ulib.h>

volatile uint64_t debugme_value = 0x1122334455667788ull;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    printf("debugme: handler caught signal %d\n", sig);
}

__attribute__((noinline)) int debugme_tick(int i)
{
    printf("debugme: tick %d\n", i);
    return 2 * i;
}

__attribute__((noinline)) void debugme_inner(void)
{
    __asm__ volatile("int3" ::: "memory");
    printf("debugme: after int3\n");
    __asm__ volatile("" ::: "memory");      /* no tail call: a frame of its own */
}

__attribute__((noinline)) void debugme_outer(void)
{
    debugme_inner();
    __asm__ volatile("" ::: "memory");      /* no tail call: keep this frame */
}

/* A child that calls debugme_tick(n) once it may (a byte from the pipe
 * fds, or at once for NULL) and exits. Returns its pid in the parent. */
static int debugme_child(int n, const int *fds)
{
    int pid = fork();
    if (pid != 0)
        return pid;
    char c;
    if (fds) {
        close(fds[1]);          /* the parent's death must be an end of file */
        if (read(fds[0], &c, 1) != 1)
            exit(3);
    }
    debugme_tick(n);
    exit(0);
}

/* Wait for child number n and say how it ended. */
static void debugme_child_wait(int n, int pid)
{
    int status;
    if (pid < 0 || wait(pid, &status) != pid)
        printf("debugme: child %d: fork or wait failed\n", n);
    else if (WIFEXITED(status))
        printf("debugme: child %d exited with status %d\n", n, WEXITSTATUS(status));
    else
        printf("debugme: child %d was killed by signal %d\n", n, status & 0x7f);
}

/* debugme fork: see the top. */
static int debugme_fork(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        printf("debugme: pipe failed\n");
        return 1;
    }
    int early = debugme_child(10, fds);     /* shares the text before the int3 */
    debugme_outer();                            /* the monitor may plant breakpoints here */
    debugme_child_wait(2, debugme_child(20, NULL));
    if (write(fds[1], "g", 1) != 1)
        printf("debugme: write failed\n");
    debugme_child_wait(1, early);
    return 0;
}

int main(int argc, char **argv)
{
    bool nobreak = argc > 1 && strcmp(argv[1], "nobreak") == 0;
    bool forks = argc > 1 && strcmp(argv[1], "fork") == 0;
    if (argc > 1 && strcmp(argv[1], "handler") == 0 && signal(handler) < 0) {
        printf("debugme: signal failed\n");
        return 1;
    }
    if (argc > 1 && !nobreak && !forks && strcmp(argv[1], "handler") != 0) {
        printf("usage: debugme [nobreak|handler|fork]\n");
        return 2;
    }
    printf("debugme: start\n");
    if (forks && debugme_fork())
        return 1;
    if (nobreak)
        printf("debugme: no int3\n");
    else if (!forks)
        debugme_outer();
    int sum = 0;
    for (int i = 1; i <= 3; i++)
        sum += debugme_tick(i);
    printf("debugme: done, sum %d\n", sum);
    return 0;
}
