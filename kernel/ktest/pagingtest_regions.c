/*
 * `pagingtest` (kernel/ktest/cmd_pagingtest.c), adding regions: the
 * kernel map and the aliases of physical memory that the test address
 * space is built from, the sixteen small regions and the overlaps refused
 * between them, the views of the same memory agreeing, large pages, and
 * the arguments every region call refuses.
 */
#include <kmap.h>
#include <fs.h>
#include <log.h>
#include <string.h>
#include <uapi/errno.h>
#include <arch/cpu.h>
#include "pagingtest.h"

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

void pagingtest_big_regions(struct ptest *c)
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

void pagingtest_small_regions(struct ptest *c)
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

void pagingtest_compare(struct ptest *c)
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

/* ---- argument errors ---- */

void pagingtest_bad_args(struct ptest *c)
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

void pagingtest_large_pages(struct ptest *c)
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
