/*
 * Page-granular memory between processes: the checks and transfers the
 * environment calls (IPC page transfer, and the JOS memory calls) make on
 * top of the address-space abstraction's page slots.
 *
 * Not finished: the page slots of include/aspace.h are being added. Until
 * then every page transfer is refused with -ENOSYS (IPC of values works).
 */
#include <proc.h>
#include <uapi/errno.h>

int process_page_check(struct process *p, uint64_t va, uint32_t perm)
{
    return -ENOSYS;
}

int process_page_share(struct process *from, uint64_t srcva, struct process *to,
                       uint64_t dstva, uint32_t perm)
{
    return -ENOSYS;
}
