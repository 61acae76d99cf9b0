/*
 * Host test of the x86-64 page-table code (arch/x86_64/mmu/pt*.c) over the real
 * frame allocator (mm/frame.c) and simulated physical memory
 * (tests/host/host_support.h).
 *
 * Besides the interface (pt_query, the counters in struct pt, the frame
 * allocator's free count), tree_check() walks the tables itself after
 * each step and checks the invariants pt.c documents: every table page has
 * kind PAGETABLE and pt_used == its number of present entries, no table but
 * the root is empty, pt.mapped[] and pt.table_pages match what is there.
 */
/* host-test-sources: arch/x86_64/mmu/pt.c arch/x86_64/mmu/pt_query.c arch/x86_64/mmu/pt_window.c mm/frame.c */
#include "check.h"
#include "host_support.h"
#include <pt.h>
#include <uapi/errno.h>
#include <sys/wait.h>
#include <unistd.h>

#define SIM_BYTES   MiB(64)

/* Entry bits, as the architecture defines them. */
#define E_P     (1ull << 0)
#define E_PS    (1ull << 7)
#define E_ADDR  0x000FFFFFFFFFF000ull

static uint64_t start_free;

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    sim_frames_init(SIM_BYTES);
    start_free = frames_free();
}

/* ---- an independent walk of the tree -------------------------------------- */

struct census {
    uint64_t tables, mapped[3];
    uint64_t errors;
};

static bool kwin_on;                /* the test called pt_kwin_init */

static void census_table(uint64_t tbl, int level, bool root, struct census *c)
{
    c->tables++;
    struct frame *f = frame_meta(tbl);
    const uint64_t *t = phys_to_virt(tbl);
    unsigned present = 0;
    for (int i = 0; i < 512; i++) {
        uint64_t e = t[i];
        if (!(e & E_P))
            continue;
        present++;
        if (level == 3 && kwin_on && i == (int)((PT_KWIN_BASE >> 39) & 511))
            continue;           /* the shared kernel window: no tree's own */
        if (level == 0 || (e & E_PS)) {
            if (level == 3) {
                c->errors++;
                printf("  PS set in a PML4 entry\n");
            } else {
                c->mapped[level]++;
            }
        } else {
            census_table(e & E_ADDR, level - 1, false, c);
        }
    }
    if (!f || f->kind != FRAME_KIND_PAGETABLE || f->refcount != 1 ||
        f->pt_used != present || (!root && present == 0)) {
        if (c->errors++ < 5)
            printf("  table %#lx level %d: kind %u refcount %u pt_used %u, %u present\n",
                   tbl, level, f ? f->kind : 99, f ? f->refcount : 0,
                   f ? f->pt_used : 0, present);
    }
}

/* The tree is consistent with itself and with pt's counters. */
static bool tree_check(const struct pt *pt, const char *what)
{
    struct census c = { 0 };
    census_table(pt->root, 3, true, &c);
    return check_result_(c.errors == 0 && c.tables == pt->table_pages &&
                         c.mapped[0] == pt->mapped[0] && c.mapped[1] == pt->mapped[1] &&
                         c.mapped[2] == pt->mapped[2],
                         __FILE__, __LINE__,
                         "%s: %lu errors; tables %lu (pt says %lu), mapped %lu/%lu/%lu "
                         "(pt says %lu/%lu/%lu)", what, c.errors, c.tables, pt->table_pages,
                         c.mapped[0], c.mapped[1], c.mapped[2],
                         pt->mapped[0], pt->mapped[1], pt->mapped[2]);
}

/* pt_query(va) gives exactly this. */
static bool query_is(const struct pt *pt, uint64_t va, uint64_t pa, uint32_t flags,
                     uint64_t size, int line)
{
    uint64_t qpa = 0, qsize = 0;
    uint32_t qflags = 0;
    bool ok = pt_query(pt, va, &qpa, &qflags, &qsize);
    return check_result_(ok && qpa == pa && qflags == flags && qsize == size,
                         __FILE__, line,
                         "query %#lx: %s pa %#lx flags %#x size %#lx; expected pa %#lx flags %#x size %#lx",
                         va, ok ? "mapped" : "unmapped", qpa, qflags, qsize, pa, flags, size);
}
#define QUERY_IS(pt, va, pa, flags, size) query_is(pt, va, pa, flags, size, __LINE__)
#define UNMAPPED(pt, va) check_result_(!pt_query(pt, va, NULL, NULL, NULL), __FILE__, __LINE__, \
                                       "query %#lx: mapped, expected not", (uint64_t)(va))

/* Unmap callback: records the pieces. */
struct pieces {
    uint64_t n, total, err;
    uint64_t va[64], pa[64], size[64];
};

static void one_piece(uint64_t va, uint64_t pa, uint64_t size, struct pieces *p)
{
    if (p->n < 64) {
        p->va[p->n] = va;
        p->pa[p->n] = pa;
        p->size[p->n] = size;
    }
    /* pieces come in increasing, non-overlapping order */
    if (p->n > 0 && p->n <= 64 && va < p->va[p->n - 1] + p->size[p->n - 1])
        p->err++;
    if (!IS_ALIGNED(va, size) || !IS_ALIGNED(pa, size))
        p->err++;
    p->n++;
    p->total += size;
}

/* The unmap callback: pieces come in batches of 1..PT_PIECES_MAX. */
static void on_unmap(const struct pt_piece *pc, size_t n, void *arg)
{
    struct pieces *p = arg;
    if (n == 0 || n > PT_PIECES_MAX)
        p->err++;
    for (size_t i = 0; i < n; i++)
        one_piece(pc[i].va, pc[i].pa, pc[i].size, p);
}

static void fresh(struct pt *pt)
{
    setup();
    CHECK_EQ_INT(pt_create(pt), 0);
    CHECK_EQ_INT(pt->table_pages, 1);
    CHECK(pt->root != 0 && frame_meta(pt->root)->kind == FRAME_KIND_PAGETABLE);
    pt_switch(NULL);
}

static void done(struct pt *pt)
{
    pt_switch(NULL);
    pt_destroy(pt);
    CHECK_EQ_INT(frames_free(), start_free);
}

#define RW      (PT_WRITE)
#define RWX     (PT_WRITE | PT_EXEC)
#define URW     (PT_USER | PT_WRITE)

/* ---- tests ---------------------------------------------------------------- */

TEST(create_destroy)
{
    struct pt pt;
    fresh(&pt);
    CHECK_EQ_INT(frames_free(), start_free - 1);
    const uint64_t *t = phys_to_virt(pt.root);
    uint64_t nz = 0;
    for (int i = 0; i < 512; i++)
        nz += t[i] != 0;
    CHECK_EQ_INT(nz, 0);
    UNMAPPED(&pt, 0);
    UNMAPPED(&pt, 0x7FFFFFFFF000ull);
    tree_check(&pt, "empty");
    done(&pt);

    /* pt_create with no memory. */
    hog_frames(0);
    CHECK_EQ_INT(pt_create(&pt), -ENOMEM);
    unhog();
    CHECK_EQ_INT(frames_free(), start_free);
}

TEST(map_4k_and_query)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    uint32_t fl[] = { 0, PT_WRITE, PT_EXEC, PT_USER, PT_UNCACHED, RWX | PT_USER,
                      PT_WRITE | PT_UNCACHED };
    for (size_t i = 0; i < ARRAY_SIZE(fl); i++) {
        uint64_t va = 0x400000 + i * 0x10000, pa = 0x12345000 + i * 0x100000;
        CHECK_EQ_INT(pt_range_map(&pt, va, pa, 3 * PAGE_SIZE, fl[i], PT_SIZE_4K), 0);
        for (int j = 0; j < 3; j++)
            QUERY_IS(&pt, va + j * PAGE_SIZE + 0x123, pa + j * PAGE_SIZE + 0x123, fl[i], KiB(4));
        UNMAPPED(&pt, va + 3 * PAGE_SIZE);
        UNMAPPED(&pt, va - PAGE_SIZE);
    }
    CHECK_EQ_INT(pt.mapped[0], 3 * ARRAY_SIZE(fl));
    CHECK_EQ_INT(pt.table_pages, 4);        /* PML4, PDPT, PD, one PT */
    CHECK_EQ_INT(frames_free(), after_create - 3);
    tree_check(&pt, "4k maps");

    /* A high (kernel-half index) and a far user address. */
    CHECK_EQ_INT(pt_range_map(&pt, 0xFFFF800000000000ull, 0x1000, PAGE_SIZE, RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, 0x00007FFFFFFFF000ull, 0x2000, PAGE_SIZE, URW, PT_SIZE_ALL), 0);
    QUERY_IS(&pt, 0xFFFF800000000000ull, 0x1000, RW, KiB(4));
    QUERY_IS(&pt, 0x00007FFFFFFFFFFFull, 0x2FFF, URW, KiB(4));
    CHECK_EQ_INT(pt.table_pages, 10);
    tree_check(&pt, "far maps");

    /* Bad arguments. */
    CHECK_EQ_INT(pt_range_map(&pt, 0x1001, 0x1000, PAGE_SIZE, RW, PT_SIZE_ALL), -EINVAL);
    CHECK_EQ_INT(pt_range_map(&pt, 0x1000, 0x1800, PAGE_SIZE, RW, PT_SIZE_ALL), -EINVAL);
    CHECK_EQ_INT(pt_range_map(&pt, 0x1000, 0x1000, 0x800, RW, PT_SIZE_ALL), -EINVAL);
    CHECK_EQ_INT(pt_range_map(&pt, 0x1000, 0x1000, 0, RW, PT_SIZE_ALL), 0);
    UNMAPPED(&pt, 0x1000);
    tree_check(&pt, "bad args");

    /* Unmap everything: tables go back. */
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, 0x800000000000ull, on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 3 * ARRAY_SIZE(fl) + 1);
    CHECK_EQ_INT(pc.err, 0);
    pc = (struct pieces){ 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, 0xFFFF800000000000ull, GiB(1), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 1);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(pt.mapped[0], 0);
    CHECK_EQ_INT(frames_free(), after_create);
    tree_check(&pt, "all unmapped");
    done(&pt);
}

