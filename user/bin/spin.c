/*
 * spin [N]: yield N times (default 1000), for scheduling tests.
 * spin -b [M]: busy-loop M million iterations without yielding (default
 * 100), to check preemption.
 * Prints "spin PID: start" and "spin PID: done (N yields)" /
 * "spin PID: done (M million iterations)".
 */
#include <ulib.h>

int main(int argc, char **argv)
{
    int pid = getpid();
    bool busy = argc > 1 && strcmp(argv[1], "-b") == 0;
    const char *arg = argc > (busy ? 2 : 1) ? argv[busy ? 2 : 1] : NULL;
    long n = busy ? 100 : 1000;

    if (arg && (parse_long(arg, &n) < 0 || n < 0)) {
        printf("usage: spin [N] | spin -b [MILLIONS]\n");
        return 2;
    }
    printf("spin %d: start\n", pid);
    if (busy) {
        for (long i = 0; i < n * 1000000; i++)
            __asm__ volatile("" ::: "memory");
        printf("spin %d: done (%ld million iterations)\n", pid, n);
    } else {
        for (long i = 0; i < n; i++) {
            int r = yield();
            if (r < 0) {
                printf("spin %d: yield failed: %s\n", pid, errstr(r));
                return 1;
            }
        }
        printf("spin %d: done (%ld yields)\n", pid, n);
    }
    return 0;
}
