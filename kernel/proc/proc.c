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
#include <thread.h>
#include <aspace.h>
#include <kmap.h>
#include <shell.h>
#include <fs.h>
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

/* argv for a process that has not started yet: strings packed in one buffer. */
struct proc_args {
    int argc;
    size_t bytes;               /* used in buf */
    char buf[];                 /* argc NUL-terminated strings */
};

static struct list_node all_procs = LIST_INIT(all_procs);
static struct spinlock proc_lock = SPINLOCK_INIT("proc");
static struct waitq proc_exited = WAITQ_INIT(proc_exited);   /* any exit */
static int next_pid = 1;
static int nprocs;

struct process *process_current(void)
{
    struct thread *t = thread_current();
    return t ? t->proc : NULL;
}

static void process_check(const struct process *p, const char *caller)
{
    if (!p || p->magic != PROC_MAGIC)
        panic("%s: bad process %p", caller, p);
}

/* ---- start-up, in the new process's own thread ---- */

/* Build argc/argv at the top of the (lazily filled) user stack. Returns the
 * initial stack pointer, or 0 if the arguments do not fit or fault. */
static uint64_t user_stack_setup(const struct proc_args *a)
{
    uint64_t sp = USER_STACK_TOP;
    uint64_t argv[SYSCALL_ARGV_MAX + 1];
    const char *s = a->buf;

    sp -= ALIGN_UP(a->bytes, 16);
    uint64_t strings = sp;
    if (copy_to_user(strings, a->buf, a->bytes) < 0)
        return 0;
    for (int i = 0; i < a->argc; i++) {
        argv[i] = strings + (uint64_t)(s - a->buf);
        s += strlen(s) + 1;
    }
    argv[a->argc] = 0;
    /* argc, argv[], NULL: keep rsp 16-byte aligned at argc (SysV). */
    uint64_t words = 1 + (uint64_t)a->argc + 1;
    sp -= words * 8;
    sp = ALIGN_DOWN(sp, 16);
    uint64_t argc = (uint64_t)a->argc;
    if (copy_to_user(sp, &argc, 8) < 0 ||
        copy_to_user(sp + 8, argv, ((uint64_t)a->argc + 1) * 8) < 0)
        return 0;
    return sp;
}

static void *process_main(void *arg)
{
    struct process *p = arg;

    uint64_t sp = user_stack_setup(p->args);
    kfree(p->args);
    p->args = NULL;
    if (!sp) {
        /* The stack region exists, so only a missing frame can fail the copy. */
        kprintf("[pid %d] %s killed by SIGSEGV (%d): no free frame for its arguments "
                "on the user stack\n", p->pid, p->name, SIGSEGV);
        process_exit(WAIT_SIGNALED(SIGSEGV));
    }
    user_enter(p->entry, sp);
}

/* ---- spawn ---- */

static struct proc_args *proc_args_pack(int argc, char *const argv[])
{
    size_t bytes = 0;
    if (argc < 1 || argc > SYSCALL_ARGV_MAX)
        return NULL;
    for (int i = 0; i < argc; i++)
        bytes += strlen(argv[i]) + 1;
    struct proc_args *a = kmalloc(sizeof(*a) + bytes);
    if (!a)
        return NULL;
    a->argc = argc;
    a->bytes = bytes;
    char *d = a->buf;
    for (int i = 0; i < argc; i++) {
        size_t n = strlen(argv[i]) + 1;
        memcpy(d, argv[i], n);
        d += n;
    }
    return a;
}

/* The stack and the fixed parts of every process's address space. */
static int process_aspace_build(struct aspace *as)
{
    int err = kmap_add(as);
    if (err)
        return err;
    struct region stack = {
        .va_start = USER_STACK_BOTTOM, .len = USER_STACK_TOP - USER_STACK_BOTTOM,
        .flags = REGION_READ | REGION_WRITE | REGION_ANON,
    };
    /* USER_STACK_GUARD, the page below, stays unmapped: running off the
     * stack faults there instead of into other memory. */
    return aspace_region_add(as, &stack);
}

