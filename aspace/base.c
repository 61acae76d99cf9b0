/*
 * The "base" address-space implementation: the boot address space.
 *
 * A single instance identity-maps physical memory from 0 up to the end of
 * RAM (at least 4 GiB, so the local APIC and other MMIO below 4 GiB are
 * covered) with the largest pages the CPU offers: 1 GiB pages when CPUID
 * reports them, else 2 MiB. Supervisor-only, read/write/execute.
 *
 * It has no regions to change: every region slot is NULL, so the wrappers
 * refuse region changes with -ENOTSUP, and every fault is the faulting
 * code's bug (exception slot NULL: FAULT_SIGNAL).
 */
#include <aspace.h>
#include <pt.h>
#include <frame.h>
#include <heap.h>
#include <log.h>

struct base_aspace {
    struct aspace as;           /* must be first */
    struct pt pt;
    uint64_t mapped_end;
};

static struct aspace *base_create(void)
{
    struct base_aspace *b = kzalloc(sizeof(*b));
    if (!b)
        return NULL;
    if (pt_create(&b->pt) < 0)
        goto fail_free;
    b->mapped_end = ALIGN_UP(MAX(frame_phys_end(), GiB(4)), GiB(1));
    if (pt_range_map(&b->pt, 0, 0, b->mapped_end, PT_WRITE | PT_EXEC,
                     PT_SIZE_1G | PT_SIZE_2M) < 0)
        goto fail_pt;
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
    pt_range_unmap(&b->pt, 0, b->mapped_end, NULL, NULL);
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
    kprintf("  identity map [0, %#lx) rwx kernel-only\n", b->mapped_end);
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
    .description = "boot address space: identity map of all memory, fixed",
    .granularity = GiB(1),
    .alignment = GiB(1),
    .supported_flags = 0,
    .impl_flags = ASPACE_IMPL_SINGLETON,
    .ops = &base_ops,
};
ASPACE_IMPL_REGISTER(base_impl);
