// Ping-pong a counter between two shared-memory environments (JOS lab 4,
// part C, the sfork challenge): the counter `val` is one variable both
// share; `thisenv` still names each one's own slot.
#include <jos.h>

uint32_t val;

void
umain(int argc, char **argv)
{
	envid_t who;

	if ((who = sfork()) != 0) {
		printf("i am %08x; thisenv is %p\n", sys_getenvid(), thisenv);
		// get the ball rolling
		printf("send 0 from %x to %x\n", sys_getenvid(), who);
		ipc_send(who, 0, 0, 0);
	}

	while (1) {
		ipc_recv(&who, 0, 0);
		printf("%x got %d from %x (thisenv is %p %x)\n", sys_getenvid(), val, who,
		       thisenv, thisenv->env_id);
		if (val == 10)
			return;
		++val;
		ipc_send(who, 0, 0, 0);
		if (val == 10)
			return;
	}
}
