/*
 * The shared windows of the page-table layer (contract in include/pt.h):
 * the kernel map's (pt_kmap_*) and the kernel stacks' (pt_kwin_*). Each is
 * a tree of its own whose root is a PDPT, made once at boot by its init,
 * before the trees that must see it: from then on pt_create links it at
 * the window's PML4 slot of every root (pt.c), the range operations keep
 * a tree's ranges out of it and a window's inside its slot, and
 * pt_destroy leaves it alone (the invariants are in pt.c's opening
 * comment). This file has the window table, the windows' set-up, their
 * map/unmap/query wrappers and pt_shared_check, which checks their table
 * pages.
 */
#include "pt_internal.h"
#include <panic.h>
#ifndef HOST_TEST
#include <log.h>
#endif

/* The windows, indexed by WIN_* (pt_internal.h): root 0 until the
 * window's init. */
struct pt pt_windows[NWINDOWS];
#define kwin        (pt_windows[WIN_KSTACKS])

/* Make window w's PDPT: once, before the trees that must see it. */
static int window_init(int w)
{
    if (pt_windows[w].root)
        panic("%s: shared window %d exists already", __func__, w);
    uint64_t pdpt = pt_table_alloc(&pt_windows[w]);
    if (!pdpt)
        return -ENOMEM;
    pt_windows[w].root = pdpt;
    return 0;
}

/* Translate va in window w (false if not mapped, or no window). */
static bool window_query(int w, uint64_t va, uint64_t *pa, uint32_t *flags)
{
    uint64_t base = (uint64_t)window_slot[w] * SLOT_SIZE;
    if (!pt_windows[w].root || va < base || va - base >= SLOT_SIZE)
        return false;
    uint64_t tbl = pt_windows[w].root;
    for (int l = LEVELS - 2;; l--) {
        uint64_t e = table_of(tbl)[level_index(va, l)];
        if (!(e & PTE_P))
            return false;
        if (pte_is_leaf(e, l)) {
            if (pa)
                *pa = leaf_addr(e, l) + (va & (level_size(l) - 1));
            if (flags)
                *flags = flags_of_pte(e);
            return true;
        }
        tbl = e & PTE_ADDR;
    }
}

int pt_kwin_init(void)
{
    return window_init(WIN_KSTACKS);
}

int pt_kwin_map(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    if (!kwin.root || (flags & PT_USER))
        return -EINVAL;
    return pt_range_map(&kwin, va, pa, len, flags, PT_SIZE_4K);
}

int pt_kwin_unmap(uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg)
{
    if (!kwin.root)
        return -EINVAL;
    return pt_range_unmap(&kwin, va, len, fn, arg);
}

bool pt_kwin_query(uint64_t va, uint64_t *pa, uint32_t *flags)
{
    return window_query(WIN_KSTACKS, va, pa, flags);
}

const struct pt *pt_kwin(void)
{
    return &kwin;
}

int pt_kmap_init(void)
{
    return window_init(WIN_KMAP);
}

int pt_kmap_map(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    if (!pt_windows[WIN_KMAP].root || (flags & PT_USER))
        return -EINVAL;
    return pt_range_map(&pt_windows[WIN_KMAP], va, pa, len, flags, PT_SIZE_ALL);
}

bool pt_kmap_query(uint64_t va, uint64_t *pa, uint32_t *flags)
{
    return window_query(WIN_KMAP, va, pa, flags);
}

const struct pt *pt_kmap(void)
{
    return &pt_windows[WIN_KMAP];
}

bool pt_range_in_kmap(uint64_t va, uint64_t len)
{
    uint64_t last;
    return range_check_va(va, len, &last) == 0 && range_hits(WIN_KMAP, va, last);
}

#ifndef HOST_TEST
/* Check the table page tbl of window w at `level` and what hangs below
 * it; *pages counts the table pages. false (and a report) at the first
 * table page that is not one: freed, handed out again, miscounted. */
static bool window_table_check(int w, uint64_t tbl, int level, uint64_t *pages)
{
    const struct frame *f = frame_meta(tbl);
    uint64_t *t = table_of(tbl);
    unsigned present = 0;
    for (int i = 0; i < ENTRIES; i++)
        present += (t[i] & PTE_P) != 0;
    if (f->kind != FRAME_KIND_PAGETABLE || f->refcount != 1 || f->pt_used != present) {
        kprintf("pt: shared window %d: table page %#lx (level %d) has kind %u, %u reference(s), "
                "count %u for %u present entries\n", w, tbl, level, f->kind, f->refcount,
                f->pt_used, present);
        return false;
    }
    (*pages)++;
    for (int i = 0; i < ENTRIES && level > 0; i++)
        if ((t[i] & PTE_P) && !pte_is_leaf(t[i], level) &&
            !window_table_check(w, t[i] & PTE_ADDR, level - 1, pages))
            return false;
    return true;
}

long pt_shared_check(void)
{
    uint64_t total = 0;
    for (int w = 0; w < NWINDOWS; w++) {
        uint64_t pages = 0;
        if (!pt_windows[w].root)
            continue;
        if (!window_table_check(w, pt_windows[w].root, LEVELS - 2, &pages))
            return -EIO;
        if (pages != pt_windows[w].table_pages) {
            kprintf("pt: shared window %d: %lu table pages linked, %lu counted\n", w, pages,
                    pt_windows[w].table_pages);
            return -EIO;
        }
        total += pages;
    }
    return (long)total;
}
#endif
