// fork under memory pressure: the parent dirties a large heap (argument:
// MiB, default 64), forks, and both write every page: the copies run out
// of frames at some point. Whoever cannot get a frame dies with a message;
// nothing else does, and every frame comes back.
#include <jos.h>

#define HEAP ((uint8_t *) JOS_VA(0x40000000))

void
umain(int argc, char **argv)
{
	int mib = 0, r;
	for (const char *s = argc > 1 ? argv[1] : "64"; *s >= '0' && *s <= '9'; s++)
		mib = mib * 10 + (*s - '0');
	size_t pages = (size_t) mib * 256, got = 0;

	for (size_t i = 0; i < pages; i++) {
		if ((r = sys_mem_alloc(0, HEAP + i * PGSIZE, PTE_P | PTE_U | PTE_W)) < 0)
			break;
		HEAP[i * PGSIZE] = (uint8_t) i;
		got++;
	}
	printf("forkmem: %lu pages allocated\n", (unsigned long) got);
	envid_t child = fork();
	if (child < 0) {
		printf("forkmem: fork: %e\n", child);
		return;
	}
	// Both sides write every page: each write is a copy-on-write copy.
	for (size_t i = 0; i < got; i++)
		HEAP[i * PGSIZE + 1] = 1;
	printf("forkmem: %s wrote all %lu pages\n", child ? "parent" : "child", (unsigned long) got);
}
