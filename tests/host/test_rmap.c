/* host-test-sources: aspace/paging/rmap.c */
/*
 * Host test of the region map (aspace/paging/rmap.c).
 *
 * Directed tests first (lookup boundaries, every overlap shape, physical
 * overlap, change, gaps, destroy, out of memory, rmap_check catching
 * corruption, panics on bad nodes), then the randomized test: the map
 * against a naive model (an array of regions searched linearly) over
 * RANDOM_OPS operations in a small address space, so that collisions are
 * frequent, plus occasional huge regions and addresses near the top of the
 * address space (0xffff_ffff_ffff_f000) to test end/wrap handling. Every
 * result is compared; rmap_check() and a full ordered walk run periodically.
 *
 * The random test is deterministic: it prints its seed, and
 *     ./build/host/test_rmap SEED      (or RMAP_SEED=SEED)
 * replays a run. The first divergence stops it and names the operation.
 *
 * kmalloc/kfree/kzalloc/panic are supplied here. The allocator counts live
 * blocks (leak checks) and can be told to fail (the -ENOMEM path).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>
#include <rmap.h>
#include <heap.h>
#include <panic.h>
#include <uapi/errno.h>
#include "check.h"

/* ---- kernel services for rmap.c ------------------------------------------- */

static long live_allocs;
static long fail_countdown = -1;    /* fail when it reaches 0; < 0: never */

void *kmalloc(size_t n)
{
    if (fail_countdown >= 0 && fail_countdown-- == 0)
        return NULL;
    void *p = malloc(n);
    if (p)
        live_allocs++;
    return p;
}

void *kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p) {
        unsigned char *b = p;
        for (size_t i = 0; i < n; i++)
            b[i] = 0;
    }
    return p;
}

void kfree(void *p)
{
    if (p)
        live_allocs--;
    free(p);
}

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "panic: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n");
    va_end(ap);
    abort();
}

/* ---- helpers --------------------------------------------------------------- */

#define TOP 0xfffffffffffff000ull   /* the last page of the address space */

static struct region mkreg(uint64_t va, uint64_t len)
{
    struct region r = { .va_start = va, .pa_start = 0x100000, .len = len,
                        .flags = REGION_READ | REGION_WRITE };
    return r;
}

static bool region_eq(const struct region *a, const struct region *b)
{
    return a->va_start == b->va_start && a->pa_start == b->pa_start &&
           a->len == b->len && a->flags == b->flags && a->file == b->file &&
           a->file_offset == b->file_offset;
}

/* Insert [va, va + len); returns the node or NULL (and checks ret == 0). */
static struct rmap_node *add(struct rmap *m, uint64_t va, uint64_t len)
{
    struct region r = mkreg(va, len);
    struct rmap_node *n = NULL;
    if (!CHECK_EQ_INT(rmap_insert(m, &r, &n), 0))
        return NULL;
    return n;
}

/* Insert that must fail with err, leaving the map and *out as they were. */
static void add_fails(struct rmap *m, uint64_t va, uint64_t len, int err)
{
    struct region r = mkreg(va, len);
    struct rmap_node *sentinel = (struct rmap_node *)&r, *out = sentinel;
    size_t before = rmap_count(m);
    CHECK_EQ_INT(rmap_insert(m, &r, &out), err);
    CHECK(out == sentinel);
    CHECK_EQ_INT(rmap_count(m), before);
    CHECK_EQ_INT(rmap_check(m), 0);
}

static void empty_map(struct rmap *m)
{
    rmap_destroy(m, NULL, NULL);
    CHECK_EQ_INT(live_allocs, 0);
}

/* ---- directed tests -------------------------------------------------------- */

