/* Shell commands about processes: urun, ps and envlog. */
#include <shell.h>
#include <proc.h>
#include <env.h>
#include <thread.h>
#include <aspace.h>
#include <log.h>
#include <string.h>
#include <fmt.h>
#include <errstr.h>
#include <console.h>
#include <uapi/console.h>
#include <uapi/syscall.h>
#include <uapi/errno.h>

/* urun [-d] [path [args...]]: run a program and wait for it; a name
 * without '/' is looked up in /bin (urun hello runs /bin/hello, as argv[0]
 * "hello"). -d: under the monitor (include/monitor.h). */
static int cmd_urun(int argc, char **argv)
{
    char *default_argv[] = { "/init", NULL };
    enum process_spawn_mode mode = PROCESS_SPAWN_PLAIN;
    if (argc > 1 && strcmp(argv[1], "-d") == 0) {
        mode = PROCESS_SPAWN_DEBUG;
        argc--;
        argv++;
    }
    char bin_path[SHELL_LINE_MAX];
    const char *path = argc > 1 ? argv[1] : "/init";
    char **pargv = argc > 1 ? argv + 1 : default_argv;
    int pargc = argc > 1 ? argc - 1 : 1;

    if (!strchr(path, '/')) {
        snprintf(bin_path, sizeof(bin_path), "/bin/%s", path);
        path = bin_path;
    }
    console_mode_set(CONSOLE_COOKED);   /* a terminal reset, as at a login */
    int pid = process_spawn_mode(path, pargc, pargv, NULL, mode);
    if (pid < 0) {
        kprintf("urun: %s: %s\n", path, errstr(pid));
        return pid;
    }
    /* Its job has the console: Ctrl-C interrupts it (a user shell takes
     * the console for its own jobs in turn). */
    int old_fg = console_fg_set(pid);
    int status;
    int r = process_wait(NULL, pid, &status, PROCESS_WAIT_JOB);
    console_fg_set(old_fg);
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
SHELL_COMMAND(urun, "urun", "urun [-d] [path [args...]]",
              "run a user program (default /init: the user shell; a name without / is in /bin); "
              "Ctrl-C interrupts it; -d: its breakpoints stop in the monitor", cmd_urun);

static const char *env_status_name(const struct process *p)
{
    if (p->state != PROC_RUNNING || !p->view)
        return "free";
    switch (p->view->env_status) {
    case ENV_RUNNABLE:     return "runnable";
    case ENV_NOT_RUNNABLE: return "not-runnable";
    default:               return "free";
    }
}

static void proc_print(struct process *p, void *arg)
{
    kprintf("%6d %08x %08x  %-8s %-12s %6u  %-16s %-10s %s\n", p->pid, p->pid,
            p->parent ? p->parent->pid : 0, p->state == PROC_RUNNING ? "running" : p->state == PROC_ZOMBIE ? "zombie" : "reaping",
            env_status_name(p), p->view ? p->view->env_runs : 0, p->name,
            p->as ? p->as->name : "-", p->main ? thread_state_name(p->main->state) : "-");
}

static int cmd_ps(int argc, char **argv)
{
    kprintf("   PID  ENV-ID   PARENT    STATE    ENV-STATUS     RUNS  NAME             ASPACE     THREAD\n");
    process_for_each(proc_print, NULL);
    return 0;
}
SHELL_COMMAND(ps, "ps", "ps", "list user processes", cmd_ps);

static int cmd_envlog(int argc, char **argv)
{
    if (argc == 1) {
        kprintf("envlog: %s\n", env_log_all_enabled() ? "on (every process)" :
                "off (only programs from /jos/ and their children)");
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "on") == 0) {
        env_log_all(true);
        return 0;
    }
    if (argc == 2 && strcmp(argv[1], "off") == 0) {
        env_log_all(false);
        return 0;
    }
    return shell_usage_print(argv[0]);
}
SHELL_COMMAND(envlog, "envlog", "envlog [on|off]",
              "JOS's environment lines ([ID] new env ...) for every process, or only /jos/ ones", cmd_envlog);
