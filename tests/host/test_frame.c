/*
 * Host test of the physical frame allocator (mm/frame.c) over simulated
 * physical memory (tests/host/host_support.h). The expected state is
 * recomputed here page by page from the ranges given to frame_init, and
 * a randomized run is compared with a model of the allocated frames.
 */
/* host-test-sources: mm/frame.c */
#include "check.h"
#include "host_support.h"
#include <uapi/errno.h>

#define SIM_BYTES   MiB(64)
#define NPAGES      (SIM_BYTES / PAGE_SIZE)

/* A layout with holes, ranges that do not start or end on a page, and
 * reserved ranges (kernel image, modules, boot info, one across a hole). */
static const struct phys_range avail[] = {
    { 0x0, 0x9F000 },                           /* low memory: never handed out */
    { MiB(1), MiB(20) },
    { MiB(24) + 0x800, MiB(40) - 0x123 },       /* unaligned both ends */
    { MiB(48), MiB(64) },
};
static const struct phys_range resv[] = {
    { 0x9000, 0xA000 },                         /* boot info below 1 MiB */
    { MiB(1), MiB(3) + 0x456 },                 /* kernel image */
    { MiB(30), MiB(30) + KiB(12) },             /* a module */
    { MiB(19), MiB(25) },                       /* across the hole */
    { MiB(50) + 0x10, MiB(50) + 0x20 },         /* tiny, inside one page */
};

/* ---- the expected state, page by page ----------------------------------- */

static uint64_t meta_pa, meta_bytes;

static bool page_in_avail(uint64_t pa)
{
    for (size_t i = 0; i < ARRAY_SIZE(avail); i++)
        if (pa >= avail[i].start && pa + PAGE_SIZE <= avail[i].end)
            return true;
    return false;
}

static bool page_in_resv(uint64_t pa)
{
    for (size_t i = 0; i < ARRAY_SIZE(resv); i++)
        if (pa < resv[i].end && resv[i].start < pa + PAGE_SIZE)
            return true;
    return false;
}

static bool page_in_meta(uint64_t pa)
{
    return pa + PAGE_SIZE > meta_pa && pa < meta_pa + meta_bytes;
}

/* May the allocator ever hand out this frame? */
static bool page_allocatable(uint64_t pa)
{
    return pa >= MiB(1) && page_in_avail(pa) && !page_in_resv(pa) && !page_in_meta(pa);
}

static uint64_t exp_total, exp_free, exp_reserved, first_free;
static uint8_t allocatable[NPAGES];     /* page_allocatable(), cached */

static void init_layout(void)
{
    sim_mem_init(SIM_BYTES);
    int r = frame_init(avail, ARRAY_SIZE(avail), resv, ARRAY_SIZE(resv));
    CHECK_EQ_INT(r, 0);
    meta_pa = virt_to_phys(frame_meta(0));
    meta_bytes = ALIGN_UP(NPAGES * sizeof(struct frame), PAGE_SIZE);
    exp_total = exp_free = exp_reserved = 0;
    memset(allocatable, 0, sizeof(allocatable));
    for (uint64_t pa = 0; pa < SIM_BYTES; pa += PAGE_SIZE) {
        if (!page_in_avail(pa))
            continue;
        exp_total++;
        allocatable[pa >> PAGE_SHIFT] = page_allocatable(pa);
        if (!allocatable[pa >> PAGE_SHIFT])
            exp_reserved++;
        else if (exp_free++ == 0)
            first_free = pa;
    }
}

static void check_stats(uint64_t nfree, const char *what)
{
    struct frame_stats st;
    frame_stats(&st);
    if (!check_result_(st.total == exp_total && st.free == nfree &&
                       st.used == exp_total - nfree && st.reserved == exp_reserved &&
                       st.max_pfn == NPAGES, __FILE__, __LINE__,
                       "%s: stats total %lu free %lu used %lu reserved %lu max_pfn %lu; "
                       "expected %lu %lu %lu %lu %lu", what,
                       st.total, st.free, st.used, st.reserved, st.max_pfn,
                       exp_total, nfree, exp_total - nfree, exp_reserved, NPAGES))
        return;
}

static bool frame_ok(uint64_t pa)
{
    return pa != 0 && IS_ALIGNED(pa, PAGE_SIZE) && pa < SIM_BYTES && allocatable[pa >> PAGE_SHIFT];
}

/* ---- tests ---------------------------------------------------------------- */

