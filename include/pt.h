/*
 * x86-64 4-level page tables behind a narrow range interface (after
 * Zircon's ArchVmAspaceInterface): map, unmap, protect and query a range,
 * and switch. Callers never touch entries, and never invalidate the TLB:
 * every operation that changes or removes a present entry invalidates what
 * it changed before returning (invlpg per page up to PT_INVLPG_MAX pages,
 * else one CR3 reload), when this tree is the one loaded on the CPU.
 *
 * Nothing an operation unlinks is freed before that invalidation: a table
 * page that becomes empty, and the frames of unmapped pieces (the unmap
 * callback runs after the flush that covers its piece), so the CPU can
 * never walk or translate through a page that has been handed out again.
 * Each range operation walks the tree once, skipping absent subtrees whole.
 *
 * Page-table pages come from the frame allocator; each one's count of
 * present entries is kept in its struct frame (pt_used), so a table that
 * becomes empty is found without scanning it.
 *
 * Intermediate entries are always present+writable+user: only leaf entries
 * carry the protection, so one leaf change is enough to change access.
 */
#ifndef STRATA_PT_H
#define STRATA_PT_H

#include <mm.h>

enum pt_flags {
    PT_WRITE    = 1u << 0,
    PT_EXEC     = 1u << 1,
    PT_USER     = 1u << 2,
    PT_UNCACHED = 1u << 3,      /* MMIO */
    /* Software bits for the owner, kept in the entry's available bits 9-11
     * (same positions): the hardware ignores them. An entry with
     * PT_SOFT_COW set never gets write access from pt_range_protect. */
    PT_SOFT0    = 1u << 9,
    PT_SOFT1    = 1u << 10,
    PT_SOFT_COW = 1u << 11,
    PT_SOFT_MASK = PT_SOFT0 | PT_SOFT1 | PT_SOFT_COW,
};

enum pt_sizes {
    PT_SIZE_4K = 1u << 0,
    PT_SIZE_2M = 1u << 1,
    PT_SIZE_1G = 1u << 2,
    PT_SIZE_ALL = PT_SIZE_4K | PT_SIZE_2M | PT_SIZE_1G,
};

/* Beyond this many pages, one CR3 reload is cheaper than invlpg each. */
#define PT_INVLPG_MAX   32

struct pt {
    uint64_t root;              /* physical address of the PML4 */
    uint64_t table_pages;       /* including the PML4, not the shared
                                   windows' (pt_kwin, pt_kmap) */
    uint64_t mapped[3];         /* leaf entries of 4 KiB, 2 MiB, 1 GiB */
    uint64_t invlpgs;           /* statistics: single-page invalidations */
    uint64_t full_flushes;      /* statistics: CR3 reloads */
    uint64_t reserve;           /* pages set aside by pt_reserve (a list) */
    uint64_t reserved;          /* how many */
};

/* Page sizes the CPU supports (4K and 2M always; 1G if CPUID says so). */
uint32_t pt_sizes_supported(void);
/* Whether leaf entries can carry NX (EFER.NXE was enabled at boot). */
bool pt_nx_enabled(void);
/* First physical address the CPU cannot address (CPUID 0x80000008): an
 * entry pointing at or above it has reserved bits set. */
uint64_t pt_phys_limit(void);

/* Allocate an empty tree. 0 or -ENOMEM. */
int pt_create(struct pt *pt);

/* Free every table page. Leaf frames are not touched: unmap owned frames
 * first. The tree must not be loaded. */
void pt_destroy(struct pt *pt);

/* Every range below must be 4 KiB aligned, non-empty, must not wrap and
 * must have canonical ends on one side of the non-canonical hole (it may
 * end at the very top of memory); otherwise the call returns -EINVAL and
 * changes nothing. An empty range (len 0) does nothing and returns 0. */

/* Map [va, va+len) to [pa, pa+len) with flags, using the largest page size
 * in `sizes` that va, pa and the remaining length allow. Returns 0;
 * -EEXIST if part of the range is already mapped; -ENOMEM; -EINVAL (also
 * for a pa beyond what an entry can hold). On failure nothing this call
 * mapped or created is left behind (tables it made are unlinked, with an
 * invalidation if the tree is loaded, and freed). */
