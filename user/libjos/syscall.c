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

int sys_set_env_status(envid_t envid, int status)
{
    return (int)sc2(SYS_SET_ENV_STATUS, envid, status);
}

int sys_mem_alloc(envid_t envid, void *va, int perm)
{
    return (int)sc3(SYS_MEM_ALLOC, envid, SC_L(va), perm);
}

int sys_mem_map(envid_t srcenv, void *srcva, envid_t dstenv, void *dstva, int perm)
{
    return (int)sc5(SYS_MEM_MAP, srcenv, SC_L(srcva), dstenv, SC_L(dstva), perm);
}

int sys_mem_unmap(envid_t envid, void *va)
{
    return (int)sc2(SYS_MEM_UNMAP, envid, SC_L(va));
}

int sys_set_pgfault_handler(envid_t envid, void (*upcall)(void), void *xstacktop)
{
    return (int)sc3(SYS_SET_PGFAULT_HANDLER, envid, SC_L(upcall), SC_L(xstacktop));
}

int sys_vm_region(void *va, struct vm_region *out)
{
    return (int)sc2(SYS_VM_REGION, SC_L(va), SC_L(out));
}

int sys_vm_pages(void *va, size_t n, uint32_t *perms)
{
    return (int)sc3(SYS_VM_PAGES, SC_L(va), SC_L(n), SC_L(perms));
}

int sys_vm_copy(envid_t dstenv, void *va, size_t len, int mode)
{
    return (int)sc4(SYS_VM_COPY, dstenv, SC_L(va), SC_L(len), mode);
}

int sys_batch(struct sysreq *reqs, size_t n)
{
    return (int)sc2(SYS_BATCH, SC_L(reqs), SC_L(n));
}

uint32_t vm_page_perm(const void *va)
{
    uint32_t perm = 0;
    if (sys_vm_pages((void *) ROUNDDOWN((uintptr_t) va, PGSIZE), 1, &perm) < 0)
        return 0;
    return perm;
}

int wait(envid_t envid)
{
    int status;
    long r = sc3(SYS_WAIT, envid, SC_L(&status), 0);
    return r < 0 ? (int)r : 0;
}
