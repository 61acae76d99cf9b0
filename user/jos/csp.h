/*
 * csp.h: Hoare's synchronous channels over JOS IPC, for the message-passing
 * programs matmul.c and powser.c (docs/fork.md, "Message passing
 * programs"). Static functions in a header: every user/jos/NAME.c is a
 * program of its own, and these two share the layer.
 *
 * JOS IPC is a mailbox: ipc_recv takes the next message from anyone, and
 * ipc_send waits until the receiver takes it. CSP's input names its
 * partner (Hoare's M(i,j-1)?x): a process waits for one partner while
 * others may be ready to talk to it. So every transfer is asked for:
 *
 *    consumer C                              producer P
 *    csp_get(P)  ---- CSP_REQ (a value) ---> filed: "C has asked"
 *                                            csp_put(C, msg): once C has
 *                <--- the message (a page) - asked, send msg on a fresh page
 *
 * A message without a page is control (its value: CSP_REQ or CSP_QUIT);
 * a message with a page is data, its value the length. Whatever arrives
 * while a process waits for something else is filed in the sender's slot
 * (csp_step), and since nobody sends data unasked, a slot holds at most
 * one request and one message: no queue grows.
 *
 * Why no send waits for ever: data goes only to a process that has asked
 * and is receiving until it gets it; a request goes to a producer, which
 * is either receiving or busy with another consumer's request (only a
 * process with several consumers has one), and the programs' networks
 * give such chains no cycle (each program says why for its own network).
 *
 * Start and end: csp_spawn forks the processes and sends each, as its
 * first message, the table of everybody's id. A process ends when its
 * work says so (matmul: an end mark that flows through the network) or
 * when the parent sends CSP_QUIT, which the parent does only when the
 * network is idle (csp_quit): nobody is owed an answer then, which
 * csp_step checks.
 *
 * Invariants, per process: a slot's `asked`, `awaiting` and `arrived`
 * follow the protocol above (a violation panics with the partner's id);
 * `arrived` implies not `awaiting`.
 */
#ifndef CSP_H
#define CSP_H

#include <jos.h>

#define CSP_MSG_MAX	128		/* bytes of one message */
#define CSP_PEERS_MAX	40		/* partners of one process */
#define CSP_PROCS_MAX	31		/* csp_spawn's children: the id table fits a message */
#define CSP_SENDVA	((void *) JOS_VA(0xc0000000))	/* where a message is written */
#define CSP_RECVVA	((void *) JOS_VA(0xc0001000))	/* where one arrives */

enum csp_ctl { CSP_REQ = 1, CSP_QUIT = 2 };	/* values of messages without a page */

struct csp_peer {
	envid_t id;
	bool asked;			/* it asked us for a message we have not sent */
	bool awaiting;			/* we asked it, no answer yet */
	bool arrived;			/* its answer is in msg */
	size_t len;
	uint8_t msg[CSP_MSG_MAX];
};

static struct csp_peer csp_peers[CSP_PEERS_MAX];
static int csp_npeers;
static envid_t csp_parent;		/* who may send CSP_QUIT (0: nobody) */

/* The slot of partner id (a new one the first time). */
static inline struct csp_peer *
csp_peer(envid_t id)
{
	for (int i = 0; i < csp_npeers; i++)
		if (csp_peers[i].id == id)
			return &csp_peers[i];
	if (csp_npeers == CSP_PEERS_MAX)
		panic("csp: more than %d partners", CSP_PEERS_MAX);
	csp_peers[csp_npeers] = (struct csp_peer) { .id = id };
	return &csp_peers[csp_npeers++];
}

/* A CSP_QUIT arrived: exit, after checking that nobody waits for us and
 * we wait for nobody (the parent quits only an idle network). */
static inline void
csp_quit_here(envid_t from)
{
	if (from != csp_parent)
		panic("csp: CSP_QUIT from %08x, which is not our parent", from);
	for (int i = 0; i < csp_npeers; i++)
		if (csp_peers[i].asked || csp_peers[i].awaiting)
			panic("csp: told to quit while %08x %s", csp_peers[i].id,
			      csp_peers[i].asked ? "waits for us" : "owes us a message");
	exit();
}

/* Receive one message and file it in its sender's slot (CSP_QUIT: exit). */
static inline void
csp_step(void)
{
	envid_t from;
	int perm;
	uint64_t v = ipc_recv(&from, CSP_RECVVA, &perm);

	if (from == 0)
		panic("csp: ipc_recv: %e", (int) v);
	struct csp_peer *p = csp_peer(from);
	if (perm) {
		if (!p->awaiting)
			panic("csp: %08x sent a message nobody asked for", from);
		if (v > CSP_MSG_MAX)
			panic("csp: %08x sent %ld bytes", from, (long) v);
		memcpy(p->msg, CSP_RECVVA, v);
		p->len = v;
		p->awaiting = false;
		p->arrived = true;
	} else if (v == CSP_REQ) {
		if (p->asked)
			panic("csp: %08x asked twice", from);
		p->asked = true;
	} else if (v == CSP_QUIT) {
		csp_quit_here(from);
	} else {
		panic("csp: %08x sent %lx without a page", from, v);
	}
}

