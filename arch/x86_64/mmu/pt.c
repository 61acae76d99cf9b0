/*
 * x86-64 4-level page tables (contract in include/pt.h).
 *
 * Levels are numbered from the leaf up: 0 = PT (4 KiB entries), 1 = PD
 * (2 MiB), 2 = PDPT (1 GiB), 3 = PML4. Every operation is a loop over the
 * range that walks from the root for each step; a step covers one leaf (or
 * one non-present entry, skipped whole). This is not the fastest possible
 * walker but it is short, and the steps are large where pages are large.
 *
 * Invariants:
 *  - a table page's struct frame has kind FRAME_KIND_PAGETABLE and pt_used
 *    equal to its number of present entries;
 *  - no table page other than the root has pt_used == 0 (it is freed);
 *  - pt->mapped[] counts the leaf entries by size.
 */
#include <pt.h>
#include <frame.h>
#include <string.h>
#include <panic.h>
#include <uapi/errno.h>
#ifndef HOST_TEST
#include <arch/cpu.h>
#endif

#define PTE_P       (1ull << 0)
#define PTE_W       (1ull << 1)
#define PTE_U       (1ull << 2)
#define PTE_PWT     (1ull << 3)
#define PTE_PCD     (1ull << 4)
#define PTE_A       (1ull << 5)
#define PTE_D       (1ull << 6)
#define PTE_PS      (1ull << 7)
#define PTE_SOFT    (0x7ull << 9)       /* available to software: PT_SOFT_* */
#define PTE_SOFT_COW (1ull << 11)
#define PTE_NX      (1ull << 63)
#define PTE_ADDR    0x000FFFFFFFFFF000ull
#define PTE_TABLE   (PTE_P | PTE_W | PTE_U)

#define LEVELS      4
#define ENTRIES     512

static inline unsigned level_shift(int level) { return PAGE_SHIFT + 9 * level; }
static inline uint64_t level_size(int level) { return 1ull << level_shift(level); }
static inline unsigned level_index(uint64_t va, int level) { return (va >> level_shift(level)) & 511; }
static inline bool pte_is_leaf(uint64_t e, int level) { return level == 0 || (e & PTE_PS); }

static uint64_t *table_of(uint64_t pa) { return phys_to_virt(pa); }

/* Address bits of a leaf of this level (large leaves have PAT at bit 12). */
static uint64_t leaf_addr(uint64_t e, int level)
{
    return e & PTE_ADDR & ~(level_size(level) - 1);
}

/* ---- CPU features ---- */

#ifdef HOST_TEST
uint32_t pt_sizes_supported(void) { return PT_SIZE_ALL; }
bool pt_nx_enabled(void) { return true; }
uint64_t pt_phys_limit(void) { return 1ull << 52; }
#else
uint64_t pt_phys_limit(void)
{
    uint32_t a, b, c, d;
    cpuid(0x80000000, 0, &a, &b, &c, &d);
    if (a < 0x80000008)
        return 1ull << 36;      /* the architectural minimum with PAE */
    cpuid(0x80000008, 0, &a, &b, &c, &d);
    return 1ull << (a & 0xFF);
}

extern uint8_t boot_nx_enabled;

uint32_t pt_sizes_supported(void)
{
    uint32_t a, b, c, d;
    cpuid(0x80000001, 0, &a, &b, &c, &d);
    return PT_SIZE_4K | PT_SIZE_2M | ((d & (1u << 26)) ? PT_SIZE_1G : 0);
}

bool pt_nx_enabled(void)
{
    return boot_nx_enabled;
}
#endif

static uint64_t pte_flags_of(uint32_t flags, int level)
{
    uint64_t e = PTE_P;
    if (flags & PT_WRITE)
        e |= PTE_W;
    if (flags & PT_USER)
        e |= PTE_U;
    if (!(flags & PT_EXEC) && pt_nx_enabled())
        e |= PTE_NX;
    if (flags & PT_UNCACHED)
        e |= PTE_PCD | PTE_PWT;
    e |= flags & PT_SOFT_MASK;          /* same bit positions */
    if (level > 0)
        e |= PTE_PS;
    return e;
}

