/*
 * File and descriptor system calls: open, close, read, write, seek, stat,
 * fstat, readdir, dup, dup2, pipe, unlink, mkdir; and the two calls on a
 * console descriptor (a terminal's ioctls): console_mode, console_fg.
 *
 * A descriptor is an index into the process's table (p->files); each slot
 * holds one reference on an open file (include/file.h), so dup'ed and
 * inherited descriptors share the file and its position. Data moves
 * through a bounce buffer on the kernel stack, a chunk at a time.
 *
 * A struct copied out to user space is zeroed whole before it is filled:
 * the file system fills fields (a dirent's name only up to its NUL), and
 * any byte it leaves, tail or padding, would otherwise carry kernel stack
 * contents to the user.
 */
#include <syscall.h>
#include <proc.h>
#include <vfs.h>
#include <file.h>
#include <pipe.h>
#include <usercopy.h>
#include <string.h>
#include <uapi/syscall.h>
#include <uapi/fs.h>
#include <uapi/errno.h>
#include <uapi/console.h>
#include <console.h>

#define IO_CHUNK 512

/* The open file behind descriptor fd, or NULL. */
static struct file *fd_file(uint64_t fd)
{
    struct process *p = process_current();
    return fd < PROC_MAX_FILES ? p->files[fd] : NULL;
}

/* Put f (the caller's reference) in the lowest free descriptor: the
 * descriptor, or -EMFILE (the reference is dropped). */
static long fd_install(struct file *f)
{
    struct process *p = process_current();
    for (int fd = 0; fd < PROC_MAX_FILES; fd++) {
        if (!p->files[fd]) {
            p->files[fd] = f;
            return fd;
        }
    }
    file_put(f);
    return -EMFILE;
}

static long path_in(uint64_t upath, char *path)
{
    return strncpy_from_user(path, upath, SYSCALL_PATH_MAX);
}

long sys_open(struct trap_frame *tf, uint64_t upath, uint64_t flags, uint64_t mode, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    long n = path_in(upath, path);
    if (n < 0)
        return n;
    if (flags > UINT32_MAX || mode > 07777)
        return -EINVAL;
    struct file *f;
    int err = vfs_open(path, (uint32_t)flags, (uint32_t)mode, &f);
    return err ? err : fd_install(f);
}

long sys_close(struct trap_frame *tf, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    process_current()->files[fd] = NULL;
    file_put(f);
    return 0;
}

long sys_read(struct trap_frame *tf, uint64_t fd, uint64_t ubuf, uint64_t len, uint64_t a3, uint64_t a4)
{
    char chunk[IO_CHUNK];
    struct file *f = fd_file(fd);
    if (!f || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (len > SYSCALL_IO_MAX)
        return -EINVAL;
    if (!user_range_ok(ubuf, len))
        return -EFAULT;
    if (!f->ops->read)
        return -EISDIR;
    /* Files that can seek are read until the length or the end; a pipe or
     * the console returns what it has (it would block for more). */
    uint64_t done = 0;
    while (done < len) {
        size_t want = (size_t)MIN(len - done, sizeof(chunk));
        /* A pipe or the console cannot take back what it hands out: a
         * buffer the process cannot write is refused before anything is
         * taken (the bytes stay for the next read). */
        if (!f->ops->seek && user_prepare_write(ubuf + done, want) < 0)
            return done ? (long)done : -EFAULT;
        long n = f->ops->read(f, chunk, want);
        if (n < 0)
            return done ? (long)done : n;
        if (copy_to_user(ubuf + done, chunk, (size_t)n) < 0) {
            if (f->ops->seek)
                f->ops->seek(f, -n, SEEK_CUR);  /* give back what was not delivered */
            return done ? (long)done : -EFAULT;
        }
        done += (uint64_t)n;
        if ((size_t)n < want || !f->ops->seek)
            break;
    }
    return (long)done;
}

long sys_write(struct trap_frame *tf, uint64_t fd, uint64_t ubuf, uint64_t len, uint64_t a3, uint64_t a4)
{
    char chunk[IO_CHUNK];
    struct file *f = fd_file(fd);
    if (!f || (f->flags & O_ACCMODE) == O_RDONLY || !f->ops->write)
        return -EBADF;
    if (len > SYSCALL_IO_MAX)
        return -EINVAL;
    if (!user_range_ok(ubuf, len))
        return -EFAULT;
    uint64_t done = 0;
    while (done < len) {
        size_t want = (size_t)MIN(len - done, sizeof(chunk));
        if (copy_from_user(chunk, ubuf + done, want) < 0)
            return done ? (long)done : -EFAULT;
        long n = f->ops->write(f, chunk, want);
        if (n < 0)
            return done ? (long)done : n;
        done += (uint64_t)n;
        if ((size_t)n < want)
            break;
    }
    return (long)done;
}

long sys_seek(struct trap_frame *tf, uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3, uint64_t a4)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!f->ops->seek)
        return -ESPIPE;
    return f->ops->seek(f, (long)off, (int)whence);
}

