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

/* ---- building the metadata (frame_init) ---- */

#define FRAME_INIT_RANGES   (BOOT_RANGES_MAX + 2)

struct pfn_range {
    uint64_t start, end;        /* frame numbers, [start, end) */
};

/* Add [start, end) to the n sorted, disjoint ranges in r, merging it with
 * those it overlaps or touches. Returns the new count, or -1 if r is full
 * (or n already was -1). */
static int pfn_ranges_add(struct pfn_range *r, int n, uint64_t start, uint64_t end)
{
    if (n < 0 || start >= end)
        return n;
    int i = 0;
    while (i < n && r[i].end < start)
        i++;                            /* r[i] is the first that may merge */
    int j = i;
    while (j < n && r[j].start <= end) {
        start = MIN(start, r[j].start);
        end = MAX(end, r[j].end);
        j++;
    }
    /* r[i..j) merge into one range: make room or close the gap. */
    int after = n - j, newn = i + 1 + after;
    if (newn > FRAME_INIT_RANGES)
        return -1;
    memmove(&r[i + 1], &r[j], (size_t)after * sizeof(*r));
    r[i] = (struct pfn_range){ start, end };
    return newn;
}

/* Frames [lo, hi): never handed out. */
static void frames_reserve(uint64_t lo, uint64_t hi)
{
    for (uint64_t pfn = lo; pfn < hi; pfn++)
        frames[pfn] = (struct frame){ .refcount = 1, .next = NIL, .prev = NIL,
                                      .kind = FRAME_KIND_RESERVED };
}

/* Frames [lo, hi): free, appended after `tail` (NIL: the list is empty).
 * Returns the new tail. */
static uint32_t frames_free_run(uint64_t lo, uint64_t hi, uint32_t tail)
{
    for (uint64_t pfn = lo; pfn < hi; pfn++) {
        frames[pfn] = (struct frame){ .next = NIL, .prev = tail, .kind = FRAME_KIND_FREE };
        if (tail == NIL)
            free_head = (uint32_t)pfn;
        else
            frames[tail].next = (uint32_t)pfn;
        tail = (uint32_t)pfn;
    }
    return tail;
}

int frame_init(const struct phys_range *avail, int navail,
               const struct phys_range *resv, int nresv)
{
    if (navail > BOOT_RANGES_MAX || nresv > BOOT_RANGES_MAX)
        return -EINVAL;
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
    memset(&stats, 0, sizeof(stats));
    stats.max_pfn = max_pfn;

    /* In frame numbers: the RAM (whole pages inside some available range,
     * merged) and what is never handed out (whole or partly reserved
     * pages, the first MiB, the metadata), each sorted. */
    struct pfn_range ram[FRAME_INIT_RANGES], out[FRAME_INIT_RANGES];
    int nram = 0, nout = 0;
    for (int i = 0; i < navail; i++)
        nram = pfn_ranges_add(ram, nram, pfn_of(ALIGN_UP(avail[i].start, PAGE_SIZE)),
                              pfn_of(ALIGN_DOWN(avail[i].end, PAGE_SIZE)));
    nout = pfn_ranges_add(out, nout, 0, pfn_of(MiB(1)));
    nout = pfn_ranges_add(out, nout, pfn_of(meta_pa), pfn_of(meta_pa + meta_bytes));
    for (int i = 0; i < nresv; i++)
        nout = pfn_ranges_add(out, nout, pfn_of(ALIGN_DOWN(resv[i].start, PAGE_SIZE)),
                              pfn_of(ALIGN_UP(resv[i].end, PAGE_SIZE)));
    if (nram < 0 || nout < 0)
        return -EINVAL;

    /* One pass upwards: every frame is written once, free ones appended to
     * the free list (so it hands out low frames first), the others
     * marked reserved. */
    free_head = NIL;
    uint32_t tail = NIL;
    uint64_t done = 0;                  /* frames below this are written */
    for (int i = 0; i < nram; i++) {
        uint64_t lo = MIN(ram[i].start, max_pfn), hi = MIN(ram[i].end, max_pfn);
        frames_reserve(done, lo);       /* a hole: not RAM */
        stats.total += hi - lo;
        /* RAM minus the ranges that are never handed out. */
        uint64_t pfn = lo;
        for (int j = 0; j < nout && pfn < hi; j++) {
            if (out[j].end <= pfn || out[j].start >= hi)
                continue;
            tail = frames_free_run(pfn, MAX(pfn, out[j].start), tail);
            pfn = MAX(pfn, out[j].start);
            uint64_t rend = MIN(out[j].end, hi);
            frames_reserve(pfn, rend);
            stats.reserved += rend - pfn;
            pfn = rend;
        }
        tail = frames_free_run(pfn, hi, tail);
        done = hi;
    }
    frames_reserve(done, max_pfn);
    stats.free = stats.total - stats.reserved;
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

/* Look up a frame that must be allocated; panics on a bad address.
 * (Inlined: it is in frame_unref_many's loop.) */
static inline __attribute__((always_inline)) struct frame *frame_allocated(uint64_t pa, const char *caller)
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
