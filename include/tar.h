/*
 * A pure, read-only ustar parser (kernel/lib/tar.c). It touches nothing but the
 * buffer it is given, so it runs unchanged in the kernel and in host tests.
 *
 * Guarantees: no byte outside [base, base + size) is ever read, whatever the
 * archive holds; every entry handed out has a checked header (magic,
 * checksum, strictly octal size/mode/mtime) and data that lies entirely
 * inside the buffer. Corruption stops iteration with -EIO and a
 * struct tar_error naming the header offset and the reason.
 *
 * Accepted: POSIX ustar ("ustar\0" "00", prefix field honoured) and the old
 * GNU magic ("ustar  \0", no prefix field). The archive ends at two zero
 * blocks, at one zero block followed by the end of the buffer, or at the
 * clean end of the buffer between entries. The last entry's data may end
 * exactly at the buffer end without its padding.
 */
#ifndef STRATA_TAR_H
#define STRATA_TAR_H

#include <compiler.h>

#define TAR_BLOCK_SIZE  512
/* Longest joined name: prefix (155) + '/' + name (100), plus a NUL. */
#define TAR_NAME_MAX    257

enum tar_type {
    TAR_TYPE_FILE,      /* typeflag '0' or '\0' (or '7', contiguous file) */
    TAR_TYPE_DIR,       /* typeflag '5' */
    TAR_TYPE_OTHER,     /* links, devices, fifos, pax/GNU extension headers */
};

struct tar_entry {
    char name[TAR_NAME_MAX];    /* normalized: "etc/motd"; "" is the root */
    enum tar_type type;
    char typeflag;              /* the raw typeflag, for messages */
    const void *data;           /* inside the archive buffer; size bytes */
    size_t size;
    uint32_t mode;              /* permission bits as stored (e.g. 0644) */
    uint64_t mtime;             /* seconds since the epoch */
    size_t offset;              /* offset of this entry's header */
};

struct tar_error {
    size_t offset;              /* offset of the offending header or block */
    const char *reason;         /* static string, e.g. "bad header checksum" */
};

/* Iteration state; initialise with tar_iter_init, never by hand. */
struct tar_iter {
    const uint8_t *base;
    size_t size;
    size_t pos;                 /* offset of the next header */
    int status;                 /* 0 iterating, 1 ended, < 0 the error */
    struct tar_error error;     /* valid after tar_iter_next returned < 0 */
};

/* Start iterating over the archive at base (size bytes). Never fails;
 * problems with base/size are reported by the first tar_iter_next. */
void tar_iter_init(struct tar_iter *it, const void *base, size_t size);

/* Produce the next entry into *out. Returns 1 when *out holds an entry,
 * 0 at the end of the archive (and on every later call), or -EIO if the
 * archive is corrupt (-EINVAL for a NULL base with a nonzero size); then
 * it->error says where and why, *out is unspecified and later calls
 * return the same error. Entries of type TAR_TYPE_OTHER are returned too,
 * so the caller can skip or report them. */
int tar_iter_next(struct tar_iter *it, struct tar_entry *out);

/* Check a whole archive. Returns 0 if every header is valid (entries of
 * unsupported types are allowed), or the negative error of tar_iter_next
 * with *err (if not NULL) filled in. */
int tar_validate(const void *base, size_t size, struct tar_error *err);

#endif
