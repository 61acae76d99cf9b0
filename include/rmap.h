/*
 * Region map: the set of regions of one address space, as a balanced tree.
 *
 * Used by the `paging` address-space implementation. The map holds COPIES
 * of struct region (it never keeps the caller's pointer), each in a node
 * that it allocates with kmalloc() and frees with kfree(). Regions in one
 * map never overlap virtually; physical overlap is allowed (two regions may
 * map the same frames).
 *
 * The tree is an AVL tree keyed by va_start (see aspace/paging/rmap.c for
 * the invariants). With n regions, every operation below is O(log n) unless
 * its comment says otherwise.
 *
 * Ranges: a region covers [va_start, va_start + len). len must be > 0 and
 * the exclusive end must not wrap past 2^64, i.e. va_start + len > va_start
 * as uint64_t arithmetic (the same rule as aspace_region_add()): a region
 * may end at 0xffff_ffff_ffff_ffff (exclusive), never at 2^64, so
 * region_end() is always meaningful.
 *
 * Locking: none. The map is a plain data structure; the owner serialises
 * access (the paging implementation holds as->lock around every call).
 *
 * Node pointers stay valid until rmap_remove() or rmap_destroy() of that
 * node: insert, remove of other nodes and rmap_change() never move a region
 * to another node. Using a node after it was freed panics when the magic
 * check catches it (RMAP_NODE_DEAD_MAGIC), which is likely but not certain.
 */
#ifndef STRATA_RMAP_H
#define STRATA_RMAP_H

#include <compiler.h>
#include <aspace.h>

#define RMAP_NODE_MAGIC         0x524d4150u     /* "RMAP": a live node */
#define RMAP_NODE_DEAD_MAGIC    0x726d6164u     /* "rmad": set just before kfree() */

struct rmap_node {
    uint32_t magic;             /* RMAP_NODE_MAGIC while in a map */
    int height;                 /* AVL: 1 + height of the taller child */
    struct rmap_node *left;     /* regions below va_start */
    struct rmap_node *right;    /* regions above va_start */
    struct rmap_node *parent;   /* NULL for the root */
    uint64_t gap_before;        /* free bytes between the previous region's
                                   end (0 for the first) and va_start */
    uint64_t sub_gap;           /* largest gap_before in this subtree */
    struct region region;       /* the map's own copy; read-only to users:
                                   change it with rmap_change() */
    void *pager_data;           /* the owner's per-region data: NULL after
                                   insert, never touched by the map again */
};

struct rmap {
    struct rmap_node *root;     /* NULL when empty */
    size_t count;               /* number of regions */
};

/* Make m an empty map. A zeroed struct rmap is also a valid empty map. */
void rmap_init(struct rmap *m);

/* Insert a copy of *r. On success return 0 and, if out is not NULL, set
 * *out to the new node (its pager_data is NULL). Failures leave the map
 * unchanged and *out untouched:
 *   -EINVAL  r->len == 0, or va_start + len wraps (see top);
 *   -EEXIST  [va_start, va_start + len) overlaps an existing region
 *            (virtually; sharing physical memory is fine; touching, i.e.
 *            one ending where the other starts, is not overlap);
 *   -ENOMEM  kmalloc() failed. */
int rmap_insert(struct rmap *m, const struct region *r, struct rmap_node **out);

/* The node whose [va_start, va_start + len) contains va, or NULL. */
struct rmap_node *rmap_lookup(const struct rmap *m, uint64_t va);

/* The node whose region contains va, else the first one starting above
 * va, else NULL: where a walk over the regions from va begins. */
struct rmap_node *rmap_lookup_from(const struct rmap *m, uint64_t va);

/* The node whose region starts exactly at va_start, or NULL. */
struct rmap_node *rmap_find_start(const struct rmap *m, uint64_t va_start);

/* Remove n from m and free it. n must be a live node of m: otherwise
 * (bad magic, or a node of another map) it panics. The caller releases
 * whatever pager_data and the region (e.g. its file reference) own first. */
void rmap_remove(struct rmap *m, struct rmap_node *n);

/* Replace n's region with a copy of *newr; the node (and its pager_data)
 * stays the same. If the virtual range changes, it is checked for overlap
 * with every OTHER region and n is moved within the tree as needed. On
 * failure nothing changes:
 *   -EINVAL  newr->len == 0 or the range wraps;
 *   -EEXIST  the new range overlaps another region.
 * Never allocates, so never -ENOMEM. Panics if n is not a live node of m. */
int rmap_change(struct rmap *m, struct rmap_node *n, const struct region *newr);

/* Iteration in increasing address order:
 *     for (struct rmap_node *n = rmap_first(m); n; n = rmap_next(n)) ...
 * rmap_first is O(log n); rmap_next is O(log n) worst case and O(1)
 * amortized over a whole walk (a full walk is O(n)). Do not insert or
 * remove while walking, except removing the node you fetched the next
 * one for:  next = rmap_next(n); rmap_remove(m, n); n = next;  */
struct rmap_node *rmap_first(const struct rmap *m);
struct rmap_node *rmap_next(const struct rmap_node *n);

/* Find the lowest va with va % align == 0 such that [va, va + len) lies
 * inside [lo, hi) and overlaps no region; store it in *out_va and return 0.
 *   -EINVAL  len == 0, align not a power of two (0 included), lo >= hi;
 *   -ENOMEM  no such range (the mmap convention), *out_va untouched.
 * Cost: O(log n) when every gap of len bytes can hold an aligned range
 * (align no larger than the alignment of the regions' ends, e.g. pages
 * for page-aligned regions): each node keeps the widest gap of its
 * subtree, so subtrees without room are skipped whole. With a larger
 * align, gaps that are long enough but cannot hold an aligned range are
 * looked at one by one (O(log n + k) for k such gaps). */
int rmap_find_gap(const struct rmap *m, uint64_t lo, uint64_t hi,
                  uint64_t len, uint64_t align, uint64_t *out_va);

/* Call fn(node, arg) on every node in address order (fn may be NULL),
 * then free all nodes and leave m empty, as after rmap_init(). The map is
 * intact while fn runs; fn must not insert, remove or change anything.
 * O(n), no recursion. */
void rmap_destroy(struct rmap *m, void (*fn)(struct rmap_node *n, void *arg), void *arg);

/* Number of regions. O(1). */
size_t rmap_count(const struct rmap *m);

/* Verify every invariant: parent links, magic, BST order by va_start, no
 * virtual overlap, valid ranges, AVL heights and balance, the subtree
 * summaries, count. Returns 0,
 * or -EINVAL on the first violation (it does not panic, so tests and
 * debug commands can report it). O(n), recursion depth bounded. */
int rmap_check(const struct rmap *m);

#endif
