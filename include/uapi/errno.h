/*
 * Error codes shared by the kernel and user programs.
 * Kernel functions and system calls return them negated (-ENOMEM).
 */
#ifndef STRATA_UAPI_ERRNO_H
#define STRATA_UAPI_ERRNO_H

/*
 * The one table of error codes: name, number, the text errstr() gives
 * (kernel/lib/errstr.c; strace prints it capitalised, as strerror). Add
 * a code here and both errstr() and errname() know it.
 */
#define ERRNO_LIST(X) \
    X(EPERM,          1, "operation not permitted") \
    X(ENOENT,         2, "no such file or directory") \
    X(ESRCH,          3, "no such process or environment") \
    X(EINTR,          4, "interrupted") \
    X(EIO,            5, "I/O error") \
    X(E2BIG,          7, "argument list too long") \
    X(ENOEXEC,        8, "exec format error") \
    X(EBADF,          9, "bad file descriptor") \
    X(ECHILD,        10, "no child process") \
    X(EAGAIN,        11, "resource temporarily unavailable") \
    X(ENOMEM,        12, "out of memory") \
    X(EACCES,        13, "permission denied") \
    X(EFAULT,        14, "bad address") \
    X(EBUSY,         16, "resource busy") \
    X(EEXIST,        17, "file exists") \
    X(ENODEV,        19, "no such device") \
    X(ENOTDIR,       20, "not a directory") \
    X(EISDIR,        21, "is a directory") \
    X(EINVAL,        22, "invalid argument") \
    X(EMFILE,        24, "too many open files") \
    X(ENOTTY,        25, "not a terminal") \
    X(ENOSPC,        28, "no space left on device") \
    X(ESPIPE,        29, "illegal seek") \
    X(EROFS,         30, "read-only file system") \
    X(EPIPE,         32, "broken pipe") \
    X(ERANGE,        34, "out of range") \
    X(ENAMETOOLONG,  36, "file name too long") \
    X(ENOSYS,        38, "function not implemented") \
    X(ENOTEMPTY,     39, "directory not empty") \
    X(ENOTSUP,       95, "operation not supported") \
    X(EALIGN,       200, "not aligned") \
    X(ENONCANON,    201, "address not canonical") \
    X(ENOTRECV,     202, "environment is not receiving") \
    X(ELIMIT,       203, "per-process limit reached")

enum errno_code {
#define ERRNO_ENUM_(name, number, text) name = number,
    ERRNO_LIST(ERRNO_ENUM_)
#undef ERRNO_ENUM_
};

/* JOS's names for the errors of the environment and IPC calls (see
 * docs/environments.md). Positive, like the rest: calls return -E_x. */
#define E_INVAL         EINVAL      /* invalid parameter */
#define E_NO_MEM        ENOMEM      /* out of memory */
#define E_BAD_ENV       ESRCH       /* no such environment, or not yours */
#define E_NO_FREE_ENV   EAGAIN      /* the environment table is full */
#define E_IPC_NOT_RECV  ENOTRECV    /* IPC target is not receiving */

#endif
