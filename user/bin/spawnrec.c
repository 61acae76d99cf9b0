/*
 * spawnrec [DEPTH]: spawn itself recursively DEPTH levels deep (default 8),
 * each level waiting for the next. Prints "spawnrec: depth D (pid P)" on
 * the way down, "spawnrec: reached the bottom" at depth 0 and, at the top,
 * "spawnrec: ok (depth DEPTH)". A failed spawn prints "spawnrec: spawn at
 * depth D failed: ERROR" and the error travels up as exit status 3 (killed
 * child: 4). A huge DEPTH therefore probes process limits.
 *
 * spawnrec -w [N]: N children at once (default 10, /bin/exitcode with
 * status i), then N wait(-1) calls; checks every pid and status. Prints
 * "spawnrec: wide ok (N children)".
 */
#include <ulib.h>

#define WIDE_MAX 64

static int wide(long n)
{
    int pids[WIDE_MAX];
    bool seen[WIDE_MAX] = { false };
    char codes[WIDE_MAX][8];

    if (n < 1 || n > WIDE_MAX) {
        printf("spawnrec: -w N: 1 <= N <= %d\n", WIDE_MAX);
        return 2;
    }
    for (int i = 0; i < n; i++) {
        snprintf(codes[i], sizeof(codes[i]), "%d", i);
        char *argv[] = { "exitcode", codes[i], NULL };
        pids[i] = spawn("/bin/exitcode", argv);
        if (pids[i] < 0) {
            printf("spawnrec: spawn %d failed: %s\n", i, errstr(pids[i]));
            return 3;
        }
    }
    for (int k = 0; k < n; k++) {
        int status;
        int pid = wait(-1, &status);
        if (pid < 0) {
            printf("spawnrec: wait(-1) #%d failed: %s\n", k, errstr(pid));
            return 1;
        }
        int i;
        for (i = 0; i < n && pids[i] != pid; i++)
            ;
        if (i == n || seen[i]) {
            printf("spawnrec: wait(-1) returned unexpected pid %d\n", pid);
            return 1;
        }
        seen[i] = true;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != i) {
            printf("spawnrec: child %d (pid %d): status %#x, expected exit %d\n",
                   i, pid, status, i);
            return 1;
        }
    }
    int status;
    int r = wait(-1, &status);
    if (r != -ECHILD) {
        printf("spawnrec: wait(-1) with no children left = %d, expected %d\n", r, -ECHILD);
        return 1;
    }
    printf("spawnrec: wide ok (%ld children)\n", n);
    return 0;
}

int main(int argc, char **argv)
{
    long depth = 8;

    if (argc > 1 && strcmp(argv[1], "-w") == 0) {
        long n = 10;
        if (argc > 2 && parse_long(argv[2], &n) < 0)
            n = -1;
        return wide(n);
    }
    if (argc > 1 && (parse_long(argv[1], &depth) < 0 || depth < 0)) {
        printf("usage: spawnrec [DEPTH] | spawnrec -w [N]\n");
        return 2;
    }
    bool top = argc < 3;            /* children get a second argument */
    printf("spawnrec: depth %ld (pid %d)\n", depth, getpid());
    if (depth == 0) {
        printf("spawnrec: reached the bottom\n");
        return 0;
    }
    char next[24];
    snprintf(next, sizeof(next), "%ld", depth - 1);
    char *child_argv[] = { "spawnrec", next, "child", NULL };
    int pid = spawn("/bin/spawnrec", child_argv);
    if (pid < 0) {
        printf("spawnrec: spawn at depth %ld failed: %s\n", depth, errstr(pid));
        return 3;
    }
    int status;
    int r = wait(pid, &status);
    if (r < 0) {
        printf("spawnrec: wait at depth %ld failed: %s\n", depth, errstr(r));
        return 3;
    }
    int code = WIFSIGNALED(status) ? 4 : WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        printf("spawnrec: child at depth %ld killed by signal %d\n", depth - 1,
               WTERMSIG(status));
    if (top && code == 0)
        printf("spawnrec: ok (depth %ld)\n", depth);
    return code;
}
