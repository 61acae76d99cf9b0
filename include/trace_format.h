/*
 * One trace event (uapi/trace.h) as strace prints it, e.g.
 *
 *     write(1, "Hello, world!\n", 14)         = 14
 *
 * Shared by strace (user/bin/strace.c) and the kernel's console trace
 * (`trace syscalls on`), so that both read the same from the one table of
 * uapi/syscall.h. Pure code: kernel/lib.
 */
#ifndef STRATA_TRACE_FORMAT_H
#define STRATA_TRACE_FORMAT_H

#include <stddef.h>
#include <uapi/trace.h>

#define TRACE_FORMAT_COLUMN 40      /* where " = result" goes, as strace's */

/* Write ev into buf (size > 0) without a newline: a call with its
 * arguments and result (the result in column TRACE_FORMAT_COLUMN if the
 * call is shorter), "--- SIGSEGV {...} ---", "+++ exited with N +++".
 * A line longer than the buffer is cut; buf is always NUL-terminated.
 * Returns the length written. */
size_t trace_event_format(const struct trace_event *ev, char *buf, size_t size);

/* The name of system call nr ("write"), or NULL for an unknown number. */
const char *trace_syscall_name(unsigned nr);

#endif