TEST(empty)
{
    struct rmap m;
    rmap_init(&m);
    CHECK_EQ_INT(rmap_count(&m), 0);
    CHECK(rmap_first(&m) == NULL);
    CHECK(rmap_lookup(&m, 0) == NULL);
    CHECK(rmap_lookup(&m, UINT64_MAX) == NULL);
    CHECK(rmap_find_start(&m, 0) == NULL);
    CHECK_EQ_INT(rmap_check(&m), 0);
    uint64_t va = 1;
    CHECK_EQ_INT(rmap_find_gap(&m, 0, UINT64_MAX, 0x1000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0);
    rmap_destroy(&m, NULL, NULL);
    CHECK_EQ_INT(rmap_count(&m), 0);

    struct rmap z = { 0 };              /* zeroed is empty too */
    CHECK_EQ_INT(rmap_check(&z), 0);
    CHECK(add(&z, 0x1000, 0x1000) != NULL);
    empty_map(&z);
}

TEST(lookup_boundaries)
{
    struct rmap m;
    rmap_init(&m);
    struct rmap_node *a = add(&m, 0x1000, 0x2000);     /* [0x1000, 0x3000) */
    struct rmap_node *b = add(&m, 0x5000, 0x1000);     /* [0x5000, 0x6000) */
    struct rmap_node *c = add(&m, 0x6000, 0x1);        /* adjacent to b, 1 byte */
    if (!a || !b || !c)
        return;
    CHECK(rmap_lookup(&m, 0x1000) == a);               /* start */
    CHECK(rmap_lookup(&m, 0x2345) == a);               /* middle */
    CHECK(rmap_lookup(&m, 0x2fff) == a);               /* last byte */
    CHECK(rmap_lookup(&m, 0x3000) == NULL);            /* end is exclusive */
    CHECK(rmap_lookup(&m, 0x0fff) == NULL);            /* just below */
    CHECK(rmap_lookup(&m, 0) == NULL);
    CHECK(rmap_lookup(&m, 0x4000) == NULL);            /* gap */
    CHECK(rmap_lookup(&m, 0x4fff) == NULL);
    CHECK(rmap_lookup(&m, 0x5000) == b);
    CHECK(rmap_lookup(&m, 0x5fff) == b);
    CHECK(rmap_lookup(&m, 0x6000) == c);               /* next one starts */
    CHECK(rmap_lookup(&m, 0x6001) == NULL);
    CHECK(rmap_lookup(&m, UINT64_MAX) == NULL);
    CHECK(rmap_find_start(&m, 0x1000) == a);
    CHECK(rmap_find_start(&m, 0x1001) == NULL);        /* exact start only */
    CHECK(rmap_find_start(&m, 0x2fff) == NULL);
    CHECK(rmap_find_start(&m, 0x5000) == b);
    CHECK(rmap_find_start(&m, 0x6000) == c);
    CHECK(rmap_find_start(&m, 0) == NULL);
    CHECK_EQ_INT(rmap_count(&m), 3);
    CHECK_EQ_INT(rmap_check(&m), 0);
    empty_map(&m);
}

TEST(insert_copies_region)
{
    struct rmap m;
    rmap_init(&m);
    struct region r = { .va_start = 0x40000, .pa_start = 0x123000, .len = 0x3000,
                        .flags = REGION_FILE | REGION_READ,
                        .file = (struct file *)0x5555, .file_offset = 0x2000 };
    struct rmap_node *n = NULL;
    CHECK_EQ_INT(rmap_insert(&m, &r, &n), 0);
    if (!CHECK(n != NULL))
        return;
    CHECK(&n->region != &r);
    CHECK(region_eq(&n->region, &r));
    CHECK(n->pager_data == NULL);
    CHECK_EQ_INT(n->magic, RMAP_NODE_MAGIC);
    struct region saved = r;
    r.va_start = 0x99000;               /* the caller's struct is its own */
    r.len = 1;
    CHECK(region_eq(&n->region, &saved));
    CHECK(rmap_lookup(&m, 0x40000) == n);
    CHECK(rmap_lookup(&m, 0x99000) == NULL);
    /* out may be NULL. */
    struct region r2 = mkreg(0x50000, 0x1000);
    CHECK_EQ_INT(rmap_insert(&m, &r2, NULL), 0);
    CHECK(rmap_find_start(&m, 0x50000) != NULL);
    empty_map(&m);
}

TEST(overlap_virtual)
{
    struct rmap m;
    rmap_init(&m);
    if (!add(&m, 0x10000, 0x10000))     /* [0x10000, 0x20000) */
        return;
    add_fails(&m, 0x10000, 0x10000, -EEXIST);   /* identical */
    add_fails(&m, 0x10000, 0x1000, -EEXIST);    /* same start, shorter */
    add_fails(&m, 0x10000, 0x20000, -EEXIST);   /* same start, longer */
    add_fails(&m, 0x12000, 0x1000, -EEXIST);    /* contained */
    add_fails(&m, 0x1ffff, 0x1, -EEXIST);       /* last byte */
    add_fails(&m, 0x8000, 0x28000, -EEXIST);    /* containing */
    add_fails(&m, 0xf000, 0x2000, -EEXIST);     /* left partial */
    add_fails(&m, 0xf000, 0x1001, -EEXIST);     /* left partial, one byte */
    add_fails(&m, 0x1f000, 0x2000, -EEXIST);    /* right partial */
    add_fails(&m, 0, UINT64_MAX, -EEXIST);      /* everything */
    struct rmap_node *l = add(&m, 0xf000, 0x1000);   /* left adjacent: fine */
    struct rmap_node *r = add(&m, 0x20000, 0x1000);  /* right adjacent: fine */
    CHECK(l && r);
    add_fails(&m, 0xffff, 0x2, -EEXIST);        /* straddles l and the middle */
    add_fails(&m, 0xe000, 0x14000, -EEXIST);    /* covers all three */
    add_fails(&m, 0x20fff, 0x10, -EEXIST);      /* r's last byte */
    CHECK(add(&m, 0x21000, 0x10) != NULL);      /* r's end */
    CHECK(add(&m, 0xe000, 0x1000) != NULL);     /* l's start */
    CHECK_EQ_INT(rmap_count(&m), 5);
    CHECK_EQ_INT(rmap_check(&m), 0);
    empty_map(&m);
}

TEST(overlap_physical_allowed)
{
    struct rmap m;
    rmap_init(&m);
    struct region a = mkreg(0x100000, 0x4000), b = mkreg(0x200000, 0x4000);
    a.pa_start = b.pa_start = 0xb8000;          /* same frames twice */
    struct region c = mkreg(0x300000, 0x2000);
    c.pa_start = 0xb9000;                       /* partly the same frames */
    CHECK_EQ_INT(rmap_insert(&m, &a, NULL), 0);
    CHECK_EQ_INT(rmap_insert(&m, &b, NULL), 0);
    CHECK_EQ_INT(rmap_insert(&m, &c, NULL), 0);
    CHECK_EQ_INT(rmap_count(&m), 3);
    CHECK_EQ_INT(rmap_check(&m), 0);
    empty_map(&m);
}

TEST(invalid_and_top_of_address_space)
{
    struct rmap m;
    rmap_init(&m);
    add_fails(&m, 0x1000, 0, -EINVAL);          /* empty */
    add_fails(&m, 0, 0, -EINVAL);
    add_fails(&m, TOP, 0x1000, -EINVAL);        /* ends at 2^64: wraps to 0 */
    add_fails(&m, TOP, 0x2000, -EINVAL);        /* wraps past 0 */
    add_fails(&m, UINT64_MAX, 1, -EINVAL);
    add_fails(&m, 1, UINT64_MAX, -EINVAL);
    struct rmap_node *t = add(&m, TOP, 0xfff);  /* ends at UINT64_MAX: fine */
    if (!t)
        return;
    CHECK(rmap_lookup(&m, TOP) == t);
    CHECK(rmap_lookup(&m, UINT64_MAX - 1) == t);
    CHECK(rmap_lookup(&m, UINT64_MAX) == NULL);
    CHECK(rmap_lookup(&m, TOP - 1) == NULL);
    add_fails(&m, UINT64_MAX - 1, 1, -EEXIST);
    add_fails(&m, 0, UINT64_MAX, -EEXIST);      /* [0, UINT64_MAX): overlaps t */
    struct rmap_node *low = add(&m, 0, TOP);    /* everything below t */
    CHECK(low != NULL);
    CHECK(rmap_lookup(&m, 0) == low);
    CHECK(rmap_lookup(&m, TOP - 1) == low);
    CHECK(rmap_lookup(&m, TOP) == t);
    uint64_t va = 7;
    CHECK_EQ_INT(rmap_find_gap(&m, 0, UINT64_MAX, 1, 1, &va), -ENOMEM);
    CHECK_EQ_INT(va, 7);
    CHECK_EQ_INT(rmap_check(&m), 0);
    empty_map(&m);
}

TEST(remove_shapes_and_balance)
{
    struct rmap m;
    rmap_init(&m);
    enum { N = 1000 };
    static struct rmap_node *nodes[N];
    for (int i = 0; i < N; i++)        /* ascending: a plain BST would be a list */
        if (!(nodes[i] = add(&m, 0x1000ull * i, 0x800)))
            return;
    CHECK_EQ_INT(rmap_check(&m), 0);
    CHECK(m.root->height <= 14);        /* AVL: <= 1.44 log2(N + 2) */
    for (int i = 0; i < N; i++)
        nodes[i]->pager_data = &nodes[i];

    /* Remove the root repeatedly (two children), then every third, then
     * the rest from the top down; check the invariants each time. */
    for (int k = 0; k < 50; k++) {
        struct rmap_node *root = m.root;
        uint64_t va = root->region.va_start;
        rmap_remove(&m, root);
        nodes[va / 0x1000] = NULL;
        CHECK(rmap_lookup(&m, va) == NULL);
        CHECK_EQ_INT(rmap_check(&m), 0);
    }
    for (int i = 0; i < N; i += 3) {
        if (!nodes[i])
            continue;
        rmap_remove(&m, nodes[i]);
        nodes[i] = NULL;
        CHECK_EQ_INT(rmap_check(&m), 0);
    }
    size_t expect = 0;
    for (int i = 0; i < N; i++) {
        if (!nodes[i]) {
            CHECK(rmap_lookup(&m, 0x1000ull * i + 0x7ff) == NULL);
            continue;
        }
        expect++;
        CHECK(rmap_lookup(&m, 0x1000ull * i + 0x7ff) == nodes[i]);
        CHECK(nodes[i]->pager_data == &nodes[i]);
    }
    CHECK_EQ_INT(rmap_count(&m), expect);
    for (int i = N - 1; i >= 0; i--) {
        if (nodes[i]) {
            rmap_remove(&m, nodes[i]);
            CHECK_EQ_INT(rmap_check(&m), 0);
        }
    }
    CHECK_EQ_INT(rmap_count(&m), 0);
    CHECK(m.root == NULL);
    CHECK_EQ_INT(live_allocs, 0);
}

TEST(iteration_order)
{
    struct rmap m;
    rmap_init(&m);
    /* Insert 0..255 pages in a scrambled order (167 is odd: a bijection). */
    for (unsigned i = 0; i < 256; i++)
        if (!add(&m, 0x1000ull * ((i * 167) % 256), 0x1000))
            return;
    unsigned i = 0;
    for (struct rmap_node *n = rmap_first(&m); n; n = rmap_next(n), i++)
        CHECK_EQ_INT(n->region.va_start, 0x1000ull * i);
    CHECK_EQ_INT(i, 256);

    /* The documented removal idiom: remove the odd pages while walking. */
    struct rmap_node *n = rmap_first(&m);
    while (n) {
        struct rmap_node *next = rmap_next(n);
        if ((n->region.va_start / 0x1000) % 2)
            rmap_remove(&m, n);
        n = next;
    }
    CHECK_EQ_INT(rmap_count(&m), 128);
    CHECK_EQ_INT(rmap_check(&m), 0);
    i = 0;
    for (n = rmap_first(&m); n; n = rmap_next(n), i += 2)
        CHECK_EQ_INT(n->region.va_start, 0x1000ull * i);
    empty_map(&m);
}

TEST(change)
{
    struct rmap m;
    rmap_init(&m);
    struct rmap_node *a = add(&m, 0x10000, 0x2000);    /* [0x10000, 0x12000) */
    struct rmap_node *b = add(&m, 0x20000, 0x2000);
    struct rmap_node *c = add(&m, 0x30000, 0x2000);
    if (!a || !b || !c)
        return;
    a->pager_data = &a;
    b->pager_data = &b;

    /* Same range, new flags and physical start. */
    struct region r = b->region;
    r.flags = REGION_READ | REGION_EXEC | REGION_PIN;
    r.pa_start = 0x777000;
    CHECK_EQ_INT(rmap_change(&m, b, &r), 0);
    CHECK(region_eq(&b->region, &r));
    CHECK(rmap_lookup(&m, 0x20000) == b);

    /* Growing into c fails and changes nothing; growing up to c is fine. */
    struct region saved = b->region;
    r.len = 0x10001;
    CHECK_EQ_INT(rmap_change(&m, b, &r), -EEXIST);
    CHECK(region_eq(&b->region, &saved));
    r.len = 0x10000;
    CHECK_EQ_INT(rmap_change(&m, b, &r), 0);
    CHECK(rmap_lookup(&m, 0x2ffff) == b);
    CHECK(rmap_lookup(&m, 0x30000) == c);

    /* Overlapping only its own old range is fine (itself is excluded). */
    r = a->region;
    r.va_start = 0x11000;               /* [0x11000, 0x13000) */
    CHECK_EQ_INT(rmap_change(&m, a, &r), 0);
    CHECK(rmap_lookup(&m, 0x10fff) == NULL);
    CHECK(rmap_lookup(&m, 0x12fff) == a);
    CHECK(rmap_find_start(&m, 0x11000) == a);
    CHECK(rmap_find_start(&m, 0x10000) == NULL);

    /* Moving below or into others: -EEXIST, unchanged. */
    saved = a->region;
    r.va_start = 0x1f000;               /* [0x1f000, 0x21000) hits b */
    CHECK_EQ_INT(rmap_change(&m, a, &r), -EEXIST);
    CHECK(region_eq(&a->region, &saved));
    r.va_start = 0x31000;               /* inside c */
    CHECK_EQ_INT(rmap_change(&m, a, &r), -EEXIST);
    CHECK(region_eq(&a->region, &saved));

    /* Invalid ranges: -EINVAL, unchanged. */
    r.va_start = 0x50000;
    r.len = 0;
    CHECK_EQ_INT(rmap_change(&m, a, &r), -EINVAL);
    r.va_start = TOP;
    r.len = 0x1000;
    CHECK_EQ_INT(rmap_change(&m, a, &r), -EINVAL);
    CHECK(region_eq(&a->region, &saved));
    CHECK_EQ_INT(rmap_check(&m), 0);

    /* Moving past other regions re-keys the same node. */
    r.va_start = 0x40000;
    r.len = 0x1000;
    CHECK_EQ_INT(rmap_change(&m, a, &r), 0);
    CHECK_EQ_INT(rmap_check(&m), 0);
    CHECK(rmap_lookup(&m, 0x40000) == a);
    CHECK(rmap_lookup(&m, 0x11000) == NULL);
    CHECK(a->pager_data == &a && b->pager_data == &b);
    CHECK(rmap_first(&m) == b);
    CHECK(rmap_next(b) == c && rmap_next(c) == a && rmap_next(a) == NULL);
    r.va_start = 0;                     /* and back down below everything */
    CHECK_EQ_INT(rmap_change(&m, a, &r), 0);
    CHECK(rmap_first(&m) == a);
    CHECK_EQ_INT(rmap_count(&m), 3);
    CHECK_EQ_INT(rmap_check(&m), 0);

    /* Many moves in a bigger tree keep it balanced. */
    for (int i = 0; i < 200; i++)
        add(&m, 0x100000 + 0x1000ull * i, 0x1000);
    for (int i = 0; i < 200; i++) {
        struct rmap_node *n = rmap_find_start(&m, 0x100000 + 0x1000ull * i);
        if (!CHECK(n != NULL))
            break;
        r = n->region;
        r.va_start = 0x1000000 - 0x1000ull * i;     /* reverse order, far away */
        CHECK_EQ_INT(rmap_change(&m, n, &r), 0);
        CHECK_EQ_INT(rmap_check(&m), 0);
    }
    CHECK_EQ_INT(rmap_count(&m), 203);
    CHECK_EQ_INT(live_allocs, 203);     /* change never allocates */
    empty_map(&m);
}

TEST(find_gap)
{
    struct rmap m;
    rmap_init(&m);
    uint64_t va = 0;
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0x10000, 0x2000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x1000);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1001, 0x10000, 0x2000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x2000);           /* lo rounded up */

    add(&m, 0x2000, 0x2000);            /* [0x2000, 0x4000) */
    add(&m, 0x5000, 0x1000);            /* [0x5000, 0x6000) */
    add(&m, 0x9000, 0x1000);            /* [0x9000, 0xa000) */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0x100000, 0x1000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x1000);           /* exactly fits below the first */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0x100000, 0x2000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x6000);           /* 0x1000 and 0x4000 are too small */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0x100000, 0x4000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0xa000);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x3000, 0x100000, 0x1000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x4000);           /* lo inside a region */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x2000, 0x100000, 0x1000, 0x2000, &va), 0);
    CHECK_EQ_INT(va, 0x4000);           /* after a region, aligned */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x2000, 0x100000, 0x1800, 0x2000, &va), 0);
    CHECK_EQ_INT(va, 0x6000);           /* 0x4000 is free but too short */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0x100000, 0x1000, 0x4000, &va), 0);
    CHECK_EQ_INT(va, 0x4000);
    CHECK_EQ_INT(rmap_find_gap(&m, 0, 0x100000, 0x1000, 0x10000, &va), 0);
    CHECK_EQ_INT(va, 0);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1, 0x100000, 0x1000, 0x10000, &va), 0);
    CHECK_EQ_INT(va, 0x10000);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x6000, 0x9000, 0x3000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x6000);           /* exact fit up to hi */
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1800, 0x2000, 0x800, 1, &va), 0);
    CHECK_EQ_INT(va, 0x1800);           /* byte granularity */

    /* No room: -ENOMEM and *out_va untouched. */
    va = 42;
    CHECK_EQ_INT(rmap_find_gap(&m, 0x6000, 0x9000, 0x3001, 1, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x2000, 0x4000, 1, 1, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1000, 0xa000, 0x4000, 0x1000, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x1001, 0x2000, 0x1000, 0x1000, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, TOP + 1, UINT64_MAX, 1, 1ull << 62, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, TOP + 1, UINT64_MAX, 1, 1ull << 63, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, 0, UINT64_MAX, UINT64_MAX, 1, &va), -ENOMEM);
    CHECK_EQ_INT(va, 42);
    /* Bad arguments. */
    CHECK_EQ_INT(rmap_find_gap(&m, 0, 0x10000, 0, 1, &va), -EINVAL);
    CHECK_EQ_INT(rmap_find_gap(&m, 0, 0x10000, 1, 0, &va), -EINVAL);
    CHECK_EQ_INT(rmap_find_gap(&m, 0, 0x10000, 1, 3, &va), -EINVAL);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x10000, 0x10000, 1, 1, &va), -EINVAL);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x10001, 0x10000, 1, 1, &va), -EINVAL);
    CHECK_EQ_INT(va, 42);

    /* The very top: [TOP, UINT64_MAX) is the highest range there can be. */
    CHECK_EQ_INT(rmap_find_gap(&m, TOP, UINT64_MAX, 0xfff, 0x1000, &va), 0);
    CHECK_EQ_INT(va, TOP);
    add(&m, TOP, 0x800);
    CHECK_EQ_INT(rmap_find_gap(&m, TOP, UINT64_MAX, 0x7ff, 1, &va), 0);
    CHECK_EQ_INT(va, TOP + 0x800);
    CHECK_EQ_INT(rmap_find_gap(&m, TOP, UINT64_MAX, 0x800, 1, &va), -ENOMEM);
    CHECK_EQ_INT(rmap_find_gap(&m, 0x100000, UINT64_MAX, 0x1000, 0x1000, &va), 0);
    CHECK_EQ_INT(va, 0x100000);
    empty_map(&m);
}

