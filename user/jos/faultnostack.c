// An upcall with no exception stack: the kernel cannot push the frame and
// destroys the environment (JOS lab 4, part B).
#include <jos.h>

void
umain(int argc, char **argv)
{
	sys_set_pgfault_handler(0, _pgfault_upcall, (void *) UXSTACKTOP);
	*(int *) JOS_VA(0) = 0;
}
