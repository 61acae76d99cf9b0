/*
 * Region map: an AVL tree of regions keyed by va_start (include/rmap.h).
 *
 * Invariants (rmap_check() verifies all of them):
 *   I1  Links: the root's parent is NULL; for every node n, n->left and
 *       n->right (when not NULL) have parent == n; every node in the tree
 *       has magic == RMAP_NODE_MAGIC. m->count is the number of nodes.
 *   I2  Order: every node in n's left subtree has a smaller va_start than
 *       n, every node in its right subtree a larger one. An in-order walk
 *       therefore visits the regions in increasing address order.
 *   I3  Ranges: every region has len > 0 and va_start + len does not wrap.
 *   I4  No virtual overlap: in address order, each region ends (exclusive)
 *       at or before the next one starts. With I2 this means the regions'
 *       ENDS are sorted too, which the overlap check relies on.
 *   I5  AVL balance: n->height = 1 + max(height(left), height(right)),
 *       with height(NULL) = 0, and the two child heights differ by at most
 *       one. An AVL tree of n nodes is at most ~1.44 log2(n + 2) high, so
 *       every walk from the root to a leaf is O(log n).
 *   I6  Gaps: n->gap_before is n's start minus the end of the region just
 *       before it in address order (minus 0 for the first region), and
 *       n->sub_gap is the largest gap_before in n's subtree. The free range
 *       after the last region is not stored: it ends at the top.
 *       sub_gap, like the height, depends only on the node and its
 *       children, so node_update() recomputes both; gap_before depends on
 *       the neighbour, so insert, remove and change fix the gap_before of
 *       the node after the one they touch, and retrace from there.
 *
 * How the operations keep them, and what they cost (n = m->count):
 *   lookup(va)         one walk down: go left if va < start, return the
 *                      node if va < end, else go right. O(log n).
 *   overlap check      a region overlapping [s, e) must start before e.
 *                      Of the regions starting before e, the LAST one also
 *                      ends last (I4), so [s, e) is free iff that one ends
 *                      at or before s. One walk down (plus one step back
 *                      when it is the region being changed). O(log n).
 *   insert             the usual BST walk down to a NULL link, which also
 *                      meets the new region's neighbours: it is free iff
 *                      the one before ends at or before s and the one
 *                      after starts at or after e (the overlap check in
 *                      the same walk); then retrace(). O(log n).
 *   remove             unlink as in any BST (a node with two children is
 *                      replaced by its in-order successor, whose links are
 *                      moved, never its data: callers hold node pointers),
 *                      then retrace(). O(log n).
 *   retrace            walk from the lowest changed node up, recomputing
 *                      each height and summary and rotating where a node's
 *                      children differ by two; it stops at the first node
 *                      that stayed where it was with nothing changed (its
 *                      ancestors depend only on what it summarises).
 *                      O(log n) steps, O(1) each.
 *   change             same range: copy. New range: overlap check excluding
 *                      the node itself; if the new start still lies between
 *                      the node's in-order neighbours, copy in place (the
 *                      shape does not depend on lengths); else unlink and
 *                      re-link the same node. O(log n).
 *   next               right subtree's leftmost node, or up to the first
 *                      ancestor we are a left descendant of. O(log n) worst
 *                      case; a full walk crosses every edge twice: O(n).
 *   find_gap           the free range that holds lo (floor(lo) and its
 *                      successor), then the next regions whose gap_before
 *                      is at least len, lowest first: up from the last one
 *                      looked at, skipping every right subtree whose
 *                      sub_gap is too small, then down into the first one
 *                      that has room (gap_next). Then the range after the
 *                      last region. O(log n) (see rmap.h for the alignment
 *                      caveat).
 *   destroy / check    O(n). destroy is iterative; check recurses, its
 *                      depth bounded by RMAP_MAX_HEIGHT so a corrupt tree
 *                      (a cycle) cannot overflow the stack.
 *
 * Rotations (used by retrace). rotate_left(x) lifts x's right child y:
 *
 *          x                    y
 *         / \                  / \
 *        a   y      ==>       x   c
 *           / \              / \
 *          b   c            a   b
 *
 * In-order (a x b y c) is unchanged, so I2 holds; only x and y change
 * height. rotate_right is the mirror image. A node whose left side is two
 * higher is fixed by rotate_right(node), after first rotate_left(left) if
 * the left child leans right (the "left-right" case): the classic four
 * cases of AVL in two if-statements.
 */
