/*
 * Environment and IPC system calls: JOS's names, thin handlers over
 * kernel/proc/env.c and kernel/proc/ipc.c (docs/environments.md).
 * Which environments a call may name follows JOS: sys_env_destroy only
 * the caller or its child, IPC anyone alive.
 */
#include <syscall.h>
#include <proc.h>
#include <monitor.h>
#include <env.h>
#include <ipc.h>
#include <console.h>
#include <log.h>
#include <aspace.h>
#include <usercopy.h>
#include <mm.h>
#include <uapi/signal.h>
#include <uapi/pte.h>
#include <uapi/vm.h>
#include <uapi/layout.h>
#include <uapi/syscall.h>
#include <uapi/errno.h>

/* sys_env_destroy(envid): envid 0 or the caller's own id ends the caller
 * (JOS's exit: "exiting gracefully"); a child is killed and this call
 * returns once it has gone, as JOS's synchronous env_destroy. */
long sys_env_destroy(struct trap_frame *tf, uint64_t envid, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *self = process_current();
    bool f = spin_lock_irqsave(&env_lock);
    struct process *target = env_lookup((int)envid, self, ENV_CHECK_SELF_OR_CHILD);
    spin_unlock_irqrestore(&env_lock, f);
    if (!target || (int64_t)envid != (int32_t)envid)
        return -E_BAD_ENV;
    if (target == self)
        process_exit(WAIT_EXITED(0));
    if (env_logged(self) || env_logged(target))
        kprintf("[%08x] destroying %08x\n", self->pid, target->pid);
    /* target is our child: it cannot be reaped by anyone but us. */
    int err = process_kill(target, WAIT_SIGNALED(SIGKILL), self->pid, PROCESS_KILL_SYNC);
    return err == -ESRCH ? -E_BAD_ENV : err;
}

/* sys_cgetc(): the next console byte if one is waiting, else 0 (JOS's
 * polling read; sys_getc is the blocking one). */
long sys_cgetc(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    int c = console_trygetc();
    return c < 0 ? 0 : c;
}

long sys_ipc_recv(struct trap_frame *tf, uint64_t dstva, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return ipc_recv(dstva);
}

/* The envid argument is an envid_t (32 bits): a value that does not fit
 * cannot name an environment. */
static long ipc_send_call(uint64_t envid, uint64_t value, uint64_t srcva, uint64_t perm,
                          enum ipc_send_mode mode)
{
    if ((int64_t)envid != (int32_t)envid)
        return -E_BAD_ENV;
    if (perm > UINT32_MAX)
        return -E_INVAL;
    return ipc_send((int)envid, value, srcva, (uint32_t)perm, mode);
}

long sys_ipc_can_send(struct trap_frame *tf, uint64_t envid, uint64_t value, uint64_t srcva, uint64_t perm, uint64_t a4)
{
    return ipc_send_call(envid, value, srcva, perm, IPC_SEND_TRY);
}

long sys_ipc_send(struct trap_frame *tf, uint64_t envid, uint64_t value, uint64_t srcva, uint64_t perm, uint64_t a4)
{
    return ipc_send_call(envid, value, srcva, perm, IPC_SEND_BLOCK);
}

/* ---- page-granular memory, exofork, the upcall (JOS lab 4 parts B and C) ---- */

/* The environment envid names for a call with JOS's checkperm (the caller
 * or its child), or NULL. Such a process cannot be freed while the caller
 * runs: only its parent (the caller) reaps it. */
static struct process *env_mine(uint64_t envid)
{
    if ((int64_t)envid != (int32_t)envid)
        return NULL;
    bool f = spin_lock_irqsave(&env_lock);
    struct process *p = env_lookup((int)envid, process_current(), ENV_CHECK_SELF_OR_CHILD);
    spin_unlock_irqrestore(&env_lock, f);
    return p;
}

long sys_mem_alloc(struct trap_frame *tf, uint64_t envid, uint64_t va, uint64_t perm, uint64_t a3, uint64_t a4)
{
    struct process *p = env_mine(envid);
    if (!p)
        return -E_BAD_ENV;
    if (perm > UINT32_MAX || process_page_args_check(va, (uint32_t)perm) < 0)
        return -E_INVAL;
    return process_page_alloc(p, va, (uint32_t)perm);
}

long sys_mem_map(struct trap_frame *tf, uint64_t srcenv, uint64_t srcva, uint64_t dstenv, uint64_t dstva, uint64_t perm)
{
    struct process *src = env_mine(srcenv), *dst = env_mine(dstenv);
    if (!src || !dst)
        return -E_BAD_ENV;
    if (perm > UINT32_MAX || process_page_args_check(srcva, (uint32_t)perm) < 0 ||
        process_page_args_check(dstva, (uint32_t)perm) < 0)
        return -E_INVAL;
    return process_page_share(src, srcva, dst, dstva, (uint32_t)perm);
}

