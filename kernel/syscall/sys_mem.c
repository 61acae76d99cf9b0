/*
 * Memory system calls: map and unmap anonymous memory.
 *
 * A process holds at most PROC_MAX_REGIONS user regions (each costs kernel
 * heap in the region map): map() beyond that is -ELIMIT. The reserved
 * pages below the stack (the information page, the exception stack and
 * the stack's guard page, docs/user-layout.md) are the kernel's to map:
 * map() over any of them is -EPERM.
 */
#include <syscall.h>
#include <proc.h>
#include <aspace.h>
#include <mm.h>
#include <usercopy.h>
#include <uapi/syscall.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

#define MAP_MAX_LEN GiB(64)     /* one mapping, at most */

/* [USER_RESERVED_START, USER_RESERVED_END): pages no map() may cover. */
#define USER_RESERVED_START     USER_INFO_PAGE
#define USER_RESERVED_END       USER_STACK_BOTTOM

long sys_map(struct trap_frame *tf, uint64_t hint, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    if (len == 0 || len > MAP_MAX_LEN || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    if (p->nregions >= PROC_MAX_REGIONS)
        return -ELIMIT;
    len = ALIGN_UP(len, PAGE_SIZE);
    uint64_t va = hint;
    if (va == 0) {
        int err = aspace_find_gap(p->as, USER_MMAP_BASE, USER_MMAP_END, len, &va);
        if (err)
            return err;
    } else if (!IS_ALIGNED(va, PAGE_SIZE)) {
        return -EINVAL;
    } else if (va < USER_LOAD_MIN || !user_range_ok(va, len)) {
        return -EFAULT;
    } else if (va < USER_RESERVED_END && va + len > USER_RESERVED_START) {
        return -EPERM;
    }
    struct region r = {
        .va_start = va, .len = len,
        .flags = REGION_READ | REGION_ANON | ((prot & PROT_WRITE) ? REGION_WRITE : 0) |
                 ((prot & PROT_EXEC) ? REGION_EXEC : 0),
    };
    int err = aspace_region_add(p->as, &r);
    if (err)
        return err;
    p->nregions++;
    return (long)va;
}

long sys_unmap(struct trap_frame *tf, uint64_t va, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    struct region r;
    if (!user_range_ok(va, 1) || !IS_ALIGNED(va, PAGE_SIZE) || len == 0 || len > MAP_MAX_LEN)
        return -EINVAL;
    if (aspace_region_query(p->as, va, REGION_QUERY_AT, &r) < 0 || r.va_start != va)
        return -ENOENT;
    if (r.len != ALIGN_UP(len, PAGE_SIZE) || (r.flags & REGION_KERN))
        return -EINVAL;     /* only a whole mapping */
    int err = aspace_region_remove(p->as, va);
    if (err)
        return err;
    p->nregions--;
    return 0;
}
