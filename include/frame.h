/*
 * Physical frame allocator.
 *
 * Every frame of usable RAM has a struct frame with a reference count, so a
 * frame can be shared (copy-on-write later) and is freed when its last
 * reference goes. Free frames sit on a doubly-linked free list threaded
 * through the metadata array (never through the frames themselves), so
 * allocation and freeing are O(1) and contiguous runs can be taken out.
 *
 * Invariants:
 *  - refcount == 0  <=>  the frame is on the free list;
 *  - frames below 1 MiB, the kernel image, the boot modules, the Multiboot2
 *    information and the metadata array are never on the free list;
 *  - counters: free + used == total usable frames.
 * Out of memory returns 0 (physical address 0 is never handed out).
 */
#ifndef STRATA_FRAME_H
#define STRATA_FRAME_H

#include <mm.h>

struct phys_range {
    uint64_t start, end;        /* [start, end) */
};

enum frame_alloc_flags {
    FRAME_NONE = 0,
    FRAME_ZERO = 1u << 0,       /* fill with zeros */
};

/* What a used frame holds (for the heap and for debugging). */
enum frame_kind {
    FRAME_KIND_FREE = 0,
    FRAME_KIND_RESERVED,        /* never allocatable */
    FRAME_KIND_GENERIC,         /* handed out by frame_alloc */
    FRAME_KIND_SLAB,            /* heap: small objects */
    FRAME_KIND_LARGE,           /* heap: head of a multi-frame object */
    FRAME_KIND_LARGE_TAIL,      /* heap: rest of a multi-frame object */
    FRAME_KIND_PAGETABLE,       /* a page-table page (arch/x86_64/mmu/pt.c) */
};

struct frame {
    uint32_t refcount;
    uint32_t next, prev;        /* free list links (frame numbers) */
    uint8_t kind;               /* enum frame_kind */
    uint8_t slab_class;         /* SLAB: size class index */
    union {
        uint16_t slab_inuse;    /* SLAB: objects handed out */
        uint16_t pt_used;       /* PAGETABLE: present entries */
    };
    uint16_t slab_free;         /* SLAB: offset of first free object, or SLAB_NONE */
    uint16_t pad;
    uint32_t npages;            /* LARGE: frames in the object */
};

struct frame_stats {
    uint64_t total;             /* usable frames managed */
    uint64_t free;
    uint64_t used;
    uint64_t reserved;          /* inside usable RAM but never allocatable */
    uint64_t max_pfn;           /* highest frame number + 1 */
};

/* Most ranges frame_init takes in each list (more than a Multiboot2 memory
 * map or the boot modules can give). */
#define BOOT_RANGES_MAX 64

/* Set up from the available ranges minus the reserved ones (in any order,
 * overlapping or not; a page counts as RAM if it lies wholly inside one
 * available range, and is never handed out if any reserved range touches
 * it). The metadata array is placed in available memory and reserved.
 * Returns 0, -ENOMEM if no available range can hold the metadata, or
 * -EINVAL for more than BOOT_RANGES_MAX ranges in a list. Linear in the
 * frames, one pass. */
int frame_init(const struct phys_range *avail, int navail,
               const struct phys_range *resv, int nresv);

uint64_t frame_alloc(enum frame_alloc_flags flags);
/* n physically contiguous frames, or 0. */
uint64_t frame_alloc_contig(uint64_t n, enum frame_alloc_flags flags);
/* Release n contiguous frames from frame_alloc_contig (each refcount 1). */
void frame_free_contig(uint64_t pa, uint64_t n);

/* Add a reference to an allocated frame. */
void frame_ref(uint64_t pa);
/* Drop a reference; the frame is freed when it reaches zero. */
void frame_unref(uint64_t pa);
/* frame_unref of pa[0], pa[stride], ... pa[(n-1) * stride] (stride in
 * uint64_t units, so that a field of an array of structs can be passed)
 * under one acquisition of the lock. */
void frame_unref_many(const uint64_t *pa, size_t n, size_t stride);
uint32_t frame_refcount(uint64_t pa);

/* Metadata of the frame holding pa (NULL outside managed memory). */
struct frame *frame_meta(uint64_t pa);

void frame_stats(struct frame_stats *st);
/* Highest physical address of usable RAM (exclusive). */
uint64_t frame_phys_end(void);

#endif
