/*
 * tmpfs: the writable in-memory file system mounted at /tmp (include/tmpfs.h).
 *
 * Files keep their bytes in whole frames, one per 4 KiB page of the file
 * (pages[k] is the physical address of page k, 0 for a hole that reads as
 * zero). Files grow by writing past the end and shrink with O_TRUNC.
 * Directories hold their children in a list sorted by name.
 *
 * A node lives while it is linked in a directory (links == 1) or open
 * (opens > 0): unlink of an open file only takes its name away, and its
 * frames go back when the last open file on it is closed. Running out of
 * frames (or over the file system's cap, half the frames at boot) is
 * -ENOSPC, never a panic.
 *
 * Invariants (tmpfs_lock held): a node's magic is TMPFS_NODE_MAGIC while it
 * is alive; parent->children holds exactly the linked children; pages_used
 * counts every frame held by every file, and the heap its page index
 * (pages[]) takes, in pages: a sparse file written far out costs its
 * index, and that must count against the cap too.
 */
#include <tmpfs.h>
#include <file.h>
#include <frame.h>
#include <heap.h>
#include <string.h>
#include <spinlock.h>
#include <panic.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

#define TMPFS_NODE_MAGIC    0x544d5046u     /* "TMPF" */
#define TMPFS_DEAD_MAGIC    0x64656164u

struct tmpfs_node {
    uint32_t magic;
    uint32_t type;              /* FS_TYPE_FILE or FS_TYPE_DIR */
    uint32_t mode;
    uint32_t links;             /* 1 while named in a directory (the root: always) */
    uint32_t opens;             /* open files on it */
    char *name;                 /* kmalloc'd, one component */
    struct tmpfs_node *parent;
    struct tmpfs_node *children;    /* directories: sorted by name */
    struct tmpfs_node *next;        /* the next sibling */
    uint64_t size;              /* files: bytes */
    uint64_t *pages;            /* files: frame of each page, 0 for a hole */
    uint64_t npages;            /* entries in pages */
};

struct tmpfs_file {
    struct file file;           /* first */
    struct tmpfs_node *node;
};

static struct spinlock tmpfs_lock = SPINLOCK_INIT("tmpfs");
static struct tmpfs_node root = {
    .magic = TMPFS_NODE_MAGIC, .type = FS_TYPE_DIR, .mode = 01777, .links = 1, .name = "",
};
static uint64_t pages_used, pages_max;

static struct tmpfs_node *node_of(struct file *f)
{
    return ((struct tmpfs_file *)f)->node;
}

void tmpfs_init(void)
{
    struct frame_stats st;
    frame_stats(&st);
    pages_max = st.total / 2;
}

void tmpfs_usage(uint64_t *used, uint64_t *max)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    *used = pages_used;
    *max = pages_max;
    spin_unlock_irqrestore(&tmpfs_lock, irq);
}

/* ---- nodes (tmpfs_lock held) ---- */

/* The pages a page index of n entries takes (charged to pages_used). */
static uint64_t index_pages(uint64_t n)
{
    return (n * sizeof(uint64_t) + PAGE_SIZE - 1) / PAGE_SIZE;
}

/* Drop the frames of a file from page `keep` on. */
static void node_pages_trim(struct tmpfs_node *n, uint64_t keep)
{
    for (uint64_t k = keep; k < n->npages; k++) {
        if (n->pages[k]) {
            frame_unref(n->pages[k]);
            n->pages[k] = 0;
            pages_used--;
        }
    }
}

/* Free a node nobody names or has open any more. */
static void node_free_if_unused(struct tmpfs_node *n)
{
    if (n->links || n->opens || n == &root)
        return;
    node_pages_trim(n, 0);
    pages_used -= index_pages(n->npages);
    n->magic = TMPFS_DEAD_MAGIC;
    kfree(n->pages);
    kfree(n->name);
    kfree(n);
}

static struct tmpfs_node *dir_child(struct tmpfs_node *dir, const char *name, size_t len)
{
    for (struct tmpfs_node *c = dir->children; c; c = c->next)
        if (strlen(c->name) == len && memcmp(c->name, name, len) == 0)
            return c;
    return NULL;
}

static void dir_link(struct tmpfs_node *dir, struct tmpfs_node *n)
{
    struct tmpfs_node **pp = &dir->children;
    while (*pp && strcmp((*pp)->name, n->name) < 0)
        pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
    n->parent = dir;
    n->links = 1;
}

static void dir_unlink(struct tmpfs_node *n)
{
    struct tmpfs_node **pp = &n->parent->children;
    while (*pp != n)
        pp = &(*pp)->next;
    *pp = n->next;
    n->next = NULL;
    n->links = 0;
}

/* Walk rel ("" = the root; components separated by '/', already
 * normalised by the VFS). With want_parent, stop at the parent of the last
 * component and set *last and *last_len to it. 0, -ENOENT, -ENOTDIR. */