TEST(large_pages)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();

    /* 1 GiB + 2 MiB + 8 KiB at aligned va/pa: one of each size. */
    uint64_t va = GiB(1), pa = GiB(2), len = GiB(1) + MiB(2) + KiB(8);
    CHECK_EQ_INT(pt_range_map(&pt, va, pa, len, RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[2], 1);
    CHECK_EQ_INT(pt.mapped[1], 1);
    CHECK_EQ_INT(pt.mapped[0], 2);
    CHECK_EQ_INT(pt.table_pages, 4);
    QUERY_IS(&pt, va, pa, RW, GiB(1));
    QUERY_IS(&pt, va + GiB(1) - 1, pa + GiB(1) - 1, RW, GiB(1));
    QUERY_IS(&pt, va + GiB(1) + 0x1234, pa + GiB(1) + 0x1234, RW, MiB(2));
    QUERY_IS(&pt, va + GiB(1) + MiB(2) + KiB(4), pa + GiB(1) + MiB(2) + KiB(4), RW, KiB(4));
    UNMAPPED(&pt, va + len);
    tree_check(&pt, "one of each");

    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, va, len, on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 4);
    CHECK_EQ_INT(pc.total, len);
    CHECK_EQ_INT(pc.err, 0);
    CHECK(pc.va[0] == va && pc.pa[0] == pa && pc.size[0] == GiB(1));
    CHECK(pc.va[1] == va + GiB(1) && pc.pa[1] == pa + GiB(1) && pc.size[1] == MiB(2));
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);

    /* Only some sizes allowed. */
    CHECK_EQ_INT(pt_range_map(&pt, va, pa, GiB(1), RW, PT_SIZE_4K | PT_SIZE_2M), 0);
    CHECK_EQ_INT(pt.mapped[1], 512);
    CHECK_EQ_INT(pt.mapped[2], 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, va, GiB(1), NULL, NULL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, va, pa, MiB(4), RW, PT_SIZE_4K), 0);
    CHECK_EQ_INT(pt.mapped[0], 1024);
    CHECK_EQ_INT(pt.mapped[1], 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, va, MiB(4), NULL, NULL), 0);

    /* pa misaligned for 1 GiB but 2 MiB aligned: 2 MiB pages. */
    CHECK_EQ_INT(pt_range_map(&pt, va, pa + MiB(2), GiB(1), RWX, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[2], 0);
    CHECK_EQ_INT(pt.mapped[1], 512);
    QUERY_IS(&pt, va + MiB(3), pa + MiB(5), RWX, MiB(2));
    tree_check(&pt, "2M for misaligned 1G");
    CHECK_EQ_INT(pt_range_unmap(&pt, va, GiB(1), NULL, NULL), 0);
    /* pa only 4 KiB aligned: 4 KiB pages. */
    CHECK_EQ_INT(pt_range_map(&pt, va, pa + KiB(4), MiB(4), RWX, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[0], 1024);
    CHECK_EQ_INT(pt.mapped[1], 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, va, MiB(4), NULL, NULL), 0);
    /* va 4 KiB below a 2 MiB boundary: one small page, then large ones. */
    CHECK_EQ_INT(pt_range_map(&pt, va + MiB(2) - KiB(4), pa + MiB(2) - KiB(4), MiB(4) + KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[0], 1);
    CHECK_EQ_INT(pt.mapped[1], 2);
    tree_check(&pt, "mixed");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

TEST(map_over_existing_is_eexist)
{
    struct pt pt;
    fresh(&pt);
    uint64_t va = GiB(4);
    CHECK_EQ_INT(pt_range_map(&pt, va, 0x100000, KiB(16), RW, PT_SIZE_ALL), 0);
    uint64_t tp = pt.table_pages, fr = frames_free(), m0 = pt.mapped[0];

    /* Overlapping the start, the end, inside, exactly. */
    CHECK_EQ_INT(pt_range_map(&pt, va - KiB(8), 0x200000, KiB(12), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt_range_map(&pt, va + KiB(12), 0x200000, KiB(8), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt_range_map(&pt, va + KiB(4), 0x200000, KiB(4), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt_range_map(&pt, va, 0x200000, KiB(16), RW, PT_SIZE_ALL), -EEXIST);
    /* A 2 MiB leaf over the 4 KiB pages. */
    CHECK_EQ_INT(pt_range_map(&pt, va, MiB(2), MiB(2), RW, PT_SIZE_ALL), -EEXIST);
    /* A large range whose conflict is far in: [va - 6M, va + 4K). */
    CHECK_EQ_INT(pt_range_map(&pt, va - MiB(6), GiB(8) - MiB(6), MiB(6) + KiB(4), RW, PT_SIZE_ALL), -EEXIST);
    /* ...and one that starts in another PDPT (another 1 GiB region). */
    CHECK_EQ_INT(pt_range_map(&pt, va - GiB(1), GiB(8), GiB(1) + KiB(4), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt.table_pages, tp);
    CHECK_EQ_INT(frames_free(), fr);
    CHECK_EQ_INT(pt.mapped[0], m0);
    CHECK_EQ_INT(pt.mapped[1], 0);
    CHECK_EQ_INT(pt.mapped[2], 0);
    UNMAPPED(&pt, va - KiB(8));
    UNMAPPED(&pt, va - MiB(6));
    UNMAPPED(&pt, va - GiB(1));
    UNMAPPED(&pt, va + KiB(16));
    QUERY_IS(&pt, va, 0x100000, RW, KiB(4));
    tree_check(&pt, "after EEXIST");

    /* 4 KiB inside a 2 MiB leaf and inside a 1 GiB leaf. */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(6), GiB(6), MiB(2), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7), GiB(7), GiB(1), RW, PT_SIZE_ALL), 0);
    tp = pt.table_pages, fr = frames_free();
    CHECK_EQ_INT(pt_range_map(&pt, GiB(6) + KiB(4), 0, KiB(4), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7) + MiB(2), 0, MiB(2), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7) - KiB(4), 0, KiB(8), RW, PT_SIZE_ALL), -EEXIST);
    CHECK_EQ_INT(pt.table_pages, tp);
    CHECK_EQ_INT(frames_free(), fr);
    UNMAPPED(&pt, GiB(7) - KiB(4));
    QUERY_IS(&pt, GiB(6) + KiB(4), GiB(6) + KiB(4), RW, MiB(2));
    tree_check(&pt, "after EEXIST on large");
    done(&pt);
}

TEST(unmap_split)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();

    /* Unmap one 4 KiB page out of a 2 MiB leaf. */
    uint64_t va = MiB(4), pa = MiB(6);
    CHECK_EQ_INT(pt_range_map(&pt, va, pa, MiB(2), PT_WRITE | PT_USER, PT_SIZE_ALL), 0);
    uint64_t tp = pt.table_pages;
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, va + KiB(8), KiB(4), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 1);
    CHECK(pc.va[0] == va + KiB(8) && pc.pa[0] == pa + KiB(8) && pc.size[0] == KiB(4));
    CHECK_EQ_INT(pt.table_pages, tp + 1);
    CHECK_EQ_INT(pt.mapped[1], 0);
    CHECK_EQ_INT(pt.mapped[0], 511);
    QUERY_IS(&pt, va, pa, URW, KiB(4));
    QUERY_IS(&pt, va + KiB(4), pa + KiB(4), URW, KiB(4));
    UNMAPPED(&pt, va + KiB(8));
    QUERY_IS(&pt, va + KiB(12), pa + KiB(12), URW, KiB(4));
    QUERY_IS(&pt, va + MiB(2) - 1, pa + MiB(2) - 1, URW, KiB(4));
    tree_check(&pt, "2M split");

    /* Unmap the middle of a 1 GiB leaf: split to 2 MiB, then to 4 KiB. */
    uint64_t gva = GiB(3), gpa = GiB(5);
    CHECK_EQ_INT(pt_range_map(&pt, gva, gpa, GiB(1), RWX, PT_SIZE_ALL), 0);
    tp = pt.table_pages;
    pc = (struct pieces){ 0 };
    /* [gva + 2M + 4K, gva + 6M): 511 pages of one 2M leaf and a whole 2M leaf */
    CHECK_EQ_INT(pt_range_unmap(&pt, gva + MiB(2) + KiB(4), MiB(4) - KiB(4), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.total, MiB(4) - KiB(4));
    CHECK_EQ_INT(pc.n, 512);
    CHECK_EQ_INT(pc.err, 0);
    CHECK_EQ_INT(pt.mapped[2], 0);
    CHECK_EQ_INT(pt.mapped[1], 512 - 2);
    CHECK_EQ_INT(pt.mapped[0], 511 + 1);     /* the 2 MiB split above, and here */
    CHECK_EQ_INT(pt.table_pages, tp + 2);
    QUERY_IS(&pt, gva, gpa, RWX, MiB(2));
    QUERY_IS(&pt, gva + MiB(2), gpa + MiB(2), RWX, KiB(4));
    UNMAPPED(&pt, gva + MiB(2) + KiB(4));
    UNMAPPED(&pt, gva + MiB(6) - 1);
    QUERY_IS(&pt, gva + MiB(6), gpa + MiB(6), RWX, MiB(2));
    QUERY_IS(&pt, gva + GiB(1) - 1, gpa + GiB(1) - 1, RWX, MiB(2));
    tree_check(&pt, "1G split");

    /* Unmap everything, with holes: the pieces add up. */
    pc = (struct pieces){ 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(8), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.total, MiB(2) - KiB(4) + GiB(1) - MiB(4) + KiB(4));
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(pt.mapped[0] + pt.mapped[1] + pt.mapped[2], 0);
    CHECK_EQ_INT(frames_free(), after_create);
    tree_check(&pt, "all gone");
    done(&pt);
}

