/*
 * The "paging" address-space implementation: x86-64 4-level page tables.
 *
 * The region map (rmap.c) is the truth; the page tables (pt.c) are a cache
 * of it. A missing entry is filled on a fault by the region's pager
 * (pager.h): physical, ANON and FILE regions differ only there. EAGER
 * regions are filled for their whole range when added.
 *
 * Invariants (with as->lock held):
 *  - every present leaf lies inside exactly one region of the map, and
 *    carries that region's protection (pt_flags_of(region));
 *  - a frame mapped in an ANON or FILE region was allocated by its pager,
 *    holds one reference for that mapping, and is released exactly once
 *    through the pager when the mapping goes (remove, destroy);
 *  - the tree is loaded on a CPU only while this address space is that
 *    CPU's current one (aspace_switch).
 */
#include <aspace.h>
#include <rmap.h>
#include <pt.h>
#include <frame.h>
#include <heap.h>
#include <log.h>
#include <panic.h>
#include <arch/trap.h>
#include <uapi/errno.h>
#include <paging.h>
#include <kmap.h>
#include "pager.h"
#include "paging_internal.h"

uint32_t pt_flags_of(const struct region *r)
{
    uint32_t f = 0;
    if (r->flags & REGION_WRITE)
        f |= PT_WRITE;
    if (r->flags & REGION_EXEC)
        f |= PT_EXEC;
    if (!(r->flags & REGION_KERN))
        f |= PT_USER;
    return f;
}

/* ---- filling and emptying ranges ---- */

/* The pt unmap callback of a region whose pager owns its frames. */
struct unmap_ctx {
    struct paging_aspace *pa;
    const struct region *r;
};

static void release_pieces(const struct pt_piece *pieces, size_t n, void *arg)
{
    struct unmap_ctx *c = arg;
    c->pa->pager_frames -= n;          /* one frame each (pager.h) */
    pager_of(c->r)->release(c->r, pieces, n);
}

void region_unmap(struct paging_aspace *pa, const struct region *r)
{
    if (r->flags & (REGION_KSTACKS | REGION_KSHARED))
        return;             /* a shared window: nothing of it is this tree's */
    /* Region bounds are page aligned and leaves never straddle regions, so
     * no split (and so no allocation) can be needed: this cannot fail. */
    struct unmap_ctx c = { pa, r };
    pt_unmap_fn fn = pager_of(r)->release ? release_pieces : NULL;
    if (pt_range_unmap(&pa->pt, r->va_start, r->len, fn, &c) < 0)
        panic("%s: unmap of a whole region failed", __func__);
}

int region_fill(struct paging_aspace *pa, const struct region *r, uint64_t va,
                       enum pager_fill_mode mode, uint64_t *mapped_end)
{
    const struct pager *p = pager_of(r);
    struct pager_fill got;
    int err = p->fill(r, ALIGN_DOWN(va, PAGE_SIZE), mode, &got);
    if (err)
        return err;
    err = mode == PAGER_FILL_FAULT ? pt_map_leaf(&pa->pt, got.va, got.pa, got.len, pt_flags_of(r))
                                   : pt_range_map(&pa->pt, got.va, got.pa, got.len, pt_flags_of(r),
                                                  PT_SIZE_ALL);
    if (err) {
        if (p->release) {
            struct pt_piece piece = { got.va, got.pa, got.len };
            p->release(r, &piece, 1);
        }
        return err;
    }
    if (p->release)
        pa->pager_frames++;             /* one frame (pager.h) */
    *mapped_end = got.va + got.len;
    return 0;
}

void region_page_release(const struct region *r, uint64_t va, uint64_t frame)
{
    const struct pager *p = pager_of(r);
    if (p->release) {
        struct pt_piece piece = { va, frame, PAGE_SIZE };
        p->release(r, &piece, 1);
    }
}