static uint32_t flags_of_pte(uint64_t e)
{
    uint32_t f = 0;
    if (e & PTE_W)
        f |= PT_WRITE;
    if (e & PTE_U)
        f |= PT_USER;
    if (!(e & PTE_NX))
        f |= PT_EXEC;
    if (e & PTE_PCD)
        f |= PT_UNCACHED;
    f |= (uint32_t)(e & PTE_SOFT);
    return f;
}

/* ---- TLB invalidation, batched per operation ---- */

struct tlb_batch {
    const struct pt *pt;
    uint64_t va[PT_INVLPG_MAX];
    int n;
    bool full;
};

static void tlb_batch_add(struct tlb_batch *b, uint64_t va)
{
    if (b->full)
        return;
    if (b->n == PT_INVLPG_MAX)
        b->full = true;
    else
        b->va[b->n++] = va;
}

/* Apply the invalidations collected by one operation. (SMP: this is where
 * a shootdown to the other CPUs that have the tree loaded will go.) */
static void tlb_batch_flush(struct tlb_batch *b)
{
    struct pt *pt = (struct pt *)b->pt;
    if (!b->full && b->n == 0)
        return;
    if (!pt_is_loaded(pt))
        return;         /* switching to it reloads CR3, dropping stale entries */
    if (b->full) {
        pt->full_flushes++;
#ifndef HOST_TEST
        write_cr3(read_cr3());
#endif
    } else {
        pt->invlpgs += b->n;
#ifndef HOST_TEST
        for (int i = 0; i < b->n; i++)
            invlpg(b->va[i]);
#endif
    }
}

/* ---- table pages ---- */

static uint64_t table_alloc(struct pt *pt)
{
    uint64_t pa = frame_alloc(FRAME_ZERO);
    if (!pa)
        return 0;
    struct frame *f = frame_meta(pa);
    f->kind = FRAME_KIND_PAGETABLE;
    f->pt_used = 0;
    pt->table_pages++;
    return pa;
}

static void table_free(struct pt *pt, uint64_t pa)
{
    struct frame *f = frame_meta(pa);
    if (f->kind != FRAME_KIND_PAGETABLE || f->pt_used != 0)
        panic("%s: %#lx is not an empty table (kind %u, used %u)", __func__, pa, f->kind, f->pt_used);
    f->kind = FRAME_KIND_GENERIC;
    frame_unref(pa);
    pt->table_pages--;
}

/* Entry e of table tbl went from not-present to present, or back. */
static void table_count(uint64_t tbl, int delta)
{
    struct frame *f = frame_meta(tbl);
    if ((delta < 0 && f->pt_used == 0) || (delta > 0 && f->pt_used >= ENTRIES))
        panic("%s: entry count of table %#lx out of range", __func__, tbl);
    f->pt_used = (uint16_t)(f->pt_used + delta);
}

/* ---- walking ---- */

struct walk {
    uint64_t table[LEVELS];     /* table[l]: physical address of the level-l table */
    int level;                  /* level at which the walk stopped */
    uint64_t *pte;              /* entry at that level */
};

/* Walk towards va. Stops at a leaf, at a non-present entry, or (if
 * stop_level >= 0) at stop_level. */
static void walk_to(const struct pt *pt, uint64_t va, int stop_level, struct walk *w)
{
    uint64_t tbl = pt->root;
    for (int l = LEVELS - 1;; l--) {
        w->table[l] = tbl;
        w->level = l;
        w->pte = &table_of(tbl)[level_index(va, l)];
        uint64_t e = *w->pte;
        if (l == stop_level || !(e & PTE_P) || pte_is_leaf(e, l))
            return;
        tbl = e & PTE_ADDR;
    }
}

