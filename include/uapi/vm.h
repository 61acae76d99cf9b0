/*
 * Describing and copying an address space from user code (JOS's fork in
 * user space, docs/fork.md), shared by the kernel and user programs.
 *
 * Strata's region map is the truth about an address space, and its page
 * tables only a cache of it, so instead of JOS's read-only map of the page
 * tables (uvpt) a program asks: SYS_VM_REGION for the regions (what may
 * exist and how a missing page is filled), SYS_VM_PAGES for the state of
 * the pages that exist.
 */
#ifndef STRATA_UAPI_VM_H
#define STRATA_UAPI_VM_H

#include <stdint.h>

/* struct vm_region.flags */
#define VM_READ     0x001       /* always set */
#define VM_WRITE    0x002
#define VM_EXEC     0x004
#define VM_PINNED   0x008       /* cannot be unmapped or copied (the envs view) */
#define VM_KERNEL   0x010       /* the kernel's (not accessible) */
#define VM_ANON     0x040       /* a missing page is a fresh zeroed page */
#define VM_FILE     0x080       /* a missing page is read from a file */

struct vm_region {
    uint64_t start;             /* first address */
    uint64_t end;               /* first address after it */
    uint32_t flags;             /* VM_* */
    uint32_t pad;
};

/* SYS_VM_PAGES: per page, the JOS perm bits of a page that exists (PTE_P,
 * PTE_U, PTE_W, the PTE_AVAIL bits: PTE_COW...), VM_PAGE_LAZY for a page a
 * region covers that does not exist yet (it will be filled on first
 * touch), 0 where no region is. At most VM_PAGES_MAX pages a call. */
#define VM_PAGE_LAZY    0x10000
#define VM_PAGES_MAX    512

/* SYS_VM_COPY modes */
#define VM_COPY_COW     0       /* pages that exist become copy-on-write in both */
#define VM_COPY_SHARE   1       /* the same pages, shared for writing (sfork) */

/* SYS_BATCH: run calls in order in one kernel entry; each result goes to
 * its request; the batch stops after the first negative result. Returns
 * how many ran (the last may have failed: see its result). Not allowed
 * inside (they fail with -EINVAL): exit, sigreturn, env_alloc, batch. */
struct sysreq {
    uint64_t nr;
    uint64_t args[5];
    int64_t result;
};
#define SYSCALL_BATCH_MAX  64

#endif
