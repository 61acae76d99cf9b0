/*
 * User processes.
 *
 * A process is a main thread (its kernel stack is the process's kernel
 * stack: TSS.rsp0 points at its top while it runs), a "paging" address
 * space holding the kernel's identity map (pinned, kernel-only) plus the
 * program's regions in the user half, a table of open files, a pid, a
 * parent and, once it has exited, an exit status.
 *
 * Lifecycle: RUNNING -> ZOMBIE (exited; thread and address space still
 * allocated) -> reaped by the parent's wait() (or, for a process whose
 * parent exited first, by the kernel's reaper thread), which joins the
 * thread, destroys the address space and frees the struct.
 */
#ifndef STRATA_PROC_H
#define STRATA_PROC_H

#include <list.h>
#include <waitq.h>
#include <compiler.h>
#include <ipc.h>
#include <thread.h>
#include <arch/trap.h>
#include <ktrace.h>

#define PROC_MAGIC          0x50524F43u     /* "PROC" */
#define PROC_DEAD_MAGIC     0x44454144u
#define PROC_MAX_FILES      32      /* descriptors, the console's 0-2 included: then -EMFILE */
#define PROC_MAX_REGIONS    1024    /* user regions (program, stack, map()s): then -ELIMIT */
#define PROC_NAME_MAX       32

struct thread;
struct aspace;
struct file;

enum proc_state {
    PROC_RUNNING,
    PROC_ZOMBIE,                    /* exited, waiting to be reaped */
    PROC_REAPING,                   /* being freed: still listed, so that a wait
                                       for its job ends only once it is gone */
};

struct Env;

/* Process environment flags. */
enum proc_env_flags {
    PROC_ENV_JOS = 1u << 0,         /* started from /jos/ (or a descendant):
                                       JOS's lifecycle lines and fault rules */
};

struct process {
    uint32_t magic;
    enum proc_state state;
    int pid;                        /* = its environment id (uapi/env.h) */
    int pgid;                       /* process group: the job it belongs to */
    char name[PROC_NAME_MAX];
    struct process *parent;         /* NULL: started by the kernel (urun) */
    bool orphan;                    /* nobody will wait: the reaper frees it */
    struct list_node children;      /* struct process.sibling */
    struct list_node sibling;
    struct list_node all_link;
    struct thread *main;
    struct aspace *as;
    struct file *files[PROC_MAX_FILES];     /* open files by descriptor (0-2: stdio) */
    int exit_status;                /* WAIT_EXITED / WAIT_SIGNALED encoding */
    uint64_t sig_handler;           /* a handler, or SIG_DFL (0) / SIG_IGN */
    uint64_t sig_trampoline;
    bool in_handler;                /* a fault in the handler kills; a SIGINT waits */
    /* What the next return to user mode must do: one word, so that the end
     * of every system call tests all of it with one compare
     * (process_return_work). The pad is never written: it stays 0. */
    union {
        struct {
            bool killed;            /* asked to die (env_lock): it exits at its
                                       next return towards user mode */
            bool stopped;           /* sys_set_env_status(NOT_RUNNABLE) */
            uint16_t return_pad;
            uint32_t sig_pending;   /* signals due (bit 1 << signo), under
                                       env_lock: delivered at that return */
        };
        uint64_t return_work;
    };
    uint64_t entry;                 /* program entry point */
    uint64_t mmap_next;             /* hint for the next map() */
    int nregions;                   /* user regions, at most PROC_MAX_REGIONS: each
                                       costs kernel heap */
    uint64_t start_sp;              /* its first user stack pointer (argc there) */
    uint32_t exec_count;            /* images it has had (names its address space) */

