/*
 * Read-only file system over the initrd (kernel/fs/fs.c).
 *
 * fs_mount_initrd turns a ustar archive into an in-memory tree of nodes;
 * file data is not copied, nodes point into the archive, which must stay
 * mapped and unchanged for as long as the tree exists. The tree is
 * immutable between mounts. Before any mount (and after a failed one) the
 * root is an empty directory, so every call below works at any time.
 *
 * Paths: absolute ("/etc/motd"); a path without the leading '/' is taken
 * from the root as well (there is no working directory). Repeated slashes
 * and "." components are ignored, ".." goes to the parent and stays at the
 * root at the top. A trailing '/' requires a directory (-ENOTDIR).
 * Errors: -ENOENT missing, -ENOTDIR a file used as a directory,
 * -ENAMETOOLONG path >= FS_PATH_MAX or a component >= FS_NAME_MAX bytes,
 * -EINVAL NULL path or bad argument, -EBADF NULL file.
 *
 * Directories can be opened (for fs_fstat, fs_freaddir); reading data from
 * one fails with -EISDIR. Open files are kmalloc'd and freed by fs_close.
 *
 * Concurrency: after the mount the tree is immutable and the open count is
 * atomic, so all calls may run concurrently, except that one struct file
 * must not be used by two threads at once, and fs_mount_initrd must not
 * run concurrently with any other call (it runs once, at boot).
 */
#ifndef STRATA_FS_H
#define STRATA_FS_H

#include <compiler.h>
#include <uapi/fs.h>

struct file;    /* opaque: an open file or directory with a position */

/* Build the tree from the ustar archive at base (size bytes; NULL/0 is an
 * empty archive), replacing any previous tree. Returns 0; -EBUSY if files
 * are open (nothing changes); otherwise on failure (-EIO corrupt archive or
 * conflicting entries, -ENAMETOOLONG, -ENOMEM, -EINVAL NULL base) the root
 * is left empty and fs_mount_error() describes the problem. Entries of
 * unsupported types (links, devices) are skipped with a warning. */
int fs_mount_initrd(const void *base, size_t size);

/* Human-readable reason for the last failed mount, e.g. "corrupt archive
 * at offset 1536: bad header checksum"; "" if the last mount succeeded. */
const char *fs_mount_error(void);

/* Open path (file or directory). Returns 0 with *out set, or a negative
 * error (see above; -ENOMEM) with *out untouched. */
int fs_open(const char *path, struct file **out);

/* Free f; NULL is ignored. f must not be used afterwards. */
void fs_close(struct file *f);
/* Open the same file again (independent position): 0 or -ENOMEM. */
int fs_dup(struct file *f, struct file **out);

/* Read up to n bytes at the file position into buf and advance it.
 * Returns the bytes read (0 at or past the end), -EISDIR for a directory,
 * -EBADF for NULL f. */
long fs_read(struct file *f, void *buf, size_t n);

/* Like fs_read at offset off, without using or moving the position. */
long fs_pread(struct file *f, void *buf, size_t n, uint64_t off);

/* Move the position (SEEK_SET/CUR/END). Returns the new position; -EINVAL
 * for a bad whence or a negative/overflowing result (position unchanged).
 * Seeking past the end is allowed; reads there return 0. */
long fs_seek(struct file *f, long off, int whence);

/* Describe path / an open file. Returns 0 or a negative error. */
int fs_stat(const char *path, struct fs_stat *st);
int fs_fstat(struct file *f, struct fs_stat *st);

/* Fill *out with entry number index (0-based, sorted by name; no "." or
 * "..") of the directory at path / open directory dir. Returns 0, -ENOENT
 * past the last entry, -ENOTDIR if it is not a directory, or a path error. */
int fs_readdir(const char *path, size_t index, struct fs_dirent *out);
int fs_freaddir(struct file *dir, size_t index, struct fs_dirent *out);

/* Direct read-only access to a file's bytes (e.g. for the demand pager):
 * *data points into the initrd and stays valid until the next mount.
 * Returns 0, -EISDIR for a directory, -EBADF for NULL f. */
int fs_file_data(struct file *f, const void **data, size_t *size);

/* Number of files currently open (leak checks, tests). */
size_t fs_open_count(void);

#endif