struct destroy_log {
    uint64_t last_start;
    int calls;
    bool ordered;
};

static void destroy_cb(struct rmap_node *n, void *arg)
{
    struct destroy_log *log = arg;
    if (log->calls && n->region.va_start <= log->last_start)
        log->ordered = false;
    if (n->magic != RMAP_NODE_MAGIC || n->pager_data != (void *)log)
        log->ordered = false;
    log->last_start = n->region.va_start;
    log->calls++;
}

TEST(destroy)
{
    struct rmap m;
    rmap_init(&m);
    for (unsigned i = 0; i < 300; i++) {
        if (!add(&m, 0x1000ull * ((i * 7) % 300), 0x1000))
            return;
    }
    struct destroy_log log = { 0, 0, true };
    for (struct rmap_node *n = rmap_first(&m); n; n = rmap_next(n))
        n->pager_data = &log;
    rmap_destroy(&m, destroy_cb, &log);
    CHECK_EQ_INT(log.calls, 300);
    CHECK(log.ordered);
    CHECK_EQ_INT(rmap_count(&m), 0);
    CHECK(m.root == NULL);
    CHECK_EQ_INT(live_allocs, 0);
    CHECK(add(&m, 0x1000, 0x1000) != NULL);    /* usable again */
    empty_map(&m);
}

