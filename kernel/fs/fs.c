/*
 * Read-only file system over the initrd: see include/fs.h for the API.
 *
 * Invariants:
 *  - fs_root always exists (static) and is a directory; every other node is
 *    one kmalloc'd block holding the node and its NUL-terminated name;
 *  - a directory's children form a singly linked list sorted by
 *    fs_name_cmp, with no duplicate names; files have no children;
 *  - node->parent is the containing directory (the root's is NULL);
 *  - file data points into the archive and lies inside it (tar.c checks);
 *  - the tree changes only in fs_mount_initrd, which refuses to run while
 *    files are open, so struct file may cache node pointers.
 * Host tests compile this file as is and supply kmalloc/kfree/klog.
 */
#include <fs.h>
#include <file.h>
#include <tar.h>
#include <heap.h>
#include <log.h>
#include <fmt.h>
#include <string.h>
#include <uapi/errno.h>

#define FS_MODE_MASK        07777
#define FS_IMPLIED_DIR_MODE 0755    /* directories the archive only implies */

struct fs_node {
    const char *name;           /* one component; "" for the root */
    size_t name_len;
    uint32_t type;              /* FS_TYPE_* */
    uint32_t mode;
    uint64_t mtime;
    const uint8_t *data;        /* files only */
    size_t size;                /* files only */
    struct fs_node *parent;
    struct fs_node *children;   /* directories: first child */
    struct fs_node *last_child; /* fast append for name-sorted archives */
    struct fs_node *next;       /* next sibling */
};

/* An open file or directory of this file system: struct file (the
 * interface the layers below see, include/file.h) comes first. */
struct initrd_file {
    struct file file;
    struct fs_node *node;       /* (the position is file.pos, <= LONG_MAX) */
    size_t dir_index;           /* readdir cursor: dir_node is child #index */
    struct fs_node *dir_node;
};

static inline struct initrd_file *ifile(struct file *f)
{
    return (struct initrd_file *)f;
}

static long fs_file_pread(struct file *f, void *buf, size_t n, uint64_t off);
static void fs_file_release(struct file *f);
static const struct file_ops initrd_file_ops = {
    .read = fs_read,
    .pread = fs_file_pread,
    .seek = fs_seek,
    .fstat = fs_fstat,
    .readdir = fs_freaddir,
    .release = fs_file_release,
};

static struct fs_node fs_root = {
    .name = "", .type = FS_TYPE_DIR, .mode = FS_IMPLIED_DIR_MODE,
};
static size_t fs_open_files;
static char fs_mount_errbuf[192];

/* ---- nodes ----------------------------------------------------------------- */

/* Compare node name with component comp[0..clen) (not NUL-terminated),
 * as strcmp would compare name with the component. */
static int fs_name_cmp(const struct fs_node *n, const char *comp, size_t clen)
{
    size_t len = MIN(n->name_len, clen);
    int c = memcmp(n->name, comp, len);
    if (c)
        return c;
    return n->name_len < clen ? -1 : n->name_len > clen;
}

/* Find the child of dir named comp[0..clen); NULL if none. */
static struct fs_node *fs_node_child_find(struct fs_node *dir, const char *comp,
                                          size_t clen)
{
    for (struct fs_node *c = dir->children; c; c = c->next) {
        int cmp = fs_name_cmp(c, comp, clen);
        if (cmp == 0)
            return c;
        if (cmp > 0)        /* sorted: it cannot come later */
            break;
    }
    return NULL;
}

/* Insert the new node n (no name clash) into dir's sorted child list. */
static void fs_node_child_insert(struct fs_node *dir, struct fs_node *n)
{
    n->parent = dir;
    n->next = NULL;
    if (!dir->last_child || fs_name_cmp(dir->last_child, n->name, n->name_len) < 0) {
        if (dir->last_child)
            dir->last_child->next = n;
        else
            dir->children = n;
        dir->last_child = n;
        return;
    }
    struct fs_node **link = &dir->children;
    while (fs_name_cmp(*link, n->name, n->name_len) < 0)
        link = &(*link)->next;
    n->next = *link;
    *link = n;
}

/* Allocate a node named comp[0..clen) of the given type, zero otherwise.
 * Returns NULL when out of memory. */
static struct fs_node *fs_node_alloc(const char *comp, size_t clen, uint32_t type)
{
    struct fs_node *n = kmalloc(sizeof(*n) + clen + 1);
    if (!n)
        return NULL;
    memset(n, 0, sizeof(*n));
    char *name = (char *)(n + 1);
    memcpy(name, comp, clen);
    name[clen] = '\0';
    n->name = name;
    n->name_len = clen;
    n->type = type;
    return n;
}

