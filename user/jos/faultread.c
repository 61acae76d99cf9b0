// Buggy program: faults with a read from JOS's address 0 (JOS lab 3).
#include <jos.h>

void
umain(int argc, char **argv)
{
	printf("I read %08x from location 0!\n", *(volatile unsigned *) JOS_VA(0));
}
