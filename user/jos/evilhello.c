// Evil hello world: asks the kernel to print its own memory (JOS lab 3).
// JOS's kernel entry 0xf0100020 is Strata's 0x100020.
// Expected: [ID] user_mem_check assertion failure for va 00100020
#include <jos.h>

void
umain(int argc, char **argv)
{
	// try to print the kernel entry point as a string!  mua ha ha!
	sys_cputs((char *) 0x100020, 100);
}