/* Map all of an EAGER region. On failure, nothing of it stays mapped. */
static int region_populate(struct paging_aspace *pa, const struct region *r)
{
    for (uint64_t va = r->va_start; va < region_end(r);) {
        int err = frame_budget_left(pa, r) ? region_fill(pa, r, va, PAGER_FILL_EAGER, &va) : -ENOMEM;
        if (err) {
            region_unmap(pa, r);
            return err;
        }
    }
    return 0;
}

/* ---- the vtable ---- */

static struct aspace *paging_create(void)
{
    struct paging_aspace *pa = kzalloc(sizeof(*pa));
    if (!pa)
        return NULL;
    if (pt_create(&pa->pt) < 0) {
        kfree(pa);
        return NULL;
    }
    rmap_init(&pa->map);
    /* The region map tells the truth about the kernel window that every
     * tree shares (pt.h): a region of its own kind, pinned, kernel-only. */
    struct region win = {
        .va_start = PT_KWIN_BASE, .len = PT_KWIN_SIZE,
        .flags = REGION_READ | REGION_WRITE | REGION_PIN | REGION_KERN | REGION_KSTACKS,
    };
    if (rmap_insert(&pa->map, &win, NULL) < 0) {
        pt_destroy(&pa->pt);
        kfree(pa);
        return NULL;
    }
    return &pa->as;
}

void region_drop(struct rmap_node *n, void *arg)
{
    struct paging_aspace *pa = arg;
    const struct pager *p = pager_of(&n->region);
    region_unmap(pa, &n->region);
    if (p->detach)
        p->detach(&n->region);
}

static void paging_destroy(struct aspace *as)
{
    struct paging_aspace *pa = to_paging(as);
    rmap_destroy(&pa->map, region_drop, pa);
    pt_destroy(&pa->pt);
    kfree(pa);
}

/* A region in the kernel half (the shared kernel map's window, pt.h) can
 * only describe the shared map: pinned, and inside one segment of it with
 * that segment's protection (kmap_covers). Such a region is kept as
 * REGION_KSHARED and links the shared tables instead of filling its own;
 * any other region there is -EINVAL. */
static int kernel_half_region(const struct region *r, struct region *out)
{
    if (!(r->flags & REGION_PIN) || (r->flags & (REGION_ANON | REGION_FILE)) || !kmap_covers(r))
        return -EINVAL;
    *out = *r;
    out->flags |= REGION_KSHARED;          /* eager: present from the start */
    return 0;
}

static int paging_add_region(struct aspace *as, const struct region *r)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n;
    struct region shared;
    if (pt_range_in_kmap(r->va_start, r->len)) {
        int err = kernel_half_region(r, &shared);
        if (err)
            return err;
        return rmap_insert(&pa->map, &shared, NULL);
    }
    int err = rmap_insert(&pa->map, r, &n);
    if (err)
        return err;
    const struct pager *p = pager_of(&n->region);
    if (p->attach && (err = p->attach(&n->region)) < 0)
        goto fail_remove;
    if ((r->flags & REGION_EAGER) && (err = region_populate(pa, &n->region)) < 0)
        goto fail_detach;
    return 0;

fail_detach:
    if (p->detach)
        p->detach(&n->region);
fail_remove:
    rmap_remove(&pa->map, n);
    return err;
}

/* The region starting exactly at va, if it may be changed: 0, -ENOENT, or
 * -EPERM for a pinned region. */
static int region_find_unpinned(struct paging_aspace *pa, uint64_t va, struct rmap_node **out)
{
    struct rmap_node *n = rmap_find_start(&pa->map, va);
    if (!n)
        return -ENOENT;
    if (n->region.flags & REGION_PIN)
        return -EPERM;
    *out = n;
    return 0;
}

static int paging_remove_region(struct aspace *as, uint64_t va)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n;
    int err = region_find_unpinned(pa, va, &n);
    if (err)
        return err;
    region_drop(n, pa);
    rmap_remove(&pa->map, n);
    return 0;
}

