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

/*
 * The one table of system calls: number (its place in the list), name,
 * what it returns and the type of each argument. The kernel's dispatcher
 * (kernel/syscall/syscall.c: handler sys_NAME), strace (user/bin/strace.c)
 * and docs/syscalls.md (tools/gen-syscall-doc) are all built from it, so
 * they cannot drift apart. Add a call at the end.
 *
 * X(NAME, name, ret, a0, a1, a2, a3, a4, doc): ret is an SR_* and each a
 * an SA_* (enum syscall_arg below; SA_NONE for the arguments it does not
 * take); doc is one line for docs/syscalls.md.
 */
#define SYSCALL_LIST(X) \
    X(EXIT,         exit,         SR_NONE, SA_INT,    SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "end the process with a status (wait() sees it); does not return") \
    X(SPAWN,        spawn,        SR_PID,  SA_STR,    SA_ARGV,   SA_NONE,   SA_NONE,   SA_NONE, "start the program at path with argv as a new process (a job of its own); its pid") \
    X(WAIT,         wait,         SR_PID,  SA_PID,    SA_PTR,    SA_WAITOPT, SA_NONE,  SA_NONE, "wait for a child (pid, or -1 for any) to end; stores its status; options WNOHANG, WJOB") \
    X(GETPID,       getpid,       SR_PID,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "the caller's pid (= its environment id)") \
    X(YIELD,        yield,        SR_INT,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "give up the CPU") \
    X(GETC,         getc,         SR_INT,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "the next console byte (waits for one)") \
    X(CWRITE,       cwrite,       SR_INT,  SA_BUF_IN, SA_LEN,    SA_NONE,   SA_NONE,   SA_NONE, "write bytes to the console") \
    X(OPEN,         open,         SR_INT,  SA_STR,    SA_OFLAGS, SA_MODE,   SA_NONE,   SA_NONE, "open a file (O_RDONLY/O_WRONLY/O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND; mode for O_CREAT): a descriptor") \
    X(CLOSE,        close,        SR_INT,  SA_FD,     SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "close a descriptor") \
    X(READ,         read,         SR_INT,  SA_FD,     SA_BUF_OUT, SA_LEN,   SA_NONE,   SA_NONE, "read up to len bytes at the file position (0: end of file)") \
    X(WRITE,        write,        SR_INT,  SA_FD,     SA_BUF_IN, SA_LEN,    SA_NONE,   SA_NONE, "write len bytes at the file position") \
    X(SEEK,         seek,         SR_INT,  SA_FD,     SA_INT,    SA_WHENCE, SA_NONE,   SA_NONE, "move the file position: the new position") \
    X(STAT,         stat,         SR_INT,  SA_STR,    SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE, "describe the file at path (struct fs_stat)") \
    X(READDIR,      readdir,      SR_INT,  SA_STR,    SA_INT,    SA_PTR,    SA_NONE,   SA_NONE, "entry number index of the directory at path (struct fs_dirent); -ENOENT past the end") \
    X(MAP,          map,          SR_PTR,  SA_PTR,    SA_LEN,    SA_PROT,   SA_NONE,   SA_NONE, "anonymous zeroed memory (hint 0: the kernel chooses): its address") \
    X(UNMAP,        unmap,        SR_INT,  SA_PTR,    SA_LEN,    SA_NONE,   SA_NONE,   SA_NONE, "remove a whole mapping made by map") \
    X(SIGNAL,       signal,       SR_INT,  SA_PTR,    SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE, "register the fault-signal handler and its trampoline") \
    X(SIGRETURN,    sigreturn,    SR_NONE, SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "resume the context a signal handler was given") \
    X(ENV_DESTROY,  env_destroy,  SR_INT,  SA_ENVID,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "destroy an environment: yourself (0) or a child") \
    X(CGETC,        cgetc,        SR_INT,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "the next console byte, or 0 if none is waiting") \
    X(IPC_RECV,     ipc_recv,     SR_INT,  SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "wait for an IPC message (and a page at dstva, unless 0)") \
    X(IPC_CAN_SEND, ipc_can_send, SR_INT,  SA_ENVID,  SA_UINT,   SA_PTR,    SA_PERM,   SA_NONE, "deliver a value (and page) if the target is receiving, else -E_IPC_NOT_RECV") \
    X(IPC_SEND,     ipc_send,     SR_INT,  SA_ENVID,  SA_UINT,   SA_PTR,    SA_PERM,   SA_NONE, "deliver a value (and page), waiting in the target's FIFO until it is taken") \
    X(MEM_ALLOC,    mem_alloc,    SR_INT,  SA_ENVID,  SA_PTR,    SA_PERM,   SA_NONE,   SA_NONE, "a zeroed page at va with perm") \
    X(MEM_MAP,      mem_map,      SR_INT,  SA_ENVID,  SA_PTR,    SA_ENVID,  SA_PTR,    SA_PERM, "map the frame behind srcva in srcenv at dstva in dstenv with perm") \
    X(MEM_UNMAP,    mem_unmap,    SR_INT,  SA_ENVID,  SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE, "remove the page at va") \
    X(ENV_ALLOC,    env_alloc,    SR_PID,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "exofork: a not-runnable child with the caller's registers and an empty user half; 0 in the child") \
    X(SET_ENV_STATUS, set_env_status, SR_INT, SA_ENVID, SA_INT,  SA_NONE,   SA_NONE,   SA_NONE, "ENV_RUNNABLE or ENV_NOT_RUNNABLE") \
    X(SET_PGFAULT_HANDLER, set_pgfault_handler, SR_INT, SA_ENVID, SA_PTR, SA_PTR, SA_NONE, SA_NONE, "register the page-fault upcall and the exception stack's top") \
    X(VM_REGION,    vm_region,    SR_INT,  SA_PTR,    SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE, "describe the region at or above va (struct vm_region)") \
    X(VM_PAGES,     vm_pages,     SR_INT,  SA_PTR,    SA_UINT,   SA_PTR,    SA_NONE,   SA_NONE, "the perm bits of n pages from va (0: none, VM_PAGE_LAZY: not filled yet)") \
    X(VM_COPY,      vm_copy,      SR_INT,  SA_ENVID,  SA_PTR,    SA_LEN,    SA_INT,    SA_NONE, "give a child the caller's regions in [va, va+len): VM_COPY_COW or VM_COPY_SHARE") \
    X(BATCH,        batch,        SR_INT,  SA_PTR,    SA_UINT,   SA_NONE,   SA_NONE,   SA_NONE, "run up to 64 system calls in one kernel entry: how many ran") \
    X(FSTAT,        fstat,        SR_INT,  SA_FD,     SA_PTR,    SA_NONE,   SA_NONE,   SA_NONE, "describe an open file (struct fs_stat)") \
    X(DUP,          dup,          SR_INT,  SA_FD,     SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "a new descriptor for the same open file (the lowest free one)") \
    X(DUP2,         dup2,         SR_INT,  SA_FD,     SA_FD,     SA_NONE,   SA_NONE,   SA_NONE, "make newfd refer to the open file of oldfd (closing what newfd had)") \
    X(PIPE,         pipe,         SR_INT,  SA_FDPAIR, SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "a pipe: fds[0] reads, fds[1] writes") \
    X(UNLINK,       unlink,       SR_INT,  SA_STR,    SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "remove a file (or empty directory) of /tmp; an open file lives on until closed") \
    X(MKDIR,        mkdir,        SR_INT,  SA_STR,    SA_MODE,   SA_NONE,   SA_NONE,   SA_NONE, "create a directory in /tmp") \
    X(EXEC,         exec,         SR_INT,  SA_STR,    SA_ARGV,   SA_NONE,   SA_NONE,   SA_NONE, "replace the program of the calling process (xv6's exec): does not return on success") \
    X(SLEEP,        sleep,        SR_INT,  SA_UINT,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "sleep for a number of milliseconds") \
    X(GETPPID,      getppid,      SR_PID,  SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE,   SA_NONE, "the parent's pid (0: started by the kernel)") \
    X(SETPGID,      setpgid,      SR_INT,  SA_PID,    SA_PID,    SA_NONE,   SA_NONE,   SA_NONE, "put process pid (0: the caller; or a child) in process group pgid (0: its own id): a job") \
    X(TRACE,        trace,        SR_INT,  SA_FD,     SA_INT,    SA_NONE,   SA_NONE,   SA_NONE, "trace the caller's system calls into the pipe at fd (flags TRACE_FOLLOW: its children too); fd -1 stops") \
    X(MAP_FILE,     map_file,     SR_PTR,  SA_PTR,    SA_LEN,    SA_PROT,   SA_FD,     SA_UINT, "a private copy of len bytes of the open file fd from offset (page aligned): its address") \
    X(CONSOLE_MODE, console_mode, SR_INT,  SA_FD,     SA_INT,    SA_NONE,   SA_NONE,   SA_NONE, "set the mode of the console fd refers to (CONSOLE_ECHO, CONSOLE_CANON, CONSOLE_ISIG: uapi/console.h; CONSOLE_MODE_GET: only read it): the old mode") \
    X(CONSOLE_FG,   console_fg,   SR_PID,  SA_FD,     SA_PID,    SA_NONE,   SA_NONE,   SA_NONE, "make pgid the console's foreground group, which Ctrl-C interrupts (tcsetpgrp; the group must hold the caller or a descendant; 0: only read it): the old one")

