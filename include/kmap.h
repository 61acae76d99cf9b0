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
 * Only the text is executable, and nothing executable is writable. The
 * `paging` address spaces get these as pinned, eager, kernel-only regions
 * (kmap_add); the `base` boot address space maps the same segments
 * directly (aspace/base.c).
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

/* Add the kernel map to as: one eager, pinned, kernel-only region per
 * segment. Returns 0 or the error of aspace_region_add (regions already
 * added stay: the caller destroys as). */
int kmap_add(struct aspace *as);

#endif
