/*
 * Kernel stacks in the kernel window (include/kstack.h).
 *
 * The window's slots are handed out by a region map of their own (rmap.c:
 * the lowest free range of guard + stack bytes, O(log n)); each node's
 * region covers a whole slot, guard included, and its pager_data is the
 * owner's name. The stack pages are frames of their own, mapped one by
 * one, unmapped (and so invalidated) before the frames go back.
 *
 * Invariants (with kstack_lock held):
 *  - a slot [s, s + KSTACK_GUARD + size) is in `slots` exactly while its
 *    stack is allocated; [s, s + KSTACK_GUARD) is never mapped, the rest
 *    is mapped, read/write, kernel only, no execute;
 *  - nothing else in the window is mapped.
 */
#include <kstack.h>
#include <pt.h>
#include <rmap.h>
#include <frame.h>
#include <panic.h>
#include <spinlock.h>
#include <uapi/errno.h>

static struct rmap slots;
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");

int kstack_init(void)
{
    rmap_init(&slots);
    return pt_kwin_init();
}

static void stack_frames_release(const struct pt_piece *pieces, size_t n, void *arg)
{
    frame_unref_many(&pieces[0].pa, n, sizeof(*pieces) / sizeof(uint64_t));
}

int kstack_alloc(uint64_t size, const char *owner, uint8_t **base)
{
    if (size == 0 || !IS_ALIGNED(size, PAGE_SIZE))
        return -EINVAL;
    bool irq = spin_lock_irqsave(&kstack_lock);
    struct region r = { .len = KSTACK_GUARD + size, .flags = REGION_READ | REGION_WRITE | REGION_KERN };
    struct rmap_node *n;
    int err = rmap_find_gap(&slots, PT_KWIN_BASE, PT_KWIN_BASE + PT_KWIN_SIZE, r.len, PAGE_SIZE,
                            &r.va_start);
    if (err || (err = rmap_insert(&slots, &r, &n)))
        goto out;
    n->pager_data = (void *)owner;
    uint64_t lo = r.va_start + KSTACK_GUARD;
    for (uint64_t va = lo; va < region_end(&r); va += PAGE_SIZE) {
        uint64_t frame = frame_alloc(FRAME_NONE);
        if (!frame || (err = pt_kwin_map(va, frame, PAGE_SIZE, PT_WRITE)) < 0) {
            if (frame)
                frame_unref(frame);
            pt_kwin_unmap(lo, va - lo, stack_frames_release, NULL);
            rmap_remove(&slots, n);
            err = -ENOMEM;
            goto out;
        }
    }
    *base = (uint8_t *)lo;
out:
    spin_unlock_irqrestore(&kstack_lock, irq);
    return err;
}

void kstack_free(uint8_t *base)
{
    bool irq = spin_lock_irqsave(&kstack_lock);
    struct rmap_node *n = rmap_find_start(&slots, (uint64_t)base - KSTACK_GUARD);
    if (!n)
        panic("%s: %p is not a kernel stack", __func__, base);
    if (pt_kwin_unmap((uint64_t)base, region_end(&n->region) - (uint64_t)base,
                      stack_frames_release, NULL) < 0)
        panic("%s: unmapping the stack at %p failed", __func__, base);
    rmap_remove(&slots, n);
    spin_unlock_irqrestore(&kstack_lock, irq);
}

/* Called from the fault and double-fault paths: no lock (the state may be
 * mid-change if the fault came from here, but then nothing is freed). */
const char *kstack_guard_owner(uint64_t va, uint64_t *lo, uint64_t *hi)
{
    if (va < PT_KWIN_BASE || va - PT_KWIN_BASE >= PT_KWIN_SIZE)
        return NULL;
    const struct rmap_node *n = rmap_lookup(&slots, va);
    if (!n || va >= n->region.va_start + KSTACK_GUARD)
        return NULL;
    if (lo)
        *lo = n->region.va_start + KSTACK_GUARD;
    if (hi)
        *hi = region_end(&n->region);
    return n->pager_data ? n->pager_data : "?";
}