TEST(init_counters_and_metadata)
{
    init_layout();
    check_stats(exp_free, "after init");

    /* The metadata sits in available, unreserved memory above 1 MiB, and its
     * frames are reserved. */
    CHECK(IS_ALIGNED(meta_pa, PAGE_SIZE));
    CHECK(meta_pa >= MiB(1));
    for (uint64_t pa = meta_pa; pa < meta_pa + meta_bytes; pa += PAGE_SIZE) {
        CHECK(page_in_avail(pa) && !page_in_resv(pa));
        struct frame *f = frame_meta(pa);
        if (!CHECK(f->kind == FRAME_KIND_RESERVED && f->refcount == 1))
            break;
    }
    CHECK_EQ_INT(frame_phys_end(), SIM_BYTES);

    /* Every frame's metadata agrees with the layout. */
    uint64_t bad = 0;
    for (uint64_t pa = 0; pa < SIM_BYTES; pa += PAGE_SIZE) {
        struct frame *f = frame_meta(pa);
        bool a = page_allocatable(pa);
        if (a != (f->kind == FRAME_KIND_FREE) || a != (f->refcount == 0))
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(frame_meta(SIM_BYTES) == NULL);
    CHECK_EQ_INT(frame_refcount(SIM_BYTES + PAGE_SIZE), 0);
}

TEST(init_failures)
{
    sim_mem_init(SIM_BYTES);
    /* Nowhere to put 64 MiB worth of metadata (96 KiB): only small pieces. */
    struct phys_range small[] = { { 0, MiB(1) }, { MiB(2), MiB(2) + KiB(64) },
                                  { MiB(62), MiB(62) + KiB(128) },
                                  { MiB(63), MiB(63) + KiB(4) } };
    CHECK_EQ_INT(frame_init(small, 4, NULL, 0), -ENOMEM);
    /* Metadata would fit below 1 MiB only. */
    struct phys_range low[] = { { 0, 0x9F000 }, { MiB(63), MiB(64) } };
    struct phys_range lowresv[] = { { MiB(63), MiB(64) } };
    CHECK_EQ_INT(frame_init(low, 2, lowresv, 1), -ENOMEM);
    /* Reserved ranges push the metadata away. */
    struct phys_range one[] = { { 0, MiB(64) } };
    struct phys_range r2[] = { { MiB(1), MiB(2) }, { MiB(2), MiB(2) + 1 } };
    CHECK_EQ_INT(frame_init(one, 1, r2, 2), 0);
    uint64_t m = virt_to_phys(frame_meta(0));
    CHECK_EQ_INT(m, MiB(2) + PAGE_SIZE);
}

/* Random layouts (unsorted, overlapping, unaligned ranges) against the
 * rule page by page: RAM if wholly inside one available range, free if
 * also above 1 MiB, outside the metadata and touched by no reserved range;
 * the free list hands frames out lowest first. */
TEST(init_random_layouts)
{
    rng_seed(31);
    static struct phys_range av[12], rs[10];
    for (int round = 0; round < 12; round++) {
        sim_mem_init(SIM_BYTES);
        int na = 1 + (int)rng_below(12), nr = (int)rng_below(10);
        for (int i = 0; i < na; i++) {
            uint64_t a = rng_below(SIM_BYTES), len = rng_below(MiB(24));
            if (rng_below(2))
                a &= ~(PAGE_SIZE - 1);
            av[i] = (struct phys_range){ a, MIN(a + len, SIM_BYTES) };
        }
        av[0] = (struct phys_range){ MiB(2), MiB(6) };      /* room for the metadata */
        for (int i = 0; i < nr; i++) {
            uint64_t a = rng_below(SIM_BYTES), len = rng_below(MiB(2));
            rs[i] = (struct phys_range){ a, MIN(a + len, SIM_BYTES) };
        }
        if (!CHECK_EQ_INT(frame_init(av, na, rs, nr), 0))
            break;
        uint64_t end = 0;
        for (int i = 0; i < na; i++)
            end = MAX(end, av[i].end);
        uint64_t meta = virt_to_phys(frame_meta(0));
        uint64_t mbytes = ALIGN_UP((end >> PAGE_SHIFT) * sizeof(struct frame), PAGE_SIZE);
        uint64_t total = 0, nfree = 0, bad = 0, last_free = 0, first = 0;
        for (uint64_t pa = 0; pa + PAGE_SIZE <= end; pa += PAGE_SIZE) {
            bool ram = false, touched = false;
            for (int i = 0; i < na; i++)
                ram |= pa >= av[i].start && pa + PAGE_SIZE <= av[i].end;
            for (int i = 0; i < nr; i++)
                touched |= pa < rs[i].end && rs[i].start < pa + PAGE_SIZE;
            bool is_free = ram && pa >= MiB(1) && !touched && !(pa + PAGE_SIZE > meta && pa < meta + mbytes);
            total += ram;
            nfree += is_free;
            if (is_free && !first)
                first = pa;
            struct frame *f = frame_meta(pa);
            if (!f || is_free != (f->kind == FRAME_KIND_FREE && f->refcount == 0) ||
                (!is_free && (f->kind != FRAME_KIND_RESERVED || f->refcount != 1)))
                bad++;
            if (is_free)
                last_free = pa;
        }
        struct frame_stats st;
        frame_stats(&st);
        CHECK_EQ_INT(bad, 0);
        CHECK(st.total == total && st.free == nfree && st.reserved == total - nfree && st.used == total - nfree);
        /* Lowest first, every free frame once, in increasing order. */
        uint64_t got = 0, prev = 0, order_bad = 0, pa;
        while ((pa = frame_alloc(FRAME_NONE)) != 0) {
            if ((got == 0 && pa != first) || (got > 0 && pa <= prev))
                order_bad++;
            prev = pa;
            got++;
        }
        CHECK_EQ_INT(got, nfree);
        CHECK_EQ_INT(order_bad, 0);
        CHECK(nfree == 0 || prev == last_free);
        if (bad || order_bad || got != nfree)
            break;
    }
    /* Too many ranges. */
    static struct phys_range many[BOOT_RANGES_MAX + 1];
    for (int i = 0; i <= BOOT_RANGES_MAX; i++)
        many[i] = (struct phys_range){ MiB(1) + MiB(1) * i, MiB(1) + MiB(1) * i + PAGE_SIZE };
    CHECK_EQ_INT(frame_init(many, BOOT_RANGES_MAX + 1, NULL, 0), -EINVAL);
    CHECK_EQ_INT(frame_init(many, 1, many, BOOT_RANGES_MAX + 1), -EINVAL);
}

TEST(alloc_until_exhaustion)
{
    init_layout();
    uint64_t *got = malloc(exp_free * sizeof(*got));
    uint8_t *seen = calloc(NPAGES, 1);
    uint64_t n = 0, bad = 0, dup = 0;
    uint64_t pa;
    while (n <= exp_free && (pa = frame_alloc(FRAME_NONE)) != 0) {
        if (!frame_ok(pa)) {
            if (bad++ < 5)
                printf("  bad frame %#lx\n", pa);
            continue;
        }
        if (seen[pa >> PAGE_SHIFT]++)
            dup++;
        got[n++] = pa;
    }
    CHECK_EQ_INT(bad, 0);
    CHECK_EQ_INT(dup, 0);
    CHECK_EQ_INT(n, exp_free);
    check_stats(0, "exhausted");
    CHECK_EQ_INT(frame_alloc(FRAME_NONE), 0);
    CHECK_EQ_INT(frame_alloc(FRAME_ZERO), 0);
    CHECK_EQ_INT(frame_alloc_contig(2, FRAME_NONE), 0);
    check_stats(0, "still exhausted");

    /* The first frames come from low memory upwards. */
    CHECK(n > 0 && got[0] == first_free);

    /* Fill every frame: this must not disturb the metadata (or the frames
     * would not free below), and every frame keeps its contents. */
    for (uint64_t i = 0; i < n; i++)
        memset(phys_to_virt(got[i]), (int)(i * 7 + 1), PAGE_SIZE);
    uint64_t rc_bad = 0, kind_bad = 0;
    for (uint64_t i = 0; i < n; i++) {
        if (frame_refcount(got[i]) != 1)
            rc_bad++;
        if (frame_meta(got[i])->kind != FRAME_KIND_GENERIC)
            kind_bad++;
    }
    CHECK_EQ_INT(rc_bad, 0);
    CHECK_EQ_INT(kind_bad, 0);

    /* Free them all in a random order. */
    rng_seed(42);
    for (uint64_t i = n; i > 1; i--) {
        uint64_t j = rng_below(i);
        uint64_t t = got[i - 1]; got[i - 1] = got[j]; got[j] = t;
    }
    for (uint64_t i = 0; i < n; i++)
        frame_unref(got[i]);
    check_stats(exp_free, "all freed");
    /* LIFO: the last one freed comes back first. */
    if (n > 0)
        CHECK_EQ_INT(frame_alloc(FRAME_NONE), got[n - 1]);
    free(got);
    free(seen);
}

TEST(refcounts)
{
    init_layout();
    uint64_t pa = frame_alloc(FRAME_NONE);
    CHECK(frame_ok(pa));
    CHECK_EQ_INT(frame_refcount(pa), 1);
    frame_ref(pa);
    frame_ref(pa);
    CHECK_EQ_INT(frame_refcount(pa), 3);
    check_stats(exp_free - 1, "3 refs");
    frame_unref(pa);
    frame_unref(pa);
    CHECK_EQ_INT(frame_refcount(pa), 1);
    check_stats(exp_free - 1, "1 ref");
    CHECK_EQ_INT(frame_meta(pa)->kind, FRAME_KIND_GENERIC);
    frame_unref(pa);
    CHECK_EQ_INT(frame_refcount(pa), 0);
    CHECK_EQ_INT(frame_meta(pa)->kind, FRAME_KIND_FREE);
    check_stats(exp_free, "freed");

    /* Misuse panics and changes nothing. */
    EXPECT_PANIC(frame_unref(pa));                 /* already free */
    EXPECT_PANIC(frame_ref(pa));
    EXPECT_PANIC(frame_unref(MiB(2)));             /* kernel image: reserved */
    EXPECT_PANIC(frame_unref(MiB(21)));            /* a hole */
    EXPECT_PANIC(frame_unref(0));
    EXPECT_PANIC(frame_unref(SIM_BYTES));          /* beyond memory */
    EXPECT_PANIC(frame_ref(meta_pa));              /* the metadata */
    check_stats(exp_free, "after misuse");
    CHECK_EQ_INT(frame_alloc(FRAME_NONE), pa);     /* free list intact */
    frame_unref(pa);
}

TEST(unref_many)
{
    init_layout();
    /* Pairs {frame, other}: unref every frame field with stride 2. */
    uint64_t pairs[8][2];
    for (int i = 0; i < 8; i++) {
        pairs[i][0] = frame_alloc(FRAME_NONE);
        pairs[i][1] = 0xdead;                      /* must not be read */
        CHECK(frame_ok(pairs[i][0]));
        if (i % 2)
            frame_ref(pairs[i][0]);                /* these keep one reference */
    }
    check_stats(exp_free - 8, "8 allocated");
    frame_unref_many(&pairs[0][0], 8, 2);
    check_stats(exp_free - 4, "4 freed, 4 still referenced");
    for (int i = 0; i < 8; i++)
        CHECK_EQ_INT(frame_refcount(pairs[i][0]), i % 2);
    frame_unref_many(&pairs[1][0], 4, 4);          /* pairs 1, 3, 5, 7 */
    check_stats(exp_free, "all freed");
    frame_unref_many(NULL, 0, 1);                  /* nothing */
    /* A free frame in the batch panics. */
    EXPECT_PANIC(frame_unref_many(&pairs[0][0], 1, 2));
    check_stats(exp_free, "after misuse");
}

TEST(zeroing)
{
    init_layout();      /* simulated memory starts as 0xA5 */
    uint64_t pa = frame_alloc(FRAME_ZERO);
    const uint8_t *p = phys_to_virt(pa);
    uint64_t nz = 0;
    for (uint64_t i = 0; i < PAGE_SIZE; i++)
        nz += p[i] != 0;
    CHECK_EQ_INT(nz, 0);
    /* Dirty it, free, get it back (LIFO) zeroed. */
    memset(phys_to_virt(pa), 0xFF, PAGE_SIZE);
    frame_unref(pa);
    CHECK_EQ_INT(frame_alloc(FRAME_ZERO), pa);
    nz = 0;
    for (uint64_t i = 0; i < PAGE_SIZE; i++)
        nz += p[i] != 0;
    CHECK_EQ_INT(nz, 0);
    frame_unref(pa);
    /* Without FRAME_ZERO the contents are left alone. */
    memset(phys_to_virt(pa), 0x5A, PAGE_SIZE);
    CHECK_EQ_INT(frame_alloc(FRAME_NONE), pa);
    CHECK_EQ_INT(p[0], 0x5A);
    CHECK_EQ_INT(p[PAGE_SIZE - 1], 0x5A);
    frame_unref(pa);

    /* Contiguous zeroing covers every frame. */
    uint64_t c = frame_alloc_contig(37, FRAME_ZERO);
    CHECK(c != 0);
    const uint8_t *q = phys_to_virt(c);
    nz = 0;
    for (uint64_t i = 0; i < 37 * PAGE_SIZE; i++)
        nz += q[i] != 0;
    CHECK_EQ_INT(nz, 0);
    frame_free_contig(c, 37);
    check_stats(exp_free, "after zero tests");
}

/* Longest run of allocatable frames and where the first such run starts. */
static uint64_t longest_run(uint64_t *start)
{
    uint64_t best = 0, run = 0, s = 0;
    for (uint64_t pa = 0; pa < SIM_BYTES; pa += PAGE_SIZE) {
        if (page_allocatable(pa)) {
            if (run++ == 0)
                s = pa;
            if (run > best) {
                best = run;
                *start = s;
            }
        } else {
            run = 0;
        }
    }
    return best;
}

static bool run_ok(uint64_t pa, uint64_t n)
{
    for (uint64_t i = 0; i < n; i++) {
        uint64_t f = pa + i * PAGE_SIZE;
        if (!frame_ok(f) || frame_refcount(f) != 1 || frame_meta(f)->kind != FRAME_KIND_GENERIC)
            return false;
    }
    return true;
}

TEST(alloc_contig)
{
    init_layout();
    CHECK_EQ_INT(frame_alloc_contig(0, FRAME_NONE), 0);
    check_stats(exp_free, "contig 0");

    uint64_t sizes[] = { 1, 2, 3, 16, 100, 1000 };
    uint64_t pas[ARRAY_SIZE(sizes)], used = 0;
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
        pas[i] = frame_alloc_contig(sizes[i], FRAME_NONE);
        CHECK(pas[i] != 0 && run_ok(pas[i], sizes[i]));
        used += sizes[i];
        check_stats(exp_free - used, "contig runs");
    }
    /* Runs do not overlap each other. */
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        for (size_t j = i + 1; j < ARRAY_SIZE(sizes); j++)
            CHECK(pas[i] + sizes[i] * PAGE_SIZE <= pas[j] || pas[j] + sizes[j] * PAGE_SIZE <= pas[i]);
    for (size_t i = 0; i < ARRAY_SIZE(sizes); i++)
        frame_free_contig(pas[i], sizes[i]);
    check_stats(exp_free, "contig freed");

    /* The longest run can be had, one more frame cannot. */
    uint64_t where = 0, best = longest_run(&where);
    CHECK(best > 1000);
    CHECK_EQ_INT(frame_alloc_contig(best + 1, FRAME_NONE), 0);
    check_stats(exp_free, "contig too long");
    uint64_t pa = frame_alloc_contig(best, FRAME_NONE);
    CHECK_EQ_INT(pa, where);
    CHECK(run_ok(pa, best));
    check_stats(exp_free - best, "longest run");
    /* The free list is still consistent: single frames come from elsewhere. */
    uint64_t s = frame_alloc(FRAME_NONE);
    CHECK(frame_ok(s) && (s < pa || s >= pa + best * PAGE_SIZE));
    frame_unref(s);
    frame_free_contig(pa, best);
    check_stats(exp_free, "longest run freed");

    /* Fragmented memory: every other frame taken. */
    hog_frames(0);
    uint64_t nh = hog_n;
    for (uint64_t i = 0; i < nh; i++)
        if (hog_list[i] % (2 * PAGE_SIZE) == 0)
            frame_unref(hog_list[i]), hog_list[i] = 0;
    uint64_t nfree = frames_free();
    CHECK(nfree > 0);
    CHECK_EQ_INT(frame_alloc_contig(2, FRAME_NONE), 0);
    check_stats(nfree, "fragmented");
    uint64_t one = frame_alloc_contig(1, FRAME_NONE);
    CHECK(frame_ok(one) && one % (2 * PAGE_SIZE) == 0);
    frame_unref(one);
    for (uint64_t i = 0; i < nh; i++)
        if (hog_list[i])
            frame_unref(hog_list[i]);
    hog_n = 0;
    check_stats(exp_free, "unfragmented");

    /* frame_free_contig refuses a shared frame. */
    pa = frame_alloc_contig(4, FRAME_NONE);
    frame_ref(pa + 2 * PAGE_SIZE);
    EXPECT_PANIC(frame_free_contig(pa, 4));
    /* (the first two were freed before the panic) */
    frame_unref(pa + 2 * PAGE_SIZE);
    frame_free_contig(pa + 2 * PAGE_SIZE, 2);
    check_stats(exp_free, "after free_contig panic");
}

