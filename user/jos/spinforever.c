// A parent and its forked child that both spin forever: a JOS job that
// only Ctrl-C (or kill) ends. Neither makes a system call once spinning,
// so the signal must reach them on the timer interrupt's way back to user
// mode; both die, the child too: it is in its parent's job.
#include <jos.h>

void
umain(int argc, char **argv)
{
	envid_t child;

	if ((child = fork()) == 0) {
		printf("I am the child.  Spinning...\n");
		while (1)
			/* do nothing */;
	}
	printf("I am the parent of %08x.  Spinning...\n", child);
	while (1)
		/* do nothing */;
}