TEST(protect)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();

    CHECK_EQ_INT(pt_range_map(&pt, 0x10000, 0x50000, KiB(64), RW, PT_SIZE_4K), 0);
    CHECK_EQ_INT(pt_range_protect(&pt, 0x14000, KiB(8), PT_USER | PT_EXEC), 0);
    QUERY_IS(&pt, 0x13000, 0x53000, RW, KiB(4));
    QUERY_IS(&pt, 0x14000, 0x54000, PT_USER | PT_EXEC, KiB(4));
    QUERY_IS(&pt, 0x15000, 0x55000, PT_USER | PT_EXEC, KiB(4));
    QUERY_IS(&pt, 0x16000, 0x56000, RW, KiB(4));
    /* Holes in the range are skipped, not mapped. */
    CHECK_EQ_INT(pt_range_protect(&pt, 0, MiB(1), PT_UNCACHED), 0);
    UNMAPPED(&pt, 0);
    UNMAPPED(&pt, 0x20000);
    QUERY_IS(&pt, 0x1F000, 0x5F000, PT_UNCACHED, KiB(4));
    CHECK_EQ_INT(pt.mapped[0], 16);
    tree_check(&pt, "4k protect");

    /* Part of a 2 MiB leaf. */
    CHECK_EQ_INT(pt_range_map(&pt, MiB(8), MiB(8), MiB(2), RW, PT_SIZE_ALL), 0);
    uint64_t tp = pt.table_pages;
    CHECK_EQ_INT(pt_range_protect(&pt, MiB(9), KiB(4), 0), 0);
    CHECK_EQ_INT(pt.table_pages, tp + 1);
    QUERY_IS(&pt, MiB(9) - 1, MiB(9) - 1, RW, KiB(4));
    QUERY_IS(&pt, MiB(9), MiB(9), 0, KiB(4));
    QUERY_IS(&pt, MiB(9) + KiB(4), MiB(9) + KiB(4), RW, KiB(4));
    /* A whole 2 MiB leaf keeps its size. */
    CHECK_EQ_INT(pt_range_map(&pt, MiB(12), MiB(12), MiB(2), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_protect(&pt, MiB(12), MiB(2), PT_EXEC), 0);
    QUERY_IS(&pt, MiB(13), MiB(13), PT_EXEC, MiB(2));
    tree_check(&pt, "2M protect");

    /* Part of a 1 GiB leaf. */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(2), GiB(9), GiB(1), URW, PT_SIZE_ALL), 0);
    tp = pt.table_pages;
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(2) + MiB(100), MiB(2) + KiB(4), PT_USER), 0);
    CHECK_EQ_INT(pt.table_pages, tp + 2);
    QUERY_IS(&pt, GiB(2), GiB(9), URW, MiB(2));
    QUERY_IS(&pt, GiB(2) + MiB(100), GiB(9) + MiB(100), PT_USER, MiB(2));
    QUERY_IS(&pt, GiB(2) + MiB(102), GiB(9) + MiB(102), PT_USER, KiB(4));
    QUERY_IS(&pt, GiB(2) + MiB(102) + KiB(4), GiB(9) + MiB(102) + KiB(4), URW, KiB(4));
    QUERY_IS(&pt, GiB(3) - 1, GiB(10) - 1, URW, MiB(2));
    tree_check(&pt, "1G protect");

    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(4), NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

TEST(invalidation)
{
    struct pt pt, other;
    fresh(&pt);
    CHECK_EQ_INT(pt_create(&other), 0);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(1), 0, MiB(2) + KiB(256), RW, PT_SIZE_ALL), 0);

    /* Not loaded: nothing recorded. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), KiB(256), 0), 0);
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), KiB(8), RW), 0);
    pt_switch(&other);
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), KiB(8), 0), 0);
    CHECK_EQ_INT(pt.invlpgs, 0);
    CHECK_EQ_INT(pt.full_flushes, 0);

    /* Loaded. Mapping invalidates nothing (only new entries). */
    pt_switch(&pt);
    CHECK(pt_is_loaded(&pt) && !pt_is_loaded(&other));
    CHECK_EQ_INT(pt_range_map(&pt, GiB(2), 0, KiB(64), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.invlpgs + pt.full_flushes, 0);
    /* Up to PT_INVLPG_MAX pages: one invlpg each. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), PT_INVLPG_MAX * PAGE_SIZE, RWX), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX);
    CHECK_EQ_INT(pt.full_flushes, 0);
    /* Unchanged entries need nothing. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), PT_INVLPG_MAX * PAGE_SIZE, RWX), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX);
    /* One more: a full flush instead. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1) + MiB(2), (PT_INVLPG_MAX + 1) * PAGE_SIZE, PT_USER), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX);
    CHECK_EQ_INT(pt.full_flushes, 1);
    /* A 2 MiB leaf is one invalidation. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1), MiB(2), 0), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX + 1);
    /* Unmap: the same rules. */
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(2), KiB(12), NULL, NULL), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX + 4);
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(1), MiB(4), NULL, NULL), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX + 4);
    CHECK_EQ_INT(pt.full_flushes, 2);
    /* Unmapping holes only: nothing. */
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(100), GiB(1), NULL, NULL), 0);
    CHECK_EQ_INT(pt.invlpgs, PT_INVLPG_MAX + 4);
    CHECK_EQ_INT(pt.full_flushes, 2);
    CHECK_EQ_INT(other.invlpgs + other.full_flushes, 0);

    /* Destroying a loaded tree panics. */
    EXPECT_PANIC(pt_destroy(&pt));
    CHECK(pt.root != 0);
    tree_check(&pt, "invalidation");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    pt_switch(NULL);
    pt_destroy(&other);
    done(&pt);
}

