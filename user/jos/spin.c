// Test preemption by forking off a child process that just spins forever,
// then destroying it (JOS lab 4, part C).
#include <jos.h>

void
umain(int argc, char **argv)
{
	envid_t child;

	printf("I am the parent.  Forking the child...\n");
	if ((child = fork()) == 0) {
		printf("I am the child.  Spinning...\n");
		while (1)
			/* do nothing */;
	}

	printf("I am the parent.  Running the child...\n");
	sys_yield();
	sys_yield();
	sys_yield();
	sys_yield();
	sys_yield();
	sys_yield();
	sys_yield();
	sys_yield();

	printf("I am the parent.  Killing the child...\n");
	sys_env_destroy(child);
}
