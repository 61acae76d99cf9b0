/*
 * Processes: spawn, exit, wait, and the reaper for orphans.
 *
 * Invariants (with proc_lock held):
 *  - every process is on all_procs, and on its parent's children list
 *    unless its parent is NULL (kernel-started) or it is an orphan;
 *  - a process's thread is created in the process's own address space and
 *    is the only thread ever in it, so once that thread has been joined
 *    (thread_exit left the address space) nothing is in it or has it
 *    loaded: destroying it cannot fail, whatever the user did;
 *  - a ZOMBIE's thread has called thread_exit; its address space is
 *    destroyed only after that thread has been joined (it ran on it);
 *  - exactly one party reaps a zombie: the parent's wait(), the kernel
 *    waiter of a kernel-started process, or the reaper for orphans.
 */
#include <proc.h>
#include <trace.h>
#include <ktrace.h>
#include <env.h>
#include <monitor.h>
#include <thread.h>
#include <aspace.h>
#include <kmap.h>
#include <shell.h>
#include <fs.h>
#include <console.h>
#include <file.h>
#include <heap.h>
#include <string.h>
#include <fmt.h>
#include <log.h>
#include <panic.h>
#include <errstr.h>
#include <usercopy.h>
#include <spinlock.h>
#include <arch/trap.h>
#include <uapi/layout.h>
#include <uapi/syscall.h>
#include <uapi/errno.h>
#include <uapi/signal.h>

static struct list_node all_procs = LIST_INIT(all_procs);
static struct spinlock proc_lock = SPINLOCK_INIT("proc");
static struct waitq proc_exited = WAITQ_INIT(proc_exited);   /* any exit */
static int nprocs;

static void process_check(const struct process *p, const char *caller)
{
    if (!p || p->magic != PROC_MAGIC)
        panic("%s: bad process %p", caller, p);
}

/* ---- start-up, in the new process's own thread ---- */

/* Build argc/argv at the top of the stack of as (not loaded: written
 * through its page slots). 0 and *sp_out, the initial stack pointer; or
 * -E2BIG (does not fit the stack) / -ENOMEM. */
int process_args_place(struct aspace *as, int argc, char *const argv[], uint64_t *sp_out)
{
    uint64_t ptrs[SYSCALL_ARGV_MAX + 1];
    uint64_t sp = USER_STACK_TOP;
    if (argc < 1 || argc > SYSCALL_ARGV_MAX)
        return -E2BIG;
    /* The strings, last first, at the very top. */
    for (int i = argc - 1; i >= 0; i--) {
        size_t n = strlen(argv[i]) + 1;
        sp -= n;
        int err = process_aspace_write(as, sp, argv[i], n, PROCESS_WRITE_USER);
        if (err)
            return err;
        ptrs[i] = sp;
    }
    ptrs[argc] = 0;
    /* argc, argv[], NULL below them; rsp 16-byte aligned at argc (SysV). */
    sp = ALIGN_DOWN(sp - (2 + (uint64_t)argc) * 8, 16);
    uint64_t count = (uint64_t)argc;
    int err = process_aspace_write(as, sp, &count, 8, PROCESS_WRITE_USER);
    if (!err)
        err = process_aspace_write(as, sp + 8, ptrs, ((uint64_t)argc + 1) * 8,
                                    PROCESS_WRITE_USER);
    if (!err)
        *sp_out = sp;
    return err;
}

static void *process_main(void *arg)
{
    struct process *p = arg;
    user_enter(p->entry, p->start_sp);
}

/* ---- spawn ---- */

/* The fixed parts of every process's address space: the kernel map and
 * the view of the environment table. */
int process_aspace_base(struct aspace *as)
{
    int err = kmap_add(as);
    return err ? err : env_view_add(as);
}

/* The stack region. USER_STACK_GUARD, the page below it, stays unmapped:
 * running off the stack faults there instead of into other memory. */
int process_stack_add(struct aspace *as)
{
    struct region stack = {
        .va_start = USER_STACK_BOTTOM, .len = USER_STACK_TOP - USER_STACK_BOTTOM,
        .flags = REGION_READ | REGION_WRITE | REGION_ANON,
    };
    return aspace_region_add(as, &stack);
}

/* A new process named name, child of parent (NULL: the kernel): its slot
 * and id, and an address space with the fixed parts. Not yet linked
 * anywhere, no thread. NULL and *err on failure, nothing left behind. */
