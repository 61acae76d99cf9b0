/*
 * File-system constants and records shared by the kernel and user programs.
 * Only fixed-width types, so the layout is the same on both sides.
 */
#ifndef STRATA_UAPI_FS_H
#define STRATA_UAPI_FS_H

#include <stdint.h>

/* whence values for seek */
#define SEEK_SET    0   /* offset from the start */
#define SEEK_CUR    1   /* offset from the current position */
#define SEEK_END    2   /* offset from the end of the file */

/* fs_stat.type and fs_dirent.type */
#define FS_TYPE_FILE    1
#define FS_TYPE_DIR     2

#define FS_PATH_MAX     1024    /* longest path accepted, including the NUL */
#define FS_NAME_MAX     256     /* longest component, including the NUL */

struct fs_stat {
    uint32_t type;      /* FS_TYPE_* */
    uint32_t mode;      /* permission bits, e.g. 0644 */
    uint64_t size;      /* bytes of data (0 for a directory) */
    uint64_t mtime;     /* seconds since the epoch */
};

struct fs_dirent {
    uint32_t type;      /* FS_TYPE_* */
    uint32_t mode;
    uint64_t size;
    char name[FS_NAME_MAX];     /* one component, NUL-terminated */
};

#endif
