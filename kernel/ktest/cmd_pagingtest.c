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
#include <selftest.h>
#include <aspace.h>
#include <kmap.h>
#include <paging.h>
#include <pt.h>
#include <frame.h>
#include <heap.h>
#include <fs.h>
#include <file.h>
#include <thread.h>
#include <uaccess.h>
#include <log.h>
#include <fmt.h>
#include <string.h>
#include <errstr.h>
#include <uapi/errno.h>
#include <arch/cpu.h>

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
static bool lightly_touched(int i)
{
    return i == R_REMOVE || i == R_RO || i == R_NX;
}

struct ptest {
    struct selftest st;
    struct aspace *as;
    uint64_t kmap;                  /* kmap_size() */
    uint64_t block[NBLOCKS];        /* physical starts of the pattern blocks */
};

static uint64_t va_small(const struct ptest *c, int i)
{
    return ALIAS_BASE + c->kmap + (uint64_t)i * MiB(1);
}

static uint64_t va_slot(const struct ptest *c, int n)
{
    return ALIAS_BASE + c->kmap + GiB(n);
}

static void *ptr(uint64_t va) { return (void *)va; }

static struct region phys_region(uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    return (struct region){ .va_start = va, .pa_start = pa, .len = len, .flags = flags };
}

static int add(struct ptest *c, uint64_t va, uint64_t pa, uint64_t len, uint32_t flags)
{
    struct region r = phys_region(va, pa, len, flags);
    return aspace_region_add(c->as, &r);
}

static bool all_zero(const void *p, size_t n)
{
    const uint64_t *q = p;
    for (size_t i = 0; i < n / 8; i++)
        if (q[i])
            return false;
    return true;
}

static uint64_t first_qword(uint64_t va) { return *(volatile uint64_t *)va; }

static struct paging_stats stats(struct ptest *c)
{
    struct paging_stats st;
    paging_stats(c->as, &st);
    return st;
}

/* Frames not free, counted where they went: heap pages and this address
 * space's table pages. The sum only changes when frames are mapped into
 * (or released from) ANON or FILE regions. */
static uint64_t frames_accounted(struct ptest *c)
{
    struct frame_stats fs;
    struct heap_stats hs;
    struct paging_stats ps;
    frame_stats(&fs);
    heap_stats(&hs);
    paging_stats(c->as, &ps);
    return fs.free + hs.slab_pages + hs.large_pages + ps.table_pages;
}

static uint64_t free_frames(void)
{
    struct frame_stats fs;
    frame_stats(&fs);
    return fs.free;
}

/* ---- pattern blocks ---- */

static uint64_t pattern_word(int b, uint64_t i)
{
    return 0x5054000000000000ull | ((uint64_t)b << 32) | i;    /* "PT" */
}

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

/* ---- building the address space ---- */

/* The kernel map's text segment (the region the kernel runs from). */
static struct kmap_segment kernel_text(void)
{
    struct kmap_segment seg[KMAP_SEGMENTS];
    kmap_segments(seg);
    for (int i = 0; i < KMAP_SEGMENTS; i++)
        if (seg[i].prot & REGION_EXEC)
            return seg[i];
    return seg[0];      /* kmap_segments panics before this can happen */
}