static int paging_move_region(struct aspace *as, uint64_t va, uint64_t new_pa)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n;
    int err = region_find_unpinned(pa, va, &n);
    if (err)
        return err;
    if (pager_of(&n->region) != &pager_phys || new_pa + n->region.len < new_pa ||
        new_pa + n->region.len > pt_phys_limit())
        return -EINVAL;

    /* Drop the old translation first (with TLB invalidation), then point
     * the region at its new memory; an EAGER region is mapped again. The
     * new mapping may need other page sizes, so more table pages: they are
     * set aside first, so that -ENOMEM can only come before anything has
     * changed. */
    struct region moved = n->region;
    bool eager = moved.flags & REGION_EAGER;
    moved.pa_start = new_pa;
    if (eager && (err = pt_reserve(&pa->pt, pt_map_tables_max(moved.va_start, new_pa,
                                                               moved.len, PT_SIZE_ALL))) < 0)
        return err;
    region_unmap(pa, &n->region);
    err = rmap_change(&pa->map, n, &moved);
    if (err)
        panic("%s: rmap_change of an unchanged range failed: %d", __func__, err);
    if (eager) {
        err = region_populate(pa, &n->region);
        pt_reserve_release(&pa->pt);
        if (err)
            panic("%s: mapping a moved region from its reserve failed: %d", __func__, err);
    }
    return 0;
}

static int paging_protect_region(struct aspace *as, uint64_t va, uint32_t flags)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n = rmap_find_start(&pa->map, va);
    if (!n)
        return -ENOENT;
    if (n->region.flags & (REGION_KSTACKS | REGION_KSHARED))
        return -EPERM;              /* not ours to change, even its pin */
    const uint32_t changeable = REGION_WRITE | REGION_EXEC | REGION_PIN;
    struct region r = n->region;
    r.flags = (r.flags & ~changeable) | (flags & changeable);
    int err = rmap_change(&pa->map, n, &r);
    if (err)
        panic("%s: rmap_change of an unchanged range failed: %d", __func__, err);
    /* Leaves never straddle regions, so this never splits and never fails. */
    if (pt_range_protect(&pa->pt, r.va_start, r.len, pt_flags_of(&r)) < 0)
        panic("%s: protect of a whole region failed", __func__);
    return 0;
}

static void paging_switch_to(struct aspace *as)
{
    pt_switch(&to_paging(as)->pt);
}

/* Is access f allowed by region r? Says why not in *d. */
static bool access_allowed(const struct region *r, const struct aspace_fault *f,
                           struct fault_detail *d)
{
    if ((f->access & FAULT_USER) && (r->flags & REGION_KERN))
        d->reason = "user access to a kernel-only region";
    else if ((f->access & FAULT_WRITE) && !(r->flags & REGION_WRITE))
        d->reason = "write to a read-only region";
    else if ((f->access & FAULT_EXEC) && !(r->flags & REGION_EXEC))
        d->reason = "instruction fetch from a no-execute region";
    else
        return true;
    return false;
}

static enum fault_response paging_exception(struct aspace *as, const struct aspace_fault *f,
                                            struct fault_detail *d)
{
    struct paging_aspace *pa = to_paging(as);
    enum fault_response resp;
    const char *pager;                  /* what resolved it */

