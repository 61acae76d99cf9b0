/*
 * Host test of the kernel heap (mm/heap.c) over the real frame allocator
 * (mm/frame.c) and simulated physical memory (tests/host/host_support.h).
 *
 * Every live object is filled with a pattern of its own and recorded in an
 * ownership map of the simulated memory (one entry per 16 bytes), so an
 * object handed out over another live one, or over allocator metadata, is
 * caught when it is handed out, and a write through a stale pointer shows
 * up as a broken pattern when the victim is freed.
 *
 * The heap's state is global and cannot be reset: every test frees all it
 * allocated and checks that the heap and the frame allocator are back to
 * where they started.
 */
/* host-test-sources: mm/heap.c mm/frame.c */
#include "check.h"
#include "host_support.h"
#include <heap.h>

#define SIM_BYTES   MiB(32)
#define GRAIN       16

static uint64_t start_free;         /* free frames after frame_init */
static uint32_t *owner;             /* per 16 bytes of simulated memory: object id + 1, or 0 */
static uint64_t meta_lo, meta_hi;   /* the frame metadata array */

static void setup(void)
{
    static bool done;
    if (done)
        return;
    done = true;
    sim_frames_init(SIM_BYTES);
    start_free = frames_free();
    owner = calloc(SIM_BYTES / GRAIN, sizeof(*owner));
    meta_lo = virt_to_phys(frame_meta(0));
    meta_hi = meta_lo + ALIGN_UP((SIM_BYTES / PAGE_SIZE) * sizeof(struct frame), PAGE_SIZE);
}

/* What the heap really hands out for a request of `size`. */
static uint64_t granted(size_t size)
{
    if (size == 0)
        size = 1;
    if (size <= 2048) {
        uint64_t c = 16;
        while (c < size)
            c <<= 1;
        return c;
    }
    return ALIGN_UP((uint64_t)size, PAGE_SIZE);
}

struct obj {
    uint8_t *p;
    size_t size;                /* bytes filled with the pattern */
    uint64_t g;                 /* bytes the heap granted */
    uint32_t id;
};

static uint32_t next_id = 1;
static uint64_t model_bytes, model_objects;
static uint64_t overlap_errors, place_errors, pattern_errors;

static uint8_t pattern_byte(uint32_t id, size_t i)
{
    return (uint8_t)(id * 131 + i * 7 + (i >> 8));
}

/* Record a fresh object of `size` bytes that the heap allocated for a
 * request of `req` bytes: check where it is and that it overlaps nothing
 * live, and fill it. */
static bool obj_take_req(struct obj *o, void *p, size_t size, size_t req)
{
    o->p = p;
    o->size = size;
    o->id = next_id++;
    uint64_t pa = virt_to_phys(p);
    uint64_t g = o->g = granted(req);
    if (pa < MiB(2) || pa + g > SIM_BYTES || (pa < meta_hi && pa + g > meta_lo) ||
        !IS_ALIGNED(pa, g > PAGE_SIZE ? PAGE_SIZE : g)) {
        if (place_errors++ < 5)
            printf("  object %p (size %zu) badly placed\n", p, size);
        return false;
    }
    for (uint64_t a = pa; a < pa + g; a += GRAIN) {
        if (owner[a / GRAIN]) {
            if (overlap_errors++ < 5)
                printf("  object at %#lx (size %zu) overlaps live object %u\n",
                       pa, size, owner[a / GRAIN] - 1);
            return false;
        }
        owner[a / GRAIN] = o->id + 1;
    }
    for (size_t i = 0; i < size; i++)
        o->p[i] = pattern_byte(o->id, i);
    model_bytes += g;
    model_objects++;
    return true;
}

static bool obj_take(struct obj *o, void *p, size_t size)
{
    return obj_take_req(o, p, size, size);
}

static void obj_release(struct obj *o)
{
    size_t bad = 0;
    for (size_t i = 0; i < o->size; i++)
        bad += o->p[i] != pattern_byte(o->id, i);
    if (bad && pattern_errors++ < 5)
        printf("  object %u at %p: %zu bytes overwritten\n", o->id, o->p, bad);
    uint64_t pa = virt_to_phys(o->p), g = o->g;
    for (uint64_t a = pa; a < pa + g; a += GRAIN)
        owner[a / GRAIN] = 0;
    kfree(o->p);
    model_bytes -= o->g;
    model_objects--;
    o->p = NULL;
}

static void check_heap_matches(const char *what)
{
    struct heap_stats st;
    heap_stats(&st);
    check_result_(st.bytes_in_use == model_bytes && st.objects_in_use == model_objects,
                  __FILE__, __LINE__, "%s: heap says %lu bytes / %lu objects, model %lu / %lu",
                  what, st.bytes_in_use, st.objects_in_use, model_bytes, model_objects);
}

