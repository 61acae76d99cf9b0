/*
 * Process system calls: exit, spawn, exec, wait, getpid, getppid, yield,
 * sleep. Thin handlers over kernel/proc.
 */
#include <syscall.h>
#include <proc.h>
#include <trace.h>
#include <thread.h>
#include <heap.h>
#include <usercopy.h>
#include <uapi/syscall.h>
#include <uapi/errno.h>


long sys_exit(struct trap_frame *tf, uint64_t status, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    process_exit(WAIT_EXITED((int)status));
}

/* Copy a user argv (NULL-terminated array of strings) into kernel memory:
 * *out is one kmalloc'd block holding the pointers and the strings. */
static int argv_copy_in(uint64_t uargv, char ***out, int *argc_out)
{
    uint64_t ptrs[SYSCALL_ARGV_MAX];
    int argc = 0;
    for (;; argc++) {
        uint64_t p;
        if (copy_from_user(&p, uargv + (uint64_t)argc * 8, 8) < 0)
            return -EFAULT;
        if (!p)
            break;
        if (argc == SYSCALL_ARGV_MAX)
            return -E2BIG;
        ptrs[argc] = p;
    }
    char **argv = kmalloc(sizeof(char *) * (size_t)(argc + 1) + (size_t)argc * SYSCALL_ARG_MAX);
    if (!argv)
        return -ENOMEM;
    char *strings = (char *)(argv + argc + 1);
    for (int i = 0; i < argc; i++) {
        argv[i] = strings + (size_t)i * SYSCALL_ARG_MAX;
        long n = strncpy_from_user(argv[i], ptrs[i], SYSCALL_ARG_MAX);
        if (n < 0) {
            kfree(argv);
            return n == -ENAMETOOLONG ? -E2BIG : (int)n;
        }
    }
    argv[argc] = NULL;
    *out = argv;
    *argc_out = argc;
    return 0;
}

static int exec_args_in(uint64_t upath, uint64_t uargv, char *path, char ***argv, int *argc);

long sys_spawn(struct trap_frame *tf, uint64_t upath, uint64_t uargv, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    char **argv;
    int argc;
    int err = exec_args_in(upath, uargv, path, &argv, &argc);
    if (err)
        return err;
    char *default_argv[2] = { path, NULL };
    long r = process_spawn(path, argc, argv ? argv : default_argv, process_current());
    kfree(argv);
    return r;
}

long sys_wait(struct trap_frame *tf, uint64_t pid, uint64_t ustatus, uint64_t options, uint64_t a3, uint64_t a4)
{
    int status = 0;
    if (options & ~(uint64_t)(WNOHANG | WJOB))
        return -EINVAL;
    uint32_t flags = ((options & WNOHANG) ? PROCESS_WAIT_NOHANG : 0) |
                     ((options & WJOB) ? PROCESS_WAIT_JOB : 0);
    /* Check the status pointer is writable first (by writing it): a bad
     * one must fail the call without costing the child. */
    if (ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
        return -EFAULT;
    int r = process_wait(process_current(), (int)pid, &status, flags);
    if (r <= 0)
        return r;
    if (ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
        return -EFAULT;
    return r;
}

long sys_getpid(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return process_current()->pid;
}

long sys_yield(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    thread_yield();
    return 0;
}


/* Copy path and argv in for spawn and exec: 0 with *argv (kmalloc'd, or
 * NULL when the user passed none or an empty one: argv = {path}). */
static int exec_args_in(uint64_t upath, uint64_t uargv, char *path, char ***argv, int *argc)
{
    long n = strncpy_from_user(path, upath, SYSCALL_PATH_MAX);
    if (n < 0)
        return (int)n;
    *argv = NULL;
    *argc = 1;
    if (uargv) {
        int err = argv_copy_in(uargv, argv, argc);
        if (err)
            return err;
        if (*argc == 0) {       /* {NULL}: argv[0] = path */
            kfree(*argv);
            *argv = NULL;
            *argc = 1;
        }
    }
    return 0;
}

long sys_exec(struct trap_frame *tf, uint64_t upath, uint64_t uargv, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    char **argv;
    int argc;
    int err = exec_args_in(upath, uargv, path, &argv, &argc);
    if (err)
        return err;
    char *default_argv[2] = { path, NULL };
    err = process_exec(process_current(), path, argc, argv ? argv : default_argv, tf);
    kfree(argv);
    return err;
}

long sys_getppid(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *parent = process_current()->parent;
    return parent ? parent->pid : 0;
}

/* sleep(ms): at most an hour; a process being killed wakes at once. */
long sys_sleep(struct trap_frame *tf, uint64_t ms, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    if (ms > 3600 * 1000)
        return -EINVAL;
    return thread_sleep_ms(ms, SCHED_SLEEP_INTERRUPTIBLE);
}

/* trace(fd, flags): trace the caller into the pipe at fd; fd -1 stops. */
long sys_trace(struct trap_frame *tf, uint64_t fd, uint64_t flags, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    if ((int64_t)fd == -1)
        return trace_attach(p, NULL, 0);
    if (fd >= PROC_MAX_FILES || !p->files[fd])
        return -EBADF;
    if (flags > UINT32_MAX)
        return -EINVAL;
    return trace_attach(p, p->files[fd], (uint32_t)flags);
}

long sys_setpgid(struct trap_frame *tf, uint64_t pid, uint64_t pgid, uint64_t a2, uint64_t a3, uint64_t a4)
{
    if ((int64_t)pid != (int32_t)pid || (int64_t)pgid != (int32_t)pgid || (int)pgid < 0)
        return -EINVAL;
    return process_setpgid(process_current(), (int)pid, (int)pgid);
}
