/*
 * x86-64 4-level page tables (contract in include/pt.h): the table pages,
 * one operation's deferred work, the walker, and the operations that
 * change a tree (create/destroy, map, unmap, protect, replace a page).
 * The read-only queries are in pt_query.c, the shared windows in
 * pt_window.c; what the three share (entry bits, level helpers, the window
 * table) is in pt_internal.h.
 *
 * Levels are numbered from the leaf up: 0 = PT (4 KiB entries), 1 = PD
 * (2 MiB), 2 = PDPT (1 GiB), 3 = PML4.
 *
 * Range operations walk the tree once, top down (walk_range): in each
 * table they loop over the entries the range touches, skip an absent entry
 * (a whole 4 KiB .. 512 GiB subtree) in one step, and descend only into
 * present tables. A run of 4 KiB leaves is a tight loop inside one table.
 *
 * Invalidation and freeing (Intel SDM Vol. 3A, 4.10.2-4.10.4): the CPU may
 * keep translations (TLB) and pointers to tables (paging-structure caches)
 * after the entries they came from change. So nothing an operation unlinks
 * is freed at once: changed leaves, unlinked table pages and unmapped
 * pieces go into the operation's struct tlb_batch, which is flushed (invlpg
 * per page, or one CR3 reload) before the table pages are freed and before
 * the pieces are handed to the caller's callback (which may free the
 * frames). A cleared non-leaf entry always costs at least one invlpg, even
 * if nothing below it was mapped (4.10.4.2: INVLPG also empties the
 * paging-structure caches). When a long operation fills the batch, it is
 * flushed early; nothing is ever freed before a flush that covers it, so
 * the allocator cannot hand a table page back inside the operation that
 * unlinked it while the CPU may still walk through it.
 *
 * Invariants (between operations):
 *  - a table page's struct frame has kind FRAME_KIND_PAGETABLE and pt_used
 *    equal to its number of present entries;
 *  - no table page other than a root (a tree's PML4, the window's PDPT) has
 *    pt_used == 0 (it is unlinked);
 *  - pt->mapped[] counts the leaf entries by size, pt->table_pages the
 *    table pages linked in the tree (the root included);
 *  - each shared window (pt.h: the kernel map's, the kernel stacks') is a
 *    tree of its own whose root is a PDPT; once the window's init has run,
 *    every root's entry at the window's PML4 slot points at that PDPT
 *    (counted in the root's pt_used, but the PDPT and what hangs below it
 *    belong to the window, never to a tree: pt_destroy leaves them).
 */
#include "pt_internal.h"
#include <string.h>
#include <panic.h>
#ifndef HOST_TEST
#include <arch/cpu.h>
#endif

/* ---- CPU features ---- */

#ifdef HOST_TEST
uint32_t pt_sizes_supported(void) { return PT_SIZE_ALL; }
bool pt_nx_enabled(void) { return true; }
uint64_t pt_phys_limit(void) { return 1ull << 52; }
#else
/* CPUID is slow (and a VM exit under a hypervisor): both answers are
 * read once and remembered. */
uint64_t pt_phys_limit(void)
{
    static uint64_t limit;
    if (!limit) {
        uint32_t a, b, c, d;
        cpuid(0x80000000, 0, &a, &b, &c, &d);
        if (a < 0x80000008) {
            limit = 1ull << 36;     /* the architectural minimum with PAE */
        } else {
            cpuid(0x80000008, 0, &a, &b, &c, &d);
            limit = 1ull << (a & 0xFF);
        }
    }
    return limit;
}

extern uint8_t boot_nx_enabled;

uint32_t pt_sizes_supported(void)
{
    static uint32_t sizes;
    if (!sizes) {
        uint32_t a, b, c, d;
        cpuid(0x80000001, 0, &a, &b, &c, &d);
        sizes = PT_SIZE_4K | PT_SIZE_2M | ((d & (1u << 26)) ? PT_SIZE_1G : 0);
    }
    return sizes;
}

bool pt_nx_enabled(void)
{
    return boot_nx_enabled;
}
#endif

/* Entry bits of a leaf with these flags (PTE_PS is added for large ones):
 * a table indexed by the four flag bits, built on first use (NX depends on
 * what the boot code found), and the software bits, which sit at the same
 * positions in flags and entry. */
