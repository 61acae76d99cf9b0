/*
 * The address-space abstraction: Strata's central contract.
 *
 * An address space (struct aspace) is created by naming an implementation
 * (struct aspace_impl), e.g. "base" or "paging". Every operation on it goes
 * through the implementation's vtable (struct aspace_ops); nothing outside
 * an implementation knows how it represents memory.
 *
 * The wrappers below (aspace_region_add() and friends) are the only way in.
 * They check the arguments that do not depend on the implementation
 * (alignment to its granularity, canonical addresses, zero lengths, flag
 * combinations, region kinds it does not support), take the address space's
 * lock, and then call the slot. Implementations check what only they can
 * (overlap with existing regions, a region that does not exist, pinning).
 *
 * Writing a new implementation:
 *   1. embed struct aspace as the first member of your own struct;
 *   2. fill a static struct aspace_ops (see the slot comments below);
 *   3. describe it with a struct aspace_impl and register it with
 *      ASPACE_IMPL_REGISTER(your_impl) in your .c file. That is all: the
 *      shell's `asis` lists it and aspace_create("yourname", ...) makes one.
 *
 * Optional slots. One policy: a slot marked OPTIONAL may be NULL, and NULL
 * means "this implementation does not support the operation": the wrapper
 * returns -ENOTSUP without calling anything. Notification slots marked
 * NOTIFY may be NULL, meaning "nothing to do": the wrapper succeeds. REQUIRED
 * slots must be set; aspace_impl_check() panics at registration otherwise.
 *
 * Locking: every slot except switch_from/switch_to/exception is called with
 * as->lock held (interrupts off), so slots must not sleep. switch_* run in
 * the scheduler with interrupts off; exception runs in the fault handler,
 * also with interrupts off (every IDT gate is an interrupt gate), and
 * without as->lock: it must not sleep either.
 */
#ifndef STRATA_ASPACE_H
#define STRATA_ASPACE_H

#include <compiler.h>
#include <list.h>
#include <spinlock.h>

struct thread;
struct trap_frame;
struct file;

/* ---- regions ----------------------------------------------------------- */

/* Region flags. Protection: READ is implied for every mapped region on
 * x86-64; WRITE and EXEC are independent. Kind: a region is backed by
 * physical memory at pa_start (neither ANON nor FILE), by fresh zeroed
 * frames (ANON), or by a file (FILE). */
enum region_flags {
    REGION_READ  = 1u << 0,     /* readable (always true when mapped) */
    REGION_WRITE = 1u << 1,     /* writable */
    REGION_EXEC  = 1u << 2,     /* instructions may be fetched */
    REGION_PIN   = 1u << 3,     /* may not be removed or moved */
    REGION_KERN  = 1u << 4,     /* supervisor only (no user access) */
    REGION_EAGER = 1u << 5,     /* map everything at add time, not on fault */
    REGION_ANON  = 1u << 6,     /* zero-filled on first touch, private frames */
    REGION_FILE  = 1u << 7,     /* filled from file on first touch, private */
    /* Bits 8-15 are for kinds that only an implementation itself creates
     * (aspace_region_add refuses them) or future ones (shared, COW...). */
    REGION_KSTACKS = 1u << 8,   /* the kernel stack window (include/kstack.h):
                                   pinned, kernel-only, never filled on a fault */
    REGION_KSHARED = 1u << 9,   /* part of the kernel map whose page tables are
                                   shared by every address space (kmap.h): the
                                   implementation never maps, unmaps or changes
                                   them (it links them) */
    REGION_FLAGS_ALL = 0xFF,    /* what aspace_region_add accepts */
    REGION_PROT_MASK = REGION_READ | REGION_WRITE | REGION_EXEC,
};

/* A page's own protection, for the page-granular slots. WRITE and EXEC
 * may be narrower than the region's; COW and the AVAIL bits are software
 * bits kept in the page-table entry for the program (JOS's PTE_COW and
 * PTE_AVAIL: the same bit positions, 9 to 11). */