TEST(out_of_memory)
{
    struct rmap m;
    rmap_init(&m);
    add(&m, 0x1000, 0x1000);
    add(&m, 0x3000, 0x1000);
    fail_countdown = 0;
    add_fails(&m, 0x5000, 0x1000, -ENOMEM);
    fail_countdown = 0;
    add_fails(&m, 0x1000, 0x1000, -EEXIST);     /* checked before allocating */
    CHECK_EQ_INT(fail_countdown, 0);            /* ...so nothing was asked */
    fail_countdown = -1;
    CHECK(rmap_lookup(&m, 0x5000) == NULL);
    CHECK(add(&m, 0x5000, 0x1000) != NULL);
    CHECK_EQ_INT(live_allocs, 3);
    empty_map(&m);
}

TEST(check_catches_corruption)
{
    struct rmap m;
    rmap_init(&m);
    for (unsigned i = 0; i < 31; i++)
        add(&m, 0x1000ull * i, 0x1000);
    CHECK_EQ_INT(rmap_check(&m), 0);
    struct rmap_node *root = m.root, *leaf = rmap_first(&m);

    m.count++;                                  /* count */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    m.count--;
    root->height++;                             /* height */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    root->height--;
    leaf->magic = RMAP_NODE_DEAD_MAGIC;         /* magic */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->magic = RMAP_NODE_MAGIC;
    leaf->region.len = 0x1001;                  /* overlap with the next */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->region.len = 0;                       /* empty range */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->region.len = 0x1000;
    leaf->region.va_start = 0x100000;           /* order */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->region.va_start = 0;
    struct rmap_node *p = leaf->parent;         /* parent link */
    leaf->parent = root;
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->parent = p;
    leaf->left = root;                          /* a cycle */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->left = NULL;
    CHECK_EQ_INT(rmap_check(&m), 0);
    root->sub_gap = 0x1000;                     /* gaps (I6) */
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    root->sub_gap = 0;
    leaf->gap_before = 0x1000;
    CHECK_EQ_INT(rmap_check(&m), -EINVAL);
    leaf->gap_before = 0;
    CHECK_EQ_INT(rmap_check(&m), 0);

    /* Unbalanced but otherwise valid: a 3-node chain. */
    struct rmap bad;
    rmap_init(&bad);
    struct rmap_node n[3] = { 0 };
    for (int i = 0; i < 3; i++) {
        n[i].magic = RMAP_NODE_MAGIC;
        n[i].region = mkreg(0x1000ull * i, 0x1000);
        n[i].height = 3 - i;
        n[i].right = i < 2 ? &n[i + 1] : NULL;
        n[i].parent = i > 0 ? &n[i - 1] : NULL;
    }
    bad.root = &n[0];
    bad.count = 3;
    CHECK_EQ_INT(rmap_check(&bad), -EINVAL);
    empty_map(&m);
}