/* ipc_send to a partner; if the partner is gone, the network is being
 * torn down (csp_kill) or the partner died and said why: end quietly. */
static inline void
csp_ipc_send(envid_t to, uint64_t value, void *page, int perm)
{
	int r = sys_ipc_send(to, value, page, perm);

	if (r == -E_BAD_ENV)
		exit();
	if (r < 0)
		panic("csp: ipc_send to %08x: %e", to, r);
}

/* Ask producer `from` for its next message (csp_take collects it). */
static inline void
csp_request(envid_t from)
{
	struct csp_peer *p = csp_peer(from);

	if (p->awaiting || p->arrived)
		panic("csp: asking %08x again before taking its answer", from);
	p->awaiting = true;
	csp_ipc_send(from, CSP_REQ, 0, 0);
}

/* Has `from` answered our request? Then copy its message (len bytes,
 * which must be what it sent) to msg and return true. */
static inline bool
csp_take(envid_t from, void *msg, size_t len)
{
	struct csp_peer *p = csp_peer(from);

	if (!p->arrived)
		return false;
	if (p->len != len)
		panic("csp: %08x sent %ld bytes, %ld expected", from, (long) p->len, (long) len);
	memcpy(msg, p->msg, len);
	p->arrived = false;
	return true;
}

/* Has consumer `to` asked us for a message? */
static inline bool
csp_asked(envid_t to)
{
	return csp_peer(to)->asked;
}

/* Is our request to `from` unanswered? */
static inline bool
csp_awaiting(envid_t from)
{
	return csp_peer(from)->awaiting;
}

/* Answer consumer `to`, which has asked: len bytes of msg, on a fresh page
 * (the last one stays the receiver's until it receives the next). */
static inline void
csp_send(envid_t to, const void *msg, size_t len)
{
	struct csp_peer *p = csp_peer(to);
	int r;

	if (!p->asked)
		panic("csp: sending to %08x, which has not asked", to);
	if (len > CSP_MSG_MAX)
		panic("csp: a message of %ld bytes", (long) len);
	if ((r = sys_mem_alloc(0, CSP_SENDVA, PTE_P | PTE_U | PTE_W)) < 0)
		panic("csp: sys_mem_alloc: %e", r);
	memcpy(CSP_SENDVA, msg, len);
	p->asked = false;
	csp_ipc_send(to, len, CSP_SENDVA, PTE_P | PTE_U);
}

/* Wait until consumer `to` has asked for a message. */
static inline void
csp_await(envid_t to)
{
	while (!csp_asked(to))
		csp_step();
}

/* CSP's output to!msg: wait until `to` asks, then send. */
static inline void
csp_put(envid_t to, const void *msg, size_t len)
{
	csp_await(to);
	csp_send(to, msg, len);
}

/* CSP's input from?msg: ask `from`, wait for its answer. */
static inline void
csp_get(envid_t from, void *msg, size_t len)
{
	csp_request(from);
	while (!csp_take(from, msg, len))
		csp_step();
}

/* Destroy and reap children ids[0..n-1] (an error path: they may be in
 * the middle of anything; one that finds a partner gone first exits,
 * csp_ipc_send). */
static inline void
csp_kill(const envid_t *ids, int n)
{
	for (int k = 0; k < n; k++) {
		sys_env_destroy(ids[k]);
		wait(ids[k]);
	}
}

/* Reap children ids[0..n-1] once each has exited by itself. */
static inline void
csp_reap(const envid_t *ids, int n)
{
	int r;

	for (int k = 0; k < n; k++)
		if ((r = wait(ids[k])) < 0)
			panic("csp: wait for %08x: %e", ids[k], r);
}

/* End an idle network: every child ids[0..n-1] gets CSP_QUIT and exits
 * (csp_step checks that it was idle); then reap them. */
static inline void
csp_quit(const envid_t *ids, int n)
{
	for (int k = 0; k < n; k++)
		ipc_send(ids[k], CSP_QUIT, 0, 0);
	csp_reap(ids, n);
}

/* Fork n processes. Child k gets the id table (ids[0..n-1] the children,
 * ids[n] the parent) from the parent as its first message, runs
 * body(k, ids) and exits. The parent gets the table in ids and 0, or a
 * negative error from fork, in which case the children forked so far are
 * destroyed and reaped again. Call it before any other csp call (a child
 * starts with no partners). */
static inline int
csp_spawn(int n, envid_t *ids, void (*body)(int k, const envid_t *ids))
{
	envid_t self = sys_getenvid();

	if (n > CSP_PROCS_MAX || csp_npeers != 0)
		panic("csp_spawn: %d processes, %d partners already", n, csp_npeers);
	for (int k = 0; k < n; k++) {
		envid_t id = fork();
		if (id < 0) {
			csp_kill(ids, k);
			return id;
		}
		if (id == 0) {
			envid_t table[CSP_PROCS_MAX + 1];
			csp_parent = self;
			csp_get(self, table, (n + 1) * sizeof(envid_t));
			body(k, table);
			exit();
		}
		ids[k] = id;
	}
	ids[n] = self;
	for (int k = 0; k < n; k++)
		csp_put(ids[k], ids, (n + 1) * sizeof(envid_t));
	return 0;
}

#endif
