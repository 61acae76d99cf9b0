/*
 * strace [-f] PROG [ARGS...]: run PROG and print every system call it
 * makes, one per line, on standard error:
 *
 *     write(1, "Hello, world!\n", 14)         = 14
 *     open("/tmp/x", O_RDWR|O_CREAT|O_EXCL, 0600) = -1 EEXIST (Already exists or overlaps)
 *
 * Names and argument types come from the one table of uapi/syscall.h, the
 * same the kernel dispatches with. Strings and buffers are escaped and cut
 * at 32 bytes ("..."), flags decoded, pointers in hex. -f follows the
 * processes PROG starts, each line of theirs with a "[pid N] " prefix.
 * Signals and upcalls show as "--- SIGSEGV {...} ---", the end as
 * "+++ exited with N +++" or "+++ killed by SIGN +++".
 *
 * How: a pipe; the child asks the kernel to trace it into the pipe's write
 * end (SYS_TRACE, uapi/trace.h) and execs PROG; strace reads the events
 * from the read end until every traced process has gone.
 */
#include <ulib.h>
#include <uapi/trace.h>
#include <trace_format.h>

static void show(const struct trace_event *ev, int first_pid, bool follow)
{
    char line[512];
    size_t n = 0;
    /* The event on its own first: the result's column counts from its
     * start, as strace's does after a [pid N] prefix. */
    if (follow && ev->pid != first_pid)
        n = (size_t)snprintf(line, sizeof(line), "[pid %d] ", ev->pid);
    n += trace_event_format(ev, line + n, sizeof(line) - n - 1);
    line[n++] = '\n';
    write_all(2, line, n);
}

/* Read exactly n bytes (an event may arrive in pieces): true, or false at
 * the end of the pipe. */
static bool read_full(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long r = read(fd, (char *)buf + done, n - done);
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    return true;
}

int main(int argc, char **argv)
{
    bool follow = false;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) {
        follow = true;
        i++;
    }
    if (i >= argc) {
        dprintf(2, "usage: strace [-f] PROG [ARGS...]\n");
        return 2;
    }
    char path[SYSCALL_PATH_MAX];
    if ((strchr(argv[i], '/') ? strlcpy(path, argv[i], sizeof(path))
                              : (size_t)snprintf(path, sizeof(path), "/bin/%s", argv[i])) >= sizeof(path)) {
        dprintf(2, "strace: %s: %s\n", argv[i], errstr(-ENAMETOOLONG));
        return 2;
    }
    int fds[2];
    int r = pipe(fds);
    if (r < 0) {
        dprintf(2, "strace: pipe: %s\n", errstr(r));
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        r = trace(fds[1], TRACE_FROM_EXEC | (follow ? TRACE_FOLLOW : 0));
        close(fds[1]);
        if (r < 0) {
            dprintf(2, "strace: trace: %s\n", errstr(r));
            exit(1);
        }
        r = exec(path, argv + i);
        dprintf(2, "strace: exec %s: %s\n", path, errstr(r));
        exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        dprintf(2, "strace: fork: %s\n", errstr(pid));
        return 1;
    }
    static struct trace_event ev;
    while (read_full(fds[0], &ev, sizeof(ev)))
        show(&ev, pid, follow);
    close(fds[0]);
    int status;
    if (wait(pid, &status) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
