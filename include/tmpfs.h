/*
 * tmpfs (kernel/fs/tmpfs.c): the writable in-memory file system the VFS
 * mounts at /tmp. Paths here are relative to its root and normalised by
 * the VFS: "" is the root, components are separated by single slashes,
 * no "." or "..". Errors: -ENOENT, -ENOTDIR, -EEXIST, -EISDIR, -ENOTEMPTY,
 * -ENOSPC (out of frames or over the cap), -ENOMEM.
 */
#ifndef STRATA_TMPFS_H
#define STRATA_TMPFS_H

#include <compiler.h>

struct file;
struct fs_stat;
struct fs_dirent;

/* Set the cap (half of the frames). Once, at boot. */
void tmpfs_init(void);
/* Pages held by files now, and the cap. */
void tmpfs_usage(uint64_t *used, uint64_t *max);

/* Open (O_CREAT: create a file with mode if missing; O_EXCL: fail if it
 * exists; O_TRUNC: empty it). 0 and *out, or an error (nothing created). */
int tmpfs_open(const char *rel, uint32_t flags, uint32_t mode, struct file **out);
int tmpfs_stat(const char *rel, struct fs_stat *st);
int tmpfs_readdir(const char *rel, size_t index, struct fs_dirent *out);
int tmpfs_mkdir(const char *rel, uint32_t mode);
/* Remove a file or an empty directory. An open file lives on, nameless,
 * until it is closed. */
int tmpfs_unlink(const char *rel);

#endif
