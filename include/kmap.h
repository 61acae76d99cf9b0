/*
 * The kernel map: the regions that make the kernel reachable in an address
 * space (aspace/kmap.c). Every address space a kernel thread may run in
 * needs them, because the kernel runs identity-mapped in the low half.
 */
#ifndef STRATA_KMAP_H
#define STRATA_KMAP_H

#include <compiler.h>

struct aspace;

/* Bytes covered by the kernel's identity map: all RAM, and at least 4 GiB
 * so that the local APIC and other MMIO below 4 GiB are reachable. */
uint64_t kmap_size(void);

/* Add the kernel map to as: eager, pinned, kernel-only regions. Returns 0
 * or the error of aspace_region_add (regions already added stay: the
 * caller destroys as). */
int kmap_add(struct aspace *as);

#endif
