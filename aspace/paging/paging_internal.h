/*
 * What the files of the paging implementation share (paging.c: the
 * region-level slots; paging_page.c: the page-granular ones). Not for
 * code outside aspace/paging/.
 */
#ifndef STRATA_PAGING_INTERNAL_H
#define STRATA_PAGING_INTERNAL_H

#include <aspace.h>
#include <rmap.h>
#include <pt.h>

struct paging_aspace {
    struct aspace as;           /* must be first */
    struct pt pt;               /* the cache */
    struct rmap map;            /* the truth */
    uint64_t faults_phys, faults_anon, faults_file;
};

static inline struct paging_aspace *to_paging(struct aspace *as)
{
    return (struct paging_aspace *)as;
}

/* The page-table protection a region gives its pages. */
uint32_t pt_flags_of(const struct region *r);

/* Fill the page containing va (not mapped yet) through the region's
 * pager; *mapped_end is set to the end of what got mapped (the pager may
 * map a large page). 0, or -ENOMEM / the pager's error with nothing left. */
int region_fill(struct paging_aspace *pa, const struct region *r, uint64_t va, uint64_t *mapped_end);

/* Remove every mapping of r, giving pager-owned frames back. */
void region_unmap(struct paging_aspace *pa, const struct region *r);

/* Unmap r's pages and detach its pager (before rmap_remove of its node);
 * arg is the paging_aspace. */
void region_drop(struct rmap_node *n, void *arg);

/* ---- paging_page.c: the page-granular slots (include/aspace.h) ---- */
int paging_page_lookup(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *flags);
int paging_page_query(struct aspace *as, uint64_t va, uint32_t *flags);
int paging_page_insert(struct aspace *as, uint64_t va, uint64_t pa, uint32_t flags);
int paging_page_remove(struct aspace *as, uint64_t va);
/* Give the present copy-on-write page va of region r a private, writable
 * frame (the one it has, if nobody else maps it). 0 or -ENOMEM. */
int paging_page_cow_break(struct paging_aspace *pa, const struct region *r, uint64_t va);
int paging_range_copy(struct aspace *src, struct aspace *dst, uint64_t va, uint64_t len,
                      enum aspace_copy_mode mode);

#endif