/* Free every node below the root (iteratively: depth is archive-controlled)
 * and leave the root empty. */
static void fs_tree_free(void)
{
    struct fs_node *n = fs_root.children;
    while (n) {
        if (n->children) {
            n = n->children;
            continue;
        }
        struct fs_node *parent = n->parent, *next = n->next;
        parent->children = next;    /* n is always its parent's first child */
        kfree(n);
        n = next ? next : (parent == &fs_root ? NULL : parent);
    }
    fs_root.children = fs_root.last_child = NULL;
    fs_root.mode = FS_IMPLIED_DIR_MODE;
    fs_root.mtime = 0;
}

/* ---- mounting -------------------------------------------------------------- */

/* Record why the mount failed and return err. */
__printf(2, 3)
static int fs_mount_fail(int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fs_mount_errbuf, sizeof(fs_mount_errbuf), fmt, ap);
    va_end(ap);
    return err;
}

/*
 * Walk to (creating as needed) the directory that will hold the last
 * component of e->name; *last / *last_len receive that component.
 * Returns the directory, or NULL with *err set (-ENOMEM, -ENAMETOOLONG,
 * -EIO when a file stands where a directory is needed).
 */
static struct fs_node *fs_mount_parent_get(const struct tar_entry *e,
                                           const char **last, size_t *last_len,
                                           int *err)
{
    struct fs_node *dir = &fs_root;
    const char *p = e->name;    /* normalized: no empty, ".", ".." parts */
    for (;;) {
        const char *slash = strchr(p, '/');
        size_t clen = slash ? (size_t)(slash - p) : strlen(p);
        if (clen >= FS_NAME_MAX) {
            *err = fs_mount_fail(-ENAMETOOLONG, "entry '%s' at offset %zu: "
                                 "component longer than %d bytes",
                                 e->name, e->offset, FS_NAME_MAX - 1);
            return NULL;
        }
        if (!slash) {
            *last = p;
            *last_len = clen;
            return dir;
        }
        struct fs_node *child = fs_node_child_find(dir, p, clen);
        if (!child) {
            child = fs_node_alloc(p, clen, FS_TYPE_DIR);
            if (!child) {
                *err = fs_mount_fail(-ENOMEM, "out of memory building the tree");
                return NULL;
            }
            child->mode = FS_IMPLIED_DIR_MODE;
            fs_node_child_insert(dir, child);
        } else if (child->type != FS_TYPE_DIR) {
            *err = fs_mount_fail(-EIO, "entry '%s' at offset %zu: a parent "
                                 "is a file", e->name, e->offset);
            return NULL;
        }
        dir = child;
        p = slash + 1;
    }
}

/* Copy the entry's attributes (and data for files) into node n. */
static void fs_node_fill(struct fs_node *n, const struct tar_entry *e)
{
    n->mode = e->mode & FS_MODE_MASK;
    n->mtime = e->mtime;
    if (n->type == FS_TYPE_FILE) {
        n->data = e->data;
        n->size = e->size;
    }
}

/*
 * Add one file or directory entry to the tree. A later entry for an existing
 * path of the same type replaces its attributes (and data), as extraction
 * would. Returns 0 or a negative error (message recorded).
 */
static int fs_mount_entry_add(const struct tar_entry *e)
{
    uint32_t type = e->type == TAR_TYPE_DIR ? FS_TYPE_DIR : FS_TYPE_FILE;
    if (e->name[0] == '\0') {   /* the root itself (tar.c: always a dir) */
        fs_node_fill(&fs_root, e);
        return 0;
    }
    const char *last;
    size_t last_len;
    int err;
    struct fs_node *dir = fs_mount_parent_get(e, &last, &last_len, &err);
    if (!dir)
        return err;
    struct fs_node *n = fs_node_child_find(dir, last, last_len);
    if (n && n->type != type)
        return fs_mount_fail(-EIO, "entry '%s' at offset %zu: conflicts with "
                             "an earlier entry of another type", e->name, e->offset);
    if (!n) {
        n = fs_node_alloc(last, last_len, type);
        if (!n)
            return fs_mount_fail(-ENOMEM, "out of memory building the tree");
        fs_node_child_insert(dir, n);
    }
    fs_node_fill(n, e);
    return 0;
}

