// An upcall address that is not code: the hardware refuses it, on the
// exception stack, until the stack runs out (JOS lab 4, part B).
#include <jos.h>

void
umain(int argc, char **argv)
{
	sys_mem_alloc(0, (void *) (UXSTACKTOP - PGSIZE), PTE_P | PTE_U | PTE_W);
	sys_set_pgfault_handler(0, (void (*)(void)) JOS_VA(0xDeadBeef), (void *) UXSTACKTOP);
	*(int *) JOS_VA(0) = 0;
}
