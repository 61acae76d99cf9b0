/*
 * `pagingtest` (kernel/ktest/cmd_pagingtest.c), regions whose pager owns
 * the frames: ANON (zero on first touch, private, given back on remove)
 * and FILE (the file's bytes, zero past EOF, writes private, a reference
 * to the file per region).
 */
#include <frame.h>
#include <heap.h>
#include <fs.h>
#include <file.h>
#include <uaccess.h>
#include <fmt.h>
#include <string.h>
#include <log.h>
#include <uapi/errno.h>
#include "pagingtest.h"

static bool all_zero(const void *p, size_t n)
{
    const uint64_t *q = p;
    for (size_t i = 0; i < n / 8; i++)
        if (q[i])
            return false;
    return true;
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

/* ---- ANON ---- */

void pagingtest_anon(struct ptest *c)
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

void pagingtest_file(struct ptest *c)
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