    /* The environment (kernel/proc/env.c): fields under env_lock. */
    struct Env *view;               /* its slot of the user-visible table */
    uint32_t env_flags;             /* enum proc_env_flags */
    bool env_alive;                 /* can be named by id (started, not exited) */
    int kill_status;                /* the wait() status it will exit with */
    int killer;                     /* id of the environment that asked */
    struct ipc_endpoint ipc;        /* kernel/proc/ipc.c */
    struct waitq stop_wq;           /* a stopped process waits here */
    bool started;                   /* its thread has been let run */
    struct trap_frame *start_frame; /* exofork child: its first user state */
    struct file *trace;             /* strace: the tracer's pipe, or NULL */
    uint32_t trace_flags;           /* TRACE_* (uapi/trace.h) */
    uint8_t trace_sinks;            /* enum trace_sink: where its system calls
                                       are reported; the one byte the
                                       dispatcher tests (changed atomically) */
    /* JOS's page-fault upcall (kernel/proc/upcall.c): 0 = none. */
    uint64_t pgfault_upcall;
    uint64_t pgfault_xstacktop;
    /* JOS's user_mem_check: the first user address a system call could
     * not use (a JOS environment dies of it; others get -EFAULT). */
    bool mem_check_failed;
    uint64_t mem_check_va;
    /* The monitor (include/monitor.h): a process started by `urun -d`;
     * NULL for every other. Its own thread's business only. */
    struct monitor *monitor;
};

void proc_init(void);

/* Start the program at path with argv[0..argc) (kernel copies) as a child
 * of parent (NULL: of the kernel). Returns the new pid, or -ENOENT,
 * -ENOEXEC (with the reason printed), -ENOMEM, -E2BIG. */
int process_spawn(const char *path, int argc, char *const argv[], struct process *parent);

enum process_spawn_mode {
    PROCESS_SPAWN_PLAIN,
    PROCESS_SPAWN_DEBUG,            /* under the monitor (include/monitor.h) */
};
/* process_spawn, and with PROCESS_SPAWN_DEBUG its breakpoints stop in the
 * monitor (`urun -d`). The same results. */
int process_spawn_mode(const char *path, int argc, char *const argv[], struct process *parent,
                       enum process_spawn_mode mode);

enum process_wait_flags {
    PROCESS_WAIT_BLOCK = 0,
    PROCESS_WAIT_NOHANG = 1u << 0,  /* return 0 at once if none has exited */
    PROCESS_WAIT_JOB = 1u << 1,     /* after reaping the child, also wait until
                                       every process of its group has exited */
};

/* Wait for a child of parent (NULL: a kernel-started process, then pid
 * must name it) to exit; pid -1 means any child. Returns its pid and sets
 * *status; 0 with PROCESS_WAIT_NOHANG if none has exited yet; -ECHILD if
 * there is no such child; -EINTR if the caller is being killed, or a
 * signal came before a child was reaped (one that comes while
 * PROCESS_WAIT_JOB waits for the rest of the job ends that wait early,
 * and the child's pid is returned: its status is never lost). */
int process_wait(struct process *parent, int pid, int *status, uint32_t flags);

/* ---- internal to kernel/proc (proc.c, exec.c) ---- */
/* The fixed parts of every process's address space (kernel map, envs
 * view), and the stack region. 0 or the aspace_region_add error. */
int process_aspace_base(struct aspace *as);
int process_stack_add(struct aspace *as);
/* Write argc/argv at the top of as's stack: 0 and *sp, or -E2BIG/-ENOMEM. */
int process_args_place(struct aspace *as, int argc, char *const argv[], uint64_t *sp);
/* Descriptors 0-2 of a new process: a copy of parent's, or the console
 * for one the kernel starts. 0 or -ENOMEM. */
int process_files_inherit(struct process *p, struct process *parent);
/* Close every descriptor of p. */
void process_files_close(struct process *p);
/* Copy len bytes to va in as, which need not be loaded (through its page
 * slots, filling lazy pages). PROCESS_WRITE_USER writes only where the
 * program may write; PROCESS_WRITE_POKE is a debugger's write (the
 * monitor's breakpoints): read-only pages too, but never into a frame
 * another mapping shares (the page gets a private copy, its protection
 * unchanged). 0, -EFAULT (no such region, kernel-only, or not writable for
 * USER), or -ENOMEM; pages before the failing one are written.
 * (kernel/proc/pagemap.c) */
