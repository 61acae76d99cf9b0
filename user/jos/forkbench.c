// Costs of the user-level fork, in TSC ticks (under `-icount` the TSC
// counts instructions): `make bench` runs it and prints the figures beside
// the rest. One line each, in sysbench's format:
//   sysbench: jos_fork_exit_wait: C cycles/call (N calls)           fork + exit + wait
//   sysbench: jos_fork_exit_wait_unbatched: ...                      the same, one syscall per step
//   sysbench: jos_fork_16m_exit_wait: ...                            with 16 MiB of dirty heap
//   sysbench: jos_fork_16m_exit_wait_unbatched: ...
//   sysbench: jos_cow_fault: C cycles/call (P calls)                 first write to a COW page
#include <jos.h>

#define HEAP		((uint8_t *) JOS_VA(0x50000000))
#define HEAP_PAGES	4096		// 16 MiB
#define FORKS		10

extern int fork_batched;

static inline uint64_t
rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t) hi << 32) | lo;
}

static void
report(const char *name, uint64_t total, int calls)
{
	printf("sysbench: %s: %lu cycles/call (%d calls)\n", name, (unsigned long) (total / calls), calls);
}

static uint64_t
fork_exit_wait(int n)
{
	uint64_t t0 = rdtsc();
	for (int i = 0; i < n; i++) {
		envid_t child = fork();
		if (child < 0)
			panic("fork: %e", child);
		if (child == 0)
			exit();
		if (wait(child) < 0)
			panic("wait");
	}
	return rdtsc() - t0;
}

static uint64_t
cow_faults(void)
{
	envid_t child = fork();
	if (child < 0)
		panic("fork: %e", child);
	if (child == 0) {
		ipc_recv(0, 0, 0);	// keep the pages shared until told
		exit();
	}
	uint64_t t0 = rdtsc();
	for (int i = 0; i < HEAP_PAGES; i++)
		HEAP[i * PGSIZE] = 2;
	uint64_t t = rdtsc() - t0;
	ipc_send(child, 0, 0, 0);
	wait(child);
	return t;
}

void
umain(int argc, char **argv)
{
	fork_exit_wait(2);	// warm up: exception stack, library pages
	report("jos_fork_exit_wait", fork_exit_wait(FORKS), FORKS);
	fork_batched = 0;
	report("jos_fork_exit_wait_unbatched", fork_exit_wait(FORKS), FORKS);
	fork_batched = 1;

	for (int i = 0; i < HEAP_PAGES; i++) {
		int r = sys_mem_alloc(0, HEAP + i * PGSIZE, PTE_P | PTE_U | PTE_W);
		if (r < 0)
			panic("sys_mem_alloc: %e", r);
		HEAP[i * PGSIZE] = 1;
	}
	report("jos_fork_16m_exit_wait", fork_exit_wait(FORKS), FORKS);
	fork_batched = 0;
	report("jos_fork_16m_exit_wait_unbatched", fork_exit_wait(FORKS), FORKS);
	fork_batched = 1;
	report("jos_cow_fault", cow_faults(), HEAP_PAGES);
}