static struct process *process_alloc(const char *name, struct process *parent, int *err)
{
    char asname[ASPACE_NAME_MAX];
    struct process *p = kzalloc(sizeof(*p));
    if (!p) {
        *err = -ENOMEM;
        return NULL;
    }
    strlcpy(p->name, name, sizeof(p->name));
    if ((*err = env_slot_alloc(p, parent)) < 0)
        goto fail_free;
    snprintf(asname, sizeof(asname), "proc%d", p->pid);
    if ((*err = aspace_create("paging", asname, &p->as)) < 0)
        goto fail_slot;
    if ((*err = process_aspace_base(p->as)) < 0)
        goto fail_as;
    ipc_endpoint_init(&p->ipc);
    waitq_init(&p->stop_wq);
    p->magic = PROC_MAGIC;
    p->state = PROC_RUNNING;
    p->parent = parent;
    p->mmap_next = USER_MMAP_BASE;
    list_init(&p->children);
    list_init(&p->sibling);
    return p;

fail_as:
    aspace_destroy(p->as);
fail_slot:
    env_slot_free(p);
fail_free:
    kfree(p);
    return NULL;
}

/* Undo process_alloc (and whatever was added to the address space). */
static void process_free_unstarted(struct process *p)
{
    monitor_release(p);
    aspace_destroy(p->as);
    env_slot_free(p);
    p->magic = PROC_DEAD_MAGIC;
    kfree(p);
}

/* Give p its thread (suspended, starting at fn in p's own address space:
 * the creator may exit and be reaped before it runs), link it into the
 * process lists and make it nameable with view status `status`; print
 * JOS's "new env" line. 0, or -ENOMEM with p untouched. */
static int process_publish(struct process *p, thread_fn fn, uint32_t status)
{
    struct thread *t;
    int err = thread_create(p->name, p->as, fn, p, THREAD_SUSPENDED, &t);
    if (err)
        return err;
    bool f = spin_lock_irqsave(&proc_lock);
    t->proc = p;
    t->run_counter = &p->view->env_runs;
    p->main = t;
    /* Under proc_lock, as process_trace_console_set: no process starts
     * between its loop and the mask. */
    trace_console_sink_set(p, ktrace_on(KTRACE_SYSCALLS));
    list_push_back(&all_procs, &p->all_link);
    if (p->parent)
        list_push_back(&p->parent->children, &p->sibling);
    nprocs++;
    spin_unlock_irqrestore(&proc_lock, f);
    if (env_logged(p))
        kprintf("[%08x] new env %08x\n", p->parent ? p->parent->pid : 0, p->pid);
    env_start(p, status);
    return 0;
}

/* Let p's thread run for the first time (once). */
static void process_first_run(struct process *p)
{
    if (!__atomic_exchange_n(&p->started, true, __ATOMIC_ACQ_REL))
        thread_resume(p->main);
}

int process_spawn(const char *path, int argc, char *const argv[], struct process *parent)
{
    return process_spawn_mode(path, argc, argv, parent, PROCESS_SPAWN_PLAIN);
}

int process_spawn_mode(const char *path, int argc, char *const argv[], struct process *parent,
                       enum process_spawn_mode mode)
{
    const char *why = NULL;
    int err;

    if (argc < 1 || argc > SYSCALL_ARGV_MAX)
        return -E2BIG;
    const char *base = strrchr(path, '/');
    struct process *p = process_alloc(base ? base + 1 : path, parent, &err);
    if (!p)
        return err;
    if (strncmp(path, "/jos/", 5) == 0 || (parent && (parent->env_flags & PROC_ENV_JOS)))
        p->env_flags |= PROC_ENV_JOS;
    /* A spawned program starts a job of its own; its forks join it. */
    p->pgid = p->pid;
    p->nregions = 1;            /* the stack */
    if ((mode == PROCESS_SPAWN_DEBUG && (err = monitor_attach(p, path)) < 0) ||
        (err = process_stack_add(p->as)) < 0 ||
        (err = exec_load(p->as, path, &p->entry, &p->nregions, &why)) < 0) {
        if (why)
            kprintf("spawn: %s: %s\n", path, why);
        goto fail_process;
    }
    if ((err = process_args_place(p->as, argc, argv, &p->start_sp)) < 0 ||
        (err = process_files_inherit(p, parent)) < 0)
        goto fail_process;
    trace_inherit(p, parent);
    if ((err = process_publish(p, process_main, ENV_RUNNABLE)) < 0)
        goto fail_files;
    int pid = p->pid;       /* p may be gone once the thread runs and exits */
    process_first_run(p);
    return pid;

fail_files:
    trace_detach(p);
    process_files_close(p);
fail_process:
    process_free_unstarted(p);
    return err;
}