/* Clear the entry w->pte and free the tables that become empty. */
static void walk_clear(struct pt *pt, struct walk *w, uint64_t va)
{
    *w->pte = 0;
    for (int l = w->level; l < LEVELS; l++) {
        uint64_t tbl = w->table[l];
        table_count(tbl, -1);
        if (l == LEVELS - 1 || frame_meta(tbl)->pt_used > 0)
            break;
        /* tbl is empty: drop the parent's entry for it. */
        table_free(pt, tbl);
        table_of(w->table[l + 1])[level_index(va, l + 1)] = 0;
    }
}

/* Replace the large leaf at w (level >= 1) by a table of 512 next-level
 * leaves with the same translation. The translation does not change, so no
 * invalidation is needed beyond the one the caller does for its change. */
static int leaf_split(struct pt *pt, struct walk *w)
{
    int l = w->level;
    if (l < 1)
        panic("%s: cannot split a 4 KiB leaf", __func__);
    uint64_t e = *w->pte;
    uint64_t tbl = table_alloc(pt);
    if (!tbl)
        return -ENOMEM;
    uint64_t base = leaf_addr(e, l);
    uint64_t keep = (e & (PTE_W | PTE_U | PTE_PWT | PTE_PCD | PTE_NX | PTE_SOFT)) | PTE_P;
    uint64_t *t = table_of(tbl);
    for (int i = 0; i < ENTRIES; i++)
        t[i] = (base + (uint64_t)i * level_size(l - 1)) | keep | (l - 1 > 0 ? PTE_PS : 0);
    frame_meta(tbl)->pt_used = ENTRIES;
    pt->mapped[l]--;
    pt->mapped[l - 1] += ENTRIES;
    *w->pte = tbl | PTE_TABLE;
    return 0;
}

/* ---- the range interface ---- */

static bool va_canonical(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16) == va;
}

/* Validate [va, va+len): page aligned, no wrap, both ends canonical and on
 * the same side of the non-canonical hole. 0, 1 for an empty range
 * (nothing to do), or -EINVAL; *last = the range's last byte (inclusive, so
 * a range may end at the top of memory). */
static int range_check(uint64_t va, uint64_t len, uint64_t *last)
{
    if (!IS_ALIGNED(va | len, PAGE_SIZE))
        return -EINVAL;
    if (len == 0)
        return 1;
    *last = va + len - 1;
    if (*last < va || !va_canonical(va) || !va_canonical(*last) || (va >> 63) != (*last >> 63))
        return -EINVAL;
    return 0;
}

int pt_create(struct pt *pt)
{
    memset(pt, 0, sizeof(*pt));
    pt->root = table_alloc(pt);
    return pt->root ? 0 : -ENOMEM;
}

static void table_destroy(struct pt *pt, uint64_t tbl, int level)
{
    uint64_t *t = table_of(tbl);
    for (int i = 0; i < ENTRIES && level > 0; i++) {
        if ((t[i] & PTE_P) && !pte_is_leaf(t[i], level))
            table_destroy(pt, t[i] & PTE_ADDR, level - 1);
    }
    frame_meta(tbl)->pt_used = 0;
    table_free(pt, tbl);
}

void pt_destroy(struct pt *pt)
{
    if (pt_is_loaded(pt))
        panic("%s: the page-table tree is loaded", __func__);
    table_destroy(pt, pt->root, LEVELS - 1);
    pt->root = 0;
}

/* Set one leaf of `level` at va, creating tables on the way. */
static int leaf_set(struct pt *pt, uint64_t va, uint64_t pa, int level, uint32_t flags)
{
    uint64_t tbl = pt->root;
    for (int l = LEVELS - 1; l > level; l--) {
        uint64_t *e = &table_of(tbl)[level_index(va, l)];
        if (!(*e & PTE_P)) {
            uint64_t nt = table_alloc(pt);
            if (!nt)
                return -ENOMEM;
            *e = nt | PTE_TABLE;
            table_count(tbl, +1);
        } else if (pte_is_leaf(*e, l)) {
            return -EEXIST;
        }
        tbl = *e & PTE_ADDR;
    }
    uint64_t *e = &table_of(tbl)[level_index(va, level)];
    if (*e & PTE_P)
        return -EEXIST;
    *e = pa | pte_flags_of(flags, level);
    table_count(tbl, +1);
    pt->mapped[level]++;
    return 0;
}

