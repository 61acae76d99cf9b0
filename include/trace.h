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

/* Where a process's system calls are reported (struct process.trace_sinks:
 * 0 means nowhere, and the dispatcher's fast path pays one test for it). */
enum trace_sink {
    TRACE_SINK_PIPE    = 1u << 0,   /* strace: events into p->trace */
    TRACE_SINK_CONSOLE = 1u << 1,   /* `trace syscalls on`: lines on the console */
};

/* Trace p into f (the write end of a pipe; NULL: stop), with TRACE_*
 * flags. 0, -EINVAL (flags) or -EBADF (f cannot be written). */
int trace_attach(struct process *p, struct file *f, uint32_t flags);
void trace_detach(struct process *p);
/* A new child of parent: traced too if parent follows its children. */
void trace_inherit(struct process *child, struct process *parent);

/* Around one system call of p (some sink set): begin copies what the call
 * will read, end records the result and what it wrote, and sends ev to
 * the sinks given (enum trace_sink: the pipe, a console line). */
void trace_syscall_begin(struct process *p, uint64_t nr, const uint64_t args[5], struct trace_event *ev);
void trace_syscall_end(struct process *p, struct trace_event *ev, long result, uint32_t sinks);
/* Add or remove the console sink of p (`trace syscalls on|off`; the
 * caller keeps new processes in step: process_trace_console_set). */
void trace_console_sink_set(struct process *p, bool on);
/* A signal, an upcall or the end of p (nothing if p is not traced). */
void trace_note(struct process *p, enum trace_kind kind, int64_t result, uint64_t addr, uint64_t code);

#endif