static void check_all_free(const char *what)
{
    struct heap_stats st;
    heap_stats(&st);
    check_result_(st.bytes_in_use == 0 && st.objects_in_use == 0 && st.slab_pages == 0 &&
                  st.large_pages == 0 && frames_free() == start_free,
                  __FILE__, __LINE__,
                  "%s: bytes %lu objects %lu slab_pages %lu large_pages %lu, frames free %lu of %lu",
                  what, st.bytes_in_use, st.objects_in_use, st.slab_pages, st.large_pages,
                  frames_free(), start_free);
    CHECK_EQ_INT(overlap_errors, 0);
    CHECK_EQ_INT(place_errors, 0);
    CHECK_EQ_INT(pattern_errors, 0);
}

/* ---- tests ---------------------------------------------------------------- */

TEST(every_small_size_and_up_to_three_pages)
{
    setup();
    /* 1..2048 all live at once (about 3 MiB). */
    static struct obj small[2049];
    for (size_t s = 1; s <= 2048; s++) {
        void *p = kmalloc(s);
        if (!CHECK(p != NULL))
            return;
        obj_take(&small[s], p, s);
        CHECK_EQ_INT(frame_meta(virt_to_phys(p))->kind, FRAME_KIND_SLAB);
    }
    check_heap_matches("small live");
    /* 2049..3*4096 in a rolling window of 64 live objects. */
    static struct obj win[64];
    for (size_t s = 2049; s <= 3 * 4096; s++) {
        struct obj *o = &win[s % 64];
        if (o->p)
            obj_release(o);
        void *p = kmalloc(s);
        if (!CHECK(p != NULL))
            return;
        obj_take(o, p, s);
        struct frame *f = frame_meta(virt_to_phys(p));
        CHECK(f->kind == FRAME_KIND_LARGE && f->npages == granted(s) / PAGE_SIZE);
    }
    check_heap_matches("large window");
    for (int i = 0; i < 64; i++)
        if (win[i].p)
            obj_release(&win[i]);
    /* Free the small ones in an interleaved order. */
    for (size_t s = 1; s <= 2048; s += 2)
        obj_release(&small[s]);
    check_heap_matches("half the small freed");
    for (size_t s = 2; s <= 2048; s += 2)
        obj_release(&small[s]);
    check_all_free("sizes");
}

TEST(zero_size_null_and_kzalloc)
{
    setup();
    void *p = kmalloc(0);
    CHECK(p != NULL);
    struct obj o;
    obj_take(&o, p, 0);
    obj_release(&o);
    kfree(NULL);

    /* kzalloc: dirty an object, free it, get the same slot back zeroed. */
    uint8_t *a = kmalloc(200);
    memset(a, 0xEE, 200);
    kfree(a);
    uint8_t *z = kzalloc(200);
    CHECK(z == a);
    size_t nz = 0;
    for (int i = 0; i < 200; i++)
        nz += z[i] != 0;
    CHECK_EQ_INT(nz, 0);
    kfree(z);
    uint8_t *big = kzalloc(3 * PAGE_SIZE + 5);
    nz = 0;
    for (uint64_t i = 0; i < 3 * PAGE_SIZE + 5; i++)
        nz += big[i] != 0;
    CHECK_EQ_INT(nz, 0);
    kfree(big);
    check_all_free("zero/kzalloc");
}

TEST(large_objects)
{
    setup();
    struct heap_stats before, st;
    heap_stats(&before);
    uint8_t *p = kmalloc(MiB(1));
    uint8_t *q = kmalloc(MiB(5) + 1);
    if (!CHECK(p && q))
        return;
    struct obj op, oq;
    obj_take(&op, p, MiB(1));
    obj_take(&oq, q, MiB(5) + 1);
    uint64_t pa = virt_to_phys(q), n = MiB(5) / PAGE_SIZE + 1;
    CHECK_EQ_INT(frame_meta(pa)->kind, FRAME_KIND_LARGE);
    CHECK_EQ_INT(frame_meta(pa)->npages, n);
    uint64_t tails = 0;
    for (uint64_t i = 1; i < n; i++)
        tails += frame_meta(pa + i * PAGE_SIZE)->kind == FRAME_KIND_LARGE_TAIL;
    CHECK_EQ_INT(tails, n - 1);
    heap_stats(&st);
    CHECK_EQ_INT(st.large_pages, MiB(1) / PAGE_SIZE + n);
    CHECK_EQ_INT(frames_free(), start_free - MiB(1) / PAGE_SIZE - n);

    /* Too big: over the 1 GiB cap, and more than memory holds. */
    CHECK(kmalloc(GiB(1) + 1) == NULL);
    CHECK(kmalloc((size_t)-1) == NULL);
    CHECK(kmalloc(MiB(31)) == NULL);
    heap_stats(&st);
    CHECK_EQ_INT(st.failures, before.failures + 3);

    /* Freeing the middle of a large object, a tail page or a bad slab
     * offset panics (and leaves everything as it was). */
    EXPECT_PANIC(kfree(q + PAGE_SIZE));
    EXPECT_PANIC(kfree(q + 8));
    uint8_t *s = kmalloc(64);
    EXPECT_PANIC(kfree(s + 16));
    kfree(s);
    EXPECT_PANIC(kfree(s));                                 /* frame now free */
    uint64_t g = frame_alloc(FRAME_NONE);                   /* not heap memory */
    EXPECT_PANIC(kfree(phys_to_virt(g)));
    frame_unref(g);
    EXPECT_PANIC(kfree(phys_to_virt(MiB(1) + 64)));          /* reserved */
    obj_release(&op);
    obj_release(&oq);
    check_all_free("large");
}

