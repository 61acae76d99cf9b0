/*
 * `pagingtest` (kernel/ktest/cmd_pagingtest.c), changing regions: move
 * (also without memory for its tables), remove, pin, protect and NX. Each
 * check uses a translation first, so that the TLB holds it, then changes
 * it and uses it again, with interrupts off (no CR3 reload at a context
 * switch can hide a missing invalidation); some have one page or two in
 * the TLB (invlpg), others a whole region (a CR3 reload).
 */
#include <frame.h>
#include <uaccess.h>
#include <string.h>
#include <uapi/errno.h>
#include <arch/cpu.h>
#include "pagingtest.h"

/* ---- move, remove, pin, protect ---- */

/* Take every free frame (listed through the frames themselves): allocations
 * fail until frames_unhog(head). */
static uint64_t frames_hog(void)
{
    uint64_t head = 0, pa;
    while ((pa = frame_alloc(FRAME_NONE)) != 0) {
        *(uint64_t *)phys_to_virt(pa) = head;
        head = pa;
    }
    return head;
}

static void frames_unhog(uint64_t head)
{
    while (head) {
        uint64_t next = *(uint64_t *)phys_to_virt(head);
        frame_unref(head);
        head = next;
    }
}

/* A move that needs page-table memory when there is none: -ENOMEM, and
 * the region and its translation are as they were. An eager read-only view
 * of 2 MiB of RAM from 2 MiB is one 2 MiB leaf; at a start 4 KiB further
 * it needs 512 small pages, so a new page table. */
void pagingtest_move_enomem(struct ptest *c)
{
    uint64_t va = va_slot(c, 8);
    int err = add(c, va, MiB(2), MiB(2), REGION_READ | REGION_KERN | REGION_EAGER);
    selftest_check_err(&c->st, err, 0, "add an eager 2 MiB region (one 2 MiB leaf)");
    if (err)
        return;
    uint64_t hog = frames_hog();
    int merr = aspace_region_move(c->as, va, MiB(2) + PAGE_SIZE);
    frames_unhog(hog);
    uint64_t pa = 0, size = 0;
    struct region r = { 0 };
    bool mapped = paging_translate(c->as, va + PAGE_SIZE, &pa, NULL, &size);
    int qerr = aspace_region_query(c->as, va, REGION_QUERY_AT, &r);
    selftest_check(&c->st, merr == -ENOMEM && mapped && pa == MiB(2) + PAGE_SIZE && size == MiB(2) &&
                   qerr == 0 && r.pa_start == MiB(2),
                   "a move without memory for its tables is -ENOMEM and changes nothing "
                   "(err %d, pa %#lx, leaf %#lx, region pa %#lx)", merr, pa, size, r.pa_start);
    merr = aspace_region_move(c->as, va, MiB(2) + PAGE_SIZE);
    mapped = paging_translate(c->as, va + PAGE_SIZE, &pa, NULL, &size);
    selftest_check(&c->st, merr == 0 && mapped && pa == MiB(2) + 2 * PAGE_SIZE && size == PAGE_SIZE,
                   "with memory the same move maps 4 KiB pages (err %d, pa %#lx)", merr, pa);
    selftest_check_err(&c->st, aspace_region_remove(c->as, va), 0, "remove the moved eager region");
}

