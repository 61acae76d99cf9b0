/* Memory system calls: map and unmap anonymous memory. */
#include <syscall.h>
#include <proc.h>
#include <aspace.h>
#include <mm.h>
#include <usercopy.h>
#include <uapi/syscall.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

#define MAP_MAX_LEN GiB(64)     /* one mapping, at most */

long sys_map(struct trap_frame *tf, uint64_t hint, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    if (len == 0 || len > MAP_MAX_LEN || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
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
    }
    struct region r = {
        .va_start = va, .len = len,
        .flags = REGION_READ | REGION_ANON | ((prot & PROT_WRITE) ? REGION_WRITE : 0) |
                 ((prot & PROT_EXEC) ? REGION_EXEC : 0),
    };
    int err = aspace_region_add(p->as, &r);
    return err ? err : (long)va;
}

long sys_unmap(struct trap_frame *tf, uint64_t va, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    struct region r;
    if (!user_range_ok(va, 1) || !IS_ALIGNED(va, PAGE_SIZE) || len == 0 || len > MAP_MAX_LEN)
        return -EINVAL;
    if (aspace_region_query(p->as, va, &r) < 0 || r.va_start != va)
        return -ENOENT;
    if (r.len != ALIGN_UP(len, PAGE_SIZE) || (r.flags & REGION_KERN))
        return -EINVAL;     /* only a whole mapping */
    return aspace_region_remove(p->as, va);
}
