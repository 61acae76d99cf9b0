/*
 * The page-granular slots of the paging implementation (contracts in
 * include/aspace.h): look up the frame behind a page, insert a frame at a
 * page, remove a page. JOS's memory calls, IPC page transfer and fork are
 * built on them.
 *
 * How this fits "the region map is the truth": a region says what may be
 * mapped in its range and how a missing page is filled; the page table
 * holds the pages that exist. For anonymous and file-backed regions the
 * page table is also where each materialised page's frame is recorded
 * (as an anonymous object would record it in FreeBSD), so a present page
 * of such a region is never dropped while the region lives, and a page's
 * own protection may be narrower than its region's (a copy-on-write page
 * is read-only with PAGE_COW in a writable region). Everything else keeps
 * the region's word:
 *  - a page that needs more than its region allows (write in a read-only
 *    region), or a frame put into a region that does not own frames, gets
 *    a region of its own (the region is split around it);
 *  - a removed page leaves a hole in the region map, so an access faults;
 *  - a page put where no region is gets a new anonymous region, merged
 *    with an equal neighbour so that page-by-page building (dumbfork, the
 *    exception stack) does not leave one region per page.
 *
 * Invariants (as->lock held): every present leaf lies inside one region;
 * every frame mapped in an ANON or FILE region holds one reference for
 * that mapping, dropped through the region's pager when it goes.
 */
#include <aspace.h>
#include <rmap.h>
#include <pt.h>
#include <frame.h>
#include <panic.h>
#include <string.h>
#include <uapi/errno.h>
#include "pager.h"
#include "paging_internal.h"

/* A region created for pages put where no region was: the page's own
 * protection says what is really allowed. */
#define PAGE_REGION_FLAGS (REGION_READ | REGION_WRITE | REGION_EXEC | REGION_ANON)

static bool region_owns_frames(const struct region *r)
{
    return r->flags & (REGION_ANON | REGION_FILE);
}

static uint32_t page_flags_of_pt(uint32_t ptf)
{
    uint32_t f = ptf & PAGE_AVAIL_MASK;         /* same bit positions */
    if (ptf & PT_WRITE)
        f |= PAGE_WRITE;
    if (ptf & PT_EXEC)
        f |= PAGE_EXEC;
    return f;
}

/* The entry for a page with flags in region r: user, the region's EXEC
 * (or the page's), write only if asked and not copy-on-write. */
static uint32_t pt_flags_of_page(const struct region *r, uint32_t flags)
{
    uint32_t f = PT_USER | (flags & PAGE_AVAIL_MASK);
    if ((flags & PAGE_WRITE) && !(flags & PAGE_COW))
        f |= PT_WRITE;
    if ((flags & PAGE_EXEC) || (r->flags & REGION_EXEC))
        f |= PT_EXEC;
    return f;
}

/* Can region r hold a page with flags as it is? */
static bool region_fits_page(const struct region *r, uint32_t flags)
{
    if (!region_owns_frames(r))
        return false;
    if ((flags & PAGE_WRITE) && !(r->flags & REGION_WRITE))
        return false;
    return !(flags & PAGE_EXEC) || (r->flags & REGION_EXEC);
}

/* ---- splitting and merging regions ---- */

/* The region that covers [at, end) of r (at inside r, page aligned). A
 * file-backed piece past the file's bytes reads as zero: it becomes
 * anonymous. */
static struct region region_tail(const struct region *r, uint64_t at)
{
    struct region t = *r;
    uint64_t k = at - r->va_start;
    t.va_start = at;
    t.len = region_end(r) - at;
    if (r->flags & REGION_FILE) {
        t.file_offset += k;
        if (r->file_len) {
            if (r->file_len > k) {
                t.file_len = r->file_len - k;
            } else {
                t.flags = (t.flags & ~(uint32_t)REGION_FILE) | REGION_ANON;
                t.file = NULL;
                t.file_offset = t.file_len = 0;
            }
        }
    } else if (!(r->flags & REGION_ANON)) {
        t.pa_start += k;
    }
    return t;
}

/* Split n at `at` (page aligned, strictly inside): n keeps [start, at), a
 * new node gets [at, end) and its pager is attached. No page-table change
 * (leaves of frame-owning regions are 4 KiB; a physical region's large
 * leaves are never split here: such regions are pinned or refused). 0 and
 * *tail, or -ENOMEM with nothing changed. */