/* Replace the tree with the archive's; 0, -EBUSY (files open, nothing
 * changed), or an error with the root left empty and the reason recorded. */
int fs_mount_initrd(const void *base, size_t size)
{
    if (fs_open_count())
        return -EBUSY;
    fs_tree_free();
    fs_mount_errbuf[0] = '\0';

    struct tar_iter it;
    struct tar_entry e;
    int r;
    tar_iter_init(&it, base, size);
    while ((r = tar_iter_next(&it, &e)) > 0) {
        if (e.type == TAR_TYPE_OTHER) {
            pr_warn("initrd: skipping '%s': unsupported entry type '%c'\n",
                    e.name, e.typeflag ? e.typeflag : '?');
            continue;
        }
        r = fs_mount_entry_add(&e);
        if (r < 0)
            break;
    }
    if (r < 0 && !fs_mount_errbuf[0])     /* from tar_iter_next */
        fs_mount_fail(r, "corrupt archive at offset %zu: %s",
                      it.error.offset, it.error.reason);
    if (r < 0)
        fs_tree_free();
    return r < 0 ? r : 0;
}

/* Reason for the last failed mount; "" after a successful one. */
const char *fs_mount_error(void)
{
    return fs_mount_errbuf;
}

/* ---- paths ----------------------------------------------------------------- */

/* Resolve path to its node (rules in include/fs.h). Returns 0 with *out set
 * or a negative error. */
static int fs_path_resolve(const char *path, struct fs_node **out)
{
    if (!path)
        return -EINVAL;
    size_t len = strnlen(path, FS_PATH_MAX);
    if (len == FS_PATH_MAX)
        return -ENAMETOOLONG;
    if (len == 0)
        return -ENOENT;

    struct fs_node *cur = &fs_root;
    const char *p = path;
    while (*p) {
        if (*p == '/') {
            p++;
            continue;
        }
        const char *start = p;
        while (*p && *p != '/')
            p++;
        size_t clen = (size_t)(p - start);
        if (clen >= FS_NAME_MAX)
            return -ENAMETOOLONG;
        if (cur->type != FS_TYPE_DIR)
            return -ENOTDIR;
        if (clen == 1 && start[0] == '.')
            continue;
        if (clen == 2 && start[0] == '.' && start[1] == '.') {
            cur = cur->parent ? cur->parent : cur;  /* clamp at the root */
            continue;
        }
        cur = fs_node_child_find(cur, start, clen);
        if (!cur)
            return -ENOENT;
    }
    if (path[len - 1] == '/' && cur->type != FS_TYPE_DIR)
        return -ENOTDIR;
    *out = cur;
    return 0;
}

/* ---- files ----------------------------------------------------------------- */

/* Open a file or directory: 0 with *out set, or a path error / -ENOMEM. */
/* A new open file on node n, positioned at 0. */
static int fs_file_new(struct fs_node *n, struct file **out)
{
    struct initrd_file *f = kmalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    file_init(&f->file, &initrd_file_ops, O_RDONLY);
    f->node = n;
    f->dir_index = 0;
    f->dir_node = n->children;
    __atomic_add_fetch(&fs_open_files, 1, __ATOMIC_RELAXED);
    *out = &f->file;
    return 0;
}

int fs_open(const char *path, struct file **out)
{
    struct fs_node *n;
    int r = fs_path_resolve(path, &n);
    if (r < 0)
        return r;
    return fs_file_new(n, out);
}

/* A second, independent open file on the same node as f (own position);
 * 0 or -ENOMEM. Used by holders that must outlive the opener's handle,
 * such as FILE regions. */
int fs_dup(struct file *f, struct file **out)
{
    return fs_file_new(ifile(f)->node, out);
}

/* The last reference to an open file went (file_put): free it. */
static void fs_file_release(struct file *f)
{
    __atomic_sub_fetch(&fs_open_files, 1, __ATOMIC_RELAXED);
    kfree(ifile(f));
}

/* Drop the caller's reference; NULL is ignored. */
void fs_close(struct file *f)
{
    file_put(f);
}

/* Files currently open. */
size_t fs_open_count(void)
{
    return __atomic_load_n(&fs_open_files, __ATOMIC_RELAXED);
}

/* Copy up to n bytes at off: bytes copied (0 at/past the end), -EISDIR,
 * -EBADF. The position is not used. */
long fs_pread(struct file *f, void *buf, size_t n, uint64_t off)
{
    if (!f)
        return -EBADF;
    return fs_file_pread(f, buf, n, off);
}