/* A failed leaf_set may have left freshly created, empty tables on the
 * path to va: free them, bottom up. */
static void tables_prune(struct pt *pt, uint64_t va)
{
    struct walk w;
    walk_to(pt, va, -1, &w);
    for (int l = w.level; l < LEVELS - 1; l++) {
        uint64_t tbl = w.table[l];
        if (frame_meta(tbl)->pt_used > 0)
            break;
        table_free(pt, tbl);
        table_of(w.table[l + 1])[level_index(va, l + 1)] = 0;
        table_count(w.table[l + 1], -1);
    }
}

int pt_range_map(struct pt *pt, uint64_t va, uint64_t pa, uint64_t len,
                 uint32_t flags, uint32_t sizes)
{
    uint64_t last;
    int r = range_check(va, len, &last);
    if (r)
        return r < 0 ? r : 0;
    if (!IS_ALIGNED(pa, PAGE_SIZE) || pa + len - 1 < pa || pa + len - 1 >= pt_phys_limit())
        return -EINVAL;
    sizes &= pt_sizes_supported();
    uint64_t off = 0;
    while (off < len) {
        int level = 0;
        for (int l = 2; l >= 1; l--) {
            uint64_t s = level_size(l);
            if ((sizes & (1u << l)) && IS_ALIGNED(va + off, s) &&
                IS_ALIGNED(pa + off, s) && len - off >= s) {
                level = l;
                break;
            }
        }
        int err = leaf_set(pt, va + off, pa + off, level, flags);
        if (err) {
            tables_prune(pt, va + off);
            if (off)
                pt_range_unmap(pt, va, off, NULL, NULL);
            return err;
        }
        off += level_size(level);
    }
    /* Only new entries were written: nothing can be stale in the TLB
     * (x86 does not cache non-present translations). */
    return 0;
}

/* Walk to the leaf at va; split it if it sticks out of [lo, last]. Returns
 * 0 with *w at a leaf fully inside, 1 if va is in a hole (w->level says how
 * big), or -ENOMEM. */
static int walk_leaf_inside(struct pt *pt, uint64_t va, uint64_t lo, uint64_t last, struct walk *w)
{
    for (;;) {
        walk_to(pt, va, -1, w);
        if (!(*w->pte & PTE_P))
            return 1;
        uint64_t start = ALIGN_DOWN(va, level_size(w->level));
        if (start >= lo && last - start >= level_size(w->level) - 1)
            return 0;
        int err = leaf_split(pt, w);
        if (err)
            return err;
    }
}

/* Called for each present leaf fully inside the range being visited. */
typedef void (*leaf_visit_fn)(struct pt *pt, struct walk *w, uint64_t va,
                              struct tlb_batch *tlb, void *arg);

/* Visit every present leaf in [va, va+len), splitting large leaves that
 * stick out of it, then apply the TLB invalidations the visits collected.
 * The shared loop of unmap and protect; same failure rule as theirs. */
static int range_for_each_leaf(struct pt *pt, uint64_t va, uint64_t len,
                               leaf_visit_fn fn, void *arg)
{
    struct tlb_batch tlb = { .pt = pt };
    uint64_t last;
    int err = range_check(va, len, &last);
    if (err)
        return err < 0 ? err : 0;

    for (uint64_t cur = va; cur <= last;) {
        struct walk w;
        int r = walk_leaf_inside(pt, cur, va, last, &w);
        uint64_t next = ALIGN_DOWN(cur, level_size(w.level)) + level_size(w.level);
        if (r < 0) {
            err = r;
            break;
        }
        if (r == 0)
            fn(pt, &w, cur, &tlb, arg);
        if (next <= cur)
            break;      /* wrapped past the top of the address space */
        cur = next;
    }
    tlb_batch_flush(&tlb);
    return err;
}

struct unmap_ctx {
    pt_unmap_fn fn;
    void *arg;
};