/* Run fn in a child; true if the child died of SIGABRT (our panic). */
static bool panics(void (*fn)(void))
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return false;
    if (pid == 0) {
        if (!freopen("/dev/null", "w", stderr))
            _exit(2);
        fn();
        _exit(0);
    }
    int status;
    if (waitpid(pid, &status, 0) != pid)
        return false;
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

static void remove_garbage_node(void)
{
    struct rmap m;
    rmap_init(&m);
    struct rmap_node fake = { 0 };
    rmap_remove(&m, &fake);
}

static void remove_dead_node(void)
{
    struct rmap m;
    rmap_init(&m);
    struct rmap_node fake = { .magic = RMAP_NODE_DEAD_MAGIC };
    rmap_remove(&m, &fake);
}

static void remove_other_maps_node(void)
{
    struct rmap a, b;
    rmap_init(&a);
    rmap_init(&b);
    struct region r = mkreg(0x1000, 0x1000);
    struct rmap_node *n;
    rmap_insert(&a, &r, &n);
    rmap_insert(&b, &r, NULL);
    rmap_remove(&b, n);
}

static void change_other_maps_node(void)
{
    struct rmap a, b;
    rmap_init(&a);
    rmap_init(&b);
    struct region r = mkreg(0x1000, 0x1000);
    struct rmap_node *n;
    rmap_insert(&a, &r, &n);
    rmap_change(&b, n, &r);
}

static void next_of_garbage(void)
{
    struct rmap_node fake = { .magic = 0x12345678 };
    rmap_next(&fake);
}

static void remove_live_node(void)      /* the control: must NOT panic */
{
    struct rmap m;
    rmap_init(&m);
    struct region r = mkreg(0x1000, 0x1000);
    struct rmap_node *n;
    rmap_insert(&m, &r, &n);
    rmap_remove(&m, n);
}