enum page_flags {
    PAGE_WRITE  = 1u << 1,
    PAGE_EXEC   = 1u << 2,
    PAGE_AVAIL0 = 1u << 9,
    PAGE_AVAIL1 = 1u << 10,
    PAGE_COW    = 1u << 11,     /* = PAGE_AVAIL2 */
    PAGE_AVAIL_MASK = PAGE_AVAIL0 | PAGE_AVAIL1 | PAGE_COW,
    PAGE_FLAGS_ALL = PAGE_WRITE | PAGE_EXEC | PAGE_AVAIL_MASK,
};

struct region {
    uint64_t va_start;          /* first virtual address */
    uint64_t pa_start;          /* first physical address (physical kind only) */
    uint64_t len;               /* bytes; a multiple of the granularity */
    uint32_t flags;             /* enum region_flags */
    struct file *file;          /* FILE: the file (the region holds a reference) */
    uint64_t file_offset;       /* FILE: file offset of va_start (page aligned) */
    uint64_t file_len;          /* FILE: file bytes backing the region from
                                   file_offset, the rest reads as zero (an
                                   ELF segment's filesz); 0: the whole region */
};

static inline uint64_t region_end(const struct region *r)
{
    return r->va_start + r->len;    /* exclusive */
}

/* ---- faults ------------------------------------------------------------ */

enum fault_kind {
    FAULT_PAGE,                 /* #PF: address and access are known */
    FAULT_GENERAL_PROTECTION,   /* #GP: no address (e.g. non-canonical) */
};

enum fault_access {
    FAULT_READ  = 1u << 0,
    FAULT_WRITE = 1u << 1,
    FAULT_EXEC  = 1u << 2,
    FAULT_USER  = 1u << 3,      /* the access was made in user mode */
    FAULT_PROTECTION = 1u << 4, /* the page was present: a permission fault */
};

/* When the exception slot fills its struct fault_detail. */
enum fault_detail_mode {
    FAULT_DETAIL_FAILURES,      /* only for a fault it does not resolve (the report) */
    FAULT_DETAIL_ALWAYS,        /* for a resolved one too (a trace: include/ktrace.h) */
};

/* A fault, as the CPU reported it (input to the exception slot). */
struct aspace_fault {
    enum fault_kind kind;
    uint64_t address;           /* CR2 for FAULT_PAGE, else 0 */
    uint32_t access;            /* enum fault_access bits */
    uint64_t error_code;        /* as pushed by the CPU */
    struct trap_frame *tf;
    enum fault_detail_mode detail;
};

/* What the exception slot found out about a fault, for the report and
 * traces (output of the slot: the caller zeroes it first). */
struct fault_detail {
    const char *reason;         /* why it was not resolved, e.g. "write to a
                                   read-only region" */
    const char *pager;          /* what filled the page or was asked to (a
                                   pager's name, "copy-on-write"), or NULL */
    bool has_region;            /* whether `region` says something */
    struct region region;       /* a copy of the region involved */
};

/* What the exception slot decided (cf. SerenityOS's PageFaultResponse). */
enum fault_response {
    FAULT_RESOLVED,         /* mapping fixed: retry the instruction */
    FAULT_SIGNAL,           /* access not allowed: signal the user process
                               (or report a kernel thread's bug) */
    FAULT_OUT_OF_MEMORY,    /* allowed, but no frame could be had */
    FAULT_KERNEL_BUG,       /* the implementation's own state is broken */
};

/* Route #PF and #GP to the current address space's exception slot
 * (installed by aspace_init). What it cannot resolve becomes a signal for a
 * user thread, a fixup for kernel code that expects faults, or else a
 * report and a panic. */
void aspace_fault_init(void);

/* Print a fault the way the kernel reports it ("kernel page fault at ..."),
 * with the slot's verdict r and what it found out (d). */
void aspace_fault_report(const struct aspace_fault *f, enum fault_response r,
                         const struct fault_detail *d);

/* ---- the vtable -------------------------------------------------------- */

struct aspace;

/* REQUIRED. Allocate and initialise an empty address space (with the
 * kernel mapped, so that it can be switched to). On failure return NULL
 * with nothing allocated. The generic fields are filled by the caller. */