    if (f->kind != FAULT_PAGE) {
        d->reason = "general protection (not a paging fault)";
        return FAULT_SIGNAL;
    }
    if (f->error_code & PF_RSVD) {
        /* We wrote an entry the CPU considers malformed: retrying would
         * fault forever. */
        d->reason = "reserved bit set in a page-table entry";
        return FAULT_KERNEL_BUG;
    }
    bool irq = spin_lock_irqsave(&as->lock);
    struct rmap_node *n = rmap_lookup(&pa->map, f->address);
    if (!n) {
        d->reason = "no region covers the address";
        resp = FAULT_SIGNAL;
        goto out;
    }
    if (!access_allowed(&n->region, f, d)) {
        resp = FAULT_SIGNAL;
        goto out_region;
    }
    /* A page that was not present (or is not any more) is filled: one walk
     * of the page tables. */
    uint32_t flags = 0;
    bool mapped = (f->error_code & PF_PRESENT) && pt_query(&pa->pt, f->address, NULL, &flags, NULL);
    if (!mapped) {
        if (!frame_budget_left(pa, &n->region)) {
            d->reason = "frame limit reached";
            resp = FAULT_OUT_OF_MEMORY;
            goto out_region;
        }
        uint64_t end;
        int err = region_fill(pa, &n->region, f->address, PAGER_FILL_FAULT, &end);
        if (err == 0) {
            if (n->region.flags & REGION_ANON)
                pa->faults_anon++;
            else if (n->region.flags & REGION_FILE)
                pa->faults_file++;
            else
                pa->faults_phys++;
            pager = NULL;               /* the region's own: named below */
            goto resolved;
        }
        if (err != -EEXIST) {
            const struct pager *p = pager_of(&n->region);
            d->pager = p->name;
            d->reason = err == -ENOMEM ? "no free frame" :
                        p->explain ? p->explain(&n->region, f->address) : "the pager failed";
            resp = err == -ENOMEM ? FAULT_OUT_OF_MEMORY : FAULT_SIGNAL;
            goto out_region;
        }
        /* Mapped since the fault was taken: check it like a present one. */
        mapped = pt_query(&pa->pt, f->address, NULL, &flags, NULL);
    }
    /* Present and allowed by the region. The page's own protection may be
     * narrower (a copy-on-write page is read-only in a writable region, a
     * page_insert page may be narrower than its region): then the access
     * is refused, except for a write to a copy-on-write page, which gets
     * its private copy here unless the owner handles those itself
     * (ASPACE_POLICY_USER_COW: JOS's fork) and the write came from user
     * mode (a system call's copy-out cannot wait for the process's
     * handler). Otherwise the entry was just filled (a spurious fault: the
     * TLB held the old state) and the access is retried. No entry at all
     * after -EEXIST, or an entry of a user region without the user bit,
     * would mean we are broken. */
    if (!mapped || ((f->access & FAULT_USER) && !(flags & PT_USER))) {
        d->reason = "page-table entry disagrees with its region";
        resp = FAULT_KERNEL_BUG;
    } else if ((f->access & FAULT_WRITE) && (flags & PT_SOFT_COW) &&
               !((f->access & FAULT_USER) && (as->policy & ASPACE_POLICY_USER_COW))) {
        int err = paging_page_cow_break(pa, &n->region, ALIGN_DOWN(f->address, PAGE_SIZE));
        if (!err) {
            pager = "copy-on-write";
            goto resolved;
        }
        d->reason = "no free frame for a copy-on-write copy";
        resp = FAULT_OUT_OF_MEMORY;
    } else if ((f->access & FAULT_WRITE) && !(flags & PT_WRITE)) {
        d->reason = (flags & PT_SOFT_COW) ? "write to a copy-on-write page"
                                          : "write to a read-only page";
        resp = FAULT_SIGNAL;
    } else if ((f->access & FAULT_EXEC) && !(flags & PT_EXEC)) {
        d->reason = "instruction fetch from a no-execute page";
        resp = FAULT_SIGNAL;
    } else {
        pager = "none (already mapped)";
        goto resolved;
    }
out_region:
    d->has_region = true;
    d->region = n->region;
out:
    spin_unlock_irqrestore(&as->lock, irq);
    return resp;

resolved:
    /* The region and what filled the page only for a caller that asked
     * (a trace): the untraced fault pays this one test. */
    resp = FAULT_RESOLVED;
    if (unlikely(f->detail == FAULT_DETAIL_ALWAYS)) {
        d->pager = pager ? pager : pager_of(&n->region)->name;
        goto out_region;
    }
    goto out;
}

