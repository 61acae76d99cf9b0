/*
 * Physical frame allocator (see include/frame.h for the invariants).
 *
 * The free list is kept sorted by nothing in particular: frames are pushed
 * and popped at the head (LIFO keeps recently freed, cache-warm frames in
 * use). Contiguous allocation scans the metadata array for a run of free
 * frames and unlinks each from the list, which the doubly-linked list makes
 * O(1) per frame.
 */
#include <frame.h>
#include <string.h>
#include <spinlock.h>
#include <panic.h>
#include <uapi/errno.h>

#define NIL 0xFFFFFFFFu

static struct frame *frames;        /* indexed by frame number */
static uint64_t max_pfn;
static uint32_t free_head = NIL;
static struct frame_stats stats;
static struct spinlock frame_lock = SPINLOCK_INIT("frame");

static inline uint64_t pfn_of(uint64_t pa) { return pa >> PAGE_SHIFT; }

static void free_list_push(uint64_t pfn)
{
    struct frame *f = &frames[pfn];
    f->refcount = 0;
    f->kind = FRAME_KIND_FREE;
    f->prev = NIL;
    f->next = free_head;
    if (free_head != NIL)
        frames[free_head].prev = (uint32_t)pfn;
    free_head = (uint32_t)pfn;
}

static void free_list_unlink(uint64_t pfn)
{
    struct frame *f = &frames[pfn];
    if (f->prev != NIL)
        frames[f->prev].next = f->next;
    else
        free_head = f->next;
    if (f->next != NIL)
        frames[f->next].prev = f->prev;
    f->next = f->prev = NIL;
}

/* Is [start, end) inside some available range and outside every reserved one? */
static bool range_usable(uint64_t start, uint64_t end,
                         const struct phys_range *avail, int navail,
                         const struct phys_range *resv, int nresv)
{
    bool inside = false;
    for (int i = 0; i < navail; i++)
        if (start >= avail[i].start && end <= avail[i].end)
            inside = true;
    if (!inside)
        return false;
    for (int i = 0; i < nresv; i++)
        if (start < resv[i].end && resv[i].start < end)
            return false;
    return true;
}

int frame_init(const struct phys_range *avail, int navail,
               const struct phys_range *resv, int nresv)
{
    uint64_t end = 0;
    for (int i = 0; i < navail; i++)
        end = MAX(end, avail[i].end);
    max_pfn = pfn_of(end);
    if (max_pfn >= NIL)
        max_pfn = NIL - 1;      /* 16 TiB: more than this allocator tracks */

    /* Place the metadata at the first page-aligned spot that fits. */
    uint64_t meta_bytes = ALIGN_UP(max_pfn * sizeof(struct frame), PAGE_SIZE);
    uint64_t meta_pa = 0;
    for (int i = 0; i < navail && !meta_pa; i++) {
        for (uint64_t s = ALIGN_UP(MAX(avail[i].start, MiB(1)), PAGE_SIZE);
             s + meta_bytes <= avail[i].end; s += PAGE_SIZE) {
            if (range_usable(s, s + meta_bytes, avail, navail, resv, nresv)) {
                meta_pa = s;
                break;
            }
        }
    }
    if (!meta_pa)
        return -ENOMEM;

    frames = phys_to_virt(meta_pa);
    memset(frames, 0, meta_bytes);
    memset(&stats, 0, sizeof(stats));
    free_head = NIL;
    stats.max_pfn = max_pfn;

    /* Walk downwards so the free list hands out low frames first. */
    for (uint64_t pfn = max_pfn; pfn-- > 0;) {
        uint64_t pa = pfn << PAGE_SHIFT;
        struct frame *f = &frames[pfn];
        f->next = f->prev = NIL;
        if (!range_usable(pa, pa + PAGE_SIZE, avail, navail, NULL, 0)) {
            f->kind = FRAME_KIND_RESERVED;      /* a hole: not RAM */
            f->refcount = 1;
            continue;
        }
        stats.total++;
        bool meta = pa >= meta_pa && pa < meta_pa + meta_bytes;
        if (pa < MiB(1) || meta || !range_usable(pa, pa + PAGE_SIZE, avail, navail, resv, nresv)) {
            f->kind = FRAME_KIND_RESERVED;
            f->refcount = 1;
            stats.reserved++;
            continue;
        }
        free_list_push(pfn);
        stats.free++;
    }
    stats.used = stats.total - stats.free;
    return 0;
}

static void frame_zero(uint64_t pa, uint64_t n)
{
    memset(phys_to_virt(pa), 0, n * PAGE_SIZE);
}