static int region_split(struct paging_aspace *pa, struct rmap_node *n, uint64_t at,
                        struct rmap_node **tail)
{
    struct region orig = n->region;
    struct region head = orig, t = region_tail(&orig, at);
    head.len = at - orig.va_start;
    if ((orig.flags & REGION_FILE) && orig.file_len > head.len)
        head.file_len = head.len;
    if (rmap_change(&pa->map, n, &head) < 0)
        panic("%s: shrinking a region failed", __func__);
    int err = rmap_insert(&pa->map, &t, tail);
    if (!err) {
        const struct pager *p = pager_of(&(*tail)->region);
        if (p->attach && (err = p->attach(&(*tail)->region)) < 0)
            rmap_remove(&pa->map, *tail);
    }
    if (err && rmap_change(&pa->map, n, &orig) < 0)
        panic("%s: restoring a region failed", __func__);
    return err;
}

/* Undo region_split: n takes tail's range back; tail's pager is detached
 * and its node freed. */
static void region_unsplit(struct paging_aspace *pa, struct rmap_node *n, struct rmap_node *tail,
                           const struct region *orig)
{
    const struct pager *p = pager_of(&tail->region);
    if (p->detach)
        p->detach(&tail->region);
    rmap_remove(&pa->map, tail);
    if (rmap_change(&pa->map, n, orig) < 0)
        panic("%s: restoring a region failed", __func__);
}

/* The splits that made a page a region of its own, to undo them. */
struct isolation {
    struct rmap_node *n;        /* the original node: now the part before va, or the page */
    struct rmap_node *page;     /* the page's node */
    struct rmap_node *after;    /* the part after the page, or NULL */
    struct region orig;         /* n's region before any split */
    struct region mid;          /* n's region between the two splits */
};

/* Make the page at va a region of its own, splitting n (which covers it).
 * 0 and *iso, or -ENOMEM with nothing changed. */
static int region_isolate_page(struct paging_aspace *pa, struct rmap_node *n, uint64_t va,
                               struct isolation *iso)
{
    int err;
    iso->n = iso->page = n;
    iso->after = NULL;
    iso->orig = n->region;
    if (va + PAGE_SIZE < region_end(&iso->orig) &&
        (err = region_split(pa, n, va + PAGE_SIZE, &iso->after)) < 0)
        return err;
    iso->mid = n->region;
    if (va > iso->orig.va_start && (err = region_split(pa, n, va, &iso->page)) < 0) {
        if (iso->after)
            region_unsplit(pa, n, iso->after, &iso->orig);
        return err;
    }
    return 0;
}

/* Give the splits of region_isolate_page back: the region is whole. */
static void region_isolate_undo(struct paging_aspace *pa, const struct isolation *iso)
{
    if (iso->page != iso->n)
        region_unsplit(pa, iso->n, iso->page, &iso->mid);
    if (iso->after)
        region_unsplit(pa, iso->n, iso->after, &iso->orig);
}

/* A region created by page_insert is anonymous with PAGE_REGION_FLAGS:
 * fold it into an equal neighbour that touches it. Never fails. */
static void region_merge_neighbours(struct paging_aspace *pa, struct rmap_node *n)
{
    uint64_t start = n->region.va_start, end = region_end(&n->region);
    struct rmap_node *left = start > 0 ? rmap_lookup(&pa->map, start - 1) : NULL;
    struct rmap_node *right = end != 0 ? rmap_find_start(&pa->map, end) : NULL;
    if (left && (left->region.flags != PAGE_REGION_FLAGS || region_end(&left->region) != start))
        left = NULL;
    if (right && right->region.flags != PAGE_REGION_FLAGS)
        right = NULL;
    struct region merged = n->region;
    if (left) {
        merged.va_start = left->region.va_start;
        merged.len += left->region.len;
        rmap_remove(&pa->map, left);        /* anonymous: nothing to detach */
    }
    if (right) {
        merged.len += right->region.len;
        rmap_remove(&pa->map, right);
    }
    if ((left || right) && rmap_change(&pa->map, n, &merged) < 0)
        panic("%s: merging regions failed", __func__);
}

/* ---- the slots ---- */

int paging_page_lookup(struct aspace *as, uint64_t va, uint64_t *pa_out, uint32_t *flags)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n = rmap_lookup(&pa->map, va);
    if (!n)
        return -ENOENT;
    if (n->region.flags & REGION_KERN)
        return -EACCES;
    if (!region_owns_frames(&n->region))
        return -EINVAL;
    uint64_t frame;
    uint32_t ptf;
    if (!pt_query(&pa->pt, va, &frame, &ptf, NULL)) {
        uint64_t end;
        int err = frame_budget_left(pa, &n->region) ?
                  region_fill(pa, &n->region, va, PAGER_FILL_FAULT, &end) : -ENOMEM;
        if (err)
            return err;
        if (!pt_query(&pa->pt, va, &frame, &ptf, NULL))
            panic("%s: a filled page is not mapped", __func__);
    }
    frame_ref(frame);
    *pa_out = frame;
    *flags = page_flags_of_pt(ptf);
    return 0;
}

