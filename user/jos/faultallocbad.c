// The kernel, not the handler, meets the bad page: a system call handed an
// unmapped pointer kills the environment without an upcall (JOS lab 4,
// part B). Expected: [ID] user_mem_check assertion failure for va ffff8000deadbeef
#include <jos.h>

static void
handler(struct UTrapframe *utf)
{
	int r;
	void *addr = (void *) utf->utf_fault_va;

	printf("fault %lx\n", (unsigned long) addr);
	if ((r = sys_mem_alloc(0, ROUNDDOWN(addr, PGSIZE), PTE_P | PTE_U | PTE_W)) < 0)
		panic("allocating at %lx in page fault handler: %e", (unsigned long) addr, r);
	snprintf((char *) addr, 100, "this string was faulted in at %lx", (unsigned long) addr);
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	sys_cputs((char *) JOS_VA(0xDEADBEEF), 4);
}
