/*
 * The Strata user library: system-call wrappers, console I/O, printf,
 * strings and malloc. One header for every user program.
 *
 * Conventions: wrappers return what the kernel returns: >= 0 on success, a
 * negated error code from uapi/errno.h on failure (there is no errno).
 * map() returns an address; test it with IS_ERR()/PTR_ERR() because user
 * addresses (0xffff8...) are negative when seen as a long.
 *
 * The string functions (memcpy, strlen, strcmp, strlcpy, str_to_u64, ...)
 * come from kernel/lib/string.c, the formatter (snprintf, vsnprintf,
 * fmt_vformat) from kernel/lib/fmt.c and errstr() from kernel/lib/errstr.c: the
 * library compiles those pure files again with the user flags.
 */
#ifndef STRATA_ULIB_H
#define STRATA_ULIB_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <compiler.h>
#include <string.h>
#include <fmt.h>
#include <errstr.h>
#include <signame.h>
#include <lineedit.h>
#include <uapi/errno.h>
#include <uapi/console.h>
#include <uapi/syscall.h>
#include <uapi/signal.h>
#include <uapi/layout.h>
#include <uapi/fs.h>

/* ---- raw system calls (user/lib/syscall.c) ----
 * syscall(): the `syscall` instruction; syscall_int80(): `int $0x80`.
 * Both take the number and up to six arguments and return rax. */
long syscall(long n, ...);
long syscall_int80(long n, ...);

/* ---- wrappers ---- */
__noreturn void exit(int status);
int spawn(const char *path, char *const argv[]);
int wait(int pid, int *status);
int waitpid(int pid, int *status, int options);  /* WNOHANG, WJOB */
int kill(int pid);                      /* a child (SYS_ENV_DESTROY); 0: yourself */
int getpid(void);
int yield(void);
int getc(void);                         /* next console byte, or -error */
long cwrite(const void *buf, size_t len);
int open(const char *path, int flags, ...);   /* O_* (uapi/fs.h); mode with O_CREAT */
int close(int fd);
long read(int fd, void *buf, size_t len);
long write(int fd, const void *buf, size_t len);
long seek(int fd, long off, int whence);
int stat(const char *path, struct fs_stat *st);
int readdir(const char *path, size_t index, struct fs_dirent *d);
int fstat(int fd, struct fs_stat *st);
int dup(int fd);
int dup2(int oldfd, int newfd);
int pipe(int fds[2]);                   /* fds[0] reads, fds[1] writes */
int unlink(const char *path);
int mkdir(const char *path, int mode);
/* Replace this program by the one at path (xv6's exec): returns only on
 * failure, with the old image intact. execv is the POSIX name. */
int exec(const char *path, char *const argv[]);
int execv(const char *path, char *const argv[]);
/* A copy of this process (user/lib/fork.c): the child's pid in the
 * parent, 0 in the child. Memory is shared copy-on-write (the kernel makes
 * the copies); open files are shared. */
int fork(void);
int sleep_ms(unsigned ms);
int getppid(void);
int setpgid(int pid, int pgid);       /* 0: self / own id */
/* The console behind fd as a terminal (uapi/console.h): set its mode
 * (CONSOLE_COOKED, CONSOLE_RAW, or CONSOLE_MODE_GET to only read it), or
 * make pgid its foreground group, the one Ctrl-C interrupts (0: only read
 * it). Both return the old value, or -EBADF / -ENOTTY (fd is not the
 * console) / -EINVAL, and for console_fg -ESRCH (no such group) or -EPERM
 * (the group holds neither the caller nor one of its descendants). */
int console_mode(int fd, int mode);
int console_fg(int fd, int pgid);
int trace(int fd, int flags);           /* strace's: uapi/trace.h */
void *map(void *hint, size_t len, int prot);
/* A private copy of a file's bytes [offset, offset+len) (offset page
 * aligned): writes to it stay in the process; a /tmp file is copied now,
 * so later writes to the file do not show. */