int pt_range_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t len,
                 uint32_t flags, uint32_t sizes);

/* Map one leaf: [va, va+size) to pa, size 4 KiB, 2 MiB or 1 GiB (a size
 * the CPU supports), va and pa aligned to it: pt_range_map for exactly one
 * page, with a shorter path (the page-fault fill). Same results and the
 * same failure rule. */
int pt_map_leaf(struct pt *pt, uint64_t va, uint64_t pa, uint64_t size, uint32_t flags);

/* A leaf an unmap removed: [va, va+size) was mapped to pa. */
struct pt_piece {
    uint64_t va, pa, size;
};

/* At most this many pieces reach an unmap callback at once. */
#define PT_PIECES_MAX   64

/* Called with the leaf pieces an unmap removed, n (1..PT_PIECES_MAX) at a
 * time, in increasing address order, after the TLB invalidation that
 * covers them: fn may free the frames. */
typedef void (*pt_unmap_fn)(const struct pt_piece *pieces, size_t n, void *arg);

/* Unmap everything inside [va, va+len) (holes are fine), handing every
 * removed piece to fn (if not NULL). A large page only partly inside is split first.
 * Tables that become empty are unlinked and freed. Returns 0, or -ENOMEM
 * if a split could not get a table page: then the part before the large
 * page that could not be split is unmapped (fn was called for it) and the
 * rest keeps its translation (a 1 GiB page around the failing 2 MiB one
 * may have become 512 x 2 MiB pages that translate the same). */
int pt_range_unmap(struct pt *pt, uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg);

/* Set the protection of every present page in [va, va+len) to flags
 * (splitting large pages that are partly inside). Each entry keeps its
 * software bits (flags' own are ignored), and one with PT_SOFT_COW stays
 * read-only. Same failure rule: on -ENOMEM the part before the large page
 * that could not be split has the new protection, the rest the old. */
int pt_range_protect(struct pt *pt, uint64_t va, uint64_t len, uint32_t flags);

/* Replace the present 4 KiB leaf at va by one mapping pa with flags, in
 * place (the tables stay, so this cannot fail for lack of memory), and
 * invalidate the old translation before returning (the caller may free the
 * old frame at once). 0 and *old_pa = the frame it mapped, or -ENOENT if
 * va has no 4 KiB leaf (nothing changes); -EINVAL for an unaligned,
 * non-canonical or kernel-window va. */
int pt_page_replace(struct pt *pt, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *old_pa);

/* The first present leaf at or after va and below end (exclusive; va and
 * end on the same side of the non-canonical hole): true and its start,
 * physical address, flags and size; false if there is none. Absent
 * subtrees are skipped whole, so an untouched range costs a few walks. */
bool pt_next_present(const struct pt *pt, uint64_t va, uint64_t end, uint64_t *leaf_va,
                     uint64_t *pa, uint32_t *flags, uint64_t *size);

/* What the tree holds for a range (a read-only walk, for pictures). */
struct pt_range_stats {
    uint64_t tables[4];         /* table pages the range's walk goes through,
                                   by level: [3] the PML4 (1), [2] PDPTs, [1]
                                   PDs, [0] PTs (shared windows' included) */
    uint64_t leaves[3];         /* present leaves of 4 KiB, 2 MiB, 1 GiB that
                                   lie in the range or overlap it */
};

/* Count into *st what [va, va+len) touches in the tree, without changing
 * anything; absent subtrees are skipped whole. 0 (an empty range: all
 * zero), or -EINVAL (the range rules above; *st zeroed). */
int pt_range_stats(const struct pt *pt, uint64_t va, uint64_t len, struct pt_range_stats *st);

/* The most table pages a pt_range_map of this range could need (as if
 * the tree were empty). */
uint64_t pt_map_tables_max(uint64_t va, uint64_t pa, uint64_t len, uint32_t sizes);