static void test_big_regions(struct ptest *c)
{
    uint64_t k = c->kmap;
    struct kmap_segment text = kernel_text();
    const uint32_t text_flags = REGION_READ | REGION_EXEC | REGION_PIN | REGION_KERN | REGION_EAGER;
    selftest_check_err(&c->st, kmap_add(c->as), 0, "add the kernel map (W^X, page 0 unmapped)");
    struct paging_stats s0 = stats(c);
    selftest_check(&c->st, s0.table_pages == 1 && s0.mapped[0] + s0.mapped[1] + s0.mapped[2] == 0,
                   "the kernel map costs this tree no table page and no leaf (%lu table page(s): "
                   "the PML4; the map's tables are shared)", s0.table_pages);
    selftest_check_err(&c->st, add(c, k, 0, PAGE_SIZE, REGION_READ | REGION_KERN | REGION_PIN), -EINVAL,
                       "a region in the kernel half that is not the kernel map is refused");
    selftest_check_err(&c->st, aspace_region_protect(c->as, text.start, REGION_READ | REGION_WRITE), -EPERM,
                       "the shared kernel text cannot be made writable");
    selftest_check_err(&c->st, add(c, EAGER_ALIAS, 0, k, REGION_READ | REGION_KERN | REGION_EAGER), 0,
              "add eager alias [E, E+K) -> pa 0");
    selftest_check_err(&c->st, add(c, ALIAS_BASE, 0, k, REGION_READ | REGION_KERN), 0,
              "add lazy alias at 0xffff800000000000 -> pa 0");

    /* Large pages: the eager K-byte alias at a 1 GiB-aligned address. */
    struct paging_stats st = stats(c);
    uint64_t g = k / GiB(1);
    kprintf("  (K = %lu GiB; page tables: %lu table pages, leaves %lu x 4K, %lu x 2M, %lu x 1G)\n",
            g, st.table_pages, st.mapped[0], st.mapped[1], st.mapped[2]);
    if (pt_sizes_supported() & PT_SIZE_1G)
        selftest_check(&c->st, st.mapped[2] - s0.mapped[2] == g && st.mapped[1] == s0.mapped[1] &&
              st.mapped[0] == s0.mapped[0] && st.table_pages - s0.table_pages <= 1,
              "the eager alias uses %lu x 1 GiB leaves and %lu new table pages (want %lu, <= 1)",
              st.mapped[2] - s0.mapped[2], st.table_pages - s0.table_pages, g);
    else
        selftest_check(&c->st, st.mapped[1] - s0.mapped[1] == g * 512 && st.mapped[0] == s0.mapped[0] &&
              st.table_pages - s0.table_pages <= 1 + g,
              "no 1 GiB pages: the eager alias uses %lu x 2 MiB leaves, %lu new table pages",
              st.mapped[1] - s0.mapped[1], st.table_pages - s0.table_pages);
    uint64_t pa = 0, size = 0;
    uint32_t fl = 0;
    bool ok = paging_translate(c->as, text.start + 0x123, &pa, &fl, &size);
    selftest_check(&c->st, ok && pa == text.start + 0x123 && size == PAGE_SIZE && !(fl & PT_WRITE) &&
          (fl & PT_EXEC) && !(fl & PT_USER),
          "translate kernel text %#lx -> pa %#lx, %lu KiB page, flags %#x (kernel r-x)",
          text.start + 0x123, pa, size >> 10, fl);
    uint64_t want = (pt_sizes_supported() & PT_SIZE_1G) ? GiB(1) : MiB(2);
    ok = paging_translate(c->as, EAGER_ALIAS + MiB(1), &pa, &fl, &size);
    selftest_check(&c->st, ok && pa == MiB(1) && size == want && !(fl & PT_WRITE) &&
          !(fl & PT_EXEC) == pt_nx_enabled(),
          "translate E+1MiB -> pa %#lx, %lu KiB page, flags %#x (read-only)", pa, size >> 10, fl);
    selftest_check(&c->st, !paging_translate(c->as, ALIAS_BASE + MiB(1), NULL, NULL, NULL),
          "the lazy alias is not mapped before it is touched");

    /* Checked before moving in: were the pin ignored, the kernel text
     * would vanish under the running kernel. */
    int err = aspace_region_remove(c->as, text.start);
    selftest_check_err(&c->st, err, -EPERM, "remove the pinned kernel text");
    if (err == 0)
        add(c, text.start, text.start, text.end - text.start, text_flags);
    err = aspace_region_move(c->as, text.start, GiB(1));
    selftest_check_err(&c->st, err, -EPERM, "move the pinned kernel text");
    if (err == 0)
        aspace_region_move(c->as, text.start, text.start);
}

