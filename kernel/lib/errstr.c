/* Short descriptions of the error codes in uapi/errno.h. */
#include <errstr.h>
#include <uapi/errno.h>

const char *errstr(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case 0:            return "success";
    case EPERM:        return "operation not permitted";
    case ENOENT:       return "no such file or directory";
    case ESRCH:        return "no such process or environment";
    case EINTR:        return "interrupted";
    case EIO:          return "I/O error";
    case E2BIG:        return "argument list too long";
    case ENOEXEC:      return "exec format error";
    case EBADF:        return "bad file descriptor";
    case ECHILD:       return "no child process";
    case EAGAIN:       return "resource temporarily unavailable (no free environment)";
    case ENOMEM:       return "out of memory";
    case EACCES:       return "permission denied";
    case EFAULT:       return "bad address";
    case EBUSY:        return "resource busy";
    case EEXIST:       return "already exists or overlaps";
    case ENOTDIR:      return "not a directory";
    case EISDIR:       return "is a directory";
    case EINVAL:       return "invalid argument";
    case EMFILE:       return "too many open files";
    case ENOSPC:       return "no space left";
    case ESPIPE:       return "illegal seek";
    case EROFS:        return "read-only file system";
    case EPIPE:        return "broken pipe";
    case ERANGE:       return "out of range";
    case ENAMETOOLONG: return "name too long";
    case ENOSYS:       return "not implemented";
    case ENOTEMPTY:    return "directory not empty";
    case ENOTSUP:      return "not supported";
    case EALIGN:       return "not aligned";
    case ENONCANON:    return "address not canonical";
    case ENOTRECV:     return "environment is not receiving";
    case ELIMIT:       return "per-process limit reached";
    default:           return "unknown error";
    }
}

const char *errname(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case EPERM: return "EPERM";
    case ENOENT: return "ENOENT";
    case ESRCH: return "ESRCH";
    case EINTR: return "EINTR";
    case EIO: return "EIO";
    case E2BIG: return "E2BIG";
    case ENOEXEC: return "ENOEXEC";
    case EBADF: return "EBADF";
    case ECHILD: return "ECHILD";
    case EAGAIN: return "EAGAIN";
    case ENOMEM: return "ENOMEM";
    case EACCES: return "EACCES";
    case EFAULT: return "EFAULT";
    case EBUSY: return "EBUSY";
    case EEXIST: return "EEXIST";
    case ENOTDIR: return "ENOTDIR";
    case EISDIR: return "EISDIR";
    case EINVAL: return "EINVAL";
    case EMFILE: return "EMFILE";
    case ENOSPC: return "ENOSPC";
    case ESPIPE: return "ESPIPE";
    case EROFS: return "EROFS";
    case EPIPE: return "EPIPE";
    case ERANGE: return "ERANGE";
    case ENAMETOOLONG: return "ENAMETOOLONG";
    case ENOSYS: return "ENOSYS";
    case ENOTEMPTY: return "ENOTEMPTY";
    case ENOTSUP: return "ENOTSUP";
    case EALIGN: return "EALIGN";
    case ENONCANON: return "ENONCANON";
    case ENOTRECV: return "ENOTRECV";
    case ELIMIT: return "ELIMIT";
    default: return "E?";
    }
}