void pagingtest_move(struct ptest *c)
{
    uint64_t va = va_small(c, R_MOVE);
    uint64_t old_w = pattern_word(R_MOVE, 0), new_w = pattern_word(SPARE, 0);

    /* The whole region in the TLB (more than PT_INVLPG_MAX pages): the
     * move reloads CR3. Afterwards only pages 0 and 5 are touched. */
    struct paging_stats s0 = stats(c);
    bool irq = irq_save();
    int same = memcmp(ptr(va), phys_to_virt(c->block[R_MOVE]), SMALL_LEN);
    uint64_t before = first_qword(va);
    int err = aspace_region_move(c->as, va, c->block[SPARE]);
    uint64_t after = first_qword(va);
    uint64_t after5 = first_qword(va + 5 * PAGE_SIZE);
    irq_restore(irq);
    struct paging_stats s1 = stats(c);
    selftest_check_err(&c->st, err, 0, "move a lazy region to a new physical start");
    selftest_check(&c->st, same == 0 && before == old_w && after == new_w &&
          after5 == pattern_word(SPARE, 5 * PAGE_SIZE / 8),
          "after the move the new memory shows, not the old (before %#lx, after %#lx)", before, after);
    selftest_check(&c->st, s1.full_flushes > s0.full_flushes,
          "128 stale pages were dropped with a CR3 reload (%lu -> %lu full flushes)",
          s0.full_flushes, s1.full_flushes);

    /* Two pages in the TLB: invalidated one by one. */
    irq = irq_save();
    uint64_t new5 = first_qword(va + 5 * PAGE_SIZE);
    err = aspace_region_move(c->as, va, c->block[R_MOVE]);
    uint64_t back0 = first_qword(va), back5 = first_qword(va + 5 * PAGE_SIZE);
    irq_restore(irq);
    struct paging_stats s2 = stats(c);
    int back = memcmp(ptr(va), phys_to_virt(c->block[R_MOVE]), SMALL_LEN);
    selftest_check(&c->st, err == 0 && new5 == after5 && back0 == old_w &&
          back5 == pattern_word(R_MOVE, 5 * PAGE_SIZE / 8) && back == 0,
          "move back: the old memory shows again (err %d, %#lx)", err, back0);
    selftest_check(&c->st, s2.invlpgs >= s1.invlpgs + 2 && s2.full_flushes == s1.full_flushes,
          "the two stale pages were dropped with invlpg (%lu -> %lu invlpg)", s1.invlpgs, s2.invlpgs);

    /* An eager region is mapped again at once at its new place. */
    uint64_t eva = va_slot(c, 7);
    err = add(c, eva, c->block[8], SMALL_LEN, REGION_READ | REGION_KERN | REGION_EAGER);
    selftest_check_err(&c->st, err, 0, "add an eager 512 KiB region");
    irq = irq_save();
    uint64_t w0 = first_qword(eva);
    int merr = aspace_region_move(c->as, eva, c->block[9]);
    uint64_t pa = 0;
    bool mapped = paging_translate(c->as, eva + PAGE_SIZE, &pa, NULL, NULL);
    int cmp = memcmp(ptr(eva), phys_to_virt(c->block[9]), SMALL_LEN);
    irq_restore(irq);
    selftest_check(&c->st, merr == 0 && w0 == pattern_word(8, 0) && mapped && pa == c->block[9] + PAGE_SIZE && cmp == 0,
          "moving an eager region maps it again at once (err %d, pa %#lx)", merr, pa);
    selftest_check_err(&c->st, aspace_region_remove(c->as, eva), 0, "remove the eager region");
    selftest_check_err(&c->st, aspace_region_move(c->as, va, c->block[SPARE] + 0x800), -EALIGN,
              "move to an unaligned physical start");
    selftest_check_err(&c->st, aspace_region_move(c->as, va, 0xfffffffffffff000ull), -EINVAL,
              "move to a physical range that wraps");
}

void pagingtest_remove(struct ptest *c)
{
    uint64_t va = va_small(c, R_REMOVE);
    struct paging_stats s0 = stats(c);
    bool irq = irq_save();
    int r0 = probe_read(ptr(va + 2 * PAGE_SIZE));
    int err = aspace_region_remove(c->as, va);
    int r1 = probe_read(ptr(va + 2 * PAGE_SIZE));
    int r2 = probe_read(ptr(va + SMALL_LEN - 1));
    irq_restore(irq);
    struct paging_stats s1 = stats(c);
    selftest_check_err(&c->st, err, 0, "remove a region (one page in the TLB)");
    selftest_check(&c->st, r0 >= 0 && r1 == -EFAULT && r2 == -EFAULT && s1.invlpgs > s0.invlpgs,
          "reads fault after the remove (before %d, after %d, %d; %lu invlpg)", r0, r1, r2,
          s1.invlpgs - s0.invlpgs);

    uint64_t vall = va_small(c, R_REMOVE_ALL);
    irq = irq_save();
    int same = memcmp(ptr(vall), phys_to_virt(c->block[R_REMOVE_ALL]), SMALL_LEN);
    err = aspace_region_remove(c->as, vall);
    r1 = probe_read(ptr(vall));
    r2 = probe_read(ptr(vall + SMALL_LEN - 1));
    irq_restore(irq);
    struct paging_stats s2 = stats(c);
    selftest_check(&c->st, same == 0 && err == 0 && r1 == -EFAULT && r2 == -EFAULT &&
          s2.full_flushes > s1.full_flushes,
          "remove a region with all 128 pages in the TLB: reads fault (err %d, %d, %d)", err, r1, r2);
    struct region found;
    selftest_check(&c->st, !paging_translate(c->as, va + 2 * PAGE_SIZE, NULL, NULL, NULL) &&
          aspace_region_query(c->as, va, REGION_QUERY_AT, &found) == -ENOENT,
          "no translation and no region left at the removed range");
    selftest_check(&c->st, probe_read(ptr(va_small(c, R_REMOVE + 1))) >= 0, "the next region is still readable");
}