typedef struct aspace *(*aspace_create_fn)(void);

/* REQUIRED. Free everything the address space owns: regions, frames of
 * ANON/FILE regions, page tables, and the struct itself. Called with no
 * threads left in it and never while it is loaded on a CPU. */
typedef void (*aspace_destroy_fn)(struct aspace *as);

/* NOTIFY. A thread has joined / is leaving the address space. */
typedef void (*aspace_thread_fn)(struct aspace *as, struct thread *t);

/* OPTIONAL. Add a copy of *r (the caller keeps its struct). Returns 0, or
 * -EEXIST if it overlaps an existing region virtually (physical overlap is
 * allowed), -ENOMEM (nothing added, no page-table change left behind), or
 * -ENOTSUP for a kind the implementation cannot do. EAGER regions are
 * mapped before returning. */
typedef int (*aspace_region_add_fn)(struct aspace *as, const struct region *r);

/* OPTIONAL. Remove the region starting exactly at va. Returns -ENOENT if
 * no region starts there, -EPERM if it is pinned. Mappings and TLB entries
 * for it are gone when this returns; frames it owned are freed. */
typedef int (*aspace_region_remove_fn)(struct aspace *as, uint64_t va);

/* OPTIONAL. Give the physically-backed region starting at va a new physical
 * start (same virtual range). -ENOENT, -EPERM (pinned), -EINVAL (ANON or
 * FILE region, or misaligned pa), -ENOMEM (an EAGER region whose new
 * mapping needs page-table memory that is not there). On any error nothing
 * has changed. Stale translations are gone on return. */
typedef int (*aspace_region_move_fn)(struct aspace *as, uint64_t va, uint64_t new_pa);

/* OPTIONAL. Replace the WRITE, EXEC and PIN bits of the region at va with
 * those in flags (other bits of flags are ignored). -ENOENT if no region
 * starts at va. Present entries are rewritten and the TLB invalidated. */
typedef int (*aspace_region_protect_fn)(struct aspace *as, uint64_t va, uint32_t flags);

/* NOTIFY. The CPU leaves this address space (switch_from) or enters it
 * (switch_to: REQUIRED, it must load the translation, e.g. CR3). */
typedef void (*aspace_switch_fn)(struct aspace *as);

/* OPTIONAL. Resolve a fault f taken while this address space was loaded.
 * When the answer is not FAULT_RESOLVED, say why in *out (zeroed by the
 * caller), with the region and pager involved if there are; on
 * FAULT_RESOLVED, *out gets the region and pager only if f->detail is
 * FAULT_DETAIL_ALWAYS (else it is left alone). NULL behaves as if every
 * fault returned FAULT_SIGNAL with nothing in *out. */
typedef enum fault_response (*aspace_exception_fn)(struct aspace *as, const struct aspace_fault *f,
                                                   struct fault_detail *out);

/* Which region aspace_region_query describes. */
enum region_query_mode {
    REGION_QUERY_AT,            /* the one that contains va */
    REGION_QUERY_FROM,          /* that one, or else the first above va */
};

/* OPTIONAL. Copy the region mode names into *out: 0, or -ENOENT if there
 * is none. Nothing changes. */
typedef int (*aspace_region_query_fn)(struct aspace *as, uint64_t va, enum region_query_mode mode,
                                      struct region *out);

/* OPTIONAL. Find the lowest free range of len bytes (a multiple of the
 * granularity) inside [lo, hi), overlapping no region: 0 and *va, or
 * -ENOMEM if there is none. Nothing changes. */
typedef int (*aspace_find_gap_fn)(struct aspace *as, uint64_t lo, uint64_t hi,
                                  uint64_t len, uint64_t *va);

/* ---- page-granular operations (JOS's memory calls, IPC page transfer,
 * fork). They work on one 4 KiB user page of a region that is backed by
 * frames from the frame allocator (ANON and FILE kinds); a frame shared
 * between address spaces is reference counted and freed by its last
 * unmap. A page's own protection (enum page_flags) may be narrower than
 * its region's: e.g. a copy-on-write page of a writable region is mapped
 * read-only with PAGE_COW set. ---- */

