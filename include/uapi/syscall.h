/*
 * System call numbers and calling convention, shared by the kernel and the
 * user library.
 *
 * Entry: `syscall` (fast path) or `int $0x80` (same dispatcher). The number
 * goes in rax, arguments in rdi, rsi, rdx, r10, r8, r9 (r10, not rcx, which
 * `syscall` overwrites); the result comes back in rax: >= 0 on success, a
 * negated error code from uapi/errno.h on failure. An unknown number
 * returns -EINVAL. Every pointer argument is checked: a bad one gives
 * -EFAULT, never a kernel fault.
 */
#ifndef STRATA_UAPI_SYSCALL_H
#define STRATA_UAPI_SYSCALL_H

enum syscall_no {
    SYS_EXIT = 0,       /* exit(int status): does not return */
    SYS_SPAWN,          /* spawn(const char *path, char *const argv[]) -> pid */
    SYS_WAIT,           /* wait(int pid, int *status, int options) -> pid; pid -1:
                           any child; options WNOHANG (0 if none has exited
                           yet) and WJOB (also wait for the child's job) */
    SYS_GETPID,         /* getpid() -> pid */
    SYS_YIELD,          /* yield() -> 0 */
    SYS_GETC,           /* getc() -> next console byte (blocks) */
    SYS_CWRITE,         /* cwrite(const char *buf, size_t len) -> len: console */
    SYS_OPEN,           /* open(const char *path) -> fd (read-only); -EMFILE
                           when the process's 16 descriptors (0-2 included) are taken */
    SYS_CLOSE,          /* close(int fd) -> 0 */
    SYS_READ,           /* read(int fd, void *buf, size_t len) -> bytes */
    SYS_WRITE,          /* write(int fd, const void *buf, size_t len) -> bytes
                           (fd 1 and 2 are the console) */
    SYS_SEEK,           /* seek(int fd, long off, int whence) -> new offset */
    SYS_STAT,           /* stat(const char *path, struct fs_stat *st) -> 0 */
    SYS_READDIR,        /* readdir(const char *path, size_t index, struct fs_dirent *) -> 0,
                           -ENOENT past the end */
    SYS_MAP,            /* map(void *hint, size_t len, int prot) -> address:
                           anonymous zeroed memory; hint 0 lets the kernel choose.
                           -ELIMIT past 1024 regions per process (the program's
                           own count), -EPERM over the reserved pages below the
                           stack (uapi/layout.h) */
    SYS_UNMAP,          /* unmap(void *addr, size_t len) -> 0: a whole mapping */
    SYS_SIGNAL,         /* signal(handler, trampoline) -> 0: the fault handler */
    SYS_SIGRETURN,      /* sigreturn(struct sigcontext *) : resume, does not return */
    /* Environments and IPC (JOS's calls; docs/environments.md). pid and
     * environment id are the same number; 0 names the caller. */
    SYS_ENV_DESTROY,    /* env_destroy(envid) -> 0: self (never returns) or a child */
    SYS_CGETC,          /* cgetc() -> next console byte, or 0 if none is waiting */
    SYS_IPC_RECV,       /* ipc_recv(dstva) -> 0: block until a value arrives */
    SYS_IPC_CAN_SEND,   /* ipc_can_send(envid, value, srcva, perm) -> 0 or -E_IPC_NOT_RECV */
    SYS_IPC_SEND,       /* ipc_send(envid, value, srcva, perm) -> 0: blocks until taken */
    /* Page-granular memory, exofork and the page-fault upcall (JOS lab 4
     * parts B and C; docs/fork.md). perm: uapi/pte.h. */
    SYS_MEM_ALLOC,      /* mem_alloc(envid, va, perm) -> 0: a zeroed page at va */
    SYS_MEM_MAP,        /* mem_map(srcenv, srcva, dstenv, dstva, perm) -> 0 */
    SYS_MEM_UNMAP,      /* mem_unmap(envid, va) -> 0 */
    SYS_ENV_ALLOC,      /* env_alloc() -> child id; 0 in the child (not runnable) */
    SYS_SET_ENV_STATUS, /* set_env_status(envid, status) -> 0 */
    SYS_SET_PGFAULT_HANDLER, /* set_pgfault_handler(envid, upcall, xstacktop) -> 0 */
    SYS_VM_REGION,      /* vm_region(va, struct vm_region *) -> 0: the region at or above va */
    SYS_VM_PAGES,       /* vm_pages(va, n, uint32_t *perms) -> 0: each page's perm bits */
    SYS_VM_COPY,        /* vm_copy(dstenv, va, len, mode) -> 0: fork's range copy */
    SYS_BATCH,          /* batch(struct sysreq *reqs, n) -> number done */
    SYS_COUNT
};

/* Protections for SYS_MAP (read is always allowed). */
#define PROT_READ   0x1
#define PROT_WRITE  0x2
#define PROT_EXEC   0x4

/* Standard descriptors: the console. */
#define FD_STDIN    0
#define FD_STDOUT   1
#define FD_STDERR   2

/* Limits on arguments. */
#define SYSCALL_PATH_MAX    256     /* including the NUL */
#define SYSCALL_ARGV_MAX    16      /* arguments to spawn */
#define SYSCALL_ARG_MAX     256     /* bytes per argument, including the NUL */
#define SYSCALL_IO_MAX      (1u << 20)  /* bytes per read/write call */

/* wait() options */
#define WNOHANG     1       /* return 0 at once if no child has exited yet */
#define WJOB        2       /* after the child, wait until every process of its
                               job (the processes it forked) has exited too */

/* wait() status: exited normally with a code, or killed by a signal. */
#define WAIT_EXITED(code)   (((code) & 0xff) << 8)
#define WAIT_SIGNALED(sig)  ((sig) & 0x7f)
#define WIFEXITED(s)        (((s) & 0x7f) == 0)
#define WEXITSTATUS(s)      (((s) >> 8) & 0xff)
#define WIFSIGNALED(s)      (((s) & 0x7f) != 0)
#define WTERMSIG(s)         ((s) & 0x7f)

#endif
