/*
 * The file name space: which file system a path belongs to (include/vfs.h).
 * Two mounts: tmpfs at /tmp, the initrd everywhere else. The initrd's own
 * path rules apply below "/" (kernel/fs/fs.c); tmpfs gets the normalised
 * rest of the path below /tmp.
 */
#include <vfs.h>
#include <fs.h>
#include <tmpfs.h>
#include <path.h>
#include <file.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

/* Normalise path into buf; the part below /tmp if it is there (else NULL
 * and *err 0), or NULL with *err set for a bad path. */
static const char *vfs_tmp_part(const char *path, char *buf, size_t size, bool *dir_only, int *err)
{
    int n = path_normalize(path, buf, size, dir_only);
    *err = n < 0 ? n : 0;
    return n < 0 ? NULL : path_below(buf, VFS_TMP_MOUNT);
}

/* The directory-only rule for what a tmpfs path turned out to be. */
static int vfs_dir_check(bool dir_only, uint32_t type)
{
    return dir_only && type != FS_TYPE_DIR ? -ENOTDIR : 0;
}

int vfs_open(const char *path, uint32_t flags, uint32_t mode, struct file **out)
{
    char buf[FS_PATH_MAX];
    bool dir_only;
    int err;
    if (flags & ~(uint32_t)O_FLAGS_ALL || (flags & O_ACCMODE) == O_ACCMODE)
        return -EINVAL;
    const char *rel = vfs_tmp_part(path, buf, sizeof(buf), &dir_only, &err);
    if (err)
        return err;
    if (rel) {
        if (dir_only && (flags & O_CREAT))
            return -EISDIR;
        if ((err = tmpfs_open(rel, flags, mode, out)) < 0)
            return err;
        struct fs_stat st;
        (*out)->ops->fstat(*out, &st);
        if ((err = vfs_dir_check(dir_only, st.type)) < 0)
            file_put(*out);
        return err;
    }
    /* The initrd: read-only. A write or create of a file that exists is
     * -EROFS; of one that does not, -EROFS too (nothing can be created). */
    bool change = (flags & O_ACCMODE) != O_RDONLY || (flags & (O_CREAT | O_TRUNC));
    if (change) {
        struct fs_stat st;
        err = fs_stat(path, &st);
        return err == -ENOENT && !(flags & O_CREAT) ? err : -EROFS;
    }
    return fs_open(path, out);
}

int vfs_stat(const char *path, struct fs_stat *st)
{
    char buf[FS_PATH_MAX];
    bool dir_only;
    int err;
    const char *rel = vfs_tmp_part(path, buf, sizeof(buf), &dir_only, &err);
    if (err)
        return err;
    if (!rel)
        return fs_stat(path, st);
    if ((err = tmpfs_stat(rel, st)) < 0)
        return err;
    return vfs_dir_check(dir_only, st->type);
}

int vfs_readdir(const char *path, size_t index, struct fs_dirent *out)
{
    char buf[FS_PATH_MAX];
    bool dir_only;
    int err;
    const char *rel = vfs_tmp_part(path, buf, sizeof(buf), &dir_only, &err);
    if (err)
        return err;
    return rel ? tmpfs_readdir(rel, index, out) : fs_readdir(path, index, out);
}

int vfs_mkdir(const char *path, uint32_t mode)
{
    char buf[FS_PATH_MAX];
    bool dir_only;
    int err;
    const char *rel = vfs_tmp_part(path, buf, sizeof(buf), &dir_only, &err);
    if (err)
        return err;
    if (!rel) {
        struct fs_stat st;
        return fs_stat(path, &st) == 0 ? -EEXIST : -EROFS;
    }
    return tmpfs_mkdir(rel, mode);
}

int vfs_unlink(const char *path)
{
    char buf[FS_PATH_MAX];
    bool dir_only;
    int err;
    const char *rel = vfs_tmp_part(path, buf, sizeof(buf), &dir_only, &err);
    if (err)
        return err;
    if (!rel) {
        struct fs_stat st;
        return (err = fs_stat(path, &st)) < 0 ? err : -EROFS;
    }
    struct fs_stat st;
    if (dir_only && (err = tmpfs_stat(rel, &st)) == 0 && (err = vfs_dir_check(true, st.type)) < 0)
        return err;
    return tmpfs_unlink(rel);
}