int paging_page_query(struct aspace *as, uint64_t va, uint32_t *flags)
{
    struct paging_aspace *pa = to_paging(as);
    if (!rmap_lookup(&pa->map, va))
        return -EFAULT;
    uint32_t ptf;
    if (!pt_query(&pa->pt, va, NULL, &ptf, NULL))
        return -ENOENT;
    *flags = page_flags_of_pt(ptf);
    return 0;
}

int paging_page_cow_break(struct paging_aspace *pa, const struct region *r, uint64_t va)
{
    uint64_t frame, old;
    uint32_t ptf;
    if (!pt_query(&pa->pt, va, &frame, &ptf, NULL))
        panic("%s: no page at %#lx", __func__, va);
    uint32_t nf = (ptf & ~(uint32_t)PT_SOFT_COW) | PT_WRITE;
    if (frame_refcount(frame) == 1) {           /* the last user: keep it */
        pt_page_replace(&pa->pt, va, frame, nf, &old);
        return 0;
    }
    uint64_t copy = frame_alloc(FRAME_NONE);
    if (!copy)
        return -ENOMEM;
    memcpy(phys_to_virt(copy), phys_to_virt(frame), PAGE_SIZE);
    pt_page_replace(&pa->pt, va, copy, nf, &old);
    region_page_release(r, va, old);
    return 0;
}

/* Put frame (already referenced for the mapping) at va in region n (one
 * that owns its frames): in place of a present page, or as a new leaf. 0
 * or -ENOMEM (a table page). */
static int page_map(struct paging_aspace *pa, struct rmap_node *n, uint64_t va, uint64_t frame,
                    uint32_t flags)
{
    uint32_t ptf = pt_flags_of_page(&n->region, flags);
    uint64_t old;
    if (pt_page_replace(&pa->pt, va, frame, ptf, &old) == 0) {
        region_page_release(&n->region, va, old);
        return 0;
    }
    int err = pt_range_map(&pa->pt, va, frame, PAGE_SIZE, ptf, PT_SIZE_4K);
    if (!err)
        pa->pager_frames++;
    return err;
}

int paging_page_insert(struct aspace *as, uint64_t va, uint64_t frame, uint32_t flags)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n = rmap_lookup(&pa->map, va);
    int err;

    if (n && (n->region.flags & (REGION_PIN | REGION_KERN)))
        return -EPERM;
    frame_ref(frame);                       /* the mapping's reference */

    if (n && region_fits_page(&n->region, flags)) {
        if ((err = page_map(pa, n, va, frame, flags)) < 0)
            frame_unref(frame);
        return err;
    }

    if (!n) {
        struct region r = { .va_start = va, .len = PAGE_SIZE, .flags = PAGE_REGION_FLAGS };
        if ((err = rmap_insert(&pa->map, &r, &n)) < 0) {
            frame_unref(frame);
            return err;
        }
        if ((err = page_map(pa, n, va, frame, flags)) < 0) {
            rmap_remove(&pa->map, n);
            frame_unref(frame);
            return err;
        }
        region_merge_neighbours(pa, n);
        return 0;
    }

    /* The page needs a region of its own, anonymous with PAGE_REGION_FLAGS. */
    struct isolation iso;
    if ((err = region_isolate_page(pa, n, va, &iso)) < 0) {
        frame_unref(frame);
        return err;
    }
    struct rmap_node *page = iso.page;
    struct region anon = { .va_start = va, .len = PAGE_SIZE, .flags = PAGE_REGION_FLAGS };
    uint32_t ptf = pt_flags_of_page(&anon, flags);
    uint64_t old;
    bool had_page = pt_page_replace(&pa->pt, va, frame, ptf, &old) == 0;
    if (!had_page && (err = pt_range_map(&pa->pt, va, frame, PAGE_SIZE, ptf, PT_SIZE_4K)) < 0) {
        region_isolate_undo(pa, &iso);
        frame_unref(frame);
        return err;
    }
    /* The old page (if any) and the region's hold on its backing belong
     * to the old kind's pager; then the node becomes anonymous. */
    const struct pager *p = pager_of(&page->region);
    if (had_page && p->release)
        region_page_release(&page->region, va, old);    /* one for one */
    else
        pa->pager_frames++;                             /* a new anonymous page */
    if (p->detach)
        p->detach(&page->region);
    if (rmap_change(&pa->map, page, &anon) < 0)
        panic("%s: changing a one-page region failed", __func__);
    region_merge_neighbours(pa, page);
    return 0;
}