static uint64_t pte_flags_of(uint32_t flags)
{
    static uint64_t bits[16];
    if (!bits[0]) {
        for (uint32_t f = 0; f < 16; f++) {
            uint64_t e = PTE_P;
            if (f & PT_WRITE)
                e |= PTE_W;
            if (f & PT_USER)
                e |= PTE_U;
            if (!(f & PT_EXEC) && pt_nx_enabled())
                e |= PTE_NX;
            if (f & PT_UNCACHED)
                e |= PTE_PCD | PTE_PWT;
            bits[f] = e;
        }
    }
    return bits[flags & 15] | (flags & PT_SOFT_MASK);
}

/* ---- table pages ---- */

/* A zeroed page for a new table: from the tree's reserve (pt_reserve) if
 * it has one, else from the frame allocator. 0 if none. (Shared with
 * pt_window.c, for the windows' roots.) */
uint64_t pt_table_alloc(struct pt *pt)
{
    uint64_t pa = pt->reserve;
    if (pa) {
        uint64_t *link = table_of(pa);
        pt->reserve = *link;            /* reserved pages are linked through */
        *link = 0;                      /* their first word */
        pt->reserved--;
    } else if (!(pa = frame_alloc(FRAME_ZERO))) {
        return 0;
    }
    struct frame *f = frame_meta(pa);
    f->kind = FRAME_KIND_PAGETABLE;
    f->pt_used = 0;
    pt->table_pages++;
    return pa;
}

static void table_free(struct pt *pt, uint64_t pa)
{
    struct frame *f = frame_meta(pa);
    if (f->kind != FRAME_KIND_PAGETABLE || f->pt_used != 0)
        panic("%s: %#lx is not an empty table (kind %u, used %u)", __func__, pa, f->kind, f->pt_used);
    f->kind = FRAME_KIND_GENERIC;
    frame_unref(pa);
    pt->table_pages--;
}

int pt_reserve(struct pt *pt, uint64_t tables)
{
    for (uint64_t i = 0; i < tables; i++) {
        uint64_t pa = frame_alloc(FRAME_ZERO);
        if (!pa) {
            pt_reserve_release(pt);
            return -ENOMEM;
        }
        *(uint64_t *)table_of(pa) = pt->reserve;
        pt->reserve = pa;
        pt->reserved++;
    }
    return 0;
}

void pt_reserve_release(struct pt *pt)
{
    while (pt->reserve) {
        uint64_t pa = pt->reserve;
        pt->reserve = *(uint64_t *)table_of(pa);
        frame_unref(pa);
    }
    pt->reserved = 0;
}

uint64_t pt_map_tables_max(uint64_t va, uint64_t pa, uint64_t len, uint32_t sizes)
{
    if (len == 0)
        return 0;
    sizes &= pt_sizes_supported();
    uint64_t last = va + len - 1, n = 0;
    /* Below each slot of level l (a PML4, PDPT or PD entry) that the range
     * touches, a map makes a level l-1 table, unless the slot is mapped by
     * one leaf: the range covers it whole, and leaves of that size are
     * allowed and fit pa. */
    for (int l = LEVELS - 1; l >= 1; l--) {
        unsigned sh = level_shift(l);
        uint64_t touched = (last >> sh) - (va >> sh) + 1;
        bool leaves = l < LEVELS - 1 && (sizes & (1u << l)) && IS_ALIGNED(va - pa, level_size(l));
        if (leaves) {
            /* Slots [first, end) lie wholly inside (careful at the top). */
            uint64_t first = (va >> sh) + !IS_ALIGNED(va, level_size(l));
            uint64_t end = last == UINT64_MAX ? 1ull << (64 - sh) : (last + 1) >> sh;
            touched -= end > first ? end - first : 0;
        }
        n += touched;
    }
    return n;
}

/* delta entries of table tbl went from not-present to present (or back,
 * if negative). */
static void table_count(uint64_t tbl, int delta)
{
    struct frame *f = frame_meta(tbl);
    int used = f->pt_used + delta;
    if (used < 0 || used > ENTRIES)
        panic("%s: entry count of table %#lx out of range (%u%+d)", __func__, tbl, f->pt_used, delta);
    f->pt_used = (uint16_t)used;
}

