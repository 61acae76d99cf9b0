/*
 * The physical pager: region page k is physical page pa_start + k. Nothing
 * is allocated, so nothing is released. Fills use the largest page that
 * fits inside the region with matching virtual and physical alignment, so
 * a lazily touched 4 GiB alias costs a handful of 1 GiB entries.
 */
#include "pager.h"
#include <pt.h>

static int phys_fill(const struct region *r, uint64_t va, uint64_t *pa, uint64_t *size)
{
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
    *size = s;
    *pa = r->pa_start + (ALIGN_DOWN(va, s) - r->va_start);
    return 0;
}

const struct pager pager_phys = {
    .name = "phys",
    .fill = phys_fill,
};
