// Fork a binary tree of processes and display their structure
// (JOS lab 4, part C).
#include <jos.h>

#define DEPTH 3

static void forktree(const char *cur);

static void
forkchild(const char *cur, char branch)
{
	char nxt[DEPTH + 1];

	if (strlen(cur) >= DEPTH)
		return;
	snprintf(nxt, DEPTH + 1, "%s%c", cur, branch);
	if (fork() == 0) {
		forktree(nxt);
		exit();
	}
}

static void
forktree(const char *cur)
{
	printf("%04x: I am '%s'\n", sys_getenvid(), cur);
	forkchild(cur, '0');
	forkchild(cur, '1');
}

void
umain(int argc, char **argv)
{
	forktree("");
}