static bool table_empty(uint64_t tbl)
{
    return frame_meta(tbl)->pt_used == 0;
}

/* ---- one operation's deferred work: invalidate, then free ---- */

#define BATCH_TABLES    16      /* unlinked table pages awaiting the flush */

struct tlb_batch {
    struct pt *pt;
    int nva;                    /* pages to invlpg, in va[] (and pieces[]) */
    bool full;                  /* more than PT_INVLPG_MAX: reload CR3 instead */
    int ntables, npieces;
    pt_unmap_fn fn;             /* gets pieces[] after the flush (NULL: keep none) */
    void *arg;
    uint64_t va[PT_INVLPG_MAX];
    uint64_t tables[BATCH_TABLES];
    struct pt_piece pieces[PT_PIECES_MAX];
};

/* The shared windows (pt_internal.h, pt_window.c) as the trees see them. */

/* The window that owns PML4 slot `slot` (of the low half), or NULL. */
static struct pt *window_at_slot(uint64_t slot)
{
    for (int i = 0; i < NWINDOWS; i++)
        if (pt_windows[i].root && window_slot[i] == slot)
            return &pt_windows[i];
    return NULL;
}

/* Does [va, last] touch any window? */
static bool range_hits_window(uint64_t va, uint64_t last)
{
    for (int i = 0; i < NWINDOWS; i++)
        if (range_hits(i, va, last))
            return true;
    return false;
}

/* Invalidate what the batch collected (when this tree is the one loaded:
 * loading CR3 at a switch drops everything cached for the tree anyway),
 * then hand the unmapped pieces to fn and free the unlinked tables. (SMP:
 * this is where a shootdown to the other CPUs that have the tree loaded
 * will go, before anything is freed.) */
static void batch_flush(struct tlb_batch *b)
{
    struct pt *pt = b->pt;
    int n = b->nva + b->npieces;        /* the pieces' pages count too */
    /* The window is part of whatever tree is loaded. */
    if ((b->full || n > 0) && (pt_is_window(pt) || pt_is_loaded(pt))) {
        if (b->full || n > PT_INVLPG_MAX) {
            pt->full_flushes++;
#ifndef HOST_TEST
            write_cr3(read_cr3());
#endif
        } else {
            pt->invlpgs += n;
#ifndef HOST_TEST
            for (int i = 0; i < b->nva; i++)
                invlpg(b->va[i]);
            for (int i = 0; i < b->npieces; i++)
                invlpg(b->pieces[i].va);
#endif
        }
    }
    b->nva = 0;
    b->full = false;
    if (b->npieces > 0)
        b->fn(b->pieces, (size_t)b->npieces, b->arg);
    b->npieces = 0;
    for (int i = 0; i < b->ntables; i++)
        table_free(pt, b->tables[i]);
    b->ntables = 0;
}

/* An empty batch for pt (field by field: the arrays, 2 KiB, are filled as
 * they are used, never cleared). */
static void batch_init(struct tlb_batch *b, struct pt *pt, pt_unmap_fn fn, void *arg)
{
    b->pt = pt;
    b->nva = 0;
    b->full = false;
    b->ntables = 0;
    b->npieces = 0;
    b->fn = fn;
    b->arg = arg;
}

/* A present entry for va changed or went. */
static void batch_invalidate(struct tlb_batch *b, uint64_t va)
{
    if (b->full)
        return;
    if (b->nva == PT_INVLPG_MAX)
        b->full = true;
    else
        b->va[b->nva++] = va;
}

/* The leaf [va, va+size) -> pa was unmapped. With a callback the piece
 * is kept, and its page is invalidated from there. */
static void batch_piece(struct tlb_batch *b, uint64_t va, uint64_t pa, uint64_t size)
{
    if (!b->fn) {
        batch_invalidate(b, va);
        return;
    }
    b->pieces[b->npieces++] = (struct pt_piece){ va, pa, size };
    if (b->npieces == PT_PIECES_MAX)
        batch_flush(b);
}

/* The table page tbl, which translated addresses from va, was unlinked. */
static void batch_table(struct tlb_batch *b, uint64_t va, uint64_t tbl)
{
    batch_invalidate(b, va);    /* 4.10.4.2: at least one INVLPG, even if empty */
    b->tables[b->ntables++] = tbl;
    if (b->ntables == BATCH_TABLES)
        batch_flush(b);
}