static int node_walk(const char *rel, bool want_parent, struct tmpfs_node **out,
                     const char **last, size_t *last_len)
{
    struct tmpfs_node *cur = &root;
    const char *p = rel;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (!end && want_parent) {
            *last = p;
            *last_len = len;
            *out = cur;
            return 0;
        }
        if (cur->type != FS_TYPE_DIR)
            return -ENOTDIR;
        struct tmpfs_node *c = dir_child(cur, p, len);
        if (!c)
            return -ENOENT;
        cur = c;
        p = end ? end + 1 : p + len;
    }
    if (want_parent)
        return -EEXIST;         /* the root itself: no last component */
    *out = cur;
    return 0;
}

static struct tmpfs_node *node_new(const char *name, size_t len, uint32_t type, uint32_t mode)
{
    struct tmpfs_node *n = kzalloc(sizeof(*n));
    char *copy = kmalloc(len + 1);
    if (!n || !copy) {
        kfree(n);
        kfree(copy);
        return NULL;
    }
    memcpy(copy, name, len);
    copy[len] = '\0';
    n->magic = TMPFS_NODE_MAGIC;
    n->type = type;
    n->mode = mode & 07777;
    n->name = copy;
    return n;
}

/* ---- file contents (tmpfs_lock held) ---- */

/* Make pages[] hold at least n entries: 0 or -ENOSPC. */
static int node_pages_reserve(struct tmpfs_node *n, uint64_t want)
{
    if (want <= n->npages)
        return 0;
    if (want > pages_max)
        return -ENOSPC;
    uint64_t cap = MAX(want, n->npages * 2);
    cap = MIN(MAX(cap, (uint64_t)8), pages_max);
    uint64_t extra = index_pages(cap) - index_pages(n->npages);
    if (pages_used + extra > pages_max)
        return -ENOSPC;
    uint64_t *pages = kzalloc(cap * sizeof(uint64_t));
    if (!pages)
        return -ENOSPC;
    pages_used += extra;
    if (n->pages)
        memcpy(pages, n->pages, n->npages * sizeof(uint64_t));
    kfree(n->pages);
    n->pages = pages;
    n->npages = cap;
    return 0;
}

static long node_read(struct tmpfs_node *n, void *buf, size_t len, uint64_t off)
{
    if (off >= n->size)
        return 0;
    size_t count = (size_t)MIN((uint64_t)len, n->size - off);
    for (size_t done = 0; done < count;) {
        uint64_t k = (off + done) / PAGE_SIZE, in = (off + done) % PAGE_SIZE;
        size_t piece = (size_t)MIN((uint64_t)(count - done), PAGE_SIZE - in);
        if (n->pages[k])
            memcpy((uint8_t *)buf + done, (uint8_t *)phys_to_virt(n->pages[k]) + in, piece);
        else
            memset((uint8_t *)buf + done, 0, piece);
        done += piece;
    }
    return (long)count;
}

/* Write at off, growing the file: bytes written (fewer than len only if
 * the space ran out after some), or -ENOSPC / -EFBIG. */
static long node_write(struct tmpfs_node *n, const void *buf, size_t len, uint64_t off)
{
    if (len == 0)
        return 0;
    uint64_t end = off + len;
    if (end < off || end / PAGE_SIZE + 1 > pages_max)
        return -ENOSPC;
    int err = node_pages_reserve(n, (end + PAGE_SIZE - 1) / PAGE_SIZE);
    if (err)
        return err;
    size_t done = 0;
    while (done < len) {
        uint64_t k = (off + done) / PAGE_SIZE, in = (off + done) % PAGE_SIZE;
        size_t piece = (size_t)MIN((uint64_t)(len - done), PAGE_SIZE - in);
        if (!n->pages[k]) {
            uint64_t frame = pages_used < pages_max ? frame_alloc(FRAME_ZERO) : 0;
            if (!frame)
                break;
            n->pages[k] = frame;
            pages_used++;
        }
        memcpy((uint8_t *)phys_to_virt(n->pages[k]) + in, (const uint8_t *)buf + done, piece);
        done += piece;
    }
    if (off + done > n->size)
        n->size = off + done;
    return done ? (long)done : -ENOSPC;
}

/* Set the size; frames wholly past it go back, the tail of the last page
 * is zeroed (a later growth must read zeros there). */
static void node_truncate(struct tmpfs_node *n, uint64_t size)
{
    if (size >= n->size) {
        n->size = size;
        return;
    }
    uint64_t keep = (size + PAGE_SIZE - 1) / PAGE_SIZE;
    node_pages_trim(n, keep);
    if (size % PAGE_SIZE && n->pages[size / PAGE_SIZE])
        memset((uint8_t *)phys_to_virt(n->pages[size / PAGE_SIZE]) + size % PAGE_SIZE, 0,
               PAGE_SIZE - size % PAGE_SIZE);
    n->size = size;
}

static void node_stat(const struct tmpfs_node *n, struct fs_stat *st)
{
    memset(st, 0, sizeof(*st));
    st->type = n->type;
    st->mode = n->mode;
    st->size = n->type == FS_TYPE_FILE ? n->size : 0;
}

