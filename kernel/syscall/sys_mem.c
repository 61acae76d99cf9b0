/*
 * Memory system calls: map anonymous memory or a private copy of a file,
 * and unmap either.
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
#include <file.h>
#include <uapi/syscall.h>
#include <uapi/layout.h>
#include <uapi/errno.h>
#include <uapi/fs.h>

#define MAP_MAX_LEN GiB(64)     /* one mapping, at most */

/* [USER_RESERVED_START, USER_RESERVED_END): pages no map() may cover. */
#define USER_RESERVED_START     USER_INFO_PAGE
#define USER_RESERVED_END       USER_STACK_BOTTOM

/* Choose where a new mapping of len bytes goes (hint 0: the kernel picks
 * a gap) and check the place. 0 and *va, or a negative error. (User
 * addresses are in the upper half: as a long they are negative, so they
 * never share a return value with errors.) */
static int map_place(struct process *p, uint64_t hint, uint64_t len, uint64_t *va)
{
    if (p->nregions >= PROC_MAX_REGIONS)
        return -ELIMIT;
    if (hint == 0)
        return aspace_find_gap(p->as, USER_MMAP_BASE, USER_MMAP_END, len, va);
    if (!IS_ALIGNED(hint, PAGE_SIZE))
        return -EINVAL;
    if (hint < USER_LOAD_MIN || !user_range_ok(hint, len))
        return -EFAULT;
    if (hint < USER_RESERVED_END && hint + len > USER_RESERVED_START)
        return -EPERM;
    *va = hint;
    return 0;
}

static uint32_t map_prot_flags(uint64_t prot)
{
    return REGION_READ | ((prot & PROT_WRITE) ? REGION_WRITE : 0) |
           ((prot & PROT_EXEC) ? REGION_EXEC : 0);
}

/* Add r at a place map_place chose; count it. The address, or an error. */
static long map_add(struct process *p, struct region *r)
{
    int err = aspace_region_add(p->as, r);
    if (err)
        return err;
    p->nregions++;
    return (long)r->va_start;
}

long sys_map(struct trap_frame *tf, uint64_t hint, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
    struct process *p = process_current();
    if (len == 0 || len > MAP_MAX_LEN || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)))
        return -EINVAL;
    len = ALIGN_UP(len, PAGE_SIZE);
    uint64_t va;
    int err = map_place(p, hint, len, &va);
    if (err)
        return err;
    struct region r = {
        .va_start = va, .len = len,
        .flags = map_prot_flags(prot) | REGION_ANON,
    };
    return map_add(p, &r);
}

/*
 * A private mapping of a file (MAP_PRIVATE): the pages are the process's
 * own copies, and what it writes there never reaches the file. A /tmp
 * file is copied when it is mapped, so the mapping is a snapshot that later
 * writes to the file do not change; a read-only file (the initrd) is read
 * page by page on first touch (file_can_change, include/file.h). Bytes past
 * the file's end read as zero. The file must be open for reading and
 * support positioned reads (-ENODEV for pipes and the console).
 */
long sys_map_file(struct trap_frame *tf, uint64_t hint, uint64_t len, uint64_t prot, uint64_t fd,
                  uint64_t offset)
{
    struct process *p = process_current();
    if (len == 0 || len > MAP_MAX_LEN || (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC)) ||
        !IS_ALIGNED(offset, PAGE_SIZE) || offset > (1ull << 62))
        return -EINVAL;
    struct file *f = fd < PROC_MAX_FILES ? p->files[fd] : NULL;
    if (!f)
        return -EBADF;
    if ((f->flags & O_ACCMODE) == O_WRONLY)
        return -EACCES;
    if (!f->ops->pread)
        return -ENODEV;
    len = ALIGN_UP(len, PAGE_SIZE);
    uint64_t va;
    int err = map_place(p, hint, len, &va);
    if (err)
        return err;
    struct region r = {
        .va_start = va, .len = len,
        .flags = map_prot_flags(prot) | REGION_FILE | (file_can_change(f) ? REGION_EAGER : 0),
        .file = f, .file_offset = offset,
    };
    return map_add(p, &r);
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
