// Ping-pong a counter between two environments (JOS lab 4, part C), split
// with the copying fork of dumbfork: the first test of sys_env_alloc,
// sys_mem_alloc/map/unmap and sys_set_env_status.
#include <jos.h>

static void
duppage(envid_t dstenv, void *addr)
{
	int r;

	if ((r = sys_mem_alloc(dstenv, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_mem_alloc: %e", r);
	if ((r = sys_mem_map(dstenv, addr, 0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_mem_map: %e", r);
	memmove(UTEMP, addr, PGSIZE);
	if ((r = sys_mem_unmap(0, UTEMP)) < 0)
		panic("sys_mem_unmap: %e", r);
}

static envid_t
copyfork(void)
{
	envid_t envid = sys_env_alloc();
	uint8_t *addr;
	int r;

	if (envid < 0)
		panic("sys_env_alloc: %e", envid);
	if (envid == 0) {
		env = &envs[ENVX(sys_getenvid())];
		return 0;
	}
	for (addr = __user_start; addr < __user_end; addr += PGSIZE)
		duppage(envid, addr);
	duppage(envid, ROUNDDOWN(&addr, PGSIZE));
	if ((r = sys_set_env_status(envid, ENV_RUNNABLE)) < 0)
		panic("sys_set_env_status: %e", r);
	return envid;
}

void
umain(int argc, char **argv)
{
	envid_t who;
	uint32_t i;

	if ((who = copyfork()) != 0) {
		// get the ball rolling
		printf("send 0 from %x to %x\n", sys_getenvid(), who);
		ipc_send(who, 0, 0, 0);
	}

	for (;;) {
		i = ipc_recv(&who, 0, 0);
		printf("%x got %d from %x\n", sys_getenvid(), i, who);
		if (i == 10)
			return;
		i++;
		ipc_send(who, i, 0, 0);
		if (i == 10)
			return;
	}
}
