/*
 * System-call entry (uapi/syscall.h): number in rax, arguments in rdi,
 * rsi, rdx, r10, r8, r9, result in rax; `syscall` clobbers rcx and r11.
 *
 * long syscall(long n, a1, a2, a3, a4, a5, a6)
 * long syscall_int80(long n, a1, a2, a3, a4, a5, a6)
 *
 * Written in assembly so the variadic prototype costs nothing: the SysV
 * convention puts n, a1..a5 in rdi, rsi, rdx, rcx, r8, r9 and a6 on the
 * stack, variadic or not; the stub shifts them into the kernel's
 * registers. Missing arguments just pass whatever the registers hold.
 * Both are "normal" functions for the caller: only caller-saved
 * registers change.
 */
#include <ulib.h>
#include <sysc.h>

#define SYSCALL_SHUFFLE             \
    "    mov %rdi, %rax\n"          \
    "    mov %rsi, %rdi\n"          \
    "    mov %rdx, %rsi\n"          \
    "    mov %rcx, %rdx\n"          \
    "    mov %r8, %r10\n"           \
    "    mov %r9, %r8\n"            \
    "    mov 8(%rsp), %r9\n"

__asm__(
    ".text\n"
    ".globl syscall\n"
    ".type syscall, @function\n"
    "syscall:\n"
    SYSCALL_SHUFFLE
    "    syscall\n"
    "    ret\n"
    ".size syscall, . - syscall\n"

    ".globl syscall_int80\n"
    ".type syscall_int80, @function\n"
    "syscall_int80:\n"
    SYSCALL_SHUFFLE
    "    int $0x80\n"
    "    ret\n"
    ".size syscall_int80, . - syscall_int80\n");

#define L(x) SC_L(x)

void exit(int status)
{
    for (;;)
        sc1(SYS_EXIT, status);
}

int spawn(const char *path, char *const argv[])
{
    return (int)sc2(SYS_SPAWN, L(path), L(argv));
}

int wait(int pid, int *status)
{
    return (int)sc3(SYS_WAIT, pid, L(status), 0);
}

int waitpid(int pid, int *status, int options)
{
    return (int)sc3(SYS_WAIT, pid, L(status), options);
}

int kill(int pid)
{
    return (int)sc1(SYS_ENV_DESTROY, pid);
}

int getpid(void)
{
    return (int)sc0(SYS_GETPID);
}

int yield(void)
{
    return (int)sc0(SYS_YIELD);
}

int getc(void)
{
    return (int)sc0(SYS_GETC);
}

long cwrite(const void *buf, size_t len)
{
    return sc2(SYS_CWRITE, L(buf), L(len));
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    int mode = (flags & O_CREAT) ? va_arg(ap, int) : 0;
    va_end(ap);
    return (int)sc3(SYS_OPEN, L(path), flags, mode);
}

int close(int fd)
{
    return (int)sc1(SYS_CLOSE, fd);
}

long read(int fd, void *buf, size_t len)
{
    return sc3(SYS_READ, fd, L(buf), L(len));
}

long write(int fd, const void *buf, size_t len)
{
    return sc3(SYS_WRITE, fd, L(buf), L(len));
}

long seek(int fd, long off, int whence)
{
    return sc3(SYS_SEEK, fd, off, whence);
}

int stat(const char *path, struct fs_stat *st)
{
    return (int)sc2(SYS_STAT, L(path), L(st));
}

int readdir(const char *path, size_t index, struct fs_dirent *d)
{
    return (int)sc3(SYS_READDIR, L(path), L(index), L(d));
}

void *map(void *hint, size_t len, int prot)
{
    return (void *)sc3(SYS_MAP, L(hint), L(len), prot);
}

void *map_file(void *hint, size_t len, int prot, int fd, size_t offset)
{
    return (void *)sc5(SYS_MAP_FILE, L(hint), L(len), prot, fd, L(offset));
}

int unmap(void *addr, size_t len)
{
    return (int)sc2(SYS_UNMAP, L(addr), L(len));
}

int sigreturn(struct sigcontext *ctx)
{
    return (int)sc1(SYS_SIGRETURN, L(ctx));
}

int fstat(int fd, struct fs_stat *st)
{
    return (int)sc2(SYS_FSTAT, fd, L(st));
}

int dup(int fd)
{
    return (int)sc1(SYS_DUP, fd);
}

int dup2(int oldfd, int newfd)
{
    return (int)sc2(SYS_DUP2, oldfd, newfd);
}

int pipe(int fds[2])
{
    return (int)sc1(SYS_PIPE, L(fds));
}

int unlink(const char *path)
{
    return (int)sc1(SYS_UNLINK, L(path));
}

int mkdir(const char *path, int mode)
{
    return (int)sc2(SYS_MKDIR, L(path), mode);
}

int exec(const char *path, char *const argv[])
{
    return (int)sc2(SYS_EXEC, L(path), L(argv));
}

int execv(const char *path, char *const argv[])
{
    return exec(path, argv);
}

int sleep_ms(unsigned ms)
{
    return (int)sc1(SYS_SLEEP, ms);
}

int getppid(void)
{
    return (int)sc0(SYS_GETPPID);
}

int trace(int fd, int flags)
{
    return (int)sc2(SYS_TRACE, fd, flags);
}

int setpgid(int pid, int pgid)
{
    return (int)sc2(SYS_SETPGID, pid, pgid);
}

int console_mode(int fd, int mode)
{
    return (int)sc2(SYS_CONSOLE_MODE, fd, mode);
}

int console_fg(int fd, int pgid)
{
    return (int)sc2(SYS_CONSOLE_FG, fd, pgid);
}
