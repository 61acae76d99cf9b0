/*
 * What the files of the x86-64 page-table layer share (pt.c: table pages,
 * an operation's deferred work, the walker and the operations that change
 * a tree; pt_query.c: the read-only queries of a tree; pt_window.c: the
 * shared windows). Not for code outside arch/x86_64/mmu/: the contract is
 * include/pt.h, the invariants are in pt.c's opening comment.
 *
 * Everything here that runs per entry (the level helpers, entry_of,
 * flags_of_pte) is static inline, so that splitting the layer into files
 * put no call on a per-entry path.
 */
#ifndef STRATA_PT_INTERNAL_H
#define STRATA_PT_INTERNAL_H

#include <pt.h>
#include <frame.h>
#include <uapi/errno.h>

#define PTE_P       (1ull << 0)
#define PTE_W       (1ull << 1)
#define PTE_U       (1ull << 2)
#define PTE_PWT     (1ull << 3)
#define PTE_PCD     (1ull << 4)
#define PTE_A       (1ull << 5)
#define PTE_D       (1ull << 6)
#define PTE_PS      (1ull << 7)
#define PTE_SOFT    (0x7ull << 9)       /* available to software: PT_SOFT_* */
#define PTE_SOFT_COW (1ull << 11)
#define PTE_NX      (1ull << 63)
#define PTE_ADDR    0x000FFFFFFFFFF000ull
#define PTE_TABLE   (PTE_P | PTE_W | PTE_U)

#define LEVELS      4
#define ENTRIES     512

static inline unsigned level_shift(int level) { return PAGE_SHIFT + 9 * level; }
static inline uint64_t level_size(int level) { return 1ull << level_shift(level); }
static inline unsigned level_index(uint64_t va, int level) { return (va >> level_shift(level)) & 511; }
static inline bool pte_is_leaf(uint64_t e, int level) { return level == 0 || (e & PTE_PS); }

static inline uint64_t *table_of(uint64_t pa) { return phys_to_virt(pa); }

/* Address bits of a leaf of this level (large leaves have PAT at bit 12). */
static inline uint64_t leaf_addr(uint64_t e, int level)
{
    return e & PTE_ADDR & ~(level_size(level) - 1);
}

/* The flags (PT_*) of a leaf entry: the inverse of pt.c's pte_flags_of. */
static inline uint32_t flags_of_pte(uint64_t e)
{
    uint32_t f = 0;
    if (e & PTE_W)
        f |= PT_WRITE;
    if (e & PTE_U)
        f |= PT_USER;
    if (!(e & PTE_NX))
        f |= PT_EXEC;
    if (e & PTE_PCD)
        f |= PT_UNCACHED;
    f |= (uint32_t)(e & PTE_SOFT);
    return f;
}

/* The entry that translates va in pt's tree (outside the kernel window)
 * and its level: the first absent entry or the leaf on the way down. */
static inline uint64_t *entry_of(const struct pt *pt, uint64_t va, int *level)
{
    uint64_t tbl = pt->root;
    for (int l = LEVELS - 1;; l--) {
        uint64_t *e = &table_of(tbl)[level_index(va, l)];
        if (!(*e & PTE_P) || pte_is_leaf(*e, l)) {
            *level = l;
            return e;
        }
        tbl = *e & PTE_ADDR;
    }
}

static inline bool va_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Validate [va, va+len): page aligned, no wrap, both ends canonical and on
 * the same side of the non-canonical hole. 0, 1 for an empty range
 * (nothing to do), or -EINVAL; *last = the range's last byte (inclusive, so
 * a range may end at the top of memory). */
static inline int range_check_va(uint64_t va, uint64_t len, uint64_t *last)
{
    if (!IS_ALIGNED(va | len, PAGE_SIZE))
        return -EINVAL;
    if (len == 0)
        return 1;
    *last = va + len - 1;
    if (*last < va || !va_canonical(va) || !va_canonical(*last) || (va >> 63) != (*last >> 63))
        return -EINVAL;
    return 0;
}

/* ---- the shared windows (pt_window.c) ---- */

/* The shared windows: one PML4 slot each, whose subtree is a tree of its
 * own with the PDPT as its root (0 until the window's init), linked at
 * that slot by every PML4. */
enum { WIN_KMAP, WIN_KSTACKS, NWINDOWS };
extern struct pt pt_windows[NWINDOWS];     /* pt_window.c */
#define KWIN_SLOT   ((PT_KWIN_BASE >> 39) & 511)
#define KWIN_LAST   (PT_KWIN_BASE + PT_KWIN_SIZE - 1)
#define KMAP_SLOT   ((PT_KMAP_BASE >> 39) & 511)
#define SLOT_SIZE   (1ull << 39)

static const unsigned window_slot[NWINDOWS] = { [WIN_KMAP] = KMAP_SLOT, [WIN_KSTACKS] = KWIN_SLOT };

static inline bool pt_is_window(const struct pt *pt)
{
    return pt >= pt_windows && pt < pt_windows + NWINDOWS;
}

/* Does [va, last] (one side of the hole) touch window w (if it exists)?
 * The windows are in the low half. */
static inline bool range_hits(int w, uint64_t va, uint64_t last)
{
    return pt_windows[w].root && !(va >> 63) && (va >> 39) <= window_slot[w] &&
           (last >> 39) >= window_slot[w];
}

/* ---- table pages (pt.c) ---- */

/* A zeroed table page for pt, counted in pt->table_pages (from its reserve
 * if it has one); 0 if there is no memory. */
uint64_t pt_table_alloc(struct pt *pt);

#endif
