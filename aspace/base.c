/*
 * The "base" address-space implementation: the boot address space.
 *
 * A single instance identity-maps physical memory from 4 KiB up to the end
 * of RAM (at least 4 GiB, so the local APIC and other MMIO below 4 GiB are
 * covered), supervisor-only, segment by segment as the kernel map
 * (include/kmap.h) lays it out: page 0 unmapped, kernel text r-x, rodata
 * r--, data rw-, everything else rw- and no-execute. Each segment gets the
 * largest pages its alignment allows: 4 KiB around the kernel image,
 * 1 GiB pages (2 MiB without pdpe1gb) for the rest.
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

static uint32_t base_pt_flags(const struct kmap_segment *s)
{
    return (s->prot & REGION_WRITE ? PT_WRITE : 0) | (s->prot & REGION_EXEC ? PT_EXEC : 0);
}

static void base_unmap(struct base_aspace *b, int nsegments)
{
    for (int i = 0; i < nsegments; i++)
        pt_range_unmap(&b->pt, b->seg[i].start, b->seg[i].end - b->seg[i].start, NULL, NULL);
}

static struct aspace *base_create(void)
{
    struct base_aspace *b = kzalloc(sizeof(*b));
    if (!b)
        return NULL;
    if (pt_create(&b->pt) < 0)
        goto fail_free;
    kmap_segments(b->seg);
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        const struct kmap_segment *s = &b->seg[i];
        if (pt_range_map(&b->pt, s->start, s->start, s->end - s->start, base_pt_flags(s),
                         PT_SIZE_ALL) < 0) {
            base_unmap(b, i);
            goto fail_pt;
        }
    }
    return &b->as;

fail_pt:
    pt_destroy(&b->pt);
fail_free:
    kfree(b);
    return NULL;
}

static void base_destroy(struct aspace *as)
{
    struct base_aspace *b = (struct base_aspace *)as;
    base_unmap(b, KMAP_SEGMENTS);
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
    kprintf("  page tables: %lu table page(s); leaves: %lu x 1G, %lu x 2M, %lu x 4K\n",
            b->pt.table_pages, b->pt.mapped[2], b->pt.mapped[1], b->pt.mapped[0]);
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
