/*
 * Environment and IPC system calls: JOS's names, thin handlers over
 * kernel/proc/env.c and kernel/proc/ipc.c (docs/environments.md).
 * Which environments a call may name follows JOS: sys_env_destroy only
 * the caller or its child, IPC anyone alive.
 */
#include <syscall.h>
#include <proc.h>
#include <env.h>
#include <ipc.h>
#include <console.h>
#include <log.h>
#include <uapi/signal.h>
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