/* OPTIONAL. The frame behind the user page at va (page aligned),
 * materialising a lazy page through its pager as a read fault would. On
 * success the caller owns one new reference on the frame (frame_unref it)
 * and gets its physical address and current enum page_flags. Errors:
 * -ENOENT no region covers va; -EACCES the region is kernel-only;
 * -EINVAL the region's memory is not frames it owns (a physical region);
 * -ENOMEM the page could not be filled. Nothing changes on failure. */
typedef int (*aspace_page_lookup_fn)(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *flags);

/* OPTIONAL. The state of the user page va without changing anything:
 * 0 and its enum page_flags if it exists; -ENOENT if a region covers it
 * but it has not been filled (it is lazy); -EFAULT if no region does. */
typedef int (*aspace_page_query_fn)(struct aspace *as, uint64_t va, uint32_t *flags);

/* OPTIONAL. Map the frame at pa at the user page va with flags (enum
 * page_flags), as JOS's page_insert: the page gets a reference of its own
 * on the frame, and whatever was mapped at va before is unmapped (its
 * frame reference dropped). If no region covers va, a one-page anonymous
 * region (read/write/execute at most) is created there, merged with an
 * equal neighbour; if the covering region cannot hold the page (it allows
 * less than flags, or is not anonymous or file-backed), the page is split
 * off into a region of its own. Errors: -EPERM the covering region is
 * pinned or kernel-only; -ENOMEM; nothing changes on failure. */
typedef int (*aspace_page_insert_fn)(struct aspace *as, uint64_t va, uint64_t pa, uint32_t flags);

/* OPTIONAL. Unmap the user page va: afterwards it is covered by no region
 * (the region around it is split) and an access faults. A page no region
 * covers is not an error (0). Errors: -EPERM pinned or kernel-only
 * region; -ENOMEM a split needed memory; nothing changes on failure. */
typedef int (*aspace_page_remove_fn)(struct aspace *as, uint64_t va);

/* How aspace_range_copy shares the pages that exist. */
enum aspace_copy_mode {
    ASPACE_COPY_COW,            /* writable pages become read-only + PAGE_COW in both */
    ASPACE_COPY_SHARE,          /* the same frames, the same protection (writes shared) */
};

/* OPTIONAL. Give dst a copy of src's memory in [va, va + len) (user half,
 * page aligned), as fork needs it: the regions that cover it (clipped to
 * it), so that a page nobody touched stays lazy in both and costs no
 * frame, and every page that exists, sharing its frame (one more
 * reference) as mode says. Pages of regions that do not own their frames
 * (physical ones) are not copied: -EINVAL; a pinned or kernel-only region
 * in the range: -EPERM; dst already has a region there: -EEXIST. On
 * -ENOMEM dst holds part of the copy (the caller destroys dst) and some
 * of src's pages may have become copy-on-write, which is harmless. Called
 * with both locks held (the wrapper takes them in id order). */
typedef int (*aspace_range_copy_fn)(struct aspace *src, struct aspace *dst, uint64_t va,
                                    uint64_t len, enum aspace_copy_mode mode);

/* NOTIFY. Print the implementation-specific state (regions, page-table
 * figures) with kprintf; detail > 0 asks for more. */
typedef void (*aspace_print_fn)(struct aspace *as, int detail);

/* OPTIONAL. Draw, with kprintf, how the region that contains va is held
 * (for students: `ases detail NAME`): e.g. the page-table pages of each
 * level that cover it, its leaves by size and which of its pages are
 * present. -ENOENT if no region contains va. Nothing changes. */
typedef int (*aspace_region_draw_fn)(struct aspace *as, uint64_t va);

