/*
 * bigargv: spawn() argument limits (uapi/syscall.h): SYSCALL_ARGV_MAX (16)
 * argv entries counting argv[0] (not the NULL), SYSCALL_ARG_MAX (256) bytes
 * per argument with its NUL, SYSCALL_PATH_MAX (256) bytes of path with its
 * NUL. Children are /bin/exitcode, whose exit status proves the arguments
 * arrived. One line per check:
 *     bigargv: NAME: ok (RESULT)
 *     bigargv: NAME: FAILED (RESULT)
 * then "bigargv: ok" or "bigargv: FAILED (N checks)".
 */
#include <ulib.h>

#define BIG (100 * 1024)

static int failed;

/* Spawn /bin/exitcode (or path) with argv; returns the exit status, or a
 * negative spawn/wait error, or 1000 + signal if killed. */
static long run(const char *path, char **argv)
{
    int pid = spawn(path, argv);
    if (pid < 0)
        return pid;
    int status;
    int r = wait(pid, &status);
    if (r < 0)
        return r;
    return WIFSIGNALED(status) ? 1000 + WTERMSIG(status) : WEXITSTATUS(status);
}

static void expect_status(const char *name, long r, long want)
{
    bool ok = r == want;
    printf("bigargv: %s: %s (%ld, expected exit status %ld)\n", name,
           ok ? "ok" : "FAILED", r, want);
    failed += !ok;
}

static void expect_error(const char *name, long r)
{
    bool ok = r < 0;
    if (ok)
        printf("bigargv: %s: ok (%ld, %s)\n", name, r, errstr((int)r));
    else
        printf("bigargv: %s: FAILED (%ld, expected an error)\n", name, r);
    failed += !ok;
}

static char *filled(size_t len, char c)
{
    char *s = malloc(len + 1);
    if (!s) {
        printf("bigargv: malloc(%zu) failed\n", len + 1);
        exit(1);
    }
    memset(s, c, len);
    s[len] = '\0';
    return s;
}

int main(int argc, char **argv)
{
    char *av[1100];
    const char *ec = "/bin/exitcode";

    char *big = filled(BIG, 'A');
    av[0] = "exitcode"; av[1] = "7"; av[2] = big; av[3] = NULL;
    expect_error("one 100 KiB argument", run(ec, av));

    av[2] = filled(SYSCALL_ARG_MAX - 1, 'b');
    expect_status("argument of 255 bytes", run(ec, av), 7);

    av[2] = filled(SYSCALL_ARG_MAX, 'c');
    expect_error("argument of 256 bytes", run(ec, av));

    av[1] = "16";
    for (int i = 2; i < SYSCALL_ARGV_MAX; i++)
        av[i] = "x";
    av[SYSCALL_ARGV_MAX] = NULL;
    expect_status("16 argv entries", run(ec, av), 16);

    av[1] = "9";
    char *full = filled(SYSCALL_ARG_MAX - 1, 'd');
    for (int i = 2; i < SYSCALL_ARGV_MAX; i++)
        av[i] = full;
    expect_status("16 entries of 255 bytes", run(ec, av), 9);

    av[SYSCALL_ARGV_MAX] = "x";
    av[SYSCALL_ARGV_MAX + 1] = NULL;
    expect_error("17 argv entries", run(ec, av));

    for (int i = 2; i < 1099; i++)
        av[i] = big;
    av[1099] = NULL;
    expect_error("1099 entries of 100 KiB", run(ec, av));

    av[1] = "3"; av[2] = ""; av[3] = ""; av[4] = NULL;
    expect_status("empty arguments", run(ec, av), 3);

    av[1] = "0"; av[2] = NULL;
    char *path = filled(SYSCALL_PATH_MAX + 10, 'p');
    path[0] = '/';
    expect_error("path of 266 bytes", run(path, av));
    expect_error("path of 100 KiB", run(big, av));
    expect_error("empty path", run("", av));

    long r = run(ec, NULL);
    printf("bigargv: argv NULL: %ld (either is fine)\n", r);

    if (failed) {
        printf("bigargv: FAILED (%d checks)\n", failed);
        return 1;
    }
    printf("bigargv: ok\n");
    return 0;
}
