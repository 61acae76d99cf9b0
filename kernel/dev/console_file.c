/*
 * The console as an open file (descriptors 0, 1 and 2 of a process started
 * by the kernel): reads go through the line discipline (a cooked line, or
 * raw bytes, as the mode says), as a terminal's do; writes go to every
 * console device.
 */
#include <console.h>
#include <file.h>
#include <heap.h>
#include <string.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

static long console_file_read(struct file *f, void *buf, size_t n)
{
    return n ? console_ldisc_read(buf, n) : 0;
}

static long console_file_write(struct file *f, const void *buf, size_t n)
{
    console_write(buf, n);
    return (long)n;
}

static int console_file_fstat(struct file *f, struct fs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->type = FS_TYPE_CHAR;
    st->mode = 0620;
    return 0;
}

static void console_file_release(struct file *f)
{
    kfree(f);
}

static const struct file_ops console_file_ops = {
    .read = console_file_read,
    .write = console_file_write,
    .fstat = console_file_fstat,
    .release = console_file_release,
};

bool console_file_is(const struct file *f)
{
    return f && f->ops == &console_file_ops;
}

int console_file_open(uint32_t flags, struct file **out)
{
    struct file *f = kmalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    file_init(f, &console_file_ops, flags & O_ACCMODE);
    *out = f;
    return 0;
}
