/*
 * Queries on "paging" address spaces for other kernel code (the process
 * layer, pagingtest, benchmarks). Everything that changes an address space
 * still goes through the aspace_* wrappers.
 */
#ifndef STRATA_PAGING_H
#define STRATA_PAGING_H

#include <aspace.h>

struct paging_stats {
    uint64_t regions;
    uint64_t table_pages;
    uint64_t mapped[3];         /* leaves: 4K, 2M, 1G */
    uint64_t invlpgs, full_flushes;
    uint64_t frames;            /* frames owned: filled pages + table pages */
};

/* Is as an address space of the paging implementation? */
bool paging_is(const struct aspace *as);

/* The current translation of va, if mapped (pt_flags: enum pt_flags). */
bool paging_translate(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *pt_flags, uint64_t *size);

void paging_stats(struct aspace *as, struct paging_stats *st);

#endif
