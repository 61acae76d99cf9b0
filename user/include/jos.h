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
#include <uapi/syscall.h>
#include <uapi/vm.h>
#include <uapi/upcall.h>

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

/* ---- the page-fault upcall (part B): struct PushRegs, struct
 * UTrapframe and the FEC_* bits come from <uapi/upcall.h> ---- */

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

int sys_set_env_status(envid_t envid, int status);
int sys_mem_alloc(envid_t envid, void *va, int perm);
int sys_mem_map(envid_t srcenv, void *srcva, envid_t dstenv, void *dstva, int perm);
int sys_mem_unmap(envid_t envid, void *va);
int sys_set_pgfault_handler(envid_t envid, void (*upcall)(void), void *xstacktop);

/* Strata's address-space queries (uapi/vm.h; JOS read uvpt instead). */
int sys_vm_region(void *va, struct vm_region *out);
int sys_vm_pages(void *va, size_t n, uint32_t *perms);
int sys_vm_copy(envid_t dstenv, void *va, size_t len, int mode);
int sys_batch(struct sysreq *reqs, size_t n);
/* The perm bits of the page at va (0 if it does not exist; VM_PAGE_LAZY
 * if a region would fill it on first touch). */
uint32_t vm_page_perm(const void *va);

/* JOS's exofork. Inline, as in JOS, so that a child that copies its
 * parent's stack by hand (dumbfork) returns through a valid frame: the
 * child resumes right after this syscall instruction with rax = 0 and
 * the parent's other registers. */
static inline __attribute__((always_inline)) envid_t
sys_env_alloc(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_ENV_ALLOC) : "rcx", "r11", "memory");
    return (envid_t)r;
}

/* ---- the page-fault upcall and fork (parts B and C) ---- */
/* Install handler for this environment's page faults; allocates the
 * exception stack below UXSTACKTOP on first use. */
void set_pgfault_handler(void (*handler)(struct UTrapframe *utf));
void _pgfault_upcall(void);             /* the assembly entry the kernel calls */
/* Copy-on-write fork in user space: the child id to the parent, 0 to the
 * child, or a negative error (no child was left behind). */
envid_t fork(void);
/* Shared-memory fork: everything shared but the stack (and the page that
 * holds `env`), which are copy-on-write. */
envid_t sfork(void);
/* Wait until the child envid has exited (JOS's lib/wait.c of later labs;
 * Strata reaps it, so its slot and memory come back). 0, or -E_BAD_ENV /
 * -ECHILD when envid is not a child that can be waited for. */
int wait(envid_t envid);

/* ---- IPC ---- */
/* Send value (and the page at srcva, if not NULL) to `to`; waits until it
 * is taken (panics on an error). */
void ipc_send(envid_t to, uint64_t value, void *srcva, int perm);
/* Wait for a message: returns the value; stores the sender and the page's
 * perm (0 if no page came) where the pointers are not NULL. */
uint64_t ipc_recv(envid_t *from_env_store, void *dstva, int *perm_store);

#endif
