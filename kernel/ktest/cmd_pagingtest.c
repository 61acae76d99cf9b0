/*
 * `pagingtest`: self-test of the "paging" address-space implementation,
 * run in a fresh paging address space that the command builds, moves the
 * calling thread into, and destroys at the end.
 *
 *   pagingtest            every check below; one PASS/FAIL line each, then
 *                         "pagingtest: N passed, N failed"
 *   pagingtest fault      a kernel thread in a paging address space reads
 *                         an address no region covers: the kernel must
 *                         print its fault report and panic
 *   pagingtest fault-ro   same, writing to a read-only region
 *                         (both in kernel/ktest/pagingtest_fault.c)
 *
 * The checks are in groups, one file each (kernel/ktest/pagingtest.h
 * lists them); this file has the command, the pattern blocks and the
 * run of the groups.
 *
 * Memory written through test mappings is always memory the test owns
 * (frames from frame_alloc_contig filled with a pattern, ANON and FILE
 * frames), so a broken mapping cannot corrupt the kernel.
 *
 * TLB checks (move, protect, remove) run with interrupts off, so that no
 * context switch (a CR3 reload) can hide a missing invalidation: the
 * translation is used first, so the TLB holds it, then changed, then used
 * again.
 *
 * Layout of the test address space (K = kmap_size(), 4 GiB with the
 * usual amount of RAM):
 *   [4 KiB, K)             the kernel map (kmap_add: W^X, pinned, eager; its
 *                          tables are the shared ones of PML4 slot 0)
 *   [E, E+K)               eager alias of physical 0, read-only (E =
 *                          EAGER_ALIAS: past the kernel half's slot)
 *   [ALIAS, ALIAS+K)       lazy alias of physical 0, read-only
 *   SMALL(i), i < 16       512 KiB lazy regions on pattern blocks, 1 MiB apart
 *   SLOT(n), n >= 1        one GiB each for the ANON, FILE, large-page... tests
 */
#include <shell.h>
#include <kmap.h>
#include <frame.h>
#include <heap.h>
#include <thread.h>
#include <log.h>
#include <string.h>
#include <uapi/errno.h>
#include "pagingtest.h"

static uint64_t free_frames(void)
{
    struct frame_stats fs;
    frame_stats(&fs);
    return fs.free;
}

/* ---- pattern blocks ---- */

static bool blocks_alloc(struct ptest *c)
{
    for (int b = 0; b < NBLOCKS; b++) {
        c->block[b] = frame_alloc_contig(SMALL_PAGES, FRAME_NONE);
        if (!c->block[b]) {
            while (--b >= 0)
                frame_free_contig(c->block[b], SMALL_PAGES);
            return false;
        }
        uint64_t *w = phys_to_virt(c->block[b]);
        for (uint64_t i = 0; i < SMALL_LEN / 8; i++)
            w[i] = pattern_word(b, i);
    }
    return true;
}

static void blocks_free(struct ptest *c)
{
    for (int b = 0; b < NBLOCKS; b++)
        frame_free_contig(c->block[b], SMALL_PAGES);
}

/* ---- the command ---- */

static int pagingtest_all(void)
{
    struct ptest c = { 0 };
    c.kmap = kmap_size();
    struct aspace *prev = thread_current()->aspace;
    struct heap_stats h0, h1;

    if (!blocks_alloc(&c)) {
        kprintf("pagingtest: cannot allocate %d x 512 KiB of pattern memory\n", NBLOCKS);
        return -ENOMEM;
    }
    uint64_t free0 = free_frames();
    heap_stats(&h0);
    int err = aspace_create("paging", TEST_NAME, &c.as);
    selftest_check_err(&c.st, err, 0, "create paging address space '" TEST_NAME "'");
    if (err) {
        blocks_free(&c);
        kprintf("pagingtest: %d passed, %d failed\n", c.st.passed, c.st.failed);
        return err;
    }

    pagingtest_big_regions(&c);
    pagingtest_small_regions(&c);
    err = aspace_thread_move(c.as);
    selftest_check(&c.st, err == 0 && aspace_current() == c.as && thread_current()->aspace == c.as,
          "move the calling thread in (err %d)", err);
    if (err == 0) {
        pagingtest_compare(&c);
        pagingtest_move(&c);
        pagingtest_move_enomem(&c);
        pagingtest_remove(&c);
        pagingtest_pin(&c);
        pagingtest_readonly(&c);
        pagingtest_nx(&c);
        pagingtest_anon(&c);
        pagingtest_file(&c);
        pagingtest_bad_args(&c);
        pagingtest_large_pages(&c);
        selftest_check_err(&c.st, aspace_destroy(c.as), -EBUSY, "destroy while this thread is inside");
        err = aspace_thread_move(prev);
        selftest_check(&c.st, err == 0 && aspace_current() == prev && c.as->nthreads == 0,
              "move back out to '%s' (err %d)", prev ? prev->name : "boot", err);
    }
    err = aspace_destroy(c.as);
    selftest_check_err(&c.st, err, 0, "destroy the address space");
    selftest_check(&c.st, aspace_find(TEST_NAME) == NULL, "it is no longer registered");
    uint64_t free1 = free_frames();
    heap_stats(&h1);
    selftest_check(&c.st, free1 == free0, "free frames back to where they were (%lu before, %lu after)", free0, free1);
    selftest_check(&c.st, h1.bytes_in_use == h0.bytes_in_use, "heap back to where it was (%lu bytes before, %lu after)",
          h0.bytes_in_use, h1.bytes_in_use);
    blocks_free(&c);
    return selftest_report(&c.st, "pagingtest");
}

static int cmd_pagingtest(int argc, char **argv)
{
    if (argc == 1)
        return pagingtest_all();
    if (argc == 2 && strcmp(argv[1], "fault") == 0)
        return pagingtest_fault(false);
    if (argc == 2 && strcmp(argv[1], "fault-ro") == 0)
        return pagingtest_fault(true);
    return shell_usage_print(argv[0]);
}
SHELL_COMMAND(pagingtest, "pagingtest", "pagingtest [fault|fault-ro]",
              "self-test of paging address spaces (fault: a deliberate kernel fault)", cmd_pagingtest);