static void leaf_unmap(struct pt *pt, struct walk *w, uint64_t va, struct tlb_batch *tlb, void *arg)
{
    struct unmap_ctx *c = arg;
    uint64_t e = *w->pte;
    walk_clear(pt, w, va);
    pt->mapped[w->level]--;
    tlb_batch_add(tlb, va);
    if (c->fn)
        c->fn(va, leaf_addr(e, w->level), level_size(w->level), c->arg);
}

int pt_range_unmap(struct pt *pt, uint64_t va, uint64_t len, pt_unmap_fn fn, void *arg)
{
    struct unmap_ctx c = { fn, arg };
    return range_for_each_leaf(pt, va, len, leaf_unmap, &c);
}

static void leaf_protect(struct pt *pt, struct walk *w, uint64_t va, struct tlb_batch *tlb, void *arg)
{
    uint32_t flags = *(uint32_t *)arg;
    uint64_t e = *w->pte;
    /* Keep Accessed/Dirty: they record what happened, not what is allowed;
     * keep the software bits: they are the owner's per-page state. */
    uint64_t ne = leaf_addr(e, w->level) | pte_flags_of(flags & ~(uint32_t)PT_SOFT_MASK, w->level) |
                  (e & (PTE_A | PTE_D | PTE_SOFT));
    if (e & PTE_SOFT_COW)
        ne &= ~PTE_W;
    if (ne != e) {
        *w->pte = ne;
        tlb_batch_add(tlb, va);
    }
}

int pt_range_protect(struct pt *pt, uint64_t va, uint64_t len, uint32_t flags)
{
    return range_for_each_leaf(pt, va, len, leaf_protect, &flags);
}

int pt_page_replace(struct pt *pt, uint64_t va, uint64_t pa, uint32_t flags, uint64_t *old_pa)
{
    struct walk w;
    if (!IS_ALIGNED(va | pa, PAGE_SIZE) || !va_canonical(va))
        return -EINVAL;
    walk_to(pt, va, -1, &w);
    uint64_t e = *w.pte;
    if (!(e & PTE_P) || w.level != 0)
        return -ENOENT;
    *old_pa = leaf_addr(e, 0);
    *w.pte = pa | pte_flags_of(flags, 0);
    struct tlb_batch tlb = { .pt = pt };
    tlb_batch_add(&tlb, va);
    tlb_batch_flush(&tlb);
    return 0;
}

bool pt_next_present(const struct pt *pt, uint64_t va, uint64_t end, uint64_t *leaf_va,
                     uint64_t *pa, uint32_t *flags, uint64_t *size)
{
    while (va < end) {
        struct walk w;
        walk_to(pt, va, -1, &w);
        uint64_t s = level_size(w.level), start = ALIGN_DOWN(va, s);
        if (*w.pte & PTE_P) {
            *leaf_va = start;
            *pa = leaf_addr(*w.pte, w.level);
            *flags = flags_of_pte(*w.pte);
            *size = s;
            return true;
        }
        if (start + s <= va)
            break;              /* wrapped past the top */
        va = start + s;
    }
    return false;
}

bool pt_query(const struct pt *pt, uint64_t va, uint64_t *pa, uint32_t *flags, uint64_t *size)
{
    struct walk w;
    walk_to(pt, va, -1, &w);
    uint64_t e = *w.pte;
    if (!(e & PTE_P))
        return false;
    uint64_t s = level_size(w.level);
    if (pa)
        *pa = leaf_addr(e, w.level) + (va & (s - 1));
    if (flags)
        *flags = flags_of_pte(e);
    if (size)
        *size = s;
    return true;
}

#ifdef HOST_TEST
const struct pt *host_loaded_pt;
void pt_switch(const struct pt *pt) { host_loaded_pt = pt; }
bool pt_is_loaded(const struct pt *pt) { return host_loaded_pt == pt; }
#else
void pt_switch(const struct pt *pt)
{
    write_cr3(pt->root);
}

bool pt_is_loaded(const struct pt *pt)
{
    return (read_cr3() & PTE_ADDR) == pt->root;
}
#endif