TEST(double_free_in_a_live_slab)
{
    setup();
    struct heap_stats before, st;
    heap_stats(&before);
    uint8_t *a = kmalloc(32), *b = kmalloc(32);
    if (!CHECK(a && b && ALIGN_DOWN(virt_to_phys(a), PAGE_SIZE) == ALIGN_DOWN(virt_to_phys(b), PAGE_SIZE)))
        return;
    kfree(a);
    uint64_t marker;
    memcpy(&marker, a + 8, 8);              /* whatever a free object holds */
    /* The slab still holds b, so its frame is not free: only the heap can
     * tell that a is already free. */
    heap_stats(&st);
    EXPECT_PANIC(kfree(a));
    struct heap_stats after;
    heap_stats(&after);
    CHECK_EQ_INT(after.objects_in_use, st.objects_in_use);
    CHECK_EQ_INT(after.bytes_in_use, st.bytes_in_use);
    /* A live object that happens to hold the free marker is not taken for
     * a freed one. */
    uint8_t *c = kmalloc(32);
    if (!CHECK(c))
        return;
    memcpy(c + 8, &marker, 8);
    kfree(c);
    kfree(b);
    heap_stats(&after);
    CHECK_EQ_INT(after.objects_in_use, before.objects_in_use);
    CHECK_EQ_INT(after.bytes_in_use, before.bytes_in_use);
    check_all_free("double free");
}

TEST(alignment)
{
    setup();
    /* Every object is aligned to its class (slab) or to a page. */
    static struct obj objs[4096];
    int n = 0;
    for (size_t align = 16; align <= 4096; align <<= 1) {
        size_t sizes[] = { 0, 1, 15, 17, 100, align - 1, align, align + 1, 2047, 2049, 3000, 5000 };
        for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
            void *p = kmalloc_aligned(sizes[i], align);
            if (!CHECK(p != NULL))
                continue;
            if (!check_result_(IS_ALIGNED((uintptr_t)virt_to_phys(p), align), __FILE__, __LINE__,
                               "kmalloc_aligned(%zu, %zu) = %p", sizes[i], align, p))
                continue;
            obj_take_req(&objs[n++], p, sizes[i], MAX(sizes[i], align));
        }
    }
    check_heap_matches("aligned");
    size_t bad[] = { 0, 3, 24, 48, 4097, 8192, 1u << 20, (size_t)1 << 63 };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
        CHECK(kmalloc_aligned(64, bad[i]) == NULL);
    void *p8 = kmalloc_aligned(1, 8);
    CHECK(p8 && IS_ALIGNED(virt_to_phys(p8), 8));
    kfree(p8);
    void *p1 = kmalloc_aligned(1, 1);
    CHECK(p1 != NULL);
    kfree(p1);
    for (int i = 0; i < n; i++)
        obj_release(&objs[i]);
    check_all_free("alignment");
}

TEST(many_partial_slabs)
{
    setup();
    /* 100 full slabs of 16-byte objects; freeing one object from each makes
     * 100 partial slabs, more than the heap remembers (64). Everything must
     * still go back when freed. */
    enum { SLABS = 100, PER = 4096 / 16 };
    static struct obj o[SLABS * PER];
    for (int i = 0; i < SLABS * PER; i++)
        obj_take(&o[i], kmalloc(16), 16);
    struct heap_stats st;
    heap_stats(&st);
    CHECK_EQ_INT(st.slab_pages, SLABS);
    for (int s = 0; s < SLABS; s++)
        obj_release(&o[s * PER + 7]);
    /* The freed holes are reused before new slabs are taken (at least the
     * remembered ones). */
    uint64_t slabs_before = st.slab_pages;
    static struct obj again[64];
    for (int i = 0; i < 64; i++)
        obj_take(&again[i], kmalloc(16), 16);
    heap_stats(&st);
    CHECK_EQ_INT(st.slab_pages, slabs_before);
    for (int i = 0; i < 64; i++)
        obj_release(&again[i]);
    for (int i = 0; i < SLABS * PER; i++)
        if (o[i].p)
            obj_release(&o[i]);
    check_all_free("partial slabs");
}

