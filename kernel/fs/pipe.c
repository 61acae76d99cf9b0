/*
 * Pipes: a bounded byte ring (PIPE_SIZE bytes) with a read end and a write
 * end, each an open file (include/pipe.h).
 *
 * Readers sleep while the ring is empty and get 0 (end of file) once every
 * write end is closed; writers sleep while it is full and get -EPIPE once
 * every read end is closed. A write of at most PIPE_BUF bytes waits until
 * all of it fits and goes in at once, so records of several writers (strace
 * events, lines) never interleave; a longer one goes in piece by piece. Both sleeps are interruptible (a killed process
 * does not stay stuck in a pipe). No busy waiting anywhere.
 *
 * Invariants (pipe->lock held):
 *  - 0 <= head - tail <= PIPE_SIZE (head: next byte written, tail: next read);
 *  - readers/writers count the open files of each end; the pipe is freed
 *    when both reach 0 (the last end's release).
 */
#include <pipe.h>
#include <file.h>
#include <heap.h>
#include <spinlock.h>
#include <waitq.h>
#include <string.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

struct pipe {
    struct spinlock lock;
    uint8_t *buf;               /* PIPE_SIZE bytes */
    uint64_t head, tail;        /* free-running byte counters */
    int readers, writers;       /* open ends */
    struct waitq readable;      /* readers wait for data or the last writer */
    struct waitq writable;      /* writers wait for room or the last reader */
};

/* One end: the open file and the pipe it belongs to. */
struct pipe_end {
    struct file file;           /* first */
    struct pipe *pipe;
};

static struct pipe *pipe_of(struct file *f)
{
    return ((struct pipe_end *)f)->pipe;
}

static bool pipe_readable(void *arg)
{
    struct pipe *p = arg;
    return p->head != p->tail || p->writers == 0;
}

/* A writer's wait: room for need bytes, or no reader left. */
struct pipe_room {
    struct pipe *pipe;
    uint64_t need;
};

static bool pipe_writable(void *arg)
{
    struct pipe_room *r = arg;
    struct pipe *p = r->pipe;
    return PIPE_SIZE - (p->head - p->tail) >= r->need || p->readers == 0;
}

/* Copy n bytes between the ring at byte counter pos and a flat buffer, in
 * at most two pieces (the ring wraps). */
static void pipe_ring_copy(struct pipe *p, uint64_t pos, void *flat, size_t n, bool to_ring)
{
    size_t at = (size_t)(pos % PIPE_SIZE);
    size_t first = MIN(n, PIPE_SIZE - at);
    if (to_ring) {
        memcpy(p->buf + at, flat, first);
        memcpy(p->buf, (uint8_t *)flat + first, n - first);
    } else {
        memcpy(flat, p->buf + at, first);
        memcpy((uint8_t *)flat + first, p->buf, n - first);
    }
}

static long pipe_read(struct file *f, void *buf, size_t n)
{
    struct pipe *p = pipe_of(f);
    if (n == 0)
        return 0;
    for (;;) {
        bool irq = spin_lock_irqsave(&p->lock);
        uint64_t avail = p->head - p->tail;
        if (avail) {
            size_t k = (size_t)MIN((uint64_t)n, avail);
            pipe_ring_copy(p, p->tail, buf, k, false);
            p->tail += k;
            spin_unlock_irqrestore(&p->lock, irq);
            waitq_wake_all(&p->writable);
            return (long)k;
        }
        bool eof = p->writers == 0;
        spin_unlock_irqrestore(&p->lock, irq);
        if (eof)
            return 0;
        int err = waitq_wait_interruptible(&p->readable, pipe_readable, p);
        if (err)
            return err;
    }
}

static long pipe_write(struct file *f, const void *buf, size_t n)
{
    struct pipe *p = pipe_of(f);
    /* Atomic writes wait for room for all; others for any room at all. */
    struct pipe_room want = { p, n <= PIPE_BUF ? n : 1 };
    size_t done = 0;
    while (done < n) {
        bool irq = spin_lock_irqsave(&p->lock);
        if (p->readers == 0) {
            spin_unlock_irqrestore(&p->lock, irq);
            return done ? (long)done : -EPIPE;
        }
        uint64_t room = PIPE_SIZE - (p->head - p->tail);
        size_t k = room >= want.need ? (size_t)MIN((uint64_t)(n - done), room) : 0;
        pipe_ring_copy(p, p->head, (void *)((const uint8_t *)buf + done), k, true);
        p->head += k;
        done += k;
        spin_unlock_irqrestore(&p->lock, irq);
        if (k)
            waitq_wake_all(&p->readable);
        if (done < n) {
            int err = waitq_wait_interruptible(&p->writable, pipe_writable, &want);
            if (err)
                return done ? (long)done : err;
        }
    }
    return (long)done;
}

static int pipe_fstat(struct file *f, struct fs_stat *st)
{
    struct pipe *p = pipe_of(f);
    memset(st, 0, sizeof(*st));
    st->type = FS_TYPE_PIPE;
    st->mode = 0600;
    st->size = p->head - p->tail;       /* bytes waiting to be read */
    return 0;
}

static void pipe_free(struct pipe *p)
{
    kfree(p->buf);
    kfree(p);
}

/* An end is closed: tell the other side (readers see EOF, writers EPIPE). */
static void pipe_release(struct file *f)
{
    struct pipe *p = pipe_of(f);
    bool irq = spin_lock_irqsave(&p->lock);
    if (f->flags == O_RDONLY)
        p->readers--;
    else
        p->writers--;
    bool last = p->readers == 0 && p->writers == 0;
    spin_unlock_irqrestore(&p->lock, irq);
    kfree(f);
    if (last) {
        pipe_free(p);
        return;
    }
    waitq_wake_all(&p->readable);
    waitq_wake_all(&p->writable);
}

static const struct file_ops pipe_read_ops = {
    .read = pipe_read,
    .fstat = pipe_fstat,
    .release = pipe_release,
};

static const struct file_ops pipe_write_ops = {
    .write = pipe_write,
    .fstat = pipe_fstat,
    .release = pipe_release,
};

int pipe_create(struct file **read_end, struct file **write_end)
{
    struct pipe *p = kzalloc(sizeof(*p));
    struct pipe_end *r = kmalloc(sizeof(*r)), *w = kmalloc(sizeof(*w));
    uint8_t *buf = kmalloc(PIPE_SIZE);
    if (!p || !r || !w || !buf) {
        kfree(p);
        kfree(r);
        kfree(w);
        kfree(buf);
        return -ENOMEM;
    }
    p->lock = (struct spinlock)SPINLOCK_INIT("pipe");
    p->buf = buf;
    p->readers = p->writers = 1;
    waitq_init(&p->readable);
    waitq_init(&p->writable);
    file_init(&r->file, &pipe_read_ops, O_RDONLY);
    file_init(&w->file, &pipe_write_ops, O_WRONLY);
    r->pipe = w->pipe = p;
    *read_end = &r->file;
    *write_end = &w->file;
    return 0;
}
