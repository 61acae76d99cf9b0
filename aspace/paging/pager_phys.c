/*
 * The physical pager: region page k is physical page pa_start + k. Nothing
 * is allocated, so nothing is released. A fault is filled with the largest
 * page that fits inside the region with matching virtual and physical
 * alignment, so a lazily touched 4 GiB alias costs a handful of 1 GiB
 * entries; an EAGER fill gives the whole rest of the region at once (the
 * page tables then pick the page sizes the same way).
 */
#include "pager.h"
#include <pt.h>

static int phys_fill(const struct region *r, uint64_t va, enum pager_fill_mode mode,
                     struct pager_fill *out)
{
    if (mode == PAGER_FILL_EAGER) {
        *out = (struct pager_fill){ va, r->pa_start + (va - r->va_start), region_end(r) - va };
        return 0;
    }
    uint32_t supported = pt_sizes_supported();
    uint64_t s = PAGE_SIZE;
    for (uint64_t big = GiB(1); big > PAGE_SIZE; big >>= 9) {
        uint64_t start = ALIGN_DOWN(va, big);
        uint32_t bit = big == GiB(1) ? PT_SIZE_1G : PT_SIZE_2M;
        if ((supported & bit) && start >= r->va_start && start + big <= region_end(r) &&
            IS_ALIGNED(r->pa_start + (start - r->va_start), big)) {
            s = big;
            break;
        }
    }
    uint64_t start = ALIGN_DOWN(va, s);
    *out = (struct pager_fill){ start, r->pa_start + (start - r->va_start), s };
    return 0;
}

const struct pager pager_phys = {
    .name = "phys",
    .fill = phys_fill,
};