TEST(randomized_against_model)
{
    init_layout();
    uint32_t *rc = calloc(NPAGES, sizeof(*rc));     /* model refcounts */
    uint64_t *live = malloc(NPAGES * sizeof(*live)); /* allocated frames */
    uint64_t nlive = 0, model_free = exp_free, errors = 0;
    /* contig runs: remembered separately so they can be freed as runs */
    struct { uint64_t pa, n; } runs[64];
    int nruns = 0;

    rng_seed(7);
    for (int op = 0; op < 200000 && errors < 10; op++) {
        uint64_t k = rng_below(100);
        if (k < 40 || nlive == 0) {
            uint64_t pa = frame_alloc(rng_below(8) == 0 ? FRAME_ZERO : FRAME_NONE);
            if (model_free == 0) {
                if (pa != 0)
                    errors++, printf("  alloc with nothing free gave %#lx\n", pa);
                continue;
            }
            if (!frame_ok(pa) || rc[pa >> PAGE_SHIFT] != 0) {
                errors++, printf("  alloc gave bad/used frame %#lx\n", pa);
                continue;
            }
            rc[pa >> PAGE_SHIFT] = 1;
            live[nlive++] = pa;
            model_free--;
        } else if (k < 75) {
            uint64_t i = rng_below(nlive), pa = live[i];
            frame_unref(pa);
            if (--rc[pa >> PAGE_SHIFT] == 0) {
                live[i] = live[--nlive];
                model_free++;
            }
        } else if (k < 85) {
            uint64_t pa = live[rng_below(nlive)];
            frame_ref(pa);
            rc[pa >> PAGE_SHIFT]++;
        } else if (k < 93) {
            if (nruns == 64)
                continue;
            uint64_t n = 1 + rng_below(40);
            uint64_t pa = frame_alloc_contig(n, FRAME_NONE);
            /* Does the model have such a run? */
            bool exists = false;
            for (uint64_t p = 0, run = 0; p < SIM_BYTES && !exists; p += PAGE_SIZE) {
                run = (allocatable[p >> PAGE_SHIFT] && rc[p >> PAGE_SHIFT] == 0) ? run + 1 : 0;
                exists = run >= n;
            }
            if (!pa) {
                if (exists)
                    errors++, printf("  contig %lu failed though a run exists\n", n);
                continue;
            }
            for (uint64_t i = 0; i < n; i++) {
                uint64_t f = pa + i * PAGE_SIZE;
                if (!frame_ok(f) || rc[f >> PAGE_SHIFT] != 0)
                    errors++, printf("  contig gave bad/used frame %#lx\n", f);
                rc[f >> PAGE_SHIFT] = 1;
            }
            model_free -= n;
            runs[nruns].pa = pa;
            runs[nruns].n = n;
            nruns++;
        } else {
            if (nruns == 0)
                continue;
            int i = (int)rng_below(nruns);
            frame_free_contig(runs[i].pa, runs[i].n);
            for (uint64_t j = 0; j < runs[i].n; j++)
                rc[(runs[i].pa >> PAGE_SHIFT) + j] = 0;
            model_free += runs[i].n;
            runs[i] = runs[--nruns];
        }
        if (frames_free() != model_free)
            errors++, printf("  op %d: free %lu, model %lu\n", op, frames_free(), model_free);
    }
    CHECK_EQ_INT(errors, 0);

    /* The allocator's refcounts agree with the model everywhere. */
    uint64_t mism = 0;
    for (uint64_t pa = 0; pa < SIM_BYTES; pa += PAGE_SIZE)
        if (allocatable[pa >> PAGE_SHIFT] && frame_refcount(pa) != rc[pa >> PAGE_SHIFT])
            mism++;
    CHECK_EQ_INT(mism, 0);

    /* Release everything. */
    for (uint64_t i = 0; i < nlive; i++)
        while (rc[live[i] >> PAGE_SHIFT] > 0) {
            frame_unref(live[i]);
            rc[live[i] >> PAGE_SHIFT]--;
        }
    for (int i = 0; i < nruns; i++)
        frame_free_contig(runs[i].pa, runs[i].n);
    check_stats(exp_free, "random: all freed");
    free(rc);
    free(live);
}

int main(void)
{
    return check_run_all();
}
