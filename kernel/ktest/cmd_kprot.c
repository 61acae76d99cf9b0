/*
 * `kprot`: self-test of the kernel's own protection (include/kmap.h,
 * arch/x86_64/cpu/protect.c): page 0 unmapped, W^X kernel map in both
 * the `paging` and the `base` address spaces, SMEP and SMAP.
 *
 *   kprot                 every check below with fault-recovering probes;
 *                         one PASS/FAIL line each ("SKIP" where the CPU
 *                         lacks SMEP or SMAP), then "kprot: N passed, N failed"
 *   kprot CASE            make one forbidden access for real: the kernel
 *                         must print its fault report and panic
 *       text-write        write to the kernel's own text
 *       rodata-write      write to a const object
 *       heap-exec         call a `ret` written into kmalloc'd memory
 *       data-exec         call a `ret` in a .data array
 *       smap              plain read of a user page (not through uaccess_copy)
 *       smep              call a `ret` in a user page
 *
 * (A kernel NULL dereference is `crash null`, in kernel/shell/cmd_system.c.)
 *
 * Every probe that could succeed on a broken kernel is harmless if it
 * does: writes store the byte already there, and executed code is a lone
 * `ret`.
 *
 * The user-page checks run in an address space of their own, 'kprot': the
 * kernel map plus one user page (no REGION_KERN) at KPROT_USER_VA over a
 * frame the test owns, holding a `ret` and a pattern.
 */
#include <shell.h>
#include <selftest.h>
#include <aspace.h>
#include <kmap.h>
#include <paging.h>
#include <pt.h>
#include <frame.h>
#include <heap.h>
#include <thread.h>
#include <uaccess.h>
#include <log.h>
#include <string.h>
#include <errstr.h>
#include <uapi/errno.h>
#include <uapi/layout.h>
#include <arch/cpu.h>
#include <arch/trap.h>
#include <arch/protect.h>

#define KPROT_USER_VA   ((uint64_t)USER_MMAP_BASE)
#define OP_RET          0xC3
#define PATTERN_OFF     64              /* user page: the pattern's offset */
#define PATTERN         "kprot user page"
#define KPROT_VECTOR    0xF8            /* unused: a software interrupt for the AC check */

extern char __text_start[], __rodata_start[], __ksyms_start[];

static const char kprot_rodata[] = "kprot: a const object";
static uint8_t kprot_data_ret[16] = { OP_RET, OP_RET };   /* .data */

/* A kernel function: executing it through probe_exec must work. */
static __attribute__((noinline)) void kprot_nothing(void)
{
    __asm__ volatile("" ::: "memory");
}

/* ---- the address space with a user page ---- */

struct kprot_user {
    struct aspace *as;
    struct aspace *prev;
    uint64_t frame;
};

/* Create 'kprot' (kernel map + one user page over a fresh frame holding a
 * `ret` and PATTERN) and move the calling thread in. On failure nothing
 * is left behind. */
static int kprot_user_enter(struct kprot_user *u)
{
    u->prev = thread_current()->aspace;
    int err = shell_aspace_create("kprot", &u->as);
    if (err)
        return err;
    u->frame = frame_alloc(FRAME_ZERO);
    if (!u->frame) {
        err = -ENOMEM;
        goto fail_as;
    }
    uint8_t *p = phys_to_virt(u->frame);
    p[0] = OP_RET;
    strlcpy((char *)p + PATTERN_OFF, PATTERN, PAGE_SIZE - PATTERN_OFF);
    struct region r = { .va_start = KPROT_USER_VA, .pa_start = u->frame, .len = PAGE_SIZE,
                        .flags = REGION_READ | REGION_WRITE | REGION_EXEC | REGION_EAGER };
    if ((err = aspace_region_add(u->as, &r)) < 0 || (err = aspace_thread_move(u->as)) < 0)
        goto fail_frame;
    return 0;

fail_frame:
    aspace_destroy(u->as);      /* first: its region maps the frame */
    frame_unref(u->frame);
    return err;
fail_as:
    aspace_destroy(u->as);
    return err;
}