/* ---- the walker ---- */

enum pt_op_kind { OP_MAP, OP_UNMAP, OP_PROTECT };

/* One range operation in progress. */
struct pt_op {
    enum pt_op_kind kind;
    struct pt *pt;
    uint64_t va0, pa0;          /* MAP: va0 is mapped to pa0 */
    uint64_t bits;              /* MAP, PROTECT: leaf entry bits (no PTE_PS) */
    uint32_t sizes;             /* MAP: leaf sizes allowed (enum pt_sizes) */
    uint64_t stop;              /* MAP failed: [va0, stop) is what it mapped */
    struct tlb_batch tlb;
};

/* Start an operation. */
static void op_init(struct pt_op *op, enum pt_op_kind kind, struct pt *pt, pt_unmap_fn fn, void *arg)
{
    op->kind = kind;
    op->pt = pt;
    batch_init(&op->tlb, pt, fn, arg);
}

static int walk_range(struct pt_op *op, uint64_t tbl, int level, uint64_t va, uint64_t last);

/* Clear the entry *e of table tbl, which points at an empty table. */
static void table_unlink(struct pt_op *op, uint64_t tbl, uint64_t *e, uint64_t va)
{
    uint64_t child = *e & PTE_ADDR;
    *e = 0;
    table_count(tbl, -1);
    batch_table(&op->tlb, va, child);
}

/* Replace the large leaf *e of `level` (>= 1) by a table of 512
 * next-level leaves with the same translation. The translation does not
 * change, so nothing needs invalidating beyond what the caller then
 * changes. 0 or -ENOMEM (nothing changed). */
static int leaf_split(struct pt *pt, uint64_t *e, int level)
{
    uint64_t tbl = pt_table_alloc(pt);
    if (!tbl)
        return -ENOMEM;
    uint64_t old = *e;
    uint64_t base = leaf_addr(old, level), step = level_size(level - 1);
    /* Accessed/Dirty too: what happened to the large page happened to
     * (at least one of) its pieces, and leaf_protect keeps them as well;
     * the software bits are the owner's state of every piece. */
    uint64_t keep = (old & (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_NX | PTE_A | PTE_D | PTE_SOFT)) |
                    PTE_P | (level - 1 > 0 ? PTE_PS : 0);
    uint64_t *t = table_of(tbl);
    for (int i = 0; i < ENTRIES; i++)
        t[i] = (base + (uint64_t)i * step) | keep;
    frame_meta(tbl)->pt_used = ENTRIES;
    pt->mapped[level]--;
    pt->mapped[level - 1] += ENTRIES;
    *e = tbl | PTE_TABLE;
    return 0;
}

/* MAP, level 0: the 4 KiB leaves [va, last] of table tbl. */
static int leaves_map(struct pt_op *op, uint64_t tbl, uint64_t va, uint64_t last)
{
    uint64_t *t = table_of(tbl) + level_index(va, 0);
    unsigned n = (unsigned)((last - va) >> PAGE_SHIFT) + 1, i;
    uint64_t e = (op->pa0 + (va - op->va0)) | op->bits;
    for (i = 0; i < n; i++, e += PAGE_SIZE) {
        if (t[i] & PTE_P)
            break;
        t[i] = e;
    }
    table_count(tbl, (int)i);
    op->pt->mapped[0] += i;
    if (i < n) {
        op->stop = va + ((uint64_t)i << PAGE_SHIFT);
        return -EEXIST;
    }
    return 0;
}

/* UNMAP, level 0: the present 4 KiB leaves in [va, last] of table tbl. */
static void leaves_unmap(struct pt_op *op, uint64_t tbl, uint64_t va, uint64_t last)
{
    uint64_t *t = table_of(tbl) + level_index(va, 0);
    unsigned n = (unsigned)((last - va) >> PAGE_SHIFT) + 1, gone = 0;
    for (unsigned i = 0; i < n; i++, va += PAGE_SIZE) {
        uint64_t e = t[i];
        if (!(e & PTE_P))
            continue;
        t[i] = 0;
        gone++;
        batch_piece(&op->tlb, va, e & PTE_ADDR, PAGE_SIZE);
    }
    table_count(tbl, -(int)gone);
    op->pt->mapped[0] -= gone;
}

