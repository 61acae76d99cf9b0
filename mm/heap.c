/*
 * Kernel heap (see include/heap.h).
 *
 * Small objects: size classes 16 << k bytes (k = 0..7). A slab is one frame
 * cut into equal objects; the free objects of a slab form a list threaded
 * through their first two bytes (offsets within the frame), and the slab's
 * bookkeeping lives in its struct frame (slab_class, slab_inuse, slab_free),
 * so object alignment is never disturbed by a header. Slabs with at least
 * one free object are on their class's partial list; a slab that becomes
 * empty goes straight back to the frame allocator.
 *
 * Large objects (> 2048 bytes): contiguous frames; the first frame's
 * struct frame records the count.
 *
 * Double frees: a free small object carries SLAB_FREE_POISON in its second
 * 8 bytes (objects are at least 16 bytes; the first two hold the free-list
 * link), cleared when it is handed out. kfree of an object that has the
 * poison looks for it on its slab's free list (only then, so the common
 * case costs one compare) and panics if it is there. A freed large object's
 * frames are free, which kfree already refuses.
 */
#include <heap.h>
#include <frame.h>
#include <string.h>
#include <spinlock.h>
#include <panic.h>

#define SLAB_CLASSES    8
#define SLAB_MIN_SHIFT  4               /* 16 bytes */
#define SLAB_MAX_SIZE   (16u << (SLAB_CLASSES - 1))
#define SLAB_NONE       0xFFFFu
#define PARTIAL_MAX     64              /* partial slabs remembered per class */
#define SLAB_FREE_POISON 0xF4EEF4EEF4EEF4EEull  /* word 1 of a free object */

struct slab_class {
    uint64_t partial[PARTIAL_MAX];      /* physical addresses of partial slabs */
    int npartial;
};

static struct slab_class classes[SLAB_CLASSES];
static struct heap_stats hstats;
static struct spinlock heap_lock = SPINLOCK_INIT("heap");

static unsigned class_of(size_t size)
{
    unsigned c = 0;
    while ((16u << c) < size)
        c++;
    return c;
}

static uint16_t *slab_link(uint64_t slab, uint16_t off)
{
    return (uint16_t *)((uint8_t *)phys_to_virt(slab) + off);
}

/* The second 8 bytes of the object at off: SLAB_FREE_POISON while free. */
static uint64_t *slab_poison(uint64_t slab, uint16_t off)
{
    return (uint64_t *)((uint8_t *)phys_to_virt(slab) + off + 8);
}

/* Is the object at off on the slab's free list? (At most a page of
 * objects: a corrupt, looping list stops there.) */
static bool slab_free_list_has(uint64_t slab, const struct frame *f, uint16_t off)
{
    uint16_t cur = f->slab_free;
    for (unsigned n = 0; cur != SLAB_NONE && n < PAGE_SIZE / 16; n++) {
        if (cur == off)
            return true;
        cur = *slab_link(slab, cur);
    }
    return false;
}

static void partial_remove(struct slab_class *sc, uint64_t slab)
{
    for (int i = 0; i < sc->npartial; i++) {
        if (sc->partial[i] == slab) {
            sc->partial[i] = sc->partial[--sc->npartial];
            return;
        }
    }
}

/* A fresh slab for class c, all objects free; 0 if out of memory. */
static uint64_t slab_new(unsigned c)
{
    uint64_t slab = frame_alloc(FRAME_NONE);
    if (!slab)
        return 0;
    struct frame *f = frame_meta(slab);
    uint32_t size = 16u << c;
    f->kind = FRAME_KIND_SLAB;
    f->slab_class = c;
    f->slab_inuse = 0;
    f->slab_free = 0;
    for (uint32_t off = 0; off < PAGE_SIZE; off += size) {
        *slab_link(slab, off) = off + size < PAGE_SIZE ? off + size : SLAB_NONE;
        *slab_poison(slab, (uint16_t)off) = SLAB_FREE_POISON;
    }
    hstats.slab_pages++;
    return slab;
}

static void *slab_alloc(unsigned c)
{
    struct slab_class *sc = &classes[c];
    uint64_t slab;

    if (sc->npartial > 0) {
        slab = sc->partial[sc->npartial - 1];
    } else {
        slab = slab_new(c);
        if (!slab)
            return NULL;
        sc->partial[sc->npartial++] = slab;
    }
    struct frame *f = frame_meta(slab);
    uint16_t off = f->slab_free;
    f->slab_free = *slab_link(slab, off);
    *slab_poison(slab, off) = 0;
    f->slab_inuse++;
    if (f->slab_free == SLAB_NONE)
        sc->npartial--;             /* it was the last entry: now full */
    hstats.bytes_in_use += 16u << c;
    return (uint8_t *)phys_to_virt(slab) + off;
}

