/*
 * `bench [all|switch|fault|eager|remove|regions]`: kernel micro-benchmarks.
 *
 * Prints one line per figure, in a format tests/bench.py parses:
 *
 *     bench: <name> <value> <unit> (<statistic>)
 *
 * <value> is an integer. For timings it is TSC cycles (rdtsc) per
 * operation, and <statistic> says how it was reduced: "median of N" (N
 * timed operations, each timed on its own) or "mean of N" (one timing of N
 * operations, divided by N), or "1 run" for a single operation. Memory
 * figures count frames, page-table pages or bytes ("count"). Lines
 * starting "bench-info:" are context, not figures; "bench: ERROR ..." means
 * a step failed and its figures are missing; the last line is
 * "bench: done, N figures, M errors".
 *
 * Under QEMU with -icount shift=0 the TSC counts guest instructions, so
 * the figures are instruction counts, identical from run to run (see
 * docs/benchmarks.md). Nothing here is a pass/fail test of speed.
 *
 * Everything runs in address spaces the command creates ("bench",
 * "bench-b", "bench-regions": paging, with the kernel identity map) and
 * destroys; the calling thread moves into "bench" and back. At the end the
 * free-frame count, heap bytes and open files are printed next to their
 * starting values: they must match (a sanity print, see "bench-check").
 *
 * Layout of the bench address spaces (B = max(1 TiB, kernel map rounded
 * up to 1 TiB); T = 1 TiB):
 *   [0, K)          the kernel identity map (eager, pinned)
 *   B + 1 GiB * k   fault tests: physical, ANON, FILE regions
 *   B + T           eager 4 GiB physical regions (1G, 2M, 4K leaves)
 *   B + 2T          the 64 MiB ANON region
 *   B + 3T          "bench-regions": 4 KiB filler regions 8 KiB apart
 *   B + 4T          "bench-regions": the ANON region whose faults are timed
 */
#include <shell.h>
#include <aspace.h>
#include <kmap.h>
#include <paging.h>
#include <pt.h>
#include <thread.h>
#include <sched.h>
#include <frame.h>
#include <heap.h>
#include <fs.h>
#include <uaccess.h>
#include <log.h>
#include <fmt.h>
#include <string.h>
#include <errstr.h>
#include <uapi/errno.h>
#include <arch/cpu.h>

#define TiB(x)              ((uint64_t)(x) << 40)

#define SAMPLES_MAX         4096
#define SWITCH_ROUNDS       2000    /* per thread: 4000 switches */
#define ASWITCH_PAIRS       2000    /* aspace_switch there and back */
#define MOVE_PAIRS          500     /* aspace_thread_move there and back */
#define FAULT_PAGES         1024    /* per kind: 4 MiB */
#define EAGER_ITERS         16      /* 4 GiB with 1 GiB / 2 MiB leaves */
#define EAGER_4K_ITERS      3       /* 4 GiB with 4 KiB leaves: 1M entries */
#define ANON64_LEN          MiB(64)
#define ANON64_ITERS        3
#define REGION_PAGES        256     /* faults timed per map size */
#define REGION_STEPS        { 1, 1000, 100000 }
#define FILLER_SPACING      KiB(8)

struct bench {
    struct aspace *home;            /* where the caller lives */
    struct aspace *as;              /* "bench" */
    struct aspace *as_b;            /* "bench-b" */
    uint64_t base;                  /* B in the layout above */
    uint64_t *samples;              /* SAMPLES_MAX */
    int figures, errors;
};

/* ---- measuring and printing ---- */

/* rdtsc, not reordered with the loads and stores around it. */
static inline uint64_t tsc(void)
{
    __asm__ volatile("lfence" ::: "memory");
    uint64_t t = rdtsc();
    __asm__ volatile("lfence" ::: "memory");
    return t;
}