uint64_t frame_alloc(enum frame_alloc_flags flags)
{
    bool irq = spin_lock_irqsave(&frame_lock);
    if (free_head == NIL) {
        spin_unlock_irqrestore(&frame_lock, irq);
        return 0;
    }
    uint64_t pfn = free_head;
    struct frame *f = &frames[pfn];
    free_head = f->next;                /* pop the head: no prev to fix */
    if (free_head != NIL)
        frames[free_head].prev = NIL;
    f->next = NIL;
    f->refcount = 1;
    f->kind = FRAME_KIND_GENERIC;
    stats.free--;
    stats.used++;
    spin_unlock_irqrestore(&frame_lock, irq);

    uint64_t pa = pfn << PAGE_SHIFT;
    if (flags & FRAME_ZERO)
        frame_zero(pa, 1);
    return pa;
}

uint64_t frame_alloc_contig(uint64_t n, enum frame_alloc_flags flags)
{
    if (n == 0)
        return 0;
    if (n == 1)
        return frame_alloc(flags);

    bool irq = spin_lock_irqsave(&frame_lock);
    uint64_t run = 0, start = 0;
    for (uint64_t pfn = 0; pfn < max_pfn; pfn++) {
        if (frames[pfn].kind != FRAME_KIND_FREE) {
            run = 0;
            continue;
        }
        if (run++ == 0)
            start = pfn;
        if (run == n)
            break;
    }
    if (run < n) {
        spin_unlock_irqrestore(&frame_lock, irq);
        return 0;
    }
    for (uint64_t pfn = start; pfn < start + n; pfn++) {
        free_list_unlink(pfn);
        frames[pfn].refcount = 1;
        frames[pfn].kind = FRAME_KIND_GENERIC;
    }
    stats.free -= n;
    stats.used += n;
    spin_unlock_irqrestore(&frame_lock, irq);

    uint64_t pa = start << PAGE_SHIFT;
    if (flags & FRAME_ZERO)
        frame_zero(pa, n);
    return pa;
}

/* Look up a frame that must be allocated; panics on a bad address. */
static struct frame *frame_allocated(uint64_t pa, const char *caller)
{
    uint64_t pfn = pfn_of(pa);
    if (pfn >= max_pfn || frames[pfn].kind == FRAME_KIND_RESERVED)
        panic("%s: %#lx is not a managed frame", caller, pa);
    if (frames[pfn].refcount == 0)
        panic("%s: frame %#lx is free", caller, pa);
    return &frames[pfn];
}

void frame_ref(uint64_t pa)
{
    bool irq = spin_lock_irqsave(&frame_lock);
    frame_allocated(pa, __func__)->refcount++;
    spin_unlock_irqrestore(&frame_lock, irq);
}

/* Drop one reference to the allocated frame at pa (lock held). Inlined:
 * it is the loop body of frame_unref_many (a whole unmap's frames). */
static inline __attribute__((always_inline)) void frame_unref_locked(uint64_t pa, const char *caller)
{
    struct frame *f = frame_allocated(pa, caller);
    if (--f->refcount == 0) {
        f->slab_class = 0;
        f->slab_inuse = 0;
        f->npages = 0;
        free_list_push(pfn_of(pa));
        stats.free++;
        stats.used--;
    }
}

void frame_unref(uint64_t pa)
{
    bool irq = spin_lock_irqsave(&frame_lock);
    frame_unref_locked(pa, __func__);
    spin_unlock_irqrestore(&frame_lock, irq);
}

void frame_unref_many(const uint64_t *pa, size_t n, size_t stride)
{
    bool irq = spin_lock_irqsave(&frame_lock);
    for (size_t i = 0; i < n; i++, pa += stride)
        frame_unref_locked(*pa, __func__);
    spin_unlock_irqrestore(&frame_lock, irq);
}

void frame_free_contig(uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        if (frame_refcount(pa + i * PAGE_SIZE) != 1)
            panic("%s: frame %#lx has refcount %u", __func__, pa + i * PAGE_SIZE,
                  frame_refcount(pa + i * PAGE_SIZE));
        frame_unref(pa + i * PAGE_SIZE);
    }
}

uint32_t frame_refcount(uint64_t pa)
{
    uint64_t pfn = pfn_of(pa);
    return pfn < max_pfn ? frames[pfn].refcount : 0;
}

struct frame *frame_meta(uint64_t pa)
{
    uint64_t pfn = pfn_of(pa);
    return pfn < max_pfn ? &frames[pfn] : NULL;
}

void frame_stats(struct frame_stats *st)
{
    bool irq = spin_lock_irqsave(&frame_lock);
    *st = stats;
    spin_unlock_irqrestore(&frame_lock, irq);
}

uint64_t frame_phys_end(void)
{
    return max_pfn << PAGE_SHIFT;
}
