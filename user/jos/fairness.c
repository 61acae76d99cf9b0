// Fairness of IPC (JOS lab 4, part A, challenge 1). Start three copies
// (`/jos/fairness & /jos/fairness & /jos/fairness &`): the copy with the
// lowest id receives, the other two send to it as fast as they can. The
// receiver counts whose messages it got and prints the counts; with
// ipc_send's FIFO of blocked senders each sender gets about half.
//
// `fairness poll` makes the senders use JOS's original polling loop
// (sys_ipc_can_send + sys_yield) instead, for comparison.
#include <jos.h>

#define MESSAGES 100

static int
siblings(envid_t *ids, int max)
{
	int n = 0;
	for (int i = 0; i < NENV && n < max; i++)
		if (envs[i].env_status != ENV_FREE &&
		    envs[i].env_parent_id == env->env_parent_id &&
		    strcmp((const char *) envs[i].env_name, (const char *) env->env_name) == 0)
			ids[n++] = envs[i].env_id;
	return n;
}

static void
receive(envid_t id)
{
	envid_t from[2] = { 0, 0 };
	int count[2] = { 0, 0 };

	// Let both senders queue up before counting.
	for (int i = 0; i < 10; i++)
		sys_yield();
	for (int m = 0; m < MESSAGES; m++) {
		envid_t who;
		ipc_recv(&who, 0, 0);
		int k = from[0] == 0 || from[0] == who ? 0 : 1;
		from[k] = who;
		count[k]++;
	}
	for (int k = 0; k < 2; k++)
		printf("%x received %d of %d messages from %x\n", id, count[k], MESSAGES, from[k]);
}

static void
send(envid_t id, envid_t to, bool poll)
{
	int sent = 0, r;

	printf("%x loop sending to %x\n", id, to);
	for (;;) {
		if (poll) {
			while ((r = sys_ipc_can_send(to, 0, 0, 0)) == -E_IPC_NOT_RECV)
				sys_yield();
		} else {
			r = sys_ipc_send(to, 0, 0, 0);
		}
		if (r < 0)
			break;	// the receiver is gone: -E_BAD_ENV
		sent++;
	}
	if (r != -E_BAD_ENV)
		panic("send: %e", r);
	printf("%x sent %d messages\n", id, sent);
}

void
umain(int argc, char **argv)
{
	envid_t id = sys_getenvid(), ids[3];
	bool poll = argc > 1 && strcmp(argv[1], "poll") == 0;

	while (siblings(ids, 3) < 3)
		sys_yield();	// wait for all three copies
	envid_t receiver = MIN(ids[0], MIN(ids[1], ids[2]));
	if (id == receiver)
		receive(id);
	else
		send(id, receiver, poll);
}