int process_setpgid(struct process *self, int pid, int pgid)
{
    int err = -ESRCH;
    bool f = spin_lock_irqsave(&proc_lock);
    struct process *target = pid == 0 || pid == self->pid ? self : NULL;
    if (!target) {
        list_for_each(n, &self->children) {
            struct process *c = list_entry(n, struct process, sibling);
            if (c->pid == pid && c->state == PROC_RUNNING)
                target = c;
        }
    }
    if (target) {
        target->pgid = pgid ? pgid : target->pid;
        err = 0;
    }
    spin_unlock_irqrestore(&proc_lock, f);
    return err;
}

/* ---- descriptors ---- */

int process_files_inherit(struct process *p, struct process *parent)
{
    if (parent) {
        for (int fd = 0; fd <= FD_STDERR; fd++)
            p->files[fd] = parent->files[fd] ? file_get(parent->files[fd]) : NULL;
        return 0;
    }
    /* Standard input reads the console, standard output and error write
     * it: two open files, as a terminal opened twice. */
    struct file *in, *out;
    int err = console_file_open(O_RDONLY, &in);
    if (err)
        return err;
    if ((err = console_file_open(O_WRONLY, &out)) < 0) {
        file_put(in);
        return err;
    }
    p->files[FD_STDIN] = in;
    p->files[FD_STDOUT] = out;
    p->files[FD_STDERR] = file_get(out);
    return 0;
}

void process_files_close(struct process *p)
{
    for (int fd = 0; fd < PROC_MAX_FILES; fd++) {
        file_put(p->files[fd]);
        p->files[fd] = NULL;
    }
}

/* ---- exofork (JOS's sys_env_alloc) ---- */

/* First code of an exofork child: resume its parent's system call with
 * rax = 0, in its own (so far empty) user half. */
static void *process_child_main(void *arg)
{
    struct process *p = arg;
    struct trap_frame tf = *p->start_frame;
    kfree(p->start_frame);
    p->start_frame = NULL;
    process_user_return(&tf);           /* destroyed before it ever ran? */
    user_enter_frame(&tf);
}

int process_env_alloc(struct process *parent, const struct trap_frame *tf)
{
    int err;
    struct process *p = process_alloc(parent->name, parent, &err);
    if (!p)
        return err;
    p->start_frame = kmalloc(sizeof(*tf));
    if (!p->start_frame) {
        err = -ENOMEM;
        goto fail;
    }
    *p->start_frame = *tf;
    p->start_frame->rax = 0;
    p->env_flags = parent->env_flags;
    p->pgid = parent->pgid;         /* a fork belongs to its parent's job */
    p->nregions = parent->nregions;
    p->sig_handler = parent->sig_handler;
    p->sig_trampoline = parent->sig_trampoline;
    /* Called from a handler, the child resumes in it too (it will
     * sigreturn through the same frame): a SIGINT waits for that, as in
     * the parent (POSIX: the child inherits the blocked signals). */
    p->in_handler = parent->in_handler;
    /* Same open files (shared offsets), as Unix fork. */
    for (int fd = 0; fd < PROC_MAX_FILES; fd++)
        p->files[fd] = parent->files[fd] ? file_get(parent->files[fd]) : NULL;
    trace_inherit(p, parent);
    if ((err = process_publish(p, process_child_main, ENV_NOT_RUNNABLE)) < 0) {
        trace_detach(p);
        process_files_close(p);
        kfree(p->start_frame);
        goto fail;
    }
    return p->pid;

fail:
    process_free_unstarted(p);
    return err;
}

int process_set_status(struct process *p, uint32_t status)
{
    bool f = spin_lock_irqsave(&env_lock);
    if (!p->env_alive) {
        spin_unlock_irqrestore(&env_lock, f);
        return -E_BAD_ENV;
    }
    if (status == ENV_RUNNABLE) {
        p->stopped = false;
        env_view_status(p, p->ipc.recving ? ENV_NOT_RUNNABLE : ENV_RUNNABLE);
        waitq_wake_all(&p->stop_wq);
    } else if (status == ENV_NOT_RUNNABLE) {
        p->stopped = p->started;        /* a started one stops at its next return to user mode */
        env_view_status(p, ENV_NOT_RUNNABLE);
    } else {
        spin_unlock_irqrestore(&env_lock, f);
        return -E_INVAL;
    }
    spin_unlock_irqrestore(&env_lock, f);
    if (status == ENV_RUNNABLE)
        process_first_run(p);
    return 0;
}