#include <rmap.h>
#include <heap.h>
#include <panic.h>
#include <uapi/errno.h>

/* Above any valid AVL height: 1.44 * log2(2^64) < 93. */
#define RMAP_MAX_HEIGHT 100

/* ---- small helpers ------------------------------------------------------ */

/* I3: a non-empty range whose exclusive end does not wrap. */
static bool range_valid(uint64_t va_start, uint64_t len)
{
    return len != 0 && va_start + len > va_start;
}

static uint64_t node_start(const struct rmap_node *n)
{
    return n->region.va_start;
}

static uint64_t node_end(const struct rmap_node *n)
{
    return region_end(&n->region);
}

static int height(const struct rmap_node *n)
{
    return n ? n->height : 0;
}

/* Left height minus right height: +2 or -2 means "rotate". */
static int balance_of(const struct rmap_node *n)
{
    return height(n->left) - height(n->right);
}

/* Recompute n's height and sub_gap (I5, I6) from its children. Returns
 * whether either changed. */
static bool node_update(struct rmap_node *n)
{
    const struct rmap_node *l = n->left, *r = n->right;
    int h = 0;
    uint64_t gap = n->gap_before;
    if (l) {
        h = l->height;
        gap = MAX(gap, l->sub_gap);
    }
    if (r) {
        h = MAX(h, r->height);
        gap = MAX(gap, r->sub_gap);
    }
    bool changed = n->height != h + 1 || n->sub_gap != gap;
    n->height = h + 1;
    n->sub_gap = gap;
    return changed;
}

static struct rmap_node *leftmost(struct rmap_node *n)
{
    while (n->left)
        n = n->left;
    return n;
}

static struct rmap_node *rightmost(struct rmap_node *n)
{
    while (n->right)
        n = n->right;
    return n;
}

/* Panic unless n is a live node of m. Walking up to the root costs the
 * O(log n) the caller pays anyway, and catches a node of another map. */
static void node_check(const struct rmap *m, const struct rmap_node *n, const char *caller)
{
    if (!n)
        panic("%s: NULL rmap node", caller);
    if (n->magic != RMAP_NODE_MAGIC)
        panic("%s: bad rmap node %p (magic %#x%s)", caller, (const void *)n,
              n->magic, n->magic == RMAP_NODE_DEAD_MAGIC ? ", freed" : "");
    const struct rmap_node *top = n;
    for (int depth = 0; top->parent; depth++) {
        if (depth > RMAP_MAX_HEIGHT)
            panic("%s: rmap node %p: parent chain too long", caller, (const void *)n);
        top = top->parent;
    }
    if (top != m->root)
        panic("%s: rmap node %p is not in this map", caller, (const void *)n);
}

static void node_free(struct rmap_node *n)
{
    n->magic = RMAP_NODE_DEAD_MAGIC;
    kfree(n);
}

/* In-order predecessor (the mirror image of rmap_next). */
static struct rmap_node *node_prev(const struct rmap_node *n)
{
    if (n->left)
        return rightmost(n->left);
    while (n->parent && n == n->parent->left)
        n = n->parent;
    return n->parent;
}

