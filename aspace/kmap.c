/*
 * The kernel map: see include/kmap.h.
 *
 * Invariants (checked by kmap_segments_check): the segments are page
 * aligned, non-empty, in address order and contiguous from PAGE_SIZE to
 * kmap_size(); none is both writable and executable; only the kernel text
 * is executable.
 */
#include <kmap.h>
#include <aspace.h>
#include <frame.h>
#include <pt.h>
#include <log.h>
#include <panic.h>
#include <uapi/errno.h>

/* Page-aligned section boundaries from arch/x86_64/linker.ld. */
extern char __text_start[], __text_end[], __rodata_start[], __rodata_end[];
extern char __data_start[], __data_end[], __ksyms_start[], _kernel_end[];

uint64_t kmap_size(void)
{
    return ALIGN_UP(MAX(frame_phys_end(), GiB(4)), GiB(1));
}

static void kmap_segments_check(const struct kmap_segment seg[KMAP_SEGMENTS])
{
    uint64_t at = PAGE_SIZE;
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        const struct kmap_segment *s = &seg[i];
        if (s->start != at || s->end <= s->start || !IS_ALIGNED(s->end, PAGE_SIZE))
            panic("%s: segment '%s' [%#lx-%#lx) does not follow %#lx page-aligned",
                  __func__, s->name, s->start, s->end, at);
        if ((s->prot & REGION_WRITE) && (s->prot & REGION_EXEC))
            panic("%s: segment '%s' is writable and executable", __func__, s->name);
        if ((s->prot & REGION_EXEC) && s->start != (uint64_t)__text_start)
            panic("%s: segment '%s' is executable but not the kernel text", __func__, s->name);
        at = s->end;
    }
    if (at != kmap_size())
        panic("%s: the segments end at %#lx, not at %#lx", __func__, at, kmap_size());
}

void kmap_segments(struct kmap_segment out[KMAP_SEGMENTS])
{
    const uint32_t RW = REGION_WRITE, RX = REGION_EXEC, RO = 0;
    const struct kmap_segment s[KMAP_SEGMENTS] = {
        { "low memory",     PAGE_SIZE,                (uint64_t)__text_start,   RW },
        { "kernel text",    (uint64_t)__text_start,   (uint64_t)__text_end,     RX },
        { "kernel rodata",  (uint64_t)__rodata_start, (uint64_t)__rodata_end,   RO },
        { "kernel data",    (uint64_t)__data_start,   (uint64_t)__data_end,     RW },
        { "kernel symbols", (uint64_t)__ksyms_start,  (uint64_t)_kernel_end,    RO },
        { "memory",         (uint64_t)_kernel_end,    kmap_size(),              RW },
    };
    kmap_segments_check(s);
    for (int i = 0; i < KMAP_SEGMENTS; i++)
        out[i] = s[i];
}

int kmap_add(struct aspace *as)
{
    struct kmap_segment s[KMAP_SEGMENTS];
    kmap_segments(s);
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        struct region r = {
            .va_start = s[i].start, .pa_start = s[i].start, .len = s[i].end - s[i].start,
            .flags = REGION_READ | s[i].prot | REGION_PIN | REGION_KERN | REGION_EAGER,
        };
        int err = aspace_region_add(as, &r);
        if (err)
            return err;
    }
    return 0;
}

static uint32_t kmap_pt_flags(uint32_t prot)
{
    return (prot & REGION_WRITE ? PT_WRITE : 0) | (prot & REGION_EXEC ? PT_EXEC : 0);
}

void kmap_init(void)
{
    if (kmap_size() > PT_KMAP_BASE + PT_KMAP_SIZE)
        panic("%s: %#lx bytes to map, more than the kernel-map window holds", __func__, kmap_size());
    struct kmap_segment s[KMAP_SEGMENTS];
    kmap_segments(s);
    int err = pt_kmap_init();
    for (int i = 0; i < KMAP_SEGMENTS && !err; i++)
        err = pt_kmap_map(s[i].start, s[i].start, s[i].end - s[i].start, kmap_pt_flags(s[i].prot));
    if (err)
        panic("%s: cannot build the shared kernel map: %d", __func__, err);
}

bool kmap_covers(const struct region *r)
{
    struct kmap_segment s[KMAP_SEGMENTS];
    kmap_segments(s);
    for (int i = 0; i < KMAP_SEGMENTS; i++)
        if (r->va_start >= s[i].start && region_end(r) <= s[i].end)
            return r->pa_start == r->va_start && (r->flags & REGION_KERN) &&
                   (r->flags & (REGION_WRITE | REGION_EXEC)) == s[i].prot;
    return false;
}

long kmap_check(void)
{
    long tables = pt_shared_check();
    if (tables < 0)
        return tables;
    struct kmap_segment s[KMAP_SEGMENTS];
    kmap_segments(s);
    long checks = 1;
    if (pt_kmap_query(0, NULL, NULL)) {
        kprintf("kmap: page 0 is mapped\n");
        return -EIO;
    }
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        uint32_t want = kmap_pt_flags(s[i].prot), mask = pt_nx_enabled() ? ~0u : ~(uint32_t)PT_EXEC;
        for (uint64_t va = s[i].start; va < s[i].end; checks++) {
            uint64_t pa = 0;
            uint32_t fl = 0;
            if (!pt_kmap_query(va, &pa, &fl) || pa != va || (fl & mask) != (want & mask)) {
                kprintf("kmap: %s page %#lx translates to %#lx with flags %#x (want itself, %#x)\n",
                        s[i].name, va, pa, fl, want);
                return -EIO;
            }
            /* The image's neighbourhood page by page, the rest by 2 MiB. */
            va += va < (uint64_t)_kernel_end + MiB(2) ? PAGE_SIZE : MiB(2) - (va & (MiB(2) - 1));
        }
    }
    return checks;
}