static void test_small_regions(struct ptest *c)
{
    int added = 0;
    for (int i = 0; i < NSMALL; i++) {
        uint32_t fl = REGION_READ | REGION_KERN;
        if (i != R_RO)
            fl |= REGION_WRITE;
        if (i == R_PIN)
            fl |= REGION_PIN;
        if (add(c, va_small(c, i), c->block[i], SMALL_LEN, fl) == 0)
            added++;
    }
    selftest_check(&c->st, added == NSMALL, "add sixteen 512 KiB lazy regions (%d added)", added);

    uint64_t regions = stats(c).regions;
    uint64_t v5 = va_small(c, R_OVERLAP);
    selftest_check_err(&c->st, add(c, v5 + KiB(256), c->block[SPARE], SMALL_LEN, REGION_READ | REGION_KERN),
              -EEXIST, "add overlapping the second half of a region");
    selftest_check_err(&c->st, add(c, v5 - PAGE_SIZE, c->block[SPARE], 2 * PAGE_SIZE, REGION_READ | REGION_KERN),
              -EEXIST, "add overlapping the first page of a region");
    selftest_check_err(&c->st, add(c, v5, c->block[SPARE], MiB(3), REGION_READ | REGION_KERN),
              -EEXIST, "add covering three regions");
    selftest_check_err(&c->st, add(c, ALIAS_BASE + GiB(1), 0, PAGE_SIZE, REGION_READ | REGION_KERN),
              -EEXIST, "add inside the lazy 4 GiB alias");
    selftest_check(&c->st, stats(c).regions == regions, "failed adds leave the region count at %lu (now %lu)",
          regions, stats(c).regions);
    /* Exactly between two regions (touching both ends) is not an overlap. */
    uint64_t gap = v5 + SMALL_LEN;
    selftest_check_err(&c->st, add(c, gap, c->block[SPARE], MiB(1) - SMALL_LEN, REGION_READ | REGION_KERN), 0,
              "add filling the gap between two regions exactly");
    selftest_check_err(&c->st, aspace_region_remove(c->as, gap), 0, "remove it again");
}

/* ---- views agree ---- */

static void test_compare(struct ptest *c)
{
    const void *low = ptr(MiB(1));
    bool irq = irq_save();
    int lazy = memcmp(low, ptr(ALIAS_BASE + MiB(1)), COMPARE_LEN);
    int eager = memcmp(low, ptr(EAGER_ALIAS + MiB(1)), COMPARE_LEN);
    irq_restore(irq);
    selftest_check(&c->st, lazy == 0, "identity map and lazy alias agree over 4 MiB at pa 1 MiB");
    selftest_check(&c->st, eager == 0, "identity map and eager alias agree over 4 MiB at pa 1 MiB");
    uint64_t pa = 0, size = 0;
    bool ok = paging_translate(c->as, ALIAS_BASE + MiB(1), &pa, NULL, &size);
    uint64_t want = (pt_sizes_supported() & PT_SIZE_1G) ? GiB(1) : MiB(2);
    selftest_check(&c->st, ok && pa == MiB(1) && size == want,
          "the lazy alias was filled on fault with a %lu KiB page (pa %#lx)", size >> 10, pa);

    int good = 0, want_good = 0;
    for (int i = 0; i < NSMALL; i++) {
        if (lightly_touched(i))
            continue;
        want_good++;
        if (memcmp(ptr(va_small(c, i)), phys_to_virt(c->block[i]), SMALL_LEN) == 0)
            good++;
    }
    selftest_check(&c->st, good == want_good, "each small region shows its own pattern block (%d of %d checked whole)",
          good, want_good);
    ok = paging_translate(c->as, va_small(c, 7) + PAGE_SIZE + 8, &pa, NULL, &size);
    selftest_check(&c->st, ok && pa == c->block[7] + PAGE_SIZE + 8 && size == PAGE_SIZE,
          "512 KiB regions are filled with 4 KiB pages (pa %#lx, %lu KiB)", pa, size >> 10);
}

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
static void test_move_enomem(struct ptest *c)
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