/* Move back out and free everything kprot_user_enter made. */
static void kprot_user_leave(struct kprot_user *u)
{
    aspace_thread_move(u->prev);
    aspace_destroy(u->as);
    frame_unref(u->frame);
}

/* ---- the self-test ---- */

static volatile uint64_t kprot_handler_rflags;

static void kprot_record_rflags(struct trap_frame *tf)
{
    kprot_handler_rflags = read_rflags();
}

/* With RFLAGS.AC set (as inside a user copy, or by a user), take an
 * interrupt: its handler must run with AC clear (isr.asm), and AC must be
 * back afterwards (iretq restores it). */
static void kprot_check_entry_clears_ac(struct selftest *t)
{
    uint64_t after;
    kprot_handler_rflags = RFLAGS_AC;
    trap_register(KPROT_VECTOR, kprot_record_rflags);
    __asm__ volatile("stac; int %1; pushfq; popq %0; clac" : "=r"(after) : "i"(KPROT_VECTOR) : "memory");
    trap_register(KPROT_VECTOR, NULL);
    selftest_check(t, !(kprot_handler_rflags & RFLAGS_AC) && (after & RFLAGS_AC),
                   "an interrupt handler runs with RFLAGS.AC clear, and iretq gives it back");
}

/* What every kernel map must refuse or allow, whatever the implementation. */
static void kprot_check_map(struct selftest *t, const char *where)
{
    uint8_t *text = (uint8_t *)kprot_nothing;
    uint8_t *rodata = (uint8_t *)kprot_rodata;
    uint8_t *ksyms = (uint8_t *)__ksyms_start;
    selftest_check(t, probe_read(NULL) == -EFAULT && probe_read((void *)(PAGE_SIZE - 1)) == -EFAULT,
                   "%s: page 0 is not mapped (reads of 0 and 0xfff fault)", where);
    selftest_check(t, probe_read((void *)PAGE_SIZE) >= 0, "%s: page 1 (low memory) is readable", where);
    selftest_check(t, probe_exec(kprot_nothing) == 0 && probe_read(text) == *text,
                   "%s: kernel text runs and reads", where);
    selftest_check(t, probe_write(text, *text) == -EFAULT, "%s: a write to kernel text faults", where);
    selftest_check(t, probe_write(rodata, *rodata) == -EFAULT && probe_write(ksyms, *ksyms) == -EFAULT,
                   "%s: writes to rodata and to the symbol table fault", where);
    selftest_check(t, probe_write(kprot_data_ret, OP_RET) == 0, "%s: .data is writable", where);
    if (!pt_nx_enabled()) {
        kprintf("  SKIP: %s: no-execute checks: NX is not enabled on this CPU\n", where);
        return;
    }
    selftest_check(t, probe_exec(kprot_data_ret) == -EFAULT, "%s: .data does not execute", where);

    static uint8_t bss_ret[16];
    uint8_t stack_ret[16];
    bss_ret[0] = OP_RET;
    *(volatile uint8_t *)stack_ret = OP_RET;
    selftest_check(t, probe_exec(bss_ret) == -EFAULT && probe_exec(stack_ret) == -EFAULT,
                   "%s: .bss and the kernel stack do not execute", where);

    uint8_t *heap = kmalloc(16);
    uint64_t frame = frame_alloc(FRAME_NONE);
    if (heap && frame) {
        heap[0] = OP_RET;
        *(uint8_t *)phys_to_virt(frame) = OP_RET;
        selftest_check(t, probe_exec(heap) == -EFAULT && probe_exec(phys_to_virt(frame)) == -EFAULT,
                       "%s: the heap and free frames do not execute", where);
    } else {
        selftest_check(t, false, "%s: allocate a heap object and a frame", where);
    }
    kfree(heap);
    if (frame)
        frame_unref(frame);
}

/* The paging implementation's entries for the kernel map, segment by
 * segment: protection as the layout says, supervisor only, page 0 absent. */
