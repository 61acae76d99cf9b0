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
    printf("debugme: after int3\n");       /* a call: this function has a frame */
}

__attribute__((noinline)) void debugme_outer(void)
{
    debugme_inner();
    __asm__ volatile("" ::: "memory");      /* no tail call: keep this frame */
}

int main(int argc, char **argv)
{
    bool nobreak = argc > 1 && strcmp(argv[1], "nobreak") == 0;
    if (argc > 1 && strcmp(argv[1], "handler") == 0 && signal(handler) < 0) {
        printf("debugme: signal failed\n");
        return 1;
    }
    if (argc > 1 && !nobreak && strcmp(argv[1], "handler") != 0) {
        printf("usage: debugme [nobreak|handler]\n");
        return 2;
    }
    printf("debugme: start\n");
    if (!nobreak)
        debugme_outer();
    else
        printf("debugme: no int3\n");
    int sum = 0;
    for (int i = 1; i <= 3; i++)
        sum += debugme_tick(i);
    printf("debugme: done, sum %d\n", sum);
    return 0;
}
