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
#include "pager.h"

struct paging_aspace {
    struct aspace as;           /* must be first */
    struct pt pt;               /* the cache */
    struct rmap map;            /* the truth */
    uint64_t pager_frames;      /* frames mapped in regions whose pager owns
                                   frames (ANON, FILE): one per 4 KiB leaf */
    uint64_t faults_phys, faults_anon, faults_file;
};

static inline struct paging_aspace *to_paging(struct aspace *as)
{
    return (struct paging_aspace *)as;
}

/* Frames this address space owns: its pagers' pages and its tables. */
static inline uint64_t frames_owned(const struct paging_aspace *pa)
{
    return pa->pager_frames + pa->pt.table_pages;
}

/* May r's pager allocate another frame here (as->frame_limit)? */
static inline bool frame_budget_left(const struct paging_aspace *pa, const struct region *r)
{
    return !pager_of(r)->release || frames_owned(pa) < pa->as.frame_limit;
}

/* The page-table protection a region gives its pages. */
uint32_t pt_flags_of(const struct region *r);

/* Fill the page containing va (not mapped yet) through the region's
 * pager; *mapped_end is set to the end of what got mapped (the pager may
 * map a large page, or with PAGER_FILL_EAGER the rest of the region). 0,
 * or -ENOMEM / -EEXIST / the pager's error with nothing left. The caller
 * checks frame_budget_left first. */
int region_fill(struct paging_aspace *pa, const struct region *r, uint64_t va,
                enum pager_fill_mode mode, uint64_t *mapped_end);

/* The 4 KiB mapping of frame at va in r was replaced by another (the
 * TLB no longer holds it): give the frame back through r's pager, if it
 * owns frames. pager_frames is the caller's to keep right (a replacement
 * in the same region leaves it as it is). */
void region_page_release(const struct region *r, uint64_t va, uint64_t frame);

/* Remove every mapping of r, giving pager-owned frames back (nothing for
 * the kernel stack window: it is not this tree's). */
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

/* ---- paging_draw.c: the region_draw slot ---- */
int paging_region_draw(struct aspace *as, uint64_t va);

#endif
