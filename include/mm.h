/*
 * Physical memory basics. The kernel identity-maps physical memory, so a
 * physical address is also the kernel's pointer to it. Host unit tests
 * (HOST_TEST) simulate physical memory in a buffer: phys_to_virt then adds
 * that buffer's base, and the same code runs unchanged.
 */
#ifndef STRATA_MM_H
#define STRATA_MM_H

#include <compiler.h>

#define PAGE_SIZE       ((uint64_t)4096)
#define PAGE_SHIFT      12
#define PAGE_MASK       (PAGE_SIZE - 1)

#ifdef HOST_TEST
extern uint8_t *host_phys_base;     /* simulated physical address 0 */
static inline void *phys_to_virt(uint64_t pa) { return host_phys_base + pa; }
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)((const uint8_t *)p - host_phys_base); }
#else
static inline void *phys_to_virt(uint64_t pa) { return (void *)pa; }
static inline uint64_t virt_to_phys(const void *p) { return (uint64_t)p; }
#endif

#endif