static void kprot_check_entries(struct selftest *t, struct aspace *as)
{
    struct kmap_segment seg[KMAP_SEGMENTS];
    kmap_segments(seg);
    selftest_check(t, !paging_translate(as, 0, NULL, NULL, NULL),
                   "paging: no translation for page 0");
    for (int i = 0; i < KMAP_SEGMENTS; i++) {
        uint32_t want = (seg[i].prot & REGION_WRITE ? PT_WRITE : 0) |
                        (seg[i].prot & REGION_EXEC || !pt_nx_enabled() ? PT_EXEC : 0);
        uint32_t first = 0, last = 0;
        bool ok = paging_translate(as, seg[i].start, NULL, &first, NULL) &&
                  paging_translate(as, seg[i].end - 1, NULL, &last, NULL);
        selftest_check(t, ok && first == want && last == want,
                       "paging: %s [%#lx-%#lx) is mapped %s%s, kernel-only (flags %#x, %#x)",
                       seg[i].name, seg[i].start, seg[i].end,
                       seg[i].prot & REGION_WRITE ? "writable" : "read-only",
                       seg[i].prot & REGION_EXEC ? ", executable" : ", no-execute", first, last);
    }
}

static void kprot_check_user_page(struct selftest *t)
{
    void *u = (void *)KPROT_USER_VA;
    char buf[sizeof(PATTERN)] = "";
    const char mark[] = "copied in";
    if (cpu_smap_enabled()) {
        selftest_check(t, read_cr4() & CR4_SMAP, "CR4.SMAP is set");
        selftest_check(t, probe_read(u) == -EFAULT && probe_write(u, OP_RET) == -EFAULT,
                       "SMAP: a plain kernel read or write of a user page faults");
        kprot_check_entry_clears_ac(t);
    } else {
        kprintf("  SKIP: SMAP: the CPU does not have it\n");
    }
    size_t left = uaccess_copy(buf, (uint8_t *)u + PATTERN_OFF, sizeof(buf));
    long len = uaccess_strnlen((const char *)u + PATTERN_OFF, 64);
    size_t left2 = uaccess_copy((uint8_t *)u + 2 * PATTERN_OFF, mark, sizeof(mark));
    bool ac_clear = !(read_rflags() & RFLAGS_AC);
    selftest_check(t, left == 0 && strcmp(buf, PATTERN) == 0 && len == (long)strlen(PATTERN),
                   "the user-copy routines read the user page ('%s', length %ld)", buf, len);
    selftest_check(t, left2 == 0 && ac_clear,
                   "uaccess_copy writes it and leaves RFLAGS.AC clear (%zu left)", left2);
    if (cpu_smep_enabled()) {
        selftest_check(t, read_cr4() & CR4_SMEP, "CR4.SMEP is set");
        selftest_check(t, probe_exec(u) == -EFAULT, "SMEP: a kernel call into a user page faults");
    } else {
        kprintf("  SKIP: SMEP: the CPU does not have it\n");
    }
}

static int kprot_selftest(void)
{
    struct selftest t = { 0, 0 };
    struct frame_stats f0, f1;
    struct heap_stats h0, h1;
    struct kprot_user u;
    frame_stats(&f0);
    heap_stats(&h0);

    kprintf("  (SMEP %s, SMAP %s)\n", cpu_smep_enabled() ? "on" : "off",
            cpu_smap_enabled() ? "on" : "off");
    int err = kprot_user_enter(&u);
    selftest_check_err(&t, err, 0, "enter address space 'kprot' (kernel map and a user page)");
    if (err == 0) {
        kprot_check_entries(&t, u.as);
        kprot_check_map(&t, "paging");
        kprot_check_user_page(&t);
        kprot_user_leave(&u);
    }
    struct aspace *prev = thread_current()->aspace;
    err = aspace_thread_move(NULL);
    selftest_check_err(&t, err, 0, "move into 'boot' (base)");
    if (err == 0) {
        kprot_check_map(&t, "base");
        aspace_thread_move(prev);
    }
    frame_stats(&f1);
    heap_stats(&h1);
    selftest_check(&t, f1.free == f0.free && h1.bytes_in_use == h0.bytes_in_use,
                   "free frames and heap back to their starting figures (%lu -> %lu frames, "
                   "%lu -> %lu bytes)", f0.free, f1.free, h0.bytes_in_use, h1.bytes_in_use);
    return selftest_report(&t, "kprot");
}