/* ---- exit, wait, reaping ---- */

/* Free a zombie: join its thread, destroy its address space. proc_lock
 * must NOT be held (joining may sleep). Nothing a user program does can
 * make the destroy fail (see the invariants at the top): a failure is a
 * kernel bug. */
static void process_reap(struct process *p)
{
    process_check(p, __func__);
    if (p->state != PROC_REAPING)
        panic("%s: pid %d is not being reaped", __func__, p->pid);
    thread_join(p->main, NULL);
    int err = aspace_destroy(p->as);
    if (err)
        panic("%s: address space '%s' of pid %d still has %d thread(s), %d CPU(s): %d",
              __func__, p->as->name, p->pid, p->as->nthreads, p->as->cpus_loaded, err);
    env_slot_free(p);
    bool f = spin_lock_irqsave(&proc_lock);
    list_remove(&p->all_link);
    nprocs--;
    spin_unlock_irqrestore(&proc_lock, f);
    p->magic = PROC_DEAD_MAGIC;
    kfree(p);
    waitq_wake_all(&proc_exited);       /* a wait for its job may end now */
}

/* JOS's lines for an environment that ends: "[ID] exiting gracefully" for
 * a normal exit, then "[WHO] free env ID", WHO being the environment that
 * destroyed it (itself unless it was killed). */
static void process_exit_log(struct process *p, int status)
{
    if (!env_logged(p))
        return;
    if (!p->killed && WIFEXITED(status))
        kprintf("[%08x] exiting gracefully\n", p->pid);
    kprintf("[%08x] free env %08x\n", p->killed ? p->killer : p->pid, p->pid);
}

void process_exit(int status)
{
    struct process *p = process_current();
    process_check(p, __func__);

    env_exit(p);
    process_exit_log(p, status);
    trace_note(p, TRACE_EXIT, status, 0, 0);
    trace_detach(p);
    process_files_close(p);
    monitor_release(p);
    bool f = spin_lock_irqsave(&proc_lock);
    /* Children outlive us as orphans; zombie ones go to the reaper now. */
    list_for_each_safe(n, tmp, &p->children) {
        struct process *c = list_entry(n, struct process, sibling);
        list_remove(&c->sibling);
        c->parent = NULL;
        c->orphan = true;
    }
    p->exit_status = status;
    p->state = PROC_ZOMBIE;
    spin_unlock_irqrestore(&proc_lock, f);
    waitq_wake_all(&proc_exited);
    thread_exit(NULL);
}

/* Under proc_lock: the first zombie among the candidates, or NULL. Sets
 * *any if there is a candidate at all. */
static struct process *zombie_find(struct process *parent, int pid, bool *any)
{
    *any = false;
    if (parent) {
        list_for_each(n, &parent->children) {
            struct process *c = list_entry(n, struct process, sibling);
            if (pid != -1 && c->pid != pid)
                continue;
            *any = true;
            if (c->state == PROC_ZOMBIE)
                return c;
        }
        return NULL;
    }
    list_for_each(n, &all_procs) {
        struct process *c = list_entry(n, struct process, all_link);
        if (c->pid == pid && c->parent == NULL && !c->orphan) {
            *any = true;
            return c->state == PROC_ZOMBIE ? c : NULL;
        }
    }
    return NULL;
}

static bool process_has_exited(void *arg)
{
    return ((struct process *)arg)->state != PROC_RUNNING;
}

struct wait_query {
    struct process *parent;
    int pid;
    struct process *found;
    bool any;
};

static bool wait_ready(void *arg)
{
    struct wait_query *q = arg;
    q->found = zombie_find(q->parent, q->pid, &q->any);
    return q->found || !q->any;
}

/* A job: process group pgid, as seen by the process waiting for it. */
struct job_query {
    struct process *waiter;         /* NULL: the root shell */
    struct process *skip;           /* the child being collected, or NULL */
    int pgid;
};

/* Is any process of the job still there (running, or exited but not yet
 * freed)? A job is over when all of it is gone, memory included, except
 * the waiter's own zombies: they have exited, and only the waiter can
 * free them, so counting them would wait forever. */
