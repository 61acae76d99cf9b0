/*
 * Error codes shared by the kernel and user programs.
 * Kernel functions and system calls return them negated (-ENOMEM).
 */
#ifndef STRATA_UAPI_ERRNO_H
#define STRATA_UAPI_ERRNO_H

#define EPERM        1   /* operation not permitted (e.g. region is pinned) */
#define ENOENT       2   /* no such file, region or object */
#define ESRCH        3   /* no such process or thread */
#define EINTR        4   /* interrupted */
#define EIO          5   /* I/O error, corrupt data */
#define E2BIG        7   /* argument list too long */
#define ENOEXEC      8   /* not an executable this kernel can run */
#define EBADF        9   /* bad file descriptor */
#define ECHILD      10   /* no such child */
#define EAGAIN      11   /* try again */
#define ENOMEM      12   /* out of memory */
#define EACCES      13   /* permission denied */
#define EFAULT      14   /* bad address */
#define EBUSY       16   /* resource busy */
#define EEXIST      17   /* already exists, or overlaps */
#define ENOTDIR     20   /* not a directory */
#define EISDIR      21   /* is a directory */
#define EINVAL      22   /* invalid argument */
#define EMFILE      24   /* too many open files */
#define ENOSPC      28   /* no space left */
#define ESPIPE      29   /* illegal seek */
#define EROFS       30   /* read-only file system */
#define EPIPE       32   /* the other end of the pipe is closed */
#define ERANGE      34   /* result out of range */
#define ENAMETOOLONG 36  /* name or string too long */
#define ENOSYS      38   /* not implemented */
#define ENOTEMPTY   39   /* directory not empty */
#define ENOTSUP     95   /* kind of operation not supported */
#define EALIGN     200   /* address or length not aligned to the granularity */
#define ENONCANON  201   /* address not canonical */
#define ELIMIT     203   /* a per-process limit is reached (e.g. regions) */
#define ENOTRECV   202   /* IPC: the target is not receiving */

/* JOS's names for the errors of the environment and IPC calls (see
 * docs/environments.md). Positive, like the rest: calls return -E_x. */
#define E_INVAL         EINVAL      /* invalid parameter */
#define E_NO_MEM        ENOMEM      /* out of memory */
#define E_BAD_ENV       ESRCH       /* no such environment, or not yours */
#define E_NO_FREE_ENV   EAGAIN      /* the environment table is full */
#define E_IPC_NOT_RECV  ENOTRECV    /* IPC target is not receiving */

#endif