/* New protection for a present leaf: Accessed/Dirty are kept (they record
 * what happened, not what is allowed), and so are the software bits (the
 * owner's per-page state); a copy-on-write leaf stays read-only. */
static void leaf_protect(struct pt_op *op, uint64_t *e, int level, uint64_t va)
{
    uint64_t old = *e;
    uint64_t ne = leaf_addr(old, level) | op->bits | (level > 0 ? PTE_PS : 0) |
                  (old & (PTE_A | PTE_D | PTE_SOFT));
    if (old & PTE_SOFT_COW)
        ne &= ~PTE_W;
    if (ne != old) {
        *e = ne;
        batch_invalidate(&op->tlb, va);
    }
}

/* PROTECT, level 0. */
static void leaves_protect(struct pt_op *op, uint64_t tbl, uint64_t va, uint64_t last)
{
    uint64_t *t = table_of(tbl) + level_index(va, 0);
    unsigned n = (unsigned)((last - va) >> PAGE_SHIFT) + 1;
    for (unsigned i = 0; i < n; i++, va += PAGE_SIZE) {
        if (t[i] & PTE_P)
            leaf_protect(op, &t[i], 0, va);
    }
}

/* MAP: the part [va, end] of the range under entry *e of table tbl (level
 * >= 1). A leaf of this level if allowed and it fits exactly, else descend
 * (creating the table). On failure op->stop says where; a table created
 * here that stayed empty is unlinked again. */
static int entry_map(struct pt_op *op, uint64_t tbl, uint64_t *e, int level, uint64_t va, uint64_t end)
{
    uint64_t size = level_size(level), pa = op->pa0 + (va - op->va0);
    if (end - va == size - 1 && (op->sizes & (1u << level)) && IS_ALIGNED(pa, size)) {
        if (*e & PTE_P) {
            op->stop = va;
            return -EEXIST;
        }
        *e = pa | op->bits | PTE_PS;
        table_count(tbl, +1);
        op->pt->mapped[level]++;
        return 0;
    }
    if (!(*e & PTE_P)) {
        uint64_t nt = pt_table_alloc(op->pt);
        if (!nt) {
            op->stop = va;
            return -ENOMEM;
        }
        *e = nt | PTE_TABLE;
        table_count(tbl, +1);
    } else if (*e & PTE_PS) {
        op->stop = va;
        return -EEXIST;
    }
    uint64_t child = *e & PTE_ADDR;
    int err = walk_range(op, child, level - 1, va, end);
    if (err && table_empty(child))
        table_unlink(op, tbl, e, va);
    return err;
}

/* UNMAP, PROTECT: the part [va, end] of the range under entry *e of table
 * tbl (level >= 1). Absent: nothing to do. A large leaf fully inside is
 * changed whole; one sticking out is split first (-ENOMEM if it cannot
 * be). A table emptied by the unmap is unlinked. */
static int entry_change(struct pt_op *op, uint64_t tbl, uint64_t *e, int level, uint64_t va, uint64_t end)
{
    uint64_t old = *e;
    if (!(old & PTE_P))
        return 0;
    if (old & PTE_PS) {
        uint64_t size = level_size(level);
        if (end - va == size - 1) {
            if (op->kind == OP_PROTECT) {
                leaf_protect(op, e, level, va);
            } else {
                *e = 0;
                table_count(tbl, -1);
                op->pt->mapped[level]--;
                batch_piece(&op->tlb, va, leaf_addr(old, level), size);
            }
            return 0;
        }
        int err = leaf_split(op->pt, e, level);
        if (err)
            return err;
    }
    uint64_t child = *e & PTE_ADDR;
    int err = walk_range(op, child, level - 1, va, end);
    if (table_empty(child))
        table_unlink(op, tbl, e, va);
    return err;
}

/* Apply op to [va, last] (inclusive, inside the span of table tbl of
 * `level`): one visit per entry the range touches. Stops at the first
 * error. (op_walk starts it at the top of op's tree.) */