/* ---- deliberate faults ---- */

typedef void (*kprot_fn)(void);

/* Make the forbidden access `what`; returns only if it did not fault. */
static int kprot_fault(const char *what)
{
    if (strcmp(what, "text-write") == 0) {
        kprintf("kprot: writing to kernel text at %p\n", (void *)kprot_nothing);
        *(volatile uint8_t *)kprot_nothing = OP_RET;
    } else if (strcmp(what, "rodata-write") == 0) {
        kprintf("kprot: writing to a const object at %p\n", (void *)kprot_rodata);
        *(volatile char *)kprot_rodata = 'K';
    } else if (strcmp(what, "heap-exec") == 0) {
        uint8_t *p = kmalloc(16);
        if (!p)
            return -ENOMEM;
        p[0] = OP_RET;
        kprintf("kprot: calling heap memory at %p\n", p);
        ((kprot_fn)p)();
        kfree(p);
    } else if (strcmp(what, "data-exec") == 0) {
        kprintf("kprot: calling .data at %p\n", kprot_data_ret);
        ((kprot_fn)kprot_data_ret)();
    } else if (strcmp(what, "smap") == 0 || strcmp(what, "smep") == 0) {
        struct kprot_user u;
        int err = kprot_user_enter(&u);
        if (err) {
            kprintf("kprot: cannot set up a user page: %s\n", errstr(err));
            return err;
        }
        if (strcmp(what, "smap") == 0) {
            kprintf("kprot: reading user page %#lx outside the user-copy routines (SMAP %s)\n",
                    KPROT_USER_VA, cpu_smap_enabled() ? "on" : "off");
            (void)*(volatile uint8_t *)KPROT_USER_VA;
        } else {
            kprintf("kprot: calling user page %#lx (SMEP %s)\n", KPROT_USER_VA,
                    cpu_smep_enabled() ? "on" : "off");
            ((kprot_fn)KPROT_USER_VA)();
        }
        kprot_user_leave(&u);
    } else {
        return -EINVAL;
    }
    kprintf("kprot: FAIL: the access did not fault\n");
    return -EIO;
}

static int cmd_kprot(int argc, char **argv)
{
    if (argc == 1)
        return kprot_selftest();
    int err = kprot_fault(argv[1]);
    return err == -EINVAL ? shell_usage_print(argv[0]) : err;
}
SHELL_COMMAND(kprot, "kprot", "kprot [text-write|rodata-write|heap-exec|data-exec|smap|smep]",
              "self-test of W^X, page 0, SMEP and SMAP (CASE: a deliberate kernel fault)", cmd_kprot);

/* kmapcheck: the shared kernel map's self-check (kmap_check): its table
 * pages are still page tables with one reference each, and it translates
 * every segment as laid out. Run after many processes came and went, it
 * catches an address-space destroy that freed a shared table page. */
static int cmd_kmapcheck(int argc, char **argv)
{
    long n = kmap_check();
    if (n < 0) {
        kprintf("kmapcheck: FAILED (%s)\n", errstr((int)n));
        return (int)n;
    }
    const struct pt *k = pt_kmap();
    kprintf("kmapcheck: ok (%ld translations checked; shared kernel map: %lu table page(s), "
            "leaves %lu x 1G, %lu x 2M, %lu x 4K)\n", n, k->table_pages, k->mapped[2],
            k->mapped[1], k->mapped[0]);
    return 0;
}
SHELL_COMMAND(kmapcheck, "kmapcheck", "kmapcheck",
              "check the shared kernel map's page tables and translations", cmd_kmapcheck);