enum process_write_mode {
    PROCESS_WRITE_USER,
    PROCESS_WRITE_POKE,
};
int process_aspace_write(struct aspace *as, uint64_t va, const void *src, size_t len,
                         enum process_write_mode mode);

/* xv6's exec: replace p's image by the program at path with argv, built
 * completely in a new address space before the old one is touched. On
 * success p runs the new program when tf returns to user mode (its
 * registers are set for the entry point); on failure (-ENOENT, -ENOEXEC,
 * -EACCES, -E2BIG, -ENOMEM...) nothing of p has changed. */
int process_exec(struct process *p, const char *path, int argc, char *const argv[],
                 struct trap_frame *tf);

/* Put process pid (0: self, else one of self's children) in group pgid
 * (0: pid's own id). 0, or -ESRCH (no such child), -EINVAL. */
int process_setpgid(struct process *self, int pid, int pgid);

/* JOS's exofork: a child of parent with an empty user half (only the
 * kernel map and the view of the environment table), parent's open files
 * and job, not runnable; when set runnable it resumes from *tf with rax =
 * 0. Returns the child's id, or -E_NO_FREE_ENV / -E_NO_MEM. */
int process_env_alloc(struct process *parent, const struct trap_frame *tf);

/* JOS's sys_set_env_status: ENV_RUNNABLE starts an exofork child or
 * resumes a stopped process; ENV_NOT_RUNNABLE stops a running one at its
 * next return towards user mode. 0, or -E_INVAL / -E_BAD_ENV. */
int process_set_status(struct process *p, uint32_t status);

/* The page-fault upcall (kernel/proc/upcall.c): if p registered one, push
 * a struct UTrapframe on its exception stack and point tf at the upcall;
 * returns true. If the exception stack cannot take it, p is destroyed
 * with a message (never returns). false if p has no upcall. */
bool process_upcall(struct process *p, struct trap_frame *tf, uint64_t fault_va);

/* Ask target to die with wait() status `status` on behalf of environment
 * killer_id; target exits at its next return towards user mode (a wait it
 * is blocked in is interrupted). With PROCESS_KILL_SYNC the caller then
 * sleeps until target has exited. 0, or -ESRCH if target is already gone;
 * -EINTR if the caller was killed while it waited. */
enum process_kill_flags {
    PROCESS_KILL_ASYNC = 0,
    PROCESS_KILL_SYNC = 1u << 0,
};
int process_kill(struct process *target, int status, int killer_id, uint32_t flags);

/* Called on every return towards user mode (the trap layer's user-return
 * hook and the end of every system call): a killed process exits here, a
 * stopped one waits, and a signal that is due is delivered (tf is pointed
 * at the handler; the result of the system call is already in tf->rax).
 * With tf NULL (a system call on the fast path, which has no frame) a due
 * signal stays pending and the verdict says so: the caller must come back
 * with a frame. */
struct trap_frame;
enum process_return_verdict {
    PROCESS_RETURN_DONE,            /* nothing (more) is due */
    PROCESS_RETURN_NEEDS_FRAME,     /* tf was NULL and a signal is due */
};
enum process_return_verdict process_user_return(struct trap_frame *tf);

/* ---- asynchronous signals (kernel/proc/signal.c) ---- */

/* Send signo (SIGINT) to p on behalf of environment sender (0: the
 * kernel): with a handler, it is delivered at p's next return to user
 * mode (a wait p is blocked in returns -EINTR); with SIG_IGN it is thrown
 * away; with SIG_DFL p is killed (process_kill). 0, or -ESRCH if p has
 * exited. Callable from interrupt handlers. */
int process_signal(struct process *p, int signo, int sender);

/* Send signo to every live process of group pgid (the console's Ctrl-C,
 * from its interrupt handler). Returns how many processes the group has:
 * 0 if none is alive (nobody got the signal). */
int process_group_signal(int pgid, int signo, int sender);

/* Deliver a due signal to the current process p, returning to user mode
 * through tf: push the handler's frame, or exit for SIG_DFL (or when the
 * frame cannot be written: SIGSEGV). Nothing if p is in its handler (the
 * signal waits for sigreturn) or nothing is due. */
