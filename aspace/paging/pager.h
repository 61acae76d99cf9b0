/*
 * Pagers: how a region of the paging implementation fills a missing page.
 *
 * The region map is the truth and the page tables are a cache of it (as
 * FreeBSD's pmap puts it): physical, ANON and FILE regions differ only in
 * the pager that fills a miss and releases what it filled. paging.c never
 * looks at the kind of a region; it asks pager_of(region) (after FreeBSD's
 * vm_pager.h: typedef'd slots, one comment each, one optional-slot policy).
 *
 * Optional slots: NULL means "nothing to do" (no per-region state to set up
 * or tear down, no frames to release).
 */
#ifndef STRATA_PAGING_PAGER_H
#define STRATA_PAGING_PAGER_H

#include <aspace.h>
#include <pt.h>

/* What a fill asks for: the page around a faulting address, or (for an
 * EAGER region being added) as much as one call can give. */
enum pager_fill_mode {
    PAGER_FILL_FAULT,
    PAGER_FILL_EAGER,
};

/* What a fill provides: map [va, va + len) to [pa, pa + len). */
struct pager_fill {
    uint64_t va, pa, len;
};

/* REQUIRED. Provide the memory for va (page aligned, inside r): set *out
 * to a range containing va, inside r, that is physically contiguous: one
 * page (PAGER_FILL_FAULT: exactly one, 4 KiB, or 2 MiB or 1 GiB if the
 * CPU has them, whose aligned span lies inside r and whose physical start
 * is equally aligned); with PAGER_FILL_EAGER a pager that allocates
 * nothing may give the whole rest of r from va. Returns 0 or
 * -ENOMEM (nothing allocated) or another negative error. A frame allocated
 * here belongs to the address space and comes back through release. */
typedef int (*pager_fill_fn)(const struct region *r, uint64_t va, enum pager_fill_mode mode,
                             struct pager_fill *out);

/* OPTIONAL. Mappings made by fill are gone (n pieces, each [va, va+size)
 * -> pa, no longer in any TLB): release what fill allocated for them. A
 * pager with a release slot allocates what it fills, one 4 KiB frame per
 * fill (the frame counts of paging.c rely on it). */
typedef void (*pager_release_fn)(const struct region *r, const struct pt_piece *pieces, size_t n);

/* OPTIONAL. The region is being added (take references: e.g. the file).
 * r is the map's own copy and may be updated. 0 or a negative error. */
typedef int (*pager_attach_fn)(struct region *r);

/* OPTIONAL. The region is gone (drop what attach took). */
typedef void (*pager_detach_fn)(struct region *r);

/* OPTIONAL. fill failed at va (not for lack of memory): why, for the
 * fault report. NULL: "the pager failed". */
typedef const char *(*pager_explain_fn)(const struct region *r, uint64_t va);

struct pager {
    const char *name;
    pager_fill_fn fill;         /* REQUIRED */
    pager_release_fn release;   /* OPTIONAL */
    pager_attach_fn attach;     /* OPTIONAL */
    pager_detach_fn detach;     /* OPTIONAL */
    pager_explain_fn explain;   /* OPTIONAL */
};

extern const struct pager pager_phys;   /* physical memory at r->pa_start */
extern const struct pager pager_anon;   /* fresh zeroed frames */
extern const struct pager pager_file;   /* frames filled from r->file */
extern const struct pager pager_kstacks; /* the kernel stack window: never fills */

/* A release slot for pagers whose pieces are single frames they allocated
 * (ANON, FILE): drops the frames' references (pager_anon.c). */
void pager_frames_release(const struct region *r, const struct pt_piece *pieces, size_t n);

static inline const struct pager *pager_of(const struct region *r)
{
    if (r->flags & REGION_ANON)
        return &pager_anon;
    if (r->flags & REGION_FILE)
        return &pager_file;
    if (r->flags & REGION_KSTACKS)
        return &pager_kstacks;
    return &pager_phys;
}

#endif
