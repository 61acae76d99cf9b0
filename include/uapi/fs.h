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
#define FS_TYPE_PIPE    3       /* one end of a pipe */

/* A write of at most PIPE_BUF bytes to a pipe is atomic: its bytes are
 * never interleaved with another writer's (POSIX). */
#define PIPE_BUF        4096
#define FS_TYPE_CHAR    4       /* a character device: the console */

/* open() flags (Linux's values, so that strace shows familiar names) */
#define O_RDONLY    0x0000
#define O_WRONLY    0x0001
#define O_RDWR      0x0002
#define O_ACCMODE   0x0003
#define O_CREAT     0x0040      /* create the file if it does not exist (mode applies) */
#define O_EXCL      0x0080      /* with O_CREAT: fail with -EEXIST if it exists */
#define O_TRUNC     0x0200      /* empty it (opened for writing) */
#define O_APPEND    0x0400      /* every write goes to the end */
#define O_FLAGS_ALL (O_ACCMODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND)

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