TEST(random_100k)
{
    setup();
    enum { SLOTS = 4000 };
    static struct obj live[SLOTS];
    rng_seed(12345);
    struct heap_stats st0, st;
    heap_stats(&st0);
    uint64_t nalloc = 0, nfree = 0, nfail = 0;
    for (int op = 0; op < 100000; op++) {
        struct obj *o = &live[rng_below(SLOTS)];
        if (o->p) {
            obj_release(o);
            nfree++;
            continue;
        }
        uint64_t k = rng_below(1000);
        size_t size;
        if (k < 700)
            size = 1 + rng_below(256);
        else if (k < 950)
            size = 1 + rng_below(2048);
        else if (k < 995)
            size = 2049 + rng_below(4 * 4096);
        else
            size = 1 + rng_below(KiB(256));
        size_t align = rng_below(4) == 0 ? (size_t)16 << rng_below(9) : 0;
        void *p = align ? kmalloc_aligned(size, align) : kmalloc(size);
        if (!p) {
            nfail++;
            continue;
        }
        if (align && !IS_ALIGNED(virt_to_phys(p), align))
            place_errors++;
        if (!obj_take_req(o, p, size, MAX(size, align)))
            break;
        nalloc++;
        if (op % 1000 == 0)
            check_heap_matches("random");
    }
    CHECK_EQ_INT(nfail, 0);
    heap_stats(&st);
    CHECK_EQ_INT(st.allocs - st0.allocs, nalloc);
    CHECK_EQ_INT(st.frees - st0.frees, nfree);
    check_heap_matches("random end");
    for (int i = 0; i < SLOTS; i++)
        if (live[i].p)
            obj_release(&live[i]);
    check_all_free("random");
}

TEST(out_of_memory)
{
    setup();
    struct heap_stats st0, st;
    heap_stats(&st0);
    /* Take every frame with page-sized objects. */
    static struct obj pages[MiB(32) / PAGE_SIZE];
    int np = 0;
    void *p;
    while ((p = kmalloc(PAGE_SIZE)) != NULL)
        obj_take(&pages[np++], p, PAGE_SIZE);
    CHECK_EQ_INT(np, start_free);
    CHECK_EQ_INT(frames_free(), 0);
    heap_stats(&st);
    CHECK_EQ_INT(st.failures, st0.failures + 1);

    /* No frame left: small objects fail too, and so does a large one. */
    CHECK(kmalloc(16) == NULL);
    CHECK(kmalloc(2048) == NULL);
    CHECK(kzalloc(100) == NULL);
    CHECK(kmalloc(3 * PAGE_SIZE) == NULL);
    CHECK(kmalloc_aligned(8, 64) == NULL);
    heap_stats(&st);
    CHECK_EQ_INT(st.failures, st0.failures + 6);
    check_heap_matches("oom");

    /* Free every other page: 4 KiB objects work, 8 KiB ones do not. */
    for (int i = 0; i < np; i++)
        if (virt_to_phys(pages[i].p) % (2 * PAGE_SIZE) == 0)
            obj_release(&pages[i]);
    struct obj two;
    CHECK(kmalloc(2 * PAGE_SIZE) == NULL);
    void *one = kmalloc(PAGE_SIZE);
    CHECK(one != NULL);
    kfree(one);
    /* Small objects share a slab until it is full. */
    int maxs = (int)start_free * 8;
    struct obj *smalls = calloc(maxs, sizeof(*smalls));
    int ns = 0;
    while (ns < maxs && (p = kmalloc(512)) != NULL)
        obj_take(&smalls[ns++], p, 512);
    CHECK(ns > 0 && ns < maxs);
    CHECK_EQ_INT(ns % 8, 0);            /* whole slabs of 512-byte objects */
    CHECK_EQ_INT(frames_free(), 0);
    for (int i = 0; i < ns; i++)
        obj_release(&smalls[i]);
    free(smalls);
    for (int i = 0; i < np; i++)
        if (pages[i].p)
            obj_release(&pages[i]);
    check_all_free("after oom");

    /* Everything works again. */
    p = kmalloc(2 * PAGE_SIZE);
    CHECK(p != NULL);
    obj_take(&two, p, 2 * PAGE_SIZE);
    obj_release(&two);
    check_all_free("recovered");
}

int main(void)
{
    return check_run_all();
}
