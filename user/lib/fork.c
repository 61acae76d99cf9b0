/*
 * fork for Strata programs, in user space on the exofork calls (as JOS's,
 * docs/fork.md), but with copy-on-write left to the kernel: a process
 * without a page-fault upcall gets its private copies from the kernel's
 * own fault handler, so no handler or exception stack is needed here.
 *
 * The child resumes right after the inlined env_alloc syscall, on a stack
 * the parent copies afterwards: it must return at once, using only what
 * was in registers then (the return value) and what fork's own frame held
 * before the call (its return address and saved registers, which the
 * parent does not touch while it is still inside fork).
 */
#include <ulib.h>
#include <uapi/vm.h>
#include <uapi/env.h>

static inline __attribute__((always_inline)) int env_alloc_inline(void)
{
    long r;
    __asm__ volatile("syscall" : "=a"(r) : "a"((long)SYS_ENV_ALLOC) : "rcx", "r11", "memory");
    return (int)r;
}

int fork(void)
{
    int child = env_alloc_inline();
    if (child <= 0)
        return child;           /* 0: we are the child; < 0: no child */
    struct vm_region r;
    long err = 0;
    for (uint64_t va = USER_START;
         !err && syscall(SYS_VM_REGION, va, &r) == 0; va = r.end) {
        if (r.flags & (VM_PINNED | VM_KERNEL))
            continue;           /* the kernel's, and the envs view: it has them */
        /* COW for read-only regions too: their pages are shared as they
         * are and lazy ones stay lazy (SHARE would fill them all first). */
        err = syscall(SYS_VM_COPY, child, r.start, r.end - r.start, VM_COPY_COW);
    }
    if (!err)
        err = syscall(SYS_SET_ENV_STATUS, child, ENV_RUNNABLE);
    if (err) {
        kill(child);
        wait(child, NULL);
        return (int)err;
    }
    return child;
}