TEST(bad_nodes_panic)
{
    CHECK(panics(remove_garbage_node));
    CHECK(panics(remove_dead_node));
    CHECK(panics(remove_other_maps_node));
    CHECK(panics(change_other_maps_node));
    CHECK(panics(next_of_garbage));
    CHECK(!panics(remove_live_node));
}

/* ---- the randomized test against a naive model ----------------------------- */

#define RANDOM_OPS      100000
#define CHECK_EVERY     128         /* rmap_check + full ordered walk */
#define MODEL_MAX       4096
/* Most addresses fall in [0, low_space): phases of PHASE_OPS operations
 * alternate between a crowded space (tens of regions, constant collisions)
 * and a wider one (a few hundred regions, deeper trees). */
#define PHASE_OPS       10000
static uint64_t low_space = 512;

static uint64_t seed = 0x5eed0f5717a7aull;
static uint64_t rng_state;

static uint64_t rnd(void)          /* splitmix64 */
{
    uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static struct {
    struct region r;
    struct rmap_node *node;         /* the node the map gave for it */
    void *tag;                      /* its pager_data */
} model[MODEL_MAX];
static int nmodel;

static bool model_valid(uint64_t va, uint64_t len)
{
    return len != 0 && va + len > va;
}

/* Does valid [va, va + len) overlap a model region other than `except`? */
static bool model_overlaps(uint64_t va, uint64_t len, int except)
{
    for (int i = 0; i < nmodel; i++)
        if (i != except && va < region_end(&model[i].r) && model[i].r.va_start < va + len)
            return true;
    return false;
}

static struct rmap_node *model_lookup(uint64_t va)
{
    for (int i = 0; i < nmodel; i++)
        if (model[i].r.va_start <= va && va < region_end(&model[i].r))
            return model[i].node;
    return NULL;
}

static struct rmap_node *model_find_start(uint64_t va)
{
    for (int i = 0; i < nmodel; i++)
        if (model[i].r.va_start == va)
            return model[i].node;
    return NULL;
}

/* The answer of rmap_find_gap, found the slow way: the lowest fitting
 * aligned start is align_up(lo) or align_up(end of some region) (if v is
 * the answer and v - align >= lo, v - align did not fit because a region
 * ends in (v - align, v]), so try all of those and keep the lowest. */
static int model_find_gap(uint64_t lo, uint64_t hi, uint64_t len, uint64_t align, uint64_t *out)
{
    if (len == 0 || align == 0 || (align & (align - 1)) || lo >= hi)
        return -EINVAL;
    bool found = false;
    uint64_t best = 0;
    for (int i = -1; i < nmodel; i++) {
        uint64_t c = i < 0 ? lo : region_end(&model[i].r);
        if (c < lo || c > UINT64_MAX - (align - 1))
            continue;
        uint64_t v = (c + align - 1) & ~(align - 1);
        if (v >= hi || hi - v < len || model_overlaps(v, len, -1))
            continue;
        if (!found || v < best)
            best = v, found = true;
    }
    if (!found)
        return -ENOMEM;
    *out = best;
    return 0;
}

static uint64_t rand_addr(void)
{
    uint64_t r = rnd() % 20;
    if (r < 14)
        return rnd() % low_space;
    if (r < 18)                         /* the top page, in 0x40-byte steps */
        return TOP + (rnd() % 64) * 0x40 + (rnd() % 8 == 0 ? rnd() % 3 : 0) - (r == 17);
    switch (rnd() % 6) {
    case 0:  return 0;
    case 1:  return UINT64_MAX;
    case 2:  return UINT64_MAX - 1;
    case 3:  return TOP - 1;
    case 4:  return low_space + rnd() % 64;
    default: return rnd();
    }
}

static uint64_t rand_len(uint64_t va)
{
    switch (rnd() % 40) {
    case 0:  return 0;
    case 1:  return 0 - va;             /* ends at 2^64: -EINVAL */
    case 2:  return 0 - va - 1;         /* ends at UINT64_MAX: a huge region */
    case 3:  return 0 - va + 1;         /* wraps */
    case 4:  return rnd();              /* huge, often wraps */
    case 5:  return 1ull << 63;
    case 6:  return TOP - va;           /* up to the top page */
    default:
        return va >= TOP - 0x1000 ? 1 + rnd() % 0x400 : 1 + rnd() % 24;
    }
}

static struct region rand_region(void)
{
    uint64_t va = rand_addr();
    struct region r = mkreg(va, rand_len(va));
    r.pa_start = rnd() % 4 * 0x1000;    /* physical overlap all the time */
    r.flags = (uint32_t)(rnd() & REGION_FLAGS_ALL);
    r.file = (struct file *)(uintptr_t)(rnd() % 4 * 16);
    r.file_offset = rnd() % 4 * 0x1000;
    return r;
}

/* An address likely to matter: a region's start/end +-1 or a random one. */
static uint64_t interesting_addr(void)
{
    if (nmodel == 0 || rnd() % 2)
        return rand_addr();
    const struct region *r = &model[rnd() % nmodel].r;
    switch (rnd() % 5) {
    case 0:  return r->va_start;
    case 1:  return r->va_start - 1;
    case 2:  return region_end(r) - 1;
    case 3:  return region_end(r);
    default: return r->va_start + rnd() % r->len;
    }
}

static int cmp_start(const void *a, const void *b)
{
    uint64_t x = ((const struct region *)a)->va_start;
    uint64_t y = ((const struct region *)b)->va_start;
    return x < y ? -1 : x > y;
}

static struct region sorted_model[MODEL_MAX];

/* rmap_check, count, and the ordered walk against the sorted model. */
static bool full_compare(const struct rmap *m)
{
    if (rmap_check(m) != 0 || rmap_count(m) != (size_t)nmodel)
        return false;
    for (int i = 0; i < nmodel; i++)
        sorted_model[i] = model[i].r;
    qsort(sorted_model, nmodel, sizeof(sorted_model[0]), cmp_start);
    int i = 0;
    for (struct rmap_node *n = rmap_first(m); n; n = rmap_next(n), i++)
        if (i >= nmodel || !region_eq(&n->region, &sorted_model[i]))
            return false;
    return i == nmodel;
}

enum { OP_INSERT, OP_REMOVE, OP_LOOKUP, OP_FIND_START, OP_CHANGE, OP_GAP, OP_N };
static const char *const op_names[OP_N] = {
    "insert", "remove", "lookup", "find_start", "change", "find_gap" };

static long stats[OP_N][3];         /* [op][0: ok/found, 1: -EEXIST/none, 2: -EINVAL] */

static int stat_slot(int ret)
{
    return ret == 0 ? 0 : ret == -EINVAL ? 2 : 1;
}

/* Report the first divergence and stop. */
#define DIVERGE(...) do {                                                      \
        char msg_[256];                                                       \
        snprintf(msg_, sizeof(msg_), __VA_ARGS__);                             \
        check_result_(0, __FILE__, __LINE__, "seed %#llx op %ld: %s",          \
                      (unsigned long long)seed, op, msg_);                     \
        goto out;                                                              \
    } while (0)

