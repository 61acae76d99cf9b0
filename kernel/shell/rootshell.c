/*
 * The root shell: the first shell, run by the boot thread. Like Nautilus,
 * it builds an address space of its own before taking input: a "paging"
 * address space with the kernel's identity map (eager, pinned,
 * kernel-only, W^X: include/kmap.h) and a lazy alias of the same memory in
 * the high half, checks that both views agree, and moves itself in. The
 * alias is read-only and no-execute: a writable view of the kernel text
 * would undo W^X.
 *
 * The check reads 4 MiB from 1 MiB (the kernel image and what follows)
 * through both views: every 4 KiB page of it, but in each page only one
 * 64-byte line (a different one from page to page, so that over the
 * range every offset within a page is read), plus the whole first page.
 * Each page's translation through the alias is checked, whatever page
 * sizes fill it, for 1/64 of the instructions of a full comparison.
 */
#include <shell.h>
#include <log.h>
#include <fs.h>
#include <panic.h>
#include <aspace.h>
#include <kmap.h>
#include <frame.h>
#include <string.h>
#include <errstr.h>
#include <arch/cpu.h>

#define ALIAS_BASE      ((uint64_t)USER_HALF_START)
#define COMPARE_BYTES   MiB(4)
#define COMPARE_LINE    64          /* bytes compared in each page */

static struct boot_figures figures;

int shell_aspace_create(const char *name, struct aspace **out)
{
    struct aspace *as;
    int err = aspace_create("paging", name, &as);
    if (err)
        return err;
    if ((err = kmap_add(as)) < 0) {
        aspace_destroy(as);
        return err;
    }
    *out = as;
    return 0;
}

static void motd_print(void)
{
    struct file *f;
    char buf[256];
    long n;
    if (fs_open("/etc/motd", &f) < 0)
        return;
    while ((n = fs_read(f, buf, sizeof(buf) - 1)) > 0) {
        buf[n] = '\0';
        kprintf("%s", buf);
    }
    fs_close(f);
}

/* Build the root shell's address space and move into it. On failure the
 * shell stays in the boot address space and says so. */
static void root_aspace_enter(void)
{
    struct aspace *as;
    int err = shell_aspace_create("root", &as);
    if (err) {
        pr_err("root shell: no address space of its own (%s); staying in 'boot'\n", errstr(err));
        return;
    }
    struct region alias = {
        .va_start = ALIAS_BASE, .pa_start = 0, .len = kmap_size(),
        .flags = REGION_READ | REGION_KERN,
    };
    if ((err = aspace_region_add(as, &alias)) < 0 || (err = aspace_thread_move(as)) < 0) {
        pr_err("root shell: cannot set up address space 'root' (%s); staying in 'boot'\n", errstr(err));
        aspace_destroy(as);
        return;
    }
    /* Compare the kernel image and what follows through both views; the
     * alias is filled on demand by these very reads. */
    uint64_t t0 = rdtsc();
    const uint8_t *low = (const uint8_t *)MiB(1);
    const uint8_t *high = (const uint8_t *)(ALIAS_BASE + MiB(1));
    bool same = memcmp(low, high, PAGE_SIZE) == 0;
    for (uint64_t off = 0; off < COMPARE_BYTES && same; off += PAGE_SIZE) {
        uint64_t line = (off / PAGE_SIZE % (PAGE_SIZE / COMPARE_LINE)) * COMPARE_LINE;
        same = memcmp(low + off + line, high + off + line, COMPARE_LINE) == 0;
    }
    figures.root_check = rdtsc() - t0;
    kprintf("root shell: address space 'root' (paging): identity map and lazy alias at %#lx %s "
            "over %lu MiB (every page sampled)\n",
            ALIAS_BASE, same ? "agree" : "DISAGREE", COMPARE_BYTES >> 20);
}

void root_shell_boot_figures(struct boot_figures *out)
{
    *out = figures;
}

void root_shell_main(uint64_t entry_tsc)
{
    root_aspace_enter();
    motd_print();
    figures.to_prompt = rdtsc() - entry_tsc;
    shell_loop("root-shell> ", 0);
    panic("%s: the root shell returned", __func__);
}