long sys_mem_unmap(struct trap_frame *tf, uint64_t envid, uint64_t va, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = env_mine(envid);
    if (!p)
        return -E_BAD_ENV;
    return process_page_unmap(p, va);
}

/* JOS's exofork: the child resumes from this very trap frame with rax 0. */
long sys_env_alloc(struct trap_frame *tf, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    return process_env_alloc(process_current(), tf);
}

long sys_set_env_status(struct trap_frame *tf, uint64_t envid, uint64_t status, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = env_mine(envid);
    if (!p)
        return -E_BAD_ENV;
    if (status != ENV_RUNNABLE && status != ENV_NOT_RUNNABLE)
        return -E_INVAL;
    return process_set_status(p, (uint32_t)status);
}

/* The upcall and stack top are not checked here: the hardware refuses a
 * bad upcall when the environment resumes there, and the kernel checks
 * the exception stack each time it writes a frame on it. */
long sys_set_pgfault_handler(struct trap_frame *tf, uint64_t envid, uint64_t upcall, uint64_t xstacktop,
                             uint64_t a3, uint64_t a4)
{
    struct process *p = env_mine(envid);
    if (!p)
        return -E_BAD_ENV;
    p->pgfault_xstacktop = xstacktop;
    p->pgfault_upcall = upcall;
    /* Its copy-on-write faults are now its own business (JOS's fork). */
    aspace_policy_set(p->as, ASPACE_POLICY_USER_COW, upcall != 0);
    return 0;
}

/* ---- describing and copying the address space (uapi/vm.h) ---- */

static uint32_t vm_flags_of(uint32_t rf)
{
    uint32_t f = VM_READ;
    if (rf & REGION_WRITE) f |= VM_WRITE;
    if (rf & REGION_EXEC)  f |= VM_EXEC;
    if (rf & REGION_PIN)   f |= VM_PINNED;
    if (rf & REGION_KERN)  f |= VM_KERNEL;
    if (rf & REGION_ANON)  f |= VM_ANON;
    if (rf & REGION_FILE)  f |= VM_FILE;
    return f;
}

long sys_vm_region(struct trap_frame *tf, uint64_t va, uint64_t uout, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct region r;
    if (va < USER_START)
        va = USER_START;
    if (va >= USER_END)
        return -ENOENT;
    int err = aspace_region_query(process_current()->as, va, REGION_QUERY_FROM, &r);
    if (err)
        return err == -ENOENT ? -ENOENT : -E_INVAL;
    struct vm_region out = {
        .start = r.va_start, .end = region_end(&r), .flags = vm_flags_of(r.flags),
    };
    return copy_to_user(uout, &out, sizeof(out));
}

long sys_vm_pages(struct trap_frame *tf, uint64_t va, uint64_t n, uint64_t uout, uint64_t a3, uint64_t a4)
{
    uint32_t perms[64];
    struct aspace *as = process_current()->as;
    if (n > VM_PAGES_MAX || !IS_ALIGNED(va, PAGE_SIZE) || !user_range_ok(va, n * PAGE_SIZE))
        return -E_INVAL;
    for (uint64_t done = 0; done < n;) {
        uint64_t k = MIN(n - done, ARRAY_SIZE(perms));
        for (uint64_t i = 0; i < k; i++) {
            uint32_t flags;
            int err = aspace_page_query(as, va + (done + i) * PAGE_SIZE, &flags);
            perms[i] = err == -ENOENT ? VM_PAGE_LAZY : err ? 0 :
                       PTE_P | PTE_U | ((flags & PAGE_WRITE) ? PTE_W : 0) | (flags & PTE_AVAIL);
        }
        if (copy_to_user(uout + done * sizeof(uint32_t), perms, k * sizeof(uint32_t)) < 0)
            return -EFAULT;
        done += k;
    }
    return 0;
}

long sys_vm_copy(struct trap_frame *tf, uint64_t dstenv, uint64_t va, uint64_t len, uint64_t mode, uint64_t a4)
{
    struct process *self = process_current(), *dst = env_mine(dstenv);
    if (!dst)
        return -E_BAD_ENV;
    if (dst == self || (mode != VM_COPY_COW && mode != VM_COPY_SHARE) ||
        !IS_ALIGNED(va | len, PAGE_SIZE) || len == 0 || !user_range_ok(va, len))
        return -E_INVAL;
    int err = aspace_range_copy(self->as, dst->as, va, len,
                                mode == VM_COPY_COW ? ASPACE_COPY_COW : ASPACE_COPY_SHARE);
    if (!err)
        monitor_fork(self, dst, va, len);   /* the monitor's int3s stay the parent's */
    return err == -ENOMEM ? -E_NO_MEM : err ? -E_INVAL : 0;
}
