/*
 * File system calls: open, close, read, write, seek, stat, readdir.
 *
 * A struct copied out to user space is zeroed whole before it is filled:
 * the file system fills fields (a dirent's name only up to its NUL), and
 * any byte it leaves, tail or padding, would otherwise carry kernel stack
 * contents to the user.
 */
#include <syscall.h>
#include <proc.h>
#include <fs.h>
#include <console.h>
#include <usercopy.h>
#include <string.h>
#include <uapi/syscall.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

long console_write_user(uint64_t ubuf, uint64_t len);

/* The open file behind fd, or NULL (console descriptors have none). */
static int fd_lookup(int64_t fd, struct file **f)
{
    struct process *p = process_current();
    if (fd < 0 || fd >= PROC_MAX_FILES)
        return -EBADF;
    if (fd <= FD_STDERR) {
        *f = NULL;
        return 0;
    }
    if (!p->files[fd])
        return -EBADF;
    *f = p->files[fd];
    return 0;
}

long sys_open(struct trap_frame *tf, uint64_t upath, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    struct process *p = process_current();
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    int fd = FD_STDERR + 1;
    while (fd < PROC_MAX_FILES && p->files[fd])
        fd++;
    if (fd == PROC_MAX_FILES)
        return -EMFILE;
    struct file *f;
    int err = fs_open(path, &f);
    if (err)
        return err;
    p->files[fd] = f;
    return fd;
}

long sys_close(struct trap_frame *tf, uint64_t fd, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct file *f;
    int err = fd_lookup((int64_t)fd, &f);
    if (err)
        return err;
    if (!f)
        return 0;       /* closing the console is allowed and does nothing */
    fs_close(f);
    process_current()->files[fd] = NULL;
    return 0;
}

long sys_read(struct trap_frame *tf, uint64_t fd, uint64_t ubuf, uint64_t len, uint64_t a3, uint64_t a4)
{
    char chunk[512];
    struct file *f;
    int err = fd_lookup((int64_t)fd, &f);
    if (err)
        return err;
    if (len > SYSCALL_IO_MAX)
        return -EINVAL;
    if (!user_range_ok(ubuf, len))
        return -EFAULT;
    if (!f) {
        if (fd != FD_STDIN)
            return -EBADF;
        if (len == 0)
            return 0;
        int c = console_getc_interruptible();   /* one byte at a time: a terminal */
        if (c < 0)
            return c;
        char b = (char)c;
        return copy_to_user(ubuf, &b, 1) < 0 ? -EFAULT : 1;
    }
    uint64_t done = 0;
    while (done < len) {
        long n = fs_read(f, chunk, (size_t)MIN(len - done, sizeof(chunk)));
        if (n < 0)
            return done ? (long)done : n;
        if (n == 0)
            break;
        if (copy_to_user(ubuf + done, chunk, (size_t)n) < 0) {
            fs_seek(f, -n, SEEK_CUR);   /* give back what was not delivered */
            return done ? (long)done : -EFAULT;
        }
        done += (uint64_t)n;
    }
    return (long)done;
}

long sys_write(struct trap_frame *tf, uint64_t fd, uint64_t ubuf, uint64_t len, uint64_t a3, uint64_t a4)
{
    struct file *f;
    int err = fd_lookup((int64_t)fd, &f);
    if (err)
        return err;
    if (f || fd == FD_STDIN)
        return -EBADF;          /* the initrd is read-only */
    return console_write_user(ubuf, len);
}

long sys_seek(struct trap_frame *tf, uint64_t fd, uint64_t off, uint64_t whence, uint64_t a3, uint64_t a4)
{
    struct file *f;
    int err = fd_lookup((int64_t)fd, &f);
    if (err)
        return err;
    if (!f)
        return -ESPIPE;
    return fs_seek(f, (long)off, (int)whence);
}

long sys_stat(struct trap_frame *tf, uint64_t upath, uint64_t ust, uint64_t a2, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    struct fs_stat st;
    memset(&st, 0, sizeof(st));
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (!user_range_ok(ust, sizeof(st)))
        return -EFAULT;
    int err = fs_stat(path, &st);
    if (err)
        return err;
    return copy_to_user(ust, &st, sizeof(st));
}

long sys_readdir(struct trap_frame *tf, uint64_t upath, uint64_t index, uint64_t ud, uint64_t a3, uint64_t a4)
{
    char path[SYSCALL_PATH_MAX];
    struct fs_dirent d;
    memset(&d, 0, sizeof(d));
    long n = strncpy_from_user(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (!user_range_ok(ud, sizeof(d)))
        return -EFAULT;
    int err = fs_readdir(path, index, &d);
    if (err)
        return err;
    return copy_to_user(ud, &d, sizeof(d));
}
