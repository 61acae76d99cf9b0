/*
 * IPC between environments (kernel/proc/ipc.c): JOS's one-word messages,
 * with an optional page, sent to a receiver blocked in ipc_recv.
 *
 * Two ways to send: IPC_SEND_TRY (JOS's sys_ipc_can_send) delivers only if
 * the target is receiving right now and nobody is queued before us, else
 * -E_IPC_NOT_RECV; IPC_SEND_BLOCK (the "no loop" challenge) queues the
 * sender in the target's FIFO and sleeps until the target takes the
 * message, so senders are served in arrival order. A receiver takes the
 * first queued message at once, without sleeping.
 *
 * All state here is protected by env_lock (include/env.h).
 */
#ifndef STRATA_IPC_H
#define STRATA_IPC_H

#include <compiler.h>
#include <list.h>
#include <waitq.h>

struct process;

struct ipc_endpoint {
    bool recving;               /* blocked in ipc_recv */
    uint64_t dstva;             /* where the receiver wants a page (0: none) */
    struct list_node senders;   /* struct ipc_request.link, oldest first */
    struct waitq wq;            /* the process sleeps here, receiving or sending */
};

enum ipc_send_mode {
    IPC_SEND_TRY,               /* fail with -E_IPC_NOT_RECV unless receiving */
    IPC_SEND_BLOCK,             /* queue and sleep until taken */
};

void ipc_endpoint_init(struct ipc_endpoint *e);

/* The calling process waits for a message; dstva is 0 or the page-aligned
 * user address where a sent page should be mapped. 0 when a message has
 * arrived (the view's env_ipc_* fields describe it); -E_INVAL for a bad
 * dstva; -EINTR if the process is being killed. */
int ipc_recv(uint64_t dstva);

/* Send value (and, if srcva is not 0, the page at srcva with perm) to
 * environment envid (0: self). 0 when delivered; -E_BAD_ENV (no such
 * environment, or it died while we were queued); -E_IPC_NOT_RECV
 * (IPC_SEND_TRY only); -E_INVAL (bad srcva or perm, or a blocking send to
 * oneself, which could never complete); -EINTR if the sender is being
 * killed. */
int ipc_send(int envid, uint64_t value, uint64_t srcva, uint32_t perm, enum ipc_send_mode mode);

/* p is exiting: fail every sender queued on it with -E_BAD_ENV. env_lock
 * held. */
void ipc_endpoint_close(struct process *p);

#endif
