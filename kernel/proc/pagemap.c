/*
 * Page-granular memory between processes: the checks and transfers that
 * the environment calls make (IPC page transfer here; JOS's memory calls
 * build on the same), over the address-space abstraction's page slots.
 * JOS's perm bits (uapi/pte.h) become enum page_flags here.
 */
#include <proc.h>
#include <aspace.h>
#include <frame.h>
#include <usercopy.h>
#include <string.h>
#include <mm.h>
#include <uapi/pte.h>
#include <uapi/errno.h>

_Static_assert(PTE_AVAIL == PAGE_AVAIL_MASK && PTE_COW == PAGE_COW,
               "JOS's software bits are the page flags' own");

/* The page flags a JOS perm asks for (perm already checked). */
static uint32_t page_flags_of_perm(uint32_t perm)
{
    return (perm & PTE_AVAIL) | ((perm & PTE_W) ? PAGE_WRITE : 0);
}

/* A page-slot error as JOS's calls report it. */
static int jos_error_of(int err)
{
    return err == -ENOMEM ? -E_NO_MEM : -E_INVAL;
}

int process_page_args_check(uint64_t va, uint32_t perm)
{
    if (!IS_ALIGNED(va, PAGE_SIZE) || !user_range_ok(va, PAGE_SIZE))
        return -E_INVAL;
    if ((perm & (PTE_P | PTE_U)) != (PTE_P | PTE_U) || (perm & ~(uint32_t)PTE_SYSCALL))
        return -E_INVAL;
    return 0;
}

int process_page_alloc(struct process *p, uint64_t va, uint32_t perm)
{
    uint64_t frame = frame_alloc(FRAME_ZERO);
    if (!frame)
        return -E_NO_MEM;
    int err = aspace_page_insert(p->as, va, frame, page_flags_of_perm(perm));
    frame_unref(frame);         /* the mapping holds its own reference */
    return err ? jos_error_of(err) : 0;
}

int process_page_unmap(struct process *p, uint64_t va)
{
    if (!IS_ALIGNED(va, PAGE_SIZE) || !user_range_ok(va, PAGE_SIZE))
        return -E_INVAL;
    int err = aspace_page_remove(p->as, va);
    return err ? jos_error_of(err) : 0;
}

/* The frame behind p's page va, referenced, if p may give it away with
 * perm: write access only from a page p can write itself. */
static int process_page_get(struct process *p, uint64_t va, uint32_t perm, uint64_t *frame)
{
    uint32_t flags;
    int err = aspace_page_lookup(p->as, va, frame, &flags);
    if (err)
        return jos_error_of(err);
    if ((perm & PTE_W) && !(flags & PAGE_WRITE)) {
        frame_unref(*frame);
        return -E_INVAL;
    }
    return 0;
}

int process_page_check(struct process *p, uint64_t va, uint32_t perm)
{
    uint64_t frame;
    int err = process_page_get(p, va, perm, &frame);
    if (!err)
        frame_unref(frame);
    return err;
}

int process_page_share(struct process *from, uint64_t srcva, struct process *to,
                       uint64_t dstva, uint32_t perm)
{
    uint64_t frame;
    int err = process_page_get(from, srcva, perm, &frame);
    if (err)
        return err;
    err = aspace_page_insert(to->as, dstva, frame, page_flags_of_perm(perm));
    frame_unref(frame);         /* the mapping holds its own reference */
    return err ? jos_error_of(err) : 0;
}

/* Put piece bytes of src at offset off of the page va of as, whose frame
 * (referenced by the caller) is frame with flags. A debugger's write
 * (PROCESS_POKE_PRIVATE) never changes a frame someone else maps too: the
 * page gets a private copy first, mapped with the same flags. 0, or
 * -ENOMEM / -EFAULT (nothing changed). */
static int process_page_poke(struct aspace *as, uint64_t va, uint64_t frame, uint32_t flags,
                             uint64_t off, const void *src, size_t piece)
{
    /* One reference is the caller's, one the mapping's: nobody else's. */
    if (frame_refcount(frame) <= 2) {
        memcpy((uint8_t *)phys_to_virt(frame) + off, src, piece);
        return 0;
    }
    uint64_t copy = frame_alloc(FRAME_NONE);
    if (!copy)
        return -ENOMEM;
    memcpy(phys_to_virt(copy), phys_to_virt(frame), PAGE_SIZE);
    memcpy((uint8_t *)phys_to_virt(copy) + off, src, piece);
    int err = aspace_page_insert(as, va, copy, flags);
    frame_unref(copy);          /* the mapping holds its own reference */
    return err && err != -ENOMEM ? -EFAULT : err;     /* -EPERM: a pinned region */
}

int process_aspace_write(struct aspace *as, uint64_t va, const void *src, size_t len,
                         enum process_write_mode mode)
{
    size_t done = 0;
    while (done < len) {
        uint64_t page = ALIGN_DOWN(va + done, PAGE_SIZE), off = (va + done) - page, frame;
        size_t piece = (size_t)MIN((uint64_t)(len - done), PAGE_SIZE - off);
        const uint8_t *from = (const uint8_t *)src + done;
        uint32_t flags;
        int err = aspace_page_lookup(as, page, &frame, &flags);
        if (err)
            return err == -ENOMEM ? -ENOMEM : -EFAULT;
        if (mode == PROCESS_WRITE_POKE)
            err = process_page_poke(as, page, frame, flags, off, from, piece);
        else if (flags & PAGE_WRITE)
            memcpy((uint8_t *)phys_to_virt(frame) + off, from, piece);
        else
            err = -EFAULT;
        frame_unref(frame);
        if (err)
            return err;
        done += piece;
    }
    return 0;
}