struct aspace_ops {
    aspace_create_fn         create;            /* REQUIRED */
    aspace_destroy_fn        destroy;           /* REQUIRED */
    aspace_thread_fn         add_thread;        /* NOTIFY */
    aspace_thread_fn         remove_thread;     /* NOTIFY */
    aspace_region_add_fn     add_region;        /* OPTIONAL */
    aspace_region_remove_fn  remove_region;     /* OPTIONAL */
    aspace_region_move_fn    move_region;       /* OPTIONAL */
    aspace_region_protect_fn protect_region;    /* OPTIONAL */
    aspace_switch_fn         switch_from;       /* NOTIFY */
    aspace_switch_fn         switch_to;         /* REQUIRED */
    aspace_exception_fn      exception;         /* OPTIONAL */
    aspace_print_fn          print;             /* NOTIFY */
    aspace_region_query_fn   query_region;      /* OPTIONAL */
    aspace_find_gap_fn       find_gap;          /* OPTIONAL */
    aspace_page_lookup_fn    page_lookup;       /* OPTIONAL */
    aspace_page_query_fn     page_query;        /* OPTIONAL */
    aspace_page_insert_fn    page_insert;       /* OPTIONAL */
    aspace_page_remove_fn    page_remove;       /* OPTIONAL */
    aspace_range_copy_fn     range_copy;        /* OPTIONAL */
    aspace_region_draw_fn    region_draw;       /* OPTIONAL */
};

/* ---- implementations --------------------------------------------------- */

enum aspace_impl_flags {
    ASPACE_IMPL_SINGLETON = 1u << 0,    /* at most one instance (e.g. base) */
};

struct aspace_impl {
    const char *name;               /* unique, e.g. "paging" */
    const char *description;        /* one line for `asis` */
    uint64_t granularity;           /* region starts/lengths are multiples */
    uint64_t alignment;             /* physical starts must be multiples */
    uint32_t supported_flags;       /* region flags it accepts */
    uint32_t impl_flags;            /* enum aspace_impl_flags */
    const struct aspace_ops *ops;
};

/* Put a pointer to impl in the .aspace_impls section: registered at link
 * time, validated by aspace_init(). */
#define ASPACE_IMPL_REGISTER(impl) \
    static const struct aspace_impl *const __aspace_impl_ptr_##impl \
        __used __section(".aspace_impls") = &(impl)

const struct aspace_impl *aspace_impl_find(const char *name);
void aspace_impl_for_each(void (*fn)(const struct aspace_impl *impl, void *arg), void *arg);

/* ---- address spaces ---------------------------------------------------- */

#define ASPACE_MAGIC        0x41535043u     /* "ASPC" */
#define ASPACE_DEAD_MAGIC   0x44454144u     /* "DEAD" */
#define ASPACE_NAME_MAX     32

enum aspace_state {
    ASPACE_LIVE,
    ASPACE_DYING,           /* destroy in progress: no new users */
};

/* Policies an address space's owner may set (aspace_policy_set). */
enum aspace_policy {
    /* A user write to a copy-on-write page is refused (FAULT_SIGNAL), so
     * that the process's own handler makes the copy (JOS's user-level
     * fork). Without it the implementation makes the copy itself. */
    ASPACE_POLICY_USER_COW = 1u << 0,
};

struct aspace {
    uint32_t magic;
    enum aspace_state state;
    int id;
    char name[ASPACE_NAME_MAX];
    const struct aspace_impl *impl;
    struct spinlock lock;           /* serialises the slots (see top) */
    struct list_node link;          /* all address spaces */
    struct list_node threads;       /* struct thread.aspace_link */
    int nthreads;
    int cpus_loaded;                /* CPUs that have it loaded */
    uint32_t policy;                /* enum aspace_policy */
    uint64_t frame_limit;           /* most frames the implementation may
                                       own for it (pages it filled, page-table
                                       pages); aspace_set_frame_limit */
};

/* Set or clear policy bits (enum aspace_policy). */
void aspace_policy_set(struct aspace *as, uint32_t bits, bool on);

/* Set up the registry and create the boot address space ("base"). */
void aspace_init(void);

/* The boot address space: identity map of all memory, never destroyed. */
struct aspace *aspace_boot(void);

/* Create an address space of implementation impl_name called name.
 * -ENOENT: no such implementation; -EEXIST: name in use; -EBUSY: a
 * singleton implementation already has its instance; -ENOMEM. */
int aspace_create(const char *impl_name, const char *name, struct aspace **out);