static void slab_free(uint64_t slab, struct frame *f, void *p)
{
    unsigned c = f->slab_class;
    struct slab_class *sc = &classes[c];
    uint16_t off = (uint16_t)(virt_to_phys(p) - slab);

    if (off % (16u << c) != 0)
        panic("%s: %p is not an object start", __func__, p);
    if (*slab_poison(slab, off) == SLAB_FREE_POISON && slab_free_list_has(slab, f, off))
        panic("%s: double free of %p", __func__, p);
    bool was_full = f->slab_free == SLAB_NONE;
    *slab_poison(slab, off) = SLAB_FREE_POISON;
    *slab_link(slab, off) = f->slab_free;
    f->slab_free = off;
    f->slab_inuse--;
    hstats.bytes_in_use -= 16u << c;

    if (f->slab_inuse == 0) {
        if (!was_full)
            partial_remove(sc, slab);
        hstats.slab_pages--;
        frame_unref(slab);
    } else if (was_full) {
        /* If the list is full the slab is not reused until it empties;
         * it still goes back to the frame allocator then. */
        if (sc->npartial < PARTIAL_MAX)
            sc->partial[sc->npartial++] = slab;
    }
}

void *kmalloc(size_t size)
{
    void *p = NULL;
    if (size == 0)
        size = 1;

    bool irq = spin_lock_irqsave(&heap_lock);
    if (size <= SLAB_MAX_SIZE) {
        p = slab_alloc(class_of(size));
    } else if (size <= GiB(1)) {
        uint64_t n = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
        uint64_t pa = frame_alloc_contig(n, FRAME_NONE);
        if (pa) {
            frame_meta(pa)->kind = FRAME_KIND_LARGE;
            frame_meta(pa)->npages = (uint32_t)n;
            for (uint64_t i = 1; i < n; i++)
                frame_meta(pa + i * PAGE_SIZE)->kind = FRAME_KIND_LARGE_TAIL;
            hstats.large_pages += n;
            hstats.bytes_in_use += n * PAGE_SIZE;
            p = phys_to_virt(pa);
        }
    }
    if (p) {
        hstats.allocs++;
        hstats.objects_in_use++;
    } else {
        hstats.failures++;
    }
    spin_unlock_irqrestore(&heap_lock, irq);
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void *kmalloc_aligned(size_t size, size_t align)
{
    if (align == 0 || (align & (align - 1)) || align > PAGE_SIZE)
        return NULL;
    /* Slab objects are aligned to their (power-of-two) size and large
     * objects to a page, so asking for at least `align` bytes suffices. */
    return kmalloc(MAX(size, align));
}

void kfree(void *p)
{
    if (!p)
        return;
    uint64_t pa = virt_to_phys(p);
    struct frame *f = frame_meta(pa);

    bool irq = spin_lock_irqsave(&heap_lock);
    if (!f || f->refcount == 0)
        panic("%s: %p is not heap memory", __func__, p);
    if (f->kind == FRAME_KIND_SLAB) {
        slab_free(ALIGN_DOWN(pa, PAGE_SIZE), f, p);
    } else if (f->kind == FRAME_KIND_LARGE && IS_ALIGNED(pa, PAGE_SIZE)) {
        uint64_t n = f->npages;
        hstats.large_pages -= n;
        hstats.bytes_in_use -= n * PAGE_SIZE;
        for (uint64_t i = 0; i < n; i++) {
            struct frame *t = frame_meta(pa + i * PAGE_SIZE);
            t->kind = FRAME_KIND_GENERIC;
            t->npages = 0;
        }
        frame_free_contig(pa, n);
    } else {
        panic("%s: %p is not an allocated heap object (frame kind %u)", __func__, p, f->kind);
    }
    hstats.frees++;
    hstats.objects_in_use--;
    spin_unlock_irqrestore(&heap_lock, irq);
}

void heap_stats(struct heap_stats *st)
{
    bool irq = spin_lock_irqsave(&heap_lock);
    *st = hstats;
    spin_unlock_irqrestore(&heap_lock, irq);
}
