// Buggy hello world: hands the kernel a pointer it may not use (JOS lab 3).
// Expected: [ID] user_mem_check assertion failure for va 00000001
#include <jos.h>

void
umain(int argc, char **argv)
{
	sys_cputs((char *) 1, 1);
}
