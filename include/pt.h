/*
 * x86-64 4-level page tables behind a narrow range interface (after
 * Zircon's ArchVmAspaceInterface): map, unmap, protect and query a range,
 * and switch. Callers never touch entries, and never invalidate the TLB:
 * every operation that changes a present entry invalidates what it changed
 * before returning (invlpg per page up to PT_INVLPG_MAX pages, else one
 * CR3 reload), when this tree is the one loaded on the CPU.
 *
 * Page-table pages come from the frame allocator; each one's count of
 * present entries is kept in its struct frame (pt_used), so a table that
 * becomes empty is freed at once, without scanning it.
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
    uint64_t table_pages;       /* including the PML4 */
    uint64_t mapped[3];         /* leaf entries of 4 KiB, 2 MiB, 1 GiB */
    uint64_t invlpgs;           /* statistics: single-page invalidations */
    uint64_t full_flushes;      /* statistics: CR3 reloads */
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
 * mapped is left behind. */
int pt_range_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t len,
                 uint32_t flags, uint32_t sizes);

/* Called for every leaf piece that an unmap removes. */
typedef void (*pt_unmap_fn)(uint64_t va, uint64_t pa, uint64_t size, void *arg);

/* Unmap everything inside [va, va+len) (holes are fine), calling fn (if not
 * NULL) per removed piece. A large page only partly inside is split first.
 * Returns 0, or -ENOMEM if a split could not get a table page: then the
 * part before the failing page is unmapped and the rest is untouched. */
int pt_range_unmap(struct pt *pt, uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg);

/* Set the protection of every present page in [va, va+len) to flags
 * (splitting large pages that are partly inside). Each entry keeps its
 * software bits (flags' own are ignored), and one with PT_SOFT_COW stays
 * read-only. Same failure rule. */
int pt_range_protect(struct pt *pt, uint64_t va, uint64_t len, uint32_t flags);

/* Replace the present 4 KiB leaf at va by one mapping pa with flags, in
 * place (the tables stay, so this cannot fail for lack of memory), and
 * invalidate the old translation. 0 and *old_pa = the frame it mapped, or
 * -ENOENT if va has no 4 KiB leaf (nothing changes). */
int pt_page_replace(struct pt *pt, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *old_pa);

/* The first present leaf at or after va and below end (exclusive; va and
 * end on the same side of the non-canonical hole): true and its start,
 * physical address, flags and size; false if there is none. Absent
 * subtrees are skipped whole, so an untouched range costs a few walks. */
bool pt_next_present(const struct pt *pt, uint64_t va, uint64_t end, uint64_t *leaf_va,
                     uint64_t *pa, uint32_t *flags, uint64_t *size);

/* Translate va: true and the physical address, flags and leaf size if
 * mapped, false otherwise. */
bool pt_query(const struct pt *pt, uint64_t va, uint64_t *pa, uint32_t *flags, uint64_t *size);

/* Load this tree on the CPU (CR3). */
void pt_switch(const struct pt *pt);
bool pt_is_loaded(const struct pt *pt);

#endif
