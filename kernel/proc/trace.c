/*
 * System-call tracing (uapi/trace.h): the kernel side of strace.
 *
 * A traced process holds a reference on the write end of its tracer's pipe
 * (p->trace). The dispatcher calls trace_syscall_begin before a call (the
 * arguments it reads, strings and argv, are copied then, before the call
 * can change or replace them) and trace_syscall_end after it (the result,
 * and what the call wrote: a read's bytes, a pipe's descriptors); the
 * event is then written into the pipe. Signals, upcalls and the end of the
 * process are events too. Reading the user's memory here never counts as
 * the process's own bad access (JOS's user_mem_check): it uses the raw
 * fault-recovering copies.
 *
 * The same events can go to the console instead, or as well, as one
 * line each (the root shell's `trace syscalls on`, include/ktrace.h):
 * p->trace_sinks says where. Nothing here runs unless it is set: an
 * untraced system call pays one test in the dispatcher.
 */
#include <trace.h>
#include <trace_format.h>
#include <ktrace.h>
#include <proc.h>
#include <file.h>
#include <string.h>
#include <uaccess.h>
#include <usercopy.h>
#include <uapi/syscall.h>
#include <uapi/trace.h>
#include <uapi/errno.h>
#include <uapi/fs.h>
#include <uapi/layout.h>

/* The argument types of every call, from the one table (uapi/syscall.h). */
static const uint8_t arg_types[SYS_COUNT][5] = {
#define TRACE_TYPES_(NAME, name, ret, a0, a1, a2, a3, a4, doc) [SYS_##NAME] = { a0, a1, a2, a3, a4 },
    SYSCALL_LIST(TRACE_TYPES_)
#undef TRACE_TYPES_
};