/* Destroy as. -EBUSY while threads are in it or a CPU has it loaded,
 * -EPERM for the boot address space. */
int aspace_destroy(struct aspace *as);

/* Find by name (NULL if none). */
struct aspace *aspace_find(const char *name);
void aspace_for_each(void (*fn)(struct aspace *as, void *arg), void *arg);

/* Panics naming caller if as is not a live address space. */
void aspace_check(const struct aspace *as, const char *caller);

/* Region operations: see the slot comments for their contracts. The
 * wrappers add: -EINVAL for zero length, unknown flags, ANON with FILE,
 * FILE without a file, wrap-around; -EALIGN for addresses or lengths not
 * multiples of the granularity (or pa not of the alignment); -ENONCANON for
 * a non-canonical start or end; -ENOTSUP for kinds the implementation does
 * not support or a NULL slot. */
int aspace_region_add(struct aspace *as, const struct region *r);
int aspace_region_remove(struct aspace *as, uint64_t va);
int aspace_region_move(struct aspace *as, uint64_t va, uint64_t new_pa);
int aspace_region_protect(struct aspace *as, uint64_t va, uint32_t flags);
/* -EINVAL for a NULL out or a bad mode; -ENONCANON for a non-canonical va. */
int aspace_region_query(struct aspace *as, uint64_t va, enum region_query_mode mode,
                        struct region *out);
/* -EINVAL for len 0, lo >= hi or an unaligned len; -ENONCANON for
 * non-canonical bounds. */
int aspace_find_gap(struct aspace *as, uint64_t lo, uint64_t hi, uint64_t len, uint64_t *va);
void aspace_print(struct aspace *as, int detail);
/* -ENONCANON for a non-canonical va; -ENOTSUP for a NULL slot. */
int aspace_region_draw(struct aspace *as, uint64_t va);
/* Page-granular wrappers: -EALIGN for an unaligned va, -EFAULT for one
 * outside the user half, -EINVAL for unknown flags, -ENOTSUP for a NULL
 * slot; then the slot's contract. */
int aspace_page_lookup(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *flags);
int aspace_page_query(struct aspace *as, uint64_t va, uint32_t *flags);
int aspace_page_insert(struct aspace *as, uint64_t va, uint64_t pa, uint32_t flags);
int aspace_page_remove(struct aspace *as, uint64_t va);
/* -EINVAL: src == dst, different implementations, a bad mode or an
 * empty/wrapping range; -EALIGN, -EFAULT (outside the user half). */
int aspace_range_copy(struct aspace *src, struct aspace *dst, uint64_t va, uint64_t len,
                      enum aspace_copy_mode mode);

/* Limit the frames the implementation may own for as (its pagers' pages
 * and its page-table pages) to `frames`: a fault or an EAGER add that
 * would fill more is refused (FAULT_OUT_OF_MEMORY, "frame limit reached";
 * -ENOMEM). Frames already owned stay; a fill may need up to three table
 * pages more than the count it was allowed at. The default is every usable
 * frame of the machine (no limit in practice). -EINVAL for 0. */
int aspace_set_frame_limit(struct aspace *as, uint64_t frames);

/* Thread membership. attach/detach are called by the thread code; as NULL
 * means the boot address space. */
void aspace_thread_attach(struct aspace *as, struct thread *t);
void aspace_thread_detach(struct aspace *as, struct thread *t);

/* Move the calling thread into as (NULL: the boot address space) and load
 * it on this CPU. */
int aspace_thread_move(struct aspace *as);

/* Load the address space of the next thread on this CPU: switch_from of the
 * current one, switch_to of the new one, only when they differ. */
void aspace_switch(struct aspace *to);

/* The address space loaded on this CPU. */
struct aspace *aspace_current(void);

/* Canonical-address helpers (48-bit virtual addresses). */
static inline bool va_is_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

#define USER_HALF_START 0xffff800000000000ull

/* Human-readable "rwx PUL anon" style flag string into buf (>= 16 bytes). */
const char *region_flags_str(uint32_t flags, char *buf);
/* One line that explains region_flags_str's letters (no newline). */
const char *region_flags_legend(void);

#endif