TEST(out_of_memory)
{
    struct pt pt;
    fresh(&pt);

    /* A fresh 4 KiB mapping far from anything needs PDPT + PD + PT. */
    for (uint64_t keep = 0; keep < 3; keep++) {
        hog_frames(keep);
        CHECK_EQ_INT(pt_range_map(&pt, GiB(7), 0, KiB(4), RW, PT_SIZE_ALL), -ENOMEM);
        CHECK_EQ_INT(pt.table_pages, 1);
        CHECK_EQ_INT(frames_free(), keep);
        tree_check(&pt, "enomem single");
        unhog();
    }
    /* A range crossing a 2 MiB boundary: the second PT fails after the
     * first part was mapped; that part must be undone. */
    hog_frames(3);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7) + MiB(2) - KiB(8), 0, KiB(16), RW, PT_SIZE_ALL), -ENOMEM);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(pt.mapped[0], 0);
    CHECK_EQ_INT(frames_free(), 3);
    UNMAPPED(&pt, GiB(7) + MiB(2) - KiB(8));
    tree_check(&pt, "enomem partial");
    /* With a fourth frame it works. */
    unhog();
    hog_frames(4);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7) + MiB(2) - KiB(8), 0, KiB(16), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(frames_free(), 0);
    CHECK_EQ_INT(pt.table_pages, 5);
    /* Existing tables partly there: a new PD in a used PDPT fails cleanly. */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(6), 0, KiB(4), RW, PT_SIZE_ALL), -ENOMEM);
    CHECK_EQ_INT(pt.table_pages, 5);
    tree_check(&pt, "enomem in used tree");
    /* Splitting needs a table: unmap/protect of part of a large page fail
     * and leave it alone; a whole large page needs none. The tree now has
     * 4 KiB pages at 7G+2M-8K .. 7G+2M+8K (two PTs). */
    unhog();
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7) + MiB(4), 0, MiB(2), RW, PT_SIZE_ALL), 0);
    hog_frames(0);
    uint64_t tp = pt.table_pages;
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(7) + MiB(4) + KiB(4), KiB(4), 0), -ENOMEM);
    QUERY_IS(&pt, GiB(7) + MiB(4) + KiB(4), KiB(4), RW, MiB(2));
    CHECK_EQ_INT(pt.table_pages, tp);
    /* Unmap [7G+2M+4K, 7G+4M+4K): the page at 7G+2M+4K goes (its PT
     * stays, 7G+2M is still mapped), then the 2 MiB leaf needs a split:
     * -ENOMEM, and the leaf is untouched. */
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(7) + MiB(2) + KiB(4), MiB(2), on_unmap, &pc), -ENOMEM);
    CHECK_EQ_INT(pc.n, 1);
    CHECK_EQ_INT(pc.total, KiB(4));
    UNMAPPED(&pt, GiB(7) + MiB(2) + KiB(4));
    QUERY_IS(&pt, GiB(7) + MiB(2), 0x2000, RW, KiB(4));
    QUERY_IS(&pt, GiB(7) + MiB(4), 0, RW, MiB(2));
    CHECK_EQ_INT(pt.mapped[0], 3);
    CHECK_EQ_INT(pt.mapped[1], 1);
    CHECK_EQ_INT(pt.table_pages, tp);
    tree_check(&pt, "enomem split");
    /* Protecting or unmapping the whole 2 MiB leaf needs no memory. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(7) + MiB(4), MiB(2), PT_EXEC), 0);
    QUERY_IS(&pt, GiB(7) + MiB(5), MiB(1), PT_EXEC, MiB(2));
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(7) + MiB(4), MiB(2), NULL, NULL), 0);
    CHECK_EQ_INT(pt.mapped[1], 0);
    unhog();
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    tree_check(&pt, "enomem end");
    done(&pt);
}

TEST(destroy_returns_every_table)
{
    struct pt pt;
    fresh(&pt);
    rng_seed(99);
    for (int i = 0; i < 200; i++) {
        uint64_t va = rng_below(1ull << 35) & ~(PAGE_SIZE - 1);
        int r = pt_range_map(&pt, va, va, PAGE_SIZE * (1 + rng_below(4)), RW, PT_SIZE_ALL);
        CHECK(r == 0 || r == -EEXIST);
    }
    CHECK_EQ_INT(pt_range_map(&pt, GiB(100), 0, GiB(2), RW, PT_SIZE_ALL), 0);
    tree_check(&pt, "before destroy");
    CHECK(pt.table_pages > 100);
    CHECK_EQ_INT(frames_free(), start_free - pt.table_pages);
    done(&pt);
    CHECK_EQ_INT(pt.root, 0);
}

/* Run fn in a child process (it may crash): returns its wait status. */
static int in_child(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        fn();
        _exit(0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    return st;
}

static void unaligned_unmap_child(void)
{
    struct pt pt;
    pt_create(&pt);
    pt_range_map(&pt, MiB(4), MiB(8), KiB(8), RW, PT_SIZE_ALL);
    alarm(5);
    /* Half a page: the documented interface does not say this is invalid. */
    int r = pt_range_unmap(&pt, MiB(4) + 0x800, 0x800, NULL, NULL);
    bool ok = tree_check(&pt, "unaligned unmap");
    _exit(r == -EINVAL && ok ? 0 : 10 + (r < 0 ? -r : r));
}

static void unaligned_protect_child(void)
{
    struct pt pt;
    pt_create(&pt);
    pt_range_map(&pt, MiB(4), MiB(8), KiB(8), RW, PT_SIZE_ALL);
    alarm(5);
    int r = pt_range_protect(&pt, MiB(4), 0x1800, 0);
    bool ok = tree_check(&pt, "unaligned protect");
    _exit(r == -EINVAL && ok ? 0 : 10 + (r < 0 ? -r : r));
}

TEST(unaligned_unmap_protect)
{
    setup();
    /* pt_range_map rejects unaligned arguments with -EINVAL; unmap and
     * protect should too (or round), never corrupt the tree. */
    int st = in_child(unaligned_unmap_child);
    check_result_(WIFEXITED(st) && WEXITSTATUS(st) == 0, __FILE__, __LINE__,
                  "pt_range_unmap(va + 0x800, 0x800): child %s %d (want exit 0 = -EINVAL, tree intact)",
                  WIFEXITED(st) ? "exited" : "killed by signal",
                  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
    st = in_child(unaligned_protect_child);
    check_result_(WIFEXITED(st) && WEXITSTATUS(st) == 0, __FILE__, __LINE__,
                  "pt_range_protect(va, 0x1800): child %s %d (want exit 0 = -EINVAL, tree intact)",
                  WIFEXITED(st) ? "exited" : "killed by signal",
                  WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

#define TOP2M   0xFFFFFFFFFFE00000ull      /* the last 2 MiB of the address space */
#define TOP4K   0xFFFFFFFFFFFFF000ull      /* the last page */

TEST(top_of_address_space)
{
    struct pt pt;
    /* The last 2 MiB as one leaf; unmapping its first page must split it,
     * not remove all of it. */
    fresh(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, TOP2M, GiB(1), MiB(2), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[1], 1);
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, TOP2M, KiB(4), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.total, KiB(4));
    UNMAPPED(&pt, TOP2M);
    QUERY_IS(&pt, TOP4K, GiB(1) + MiB(2) - KiB(4), RW, KiB(4));
    tree_check(&pt, "top unmap");
    done(&pt);

    /* Protecting its first page likewise. */
    fresh(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, TOP2M, GiB(1), MiB(2), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_protect(&pt, TOP2M, KiB(4), 0), 0);
    QUERY_IS(&pt, TOP2M, GiB(1), 0, KiB(4));
    QUERY_IS(&pt, TOP4K, GiB(1) + MiB(2) - KiB(4), RW, KiB(4));
    tree_check(&pt, "top protect");
    done(&pt);

    /* Ranges that end exactly at 2^64. */
    fresh(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, TOP4K, 0x3000, KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_protect(&pt, TOP4K, KiB(4), PT_EXEC), 0);
    QUERY_IS(&pt, TOP4K, 0x3000, PT_EXEC, KiB(4));
    pc = (struct pieces){ 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, TOP4K, KiB(4), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 1);
    UNMAPPED(&pt, TOP4K);
    CHECK_EQ_INT(pt.table_pages, 1);
    done(&pt);

    /* A map that would wrap past the top is refused and maps nothing (in
     * particular not address 0). */
    fresh(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, TOP4K - KiB(4), 0x5000, KiB(12), RW, PT_SIZE_ALL), -EINVAL);
    UNMAPPED(&pt, 0);
    UNMAPPED(&pt, TOP4K);
    done(&pt);

    /* A non-canonical address does not alias a canonical one. */
    fresh(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, 0x0000800000000000ull, 0x7000, KiB(4), RW, PT_SIZE_ALL), -EINVAL);
    UNMAPPED(&pt, 0xFFFF800000000000ull);
    done(&pt);
}

/* ---- deferred freeing and invalidation (SDM Vol. 3A 4.10.4.2) ------------ */

/* Physical address of the level-`level` table on va's path, or 0. */
static uint64_t table_at(const struct pt *pt, uint64_t va, int level)
{
    uint64_t tbl = pt->root;
    for (int l = 3; l > level; l--) {
        uint64_t e = ((const uint64_t *)phys_to_virt(tbl))[(va >> (12 + 9 * l)) & 511];
        if (!(e & E_P) || (e & E_PS))
            return 0;
        tbl = e & E_ADDR;
    }
    return tbl;
}

static uint64_t flushes(const struct pt *pt)
{
    return pt->invlpgs + pt->full_flushes;
}

TEST(freed_table_not_reused_inside_operation)
{
    struct pt pt;
    fresh(&pt);
    pt_switch(&pt);
    /* A lone 4 KiB page (its own PT) next to a 2 MiB leaf in the same PD.
     * Unmapping both the page and a piece of the leaf in one call empties
     * the PT first, then needs a table to split the leaf: the emptied PT
     * must not come back from the (LIFO) allocator before the flush. */
    uint64_t va = GiB(1);
    CHECK_EQ_INT(pt_range_map(&pt, va, MiB(8), KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, va + MiB(2), MiB(16), MiB(2), RW, PT_SIZE_ALL), 0);
    uint64_t old_pt = table_at(&pt, va, 0), f0 = flushes(&pt);
    CHECK(old_pt != 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, va, MiB(2) + KiB(4), NULL, NULL), 0);
    uint64_t split_pt = table_at(&pt, va + MiB(2), 0);
    CHECK(split_pt != 0);
    check_result_(split_pt != old_pt, __FILE__, __LINE__,
                  "the split got table %#lx, the page unlinked earlier in the same unmap", split_pt);
    CHECK(frame_meta(old_pt)->kind != FRAME_KIND_PAGETABLE);       /* freed by now */
    CHECK(flushes(&pt) > f0);
    UNMAPPED(&pt, va);
    UNMAPPED(&pt, va + MiB(2));
    QUERY_IS(&pt, va + MiB(2) + KiB(4), MiB(16) + KiB(4), RW, KiB(4));
    tree_check(&pt, "split after unlink");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    done(&pt);
}

