/*
 * consoletest: the console's terminal calls, hostile and ordinary (run it
 * as a foreground job of the user shell, which gave the console to it).
 *
 * console_mode: a descriptor that is not the console (a pipe: -ENOTTY), one
 * that is not open (-EBADF), unknown mode bits (-EINVAL); reading the mode
 * (cooked, as the shell set it), setting raw and back.
 * console_fg: reading it (our own group); a group that does not exist
 * (-ESRCH), a negative or huge one (-EINVAL), our parent's, the shell's
 * (-EPERM), from a child its parent's group (-EPERM); a child's group of
 * its own is ours to give the console to (then we take it back).
 *
 * Prints "consoletest: FAILED: ..." for each wrong answer and
 * "consoletest: ok (N checks)" when every one was right.
 */
#include <ulib.h>

static int checks, failures;

static void expect(const char *what, long got, long want)
{
    checks++;
    if (got != want) {
        failures++;
        printf("consoletest: FAILED: %s: %ld (%s), expected %ld (%s)\n", what, got,
               got < 0 ? errname((int)got) : "ok", want, want < 0 ? errname((int)want) : "ok");
    }
}

static void mode_checks(void)
{
    int fds[2];
    if (pipe(fds) < 0) {
        printf("consoletest: FAILED: pipe\n");
        failures++;
        return;
    }
    expect("console_mode(pipe)", console_mode(fds[0], CONSOLE_RAW), -ENOTTY);
    expect("console_fg(pipe)", console_fg(fds[1], 0), -ENOTTY);
    close(fds[0]);
    close(fds[1]);
    expect("console_mode(closed fd)", console_mode(20, CONSOLE_RAW), -EBADF);
    expect("console_mode(fd -1)", console_mode(-1, CONSOLE_RAW), -EBADF);
    expect("console_mode(unknown bits)", console_mode(FD_STDIN, 0x100), -EINVAL);
    expect("console_mode(-2)", console_mode(FD_STDIN, -2), -EINVAL);
    expect("console_mode(GET)", console_mode(FD_STDIN, CONSOLE_MODE_GET), CONSOLE_COOKED);
    expect("console_mode(RAW)", console_mode(FD_STDIN, CONSOLE_RAW), CONSOLE_COOKED);
    expect("console_mode(GET) after RAW", console_mode(FD_STDERR, CONSOLE_MODE_GET), CONSOLE_RAW);
    expect("console_mode(COOKED)", console_mode(FD_STDOUT, CONSOLE_COOKED), CONSOLE_RAW);
}

static void fg_checks(void)
{
    int me = getpid();
    expect("console_fg(0): ours", console_fg(FD_STDIN, 0), me);
    expect("console_fg(no such group)", console_fg(FD_STDIN, 0x7ffffff0), -ESRCH);
    expect("console_fg(-5)", console_fg(FD_STDIN, -5), -EINVAL);
    expect("console_fg(the shell's group)", console_fg(FD_STDIN, getppid()), -EPERM);
    expect("console_fg(0) unchanged", console_fg(FD_STDIN, 0), me);

    /* A child in a group of its own: ours to give the console to. */
    int fds[2];
    if (pipe(fds) < 0) {
        printf("consoletest: FAILED: pipe\n");
        failures++;
        return;
    }
    int pid = fork();
    if (pid == 0) {
        close(fds[1]);
        setpgid(0, 0);
        int r = console_fg(FD_STDIN, getppid());    /* the parent's group: not ours */
        char c;
        read(fds[0], &c, 1);                        /* until the parent is done */
        exit(r == -EPERM ? 0 : 1);
    }
    close(fds[0]);
    setpgid(pid, pid);
    expect("console_fg(a child's group)", console_fg(FD_STDIN, pid), me);
    expect("console_fg(0): the child's", console_fg(FD_STDIN, 0), pid);
    expect("console_fg(ours again)", console_fg(FD_STDIN, me), pid);
    close(fds[1]);
    int status;
    wait(pid, &status);
    expect("the child's console_fg(parent's group) was -EPERM", WIFEXITED(status) ? WEXITSTATUS(status) : -1, 0);
    expect("console_fg(0) at the end", console_fg(FD_STDIN, 0), me);
}

int main(int argc, char **argv)
{
    mode_checks();
    fg_checks();
    if (failures) {
        printf("consoletest: %d of %d checks FAILED\n", failures, checks);
        return 1;
    }
    printf("consoletest: ok (%d checks)\n", checks);
    return 0;
}
