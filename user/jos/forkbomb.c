// A fork bomb: every environment forks as fast as it can until fork fails.
// The bomb must end with -E_NO_FREE_ENV (or -E_NO_MEM); the shell and the
// kernel stay up, and every frame comes back once all have exited. When
// fork fails, an environment waits for the first one to leave before it
// leaves too, so that the table stays full until every bomb has hit the
// wall (otherwise each exit would let another fork through, for a long
// time). Only the first environment reports.
#include <jos.h>

static envid_t root;

static bool
root_alive(void)
{
	return envs[ENVX(root)].env_id == root && envs[ENVX(root)].env_status != ENV_FREE;
}

static envid_t
bomb(int *children)
{
	envid_t r;
	while ((r = fork()) > 0)
		(*children)++;
	if (r == 0) {
		int more = 0;
		bomb(&more);
		while (root_alive())
			sys_yield();
		exit();
	}
	return r;
}

void
umain(int argc, char **argv)
{
	int children = 0;
	root = sys_getenvid();
	envid_t r = bomb(&children);

	if (r != -E_NO_FREE_ENV && r != -E_NO_MEM)
		panic("fork failed with %e, not E_NO_FREE_ENV or E_NO_MEM", r);
	printf("forkbomb: fork failed (%e) after %d children of mine\n", r, children);
	for (int i = 0; i < 100; i++)
		sys_yield();
}
