/*
 * The kernel map: the regions that make the kernel reachable in an address
 * space (aspace/kmap.c). Every address space a kernel thread may run in
 * needs them, because the kernel runs identity-mapped in the low half.
 *
 * The map is W^X and leaves page 0 out. It is cut into segments at the
 * page-aligned section boundaries of the linker script
 * (arch/x86_64/linker.ld), lowest first, with no gap between them:
 *
 *   [0, 4 KiB)                    not mapped: a kernel NULL dereference faults
 *   [4 KiB, kernel text)          low memory (VGA text buffer, BIOS)   rw-
 *   kernel text                   .text (incl. the boot code)          r-x
 *   kernel rodata                 .rodata                              r--
 *   kernel data                   .data and .bss                       rw-
 *   kernel symbols                .ksyms                               r--
 *   [kernel end, kmap_size())     every other frame and MMIO (heap,
 *                                 page tables, local APIC)             rw-
 *
 * Only the text is executable, and nothing executable is writable.
 *
 * The page tables of the map are built once, at boot (kmap_init), in the
 * shared kernel-map window of the page-table layer (pt.h: PML4 slot 0,
 * linked by every tree): no address space maps or unmaps the kernel on
 * creation or destruction, and none can free its tables. The `paging`
 * address spaces still describe it in their region maps as pinned,
 * kernel-only regions (kmap_add), views of the shared tables; the `base`
 * boot address space just links them (aspace/base.c).
 */
#ifndef STRATA_KMAP_H
#define STRATA_KMAP_H

#include <compiler.h>

struct aspace;

/* Bytes covered by the kernel's identity map: all RAM, and at least 4 GiB
 * so that the local APIC and other MMIO below 4 GiB are reachable. */
uint64_t kmap_size(void);

/* One piece of the kernel map: identity-mapped [start, end) (page aligned)
 * with protection prot, a combination of REGION_WRITE and REGION_EXEC
 * (reading is always allowed). */
struct kmap_segment {
    const char *name;
    uint64_t start, end;
    uint32_t prot;
};

#define KMAP_SEGMENTS 6

/* Fill out[] with the segments in address order, from 4 KiB to
 * kmap_size(), computed from the linker's symbols. A layout that breaks
 * the rules above (gap, overlap, W+X, executable data) panics. */
void kmap_segments(struct kmap_segment out[KMAP_SEGMENTS]);

/* Build the shared page tables of the map (once, before any address space
 * is created). Panics if it cannot (no memory at boot, or more than the
 * window's 512 GiB to map). */
void kmap_init(void);

/* Add the kernel map to as: one eager, pinned, kernel-only region per
 * segment (the implementation links the shared tables rather than mapping
 * them). Returns 0 or the error of aspace_region_add (regions already
 * added stay: the caller destroys as). */
int kmap_add(struct aspace *as);

/* Is r (identity-mapped, kernel-only) inside one segment, with that
 * segment's protection: a view an address space may keep of the shared
 * map? */
struct region;
bool kmap_covers(const struct region *r);

/* Check the shared map: its table pages are intact (pt_shared_check) and
 * every segment translates as laid out above (each 4 KiB page of the
 * segments around the image, each leaf of the rest). The number of checks,
 * or -EIO after a report of the first failure. */
long kmap_check(void);

#endif