int paging_page_remove(struct aspace *as, uint64_t va)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n = rmap_lookup(&pa->map, va);
    if (!n)
        return 0;
    if (n->region.flags & (REGION_PIN | REGION_KERN))
        return -EPERM;
    struct isolation iso;
    int err = region_isolate_page(pa, n, va, &iso);
    if (err)
        return err;
    region_drop(iso.page, pa);
    rmap_remove(&pa->map, iso.page);
    return 0;
}

/* ---- copying a range to another address space (fork) ---- */

/* The part [lo, hi) of region r (lo, hi page aligned, inside r). */
static struct region region_clip(const struct region *r, uint64_t lo, uint64_t hi)
{
    struct region c = lo > r->va_start ? region_tail(r, lo) : *r;
    c.len = hi - c.va_start;
    if ((c.flags & REGION_FILE) && c.file_len > c.len)
        c.file_len = c.len;
    return c;
}

/* Check that every region of src in [va, end) can be copied and that dst
 * is free there: 0, -EPERM, -EINVAL or -EEXIST (nothing changed). */
static int range_copy_check(struct paging_aspace *src, struct paging_aspace *dst,
                            uint64_t va, uint64_t end)
{
    for (struct rmap_node *n = rmap_lookup_from(&src->map, va);
         n && n->region.va_start < end; n = rmap_next(n)) {
        if (n->region.flags & (REGION_PIN | REGION_KERN))
            return -EPERM;
        if (!region_owns_frames(&n->region))
            return -EINVAL;
    }
    struct rmap_node *d = rmap_lookup_from(&dst->map, va);
    return d && d->region.va_start < end ? -EEXIST : 0;
}

/* Make every page of r in [lo, hi) exist in src (so that it can be
 * shared rather than filled separately on each side). */
static int range_materialise(struct paging_aspace *pa, const struct region *r, uint64_t lo, uint64_t hi)
{
    for (uint64_t va = lo; va < hi; va += PAGE_SIZE) {
        uint64_t end;
        int err = pt_query(&pa->pt, va, NULL, NULL, NULL) ? 0 :
                  !frame_budget_left(pa, r) ? -ENOMEM : region_fill(pa, r, va, PAGER_FILL_FAULT, &end);
        if (err)
            return err;
    }
    return 0;
}

/* Share every present page of src in [lo, hi) with dst as mode says. */
static int range_share_pages(struct paging_aspace *src, struct paging_aspace *dst, uint64_t lo,
                             uint64_t hi, enum aspace_copy_mode mode)
{
    uint64_t va = lo, leaf, frame, size;
    uint32_t ptf;
    while (pt_next_present(&src->pt, va, hi, &leaf, &frame, &ptf, &size)) {
        if (size != PAGE_SIZE)
            panic("%s: a %lu-byte leaf in a frame-owning region", __func__, size);
        uint32_t nf = ptf;
        if (mode == ASPACE_COPY_COW && (ptf & (PT_WRITE | PT_SOFT_COW))) {
            nf = (ptf & ~(uint32_t)PT_WRITE) | PT_SOFT_COW;
            uint64_t old;
            if ((ptf & PT_WRITE) && pt_page_replace(&src->pt, leaf, frame, nf, &old) < 0)
                panic("%s: a present page vanished", __func__);
        }
        frame_ref(frame);
        int err = pt_range_map(&dst->pt, leaf, frame, PAGE_SIZE, nf, PT_SIZE_4K);
        if (err) {
            frame_unref(frame);
            return err;
        }
        dst->pager_frames++;
        va = leaf + PAGE_SIZE;
    }
    return 0;
}

int paging_range_copy(struct aspace *src_as, struct aspace *dst_as, uint64_t va, uint64_t len,
                      enum aspace_copy_mode mode)
{
    struct paging_aspace *src = to_paging(src_as), *dst = to_paging(dst_as);
    uint64_t end = va + len;
    int err = range_copy_check(src, dst, va, end);
    if (err)
        return err;
    for (struct rmap_node *n = rmap_lookup_from(&src->map, va);
         n && n->region.va_start < end; n = rmap_next(n)) {
        uint64_t lo = MAX(va, n->region.va_start), hi = MIN(end, region_end(&n->region));
        struct region c = region_clip(&n->region, lo, hi);
        struct rmap_node *dn;
        if ((err = rmap_insert(&dst->map, &c, &dn)) < 0)
            return err;
        const struct pager *p = pager_of(&dn->region);
        if (p->attach && (err = p->attach(&dn->region)) < 0) {
            rmap_remove(&dst->map, dn);
            return err;
        }
        if (mode == ASPACE_COPY_SHARE && (err = range_materialise(src, &n->region, lo, hi)) < 0)
            return err;
        if ((err = range_share_pages(src, dst, lo, hi, mode)) < 0)
            return err;
    }
    return 0;
}
