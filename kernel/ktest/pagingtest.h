/*
 * What the files of the `pagingtest` command share (kernel/ktest/): the
 * layout of its test address space, the roles of its small regions, its
 * state (struct ptest) and the helpers every group of checks uses, and
 * the groups themselves:
 *   cmd_pagingtest.c       the command: builds the address space, runs the
 *                          groups in order, checks nothing leaked
 *   pagingtest_regions.c   adding regions: the kernel map, aliases, large
 *                          pages, overlaps, argument errors, views agree
 *   pagingtest_change.c    changing them: move, remove, pin, protect, NX
 *                          (and the TLB invalidation each needs)
 *   pagingtest_pager.c     regions whose pager owns the frames: ANON, FILE
 *   pagingtest_fault.c     `pagingtest fault|fault-ro`
 * Not for code outside kernel/ktest/.
 */
#ifndef STRATA_PAGINGTEST_H
#define STRATA_PAGINGTEST_H

#include <selftest.h>
#include <aspace.h>
#include <paging.h>
#include <pt.h>

#define ALIAS_BASE      ((uint64_t)USER_HALF_START)
#define EAGER_ALIAS     (PT_KMAP_BASE + PT_KMAP_SIZE)
#define NSMALL          16
#define SMALL_LEN       KiB(512)
#define SMALL_PAGES     (SMALL_LEN / PAGE_SIZE)
#define NBLOCKS         (NSMALL + 1)        /* the last one: target of moves */
#define SPARE           NSMALL
#define COMPARE_LEN     MiB(4)
#define TEST_NAME       "pagingtest"

/* Roles of some of the sixteen small regions. */
enum { R_MOVE = 0, R_REMOVE = 1, R_PIN = 2, R_RO = 3, R_NX = 4, R_OVERLAP = 5,
       R_REMOVE_ALL = 10, R_PROTECT_ALL = 11 };

/* Regions the first comparison leaves alone, so that only the page or two
 * their own tests touch are in the TLB: changing them takes invlpg, while
 * changing a fully touched region (128 pages) takes a CR3 reload. */
static inline bool lightly_touched(int i)
{
    return i == R_REMOVE || i == R_RO || i == R_NX;
}

struct ptest {
    struct selftest st;
    struct aspace *as;
    uint64_t kmap;                  /* kmap_size() */
    uint64_t block[NBLOCKS];        /* physical starts of the pattern blocks */
};

static inline uint64_t va_small(const struct ptest *c, int i)
{
    return ALIAS_BASE + c->kmap + (uint64_t)i * MiB(1);
}

static inline uint64_t va_slot(const struct ptest *c, int n)
{
    return ALIAS_BASE + c->kmap + GiB(n);
}

static inline void *ptr(uint64_t va) { return (void *)va; }

static inline struct region phys_region(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    return (struct region){ .va_start = va, .pa_start = pa, .len = len, .flags = flags };
}

static inline int add(struct ptest *c, uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    struct region r = phys_region(va, pa, len, flags);
    return aspace_region_add(c->as, &r);
}

static inline uint64_t first_qword(uint64_t va) { return *(volatile uint64_t *)va; }

static inline struct paging_stats stats(struct ptest *c)
{
    struct paging_stats st;
    paging_stats(c->as, &st);
    return st;
}

static inline uint64_t pattern_word(int b, uint64_t i)
{
    return 0x5054000000000000ull | ((uint64_t)b << 32) | i;    /* "PT" */
}

/* The groups of checks, in the order the command runs them: before the
 * calling thread moves into the test address space (which they build) */
void pagingtest_big_regions(struct ptest *c);
void pagingtest_small_regions(struct ptest *c);
/* and inside it. */
void pagingtest_compare(struct ptest *c);
void pagingtest_move(struct ptest *c);
void pagingtest_move_enomem(struct ptest *c);
void pagingtest_remove(struct ptest *c);
void pagingtest_pin(struct ptest *c);
void pagingtest_readonly(struct ptest *c);
void pagingtest_nx(struct ptest *c);
void pagingtest_anon(struct ptest *c);
void pagingtest_file(struct ptest *c);
void pagingtest_bad_args(struct ptest *c);
void pagingtest_large_pages(struct ptest *c);

/* pagingtest fault|fault-ro: pagingtest_fault.c */
int pagingtest_fault(bool readonly);

#endif
