// Ping-pong a counter between two environments (JOS lab 4, part A).
// Start two copies in the background (`/jos/pingpong2 & /jos/pingpong2 &`):
// they find each other in envs[] -- the other live copy started by the same
// parent -- and the one with the lower id gets the ball rolling.
#include <jos.h>

static envid_t
find_partner(void)
{
	for (;;) {
		for (int i = 0; i < NENV; i++) {
			if (envs[i].env_status != ENV_FREE && envs[i].env_id != env->env_id &&
			    envs[i].env_parent_id == env->env_parent_id &&
			    strcmp((const char *) envs[i].env_name, (const char *) env->env_name) == 0)
				return envs[i].env_id;
		}
		sys_yield();	// the other copy has not started yet
	}
}

void
umain(int argc, char **argv)
{
	envid_t who = find_partner();
	uint32_t i;

	if (env->env_id < who)
		// get the ball rolling
		ipc_send(who, 0, 0, 0);

	for (;;) {
		i = ipc_recv(&who, 0, 0);
		printf("%x got %d from %x\n", sys_getenvid(), i, who);
		if (i == 10)
			return;
		i++;
		ipc_send(who, i, 0, 0);
		if (i == 10)
			return;
	}
}