void pagingtest_pin(struct ptest *c)
{
    uint64_t va = va_small(c, R_PIN);
    selftest_check_err(&c->st, aspace_region_remove(c->as, va), -EPERM, "remove a pinned region");
    selftest_check_err(&c->st, aspace_region_move(c->as, va, c->block[SPARE]), -EPERM, "move a pinned region");
    selftest_check(&c->st, probe_read(ptr(va)) == (int)(pattern_word(R_PIN, 0) & 0xFF), "the pinned region is still mapped");
    selftest_check_err(&c->st, aspace_region_protect(c->as, va, REGION_READ | REGION_WRITE), 0,
              "protect without PIN (unpin)");
    selftest_check_err(&c->st, aspace_region_remove(c->as, va), 0, "remove the unpinned region");
    selftest_check(&c->st, probe_read(ptr(va)) == -EFAULT, "it is gone (read faults)");
}

void pagingtest_readonly(struct ptest *c)
{
    uint64_t va = va_small(c, R_RO) + 3 * PAGE_SIZE;
    volatile uint8_t *ident = phys_to_virt(c->block[R_RO] + 3 * PAGE_SIZE);
    uint8_t orig = *ident;

    bool irq = irq_save();
    int rd = probe_read(ptr(va));
    int w0 = probe_write(ptr(va), 0x11);
    irq_restore(irq);
    selftest_check(&c->st, rd == orig && w0 == -EFAULT && *ident == orig,
          "write to a read-only region faults (read %d, write %d)", rd, w0);

    irq = irq_save();
    int e1 = aspace_region_protect(c->as, va_small(c, R_RO), REGION_READ | REGION_WRITE);
    int w1 = probe_write(ptr(va), 0x22);
    uint8_t seen = *ident;
    int e2 = aspace_region_protect(c->as, va_small(c, R_RO), REGION_READ);
    int w2 = probe_write(ptr(va), 0x33);
    irq_restore(irq);
    selftest_check(&c->st, e1 == 0 && w1 == 0 && seen == 0x22,
          "after protect +WRITE the write succeeds (protect %d, write %d, memory %#x)", e1, w1, seen);
    selftest_check(&c->st, e2 == 0 && w2 == -EFAULT && *ident == 0x22,
          "after protect -WRITE it faults again: stale writable TLB entry dropped (write %d)", w2);
    uint32_t fl = 0;
    paging_translate(c->as, va, NULL, &fl, NULL);
    selftest_check(&c->st, !(fl & PT_WRITE), "the page-table entry is read-only (flags %#x)", fl);
    *ident = orig;

    /* Same with every page of a region writable in the TLB. */
    uint64_t vall = va_small(c, R_PROTECT_ALL);
    const uint8_t *pall = phys_to_virt(c->block[R_PROTECT_ALL]);
    int wrote = 0;
    irq = irq_save();
    for (uint64_t i = 0; i < SMALL_PAGES; i++)
        wrote += probe_write(ptr(vall + i * PAGE_SIZE), pall[i * PAGE_SIZE]) == 0;
    int e3 = aspace_region_protect(c->as, vall, REGION_READ);
    int w3 = probe_write(ptr(vall), pall[0]);
    int w4 = probe_write(ptr(vall + SMALL_LEN - PAGE_SIZE), pall[SMALL_LEN - PAGE_SIZE]);
    int e4 = aspace_region_protect(c->as, vall, REGION_READ | REGION_WRITE);
    int w5 = probe_write(ptr(vall), pall[0]);
    irq_restore(irq);
    selftest_check(&c->st, wrote == (int)SMALL_PAGES && e3 == 0 && w3 == -EFAULT && w4 == -EFAULT && e4 == 0 && w5 == 0,
          "protect -WRITE with all 128 pages writable in the TLB: writes fault (%d, %d), "
          "and work again after +WRITE (%d)", w3, w4, w5);
}

void pagingtest_nx(struct ptest *c)
{
    uint64_t va = va_small(c, R_NX) + PAGE_SIZE;
    uint64_t rva = va_small(c, R_NX);
    *(volatile uint8_t *)phys_to_virt(c->block[R_NX] + PAGE_SIZE) = 0xC3;      /* ret */
    if (!pt_nx_enabled()) {
        selftest_check(&c->st, true, "no-execute checks skipped: NX is not enabled on this CPU");
        return;
    }
    bool irq = irq_save();
    int rd = probe_read(ptr(va));
    int x0 = probe_exec(ptr(va));
    int e1 = aspace_region_protect(c->as, rva, REGION_READ | REGION_WRITE | REGION_EXEC);
    int x1 = probe_exec(ptr(va));
    int e2 = aspace_region_protect(c->as, rva, REGION_READ | REGION_WRITE);
    int x2 = probe_exec(ptr(va));
    irq_restore(irq);
    selftest_check(&c->st, rd == 0xC3 && x0 == -EFAULT, "executing a `ret` in a no-execute region faults (%d)", x0);
    selftest_check(&c->st, e1 == 0 && x1 == 0, "after protect +EXEC it runs (protect %d, exec %d)", e1, x1);
    selftest_check(&c->st, e2 == 0 && x2 == -EFAULT, "after protect -EXEC it faults again (exec %d)", x2);
}