TEST(random_against_model)
{
    struct rmap m;
    rmap_init(&m);
    rng_state = seed;
    nmodel = 0;
    int max_regions = 0;
    long op = 0;
    printf("random test: seed %#llx, %d operations\n", (unsigned long long)seed, RANDOM_OPS);

    for (op = 0; op < RANDOM_OPS; op++) {
        low_space = (op / PHASE_OPS) % 2 ? 8192 : 512;
        uint64_t r = rnd() % 100;
        bool wide = low_space > 512;    /* wide: grow the tree */
        int kind = r < (wide ? 38u : 30u) ? OP_INSERT : r < 45 ? OP_REMOVE : r < 65 ? OP_LOOKUP :
                   r < 75 ? OP_FIND_START : r < 93 ? OP_CHANGE : OP_GAP;

        switch (kind) {
        case OP_INSERT: {
            struct region reg = rand_region();
            int want = !model_valid(reg.va_start, reg.len) ? -EINVAL :
                       model_overlaps(reg.va_start, reg.len, -1) ? -EEXIST : 0;
            struct rmap_node *n = NULL;
            int got = rmap_insert(&m, &reg, &n);
            stats[kind][stat_slot(got)]++;
            if (got != want)
                DIVERGE("insert [%#lx +%#lx): got %d, want %d", reg.va_start, reg.len, got, want);
            if (got == 0) {
                if (!n || !region_eq(&n->region, &reg) || n->pager_data)
                    DIVERGE("insert: bad node");
                if (nmodel == MODEL_MAX)
                    DIVERGE("model full");
                n->pager_data = (void *)(uintptr_t)(op + 1);
                model[nmodel].r = reg;
                model[nmodel].node = n;
                model[nmodel].tag = n->pager_data;
                nmodel++;
                max_regions = MAX(max_regions, nmodel);
            }
            break;
        }
        case OP_REMOVE: {
            if (nmodel == 0)
                break;
            int i = rnd() % nmodel;
            struct rmap_node *n = model[i].node;
            if (rnd() % 2 && rmap_find_start(&m, model[i].r.va_start) != n)
                DIVERGE("remove: find_start(%#lx) disagrees", model[i].r.va_start);
            if (n->pager_data != model[i].tag)
                DIVERGE("remove: pager_data lost");
            rmap_remove(&m, n);
            stats[kind][0]++;
            model[i] = model[--nmodel];
            break;
        }
        case OP_LOOKUP: {
            uint64_t va = interesting_addr();
            struct rmap_node *got = rmap_lookup(&m, va), *want = model_lookup(va);
            stats[kind][got ? 0 : 1]++;
            if (got != want)
                DIVERGE("lookup(%#lx): got %p, want %p", va, (void *)got, (void *)want);
            break;
        }
        case OP_FIND_START: {
            uint64_t va = interesting_addr();
            struct rmap_node *got = rmap_find_start(&m, va), *want = model_find_start(va);
            stats[kind][got ? 0 : 1]++;
            if (got != want)
                DIVERGE("find_start(%#lx): got %p, want %p", va, (void *)got, (void *)want);
            break;
        }
        case OP_CHANGE: {
            if (nmodel == 0)
                break;
            int i = rnd() % nmodel;
            struct rmap_node *n = model[i].node;
            struct region reg = rand_region();
            switch (rnd() % 3) {
            case 0:                     /* same range, other fields */
                reg.va_start = model[i].r.va_start;
                reg.len = model[i].r.len;
                break;
            case 1:                     /* nudge the start and length */
                reg.va_start = model[i].r.va_start + rnd() % 9 - 4;
                reg.len = model[i].r.len + rnd() % 9 - 4;
                break;
            default:                    /* anywhere */
                break;
            }
            int want = !model_valid(reg.va_start, reg.len) ? -EINVAL :
                       model_overlaps(reg.va_start, reg.len, i) ? -EEXIST : 0;
            int got = rmap_change(&m, n, &reg);
            stats[kind][stat_slot(got)]++;
            if (got != want)
                DIVERGE("change [%#lx +%#lx) to [%#lx +%#lx): got %d, want %d",
                        model[i].r.va_start, model[i].r.len, reg.va_start, reg.len, got, want);
            if (got == 0)
                model[i].r = reg;
            if (!region_eq(&n->region, &model[i].r) || n->pager_data != model[i].tag)
                DIVERGE("change: node content wrong after %d", got);
            break;
        }
        case OP_GAP: {
            uint64_t lo = interesting_addr(), hi;
            switch (rnd() % 4) {
            case 0:  hi = UINT64_MAX; break;
            case 1:  hi = lo + rnd() % 64; break;
            default: hi = lo + rnd() % (low_space * 2); break;
            }
            uint64_t len = 1 + rnd() % 16;
            if (rnd() % 10 == 0)
                len = rnd() % 8 == 0 ? 0 : rnd() >> (rnd() % 64);
            uint64_t align = rnd() % 20 == 0 ? (rnd() % 5 == 0 ? 3 : 1ull << (rnd() % 64))
                                             : 1ull << (rnd() % 7);
            uint64_t got_va = 0xdead, want_va = 0xdead;
            int got = rmap_find_gap(&m, lo, hi, len, align, &got_va);
            int want = model_find_gap(lo, hi, len, align, &want_va);
            stats[kind][stat_slot(got)]++;
            if (got != want || got_va != want_va)
                DIVERGE("find_gap(%#lx, %#lx, len %#lx, align %#lx): got %d/%#lx, want %d/%#lx",
                        lo, hi, len, align, got, got_va, want, want_va);
            break;
        }
        }
        if (rmap_count(&m) != (size_t)nmodel)
            DIVERGE("count %zu, model %d", rmap_count(&m), nmodel);
        if (op % CHECK_EVERY == 0 && !full_compare(&m))
            DIVERGE("rmap_check or the ordered walk disagrees with the model");
    }
    CHECK(full_compare(&m));
out:
    printf("random test: %ld operations, up to %d regions\n", op, max_regions);
    for (int k = 0; k < OP_N; k++)
        printf("  %-10s ok/found %6ld  -EEXIST/none %6ld  -EINVAL %6ld\n",
               op_names[k], stats[k][0], stats[k][1], stats[k][2]);
    CHECK_EQ_INT(op, RANDOM_OPS);
    rmap_destroy(&m, NULL, NULL);
    CHECK_EQ_INT(rmap_count(&m), 0);
    CHECK_EQ_INT(live_allocs, 0);
}

