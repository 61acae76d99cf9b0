/*
 * System-call tracing, the kernel side (kernel/proc/trace.c; the events and
 * the user side: uapi/trace.h). All of it is for the process given, which
 * must be the calling one (events are written from its own context).
 */
#ifndef STRATA_TRACE_H
#define STRATA_TRACE_H

#include <compiler.h>
#include <uapi/trace.h>

struct process;
struct file;

/* Trace p into f (the write end of a pipe; NULL: stop), with TRACE_*
 * flags. 0, -EINVAL (flags) or -EBADF (f cannot be written). */
int trace_attach(struct process *p, struct file *f, uint32_t flags);
void trace_detach(struct process *p);
/* A new child of parent: traced too if parent follows its children. */
void trace_inherit(struct process *child, struct process *parent);

/* Around one system call of p (p->trace set): begin copies what the call
 * will read, end records the result and what it wrote, and sends ev. */
void trace_syscall_begin(struct process *p, uint64_t nr, const uint64_t args[5], struct trace_event *ev);
void trace_syscall_end(struct process *p, struct trace_event *ev, long result);
/* A signal, an upcall or the end of p (nothing if p is not traced). */
void trace_note(struct process *p, enum trace_kind kind, int64_t result, uint64_t addr, uint64_t code);

#endif