static int walk_range(struct pt_op *op, uint64_t tbl, int level, uint64_t va, uint64_t last)
{
    if (level == 0) {
        if (op->kind == OP_MAP)
            return leaves_map(op, tbl, va, last);
        if (op->kind == OP_UNMAP)
            leaves_unmap(op, tbl, va, last);
        else
            leaves_protect(op, tbl, va, last);
        return 0;
    }
    uint64_t *t = table_of(tbl);
    uint64_t mask = level_size(level) - 1;
    for (uint64_t cur = va;;) {
        uint64_t end = MIN(cur | mask, last);   /* this entry's part of the range */
        uint64_t *e = &t[level_index(cur, level)];
        int err = op->kind == OP_MAP ? entry_map(op, tbl, e, level, cur, end)
                                     : entry_change(op, tbl, e, level, cur, end);
        if (err)
            return err;
        if (end == last)
            return 0;
        cur = end + 1;
    }
}

/* Apply op to [va, last] from the top of its tree: the root, or for the
 * kernel window its shared PDPT. */
static int op_walk(struct pt_op *op, uint64_t va, uint64_t last)
{
    if (pt_is_window(op->pt))
        return walk_range(op, op->pt->root, LEVELS - 2, va, last);
    return walk_range(op, op->pt->root, LEVELS - 1, va, last);
}

/* ---- the range interface ---- */

/* range_check_va, and: a tree's ranges stay out of the shared windows
 * (those that exist), a window's stay inside its slot. */
static int range_check(const struct pt *pt, uint64_t va, uint64_t len, uint64_t *last)
{
    int r = range_check_va(va, len, last);
    if (r)
        return r;
    if (pt_is_window(pt)) {
        uint64_t base = (uint64_t)window_slot[pt - pt_windows] * SLOT_SIZE;
        return va >= base && *last <= base + SLOT_SIZE - 1 ? 0 : -EINVAL;
    }
    return range_hits_window(va, *last) ? -EINVAL : 0;
}

int pt_create(struct pt *pt)
{
    memset(pt, 0, sizeof(*pt));
    pt->root = pt_table_alloc(pt);
    if (!pt->root)
        return -ENOMEM;
    for (int i = 0; i < NWINDOWS; i++) {
        if (pt_windows[i].root) {
            table_of(pt->root)[window_slot[i]] = pt_windows[i].root | PTE_TABLE;
            table_count(pt->root, +1);
        }
    }
    return 0;
}

static void table_destroy(struct pt *pt, uint64_t tbl, int level)
{
    uint64_t *t = table_of(tbl);
    for (int i = 0; i < ENTRIES && level > 0; i++) {
        if (level == LEVELS - 1 && window_at_slot((uint64_t)i))
            continue;                   /* a shared window: not ours */
        if ((t[i] & PTE_P) && !pte_is_leaf(t[i], level))
            table_destroy(pt, t[i] & PTE_ADDR, level - 1);
    }
    frame_meta(tbl)->pt_used = 0;
    table_free(pt, tbl);
}

void pt_destroy(struct pt *pt)
{
    if (pt_is_loaded(pt))
        panic("%s: the page-table tree is loaded", __func__);
    pt_reserve_release(pt);
    table_destroy(pt, pt->root, LEVELS - 1);
    pt->root = 0;
}

int pt_range_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t len,
                 uint32_t flags, uint32_t sizes)
{
    uint64_t last;
    int err = range_check(pt, va, len, &last);
    if (err)
        return err < 0 ? err : 0;
    if (!IS_ALIGNED(pa, PAGE_SIZE) || pa + len - 1 < pa || pa + len - 1 >= pt_phys_limit())
        return -EINVAL;
    struct pt_op op;
    op_init(&op, OP_MAP, pt, NULL, NULL);
    op.va0 = va;
    op.pa0 = pa;
    op.bits = pte_flags_of(flags);
    op.sizes = sizes & pt_sizes_supported();
    err = op_walk(&op, va, last);
    if (err && op.stop > va) {
        /* Undo [va, stop): whole leaves this call made, so no split. */
        op.kind = OP_UNMAP;
        if (op_walk(&op, va, op.stop - 1) < 0)
            panic("%s: undoing a partial map failed", __func__);
    }
    /* Mapping only adds entries (x86 does not cache non-present ones), so
     * only the undo and unlinked tables have anything to invalidate. */
    batch_flush(&op.tlb);
    return err;
}