static void sort_u64(uint64_t *a, int n)
{
    /* Shell sort with Ciura's gaps: fine for a few thousand samples. */
    static const int gaps[] = { 1750, 701, 301, 132, 57, 23, 10, 4, 1 };
    for (size_t g = 0; g < ARRAY_SIZE(gaps); g++) {
        int gap = gaps[g];
        for (int i = gap; i < n; i++) {
            uint64_t v = a[i];
            int j = i;
            for (; j >= gap && a[j - gap] > v; j -= gap)
                a[j] = a[j - gap];
            a[j] = v;
        }
    }
}

static uint64_t median(uint64_t *a, int n)
{
    if (n <= 0)
        return 0;
    sort_u64(a, n);
    return n % 2 ? a[n / 2] : (a[n / 2 - 1] + a[n / 2]) / 2;
}

static void figure(struct bench *b, const char *name, uint64_t value, const char *unit,
                   const char *fmt, ...) __printf(5, 6);
static void figure(struct bench *b, const char *name, uint64_t value, const char *unit,
                   const char *fmt, ...)
{
    char how[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(how, sizeof(how), fmt, ap);
    va_end(ap);
    kprintf("bench: %s %lu %s (%s)\n", name, value, unit, how);
    b->figures++;
}

static void fig_median(struct bench *b, const char *name, int n, const char *unit)
{
    figure(b, name, median(b->samples, n), unit, "median of %d", n);
}

static void fail(struct bench *b, const char *what, int err)
{
    kprintf("bench: ERROR %s: %s%s\n", what, errstr(err),
            err == -ENOMEM ? " (give QEMU more memory: make bench uses 256 MiB)" : "");
    b->errors++;
}

static uint64_t free_frames(void)
{
    struct frame_stats fs;
    frame_stats(&fs);
    return fs.free;
}

static uint64_t heap_bytes(void)
{
    struct heap_stats hs;
    heap_stats(&hs);
    return hs.bytes_in_use;
}

static struct paging_stats pstats(struct aspace *as)
{
    struct paging_stats st;
    paging_stats(as, &st);
    return st;
}

/* ---- the cost of timing itself ---- */

/* Two back-to-back tsc() reads: what every other timing includes. */
static void bench_overhead(struct bench *b)
{
    int n = 0;
    bool f = irq_save();
    for (int i = 0; i < 1000; i++) {
        uint64_t t0 = tsc();
        uint64_t t1 = tsc();
        b->samples[n++] = t1 - t0;
    }
    irq_restore(f);
    fig_median(b, "tsc_overhead", n, "cycles");
}

/* ---- thread switch ---- */

struct pingpong {
    volatile uint64_t stamp;        /* TSC just before the last yield */
    volatile int ready;
    int rounds;
    uint64_t *samples;
    volatile int n;
};

struct pp_thread {
    struct pingpong *pp;
    struct aspace *move_to;         /* NULL: stay in the creator's */
};

/* Each yield hands the CPU to the other thread, which reads the TSC as
 * soon as its own yield returns: one sample is one switch, yield to
 * return. The first return of each thread (from the start barrier) and
 * the last (the other one exiting) are stale and fall out of the median,
 * as do timer interrupts. */
static void *pingpong_main(void *arg)
{
    struct pp_thread *me = arg;
    struct pingpong *p = me->pp;
    struct aspace *home = thread_current()->aspace;
    int err = me->move_to ? aspace_thread_move(me->move_to) : 0;

    __atomic_fetch_add(&p->ready, 1, __ATOMIC_SEQ_CST);
    while (p->ready < 2)
        thread_yield();
    for (int i = 0; i < p->rounds; i++) {
        p->stamp = tsc();
        thread_yield();
        uint64_t d = tsc() - p->stamp;
        int k = __atomic_fetch_add(&p->n, 1, __ATOMIC_SEQ_CST);
        if (k < SAMPLES_MAX)
            p->samples[k] = d;
    }
    if (me->move_to && err == 0)
        aspace_thread_move(home);
    return (void *)(long)err;
}

static void bench_thread_switch(struct bench *b, const char *name, struct aspace *other)
{
    struct pingpong p = { .rounds = SWITCH_ROUNDS, .samples = b->samples };
    struct pp_thread ta = { &p, NULL }, tb = { &p, other };
    struct thread *a, *c;
    int err = thread_create("bench-ping", thread_current()->aspace, pingpong_main, &ta,
                            THREAD_JOINABLE, &a);
    if (err) {
        fail(b, "create thread bench-ping", err);
        return;
    }
    if ((err = thread_create("bench-pong", thread_current()->aspace, pingpong_main, &tb,
                             THREAD_JOINABLE, &c))) {
        /* bench-ping waits at the barrier: give it a partner that stays. */
        fail(b, "create thread bench-pong", err);
        p.rounds = 0;
        __atomic_fetch_add(&p.ready, 1, __ATOMIC_SEQ_CST);
        thread_join(a, NULL);
        return;
    }
    void *ra, *rc;
    thread_join(a, &ra);
    thread_join(c, &rc);
    if (ra || rc) {
        fail(b, "move bench-pong into bench-b", (int)(long)(ra ? ra : rc));
        return;
    }
    fig_median(b, name, MIN(p.n, SAMPLES_MAX), "cycles/switch");
}

/* ---- address-space switch ---- */

static void bench_aspace_switch(struct bench *b)
{
    /* Interrupts off: no scheduling while the CPU is in bench-b, and the
     * loop ends in bench, where this thread lives. */
    int n = 0;
    bool f = irq_save();
    for (int i = 0; i < ASWITCH_PAIRS; i++) {
        uint64_t t0 = tsc();
        aspace_switch(b->as_b);
        uint64_t t1 = tsc();
        aspace_switch(b->as);
        uint64_t t2 = tsc();
        b->samples[n++] = t1 - t0;
        b->samples[n++] = t2 - t1;
    }
    irq_restore(f);
    if (aspace_current() != b->as) {
        fail(b, "aspace_switch loop did not end in bench", -EINVAL);
        return;
    }
    fig_median(b, "aspace_switch", n, "cycles/switch");

    n = 0;
    for (int i = 0; i < MOVE_PAIRS; i++) {
        uint64_t t0 = tsc();
        int e1 = aspace_thread_move(b->as_b);
        uint64_t t1 = tsc();
        int e2 = aspace_thread_move(b->as);
        uint64_t t2 = tsc();
        if (e1 || e2) {
            fail(b, "aspace_thread_move", e1 ? e1 : e2);
            return;
        }
        b->samples[n++] = t1 - t0;
        b->samples[n++] = t2 - t1;
    }
    fig_median(b, "aspace_thread_move", n, "cycles/move");
}

/* ---- lazy faults ---- */

/* Why a probe of a lazy page failed: a probe only says that the access
 * faulted. With fewer free frames than one fault may need (a leaf and three
 * page-table pages) the pager found no frame: -ENOMEM; otherwise -EFAULT. */
static int probe_failure_cause(void)
{
    return free_frames() < 4 ? -ENOMEM : -EFAULT;
}

/* Touch pages [0, pages) of va once each, timing every touch (a probe, so
 * that a broken mapping is an error, not a panic). Appends to samples from
 * *n. Returns 0, -ENOMEM or -EFAULT. */
static int touch_pages(struct bench *b, uint64_t va, int pages, bool write, int *n)
{
    int err = 0;
    bool f = irq_save();
    for (int i = 0; i < pages && *n < SAMPLES_MAX; i++) {
        void *p = (void *)(va + (uint64_t)i * PAGE_SIZE);
        uint64_t t0 = tsc();
        int r = write ? probe_write(p, 1) : probe_read(p);
        uint64_t t1 = tsc();
        if (r < 0) {
            err = probe_failure_cause();
            break;
        }
        b->samples[(*n)++] = t1 - t0;
    }
    irq_restore(f);
    return err;
}

/* Memory taken by a case: frames no longer free, and page-table pages. */
static void mem_figures(struct bench *b, const char *name, uint64_t free0, uint64_t tables0,
                        const char *what)
{
    char n1[48], n2[48];
    snprintf(n1, sizeof(n1), "mem_%s_frames", name);
    snprintf(n2, sizeof(n2), "mem_%s_tables", name);
    figure(b, n1, free0 - free_frames(), "frames", "count, %s", what);
    figure(b, n2, pstats(b->as).table_pages - tables0, "pages", "count, page-table pages");
}

/* Time the first touch of every page of *r (added here, removed after),
 * then print the figure, the memory figures and, when retouch is set, the
 * cost of touching the same pages again (mapped: no fault). */
static void bench_fault_region(struct bench *b, const char *name, const struct region *r,
                               bool write, bool retouch)
{
    uint64_t free0 = free_frames(), tables0 = pstats(b->as).table_pages;
    int err = aspace_region_add(b->as, r);
    if (err) {
        fail(b, name, err);
        return;
    }
    int n = 0, pages = (int)(r->len / PAGE_SIZE);
    err = touch_pages(b, r->va_start, pages, write, &n);
    if (err) {
        fail(b, name, err);
    } else {
        char fname[48];
        snprintf(fname, sizeof(fname), "fault_%s", name);
        fig_median(b, fname, n, "cycles/fault");
        mem_figures(b, name, free0, tables0, write ? "pages written" : "pages read");
        if (retouch) {
            n = 0;
            if (touch_pages(b, r->va_start, pages, write, &n) == 0)
                fig_median(b, "touch_mapped", n, "cycles/touch");
        }
    }
    if ((err = aspace_region_remove(b->as, r->va_start)))
        fail(b, "remove fault region", err);
}

/* The largest file in /bin: path into buf, size into *size. */
static int largest_bin_file(char *buf, size_t len, uint64_t *size)
{
    static struct fs_dirent d;      /* 272 bytes: off the stack */
    *size = 0;
    for (size_t i = 0; fs_readdir("/bin", i, &d) == 0; i++) {
        if (d.type == FS_TYPE_FILE && d.size > *size) {
            *size = d.size;
            snprintf(buf, len, "/bin/%s", d.name);
        }
    }
    return *size ? 0 : -ENOENT;
}

/* FILE faults: the file may be only a few pages, so map it again and
 * again (add, touch every page, remove) until FAULT_PAGES faults. */
static void bench_fault_file(struct bench *b, uint64_t va)
{
    char path[FS_NAME_MAX + 8];
    uint64_t size;
    struct file *f;
    int err = largest_bin_file(path, sizeof(path), &size);
    if (err || (err = fs_open(path, &f))) {
        fail(b, "open a /bin file for the FILE faults", err);
        return;
    }
    uint64_t pages = ALIGN_UP(size, PAGE_SIZE) / PAGE_SIZE;
    struct region r = { .va_start = va, .len = pages * PAGE_SIZE, .file = f,
                        .flags = REGION_READ | REGION_KERN | REGION_FILE };
    kprintf("bench-info: FILE faults map %s (%lu bytes, %lu pages) repeatedly\n", path, size, pages);
    int n = 0;
    for (int round = 0; n < FAULT_PAGES && !err; round++) {
        uint64_t free0 = free_frames(), tables0 = pstats(b->as).table_pages;
        if ((err = aspace_region_add(b->as, &r))) {
            fail(b, "add FILE region", err);
            break;
        }
        int want = MIN((int)pages, FAULT_PAGES - n);
        if ((err = touch_pages(b, va, want, false, &n)))
            fail(b, "touch FILE region", err);
        else if (round == 0)
            mem_figures(b, "file", free0, tables0, "pages read, one mapping of the file");
        int e = aspace_region_remove(b->as, va);
        if (e) {
            fail(b, "remove FILE region", e);
            err = e;
        }
    }
    fs_close(f);
    if (!err)
        fig_median(b, "fault_file", n, "cycles/fault");
}

static void bench_faults(struct bench *b)
{
    const uint64_t len = FAULT_PAGES * PAGE_SIZE;
    /* Physical: va one page off a 2 MiB boundary, pa on one: the pager
     * can only use 4 KiB pages. Reads of RAM from 2 MiB up. */
    struct region phys = { .va_start = b->base + GiB(1) + PAGE_SIZE, .pa_start = MiB(2), .len = len,
                           .flags = REGION_READ | REGION_KERN };
    bench_fault_region(b, "phys", &phys, false, false);
    struct region anon = { .va_start = b->base + GiB(2), .len = len,
                           .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    bench_fault_region(b, "anon", &anon, true, true);
    bench_fault_file(b, b->base + GiB(3));
}

/* ---- eager add and remove of 4 GiB ---- */

static void bench_eager_one(struct bench *b, const char *tag, uint64_t va, int iters)
{
    struct region r = { .va_start = va, .pa_start = 0, .len = GiB(4),
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_EAGER };
    uint64_t *add = b->samples, *rem = b->samples + SAMPLES_MAX / 2;
    struct paging_stats s0 = pstats(b->as), s1 = s0;
    int n = 0;
    for (int i = 0; i < iters; i++) {
        uint64_t t0 = tsc();
        int err = aspace_region_add(b->as, &r);
        uint64_t t1 = tsc();
        if (err) {
            fail(b, "add eager 4 GiB region", err);
            return;
        }
        if (i == 0)
            s1 = pstats(b->as);
        uint64_t t2 = tsc();
        err = aspace_region_remove(b->as, va);
        uint64_t t3 = tsc();
        if (err) {
            fail(b, "remove eager 4 GiB region", err);
            return;
        }
        add[n] = t1 - t0;
        rem[n++] = t3 - t2;
    }
    char name[48];
    snprintf(name, sizeof(name), "add_eager_4g_%s", tag);
    figure(b, name, median(add, n), "cycles/op", "median of %d", n);
    snprintf(name, sizeof(name), "remove_eager_4g_%s", tag);
    figure(b, name, median(rem, n), "cycles/op", "median of %d", n);
    snprintf(name, sizeof(name), "mem_eager_4g_%s_tables", tag);
    figure(b, name, s1.table_pages - s0.table_pages, "pages",
           "count, page-table pages; leaves %lu x 4K, %lu x 2M, %lu x 1G",
           s1.mapped[0] - s0.mapped[0], s1.mapped[1] - s0.mapped[1], s1.mapped[2] - s0.mapped[2]);
}

static void bench_eager(struct bench *b)
{
    uint64_t va = b->base + TiB(1);
    if (!(pt_sizes_supported() & PT_SIZE_1G))
        kprintf("bench-info: no 1 GiB pages on this CPU: the 1g case gets 2 MiB leaves\n");
    bench_eager_one(b, "1g", va, EAGER_ITERS);
    bench_eager_one(b, "2m", va + MiB(2), EAGER_ITERS);
    bench_eager_one(b, "4k", va + PAGE_SIZE, EAGER_4K_ITERS);
}

/* ---- remove of untouched lazy regions ---- */

#define LAZY_ITERS          64

/* Add a lazy ANON region of len at va, never touch it, remove it: the
 * remove (timed) finds nothing mapped, so its cost should not grow with
 * len. Median of LAZY_ITERS. */
static void bench_remove_lazy(struct bench *b, const char *name, uint64_t va, uint64_t len)
{
    struct region r = { .va_start = va, .len = len,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    int n = 0;
    for (int i = 0; i < LAZY_ITERS; i++) {
        int err = aspace_region_add(b->as, &r);
        if (err) {
            fail(b, "add a lazy ANON region", err);
            return;
        }
        bool f = irq_save();
        uint64_t t0 = tsc();
        err = aspace_region_remove(b->as, va);
        uint64_t t1 = tsc();
        irq_restore(f);
        if (err) {
            fail(b, "remove a lazy ANON region", err);
            return;
        }
        b->samples[n++] = t1 - t0;
    }
    fig_median(b, name, n, "cycles/op");
}

/* ---- remove of a touched 64 MiB ANON region ---- */

static void bench_remove_anon(struct bench *b)
{
    const uint64_t va = b->base + TiB(2), pages = ANON64_LEN / PAGE_SIZE;
    struct region r = { .va_start = va, .len = ANON64_LEN,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    uint64_t *rem = b->samples, *touch = b->samples + 16;
    int n = 0;
    for (int i = 0; i < ANON64_ITERS; i++) {
        uint64_t free0 = free_frames();
        struct paging_stats s0 = pstats(b->as);
        int err = aspace_region_add(b->as, &r);
        if (err) {
            fail(b, "add 64 MiB ANON region", err);
            return;
        }
        bool f = irq_save();
        uint64_t t0 = tsc();
        for (uint64_t p = 0; p < pages && !err; p++)
            err = probe_write((void *)(va + p * PAGE_SIZE), 1);
        uint64_t t1 = tsc();
        irq_restore(f);
        if (err)
            err = probe_failure_cause();
        struct paging_stats s1 = pstats(b->as);
        uint64_t used = free0 - free_frames();
        uint64_t t2 = tsc();
        int e = aspace_region_remove(b->as, va);
        uint64_t t3 = tsc();
        struct paging_stats s2 = pstats(b->as);
        if (err || e) {
            fail(b, "touch or remove the 64 MiB ANON region", err ? err : e);
            return;
        }
        if (i == 0) {
            figure(b, "mem_anon_64m_frames", used, "frames", "count, 16384 pages written");
            figure(b, "mem_anon_64m_tables", s1.table_pages - s0.table_pages, "pages",
                   "count, page-table pages");
            kprintf("bench-info: removing it: %lu invlpg, %lu full TLB flushes\n",
                    s2.invlpgs - s1.invlpgs, s2.full_flushes - s1.full_flushes);
        }
        touch[n] = (t1 - t0) / pages;
        rem[n++] = t3 - t2;
    }
    figure(b, "fault_anon_64m", median(touch, n), "cycles/fault",
           "median of %d runs, each the mean of %lu", n, pages);
    figure(b, "remove_anon_64m", median(rem, n), "cycles/op", "median of %d", n);
    bench_remove_lazy(b, "remove_lazy_4k", va, PAGE_SIZE);
    bench_remove_lazy(b, "remove_lazy_1m", va, MiB(1));
}

/* ---- ANON faults against the size of the region map ---- */

#define MAP_UNMAP_ITERS     32

/* What map() + unmap() of 1 MiB do in the kernel: find the lowest free
 * 1 MiB in [lo, hi) (above every filler), add a lazy ANON region there,
 * remove it. Each round timed, interrupts off; the median is printed. */
static int bench_map_unmap(struct bench *b, struct aspace *as, uint64_t lo, uint64_t hi,
                           int regions)
{
    struct region r = { .len = MiB(1), .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    int err = 0;
    for (int i = 0; i < MAP_UNMAP_ITERS && !err; i++) {
        bool f = irq_save();
        uint64_t t0 = tsc();
        err = aspace_find_gap(as, lo, hi, r.len, &r.va_start);
        if (!err)
            err = aspace_region_add(as, &r);
        if (!err)
            err = aspace_region_remove(as, r.va_start);
        uint64_t t1 = tsc();
        irq_restore(f);
        b->samples[i] = t1 - t0;
    }
    if (err) {
        fail(b, "map and unmap 1 MiB", err);
        return err;
    }
    char name[48];
    snprintf(name, sizeof(name), "map_unmap_1m_regions_%d", regions);
    figure(b, name, median(b->samples, MAP_UNMAP_ITERS), "cycles/op",
           "median of %d; find_gap + add + remove, lazy ANON", MAP_UNMAP_ITERS);
    return 0;
}

static void bench_regions(struct bench *b)
{
    static const int steps[] = REGION_STEPS;
    const uint64_t fill_base = b->base + TiB(3), target = b->base + TiB(4);
    struct aspace *as;
    int err = shell_aspace_create("bench-regions", &as);
    if (err) {
        fail(b, "create aspace bench-regions", err);
        return;
    }
    if ((err = aspace_thread_move(as))) {
        fail(b, "move into bench-regions", err);
        aspace_destroy(as);
        return;
    }
    struct region t = { .va_start = target, .len = REGION_PAGES * PAGE_SIZE,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    struct region fill = { .len = PAGE_SIZE, .pa_start = 0, .flags = REGION_READ | REGION_KERN };
    uint64_t fillers = 0, add_cycles = 0, added_timed = 0;
    uint64_t heap0 = heap_bytes(), free0 = free_frames();

    for (size_t s = 0; s < ARRAY_SIZE(steps) && !err; s++) {
        /* Regions besides the kernel map: the target and the fillers. */
        uint64_t want = (uint64_t)steps[s] - 1;
        uint64_t t0 = tsc();
        for (; fillers < want && !err; fillers++) {
            fill.va_start = fill_base + fillers * FILLER_SPACING;
            err = aspace_region_add(as, &fill);
        }
        uint64_t t1 = tsc();
        if (err) {
            fail(b, "add filler regions", err);
            break;
        }
        if (s == ARRAY_SIZE(steps) - 1 && s > 0) {
            added_timed = want - (uint64_t)steps[s - 1] + 1;
            add_cycles = t1 - t0;
        }
        if ((err = aspace_region_add(as, &t))) {
            fail(b, "add the target ANON region", err);
            break;
        }
        int n = 0;
        err = touch_pages(b, target, REGION_PAGES, true, &n);
        uint64_t regions = pstats(as).regions - 1;
        int e = aspace_region_remove(as, target);
        if (err || e) {
            fail(b, "fault in or remove the target region", err ? err : e);
            err = err ? err : e;
            break;
        }
        char name[48];
        snprintf(name, sizeof(name), "fault_anon_regions_%d", steps[s]);
        figure(b, name, median(b->samples, n), "cycles/fault", "median of %d; %lu region(s) + the kernel map",
               n, regions);
        if ((err = bench_map_unmap(b, as, fill_base, target, steps[s])))
            break;
    }
    if (!err && added_timed) {
        figure(b, "region_add_lazy", add_cycles / added_timed, "cycles/op",
               "mean of %lu, map growing to %lu regions", added_timed, fillers + 1);
        figure(b, "mem_region_bytes", (heap_bytes() - heap0) / fillers, "bytes/region",
               "count, heap bytes of the region map");
        figure(b, "mem_region_map_100000_frames", free0 - free_frames(), "frames",
               "count, %lu regions, none touched", fillers);
    }
    int e = aspace_thread_move(b->as);
    if (e) {
        fail(b, "move back from bench-regions", e);
        return;         /* cannot destroy it while inside */
    }
    /* Interrupts off so that no timer tick lands in this single timing. */
    bool f = irq_save();
    uint64_t t0 = tsc();
    e = aspace_destroy(as);
    uint64_t t1 = tsc();
    irq_restore(f);
    if (e)
        fail(b, "destroy bench-regions", e);
    else if (!err)
        figure(b, "aspace_destroy_100000_regions", t1 - t0, "cycles", "1 run");
}

/* ---- the command ---- */

static bool want(const char *which, const char *group)
{
    return !strcmp(which, "all") || !strcmp(which, group);
}

static int cmd_bench(int argc, char **argv)
{
    const char *which = argc > 1 ? argv[1] : "all";
    static const char *const groups[] = { "all", "switch", "fault", "eager", "remove", "regions" };
    bool known = false;
    for (size_t i = 0; i < ARRAY_SIZE(groups); i++)
        known |= !strcmp(which, groups[i]);
    if (!known)
        return shell_usage_print(argv[0]);

    struct bench b = { .home = thread_current()->aspace };
    b.base = MAX(TiB(1), ALIGN_UP(kmap_size(), TiB(1)));
    uint64_t free0 = free_frames(), heap0 = heap_bytes();
    size_t open0 = fs_open_count();
    b.samples = kmalloc(SAMPLES_MAX * sizeof(uint64_t));
    if (!b.samples) {
        kprintf("bench: ERROR allocate samples: %s\n", errstr(-ENOMEM));
        return -ENOMEM;
    }
    kprintf("bench-info: TSC %lu Hz as measured at boot (under -icount shift=0: one tick per instruction)\n", tsc_hz);
    struct boot_figures bf;
    root_shell_boot_figures(&bf);
    figure(&b, "boot_to_prompt", bf.to_prompt, "cycles", "1 run, from kmain to the first prompt");
    figure(&b, "boot_root_check", bf.root_check, "cycles",
           "1 run, the root shell's identity map / alias comparison");

    int err = shell_aspace_create("bench", &b.as);
    if (err) {
        kfree(b.samples);
        kprintf("bench: ERROR create aspace bench: %s\n", errstr(err));
        return err;
    }
    if ((err = shell_aspace_create("bench-b", &b.as_b))) {
        aspace_destroy(b.as);
        kfree(b.samples);
        kprintf("bench: ERROR create aspace bench-b: %s\n", errstr(err));
        return err;
    }
    if ((err = aspace_thread_move(b.as))) {
        fail(&b, "move into bench", err);
    } else {
        bench_overhead(&b);
        if (want(which, "switch")) {
            bench_thread_switch(&b, "thread_switch", NULL);
            bench_thread_switch(&b, "thread_switch_aspace", b.as_b);
            bench_aspace_switch(&b);
        }
        if (want(which, "fault"))
            bench_faults(&b);
        if (want(which, "eager"))
            bench_eager(&b);
        if (want(which, "remove"))
            bench_remove_anon(&b);
        if (want(which, "regions"))
            bench_regions(&b);
        if ((err = aspace_thread_move(b.home)))
            fail(&b, "move back to the caller's address space", err);
    }
    /* Unless this thread is stuck inside "bench" (then both must stay),
     * destroy what was created. */
    if (thread_current()->aspace == b.home) {
        if ((err = aspace_destroy(b.as_b)))
            fail(&b, "destroy bench-b", err);
        if ((err = aspace_destroy(b.as)))
            fail(&b, "destroy bench", err);
    }
    kfree(b.samples);

    uint64_t free1 = free_frames(), heap1 = heap_bytes();
    size_t open1 = fs_open_count();
    bool same = free1 == free0 && heap1 == heap0 && open1 == open0;
    kprintf("bench-check: free frames %lu -> %lu, heap bytes %lu -> %lu, open files %zu -> %zu: %s\n",
            free0, free1, heap0, heap1, open0, open1, same ? "unchanged" : "CHANGED");
    kprintf("bench: done, %d figures, %d errors\n", b.figures, b.errors);
    return b.errors ? -EIO : 0;
}
SHELL_COMMAND(bench, "bench", "bench [all|switch|fault|eager|remove|regions]",
              "kernel micro-benchmarks: switches, faults, region add/remove (cycles)", cmd_bench);
