// Fork by copying everything at once, page by page (JOS lab 4, part C):
// the baseline for fork. The parent prints 10 lines, the child 20.
#include <jos.h>

static void
duppage(envid_t dstenv, void *addr)
{
	int r;

	// This is NOT what you should do in your fork.
	if ((r = sys_mem_alloc(dstenv, addr, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_mem_alloc: %e", r);
	if ((r = sys_mem_map(dstenv, addr, 0, UTEMP, PTE_P | PTE_U | PTE_W)) < 0)
		panic("sys_mem_map: %e", r);
	memmove(UTEMP, addr, PGSIZE);
	if ((r = sys_mem_unmap(0, UTEMP)) < 0)
		panic("sys_mem_unmap: %e", r);
}

static envid_t
dumbfork(void)
{
	envid_t envid;
	uint8_t *addr;
	int r;

	// Allocate a new child environment. The kernel will initialize it
	// with a copy of our register state, so that the child will appear
	// to have called sys_env_alloc() too - except that in the child,
	// this "fake" call to sys_env_alloc() will return 0 instead of the
	// envid of the child.
	envid = sys_env_alloc();
	if (envid < 0)
		panic("sys_env_alloc: %e", envid);
	if (envid == 0) {
		// We're the child. The copied value of the global variable
		// 'env' is no longer valid (it refers to the parent!).
		env = &envs[ENVX(sys_getenvid())];
		return 0;
	}

	// We're the parent: copy our whole program image, then the stack
	// page we are on (the child's stack is that one page).
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
	int i;

	// fork a child process
	who = dumbfork();

	// print a message and yield to the other a few times
	for (i = 0; i < (who ? 10 : 20); i++) {
		printf("%d: I am the %s!\n", i, who ? "parent" : "child");
		sys_yield();
	}
}
