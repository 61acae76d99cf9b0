/*
 * The read-only queries of a page-table tree (contract in include/pt.h):
 * the translation of one address (pt_query), the next present leaf
 * (pt_next_present), what a range's tables and leaves are (pt_range_stats).
 * They change nothing and take no lock of their own: the caller keeps the
 * tree from changing under them (the invariants they rely on are in pt.c's
 * opening comment). The shared windows' queries are in pt_window.c.
 */
#include "pt_internal.h"
#include <string.h>

bool pt_next_present(const struct pt *pt, uint64_t va, uint64_t end, uint64_t *leaf_va,
                     uint64_t *pa, uint32_t *flags, uint64_t *size)
{
    while (va < end) {
        int level;
        uint64_t *e = entry_of(pt, va, &level);
        uint64_t s = level_size(level), start = ALIGN_DOWN(va, s);
        if (*e & PTE_P) {
            *leaf_va = start;
            *pa = leaf_addr(*e, level);
            *flags = flags_of_pte(*e);
            *size = s;
            return true;
        }
        if (start + s <= va)
            break;              /* wrapped past the top */
        va = start + s;         /* the whole absent subtree */
    }
    return false;
}

/* Add what [va, last] (inside the span of table tbl, at level) touches
 * below tbl, tbl included, to *st. */
static void range_stats_walk(uint64_t tbl, int level, uint64_t va, uint64_t last,
                             struct pt_range_stats *st)
{
    st->tables[level]++;
    uint64_t s = level_size(level);
    for (;;) {
        uint64_t e = table_of(tbl)[level_index(va, level)];
        uint64_t span_last = MIN(ALIGN_DOWN(va, s) + (s - 1), last);
        if ((e & PTE_P) && pte_is_leaf(e, level))
            st->leaves[level]++;
        else if (e & PTE_P)
            range_stats_walk(e & PTE_ADDR, level - 1, va, span_last, st);
        if (span_last == last)
            return;
        va = span_last + 1;
    }
}

int pt_range_stats(const struct pt *pt, uint64_t va, uint64_t len, struct pt_range_stats *st)
{
    uint64_t last;
    memset(st, 0, sizeof(*st));
    int r = range_check_va(va, len, &last);
    if (r)
        return r < 0 ? r : 0;
    range_stats_walk(pt->root, LEVELS - 1, va, last, st);
    return 0;
}

bool pt_query(const struct pt *pt, uint64_t va, uint64_t *pa, uint32_t *flags, uint64_t *size)
{
    int l;
    uint64_t e = *entry_of(pt, va, &l);
    if (!(e & PTE_P))
        return false;
    uint64_t s = level_size(l);
    if (pa)
        *pa = leaf_addr(e, l) + (va & (s - 1));
    if (flags)
        *flags = flags_of_pte(e);
    if (size)
        *size = s;
    return true;
}