static int node_readdir(const struct tmpfs_node *dir, size_t index, struct fs_dirent *out)
{
    if (dir->type != FS_TYPE_DIR)
        return -ENOTDIR;
    const struct tmpfs_node *c = dir->children;
    for (size_t i = 0; c && i < index; i++)
        c = c->next;
    if (!c)
        return -ENOENT;
    memset(out, 0, sizeof(*out));
    out->type = c->type;
    out->mode = c->mode;
    out->size = c->type == FS_TYPE_FILE ? c->size : 0;
    strlcpy(out->name, c->name, sizeof(out->name));
    return 0;
}

/* ---- open files ---- */

static long tmpfs_file_read(struct file *f, void *buf, size_t n)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *node = node_of(f);
    long r = node->type == FS_TYPE_DIR ? -EISDIR : node_read(node, buf, n, f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return r;
}

static long tmpfs_file_pread(struct file *f, void *buf, size_t n, uint64_t off)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *node = node_of(f);
    long r = node->type == FS_TYPE_DIR ? -EISDIR : node_read(node, buf, n, off);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return r;
}

static long tmpfs_file_write(struct file *f, const void *buf, size_t n)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *node = node_of(f);
    if (f->flags & O_APPEND)
        f->pos = node->size;
    long r = node_write(node, buf, n, f->pos);
    if (r > 0)
        f->pos += (uint64_t)r;
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return r;
}

static long tmpfs_file_seek(struct file *f, long off, int whence)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    long r = file_seek_sized(f, off, whence, node_of(f)->size);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return r;
}

static int tmpfs_file_fstat(struct file *f, struct fs_stat *st)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    node_stat(node_of(f), st);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return 0;
}

static int tmpfs_file_readdir(struct file *f, size_t index, struct fs_dirent *out)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    int r = node_readdir(node_of(f), index, out);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return r;
}

static void tmpfs_file_release(struct file *f)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *n = node_of(f);
    n->opens--;
    node_free_if_unused(n);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    kfree(f);
}

static const struct file_ops tmpfs_file_ops = {
    .read = tmpfs_file_read,
    .write = tmpfs_file_write,
    .pread = tmpfs_file_pread,
    .seek = tmpfs_file_seek,
    .fstat = tmpfs_file_fstat,
    .readdir = tmpfs_file_readdir,
    .release = tmpfs_file_release,
};

/* ---- the file system's calls (include/tmpfs.h) ---- */

int tmpfs_open(const char *rel, uint32_t flags, uint32_t mode, struct file **out)
{
    struct tmpfs_file *f = kmalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *n, *dir;
    const char *last;
    size_t last_len;
    int err = node_walk(rel, false, &n, NULL, NULL);
    if (err == -ENOENT && (flags & O_CREAT)) {
        if ((err = node_walk(rel, true, &dir, &last, &last_len)) == 0) {
            if (dir->type != FS_TYPE_DIR)
                err = -ENOTDIR;
            else if (!(n = node_new(last, last_len, FS_TYPE_FILE, mode)))
                err = -ENOSPC;
            else
                dir_link(dir, n);
        }
    } else if (!err && (flags & O_CREAT) && (flags & O_EXCL)) {
        err = -EEXIST;
    }
    if (!err && n->type == FS_TYPE_DIR && (flags & O_ACCMODE) != O_RDONLY)
        err = -EISDIR;
    if (err) {
        spin_unlock_irqrestore(&tmpfs_lock, irq);
        kfree(f);
        return err;
    }
    if ((flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY && n->type == FS_TYPE_FILE)
        node_truncate(n, 0);
    n->opens++;
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    file_init(&f->file, &tmpfs_file_ops, flags & (O_ACCMODE | O_APPEND));
    f->node = n;
    *out = &f->file;
    return 0;
}

int tmpfs_stat(const char *rel, struct fs_stat *st)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *n;
    int err = node_walk(rel, false, &n, NULL, NULL);
    if (!err)
        node_stat(n, st);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return err;
}

int tmpfs_readdir(const char *rel, size_t index, struct fs_dirent *out)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *n;
    int err = node_walk(rel, false, &n, NULL, NULL);
    if (!err)
        err = node_readdir(n, index, out);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return err;
}

int tmpfs_mkdir(const char *rel, uint32_t mode)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *dir, *n;
    const char *last;
    size_t last_len;
    int err = node_walk(rel, true, &dir, &last, &last_len);
    if (!err && dir->type != FS_TYPE_DIR)
        err = -ENOTDIR;
    if (!err && dir_child(dir, last, last_len))
        err = -EEXIST;
    if (!err && !(n = node_new(last, last_len, FS_TYPE_DIR, mode)))
        err = -ENOSPC;
    if (!err)
        dir_link(dir, n);
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return err;
}

int tmpfs_unlink(const char *rel)
{
    bool irq = spin_lock_irqsave(&tmpfs_lock);
    struct tmpfs_node *n;
    int err = node_walk(rel, false, &n, NULL, NULL);
    if (!err && n == &root)
        err = -EBUSY;
    else if (!err && n->type == FS_TYPE_DIR && n->children)
        err = -ENOTEMPTY;
    if (!err) {
        dir_unlink(n);
        node_free_if_unused(n);
    }
    spin_unlock_irqrestore(&tmpfs_lock, irq);
    return err;
}