/* ---- find_gap in a big map, against a brute-force oracle ----------------- */

#define BIG_N   20000

static uint64_t big_start[BIG_N], big_len[BIG_N];     /* sorted, disjoint */
static int big_n;

/* The lowest aligned fit, found by walking every free range in order. */
static int oracle_find_gap(uint64_t lo, uint64_t hi, uint64_t len, uint64_t align, uint64_t *out)
{
    uint64_t prev_end = 0;
    for (int i = 0; i <= big_n; i++) {
        uint64_t a = MAX(prev_end, lo), b = MIN(i < big_n ? big_start[i] : UINT64_MAX, hi);
        if (a < b && a <= UINT64_MAX - (align - 1)) {
            uint64_t v = (a + align - 1) & ~(align - 1);
            if (v < b && b - v >= len) {
                *out = v;
                return 0;
            }
        }
        if (i < big_n)
            prev_end = big_start[i] + big_len[i];
    }
    return -ENOMEM;
}

static void big_remove(int i)
{
    for (int j = i; j + 1 < big_n; j++) {
        big_start[j] = big_start[j + 1];
        big_len[j] = big_len[j + 1];
    }
    big_n--;
}

TEST(find_gap_big_map_against_oracle)
{
    struct rmap m;
    rmap_init(&m);
    srand(7);
    /* 20,000 regions of 1-3 pages, mostly 1-2 pages apart, now and then
     * with a bigger hole; inserted in a shuffled order. */
    uint64_t va = 0x10000000;
    for (big_n = 0; big_n < BIG_N; big_n++) {
        big_start[big_n] = va;
        big_len[big_n] = 0x1000ull * (1 + rand() % 3);
        uint64_t hole = rand() % 500 == 0 ? 0x1000ull * (8 + rand() % 300) : 0x1000ull * (1 + rand() % 2);
        va += big_len[big_n] + hole;
    }
    static int order[BIG_N];
    for (int i = 0; i < BIG_N; i++)
        order[i] = i;
    for (int i = BIG_N - 1; i > 0; i--) {
        int j = rand() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < BIG_N; i++)
        add(&m, big_start[order[i]], big_len[order[i]]);
    CHECK_EQ_INT(rmap_check(&m), 0);

    static const uint64_t lens[] = { 1, 0x1000, 0x2000, 0x3000, 0x8000, 0x40000, 0x100000, 0x10000000 };
    static const uint64_t aligns[] = { 1, 0x1000, 0x2000, 0x10000, 0x200000 };
    long mismatches = 0, found = 0;
    for (int round = 0; round < 4; round++) {
        for (int q = 0; q < 3000; q++) {
            uint64_t lo = 0x10000000 + (uint64_t)(rand() % 0x8000) * 0x1000 + (rand() % 4 == 0 ? rand() % 0x1000 : 0);
            uint64_t hi = rand() % 3 == 0 ? UINT64_MAX : lo + 1 + (uint64_t)(rand() % 0x4000) * 0x1000;
            uint64_t len = lens[rand() % ARRAY_SIZE(lens)], align = aligns[rand() % ARRAY_SIZE(aligns)];
            uint64_t got = 1, want = 2;
            int rg = rmap_find_gap(&m, lo, hi, len, align, &got);
            int rw = oracle_find_gap(lo, hi, len, align, &want);
            if (rg != rw || (rg == 0 && got != want)) {
                if (mismatches++ < 5)
                    printf("  find_gap(%#lx, %#lx, len %#lx, align %#lx): got %d/%#lx, want %d/%#lx\n",
                           lo, hi, len, align, rg, got, rw, want);
            }
            found += rg == 0;
        }
        /* Remove a quarter of the regions (the summaries must follow), and
         * grow or shrink some in place. */
        for (int k = 0; k < big_n / 4; k++) {
            int i = rand() % big_n;
            struct rmap_node *n = rmap_find_start(&m, big_start[i]);
            if (!CHECK(n != NULL))
                break;
            if (k % 3 == 0 && (i + 1 == big_n || big_start[i] + big_len[i] + 0x1000 <= big_start[i + 1])) {
                struct region r = n->region;
                r.len += 0x1000;
                CHECK_EQ_INT(rmap_change(&m, n, &r), 0);
                big_len[i] += 0x1000;
            } else {
                rmap_remove(&m, n);
                big_remove(i);
            }
        }
        CHECK_EQ_INT(rmap_check(&m), 0);
    }
    CHECK_EQ_INT(mismatches, 0);
    CHECK(found > 3000);
    printf("  big map: %ld of 12000 queries found a gap\n", found);
    empty_map(&m);
}

int main(int argc, char **argv)
{
    const char *s = argc > 1 ? argv[1] : getenv("RMAP_SEED");
    if (s)
        seed = strtoull(s, NULL, 0);
    return check_run_all();     /* ends with check_summary() */
}
