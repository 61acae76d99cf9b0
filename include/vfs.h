/*
 * The file name space (kernel/fs/vfs.c): the initrd file system at "/"
 * (read-only) and tmpfs at "/tmp" (writable). Every path is absolute (a
 * relative one is taken from the root: there is no working directory) and
 * is normalised lexically first ("." and ".." and repeated slashes).
 * A trailing '/' requires a directory.
 *
 * Errors: those of the file systems, plus -EROFS for a change below "/"
 * outside /tmp, -EINVAL for unknown open flags, -ENAMETOOLONG.
 */
#ifndef STRATA_VFS_H
#define STRATA_VFS_H

#include <compiler.h>

struct file;
struct fs_stat;
struct fs_dirent;

#define VFS_TMP_MOUNT   "/tmp"

/* Open path with O_* flags (and mode, for O_CREAT): 0 and a new open file
 * (one reference) in *out, or a negative error. */
int vfs_open(const char *path, uint32_t flags, uint32_t mode, struct file **out);
int vfs_stat(const char *path, struct fs_stat *st);
int vfs_readdir(const char *path, size_t index, struct fs_dirent *out);
int vfs_mkdir(const char *path, uint32_t mode);
int vfs_unlink(const char *path);

#endif
