// A page-fault handler that reports the fault and destroys the environment
// (JOS lab 4, part B). Expected: i faulted at va ffff8000deadbeef, err 6
#include <jos.h>

static void
handler(struct UTrapframe *utf)
{
	void *addr = (void *) utf->utf_fault_va;
	uint64_t err = utf->utf_err;
	printf("i faulted at va %lx, err %x\n", (unsigned long) addr, (unsigned) (err & 7));
	sys_env_destroy(sys_getenvid());
}

void
umain(int argc, char **argv)
{
	set_pgfault_handler(handler);
	*(int *) JOS_VA(0xDeadBeef) = 0;
}
