/*
 * Kernel heap: kmalloc/kfree of any size.
 *
 * Small sizes come from power-of-two size classes (16 .. 2048 bytes) carved
 * out of single frames; each object is naturally aligned to its class size.
 * Larger sizes take whole, physically contiguous frames (page aligned).
 * Memory is identity-mapped, so a heap pointer is also its physical address.
 * Out of memory returns NULL; nothing is corrupted.
 */
#ifndef STRATA_HEAP_H
#define STRATA_HEAP_H

#include <compiler.h>

void *kmalloc(size_t size);
void *kzalloc(size_t size);                       /* zeroed */
/* align must be a power of two <= 4096; NULL otherwise or when out of memory. */
void *kmalloc_aligned(size_t size, size_t align);
/* NULL is ignored. Freeing something that is not a live heap object (a
 * pointer into an object, a freed object, memory that is not the heap's)
 * panics naming it. */
void kfree(void *p);

struct heap_stats {
    uint64_t bytes_in_use;      /* sum of class/page sizes handed out */
    uint64_t objects_in_use;
    uint64_t slab_pages;        /* frames holding small objects */
    uint64_t large_pages;       /* frames holding large objects */
    uint64_t allocs, frees, failures;
};

void heap_stats(struct heap_stats *st);

#endif