/* Fill st with stat_fn's answer and copy it out (zeroed first). */
static long stat_out(uint64_t ust, int err, const struct fs_stat *st)
{
    return err ? err : copy_to_user(ust, st, sizeof(*st));
}

long sys_stat(struct trap_frame *tf, uint64_t upath, uint64_t ust, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    struct fs_stat st;
    memset(&st, 0, sizeof(st));
    long n = path_in(upath, path);
    if (n < 0)
        return n;
    if (!user_range_ok(ust, sizeof(st)))
        return -EFAULT;
    return stat_out(ust, vfs_stat(path, &st), &st);
}

long sys_fstat(struct trap_frame *tf, uint64_t fd, uint64_t ust, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct fs_stat st;
    memset(&st, 0, sizeof(st));
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    if (!user_range_ok(ust, sizeof(st)))
        return -EFAULT;
    return stat_out(ust, f->ops->fstat(f, &st), &st);
}

long sys_readdir(struct trap_frame *tf, uint64_t upath, uint64_t index, uint64_t ud, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    struct fs_dirent d;
    memset(&d, 0, sizeof(d));
    long n = path_in(upath, path);
    if (n < 0)
        return n;
    if (!user_range_ok(ud, sizeof(d)))
        return -EFAULT;
    int err = vfs_readdir(path, index, &d);
    if (err)
        return err;
    return copy_to_user(ud, &d, sizeof(d));
}

long sys_dup(struct trap_frame *tf, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    return fd_install(file_get(f));
}

long sys_dup2(struct trap_frame *tf, uint64_t oldfd, uint64_t newfd, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    struct file *f = fd_file(oldfd);
    if (!f || newfd >= PROC_MAX_FILES)
        return -EBADF;
    if (newfd == oldfd)
        return (long)newfd;
    struct file *old = p->files[newfd];
    p->files[newfd] = file_get(f);
    file_put(old);
    return (long)newfd;
}

long sys_pipe(struct trap_frame *tf, uint64_t ufds, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    struct file *r, *w;
    if (!user_range_ok(ufds, 2 * sizeof(int)))
        return -EFAULT;
    int err = pipe_create(&r, &w);
    if (err)
        return err;
    long rfd = fd_install(r);
    if (rfd < 0) {
        file_put(w);
        return rfd;
    }
    long wfd = fd_install(w);
    if (wfd < 0) {
        p->files[rfd] = NULL;
        file_put(r);
        return wfd;
    }
    int fds[2] = { (int)rfd, (int)wfd };
    if (copy_to_user(ufds, fds, sizeof(fds)) < 0) {
        p->files[rfd] = p->files[wfd] = NULL;
        file_put(r);
        file_put(w);
        return -EFAULT;
    }
    return 0;
}

long sys_unlink(struct trap_frame *tf, uint64_t upath, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    long n = path_in(upath, path);
    return n < 0 ? n : vfs_unlink(path);
}

long sys_mkdir(struct trap_frame *tf, uint64_t upath, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    long n = path_in(upath, path);
    if (n < 0)
        return n;
    if (mode > 07777)
        return -EINVAL;
    return vfs_mkdir(path, (uint32_t)mode);
}

/* ---- the console as a terminal ---- */

/* The console behind fd: 0, -EBADF (no such descriptor), -ENOTTY (not the
 * console). */
static int fd_console_check(uint64_t fd)
{
    struct file *f = fd_file(fd);
    if (!f)
        return -EBADF;
    return console_file_is(f) ? 0 : -ENOTTY;
}

/* console_mode(fd, mode): the old mode, or -EBADF/-ENOTTY/-EINVAL (unknown
 * bits); nothing changes on failure. */
long sys_console_mode(struct trap_frame *tf, uint64_t fd, uint64_t mode, uint64_t a2, uint64_t a3, uint64_t a4)
{
    int err = fd_console_check(fd);
    if (err)
        return err;
    if ((int64_t)mode == CONSOLE_MODE_GET)
        return console_mode_get();
    if (mode & ~(uint64_t)CONSOLE_MODES)
        return -EINVAL;
    return console_mode_set((uint32_t)mode);
}

/* console_fg(fd, pgid): the old foreground group (pgid 0: only read it),
 * or -EBADF/-ENOTTY/-EINVAL/-ESRCH/-EPERM with the console unchanged. */
long sys_console_fg(struct trap_frame *tf, uint64_t fd, uint64_t pgid, uint64_t a2, uint64_t a3, uint64_t a4)
{
    int err = fd_console_check(fd);
    if (err)
        return err;
    if (pgid == 0)
        return console_fg_get();
    if (pgid > INT32_MAX)
        return -EINVAL;
    err = process_group_check_own(process_current(), (int)pgid);
    return err ? err : console_fg_set((int)pgid);
}
