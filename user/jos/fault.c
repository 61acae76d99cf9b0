// Buggy program: faults with a write to JOS's address 0 (JOS lab 4, part B).
// Expected: [ID] user fault va ffff800000000000 ip ...
#include <jos.h>

void
umain(int argc, char **argv)
{
	*(volatile unsigned *) JOS_VA(0) = 0;
}