static void paging_print(struct aspace *as, int detail)
{
    struct paging_aspace *pa = to_paging(as);
    kprintf("  %zu region(s); page tables: %lu table page(s); mapped: %lu x 4K, %lu x 2M, %lu x 1G\n",
            rmap_count(&pa->map), pa->pt.table_pages, pa->pt.mapped[0],
            pa->pt.mapped[1], pa->pt.mapped[2]);
    kprintf("  faults filled: %lu phys, %lu anon, %lu file; TLB: %lu invlpg, %lu full flushes\n",
            pa->faults_phys, pa->faults_anon, pa->faults_file, pa->pt.invlpgs, pa->pt.full_flushes);
    kprintf("  frames owned: %lu (%lu filled pages, %lu table pages), limit %lu\n",
            frames_owned(pa), pa->pager_frames, pa->pt.table_pages, as->frame_limit);
    if (detail <= 0)
        return;
    for (struct rmap_node *n = rmap_first(&pa->map); n; n = rmap_next(n)) {
        const struct region *r = &n->region;
        char fl[16];
        kprintf("    [0x%016lx-0x%016lx) %s", r->va_start, region_end(r), region_flags_str(r->flags, fl));
        if (r->flags & REGION_FILE)
            kprintf(" offset %#lx\n", r->file_offset);
        else if (r->flags & REGION_KSTACKS)
            kprintf(" (kernel stacks, shared by every address space)\n");
        else if (r->flags & REGION_KSHARED)
            kprintf(" -> pa %#lx (kernel map: tables shared by every address space)\n", r->pa_start);
        else if (r->flags & REGION_ANON)
            kprintf("\n");
        else
            kprintf(" -> pa %#lx\n", r->pa_start);
    }
}

static int paging_query_region(struct aspace *as, uint64_t va, enum region_query_mode mode,
                               struct region *out)
{
    struct rmap *m = &to_paging(as)->map;
    struct rmap_node *n = mode == REGION_QUERY_AT ? rmap_lookup(m, va) : rmap_lookup_from(m, va);
    if (!n)
        return -ENOENT;
    *out = n->region;
    return 0;
}

static int paging_find_gap(struct aspace *as, uint64_t lo, uint64_t hi, uint64_t len, uint64_t *va)
{
    return rmap_find_gap(&to_paging(as)->map, lo, hi, len, PAGE_SIZE, va);
}

static const struct aspace_ops paging_ops = {
    .create = paging_create,
    .destroy = paging_destroy,
    .add_region = paging_add_region,
    .remove_region = paging_remove_region,
    .move_region = paging_move_region,
    .protect_region = paging_protect_region,
    .switch_to = paging_switch_to,
    .exception = paging_exception,
    .print = paging_print,
    .query_region = paging_query_region,
    .find_gap = paging_find_gap,
    .page_lookup = paging_page_lookup,
    .page_query = paging_page_query,
    .page_insert = paging_page_insert,
    .page_remove = paging_page_remove,
    .range_copy = paging_range_copy,
    .region_draw = paging_region_draw,
};

static const struct aspace_impl paging_impl = {
    .name = "paging",
    .description = "x86-64 4-level page tables; eager, lazy, anonymous and file-backed regions",
    .granularity = PAGE_SIZE,
    .alignment = PAGE_SIZE,
    .supported_flags = REGION_FLAGS_ALL,
    .ops = &paging_ops,
};
ASPACE_IMPL_REGISTER(paging_impl);

/* ---- helpers for other kernel code ---- */

bool paging_is(const struct aspace *as)
{
    return as && as->impl == &paging_impl;
}

bool paging_translate(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *pt_flags, uint64_t *size)
{
    if (!paging_is(as))
        return false;
    bool irq = spin_lock_irqsave(&as->lock);
    bool ok = pt_query(&to_paging(as)->pt, va, pa, pt_flags, size);
    spin_unlock_irqrestore(&as->lock, irq);
    return ok;
}

void paging_stats(struct aspace *as, struct paging_stats *st)
{
    struct paging_aspace *pa = to_paging(as);
    bool irq = spin_lock_irqsave(&as->lock);
    st->regions = rmap_count(&pa->map);
    st->table_pages = pa->pt.table_pages;
    for (int i = 0; i < 3; i++)
        st->mapped[i] = pa->pt.mapped[i];
    st->invlpgs = pa->pt.invlpgs;
    st->full_flushes = pa->pt.full_flushes;
    st->frames = frames_owned(pa);
    spin_unlock_irqrestore(&as->lock, irq);
}