int trace_attach(struct process *p, struct file *f, uint32_t flags)
{
    if (flags & ~(uint32_t)(TRACE_FOLLOW | TRACE_FROM_EXEC))
        return -EINVAL;
    if (f && ((f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write))
        return -EBADF;
    trace_detach(p);
    p->trace = f ? file_get(f) : NULL;
    p->trace_flags = flags;
    if (f)
        __atomic_fetch_or(&p->trace_sinks, TRACE_SINK_PIPE, __ATOMIC_RELAXED);
    return 0;
}

void trace_detach(struct process *p)
{
    struct file *f = p->trace;
    __atomic_fetch_and(&p->trace_sinks, (uint8_t)~TRACE_SINK_PIPE, __ATOMIC_RELAXED);
    p->trace = NULL;
    file_put(f);
}

void trace_inherit(struct process *child, struct process *parent)
{
    if (parent && parent->trace && (parent->trace_flags & TRACE_FOLLOW)) {
        child->trace = file_get(parent->trace);
        child->trace_flags = parent->trace_flags & ~(uint32_t)TRACE_FROM_EXEC;
        __atomic_fetch_or(&child->trace_sinks, TRACE_SINK_PIPE, __ATOMIC_RELAXED);
    }
}

void trace_console_sink_set(struct process *p, bool on)
{
    if (on)
        __atomic_fetch_or(&p->trace_sinks, TRACE_SINK_CONSOLE, __ATOMIC_RELAXED);
    else
        __atomic_fetch_and(&p->trace_sinks, (uint8_t)~TRACE_SINK_CONSOLE, __ATOMIC_RELAXED);
}

/* The console sink: ev as strace would print it, after who made it. */
static void trace_console_print(struct process *p, const struct trace_event *ev)
{
    char line[400];
    trace_event_format(ev, line, sizeof(line));
    ktrace_printf(KTRACE_SYSCALLS, "syscall pid=%d '%s': %s", p->pid, p->name, line);
}

/* Write ev into the tracer's pipe; if nobody reads it any more (or we are
 * being killed), stop tracing. */
static void trace_emit(struct process *p, const struct trace_event *ev)
{
    struct file *f = p->trace;
    if (!f)
        return;
    long r = f->ops->write(f, ev, sizeof(*ev));
    if (r != (long)sizeof(*ev))
        trace_detach(p);
}

static void trace_event_init(struct trace_event *ev, struct process *p, enum trace_kind kind)
{
    memset(ev, 0, sizeof(*ev));
    ev->kind = kind;
    ev->pid = p->pid;
}

/* Room for n more bytes in data[] (at *used): the offset, or -1. */
static int data_take(struct trace_event *ev, int *used, size_t n)
{
    if ((size_t)*used + n > sizeof(ev->data))
        return -1;
    int off = *used;
    *used += (int)n;
    return off;
}

/* Copy up to max bytes of user memory at uaddr into the event. */
static void capture_bytes(struct trace_event *ev, int i, int *used, uint64_t uaddr, uint64_t len)
{
    size_t n = (size_t)MIN(len, (uint64_t)TRACE_STR_MAX);
    int off = data_take(ev, used, n);
    struct trace_arg *a = &ev->arg[i];
    if (off < 0)
        return;
    a->off = (uint16_t)off;
    if (len > n)
        a->flags |= TRACE_ARG_CUT;
    if (!user_range_ok(uaddr, n) || uaccess_copy(ev->data + off, (const void *)uaddr, n)) {
        a->flags |= TRACE_ARG_BAD;
        return;
    }
    a->len = (uint16_t)n;
}

/* A NUL-terminated string (kept without its NUL). */
static void capture_string(struct trace_event *ev, int i, int *used, uint64_t uaddr)
{
    long n = user_range_ok(uaddr, 1) ?
             uaccess_strnlen((const char *)uaddr, (size_t)MIN((uint64_t)TRACE_STR_MAX + 1,
                                                              USER_END - uaddr)) : -EFAULT;
    if (n < 0) {
        ev->arg[i].flags |= TRACE_ARG_BAD;
        return;
    }
    capture_bytes(ev, i, used, uaddr, (uint64_t)n);
}

/* An argv: up to TRACE_ARGV_MAX strings, each kept NUL-terminated. */
static void capture_argv(struct trace_event *ev, int i, int *used, uint64_t uargv)
{
    struct trace_arg *a = &ev->arg[i];
    a->off = (uint16_t)*used;
    for (int k = 0;; k++) {
        uint64_t s;
        if (!user_range_ok(uargv + (uint64_t)k * 8, 8) ||
            uaccess_copy(&s, (const void *)(uargv + (uint64_t)k * 8), 8)) {
            a->flags |= TRACE_ARG_BAD;
            return;
        }
        if (!s)
            return;
        if (k == TRACE_ARGV_MAX) {
            a->flags |= TRACE_ARGV_MORE;
            return;
        }
        long n = user_range_ok(s, 1) ?
                 uaccess_strnlen((const char *)s, (size_t)MIN((uint64_t)TRACE_STR_MAX + 1, USER_END - s)) : -1;
        if (n > TRACE_STR_MAX) {
            n = TRACE_STR_MAX;
            a->flags |= TRACE_ARGV_CUT(k);
        }
        int off = n < 0 ? -1 : data_take(ev, used, (size_t)n + 1);
        if (off < 0) {
            a->flags |= TRACE_ARG_BAD;
            return;
        }
        if (uaccess_copy(ev->data + off, (const void *)s, (size_t)n))
            a->flags |= TRACE_ARG_BAD;
        ev->data[off + n] = '\0';
        a->len = (uint16_t)(*used - a->off);
        a->count++;
    }
}

void trace_syscall_begin(struct process *p, uint64_t nr, const uint64_t args[5], struct trace_event *ev)
{
    trace_event_init(ev, p, TRACE_SYSCALL);
    ev->nr = (uint32_t)nr;
    memcpy(ev->args, args, sizeof(ev->args));
    if (nr >= SYS_COUNT)
        return;
    int used = 0;
    for (int i = 0; i < 5; i++) {
        switch (arg_types[nr][i]) {
        case SA_STR:
            capture_string(ev, i, &used, args[i]);
            break;
        case SA_BUF_IN:
            capture_bytes(ev, i, &used, args[i], i < 4 ? args[i + 1] : 0);
            break;
        case SA_ARGV:
            if (args[i])
                capture_argv(ev, i, &used, args[i]);
            break;
        default:
            break;
        }
    }
    ev->pad = (uint32_t)used;           /* where end-of-call captures go */
}

void trace_syscall_end(struct process *p, struct trace_event *ev, long result, uint32_t sinks)
{
    ev->result = result;
    int used = (int)ev->pad;
    ev->pad = 0;
    if (ev->nr < SYS_COUNT) {
        for (int i = 0; i < 5; i++) {
            uint8_t t = arg_types[ev->nr][i];
            if (t == SA_BUF_OUT && result > 0)
                capture_bytes(ev, i, &used, ev->args[i], (uint64_t)result);
            else if (t == SA_FDPAIR && result == 0)
                capture_bytes(ev, i, &used, ev->args[i], 2 * sizeof(int));
        }
    }
    if (sinks & TRACE_SINK_CONSOLE)
        trace_console_print(p, ev);
    if (sinks & TRACE_SINK_PIPE)
        trace_emit(p, ev);
}

void trace_note(struct process *p, enum trace_kind kind, int64_t result, uint64_t addr, uint64_t code)
{
    bool to_pipe = p->trace && !(p->trace_flags & TRACE_FROM_EXEC);
    bool to_console = p->trace_sinks & TRACE_SINK_CONSOLE;
    if (!to_pipe && !to_console)
        return;
    struct trace_event ev;
    trace_event_init(&ev, p, kind);
    ev.result = result;
    ev.addr = addr;
    ev.code = code;
    if (to_console)
        trace_console_print(p, &ev);
    if (to_pipe)
        trace_emit(p, &ev);
}