static bool job_running(void *arg)
{
    struct job_query *j = arg;
    list_for_each(n, &all_procs) {
        struct process *c = list_entry(n, struct process, all_link);
        if (c->pgid != j->pgid || c == j->skip)
            continue;
        if (j->waiter && c->parent == j->waiter && c->state == PROC_ZOMBIE)
            continue;
        return true;
    }
    return false;
}

static bool job_done(void *arg)
{
    return !job_running(arg);
}

/* Sleep until cond holds for the wait. The kernel's own waiter (the root
 * shell, parent NULL) cannot be killed; a process can. */
static int process_wait_sleep(struct process *parent, waitq_cond_fn cond, void *arg)
{
    if (!parent) {
        waitq_wait_until(&proc_exited, cond, arg);
        return 0;
    }
    return waitq_wait_interruptible(&proc_exited, cond, arg);
}

int process_wait(struct process *parent, int pid, int *status, uint32_t flags)
{
    struct wait_query q = { parent, pid, NULL, false };
    if (!parent && pid <= 0)
        return -ECHILD;
    for (;;) {
        if (flags & PROCESS_WAIT_NOHANG) {
            bool f = irq_save();
            bool ready = wait_ready(&q);
            /* With WJOB, not ready until the rest of the job is over too:
             * a caller that must not block cannot wait for it after. */
            if (ready && q.found && (flags & PROCESS_WAIT_JOB)) {
                struct job_query j = { parent, q.found, q.found->pgid };
                ready = job_done(&j);
            }
            irq_restore(f);
            if (!ready)
                return 0;
        } else {
            int err = process_wait_sleep(parent, wait_ready, &q);
            if (err)
                return err;
        }
        bool f = spin_lock_irqsave(&proc_lock);
        struct process *z = zombie_find(parent, pid, &q.any);
        if (z) {
            list_remove(&z->sibling);
            z->state = PROC_REAPING;        /* ours: nobody else takes it */
        }
        spin_unlock_irqrestore(&proc_lock, f);
        if (!z) {
            if (!q.any)
                return -ECHILD;
            continue;       /* someone else took it; wait again */
        }
        int zpid = z->pid;
        struct job_query j = { parent, NULL, z->pgid };
        *status = z->exit_status;
        process_reap(z);
        /* The job is over when the last of its processes has exited (a
         * JOS program's forked children may outlive it). */
        if (flags & PROCESS_WAIT_JOB) {
            int err = process_wait_sleep(parent, job_done, &j);
            if (err && parent->killed)
                return err;
            /* Interrupted by a signal: the child is reaped and its status
             * must not be lost; the rest of its job may still run. */
        }
        return zpid;
    }
}

int process_kill(struct process *target, int status, int killer_id, uint32_t flags)
{
    bool f = spin_lock_irqsave(&env_lock);
    if (!target->env_alive || target->killed) {
        bool gone = !target->env_alive;
        spin_unlock_irqrestore(&env_lock, f);
        if (gone)
            return -ESRCH;
    } else {
        target->killed = true;
        target->kill_status = status;
        target->killer = killer_id;
        target->stopped = false;
        thread_interrupt(target->main);
        spin_unlock_irqrestore(&env_lock, f);
        /* An exofork child that never ran dies on its way to user mode. */
        process_first_run(target);
    }
    if (!(flags & PROCESS_KILL_SYNC))
        return 0;
    /* target cannot be reaped before we return: only its parent (us, or
     * the kernel's waiter) reaps it, and only once it has exited. */
    return waitq_wait_interruptible(&proc_exited, process_has_exited, target);
}

static bool process_not_stopped(void *arg)
{
    return !((struct process *)arg)->stopped;
}

enum process_return_verdict process_user_return(struct trap_frame *tf)
{
    struct process *p = process_current();
    if (!p || !p->return_work)
        return PROCESS_RETURN_DONE;
    /* sys_set_env_status(NOT_RUNNABLE): wait to be resumed (or killed). A
     * signal waits for the end of the stop: it only wakes this wait. */
    while (p->stopped && !p->killed) {
        thread_signal_clear();
        waitq_wait_interruptible(&p->stop_wq, process_not_stopped, p);
    }
    if (p->killed)
        process_exit(p->kill_status);
    /* One handler at a time: a signal due while one runs waits for its
     * sigreturn (a full-frame call, which comes back through here), so a
     * fast call made inside the handler needs no frame for it. */
    if (p->sig_pending && !p->in_handler) {
        if (!tf)
            return PROCESS_RETURN_NEEDS_FRAME;
        process_signal_deliver(p, tf);
    }
    return PROCESS_RETURN_DONE;
}