static void test_move(struct ptest *c)
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

static void test_remove(struct ptest *c)
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

static void test_pin(struct ptest *c)
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

static void test_readonly(struct ptest *c)
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

static void test_nx(struct ptest *c)
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

/* ---- ANON ---- */

static void test_anon(struct ptest *c)
{
    const uint64_t pages = 4;
    uint64_t a = va_slot(c, 1), b = a + MiB(1);
    struct region r = { .va_start = a, .len = pages * PAGE_SIZE,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    uint64_t acct0 = frames_accounted(c);
    int ea = aspace_region_add(c->as, &r);
    r.va_start = b;
    int eb = aspace_region_add(c->as, &r);
    selftest_check(&c->st, ea == 0 && eb == 0, "add two ANON regions of 4 pages (%d, %d)", ea, eb);
    if (ea || eb)
        return;
    selftest_check(&c->st, !paging_translate(c->as, a, NULL, NULL, NULL), "ANON pages are not mapped before use");

    uint64_t acct1 = frames_accounted(c);
    int zero = 0;
    for (uint64_t i = 0; i < pages; i++) {
        zero += all_zero(ptr(a + i * PAGE_SIZE), PAGE_SIZE);
        zero += all_zero(ptr(b + i * PAGE_SIZE), PAGE_SIZE);
    }
    uint64_t acct2 = frames_accounted(c);
    selftest_check(&c->st, zero == 2 * (int)pages, "every ANON page reads zero on first touch (%d of %lu)",
          zero, 2 * pages);
    selftest_check(&c->st, acct1 - acct2 == 2 * pages, "touching them took exactly %lu frames (%lu)",
          2 * pages, acct1 - acct2);

    memset(ptr(a), 0xA5, PAGE_SIZE);
    bool a1_zero = all_zero(ptr(a + PAGE_SIZE), PAGE_SIZE);
    bool b0_zero = all_zero(ptr(b), PAGE_SIZE);
    memset(ptr(b), 0x5B, PAGE_SIZE);
    bool a0_kept = *(volatile uint8_t *)ptr(a + PAGE_SIZE - 1) == 0xA5 &&
                   *(volatile uint8_t *)ptr(a) == 0xA5;
    selftest_check(&c->st, a1_zero && b0_zero && a0_kept,
          "writes to one ANON page show in no other page or region");

    uint64_t pas[8];
    int n = 0, distinct = 1;
    for (uint64_t i = 0; i < pages; i++) {
        paging_translate(c->as, a + i * PAGE_SIZE, &pas[n++], NULL, NULL);
        paging_translate(c->as, b + i * PAGE_SIZE, &pas[n++], NULL, NULL);
    }
    for (int i = 0; i < n; i++)
        for (int j = i + 1; j < n; j++)
            if (pas[i] == pas[j])
                distinct = 0;
    selftest_check(&c->st, distinct, "the eight ANON pages have eight different frames");
    selftest_check_err(&c->st, aspace_region_move(c->as, a, c->block[SPARE]), -EINVAL, "move an ANON region");

    int ra = aspace_region_remove(c->as, a), rb = aspace_region_remove(c->as, b);
    uint64_t acct3 = frames_accounted(c);
    int freed = 0;
    for (int i = 0; i < n; i++)
        freed += frame_refcount(pas[i]) == 0;
    selftest_check(&c->st, ra == 0 && rb == 0 && acct3 == acct0,
          "removing them gives every frame back (accounted %lu before, %lu after)", acct0, acct3);
    selftest_check(&c->st, freed == n, "the ANON frames are free again (%d of %d)", freed, n);
    selftest_check(&c->st, probe_read(ptr(a)) == -EFAULT, "a removed ANON region faults");

    /* EAGER|ANON: every page gets its frame at add time. */
    struct paging_stats s0 = stats(c);
    r.va_start = a;
    r.flags |= REGION_EAGER;
    int ee = aspace_region_add(c->as, &r);
    struct paging_stats s1 = stats(c);
    uint64_t pa = 0;
    bool mapped = paging_translate(c->as, a + (pages - 1) * PAGE_SIZE, &pa, NULL, NULL);
    selftest_check(&c->st, ee == 0 && mapped && s1.mapped[0] - s0.mapped[0] == pages &&
          all_zero(ptr(a), pages * PAGE_SIZE),
          "an EAGER ANON region has all %lu zeroed pages mapped at add (err %d, %lu mapped)",
          pages, ee, s1.mapped[0] - s0.mapped[0]);
    int er = aspace_region_remove(c->as, a);
    selftest_check(&c->st, er == 0 && frame_refcount(pa) == 0 && frames_accounted(c) == acct0,
          "removing it frees its frames (err %d)", er);
}

/* ---- FILE ---- */

/* A file for the FILE tests: a /bin program larger than a page whose size is
 * not a multiple of the page (so its last page has bytes past EOF), else any
 * file larger than a page, else /etc/motd. */
static void file_pick(char *path, size_t n)
{
    struct fs_dirent de;
    char any[FS_NAME_MAX] = "";
    for (size_t i = 0; fs_readdir("/bin", i, &de) == 0; i++) {
        if (de.type != FS_TYPE_FILE || de.size <= PAGE_SIZE)
            continue;
        if (de.size % PAGE_SIZE) {
            snprintf(path, n, "/bin/%s", de.name);
            return;
        }
        if (!any[0])
            strlcpy(any, de.name, sizeof(any));
    }
    if (any[0])
        snprintf(path, n, "/bin/%s", any);
    else
        strlcpy(path, "/etc/motd", n);
}

static uint8_t file_buf[PAGE_SIZE];

/* Compare the region at va (file offset off, npages) with the file. */
static bool file_region_matches(struct file *f, uint64_t va, uint64_t off, uint64_t npages,
                                uint64_t *bad_page)
{
    for (uint64_t k = 0; k < npages; k++) {
        long n = fs_pread(f, file_buf, PAGE_SIZE, off + k * PAGE_SIZE);
        const uint8_t *p = ptr(va + k * PAGE_SIZE);
        if (n < 0 || memcmp(p, file_buf, (size_t)n) != 0) {
            *bad_page = k;
            return false;
        }
        for (size_t i = (size_t)n; i < PAGE_SIZE; i++)
            if (p[i]) {
                *bad_page = k;
                return false;
            }
    }
    return true;
}

static void test_file(struct ptest *c)
{
    char path[FS_NAME_MAX + 8];
    struct file *f, *g;
    struct fs_stat st;
    file_pick(path, sizeof(path));
    size_t open0 = fs_open_count();
    uint64_t acct0 = frames_accounted(c);
    if (fs_open(path, &f) < 0 || fs_fstat(f, &st) < 0 || fs_open(path, &g) < 0) {
        selftest_check(&c->st, false, "open %s for the FILE tests", path);
        return;
    }
    uint64_t size = st.size, pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    kprintf("  (FILE tests use %s, %lu bytes)\n", path, size);

    /* Region A: the whole file and one more page; region B: from offset
     * 4096. Both are added from f, which is then closed at once: each
     * region holds its own reference. g is for comparing. */
    uint64_t va = va_slot(c, 2), vb = va_slot(c, 3);
    struct region r = { .va_start = va, .len = (pages + 1) * PAGE_SIZE, .file = f,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_FILE };
    selftest_check_err(&c->st, aspace_region_add(c->as, &r), 0, "add a FILE region: whole file plus one page");
    bool offset_test = size > PAGE_SIZE;
    uint64_t bpages = pages - 1;
    if (offset_test) {
        struct region rb = { .va_start = vb, .len = bpages * PAGE_SIZE, .file = f,
                             .file_offset = PAGE_SIZE,
                             .flags = REGION_READ | REGION_KERN | REGION_FILE };
        selftest_check_err(&c->st, aspace_region_add(c->as, &rb), 0, "add a FILE region at file offset 4096");
    }
    uint32_t refs = f->refs;
    fs_close(f);
    selftest_check(&c->st, fs_open_count() == open0 + 2 && refs == 2u + offset_test,
          "each FILE region holds its own reference: the file stays open after its opener closes it "
          "(%zu open, %zu before; %u references before the close)", fs_open_count(), open0, refs);

    uint64_t bad = 0;
    bool same = file_region_matches(g, va, 0, pages, &bad);
    selftest_check(&c->st, same, same ?
          "FILE region equals the file page by page, zero past EOF (%lu pages)" :
          "FILE region equals the file page by page, zero past EOF (%lu pages; first bad page %lu)",
          pages, bad);
    selftest_check(&c->st, all_zero(ptr(va + pages * PAGE_SIZE), PAGE_SIZE), "the extra page past the file is all zero");

    /* Writes are private to the region. */
    uint8_t b0 = *(volatile uint8_t *)ptr(va), nb = (uint8_t)~b0;
    *(volatile uint8_t *)ptr(va) = nb;
    uint8_t filebyte = 0;
    fs_pread(g, &filebyte, 1, 0);
    selftest_check(&c->st, filebyte == b0 && *(volatile uint8_t *)ptr(va) == nb,
          "a write to a FILE page changes the page, not the file");
    selftest_check_err(&c->st, aspace_region_move(c->as, va, c->block[SPARE]), -EINVAL, "move a FILE region");

    if (offset_test) {
        same = file_region_matches(g, vb, PAGE_SIZE, bpages, &bad);
        selftest_check(&c->st, same, same ?
              "the offset region shows the file from offset 4096 (%lu pages)" :
              "the offset region shows the file from offset 4096 (%lu pages; first bad page %lu)",
              bpages, bad);
        selftest_check(&c->st, probe_write(ptr(vb), 1) == -EFAULT, "a read-only FILE region refuses writes");
    }
    fs_close(g);
    int e1 = aspace_region_remove(c->as, va);
    int e2 = offset_test ? aspace_region_remove(c->as, vb) : 0;
    selftest_check(&c->st, e1 == 0 && e2 == 0 && fs_open_count() == open0,
          "removing the FILE regions closes their files (%zu open)", fs_open_count());
    uint64_t acct1 = frames_accounted(c);
    selftest_check(&c->st, acct1 == acct0, "and gives their frames back (accounted %lu, was %lu)", acct1, acct0);

    /* A region entirely past the end of the file reads zero. */
    if (fs_open(path, &f) == 0) {
        struct region rp = { .va_start = va, .len = 2 * PAGE_SIZE, .file = f,
                             .file_offset = (pages + 1) * PAGE_SIZE,
                             .flags = REGION_READ | REGION_KERN | REGION_FILE };
        int e = aspace_region_add(c->as, &rp);
        bool z = e == 0 && all_zero(ptr(va), 2 * PAGE_SIZE);
        int er = e == 0 ? aspace_region_remove(c->as, va) : e;
        fs_close(f);
        selftest_check(&c->st, z && er == 0, "a FILE region wholly past EOF reads zero (add %d, remove %d)", e, er);
    }
    /* A FILE region over a directory: the pager fails, the access faults
     * (recovered by probe_read), and nothing leaks. */
    if (fs_open("/bin", &f) == 0) {
        struct region rd = { .va_start = va, .len = PAGE_SIZE, .file = f,
                             .flags = REGION_READ | REGION_KERN | REGION_FILE };
        int e = aspace_region_add(c->as, &rd);
        int rv = probe_read(ptr(va));
        bool unmapped = !paging_translate(c->as, va, NULL, NULL, NULL);
        int er = e == 0 ? aspace_region_remove(c->as, va) : 0;
        fs_close(f);
        uint64_t acct2 = frames_accounted(c);
        selftest_check(&c->st, (e != 0 || (rv == -EFAULT && unmapped && er == 0)) && fs_open_count() == open0 &&
              acct2 == acct0,
              "a FILE region over a directory: add %d, read %d (fault), no frame or file leaked", e, rv);
    }
}

/* ---- argument errors ---- */

static void test_bad_args(struct ptest *c)
{
    uint64_t va = va_slot(c, 8);
    const uint32_t R = REGION_READ | REGION_KERN;
    uint64_t regions = stats(c).regions;
    struct file *f = NULL;
    fs_open("/etc/motd", &f);

    selftest_check_err(&c->st, add(c, va, 0, 0, R), -EINVAL, "add with zero length");
    selftest_check_err(&c->st, add(c, va + 0x800, 0, PAGE_SIZE, R), -EALIGN, "add with an unaligned start");
    selftest_check_err(&c->st, add(c, va, 0, 0x1800, R), -EALIGN, "add with an unaligned length");
    selftest_check_err(&c->st, add(c, va, 0x1234, PAGE_SIZE, R), -EALIGN, "add with an unaligned physical start");
    selftest_check_err(&c->st, add(c, 0x0000800000000000ull, 0, PAGE_SIZE, R), -ENONCANON,
              "add at a non-canonical address");
    selftest_check_err(&c->st, add(c, 0x00007ffffffff000ull, 0, 2 * PAGE_SIZE, R), -ENONCANON,
              "add running into the non-canonical hole");
    selftest_check_err(&c->st, add(c, 0xfffffffffffff000ull, 0, 2 * PAGE_SIZE, R), -EINVAL,
              "add wrapping past the top of the address space");
    selftest_check_err(&c->st, add(c, va, 0xfffffffffffff000ull, 2 * PAGE_SIZE, R), -EINVAL,
              "add whose physical range wraps");
    selftest_check_err(&c->st, add(c, va, 0, PAGE_SIZE, R | (1u << 8)), -EINVAL, "add with an unknown flag");
    struct region r = { .va_start = va, .len = PAGE_SIZE, .file = f,
                        .flags = R | REGION_ANON | REGION_FILE };
    selftest_check_err(&c->st, aspace_region_add(c->as, &r), -EINVAL, "add ANON|FILE");
    r.flags = R | REGION_FILE;
    r.file = NULL;
    selftest_check_err(&c->st, aspace_region_add(c->as, &r), -EINVAL, "add FILE without a file");
    r.file = f;
    r.file_offset = 100;
    selftest_check_err(&c->st, aspace_region_add(c->as, &r), -EINVAL, "add FILE at an unaligned file offset");
    selftest_check_err(&c->st, aspace_region_add(c->as, NULL), -EINVAL, "add a NULL region");
    selftest_check(&c->st, stats(c).regions == regions, "none of them added a region (%lu regions)", stats(c).regions);

    selftest_check_err(&c->st, aspace_region_remove(c->as, va), -ENOENT, "remove where there is no region");
    selftest_check_err(&c->st, aspace_region_remove(c->as, va_small(c, 9) + PAGE_SIZE), -ENOENT,
              "remove at an address inside a region but not its start");
    selftest_check_err(&c->st, aspace_region_protect(c->as, va, REGION_READ), -ENOENT,
              "protect where there is no region");
    selftest_check_err(&c->st, aspace_region_move(c->as, va, 0), -ENOENT, "move where there is no region");
    selftest_check_err(&c->st, aspace_region_remove(c->as, 0x0000800000000000ull), -ENONCANON,
              "remove at a non-canonical address");
    selftest_check_err(&c->st, aspace_region_protect(c->as, va_small(c, 9), 1u << 9), -EINVAL,
              "protect with an unknown flag");
    fs_close(f);
}

/* ---- large pages ---- */

static void test_large_pages(struct ptest *c)
{
    const uint32_t R = REGION_READ | REGION_KERN;
    uint64_t va = va_slot(c, 4), pa = 0, size = 0;

    struct paging_stats s0 = stats(c);
    selftest_check_err(&c->st, add(c, va, MiB(2), MiB(4), R | REGION_EAGER), 0,
              "add an eager 4 MiB region at 2 MiB-aligned pa 2 MiB");
    struct paging_stats s1 = stats(c);
    selftest_check(&c->st, s1.mapped[1] - s0.mapped[1] == 2 && s1.mapped[0] == s0.mapped[0],
          "it is mapped with two 2 MiB leaves (%lu x 2M, %lu x 4K added)",
          s1.mapped[1] - s0.mapped[1], s1.mapped[0] - s0.mapped[0]);
    bool ok = paging_translate(c->as, va + MiB(3) + 16, &pa, NULL, &size);
    selftest_check(&c->st, ok && pa == MiB(5) + 16 && size == MiB(2),
          "translate reports a 2 MiB page (pa %#lx, %lu KiB)", pa, size >> 10);
    selftest_check(&c->st, memcmp(ptr(va), ptr(MiB(2)), MiB(4)) == 0, "it shows the same bytes as the identity map");

    uint64_t vb = va_slot(c, 5);
    selftest_check_err(&c->st, add(c, vb, MiB(2) + PAGE_SIZE, MiB(2), R | REGION_EAGER), 0,
              "add an eager 2 MiB region at a pa that is only 4 KiB aligned");
    struct paging_stats s2 = stats(c);
    selftest_check(&c->st, s2.mapped[0] - s1.mapped[0] == 512 && s2.mapped[1] == s1.mapped[1],
          "it needs 512 x 4 KiB leaves (%lu added)", s2.mapped[0] - s1.mapped[0]);

    uint64_t vc = va_slot(c, 6);
    selftest_check_err(&c->st, add(c, vc, MiB(2), MiB(4), R), 0, "add a lazy 4 MiB region at pa 2 MiB");
    (void)first_qword(vc + MiB(2) + 8);
    struct paging_stats s3 = stats(c);
    ok = paging_translate(c->as, vc + MiB(2) + 8, &pa, NULL, &size);
    selftest_check(&c->st, ok && size == MiB(2) && pa == MiB(4) + 8 && s3.mapped[1] == s2.mapped[1] + 1,
          "one fault in it maps a whole 2 MiB page (pa %#lx, %lu KiB)", pa, size >> 10);

    int e = aspace_region_remove(c->as, va);
    e = e ? e : aspace_region_remove(c->as, vb);
    e = e ? e : aspace_region_remove(c->as, vc);
    struct paging_stats s4 = stats(c);
    selftest_check(&c->st, e == 0 && s4.mapped[0] == s0.mapped[0] && s4.mapped[1] == s0.mapped[1] &&
          s4.table_pages == s0.table_pages,
          "removing them restores leaves and table pages (%lu table pages, was %lu)",
          s4.table_pages, s0.table_pages);
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

    test_big_regions(&c);
    test_small_regions(&c);
    err = aspace_thread_move(c.as);
    selftest_check(&c.st, err == 0 && aspace_current() == c.as && thread_current()->aspace == c.as,
          "move the calling thread in (err %d)", err);
    if (err == 0) {
        test_compare(&c);
        test_move(&c);
        test_move_enomem(&c);
        test_remove(&c);
        test_pin(&c);
        test_readonly(&c);
        test_nx(&c);
        test_anon(&c);
        test_file(&c);
        test_bad_args(&c);
        test_large_pages(&c);
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

/* pagingtest fault|fault-ro: kernel/ktest/pagingtest_fault.c */
int pagingtest_fault(bool readonly);

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
