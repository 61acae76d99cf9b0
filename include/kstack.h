/*
 * Kernel stacks with guard pages, in the kernel window (include/pt.h).
 *
 * Every kernel thread's stack (but the boot thread's) lives in a slot of
 * the kernel window: an unmapped guard page, then the stack, mapped with
 * 4 KiB pages. The window is shared by every page-table tree, so every
 * stack is visible in every address space. Running off the bottom of a
 * stack touches the guard page: the page fault cannot be delivered on that
 * stack either, the CPU raises a double fault, whose handler runs on its
 * own IST stack and reports the overflow (aspace/fault.c).
 */
#ifndef STRATA_KSTACK_H
#define STRATA_KSTACK_H

#include <mm.h>

#define KSTACK_GUARD    PAGE_SIZE       /* unmapped bytes below each stack */

/* Create the window. Before any address space exists (aspace_init).
 * 0 or -ENOMEM. */
int kstack_init(void);

/* A stack of size bytes (a multiple of PAGE_SIZE) with a guard page below:
 * *base = its lowest byte. owner names it in reports and is kept as a
 * pointer (it must live as long as the stack). 0, or -ENOMEM with nothing
 * left behind. */
int kstack_alloc(uint64_t size, const char *owner, uint8_t **base);

/* Give back a stack from kstack_alloc (its frames, its slot). Panics if
 * base is not one. Never while running on it. */
void kstack_free(uint8_t *base);

/* Is va in the guard page of a kernel stack? Then its owner, and the
 * stack's bounds in [*lo, *hi) (either pointer may be NULL); else NULL. */
const char *kstack_guard_owner(uint64_t va, uint64_t *lo, uint64_t *hi);

#endif
