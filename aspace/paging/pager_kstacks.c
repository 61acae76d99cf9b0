/*
 * The pager of the kernel stack window region (REGION_KSTACKS), which every
 * paging address space has: the window's pages belong to the kernel stack
 * allocator (aspace/kstack.c) and are mapped in the tree all address spaces
 * share, so a fault there is never filled. It can only be a guard page (a
 * stack overflow) or a page no stack owns: the kernel's bug either way.
 */
#include "pager.h"
#include <kstack.h>
#include <uapi/errno.h>

static int kstacks_fill(const struct region *r, uint64_t va, enum pager_fill_mode mode,
                        struct pager_fill *out)
{
    return -EFAULT;
}

static const char *kstacks_explain(const struct region *r, uint64_t va)
{
    return kstack_guard_owner(va, NULL, NULL) ? "kernel stack guard page"
                                              : "kernel stack window page that no stack owns";
}

const struct pager pager_kstacks = {
    .name = "kstacks",
    .fill = kstacks_fill,
    .explain = kstacks_explain,
};