TEST(failed_map_invalidates_its_tables)
{
    struct pt pt;
    fresh(&pt);
    pt_switch(&pt);
    /* -ENOMEM: the PDPT and PD are linked, then the PT cannot be had. The
     * CPU may have cached the new PML4 and PDPT entries: unlinking them
     * needs an invalidation even though no leaf was ever present. */
    hog_frames(2);
    uint64_t f0 = flushes(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(7), 0, KiB(4), RW, PT_SIZE_ALL), -ENOMEM);
    CHECK(flushes(&pt) > f0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), 2);
    unhog();
    tree_check(&pt, "enomem tables");

    /* -EEXIST after tables were made and a page was mapped: a 1 GiB leaf
     * at 9G, and a map of [9G - 4K, 9G + 4K). */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(9), GiB(2), GiB(1), RW, PT_SIZE_ALL), 0);
    uint64_t tp = pt.table_pages, fr = frames_free();
    f0 = flushes(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(9) - KiB(4), 0, KiB(8), RW, PT_SIZE_4K), -EEXIST);
    CHECK(flushes(&pt) > f0);
    CHECK_EQ_INT(pt.table_pages, tp);
    CHECK_EQ_INT(frames_free(), fr);
    UNMAPPED(&pt, GiB(9) - KiB(4));
    QUERY_IS(&pt, GiB(9), GiB(2), RW, GiB(1));
    tree_check(&pt, "eexist tables");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    done(&pt);
}

/* The unmap callback runs only after an invalidation covering its piece. */
struct after_flush {
    const struct pt *pt;
    uint64_t flushes_before;        /* at the start of the unmap */
    uint64_t early;                 /* callbacks that came before any flush */
    struct pieces pc;
};

static void on_unmap_after_flush(const struct pt_piece *pc, size_t n, void *arg)
{
    struct after_flush *a = arg;
    if (flushes(a->pt) == a->flushes_before)
        a->early += n;
    on_unmap(pc, n, &a->pc);
}

TEST(unmap_callback_after_flush_many_tables)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    pt_switch(&pt);
    /* 100 pages 2 MiB apart: 100 PTs (more than one batch of tables) and
     * 100 pieces (more than one batch of pieces), unmapped in one call. */
    for (int i = 0; i < 100; i++)
        CHECK_EQ_INT(pt_range_map(&pt, GiB(1) + MiB(2) * i, MiB(4) + KiB(4) * i, KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.table_pages, 103);
    struct after_flush a = { .pt = &pt, .flushes_before = flushes(&pt) };
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(1), MiB(200), on_unmap_after_flush, &a), 0);
    CHECK_EQ_INT(a.early, 0);
    CHECK_EQ_INT(a.pc.n, 100);
    CHECK_EQ_INT(a.pc.err, 0);
    CHECK_EQ_INT(a.pc.va[63], GiB(1) + MiB(2) * 63);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);
    tree_check(&pt, "many tables");
    done(&pt);
}

/* ---- the walker's edge cases ---------------------------------------------- */

TEST(walker_crosses_table_boundaries)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();

    /* Four 4 KiB pages across a PML4 entry boundary (512 GiB). */
    uint64_t va = GiB(512) - KiB(8);
    CHECK_EQ_INT(pt_range_map(&pt, va, MiB(1), KiB(16), RW, PT_SIZE_4K), 0);
    CHECK_EQ_INT(pt.table_pages, 7);
    for (int i = 0; i < 4; i++)
        QUERY_IS(&pt, va + KiB(4) * i, MiB(1) + KiB(4) * i, RW, KiB(4));
    UNMAPPED(&pt, va - KiB(4));
    UNMAPPED(&pt, va + KiB(16));
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, va + KiB(4), KiB(8), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 2);
    CHECK_EQ_INT(pc.err, 0);
    CHECK(pc.va[0] == va + KiB(4) && pc.va[1] == va + KiB(8));
    QUERY_IS(&pt, va, MiB(1), RW, KiB(4));
    UNMAPPED(&pt, va + KiB(4));
    UNMAPPED(&pt, va + KiB(8));
    QUERY_IS(&pt, va + KiB(12), MiB(1) + KiB(12), RW, KiB(4));
    CHECK_EQ_INT(pt.table_pages, 7);
    tree_check(&pt, "across 512G");
    CHECK_EQ_INT(pt_range_protect(&pt, va, KiB(16), PT_EXEC), 0);
    QUERY_IS(&pt, va, MiB(1), PT_EXEC, KiB(4));
    QUERY_IS(&pt, va + KiB(12), MiB(1) + KiB(12), PT_EXEC, KiB(4));
    CHECK_EQ_INT(pt_range_unmap(&pt, va, KiB(16), NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);

    /* Mixed sizes across 2 MiB and 1 GiB boundaries: 4K, 2M | 2M, 4K. */
    va = GiB(2) - MiB(2) - KiB(4);
    CHECK_EQ_INT(pt_range_map(&pt, va, va, MiB(4) + KiB(8), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[0], 2);
    CHECK_EQ_INT(pt.mapped[1], 2);
    QUERY_IS(&pt, va, va, RW, KiB(4));
    QUERY_IS(&pt, GiB(2) - 1, GiB(2) - 1, RW, MiB(2));
    QUERY_IS(&pt, GiB(2), GiB(2), RW, MiB(2));
    QUERY_IS(&pt, GiB(2) + MiB(2), GiB(2) + MiB(2), RW, KiB(4));
    tree_check(&pt, "mixed across 1G");
    pc = (struct pieces){ 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, va, MiB(4) + KiB(8), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 4);
    CHECK_EQ_INT(pc.total, MiB(4) + KiB(8));
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

TEST(walker_large_leaves_partly_inside)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    /* Two 1 GiB leaves; unmap the 2 MiB around the boundary between them:
     * each is split into 2 MiB leaves, and the two touching the range into
     * 4 KiB ones. */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(4), GiB(4), GiB(2), URW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[2], 2);
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(5) - MiB(1), MiB(2), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 512);
    CHECK_EQ_INT(pc.total, MiB(2));
    CHECK_EQ_INT(pc.err, 0);
    CHECK_EQ_INT(pt.mapped[2], 0);
    CHECK_EQ_INT(pt.mapped[1], 2 * 511);
    CHECK_EQ_INT(pt.mapped[0], 512);
    CHECK_EQ_INT(pt.table_pages, 6);
    QUERY_IS(&pt, GiB(5) - MiB(1) - 1, GiB(5) - MiB(1) - 1, URW, KiB(4));
    UNMAPPED(&pt, GiB(5) - MiB(1));
    UNMAPPED(&pt, GiB(5) + MiB(1) - 1);
    QUERY_IS(&pt, GiB(5) + MiB(1), GiB(5) + MiB(1), URW, KiB(4));
    QUERY_IS(&pt, GiB(4), GiB(4), URW, MiB(2));
    QUERY_IS(&pt, GiB(6) - 1, GiB(6) - 1, URW, MiB(2));
    tree_check(&pt, "two 1G split");

    /* Protect a range that starts inside one 2 MiB leaf and ends inside a
     * 4 KiB run: only the pages inside change. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(4) + MiB(1), MiB(3), PT_USER), 0);
    QUERY_IS(&pt, GiB(4) + MiB(1) - 1, GiB(4) + MiB(1) - 1, URW, KiB(4));
    QUERY_IS(&pt, GiB(4) + MiB(1), GiB(4) + MiB(1), PT_USER, KiB(4));
    QUERY_IS(&pt, GiB(4) + MiB(2), GiB(4) + MiB(2), PT_USER, MiB(2));
    QUERY_IS(&pt, GiB(4) + MiB(4), GiB(4) + MiB(4), URW, MiB(2));
    tree_check(&pt, "protect partly");
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(4), GiB(2), NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

TEST(walker_to_the_top)
{
    struct pt pt;
    fresh(&pt);
    /* [top - 2M - 8K, 2^64): two 4 KiB pages, then the last 2 MiB as one
     * leaf (pa 2 MiB aligned there). */
    uint64_t va = TOP2M - KiB(8), pa = GiB(1) - KiB(8);
    CHECK_EQ_INT(pt_range_map(&pt, va, pa, MiB(2) + KiB(8), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.mapped[0], 2);
    CHECK_EQ_INT(pt.mapped[1], 1);
    QUERY_IS(&pt, TOP4K + 0xFFF, GiB(1) + MiB(2) - 1, RW, MiB(2));
    /* Protect the last MiB: the leaf is split, 256 pages change. */
    CHECK_EQ_INT(pt_range_protect(&pt, 0xFFFFFFFFFFF00000ull, MiB(1), PT_EXEC), 0);
    CHECK_EQ_INT(pt.mapped[0], 2 + 512);
    QUERY_IS(&pt, 0xFFFFFFFFFFF00000ull - KiB(4), GiB(1) + MiB(1) - KiB(4), RW, KiB(4));
    QUERY_IS(&pt, 0xFFFFFFFFFFF00000ull, GiB(1) + MiB(1), PT_EXEC, KiB(4));
    QUERY_IS(&pt, TOP4K, GiB(1) + MiB(2) - KiB(4), PT_EXEC, KiB(4));
    tree_check(&pt, "top protect");
    /* Unmap from 4 KiB above the start to the very top. */
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, va + KiB(4), MiB(2) + KiB(4), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.total, MiB(2) + KiB(4));
    CHECK_EQ_INT(pc.err, 0);
    QUERY_IS(&pt, va, pa, RW, KiB(4));
    UNMAPPED(&pt, TOP4K);
    tree_check(&pt, "top unmap");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0xFFFF800000000000ull, 0x800000000000ull, NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    done(&pt);
}