/* The node with the greatest va_start <= va, or NULL. */
static struct rmap_node *floor_node(const struct rmap *m, uint64_t va)
{
    struct rmap_node *n = m->root, *best = NULL;
    while (n) {
        if (node_start(n) <= va) {
            best = n;           /* a candidate; a later one may be closer */
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return best;
}

/* Is [start, start + len) free of every region except `exclude` (may be
 * NULL)? See "overlap check" at the top. Needs range_valid(start, len). */
static bool range_free(const struct rmap *m, uint64_t start, uint64_t len,
                       const struct rmap_node *exclude)
{
    uint64_t end = start + len;                 /* > start: no wrap */
    struct rmap_node *p = floor_node(m, end - 1);   /* last to start before end */
    if (p && p == exclude)
        p = node_prev(p);
    return !p || node_end(p) <= start;
}

/* ---- rotations and rebalancing ------------------------------------------ */

/* Make `new` take `old`'s place under parent (or as the root). */
static void replace_child(struct rmap *m, struct rmap_node *parent,
                          struct rmap_node *old, struct rmap_node *new)
{
    if (!parent)
        m->root = new;
    else if (parent->left == old)
        parent->left = new;
    else
        parent->right = new;
}

/* See the picture at the top. Returns the subtree's new root (y). */
static struct rmap_node *rotate_left(struct rmap *m, struct rmap_node *x)
{
    struct rmap_node *y = x->right;
    struct rmap_node *b = y->left;

    x->right = b;
    if (b)
        b->parent = x;
    y->parent = x->parent;
    replace_child(m, x->parent, x, y);
    y->left = x;
    x->parent = y;

    node_update(x);     /* x is now below y: update it first */
    node_update(y);
    return y;
}

static struct rmap_node *rotate_right(struct rmap *m, struct rmap_node *y)
{
    struct rmap_node *x = y->left;
    struct rmap_node *b = x->right;

    y->left = b;
    if (b)
        b->parent = y;
    x->parent = y->parent;
    replace_child(m, y->parent, y, x);
    x->right = y;
    y->parent = x;

    node_update(y);
    node_update(x);
    return x;
}

/* Restore I5 at n, whose subtrees are valid AVL trees differing in height
 * by two. Returns the root of the rotated subtree (the rotations update
 * the nodes they move). */
static struct rmap_node *rebalance(struct rmap *m, struct rmap_node *n)
{
    if (balance_of(n) > 0) {                /* left side too high */
        if (balance_of(n->left) < 0)        /* left-right case */
            rotate_left(m, n->left);
        return rotate_right(m, n);
    }
    if (balance_of(n->right) > 0)           /* right side too high; right-left case */
        rotate_right(m, n->right);
    return rotate_left(m, n);
}

/* After a change at or below n: fix heights, summaries and balance from n
 * up. Once a node above `past` (NULL: any node) is neither rotated nor
 * changed, nothing above it can change either, and the walk stops. */
static void retrace(struct rmap *m, struct rmap_node *n, const struct rmap_node *past)
{
    bool may_stop = !past;
    while (n) {
        int bal = balance_of(n);
        if (bal > 1 || bal < -1)
            n = rebalance(m, n);
        else if (!node_update(n) && may_stop)
            return;
        if (n == past)
            may_stop = true;
        n = n->parent;
    }
}

/* ---- linking and unlinking (no allocation) ------------------------------ */

/* The region before n's ended somewhere else now: n->gap_before = gap,
 * and the sub_gap of n and its ancestors follows, up to the first that
 * does not change (heights do not change: no rotation is needed). */
static void gap_set(struct rmap_node *n, uint64_t gap)
{
    n->gap_before = gap;
    for (; n; n = n->parent) {
        uint64_t g = n->gap_before;
        if (n->left)
            g = MAX(g, n->left->sub_gap);
        if (n->right)
            g = MAX(g, n->right->sub_gap);
        if (g == n->sub_gap)
            return;
        n->sub_gap = g;
    }
}

/* Where a region starting at `start` goes: the empty link to fill, its
 * parent, and the regions before and after it in address order. */
struct rmap_slot {
    struct rmap_node *parent, **link;
    struct rmap_node *prev;             /* greatest start <= start, or NULL */
    struct rmap_node *next;             /* least start > start, or NULL */
};

static void slot_find(struct rmap *m, uint64_t start, struct rmap_slot *s)
{
    s->parent = s->prev = s->next = NULL;
    s->link = &m->root;
    while (*s->link) {
        s->parent = *s->link;
        if (start < node_start(s->parent)) {
            s->next = s->parent;        /* the last node we went left at */
            s->link = &s->parent->left;
        } else {
            s->prev = s->parent;        /* the last node we went right at */
            s->link = &s->parent->right;
        }
    }
}

/* Does [start, start + len) overlap neither of the slot's neighbours (and
 * so no region at all: every other one lies beyond them)? */
static bool slot_free(const struct rmap_slot *s, uint64_t start, uint64_t len)
{
    return (!s->prev || node_end(s->prev) <= start) &&
           (!s->next || start + len <= node_start(s->next));
}

/* Put n, whose region is already set and fits (no overlap), in the tree
 * at slot s (found for its start, the tree unchanged since). */
static void node_link_at(struct rmap *m, struct rmap_node *n, const struct rmap_slot *s)
{
    n->left = n->right = NULL;
    n->parent = s->parent;
    n->gap_before = node_start(n) - (s->prev ? node_end(s->prev) : 0);
    n->height = 0;
    node_update(n);
    *s->link = n;
    m->count++;
    retrace(m, s->parent, NULL);
    if (s->next)
        gap_set(s->next, node_start(s->next) - node_end(n));
}

static void node_link(struct rmap *m, struct rmap_node *n)
{
    struct rmap_slot s;
    slot_find(m, node_start(n), &s);
    node_link_at(m, n, &s);
}

/* Take n out of the tree without freeing it. */
static void node_unlink(struct rmap *m, struct rmap_node *n)
{
    struct rmap_node *fix;      /* lowest node whose subtree changed */
    struct rmap_node *moved = NULL;     /* the successor that took n's place */
    struct rmap_node *next = rmap_next(n);
    uint64_t prev_end = node_start(n) - n->gap_before;     /* I6 */

    if (!n->left || !n->right) {
        /* Zero or one child: the child (or NULL) takes n's place. */
        struct rmap_node *child = n->left ? n->left : n->right;
        replace_child(m, n->parent, n, child);
        if (child)
            child->parent = n->parent;
        fix = n->parent;
    } else {
        /* Two children: the successor s (leftmost of the right subtree,
         * so it has no left child) takes n's place. */
        struct rmap_node *s = leftmost(n->right);
        if (s == n->right) {
            fix = s;                    /* s keeps its right subtree */
        } else {
            fix = s->parent;            /* s leaves a hole: its right child */
            fix->left = s->right;       /* moves up into it */
            if (s->right)
                s->right->parent = fix;
            s->right = n->right;
            s->right->parent = s;
        }
        s->left = n->left;
        s->left->parent = s;
        s->parent = n->parent;
        replace_child(m, n->parent, n, s);
        moved = s;
    }
    n->left = n->right = n->parent = NULL;
    m->count--;
    /* The successor's height and sub_gap are those of its old place: the
     * walk may not stop before it has passed it. */
    retrace(m, fix, moved);
    if (next)
        gap_set(next, node_start(next) - prev_end);
}

/* ---- the API ------------------------------------------------------------ */

void rmap_init(struct rmap *m)
{
    m->root = NULL;
    m->count = 0;
}

int rmap_insert(struct rmap *m, const struct region *r, struct rmap_node **out)
{
    if (!range_valid(r->va_start, r->len))
        return -EINVAL;
    /* One descent both checks for overlap and finds the place. */
    struct rmap_slot slot;
    slot_find(m, r->va_start, &slot);
    if (!slot_free(&slot, r->va_start, r->len))
        return -EEXIST;

    struct rmap_node *n = kmalloc(sizeof(*n));     /* does not touch the map */
    if (!n)
        return -ENOMEM;
    n->magic = RMAP_NODE_MAGIC;
    n->region = *r;                     /* a copy: never keep r itself */
    n->pager_data = NULL;
    node_link_at(m, n, &slot);
    if (out)
        *out = n;
    return 0;
}

struct rmap_node *rmap_lookup(const struct rmap *m, uint64_t va)
{
    struct rmap_node *n = m->root;
    while (n) {
        if (va < node_start(n))
            n = n->left;
        else if (va < node_end(n))
            return n;
        else
            n = n->right;
    }
    return NULL;
}

struct rmap_node *rmap_lookup_from(const struct rmap *m, uint64_t va)
{
    struct rmap_node *n = m->root, *best = NULL;
    while (n) {
        if (va < node_start(n)) {
            best = n;               /* starts above va: a candidate */
            n = n->left;
        } else if (va < node_end(n)) {
            return n;
        } else {
            n = n->right;
        }
    }
    return best;
}

struct rmap_node *rmap_find_start(const struct rmap *m, uint64_t va_start)
{
    struct rmap_node *n = m->root;
    while (n && node_start(n) != va_start)
        n = va_start < node_start(n) ? n->left : n->right;
    return n;
}

void rmap_remove(struct rmap *m, struct rmap_node *n)
{
    node_check(m, n, __func__);
    node_unlink(m, n);
    node_free(n);
}

int rmap_change(struct rmap *m, struct rmap_node *n, const struct region *newr)
{
    node_check(m, n, __func__);
    if (!range_valid(newr->va_start, newr->len))
        return -EINVAL;

    uint64_t old_start = node_start(n);
    if (old_start == newr->va_start && n->region.len == newr->len) {
        n->region = *newr;              /* same range: nothing can break */
        return 0;
    }
    if (!range_free(m, newr->va_start, newr->len, n))
        return -EEXIST;

    /* The tree's shape depends only on the starts. If the new start still
     * sorts between n's neighbours, n may stay where it is. */
    struct rmap_node *prev = node_prev(n), *next = rmap_next(n);
    bool in_place = (!prev || node_start(prev) < newr->va_start) &&
                    (!next || newr->va_start < node_start(next));
    if (in_place) {
        uint64_t prev_end = old_start - n->gap_before;     /* I6 */
        n->region = *newr;
        gap_set(n, node_start(n) - prev_end);
        if (next)
            gap_set(next, node_start(next) - node_end(n));
    } else {
        node_unlink(m, n);
        n->region = *newr;
        node_link(m, n);                /* the same node: pointers stay valid */
    }
    return 0;
}

struct rmap_node *rmap_first(const struct rmap *m)
{
    return m->root ? leftmost(m->root) : NULL;
}

struct rmap_node *rmap_next(const struct rmap_node *n)
{
    if (n->magic != RMAP_NODE_MAGIC)
        panic("%s: bad rmap node %p (magic %#x)", __func__, (const void *)n, n->magic);
    if (n->right)
        return leftmost(n->right);
    /* Climb while we come from a right child: those ancestors are smaller. */
    while (n->parent && n == n->parent->right)
        n = n->parent;
    return n->parent;
}

/* A find_gap request, and its answer. */
struct gap_query {
    uint64_t lo, hi, len, align;
    uint64_t va;
};

/* Does the free range [a, b) hold an aligned range of q->len inside
 * [q->lo, q->hi)? If so, its lowest start goes to q->va. */
static bool gap_fits(struct gap_query *q, uint64_t a, uint64_t b)
{
    uint64_t s = MAX(a, q->lo), e = MIN(b, q->hi);
    if (s > UINT64_MAX - (q->align - 1))
        return false;                   /* rounding up would wrap */
    uint64_t va = ALIGN_UP(s, q->align);
    if (va >= e || e - va < q->len)
        return false;
    q->va = va;
    return true;
}

/* The first node of subtree t (whose sub_gap is >= len) with a gap_before
 * of at least len. */
static const struct rmap_node *gap_first(const struct rmap_node *t, uint64_t len)
{
    for (;;) {
        if (t->left && t->left->sub_gap >= len)
            t = t->left;
        else if (t->gap_before >= len)
            return t;
        else
            t = t->right;               /* sub_gap says it has one */
    }
}

/* The first node after n, in address order, with a gap_before of at least
 * len, or NULL: n's right subtree, then each ancestor we come up to from
 * the left and its right subtree. */
static const struct rmap_node *gap_next(const struct rmap_node *n, uint64_t len)
{
    if (n->right && n->right->sub_gap >= len)
        return gap_first(n->right, len);
    for (; n->parent; n = n->parent) {
        const struct rmap_node *up = n->parent;
        if (n != up->left)
            continue;                   /* up comes before n: done with it */
        if (up->gap_before >= len)
            return up;
        if (up->right && up->right->sub_gap >= len)
            return gap_first(up->right, len);
    }
    return NULL;
}

int rmap_find_gap(const struct rmap *m, uint64_t lo, uint64_t hi,
                  uint64_t len, uint64_t align, uint64_t *out_va)
{
    if (len == 0 || align == 0 || (align & (align - 1)) || lo >= hi)
        return -EINVAL;
    struct gap_query q = { .lo = lo, .hi = hi, .len = len, .align = align };

    /* The free range holding lo, or starting where the region holding lo
     * ends: between floor(lo) and the region after it. */
    const struct rmap_node *prev = floor_node(m, lo);
    const struct rmap_node *n = prev ? rmap_next(prev) : rmap_first(m);
    if (gap_fits(&q, prev ? node_end(prev) : 0, n ? node_start(n) : UINT64_MAX))
        goto found;
    /* The ranges before the later regions, lowest first; a range that
     * starts at or above hi ends the search. */
    for (prev = n; n && (n = gap_next(n, len)); prev = n) {
        uint64_t start = node_start(n) - n->gap_before;
        if (start >= hi)
            return -ENOMEM;
        if (gap_fits(&q, start, node_start(n)))
            goto found;
    }
    /* The range after the last region. */
    if (prev && gap_fits(&q, node_end(rightmost(m->root)), UINT64_MAX))
        goto found;
    return -ENOMEM;
found:
    *out_va = q.va;
    return 0;
}

void rmap_destroy(struct rmap *m, void (*fn)(struct rmap_node *n, void *arg), void *arg)
{
    if (fn) {
        for (struct rmap_node *n = rmap_first(m); n; n = rmap_next(n))
            fn(n, arg);
    }

    /* Free in post-order without recursion or rebalancing: go down to a
     * leaf, cut it off its parent, free it, continue from the parent. */
    struct rmap_node *n = m->root;
    while (n) {
        if (n->left) {
            n = n->left;
        } else if (n->right) {
            n = n->right;
        } else {
            struct rmap_node *parent = n->parent;
            if (parent) {
                if (parent->left == n)
                    parent->left = NULL;
                else
                    parent->right = NULL;
            }
            node_free(n);
            n = parent;
        }
    }
    rmap_init(m);
}

size_t rmap_count(const struct rmap *m)
{
    return m->count;
}

/* ---- rmap_check --------------------------------------------------------- */

struct check_state {
    const struct region *prev;  /* previous region in address order */
    size_t nodes;               /* nodes seen so far */
    size_t limit;               /* m->count: more nodes than that is wrong */
};

/* Check the subtree at n (whose parent should be `parent`); returns its
 * height, or -1 if an invariant is broken. */
static int check_subtree(const struct rmap_node *n, const struct rmap_node *parent,
                         int depth, struct check_state *st)
{
    if (!n)
        return 0;
    if (depth > RMAP_MAX_HEIGHT || n->magic != RMAP_NODE_MAGIC ||
        n->parent != parent || ++st->nodes > st->limit)
        return -1;                                          /* I1 */

    int hl = check_subtree(n->left, n, depth + 1, st);
    if (hl < 0)
        return -1;

    /* In order: this region comes right after st->prev. */
    const struct region *r = &n->region;
    if (!range_valid(r->va_start, r->len))
        return -1;                                          /* I3 */
    if (st->prev && region_end(st->prev) > r->va_start)
        return -1;      /* I2 and I4: len > 0, so this also means prev's
                           start is strictly smaller */
    if (n->gap_before != r->va_start - (st->prev ? region_end(st->prev) : 0))
        return -1;                                          /* I6 */
    st->prev = r;

    int hr = check_subtree(n->right, n, depth + 1, st);
    if (hr < 0)
        return -1;

    if (n->height != 1 + MAX(hl, hr) || hl - hr > 1 || hr - hl > 1)
        return -1;                                          /* I5 */
    struct rmap_node want = *n;
    if (node_update(&want))
        return -1;                                          /* I6 (and I5) */
    return n->height;
}

int rmap_check(const struct rmap *m)
{
    struct check_state st = { .prev = NULL, .nodes = 0, .limit = m->count };
    if (check_subtree(m->root, NULL, 0, &st) < 0 || st.nodes != m->count)
        return -EINVAL;
    return 0;
}