int process_spawn(const char *path, int argc, char *const argv[], struct process *parent)
{
    char asname[ASPACE_NAME_MAX];
    const char *why = NULL;
    uint64_t entry;
    int err;

    struct process *p = kzalloc(sizeof(*p));
    if (!p)
        return -ENOMEM;
    p->args = proc_args_pack(argc, argv);
    if (!p->args) {
        err = argc < 1 || argc > SYSCALL_ARGV_MAX ? -E2BIG : -ENOMEM;
        goto fail_free;
    }
    bool f = spin_lock_irqsave(&proc_lock);
    p->pid = next_pid++;
    spin_unlock_irqrestore(&proc_lock, f);
    const char *base = strrchr(path, '/');
    strlcpy(p->name, base ? base + 1 : path, sizeof(p->name));
    snprintf(asname, sizeof(asname), "proc%d", p->pid);

    if ((err = aspace_create("paging", asname, &p->as)) < 0)
        goto fail_args;
    p->nregions = 1;            /* the stack */
    if ((err = process_aspace_build(p->as)) < 0 ||
        (err = exec_load(p->as, path, &entry, &p->nregions, &why)) < 0) {
        if (why)
            kprintf("spawn: %s: %s\n", path, why);
        goto fail_as;
    }

    /* The thread starts in the kernel, in process_main, once it is fully
     * linked to the process (it is created suspended), and in the new
     * address space: the creator may exit and be reaped before it runs. */
    p->entry = entry;
    p->magic = PROC_MAGIC;
    p->state = PROC_RUNNING;
    p->parent = parent;
    p->mmap_next = USER_MMAP_BASE;
    list_init(&p->children);
    list_init(&p->sibling);
    struct thread *t;
    if ((err = thread_create(p->name, p->as, process_main, p, THREAD_SUSPENDED, &t)) < 0)
        goto fail_as;
    f = spin_lock_irqsave(&proc_lock);
    t->proc = p;
    p->main = t;
    list_push_back(&all_procs, &p->all_link);
    if (parent)
        list_push_back(&parent->children, &p->sibling);
    nprocs++;
    spin_unlock_irqrestore(&proc_lock, f);
    int pid = p->pid;       /* p may be gone once the thread runs and exits */
    thread_resume(t);
    return pid;

fail_as:
    aspace_destroy(p->as);
fail_args:
    kfree(p->args);
fail_free:
    kfree(p);
    return err;
}

/* ---- exit, wait, reaping ---- */

/* Free a zombie: join its thread, destroy its address space. proc_lock
 * must NOT be held (joining may sleep). Nothing a user program does can
 * make the destroy fail (see the invariants at the top): a failure is a
 * kernel bug. */
static void process_reap(struct process *p)
{
    process_check(p, __func__);
    if (p->state != PROC_ZOMBIE)
        panic("%s: pid %d is not a zombie", __func__, p->pid);
    thread_join(p->main, NULL);
    int err = aspace_destroy(p->as);
    if (err)
        panic("%s: address space '%s' of pid %d still has %d thread(s), %d CPU(s): %d",
              __func__, p->as->name, p->pid, p->as->nthreads, p->as->cpus_loaded, err);
    p->magic = PROC_DEAD_MAGIC;
    kfree(p);
}

void process_exit(int status)
{
    struct process *p = process_current();
    process_check(p, __func__);

    for (int fd = 0; fd < PROC_MAX_FILES; fd++) {
        fs_close(p->files[fd]);
        p->files[fd] = NULL;
    }
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

int process_wait(struct process *parent, int pid, int *status)
{
    struct wait_query q = { parent, pid, NULL, false };
    if (!parent && pid <= 0)
        return -ECHILD;
    for (;;) {
        waitq_wait_until(&proc_exited, wait_ready, &q);
        bool f = spin_lock_irqsave(&proc_lock);
        struct process *z = zombie_find(parent, pid, &q.any);
        if (z) {
            list_remove(&z->all_link);
            list_remove(&z->sibling);
            nprocs--;
        }
        spin_unlock_irqrestore(&proc_lock, f);
        if (!z) {
            if (!q.any)
                return -ECHILD;
            continue;       /* someone else took it; wait again */
        }
        int zpid = z->pid;
        *status = z->exit_status;
        process_reap(z);
        return zpid;
    }
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
        if (z) {
            list_remove(&z->all_link);
            nprocs--;
        }
        spin_unlock_irqrestore(&proc_lock, f);
        if (z)
            process_reap(z);
    }
    return NULL;
}

void proc_init(void)
{
    trap_set_user_fault_hook(process_fault_signal);
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

int process_count(void)
{
    return nprocs;
}
