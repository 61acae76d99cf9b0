/*
 * An open file: what a descriptor refers to, whatever is behind it (a file
 * of the initrd or of /tmp, one end of a pipe, the console). Every kind
 * implements struct file_ops and embeds struct file first in its own
 * struct. Layers below the file system (the file pager, the console
 * device) use only this header, so they do not depend on file-system code.
 *
 * An open file is shared by every descriptor that refers to it (dup, dup2,
 * fork): they share its position (pos) and its open flags, as in Unix.
 *
 * Lifetime: a file starts with one reference (its opener's). file_get adds
 * one; file_put drops one and the last put calls ops->release, which frees
 * the file. A file must not be used after the put of the caller's
 * reference.
 *
 * Optional operations: NULL means the kind cannot do it; the generic code
 * answers for it (read/write: -EBADF, seek: -ESPIPE, readdir: -ENOTDIR,
 * pread: -ESPIPE).
 */
#ifndef STRATA_FILE_H
#define STRATA_FILE_H

#include <compiler.h>
#include <uapi/errno.h>

struct file;
struct fs_stat;
struct fs_dirent;

struct file_ops {
    /* Read up to n bytes at the position into buf and advance it: bytes
     * read, 0 at the end, or a negative error. May sleep (pipes, the
     * console), interruptibly: -EINTR. OPTIONAL. */
    long (*read)(struct file *f, void *buf, size_t n);
    /* Write n bytes from buf at the position (the end with O_APPEND) and
     * advance it: bytes written (all of them unless an error came first),
     * or a negative error. May sleep (a full pipe). OPTIONAL. */
    long (*write)(struct file *f, const void *buf, size_t n);
    /* Read at offset off without using or moving the position (the file
     * pager): bytes read, 0 at or past the end, or a negative error.
     * Never sleeps. OPTIONAL. */
    long (*pread)(struct file *f, void *buf, size_t n, uint64_t off);
    /* Move the position (SEEK_SET/CUR/END): the new position or -EINVAL.
     * OPTIONAL. */
    long (*seek)(struct file *f, long off, int whence);
    /* Describe the file. REQUIRED. */
    int (*fstat)(struct file *f, struct fs_stat *st);
    /* Entry number index of an open directory: 0, -ENOENT past the end.
     * OPTIONAL. */
    int (*readdir)(struct file *f, size_t index, struct fs_dirent *out);
    /* The last reference is gone: free everything the file holds. REQUIRED. */
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    uint32_t refs;
    uint32_t flags;             /* the O_* flags it was opened with */
    uint64_t pos;               /* shared by every descriptor of this open file */
};


/* Can f's bytes still change (its kind has a write operation: /tmp)? A
 * private mapping of such a file (map_file, exec) is copied when it is
 * made (an EAGER region), a snapshot; a read-only file (the initrd) is
 * read page by page on first touch. */
static inline bool file_can_change(const struct file *f)
{
    return f->ops->write != NULL;
}

/* Make f a fresh open file with one reference. */
static inline void file_init(struct file *f, const struct file_ops *ops, uint32_t flags)
{
    f->ops = ops;
    f->refs = 1;
    f->flags = flags;
    f->pos = 0;
}

static inline struct file *file_get(struct file *f)
{
    __atomic_add_fetch(&f->refs, 1, __ATOMIC_RELAXED);
    return f;
}

static inline void file_put(struct file *f)
{
    if (f && __atomic_sub_fetch(&f->refs, 1, __ATOMIC_ACQ_REL) == 0)
        f->ops->release(f);
}

/* The usual seek of a file of `size` bytes: the new position, or -EINVAL
 * for a bad whence or a negative or overflowing result (unchanged).
 * Seeking past the end is allowed. */
static inline long file_seek_sized(struct file *f, long off, int whence, uint64_t size)
{
    long base, pos;
    switch (whence) {
    case 0:  base = 0; break;                   /* SEEK_SET */
    case 1:  base = (long)f->pos; break;        /* SEEK_CUR */
    case 2:  base = (long)size; break;          /* SEEK_END */
    default: return -EINVAL;
    }
    if (__builtin_add_overflow(base, off, &pos) || pos < 0)
        return -EINVAL;
    f->pos = (uint64_t)pos;
    return pos;
}

/* pread for the file pager; -ESPIPE for a kind that has no offsets. */
static inline long file_pread(struct file *f, void *buf, size_t n, uint64_t off)
{
    return f->ops->pread ? f->ops->pread(f, buf, n, off) : -ESPIPE;
}

#endif
