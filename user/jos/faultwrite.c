// Buggy program: faults with a write to JOS's address 0 (JOS lab 3).
#include <jos.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) JOS_VA(0) = 0;
}
