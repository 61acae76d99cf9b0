/* JOS's system calls, as Strata implements them (uapi/syscall.h). */
#include <jos.h>
#include <sysc.h>
#include <uapi/syscall.h>

void sys_cputs(const char *s, size_t len)
{
    sc2(SYS_CWRITE, SC_L(s), SC_L(len));
}

int sys_cgetc(void)
{
    return (int)sc0(SYS_CGETC);
}

envid_t sys_getenvid(void)
{
    return (envid_t)sc0(SYS_GETPID);
}

int sys_env_destroy(envid_t envid)
{
    return (int)sc1(SYS_ENV_DESTROY, envid);
}

void sys_yield(void)
{
    sc0(SYS_YIELD);
}

int sys_ipc_recv(void *dstva)
{
    return (int)sc1(SYS_IPC_RECV, SC_L(dstva));
}

int sys_ipc_can_send(envid_t envid, uint64_t value, void *srcva, int perm)
{
    return (int)sc4(SYS_IPC_CAN_SEND, envid, (long)value, SC_L(srcva), perm);
}

int sys_ipc_send(envid_t envid, uint64_t value, void *srcva, int perm)
{
    return (int)sc4(SYS_IPC_SEND, envid, (long)value, SC_L(srcva), perm);
}
