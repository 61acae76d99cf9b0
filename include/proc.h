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
#include <arch/trap.h>

#define PROC_MAGIC          0x50524F43u     /* "PROC" */
#define PROC_DEAD_MAGIC     0x44454144u
#define PROC_MAX_FILES      16      /* descriptors, the console's 0-2 included: then -EMFILE */
#define PROC_MAX_REGIONS    1024    /* user regions (program, stack, map()s): then -ELIMIT */
#define PROC_NAME_MAX       32

struct thread;
struct aspace;
struct file;

enum proc_state {
    PROC_RUNNING,
    PROC_ZOMBIE,
};

struct proc_args;

struct process {
    uint32_t magic;
    enum proc_state state;
    int pid;
    char name[PROC_NAME_MAX];
    struct process *parent;         /* NULL: started by the kernel (urun) */
    bool orphan;                    /* nobody will wait: the reaper frees it */
    struct list_node children;      /* struct process.sibling */
    struct list_node sibling;
    struct list_node all_link;
    struct thread *main;
    struct aspace *as;
    struct file *files[PROC_MAX_FILES];     /* 0-2: the console (NULL) */
    int exit_status;                /* WAIT_EXITED / WAIT_SIGNALED encoding */
    uint64_t sig_handler;           /* 0: none */
    uint64_t sig_trampoline;
    bool in_handler;                /* a fault in the handler kills */
    uint64_t entry;                 /* program entry point */
    uint64_t mmap_next;             /* hint for the next map() */
    int nregions;                   /* user regions, at most PROC_MAX_REGIONS: each
                                       costs kernel heap */
    struct proc_args *args;         /* argv until the process has started */
};

void proc_init(void);

/* Start the program at path with argv[0..argc) (kernel copies) as a child
 * of parent (NULL: of the kernel). Returns the new pid, or -ENOENT,
 * -ENOEXEC (with the reason printed), -ENOMEM, -E2BIG. */
int process_spawn(const char *path, int argc, char *const argv[], struct process *parent);

/* Wait for a child of parent (NULL: a kernel-started process, then pid
 * must name it) to exit; pid -1 means any child. Returns its pid and sets
 * *status, or -ECHILD if there is no such child. */
int process_wait(struct process *parent, int pid, int *status);

/* A user-mode fault nobody resolved (installed as the trap layer's
 * user-fault hook): run the process's signal handler if it has one,
 * otherwise kill it. Returns only if the process continues. */
void process_fault_signal(struct trap_frame *tf, int signo, uint64_t addr, const char *why,
                          enum trap_fault_action action);

/* End the current process with a wait() status. */
void process_exit(int status) __noreturn;

/* The process of the calling thread, or NULL for a kernel thread. */
struct process *process_current(void);

void process_for_each(void (*fn)(struct process *p, void *arg), void *arg);
int process_count(void);

/* Enter user mode at entry with stack pointer sp; never returns. */
void user_enter(uint64_t entry, uint64_t sp) __noreturn;

/* exec.c: load the ELF program at path into the empty address space as.
 * Sets *entry and adds the number of regions it added to *nregions. On
 * failure returns -ENOENT, -EACCES, -ENOEXEC (*why says why) or -ENOMEM;
 * regions already added stay (the caller destroys as). */
int exec_load(struct aspace *as, const char *path, uint64_t *entry, int *nregions,
              const char **why);

#endif
