/*
 * System-call tracing (strace), shared by the kernel and user programs.
 *
 * A process calls SYS_TRACE(fd, flags) with the write end of a pipe: from
 * then on the kernel writes one struct trace_event into that pipe for each
 * system call the process makes (when it returns), each signal or upcall
 * it is given, and its end. TRACE_FOLLOW extends this to the processes it
 * creates afterwards (spawn, fork). The tracer reads the events from the
 * read end and decodes them with the table of uapi/syscall.h. A full pipe
 * makes the traced process wait for the tracer; once nobody reads the
 * pipe any more, tracing stops by itself. SYS_TRACE(-1, 0) stops it.
 */
#ifndef STRATA_UAPI_TRACE_H
#define STRATA_UAPI_TRACE_H

#include <stdint.h>

#define TRACE_FOLLOW        0x1     /* children are traced too */
#define TRACE_FROM_EXEC     0x2     /* start with the next successful exec (the
                                       tracer's own set-up stays unseen) */

#define TRACE_STR_MAX       32      /* bytes of a string or buffer kept */
#define TRACE_ARGV_MAX      8       /* strings of an argv kept */
#define TRACE_DATA_SIZE     320

enum trace_kind {
    TRACE_SYSCALL = 1,              /* a system call and its result */
    TRACE_SIGNAL,                   /* a signal handler was entered (result: signo) */
    TRACE_UPCALL,                   /* the page-fault upcall was entered */
    TRACE_EXIT,                     /* the process ended (result: its wait status) */
};

/* trace_arg.flags */
#define TRACE_ARG_CUT       0x1     /* the string or buffer was longer than kept */
#define TRACE_ARG_BAD       0x2     /* the kernel could not read it (a bad pointer) */
#define TRACE_ARGV_MORE     0x4     /* the argv had more strings than kept */
#define TRACE_ARGV_CUT(k)   (0x100u << (k))  /* argv string k (< TRACE_ARGV_MAX) was cut */

/* Where the bytes of one argument are in data[]: a string (SA_STR), a
 * buffer (SA_BUF_IN before the call, SA_BUF_OUT after it), count strings
 * one after the other (SA_ARGV, each NUL-terminated), or two ints
 * (SA_FDPAIR). */
struct trace_arg {
    uint16_t off, len;
    uint16_t count;
    uint16_t flags;
};

struct trace_event {
    uint32_t kind;                  /* enum trace_kind */
    int32_t pid;
    uint32_t nr;                    /* TRACE_SYSCALL: the call (enum syscall_no) */
    uint32_t pad;
    uint64_t args[5];
    int64_t result;                 /* the call's result, a signal number, a status */
    uint64_t addr;                  /* TRACE_SIGNAL/UPCALL: the fault address */
    uint64_t code;                  /* TRACE_UPCALL: the error code */
    struct trace_arg arg[5];
    char data[TRACE_DATA_SIZE];
};

#endif
