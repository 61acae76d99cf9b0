/* JOS's IPC library calls over the kernel's blocking send (docs/environments.md). */
#include <jos.h>

void ipc_send(envid_t to, uint64_t value, void *srcva, int perm)
{
    /* sys_ipc_send waits in the kernel, in a FIFO per receiver, until the
     * receiver takes the message: no loop, and fair by construction. */
    int r = sys_ipc_send(to, value, srcva, perm);
    if (r < 0)
        panic("ipc_send to %08x: %e", to, r);
}

uint64_t ipc_recv(envid_t *from_env_store, void *dstva, int *perm_store)
{
    int r = sys_ipc_recv(dstva);
    if (r < 0) {
        if (from_env_store)
            *from_env_store = 0;
        if (perm_store)
            *perm_store = 0;
        return (uint64_t)(int64_t)r;
    }
    if (from_env_store)
        *from_env_store = env->env_ipc_from;
    if (perm_store)
        *perm_store = (int)env->env_ipc_perm;
    return env->env_ipc_value;
}
