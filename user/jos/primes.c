// Concurrent version of the prime sieve of Eratosthenes (JOS lab 4, part C):
// a generator feeds 2, 3, 4, ... to a chain of filters, each forked by the
// one before when it finds a new prime. JOS's runs forever; this one stops
// after the numbers below a limit (argument, default 100): a 0 travels down
// the chain and every filter exits.
#include <jos.h>

static int
atoi_simple(const char *s)
{
	int v = 0;
	while (*s >= '0' && *s <= '9')
		v = v * 10 + (*s++ - '0');
	return v;
}

static void
primeproc(void)
{
	int i, id, p;
	envid_t envid;

	// fetch a prime from our left neighbor
top:
	p = ipc_recv(&envid, 0, 0);
	if (p == 0)
		return;
	printf("%d ", p);

	// fork a right neighbor to continue the chain
	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0)
		goto top;

	// filter out multiples of our prime
	for (;;) {
		i = ipc_recv(&envid, 0, 0);
		if (i == 0 || i % p)
			ipc_send(id, i, 0, 0);
		if (i == 0)
			return;
	}
}

void
umain(int argc, char **argv)
{
	int i, id, limit = argc > 1 ? atoi_simple(argv[1]) : 100;

	// fork the first prime process in the chain
	if ((id = fork()) < 0)
		panic("fork: %e", id);
	if (id == 0) {
		primeproc();
		return;
	}

	// feed all the integers through
	for (i = 2; i < limit; i++)
		ipc_send(id, i, 0, 0);
	ipc_send(id, 0, 0, 0);
}
