// hello, world (JOS lab 4, part A)
#include <jos.h>

void
umain(int argc, char **argv)
{
	printf("hello, world\n");
	printf("i am environment %08x\n", env->env_id);
}