/* The trap layer's hook: a trap always has its frame. */
static void process_user_return_hook(struct trap_frame *tf)
{
    process_user_return(tf);
}

/* ---- process groups and the console ---- */

int process_group_signal(int pgid, int signo, int sender)
{
    int members = 0;
    bool f = spin_lock_irqsave(&proc_lock);
    list_for_each(n, &all_procs) {
        struct process *c = list_entry(n, struct process, all_link);
        if (c->pgid == pgid && c->state == PROC_RUNNING && process_signal(c, signo, sender) == 0)
            members++;
    }
    spin_unlock_irqrestore(&proc_lock, f);
    return members;
}

/* Under proc_lock: is c self or one of self's descendants? */
static bool process_descends_from(const struct process *c, const struct process *self)
{
    for (; c; c = c->parent)
        if (c == self)
            return true;
    return false;
}

int process_group_check_own(struct process *self, int pgid)
{
    if (pgid <= 0)
        return -EINVAL;
    int err = -ESRCH;
    bool f = spin_lock_irqsave(&proc_lock);
    list_for_each(n, &all_procs) {
        struct process *c = list_entry(n, struct process, all_link);
        if (c->pgid != pgid || c->state != PROC_RUNNING)
            continue;
        if (process_descends_from(c, self)) {
            err = 0;
            break;
        }
        err = -EPERM;
    }
    spin_unlock_irqrestore(&proc_lock, f);
    return err;
}

void process_uaccess_failed(uint64_t va)
{
    struct process *p = process_current();
    if (p && (p->env_flags & PROC_ENV_JOS) && !p->mem_check_failed) {
        p->mem_check_failed = true;
        p->mem_check_va = va;
    }
}

void process_mem_check(struct process *p)
{
    if (!p->mem_check_failed)
        return;
    kprintf("[%08x] user_mem_check assertion failure for va %08lx\n", p->pid, p->mem_check_va);
    process_exit(WAIT_SIGNALED(SIGSEGV));
}

/* Under proc_lock (or with interrupts off): an exited orphan, or NULL. */
static struct process *orphan_zombie_find(void)
{
    list_for_each(n, &all_procs) {
        struct process *c = list_entry(n, struct process, all_link);
        if (c->orphan && c->state == PROC_ZOMBIE)
            return c;
    }
    return NULL;
}

static bool orphan_zombie_exists(void *arg)
{
    return orphan_zombie_find() != NULL;
}

static void *reaper_main(void *arg)
{
    for (;;) {
        waitq_wait_until(&proc_exited, orphan_zombie_exists, NULL);
        bool f = spin_lock_irqsave(&proc_lock);
        struct process *z = orphan_zombie_find();
        if (z)
            z->state = PROC_REAPING;
        spin_unlock_irqrestore(&proc_lock, f);
        if (z)
            process_reap(z);
    }
    return NULL;
}

/* Ctrl-C on the console (the console's interrupt hook): SIGINT to the
 * foreground group, from the kernel (sender 0). */
static int process_console_intr(int pgid)
{
    return process_group_signal(pgid, SIGINT, 0);
}

void proc_init(void)
{
    env_init();
    console_set_intr_hook(process_console_intr);
    trap_set_user_fault_hook(process_fault_signal);
    trap_set_user_return_hook(process_user_return_hook);
    if (thread_create("reaper", NULL, reaper_main, NULL, THREAD_DETACHED, NULL) < 0)
        panic("%s: cannot start the reaper thread", __func__);
}

void process_for_each(void (*fn)(struct process *p, void *arg), void *arg)
{
    bool f = spin_lock_irqsave(&proc_lock);
    list_for_each(n, &all_procs)
        fn(list_entry(n, struct process, all_link), arg);
    spin_unlock_irqrestore(&proc_lock, f);
}

void process_trace_console_set(enum ktrace_state state)
{
    bool f = spin_lock_irqsave(&proc_lock);
    ktrace_set(KTRACE_SYSCALLS, state);
    list_for_each(n, &all_procs)
        trace_console_sink_set(list_entry(n, struct process, all_link), state == KTRACE_ON);
    spin_unlock_irqrestore(&proc_lock, f);
}

int process_count(void)
{
    return nprocs;
}