TEST(walker_enomem_half_way)
{
    struct pt pt;
    fresh(&pt);
    pt_switch(&pt);
    /* A map across a PML4 boundary: the first half gets its PDPT, PD and
     * PT and is mapped, the second half's PDPT cannot be had. Nothing may
     * stay, and the unlinked tables are invalidated. */
    hog_frames(3);
    uint64_t f0 = flushes(&pt);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(512) - KiB(8), 0, KiB(16), RW, PT_SIZE_ALL), -ENOMEM);
    CHECK(flushes(&pt) > f0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(pt.mapped[0], 0);
    CHECK_EQ_INT(frames_free(), 3);
    UNMAPPED(&pt, GiB(512) - KiB(8));
    unhog();
    tree_check(&pt, "map enomem across 512G");

    /* An unmap over 4 KiB pages, then into a 1 GiB leaf with one free
     * frame: the 1 GiB leaf is split into 2 MiB leaves, the 2 MiB one that
     * sticks out cannot be. Documented state: the 4 KiB pages before are
     * unmapped, the rest translates as before (now as 2 MiB leaves). */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(3) - KiB(8), MiB(4), KiB(8), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(3), GiB(3), GiB(1), RW, PT_SIZE_ALL), 0);
    hog_frames(1);
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(3) - KiB(8), KiB(8) + MiB(1), on_unmap, &pc), -ENOMEM);
    unhog();
    CHECK_EQ_INT(pc.n, 2);
    CHECK_EQ_INT(pc.total, KiB(8));
    UNMAPPED(&pt, GiB(3) - KiB(8));
    UNMAPPED(&pt, GiB(3) - KiB(4));
    QUERY_IS(&pt, GiB(3), GiB(3), RW, MiB(2));
    QUERY_IS(&pt, GiB(4) - 1, GiB(4) - 1, RW, MiB(2));
    CHECK_EQ_INT(pt.mapped[2], 0);
    CHECK_EQ_INT(pt.mapped[1], 512);
    CHECK_EQ_INT(pt.mapped[0], 0);
    tree_check(&pt, "unmap enomem in a 1G leaf");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    done(&pt);
}

TEST(map_leaf)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    pt_switch(&pt);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(1) + KiB(4), MiB(8), KiB(4), URW), 0);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(1) + MiB(2), MiB(4), MiB(2), RWX), 0);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(2), GiB(5), GiB(1), 0), 0);
    QUERY_IS(&pt, GiB(1) + KiB(4), MiB(8), URW, KiB(4));
    QUERY_IS(&pt, GiB(1) + MiB(3), MiB(5), RWX, MiB(2));
    QUERY_IS(&pt, GiB(3) - 1, GiB(6) - 1, 0, GiB(1));
    CHECK_EQ_INT(pt.table_pages, 4);
    tree_check(&pt, "map_leaf");
    /* Over existing leaves, under a large one, over a table. */
    uint64_t tp = pt.table_pages;
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(1) + KiB(4), 0, KiB(4), RW), -EEXIST);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(1) + MiB(2) + KiB(4), 0, KiB(4), RW), -EEXIST);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(2) + MiB(2), 0, MiB(2), RW), -EEXIST);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(1), 0, MiB(2), RW), -EEXIST);
    CHECK_EQ_INT(pt.table_pages, tp);
    /* Bad arguments. */
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(8), 0, KiB(8), RW), -EINVAL);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(8) + KiB(4), 0, MiB(2), RW), -EINVAL);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(8), KiB(4), MiB(2), RW), -EINVAL);
    CHECK_EQ_INT(pt_map_leaf(&pt, 0x0000800000000000ull, 0, KiB(4), RW), -EINVAL);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(8), 1ull << 52, KiB(4), RW), -EINVAL);
    /* Out of memory after making some tables: they go again, with an
     * invalidation (the tree is loaded). */
    hog_frames(2);
    uint64_t f0 = flushes(&pt);
    CHECK_EQ_INT(pt_map_leaf(&pt, GiB(600), 0, KiB(4), RW), -ENOMEM);
    CHECK(flushes(&pt) > f0);
    CHECK_EQ_INT(pt.table_pages, tp);
    CHECK_EQ_INT(frames_free(), 2);
    unhog();
    UNMAPPED(&pt, GiB(600));
    tree_check(&pt, "map_leaf enomem");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

/* ---- reserve, A/D bits ---------------------------------------------------- */

TEST(map_tables_max_is_exact_for_an_empty_tree)
{
    struct pt pt;
    rng_seed(5);
    static const uint32_t sizes[] = { PT_SIZE_ALL, PT_SIZE_4K, PT_SIZE_4K | PT_SIZE_2M };
    for (int i = 0; i < 300; i++) {
        fresh(&pt);
        uint64_t va, pa = GiB(rng_below(4)) + (rng_below(3) ? MiB(2) * rng_below(512) : PAGE_SIZE * rng_below(1 << 18));
        uint64_t len = PAGE_SIZE * (1 + rng_below(rng_below(4) ? 3000 : 600000));
        if (i % 10 == 0)
            va = 0 - len;                               /* ends at the top */
        else
            va = (rng_below(2) ? GiB(512) * rng_below(4) : 0) + PAGE_SIZE * rng_below(1 << 20) +
                 (rng_below(2) ? pa & (GiB(1) - 1) : 0);
        va &= ~(PAGE_SIZE - 1);
        uint32_t sz = sizes[rng_below(3)];
        uint64_t want = pt_map_tables_max(va, pa, len, sz);
        int r = pt_range_map(&pt, va, pa, len, RW, sz);
        if (!check_result_(r == 0 && pt.table_pages - 1 == want, __FILE__, __LINE__,
                           "map [%#lx, +%#lx) -> %#lx sizes %#x: %d, %lu tables, predicted %lu",
                           va, len, pa, sz, r, pt.table_pages - 1, want))
            i = 1000;
        pt_range_unmap(&pt, va, len, NULL, NULL);
        done(&pt);
    }
}