void *map_file(void *hint, size_t len, int prot, int fd, size_t offset);
int unmap(void *addr, size_t len);

/* Errors returned in a pointer (map): the top 4095 values. */
#define IS_ERR(p)   ((uintptr_t)(p) >= (uintptr_t)-4095)
#define PTR_ERR(p)  ((long)(intptr_t)(p))

/* ---- signals (user/lib/signal.c) ----
 * handler(sig, fault_addr, ctx), for the fault signals and SIGINT (Ctrl-C;
 * fault_addr 0): may edit *ctx (e.g. ctx->rip) and return, which resumes
 * the interrupted code through __sigtramp and SYS_SIGRETURN, or may
 * exit(). A system call that SIGINT interrupted returns -EINTR once the
 * handler is done. Registers __sigtramp as the trampoline (the frame
 * contract is in user/lib/signal.c). Returns 0 or -error.
 * signal_default: no handler (the signal kills); signal_ignore: SIGINT is
 * thrown away (faults still kill; exec keeps it). */
typedef void (*sighandler_t)(int sig, uint64_t fault_addr, struct sigcontext *ctx);
int signal(sighandler_t handler);
int signal_default(void);
int signal_ignore(void);
void __sigtramp(void);                  /* the trampoline; never call it */
int sigreturn(struct sigcontext *ctx);  /* raw SYS_SIGRETURN (for tests) */
/* A made-up context for sigreturn (tests): resume at rip with every
 * register 0, rflags IF only, rsp = stack_end - 8 (as right after a call;
 * stack_end 16-byte aligned). */
void sigcontext_forge(struct sigcontext *ctx, void (*rip)(void), void *stack_end);

/* ---- console output (user/lib/stdio.c), unbuffered across calls ---- */
int printf(const char *fmt, ...) __printf(1, 2);
int vprintf(const char *fmt, va_list ap);
int dprintf(int fd, const char *fmt, ...) __printf(2, 3);
int vdprintf(int fd, const char *fmt, va_list ap);
int puts(const char *s);                /* s and a newline */
int putchar(int c);
long write_all(int fd, const void *buf, size_t len);

/* ---- line input (user/lib/readline.c) ----
 * Print prompt and read a line from standard input with the line editor
 * of include/lineedit.h (the root shell's: arrows, Home/End, Delete,
 * Backspace, Ctrl-A/E/U/K, history with up/down). The console is put in
 * raw mode while the line is edited and given back its mode after. The
 * line (at most n-1 bytes, cut if longer) and a NUL go to buf. Returns
 * LINEEDIT_DONE, LINEEDIT_TOO_LONG, LINEEDIT_CANCEL (Ctrl-C: buf is
 * empty), LINEEDIT_EOF (Ctrl-D on an empty line, or the end of a
 * standard input that is not the console), or the negative error of a
 * read. Lines that are DONE go to the history (readline_history). */
int readline(const char *prompt, char *buf, size_t n);
/* The history readline keeps (LINEEDIT_HISTORY lines). */
struct lineedit_history *readline_history(void);

/* ---- memory (user/lib/malloc.c) ---- */
void *malloc(size_t n);
void free(void *p);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *p, size_t n);

/* ---- misc (user/lib/util.c) ---- */
/* Parse a decimal (or 0x hex) integer with an optional '-'; 0 or -EINVAL/-ERANGE. */
int parse_long(const char *s, long *out);
int atoi(const char *s);                /* parse_long, 0 on error */
char *strcpy(char *dst, const char *src);
char *strcat(char *dst, const char *src);
__noreturn void abort(void);            /* message, then exit(134) */

#define assert(e) ((e) ? (void)0 : __assert_fail(#e, __FILE__, __LINE__))
__noreturn void __assert_fail(const char *expr, const char *file, int line);

/* Read the time-stamp counter (for the benchmarks). */
static inline uint64_t rdtsc(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

#endif