static long fs_file_pread(struct file *f, void *buf, size_t n, uint64_t off)
{
    const struct fs_node *node = ifile(f)->node;
    if (node->type != FS_TYPE_FILE)
        return -EISDIR;
    if (off >= node->size)
        return 0;
    size_t count = MIN(n, node->size - (size_t)off);
    count = MIN(count, (size_t)__LONG_MAX__);   /* the result must fit a long */
    memcpy(buf, node->data + off, count);
    return (long)count;
}

/* fs_pread at the position, then advance it by the bytes read. */
long fs_read(struct file *f, void *buf, size_t n)
{
    if (!f)
        return -EBADF;
    long r = fs_pread(f, buf, n, f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    return r;
}

/* Set the position: the new position, or -EINVAL (bad whence, negative or
 * overflowing result; position unchanged) / -EBADF. */
long fs_seek(struct file *f, long off, int whence)
{
    if (!f)
        return -EBADF;
    return file_seek_sized(f, off, whence, ifile(f)->node->size);   /* in memory: fits */
}

/* Point *data and *size at the file's bytes in the initrd: 0, -EISDIR, -EBADF. */
int fs_file_data(struct file *f, const void **data, size_t *size)
{
    if (!f)
        return -EBADF;
    if (ifile(f)->node->type != FS_TYPE_FILE)
        return -EISDIR;
    *data = ifile(f)->node->data;
    *size = ifile(f)->node->size;
    return 0;
}

/* ---- metadata -------------------------------------------------------------- */

/* Describe node n in *st. */
static void fs_node_stat(const struct fs_node *n, struct fs_stat *st)
{
    st->type = n->type;
    st->mode = n->mode;
    st->size = n->type == FS_TYPE_FILE ? n->size : 0;
    st->mtime = n->mtime;
}

/* Describe the node at path: 0 or a path error. */
int fs_stat(const char *path, struct fs_stat *st)
{
    struct fs_node *n;
    int r = fs_path_resolve(path, &n);
    if (r < 0)
        return r;
    fs_node_stat(n, st);
    return 0;
}

/* Describe an open file: 0 or -EBADF. */
int fs_fstat(struct file *f, struct fs_stat *st)
{
    if (!f)
        return -EBADF;
    fs_node_stat(ifile(f)->node, st);
    return 0;
}

/* Fill *out from child node c. */
static void fs_dirent_fill(const struct fs_node *c, struct fs_dirent *out)
{
    out->type = c->type;
    out->mode = c->mode;
    out->size = c->type == FS_TYPE_FILE ? c->size : 0;
    memcpy(out->name, c->name, c->name_len + 1);    /* < FS_NAME_MAX: mount checked */
}

/* Child number index of dir, walking from child number from_index (node
 * from, which must be that child or NULL to start over). NULL past the end. */
static struct fs_node *fs_dir_child_at(const struct fs_node *dir, size_t index,
                                       struct fs_node *from, size_t from_index)
{
    struct fs_node *c = from;
    size_t i = from_index;
    if (!c || from_index > index) {
        c = dir->children;
        i = 0;
    }
    for (; c && i < index; i++)
        c = c->next;
    return c;
}

/* Entry index of the directory at path: 0, -ENOENT past the end, -ENOTDIR,
 * or a path error. O(index) per call. */
int fs_readdir(const char *path, size_t index, struct fs_dirent *out)
{
    struct fs_node *dir;
    int r = fs_path_resolve(path, &dir);
    if (r < 0)
        return r;
    if (dir->type != FS_TYPE_DIR)
        return -ENOTDIR;
    struct fs_node *c = fs_dir_child_at(dir, index, NULL, 0);
    if (!c)
        return -ENOENT;
    fs_dirent_fill(c, out);
    return 0;
}

/* Entry index of an open directory: 0, -ENOENT past the end, -ENOTDIR,
 * -EBADF. */
int fs_freaddir(struct file *dir, size_t index, struct fs_dirent *out)
{
    if (!dir)
        return -EBADF;
    if (ifile(dir)->node->type != FS_TYPE_DIR)
        return -ENOTDIR;
    /* Sequential reads resume from the cached cursor: O(1) per entry. */
    struct fs_node *c = fs_dir_child_at(ifile(dir)->node, index, ifile(dir)->dir_node, ifile(dir)->dir_index);
    if (!c)
        return -ENOENT;
    ifile(dir)->dir_node = c;
    ifile(dir)->dir_index = index;
    fs_dirent_fill(c, out);
    return 0;
}
