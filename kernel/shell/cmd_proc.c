/* Shell commands about processes: urun and ps. */
#include <shell.h>
#include <proc.h>
#include <thread.h>
#include <aspace.h>
#include <log.h>
#include <string.h>
#include <errstr.h>
#include <uapi/syscall.h>
#include <uapi/errno.h>

static int cmd_urun(int argc, char **argv)
{
    char *default_argv[] = { "/init", NULL };
    const char *path = argc > 1 ? argv[1] : "/init";
    char **pargv = argc > 1 ? argv + 1 : default_argv;
    int pargc = argc > 1 ? argc - 1 : 1;

    int pid = process_spawn(path, pargc, pargv, NULL);
    if (pid < 0) {
        kprintf("urun: %s: %s\n", path, errstr(pid));
        return pid;
    }
    int status;
    int r = process_wait(NULL, pid, &status);
    if (r < 0) {
        kprintf("urun: wait for pid %d: %s\n", pid, errstr(r));
        return r;
    }
    if (WIFSIGNALED(status))
        kprintf("urun: %s (pid %d) was killed by signal %d\n", path, pid, WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        kprintf("urun: %s (pid %d) exited with status %d\n", path, pid, WEXITSTATUS(status));
    return 0;
}
SHELL_COMMAND(urun, "urun", "urun [path [args...]]", "run a user program (default /init: the user shell)", cmd_urun);

static void proc_print(struct process *p, void *arg)
{
    kprintf("%5d %5d  %-8s %-16s %-10s %s\n", p->pid, p->parent ? p->parent->pid : 0,
            p->state == PROC_ZOMBIE ? "zombie" : "running", p->name,
            p->as ? p->as->name : "-", p->main ? thread_state_name(p->main->state) : "-");
}

static int cmd_ps(int argc, char **argv)
{
    kprintf("  PID  PPID  STATE    NAME             ASPACE     THREAD\n");
    process_for_each(proc_print, NULL);
    return 0;
}
SHELL_COMMAND(ps, "ps", "ps", "list user processes", cmd_ps);
