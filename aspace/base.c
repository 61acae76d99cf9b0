/*
 * The "base" address-space implementation: the boot address space.
 *
 * A single instance identity-maps physical memory from 4 KiB up to the end
 * of RAM (at least 4 GiB, so the local APIC and other MMIO below 4 GiB are
 * covered), supervisor-only, segment by segment as the kernel map
 * (include/kmap.h) lays it out: page 0 unmapped, kernel text r-x, rodata
 * r--, data rw-, everything else rw- and no-execute. Each segment gets the
 * largest pages its alignment allows: 4 KiB around the kernel image,
 * 1 GiB pages (2 MiB without pdpe1gb) for the rest. Those tables are the
 * shared kernel map's (kmap_init, pt.h), which this tree links like every
 * other.
 *
 * It has no regions to change: every region slot is NULL, so the wrappers
 * refuse region changes with -ENOTSUP, and every fault is the faulting
 * code's bug (exception slot NULL: FAULT_SIGNAL).
 */
#include <aspace.h>
#include <kmap.h>
#include <pt.h>
#include <heap.h>
#include <log.h>

struct base_aspace {
    struct aspace as;           /* must be first */
    struct pt pt;
    struct kmap_segment seg[KMAP_SEGMENTS];
};

static struct aspace *base_create(void)
{
    struct base_aspace *b = kzalloc(sizeof(*b));
    if (!b)
        return NULL;
    /* The tree links the shared kernel map (kmap_init built it): nothing
     * of its own to map. */
    if (pt_create(&b->pt) < 0) {
        kfree(b);
        return NULL;
    }
    kmap_segments(b->seg);
    return &b->as;
}

static void base_destroy(struct aspace *as)
{
    struct base_aspace *b = (struct base_aspace *)as;
    pt_destroy(&b->pt);
    kfree(b);
}

static void base_switch_to(struct aspace *as)
{
    pt_switch(&((struct base_aspace *)as)->pt);
}

static void base_print(struct aspace *as, int detail)
{
    struct base_aspace *b = (struct base_aspace *)as;
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        const struct kmap_segment *s = &b->seg[i];
        kprintf("  identity map [%#018lx-%#018lx) r%c%c kernel-only: %s\n", s->start, s->end,
                s->prot & REGION_WRITE ? 'w' : '-', s->prot & REGION_EXEC ? 'x' : '-', s->name);
    }
    const struct pt *k = pt_kmap();
    kprintf("  page tables: %lu table page(s) of its own; the shared kernel map: %lu table page(s), "
            "leaves: %lu x 1G, %lu x 2M, %lu x 4K\n",
            b->pt.table_pages, k->table_pages, k->mapped[2], k->mapped[1], k->mapped[0]);
}

static const struct aspace_ops base_ops = {
    .create = base_create,
    .destroy = base_destroy,
    .switch_to = base_switch_to,
    .print = base_print,
};

static const struct aspace_impl base_impl = {
    .name = "base",
    .description = "boot address space: W^X identity map of all memory, fixed",
    .granularity = GiB(1),
    .alignment = GiB(1),
    .supported_flags = 0,
    .impl_flags = ASPACE_IMPL_SINGLETON,
    .ops = &base_ops,
};
ASPACE_IMPL_REGISTER(base_impl);
