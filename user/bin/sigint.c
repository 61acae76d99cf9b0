/*
 * sigint: Ctrl-C caught by a handler, in the three places a program can be
 * when it comes: computing (a loop with no system call: the signal comes
 * on the timer interrupt's way back to user mode), sleeping, and reading
 * the console (both waits end with -EINTR once the handler has run).
 *
 *   sigint             the three, one Ctrl-C each; before each it prints
 *                      "sigint: waiting (busy loop|sleep|read)", after it
 *                      "sigint: caught signal 2 (SIGINT)" and how the wait
 *                      ended; at the end "sigint: ok (3 caught)"
 *   sigint -n N        only count: N Ctrl-Cs in a busy loop (a flood
 *                      coalesces: a signal is due or not), then "sigint: ok"
 *
 * The handler checks its arguments (signo 2, fault address 0, the context
 * saying SIGINT); a wrong one prints "sigint: FAILED ..." and exits 1.
 */
#include <ulib.h>

static volatile int caught;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (sig != SIGINT || fault_addr != 0 || ctx->signo != SIGINT) {
        printf("sigint: FAILED: handler got signal %d, address %#lx, ctx->signo %lu\n",
               sig, (unsigned long)fault_addr, ctx->signo);
        exit(1);
    }
    caught++;
    printf("sigint: caught signal %d (%s)\n", sig, signame(sig));
}

/* Spin without system calls until the count of catches moves. */
static void busy_until_caught(int before)
{
    while (caught == before)
        __asm__ volatile("" ::: "memory");
}

static int phases(void)
{
    printf("sigint: waiting (busy loop)\n");
    busy_until_caught(0);
    printf("sigint: busy loop interrupted\n");

    printf("sigint: waiting (sleep)\n");
    int r = sleep_ms(100000);
    printf("sigint: sleep returned %s\n", r == -EINTR ? "-EINTR" : errstr(r));
    if (r != -EINTR || caught != 2)
        return 1;

    printf("sigint: waiting (read)\n");
    char c;
    long n = read(FD_STDIN, &c, 1);
    printf("sigint: read returned %s\n", n == -EINTR ? "-EINTR" : "something else");
    if (n != -EINTR || caught != 3)
        return 1;
    printf("sigint: ok (%d caught)\n", caught);
    return 0;
}

int main(int argc, char **argv)
{
    long want = 0;
    if (argc == 3 && strcmp(argv[1], "-n") == 0) {
        if (parse_long(argv[2], &want) < 0 || want < 1) {
            dprintf(2, "usage: sigint [-n N]\n");
            return 2;
        }
    } else if (argc != 1) {
        dprintf(2, "usage: sigint [-n N]\n");
        return 2;
    }
    int err = signal(handler);
    if (err < 0) {
        printf("sigint: FAILED: signal: %s\n", errstr(err));
        return 1;
    }
    if (!want)
        return phases();
    printf("sigint: waiting for %ld\n", want);
    while (caught < want)
        busy_until_caught(caught);
    printf("sigint: ok (%d caught)\n", caught);
    return 0;
}
