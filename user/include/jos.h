/*
 * <jos.h>: the JOS personality of Strata's user library, for programs
 * written for MIT's JOS (lab 4) and ported to 64 bits. A JOS program
 * includes only this header and defines umain(); it is built from
 * user/jos/NAME.c into the initrd as /jos/NAME, linked with user/libjos.
 *
 * Addresses: JOS's user address v is Strata's 0xffff800000000000 + v
 * (JOS_VA(v)); JOS's 0xdeadbeef is Strata's 0xffff8000deadbeef. Every
 * free page of the user half outside the reserved areas of
 * docs/user-layout.md can be used by the memory calls.
 *
 * Errors: calls return -E_x; E_x are Strata's errno values under JOS's
 * names (include/uapi/errno.h, docs/environments.md). printf knows JOS's
 * %e conversion (an error code as text), so it is not format-checked.
 */
#ifndef STRATA_JOS_H
#define STRATA_JOS_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdarg.h>
#include <uapi/env.h>
#include <uapi/pte.h>
#include <uapi/errno.h>
#include <uapi/layout.h>

/* ---- environments ---- */
extern const volatile struct Env envs[NENV];    /* JOS's UENVS, read-only */
extern const volatile struct Env *env;          /* this environment, set before umain */
#define thisenv env

/* ---- memory ---- */
#define PGSIZE          4096
#define PGSHIFT         12
#define PGNUM(va)       (((uintptr_t)(va)) >> PGSHIFT)
#define PGOFF(va)       (((uintptr_t)(va)) & (PGSIZE - 1))
#define JOS_VA(v)       ((uintptr_t)USER_START + (uintptr_t)(v))
#define UTOP            ((uintptr_t)USER_END)
#define UTEMP           ((void *)USER_SCRATCH)                  /* scratch page */
#define PFTEMP          ((void *)(USER_SCRATCH + 0x1000))       /* fork's scratch page */
#define UXSTACKTOP      USER_XSTACK_TOP                          /* exception stack top */
#define USTACKTOP       USER_STACK_TOP                           /* normal stack top */

/* Round down / up to a multiple of n (a power of two or not); the result
 * has the type of a. */
#define ROUNDDOWN(a, n)                                                 \
    ({                                                                  \
        uint64_t __a = (uint64_t)(a);                                   \
        (__typeof__(a))(__a - __a % (n));                               \
    })
#define ROUNDUP(a, n)                                                   \
    ({                                                                  \
        uint64_t __n = (uint64_t)(n);                                   \
        (__typeof__(a))(ROUNDDOWN((uint64_t)(a) + __n - 1, __n));       \
    })
#define MIN(a, b)       ((a) < (b) ? (a) : (b))
#define MAX(a, b)       ((a) > (b) ? (a) : (b))

/* Program image bounds (user/user.ld). */
extern unsigned char __user_start[], __user_end[];

/* ---- the page-fault upcall (part B) ---- */
struct PushRegs {
    uint64_t reg_r15, reg_r14, reg_r13, reg_r12, reg_r11, reg_r10, reg_r9, reg_r8;
    uint64_t reg_rsi, reg_rdi, reg_rbp, reg_rdx, reg_rcx, reg_rbx, reg_rax;
};
struct UTrapframe {
    uint64_t utf_fault_va;          /* the faulting address */
    uint64_t utf_err;               /* the page-fault error code (FEC_*) */
    struct PushRegs utf_regs;
    uint64_t utf_rip;
    uint64_t utf_rflags;
    uint64_t utf_rsp;
};  /* the handler is entered with %rsp pointing at it */

/* Page-fault error code bits (utf_err). */
#define FEC_PR  0x1     /* the page was present (protection violation) */
#define FEC_WR  0x2     /* the access was a write */
#define FEC_U   0x4     /* the access came from user mode */

/* ---- the program ---- */
void umain(int argc, char **argv);
extern const char *binaryname;      /* argv[0] */
void exit(void) __attribute__((noreturn));

/* ---- console and strings ---- */
int printf(const char *fmt, ...);
int cprintf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
void _panic(const char *file, int line, const char *fmt, ...) __attribute__((noreturn));
/* Print "[ID] user panic in NAME at FILE:LINE: message" and exit. */
#define panic(...) _panic(__FILE__, __LINE__, __VA_ARGS__)
#define assert(x)                                                       \
    do { if (!(x)) panic("assertion failed: %s", #x); } while (0)

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
char *strcpy(char *dst, const char *src);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

/* ---- system calls ---- */
void sys_cputs(const char *s, size_t len);
int sys_cgetc(void);
envid_t sys_getenvid(void);
int sys_env_destroy(envid_t envid);
void sys_yield(void);
int sys_ipc_recv(void *dstva);                                       /* NULL: no page */
int sys_ipc_can_send(envid_t envid, uint64_t value, void *srcva, int perm); /* NULL: no page */
int sys_ipc_send(envid_t envid, uint64_t value, void *srcva, int perm);     /* blocks */

/* ---- IPC ---- */
/* Send value (and the page at srcva, if not NULL) to `to`; waits until it
 * is taken (panics on an error). */
void ipc_send(envid_t to, uint64_t value, void *srcva, int perm);
/* Wait for a message: returns the value; stores the sender and the page's
 * perm (0 if no page came) where the pointers are not NULL. */
uint64_t ipc_recv(envid_t *from_env_store, void *dstva, int *perm_store);

#endif
