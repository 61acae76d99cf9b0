/*
 * The region_draw slot of the "paging" implementation (include/aspace.h):
 * how one region is held in the page tables, for `ases detail NAME`.
 *
 *     [0xffffa00000000000-0xffffa00000010000) rw- -UL anon: 16 page(s)
 *       tables: 1 PML4, 1 PDPT, 1 PD, 1 PT
 *       leaves: 3 x 4K, 0 x 2M, 0 x 1G; 3 of 16 pages present
 *       +0x0000000 #.#..#.......... ('#' present, '.' absent)
 *
 * Up to DRAW_MAP_PAGES pages get one character each, DRAW_MAP_WIDTH to a
 * line; a larger region is drawn as its runs of present pages. Read only:
 * pt_range_stats and pt_next_present walk the tree, skipping absent
 * subtrees, so an untouched 512 GiB region costs a few walks.
 */
#include <aspace.h>
#include <rmap.h>
#include <pt.h>
#include <log.h>
#include <uapi/errno.h>
#include "paging_internal.h"

#define DRAW_MAP_PAGES  4096        /* one character a page up to 16 MiB */
#define DRAW_MAP_WIDTH  64          /* characters a line */
#define DRAW_RUNS_MAX   16          /* runs listed for a larger region */

/* A walk over the present leaves of [lo, hi), in address order. */
struct leaf_cursor {
    const struct pt *pt;
    uint64_t hi;
    uint64_t start, end;            /* the current leaf, clipped; empty at the end */
};

static void leaf_cursor_next(struct leaf_cursor *c, uint64_t from)
{
    uint64_t leaf, pa, size;
    uint32_t flags;
    if (from < c->hi && pt_next_present(c->pt, from, c->hi, &leaf, &pa, &flags, &size)) {
        c->start = MAX(leaf, from);
        c->end = MIN(leaf + size, c->hi);
    } else {
        c->start = c->end = c->hi;
    }
}

/* Whether page va is present; pages are asked in increasing order. */
static bool leaf_cursor_present(struct leaf_cursor *c, uint64_t va)
{
    if (va >= c->end && c->end < c->hi)
        leaf_cursor_next(c, va);
    return va >= c->start && va < c->end;
}

/* One character a page, DRAW_MAP_WIDTH to a line, each line after its
 * offset from the region's start. */
static void draw_page_map(const struct pt *pt, const struct region *r)
{
    struct leaf_cursor c = { .pt = pt, .hi = region_end(r) };
    leaf_cursor_next(&c, r->va_start);
    char line[DRAW_MAP_WIDTH + 1];
    uint64_t pages = r->len / PAGE_SIZE;
    for (uint64_t i = 0; i < pages; i += DRAW_MAP_WIDTH) {
        uint64_t n = MIN(pages - i, (uint64_t)DRAW_MAP_WIDTH);
        for (uint64_t k = 0; k < n; k++)
            line[k] = leaf_cursor_present(&c, r->va_start + (i + k) * PAGE_SIZE) ? '#' : '.';
        line[n] = '\0';
        kprintf("      +0x%07lx %s%s\n", i * PAGE_SIZE, line,
                i == 0 ? " ('#' present, '.' absent)" : "");
    }
}

/* The runs of present pages, adjacent leaves merged. */
static void draw_runs(const struct pt *pt, const struct region *r)
{
    struct leaf_cursor c = { .pt = pt, .hi = region_end(r) };
    int runs = 0;
    uint64_t more = 0;
    leaf_cursor_next(&c, r->va_start);
    while (c.start < c.end) {
        uint64_t lo = c.start, hi = c.end;
        for (leaf_cursor_next(&c, hi); c.start < c.end && c.start == hi; leaf_cursor_next(&c, hi))
            hi = c.end;
        if (runs++ < DRAW_RUNS_MAX)
            kprintf("      present [%#lx-%#lx) %lu page(s)\n", lo, hi, (hi - lo) / PAGE_SIZE);
        else
            more++;
    }
    if (!runs)
        kprintf("      no page present\n");
    if (more)
        kprintf("      ... and %lu more run(s)\n", more);
}

int paging_region_draw(struct aspace *as, uint64_t va)
{
    struct paging_aspace *pa = to_paging(as);
    struct rmap_node *n = rmap_lookup(&pa->map, va);
    if (!n)
        return -ENOENT;
    const struct region *r = &n->region;
    struct pt_range_stats st;
    char fl[16];
    int err = pt_range_stats(&pa->pt, r->va_start, r->len, &st);
    if (err)
        return err;
    uint64_t pages = r->len / PAGE_SIZE;
    uint64_t present = st.leaves[0] + st.leaves[1] * (MiB(2) / PAGE_SIZE) +
                       st.leaves[2] * (GiB(1) / PAGE_SIZE);
    kprintf("    [%#lx-%#lx) %s: %lu page(s)\n", r->va_start, region_end(r),
            region_flags_str(r->flags, fl), pages);
    kprintf("      tables: %lu PML4, %lu PDPT, %lu PD, %lu PT%s\n", st.tables[3], st.tables[2],
            st.tables[1], st.tables[0], (r->flags & (REGION_KSTACKS | REGION_KSHARED)) ?
            " (below the PML4: shared by every address space)" : "");
    kprintf("      leaves: %lu x 4K, %lu x 2M, %lu x 1G; %lu of %lu pages present\n",
            st.leaves[0], st.leaves[1], st.leaves[2], MIN(present, pages), pages);
    if (pages <= DRAW_MAP_PAGES)
        draw_page_map(&pa->pt, r);
    else
        draw_runs(&pa->pt, r);
    return 0;
}
