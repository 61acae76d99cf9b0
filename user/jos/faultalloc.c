// A page-fault handler that allocates the missing page, including a fault
// inside the handler itself (JOS lab 4, part B). Expected:
//   fault ffff8000deadbeef
//   this string was faulted in at ffff8000deadbeef
//   fault ffff8000cafebffe
//   fault ffff8000cafec000
//   this string was faulted in at ffff8000cafebffe
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
	printf("%s\n", (char *) JOS_VA(0xDeadBeef));
	printf("%s\n", (char *) JOS_VA(0xCafeBffe));
}