void process_signal_deliver(struct process *p, struct trap_frame *tf);

/* May self make group pgid the console's foreground group? 0 if the group
 * has a live process that is self or one of its descendants; -ESRCH if no
 * live process is in the group, -EPERM if it belongs to others, -EINVAL
 * for pgid <= 0. (kernel/proc/proc.c) */
int process_group_check_own(struct process *self, int pgid);

/* A user access of a system call failed at va (usercopy.c): remember it
 * for JOS's user_mem_check rule. */
void process_uaccess_failed(uint64_t va);

/* JOS's user_mem_check: a JOS environment whose system call was handed a
 * bad pointer dies with "[ID] user_mem_check assertion failure for va VA".
 * Called by the dispatcher when a call returns -EFAULT; returns only for
 * processes this rule does not apply to. */
void process_mem_check(struct process *p);

/* ---- page-granular memory between processes (kernel/proc/pagemap.c) ---- */
/* JOS's rules for a page address and perm: page aligned in the user half;
 * PTE_P|PTE_U required, nothing beyond PTE_SYSCALL. 0 or -E_INVAL. */
int process_page_args_check(uint64_t va, uint32_t perm);
/* A zeroed page at va in p with perm (checked). 0, -E_INVAL, -E_NO_MEM. */
int process_page_alloc(struct process *p, uint64_t va, uint32_t perm);
/* Remove p's page at va (no page is fine). 0 or -E_INVAL / -E_NO_MEM. */
int process_page_unmap(struct process *p, uint64_t va);
/* Can p give the page at va with perm (uapi/pte.h) away? Materialises a
 * lazy page. 0, or -E_INVAL (no page there, or perm asks for write on a
 * page p cannot write). */
int process_page_check(struct process *p, uint64_t va, uint32_t perm);
/* Map the frame behind from's page srcva at dstva in to, with perm: the
 * same frame, shared and reference counted. 0 or -E_INVAL / -E_NO_MEM. */
int process_page_share(struct process *from, uint64_t srcva, struct process *to,
                       uint64_t dstva, uint32_t perm);

/* A user-mode fault nobody resolved (installed as the trap layer's
 * user-fault hook): run the process's signal handler if it has one,
 * otherwise kill it. Returns only if the process continues. */
void process_fault_signal(struct trap_frame *tf, int signo, uint64_t addr, const char *why,
                          enum trap_fault_action action);

/* End the current process with a wait() status. */
void process_exit(int status) __noreturn;

/* The process of the calling thread, or NULL for a kernel thread.
 * Inline: most system calls start with it. */
static inline struct process *process_current(void)
{
    struct thread *t = thread_current();
    return t ? t->proc : NULL;
}

void process_for_each(void (*fn)(struct process *p, void *arg), void *arg);

/* `trace syscalls on|off`: set KTRACE_SYSCALLS in the trace mask and the
 * console sink of every process (include/trace.h), and of every process
 * started from now on, under the process-table lock. */
void process_trace_console_set(enum ktrace_state state);
int process_count(void);

/* Enter user mode at entry with stack pointer sp; never returns. */
void user_enter(uint64_t entry, uint64_t sp) __noreturn;
/* Enter user mode with every register from *tf (copied first). */
void user_enter_frame(const struct trap_frame *tf) __noreturn;

/* exec.c: open the program file at path for reading: 0 with *f (one
 * reference: file_put it) and its *size; -ENOENT or another open error;
 * -EACCES with *why if it is not a regular file. */
int exec_file_open(const char *path, struct file **f, uint64_t *size, const char **why);

/* exec.c: load the ELF program at path into the empty address space as.
 * Sets *entry and adds the number of regions it added to *nregions. On
 * failure returns -ENOENT, -EACCES, -ENOEXEC (*why says why) or -ENOMEM;
 * regions already added stay (the caller destroys as). */
int exec_load(struct aspace *as, const char *path, uint64_t *entry, int *nregions,
              const char **why);

#endif