TEST(reserve_makes_a_map_infallible)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    uint64_t need = pt_map_tables_max(GiB(3) + KiB(4), 0, MiB(4), PT_SIZE_ALL);
    CHECK_EQ_INT(need, 5);                      /* PDPT, PD, 3 PTs */
    CHECK_EQ_INT(pt_reserve(&pt, need), 0);
    CHECK_EQ_INT(frames_free(), after_create - need);
    hog_frames(0);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(3) + KiB(4), 0, MiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.reserved, 0);
    CHECK_EQ_INT(pt.table_pages, 1 + need);
    /* Not enough: nothing set aside. */
    CHECK_EQ_INT(pt_reserve(&pt, 1), -ENOMEM);
    CHECK_EQ_INT(pt.reserved, 0);
    unhog();
    tree_check(&pt, "map from the reserve");
    /* Unused reserve goes back. */
    CHECK_EQ_INT(pt_reserve(&pt, 7), 0);
    CHECK_EQ_INT(pt_range_map(&pt, GiB(3) + MiB(6), 0, KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt.reserved, 6);
    pt_reserve_release(&pt);
    CHECK_EQ_INT(pt.reserved, 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    CHECK_EQ_INT(frames_free(), after_create);
    /* pt_destroy gives back a reserve too. */
    CHECK_EQ_INT(pt_reserve(&pt, 3), 0);
    done(&pt);
}

#define E_A     (1ull << 5)
#define E_D     (1ull << 6)

TEST(split_keeps_accessed_dirty)
{
    struct pt pt;
    fresh(&pt);
    /* A 2 MiB leaf the CPU has read and written (A and D set by hand), then
     * a 4 KiB piece of it is unmapped, which splits it: the 511 remaining
     * pages were (as far as anyone knows) read and written too. */
    CHECK_EQ_INT(pt_range_map(&pt, GiB(1), MiB(2), MiB(2), RW, PT_SIZE_ALL), 0);
    uint64_t *pd = phys_to_virt(table_at(&pt, GiB(1), 1));
    pd[0] |= E_A | E_D;
    CHECK_EQ_INT(pt_range_unmap(&pt, GiB(1) + KiB(8), KiB(4), NULL, NULL), 0);
    const uint64_t *ptab = phys_to_virt(table_at(&pt, GiB(1), 0));
    int with_ad = 0;
    for (int i = 0; i < 512; i++)
        with_ad += (ptab[i] & (E_A | E_D)) == (E_A | E_D);
    CHECK_EQ_INT(with_ad, 511);
    /* Protect keeps them as before. */
    CHECK_EQ_INT(pt_range_protect(&pt, GiB(1), MiB(2), 0), 0);
    CHECK((ptab[0] & (E_A | E_D)) == (E_A | E_D));
    QUERY_IS(&pt, GiB(1), MiB(2), 0, KiB(4));
    tree_check(&pt, "split A/D");
    CHECK_EQ_INT(pt_range_unmap(&pt, 0, GiB(512), NULL, NULL), 0);
    done(&pt);
}

/* ---- the kernel window (in a child process: it is global state) -------- */

#define KW  PT_KWIN_BASE

static void kwin_child(void)
{
    kwin_on = true;
    struct pt a, b;
    uint64_t free0 = frames_free();
    if (!CHECK_EQ_INT(pt_kwin_init(), 0))
        return;
    CHECK_EQ_INT(pt_create(&a), 0);
    CHECK_EQ_INT(pt_create(&b), 0);
    CHECK_EQ_INT(a.table_pages, 1);                 /* the shared PDPT is not a's */
    CHECK_EQ_INT(pt_kwin()->table_pages, 1);
    /* One mapping in the window shows in both trees. */
    CHECK_EQ_INT(pt_kwin_map(KW + MiB(2), MiB(8), KiB(8), PT_WRITE), 0);
    QUERY_IS(&a, KW + MiB(2), MiB(8), RW, KiB(4));
    QUERY_IS(&b, KW + MiB(2) + KiB(4), MiB(8) + KiB(4), RW, KiB(4));
    UNMAPPED(&a, KW + MiB(2) + KiB(8));
    uint64_t pa = 0;
    CHECK(pt_kwin_query(KW + MiB(2) + 5, &pa, NULL) && pa == MiB(8) + 5);
    CHECK_EQ_INT(pt_kwin()->table_pages, 3);        /* PDPT, PD, PT */
    tree_check(&a, "a with the window");
    /* A tree's operations may not touch the window; the window's may not
     * leave it or map user pages. */
    CHECK_EQ_INT(pt_range_map(&a, KW, 0, KiB(4), RW, PT_SIZE_ALL), -EINVAL);
    CHECK_EQ_INT(pt_range_map(&a, KW - KiB(4), 0, KiB(8), RW, PT_SIZE_ALL), -EINVAL);
    CHECK_EQ_INT(pt_range_unmap(&a, 0, 0x800000000000ull, NULL, NULL), -EINVAL);
    CHECK_EQ_INT(pt_range_protect(&a, KW + MiB(2), KiB(4), 0), -EINVAL);
    CHECK_EQ_INT(pt_map_leaf(&a, KW + GiB(1), 0, KiB(4), RW), -EINVAL);
    CHECK_EQ_INT(pt_kwin_map(KW - KiB(4), 0, KiB(8), RW), -EINVAL);
    CHECK_EQ_INT(pt_kwin_map(KW + PT_KWIN_SIZE, 0, KiB(4), RW), -EINVAL);
    CHECK_EQ_INT(pt_kwin_map(KW, 0, KiB(4), URW), -EINVAL);
    QUERY_IS(&b, KW + MiB(2), MiB(8), RW, KiB(4));
    /* Everything around it still works. */
    CHECK_EQ_INT(pt_range_map(&a, KW - KiB(4), MiB(1), KiB(4), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&a, KW + PT_KWIN_SIZE, MiB(1), KiB(4), RW, PT_SIZE_ALL), 0);
    tree_check(&a, "a around the window");
    CHECK_EQ_INT(pt_range_unmap(&a, KW - GiB(1), GiB(1), NULL, NULL), 0);
    CHECK_EQ_INT(pt_range_unmap(&a, KW + PT_KWIN_SIZE, GiB(1), NULL, NULL), 0);
    /* Destroying a tree leaves the window to the others. */
    pt_destroy(&a);
    QUERY_IS(&b, KW + MiB(2), MiB(8), RW, KiB(4));
    /* Unmapping in the window always invalidates (it is in whatever tree
     * is loaded, here none), then frees its emptied tables. */
    uint64_t f0 = pt_kwin()->invlpgs + pt_kwin()->full_flushes;
    struct pieces pc = { 0 };
    CHECK_EQ_INT(pt_kwin_unmap(KW + MiB(2), KiB(8), on_unmap, &pc), 0);
    CHECK_EQ_INT(pc.n, 2);
    CHECK(pt_kwin()->invlpgs + pt_kwin()->full_flushes > f0);
    UNMAPPED(&b, KW + MiB(2));
    CHECK_EQ_INT(pt_kwin()->table_pages, 1);
    tree_check(&b, "b after the window emptied");
    pt_destroy(&b);
    CHECK_EQ_INT(frames_free(), free0 - 1);         /* the PDPT stays */
}

TEST(kernel_window)
{
    setup();
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        kwin_child();
        _exit(check_failed_ ? 1 : 0);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    check_result_(WIFEXITED(st) && WEXITSTATUS(st) == 0, __FILE__, __LINE__,
                  "the kernel-window checks (child: %s %d; its messages above)",
                  WIFEXITED(st) ? "exit" : "signal", WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

/* ---- randomized, against a model ---------------------------------------- */

/* A window of 8 MiB across a 1 GiB boundary (so two PDPT entries, four PDs'
 * worth of 2 MiB regions), modelled per 4 KiB page. */
#define WIN_BASE    (GiB(1) - MiB(4))
#define WIN_PAGES   2048
#define NO_PA       UINT64_MAX

struct mpage { uint64_t pa; uint32_t flags; };
static struct mpage model[WIN_PAGES];

static uint64_t model_check(const struct pt *pt)
{
    uint64_t bad = 0;
    for (int i = 0; i < WIN_PAGES; i++) {
        uint64_t va = WIN_BASE + (uint64_t)i * PAGE_SIZE, pa = 0;
        uint32_t fl = 0;
        bool m = pt_query(pt, va, &pa, &fl, NULL);
        if (m != (model[i].pa != NO_PA) || (m && (pa != model[i].pa || fl != model[i].flags))) {
            if (bad++ < 3)
                printf("  page %#lx: pt %s %#lx/%#x, model %#lx/%#x\n", va,
                       m ? "mapped" : "unmapped", pa, fl, model[i].pa, model[i].flags);
        }
    }
    return bad;
}

struct rpieces { uint64_t bad, pages; };

static void on_unmap_model(const struct pt_piece *pc, size_t n, void *arg)
{
    struct rpieces *r = arg;
    for (size_t k = 0; k < n; k++) {
        uint64_t va = pc[k].va, pa = pc[k].pa, size = pc[k].size;
        for (uint64_t off = 0; off < size; off += PAGE_SIZE) {
            uint64_t i = (va + off - WIN_BASE) / PAGE_SIZE;
            if (va + off < WIN_BASE || i >= WIN_PAGES || model[i].pa != pa + off)
                r->bad++;
            r->pages++;
        }
    }
}

TEST(randomized_against_model)
{
    struct pt pt;
    fresh(&pt);
    uint64_t after_create = frames_free();
    for (int i = 0; i < WIN_PAGES; i++)
        model[i].pa = NO_PA;
    rng_seed(2024);
    uint64_t errors = 0, nmap = 0, nexist = 0, noom = 0, nsplitoom = 0;
    static const uint32_t flagset[] = { 0, PT_WRITE, PT_EXEC, PT_USER, PT_UNCACHED,
                                        RWX, URW, PT_USER | PT_EXEC, RWX | PT_USER };

    for (int op = 0; op < 20000 && errors < 5; op++) {
        uint64_t kind = rng_below(100);
        uint64_t first, npages;
        bool chunk = rng_below(4) == 0;
        if (chunk) {                        /* 2 MiB-aligned chunks */
            first = 512 * rng_below(WIN_PAGES / 512);
            npages = 512 * (1 + rng_below(2));
        } else {
            first = rng_below(WIN_PAGES);
            npages = 1 + rng_below(rng_below(4) == 0 ? 700 : 40);
        }
        if (first + npages > WIN_PAGES)
            npages = WIN_PAGES - first;
        uint64_t va = WIN_BASE + first * PAGE_SIZE, len = npages * PAGE_SIZE;
        uint32_t flags = flagset[rng_below(ARRAY_SIZE(flagset))];
        bool oom = rng_below(10) == 0;
        if (oom)
            hog_frames(rng_below(2));

        if (kind < 45) {
            /* pa: 2 MiB aligned relative to va half the time */
            uint64_t pa = (chunk || rng_below(2) ? GiB(3) + (va & (MiB(2) - 1)) + MiB(2) * rng_below(64)
                                                 : PAGE_SIZE * rng_below(1 << 20));
            uint32_t sizes = chunk || rng_below(3) ? PT_SIZE_ALL : PT_SIZE_4K;
            bool busy = false;
            for (uint64_t i = first; i < first + npages; i++)
                busy |= model[i].pa != NO_PA;
            uint64_t tp = pt.table_pages, m0 = pt.mapped[0], m1 = pt.mapped[1];
            int r = pt_range_map(&pt, va, pa, len, flags, sizes);
            if (r == 0) {
                if (busy)
                    errors++, printf("  op %d: map over a mapping succeeded\n", op);
                for (uint64_t i = 0; i < npages; i++)
                    model[first + i] = (struct mpage){ pa + i * PAGE_SIZE, flags };
                nmap++;
            } else if (r == -EEXIST) {
                if (!busy)
                    errors++, printf("  op %d: map of a free range: -EEXIST\n", op);
                nexist++;
            } else if (r == -ENOMEM && oom) {
                noom++;
            } else {
                errors++, printf("  op %d: map returned %d\n", op, r);
            }
            if (r != 0 && (pt.table_pages != tp || pt.mapped[0] != m0 || pt.mapped[1] != m1))
                errors++, printf("  op %d: failed map (%d) left something behind\n", op, r);
        } else {
            /* unmap or protect; on -ENOMEM a prefix was done, the rest not */
            bool unmap = kind < 75;
            struct rpieces rp = { 0 };
            int r = unmap ? pt_range_unmap(&pt, va, len, on_unmap_model, &rp)
                          : pt_range_protect(&pt, va, len, flags);
            if (r != 0 && !(r == -ENOMEM && oom))
                errors++, printf("  op %d: %s returned %d\n", op, unmap ? "unmap" : "protect", r);
            if (r == -ENOMEM)
                nsplitoom++;
            if (rp.bad)
                errors++, printf("  op %d: unmap callback reported wrong pieces\n", op);
            uint64_t expect_pages = 0;
            bool done_part = true;
            for (uint64_t i = first; i < first + npages; i++) {
                uint64_t pva = WIN_BASE + i * PAGE_SIZE, qpa;
                uint32_t qfl;
                bool m = pt_query(&pt, pva, &qpa, &qfl, NULL);
                struct mpage want = model[i];
                if (want.pa != NO_PA) {
                    if (unmap)
                        want.pa = NO_PA;
                    else
                        want.flags = flags;
                }
                bool is_new = want.pa == NO_PA ? !m : (m && qpa == want.pa && qfl == want.flags);
                bool is_old = model[i].pa == NO_PA ? !m
                              : (m && qpa == model[i].pa && qfl == model[i].flags);
                if (r == 0 && !is_new) {
                    errors++, printf("  op %d: page %#lx not changed\n", op, pva);
                    break;
                }
                if (r != 0) {
                    /* prefix new, suffix old */
                    if (done_part && !is_new)
                        done_part = false;
                    if (!done_part && !is_old) {
                        errors++, printf("  op %d: page %#lx neither before nor after\n", op, pva);
                        break;
                    }
                }
                if (unmap && model[i].pa != NO_PA && (done_part || r == 0))
                    expect_pages++;
                if (done_part || r == 0)
                    model[i] = want;
            }
            if (unmap && rp.pages != expect_pages)
                errors++, printf("  op %d: callback saw %lu pages, expected %lu\n", op, rp.pages, expect_pages);
        }
        if (oom)
            unhog();
        uint64_t bad = model_check(&pt);
        if (bad)
            errors++, printf("  op %d: %lu pages differ from the model\n", op, bad);
        if (!tree_check(&pt, "random"))
            errors++;
    }
    CHECK_EQ_INT(errors, 0);
    printf("  %lu maps, %lu -EEXIST, %lu -ENOMEM; %lu unmap/protect -ENOMEM\n",
           nmap, nexist, noom, nsplitoom);
    CHECK(nmap > 1000 && nexist > 1000 && noom > 20 && nsplitoom > 10);

    CHECK_EQ_INT(pt_range_unmap(&pt, WIN_BASE, WIN_PAGES * PAGE_SIZE, NULL, NULL), 0);
    CHECK_EQ_INT(pt.table_pages, 1);
    CHECK_EQ_INT(pt.mapped[0] + pt.mapped[1] + pt.mapped[2], 0);
    CHECK_EQ_INT(frames_free(), after_create);
    done(&pt);
}

/* main's page-granular operations on mm's walker: the software bits are
 * kept by protect and by a split, a copy-on-write leaf never becomes
 * writable, pt_page_replace swaps a 4 KiB leaf in place, pt_next_present
 * skips absent subtrees. */
TEST(soft_bits_replace_next_present)
{
    struct pt pt;
    fresh(&pt);
    uint64_t f1 = frame_alloc(FRAME_ZERO), f2 = frame_alloc(FRAME_ZERO), old = 0;
    const uint64_t va = GiB(2);
    CHECK_EQ_INT(pt_range_map(&pt, va, f1, PAGE_SIZE, PT_USER | PT_SOFT_COW, PT_SIZE_4K), 0);
    QUERY_IS(&pt, va, f1, PT_USER | PT_SOFT_COW, PAGE_SIZE);
    CHECK_EQ_INT(pt_range_protect(&pt, va, PAGE_SIZE, URW | PT_SOFT1), 0);
    QUERY_IS(&pt, va, f1, PT_USER | PT_SOFT_COW, PAGE_SIZE);    /* no W, no SOFT1 */

    CHECK_EQ_INT(pt_page_replace(&pt, va, f2, URW, &old), 0);
    CHECK_EQ_INT(old, f1);
    QUERY_IS(&pt, va, f2, URW, PAGE_SIZE);
    CHECK_EQ_INT(pt_page_replace(&pt, va + PAGE_SIZE, f1, URW, &old), -ENOENT);
    CHECK_EQ_INT(pt_page_replace(&pt, va + 8, f1, URW, &old), -EINVAL);

    /* A 2 MiB leaf with a software bit, split by a protect. */
    const uint64_t big = GiB(8);
    CHECK_EQ_INT(pt_range_map(&pt, big, MiB(4), MiB(2), RW | PT_SOFT0, PT_SIZE_ALL), 0);
    QUERY_IS(&pt, big, MiB(4), RW | PT_SOFT0, MiB(2));
    CHECK_EQ_INT(pt_page_replace(&pt, big, f1, RW, &old), -ENOENT);   /* not a 4 KiB leaf */
    CHECK_EQ_INT(pt_range_protect(&pt, big, PAGE_SIZE, 0), 0);
    QUERY_IS(&pt, big, MiB(4), PT_SOFT0, PAGE_SIZE);
    QUERY_IS(&pt, big + PAGE_SIZE, MiB(4) + PAGE_SIZE, RW | PT_SOFT0, PAGE_SIZE);

    uint64_t leaf = 0, pa = 0, size = 0;
    uint32_t fl = 0;
    CHECK(pt_next_present(&pt, va + PAGE_SIZE, GiB(512), &leaf, &pa, &fl, &size) &&
          leaf == big && pa == MiB(4) && size == PAGE_SIZE && fl == PT_SOFT0);
    CHECK(pt_next_present(&pt, 0, GiB(512), &leaf, &pa, &fl, &size) && leaf == va && pa == f2);
    CHECK(!pt_next_present(&pt, big + MiB(2), GiB(512), &leaf, &pa, &fl, &size));
    CHECK(!pt_next_present(&pt, va + PAGE_SIZE, big, &leaf, &pa, &fl, &size));
    CHECK(tree_check(&pt, "soft bits, replace, next present"));

    CHECK_EQ_INT(pt_range_unmap(&pt, va, PAGE_SIZE, NULL, NULL), 0);
    CHECK_EQ_INT(pt_range_unmap(&pt, big, MiB(2), NULL, NULL), 0);
    frame_unref(f1);
    frame_unref(f2);
    done(&pt);
}

/* pt_range_stats: the table pages a range's walk goes through, level by
 * level, and its leaves by size, exactly; an absent range costs only the
 * tables above it; bad ranges are refused. */
TEST(range_stats)
{
    struct pt pt;
    fresh(&pt);
    struct pt_range_stats st;
    const uint64_t base = GiB(4);           /* PML4 slot 0 */
    /* 3 pages at base, one 2 MiB page at base + 2 MiB, one 4 KiB page in
     * the next GiB (another PD). */
    CHECK_EQ_INT(pt_range_map(&pt, base, MiB(64), 3 * PAGE_SIZE, RW, PT_SIZE_4K), 0);
    CHECK_EQ_INT(pt_range_map(&pt, base + MiB(2), MiB(66), MiB(2), RW, PT_SIZE_ALL), 0);
    CHECK_EQ_INT(pt_range_map(&pt, base + GiB(1), MiB(80), PAGE_SIZE, RW, PT_SIZE_4K), 0);

    CHECK_EQ_INT(pt_range_stats(&pt, base, MiB(4), &st), 0);
    CHECK(st.tables[3] == 1 && st.tables[2] == 1 && st.tables[1] == 1 && st.tables[0] == 1);
    CHECK(st.leaves[0] == 3 && st.leaves[1] == 1 && st.leaves[2] == 0);

    CHECK_EQ_INT(pt_range_stats(&pt, base, GiB(2), &st), 0);
    CHECK(st.tables[2] == 1 && st.tables[1] == 2 && st.tables[0] == 2);
    CHECK(st.leaves[0] == 4 && st.leaves[1] == 1);

    /* One page of the three; a range with nothing present below its PD. */
    CHECK_EQ_INT(pt_range_stats(&pt, base + PAGE_SIZE, PAGE_SIZE, &st), 0);
    CHECK(st.tables[0] == 1 && st.leaves[0] == 1 && st.leaves[1] == 0);
    CHECK_EQ_INT(pt_range_stats(&pt, base + MiB(8), MiB(2), &st), 0);
    CHECK(st.tables[3] == 1 && st.tables[2] == 1 && st.tables[1] == 1 && st.tables[0] == 0);
    CHECK(st.leaves[0] == 0 && st.leaves[1] == 0);

    CHECK_EQ_INT(pt_range_stats(&pt, base + 8, PAGE_SIZE, &st), -EINVAL);
    CHECK_EQ_INT(pt_range_stats(&pt, base, 0, &st), 0);
    CHECK(st.tables[3] == 0);
    CHECK(tree_check(&pt, "range stats"));

    CHECK_EQ_INT(pt_range_unmap(&pt, base, GiB(2), NULL, NULL), 0);
    done(&pt);
}

int main(void)
{
    return check_run_all();
}
