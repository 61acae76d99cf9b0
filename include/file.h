/*
 * An open file, as code below the file system sees it: an object that can
 * be read at an offset and is reference counted. The file system (and later
 * pipes and devices) implements struct file_ops; holders below it in the
 * layer order, such as the paging implementation's file pager, use only the
 * inline calls here, so they depend on this interface and not on the file
 * system's code.
 *
 * Lifetime: a file starts with one reference (its opener's). file_get adds
 * one; file_put drops one and the last put calls ops->release, which frees
 * the file. A file must not be used after the put of the caller's reference.
 */
#ifndef STRATA_FILE_H
#define STRATA_FILE_H

#include <compiler.h>

struct file;

struct file_ops {
    /* Read up to n bytes at offset off into buf without using or moving any
     * position: the bytes read (0 at or past the end), or a negative error. */
    long (*pread)(struct file *f, void *buf, size_t n, uint64_t off);
    /* The last reference is gone: free everything the file holds. */
    void (*release)(struct file *f);
};

struct file {
    const struct file_ops *ops;
    uint32_t refs;
};

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

static inline long file_pread(struct file *f, void *buf, size_t n, uint64_t off)
{
    return f->ops->pread(f, buf, n, off);
}

#endif
