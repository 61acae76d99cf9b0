// An upcall address in the kernel (JOS's 0xf0100020 is Strata's 0x100020):
// user mode cannot run there, the environment dies (JOS lab 4, part B).
#include <jos.h>

void
umain(int argc, char **argv)
{
	sys_mem_alloc(0, (void *) (UXSTACKTOP - PGSIZE), PTE_P | PTE_U | PTE_W);
	sys_set_pgfault_handler(0, (void (*)(void)) 0x100020, (void *) UXSTACKTOP);
	*(int *) JOS_VA(0) = 0;
}