enum syscall_no {
#define SYSCALL_ENUM_(NAME, name, ret, a0, a1, a2, a3, a4, doc) SYS_##NAME,
    SYSCALL_LIST(SYSCALL_ENUM_)
#undef SYSCALL_ENUM_
    SYS_COUNT
};

/* What a system call returns, for tracing. */
enum syscall_ret {
    SR_INT,         /* a count, 0, or -error */
    SR_PID,         /* a process/environment id, or -error */
    SR_PTR,         /* an address (map), or -error */
    SR_NONE,        /* does not return (exit, a successful sigreturn) */
};

/* The type of an argument, for tracing. */
enum syscall_arg {
    SA_NONE,        /* not an argument */
    SA_INT,         /* a signed number */
    SA_UINT,        /* an unsigned number */
    SA_LEN,         /* a length in bytes */
    SA_FD,          /* a descriptor */
    SA_PID,         /* a process id (-1: any) */
    SA_ENVID,       /* an environment id (hex; 0: self) */
    SA_PTR,         /* an address */
    SA_STR,         /* a NUL-terminated string (a path) */
    SA_BUF_IN,      /* bytes the call reads; their count is the next argument */
    SA_BUF_OUT,     /* bytes the call writes; their count is the result */
    SA_ARGV,        /* a NULL-terminated array of strings */
    SA_OFLAGS,      /* O_* open flags (uapi/fs.h) */
    SA_MODE,        /* permission bits (octal) */
    SA_WHENCE,      /* SEEK_SET / SEEK_CUR / SEEK_END */
    SA_PROT,        /* PROT_* (map) */
    SA_WAITOPT,     /* WNOHANG | WJOB */
    SA_PERM,        /* PTE_* page permissions (uapi/pte.h) */
    SA_FDPAIR,      /* int[2]: two descriptors written by the call */
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