/* Unlink and free the tables a failed pt_map_leaf made for [va, last]
 * (they are empty: nothing was mapped below them). Out of line, so that
 * the fault path does not carry an operation's 2 KiB of state. */
static __attribute__((noinline)) void map_leaf_undo(struct pt *pt, uint64_t va, uint64_t last)
{
    struct pt_op op;
    op_init(&op, OP_UNMAP, pt, NULL, NULL);
    op_walk(&op, va, last);
    batch_flush(&op.tlb);
}

/* The fault path's map: one walk from the root, no operation state unless
 * tables made on the way have to be unlinked again. */
int pt_map_leaf(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags)
{
    int level = size == PAGE_SIZE ? 0 : size == level_size(1) ? 1 : size == level_size(2) ? 2 : -1;
    /* An aligned leaf is canonical if its first byte is (it cannot cross
     * the hole). */
    if (level < 0 || !(pt_sizes_supported() & (1u << level)) || !IS_ALIGNED(va | pa, size) ||
        !va_canonical(va) || pa + size - 1 >= pt_phys_limit() ||
        range_hits_window(va, va + size - 1))
        return -EINVAL;
    uint64_t tbl = pt->root;
    for (int l = LEVELS - 1; l > level; l--) {
        uint64_t *e = &table_of(tbl)[level_index(va, l)];
        if (!(*e & PTE_P)) {
            uint64_t nt = pt_table_alloc(pt);
            if (!nt) {
                map_leaf_undo(pt, va, va + size - 1);
                return -ENOMEM;
            }
            *e = nt | PTE_TABLE;
            table_count(tbl, +1);
        } else if (*e & PTE_PS) {
            return -EEXIST;             /* so nothing was made above */
        }
        tbl = *e & PTE_ADDR;
    }
    uint64_t *e = &table_of(tbl)[level_index(va, level)];
    if (*e & PTE_P)
        return -EEXIST;
    *e = pa | pte_flags_of(flags) | (level > 0 ? PTE_PS : 0);
    table_count(tbl, +1);
    pt->mapped[level]++;
    return 0;
}

/* Unmap or protect [va, va+len) (the shared body of the two). */
static int range_change(struct pt_op *op, uint64_t va, uint64_t len)
{
    uint64_t last;
    int err = range_check(op->pt, va, len, &last);
    if (err)
        return err < 0 ? err : 0;
    err = op_walk(op, va, last);
    batch_flush(&op->tlb);
    return err;
}

int pt_range_unmap(struct pt *pt, uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg)
{
    struct pt_op op;
    op_init(&op, OP_UNMAP, pt, fn, arg);
    return range_change(&op, va, len);
}

int pt_range_protect(struct pt *pt, uint64_t va, uint64_t len, uint32_t flags)
{
    struct pt_op op;
    op_init(&op, OP_PROTECT, pt, NULL, NULL);
    op.bits = pte_flags_of(flags & ~(uint32_t)PT_SOFT_MASK);
    return range_change(&op, va, len);
}

int pt_page_replace(struct pt *pt, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *old_pa)
{
    uint64_t last;
    if (!IS_ALIGNED(pa, PAGE_SIZE) || pa >= pt_phys_limit() || range_check(pt, va, PAGE_SIZE, &last))
        return -EINVAL;
    int level;
    uint64_t *e = entry_of(pt, va, &level);
    if (!(*e & PTE_P) || level != 0)
        return -ENOENT;
    *old_pa = leaf_addr(*e, 0);
    *e = pa | pte_flags_of(flags);
    /* Invalidated before returning, so the caller may free the old frame:
     * a one-page batch with nothing to free. */
    struct tlb_batch b;
    batch_init(&b, pt, NULL, NULL);
    batch_invalidate(&b, va);
    batch_flush(&b);
    return 0;
}

#ifdef HOST_TEST
const struct pt *host_loaded_pt;
void pt_switch(const struct pt *pt) { host_loaded_pt = pt; }
bool pt_is_loaded(const struct pt *pt) { return host_loaded_pt == pt; }
#else
void pt_switch(const struct pt *pt)
{
    write_cr3(pt->root);
}

bool pt_is_loaded(const struct pt *pt)
{
    return (read_cr3() & PTE_ADDR) == pt->root;
}
#endif