/* Set aside `tables` zeroed pages that the tree's next operations use for
 * new tables before asking the frame allocator: a map that fits in the
 * reserve cannot fail with -ENOMEM. 0, or -ENOMEM with nothing set aside.
 * pt_reserve_release() gives back what was not used (pt_destroy does too). */
int pt_reserve(struct pt *pt, uint64_t tables);
void pt_reserve_release(struct pt *pt);

/* Translate va: true and the physical address, flags and leaf size if
 * mapped, false otherwise. */
bool pt_query(const struct pt *pt, uint64_t va, uint64_t *pa, uint32_t *flags, uint64_t *size);

/* ---- the kernel window ----
 * One PML4 slot, far above the identity map, whose subtree (a PDPT and what
 * hangs below it) is shared by every tree: what is mapped there (kernel
 * stacks, with unmapped guard pages between them) is visible in every
 * address space, so the scheduler may switch CR3 while still on the old
 * thread's stack. pt_create links the shared PDPT into each new root,
 * pt_destroy leaves it alone, and a tree's range operations refuse ranges
 * that touch the window (-EINVAL): only the pt_kwin_* calls change it, and
 * they invalidate on this CPU whatever tree is loaded. */
#define PT_KWIN_BASE    0x0000400000000000ull      /* PML4 slot 128: 64 TiB */
#define PT_KWIN_SIZE    GiB(512)

/* Make the shared subtree: once, before the trees that must see it are
 * created (trees made earlier lack it). 0 or -ENOMEM. */
int pt_kwin_init(void);
/* Map [va, va+len), inside the window, to pa with 4 KiB pages (flags must
 * not have PT_USER). As pt_range_map; -EINVAL outside the window. */
int pt_kwin_map(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags);
/* Unmap inside the window. As pt_range_unmap. */
int pt_kwin_unmap(uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg);
/* Translate a window address (false if not mapped, or no window). */
bool pt_kwin_query(uint64_t va, uint64_t *pa, uint32_t *flags);
/* The window's own counters (table_pages includes its PDPT). */
const struct pt *pt_kwin(void);

/* ---- the kernel map's window ----
 * The same mechanism for PML4 slot 0, the kernel half: the identity map
 * of the kernel (include/kmap.h: W^X, page 0 out) is built once, by
 * pt_kmap_map calls at boot, in a PDPT (and tables below it) that every
 * tree created afterwards links at slot 0, as Linux shares its kernel half
 * between page directories. Creating or destroying an address space costs
 * one entry for it, whatever the map's pages; pt_destroy never frees the
 * shared tables; a tree's range operations refuse [0, 512 GiB) (-EINVAL).
 * The map is never changed after boot, so no tree ever needs an
 * invalidation for it. */
#define PT_KMAP_BASE    0ull
#define PT_KMAP_SIZE    GiB(512)

/* Make the shared PDPT: once, before any tree (trees made earlier lack
 * it). 0 or -ENOMEM. */
int pt_kmap_init(void);
/* Map [va, va+len) inside the window to pa with flags (no PT_USER) and the
 * largest pages that fit. As pt_range_map; -EINVAL outside the window. */
int pt_kmap_map(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags);
/* Translate an address of the window (false if not mapped, or no window). */
bool pt_kmap_query(uint64_t va, uint64_t *pa, uint32_t *flags);
/* The window's own counters (table_pages includes its PDPT). */
const struct pt *pt_kmap(void);

/* Does [va, va+len) (a valid range) touch the kernel map's window, which
 * no tree may change? */
bool pt_range_in_kmap(uint64_t va, uint64_t len);

/* Self-check of the shared windows: every table page reachable from them
 * is still a page-table frame with one reference and the right entry
 * count, and each window counts them right. The number of shared table
 * pages, or -EIO (after a report) if one was freed or handed out again. */
long pt_shared_check(void);

/* Load this tree on the CPU (CR3). */
void pt_switch(const struct pt *pt);
bool pt_is_loaded(const struct pt *pt);

#endif
