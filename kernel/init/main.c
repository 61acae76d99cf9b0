/*
 * kmain: the C entry point, reached from boot.asm in long mode on the boot
 * stack with the boot page tables. Brings the machine up in dependency
 * order and becomes the root shell.
 */
#include <bootinfo.h>
#include <console.h>
#include <log.h>
#include <panic.h>
#include <frame.h>
#include <heap.h>
#include <fs.h>
#include <tmpfs.h>
#include <errstr.h>
#include <shell.h>
#include <aspace.h>
#include <thread.h>
#include <sched.h>
#include <percpu.h>
#include <proc.h>
#include <syscall.h>
#include <string.h>
#include <arch/gdt.h>
#include <arch/trap.h>
#include <arch/irq.h>
#include <arch/lapic.h>
#include <arch/cpu.h>
#include <arch/protect.h>
#include <arch/acpi.h>

extern char _kernel_start[], _kernel_end[];

#define MAX_RANGES (BOOT_MAX_MMAP + BOOT_MAX_MODULES + 2)

static void memory_init(void)
{
    struct phys_range avail[BOOT_MAX_MMAP], resv[BOOT_MAX_MODULES + 2];
    int navail = 0, nresv = 0;

    for (int i = 0; i < boot_info.mmap_count; i++) {
        const struct boot_mmap_entry *e = &boot_info.mmap[i];
        if (e->type == BOOT_MEM_AVAILABLE)
            avail[navail++] = (struct phys_range){ ALIGN_UP(e->base, PAGE_SIZE),
                                                   ALIGN_DOWN(e->base + e->len, PAGE_SIZE) };
    }
    resv[nresv++] = (struct phys_range){ (uint64_t)_kernel_start, (uint64_t)_kernel_end };
    resv[nresv++] = (struct phys_range){ ALIGN_DOWN(boot_info.mbi_start, PAGE_SIZE),
                                         ALIGN_UP(boot_info.mbi_end, PAGE_SIZE) };
    for (int i = 0; i < boot_info.module_count; i++)
        resv[nresv++] = (struct phys_range){ ALIGN_DOWN(boot_info.modules[i].start, PAGE_SIZE),
                                             ALIGN_UP(boot_info.modules[i].end, PAGE_SIZE) };
    if (navail == 0 || frame_init(avail, navail, resv, nresv) < 0)
        panic("%s: no usable memory in the boot loader's memory map", __func__);
}

static void banner(void)
{
    struct frame_stats fs;
    frame_stats(&fs);
    kprintf("\nStrata: an x86-64 kernel with pluggable address spaces\n");
    kprintf("boot loader: %s\n", boot_info.loader[0] ? boot_info.loader : "(unknown)");
    kprintf("command line: '%s'\n", boot_info.cmdline);
    kprintf("memory: %lu MiB usable (%lu frames, %lu free)\n",
            fs.total * PAGE_SIZE >> 20, fs.total, fs.free);
    for (int i = 0; i < boot_info.mmap_count; i++) {
        const struct boot_mmap_entry *e = &boot_info.mmap[i];
        pr_debug("  [%#014lx-%#014lx) type %u\n", e->base, e->base + e->len, e->type);
    }
    for (int i = 0; i < boot_info.module_count; i++) {
        const struct boot_module *m = &boot_info.modules[i];
        kprintf("module: %s at %#lx, %lu bytes\n", m->name, m->start, m->end - m->start);
    }
    kprintf("kernel: [%p-%p), timer %lu Hz, TSC %lu MHz\n", _kernel_start, _kernel_end,
            (uint64_t)SCHED_HZ, tsc_hz / 1000000);
    int cpus = acpi_cpu_count();
    if (cpus > 1)
        kprintf("cpus: %d found (ACPI MADT), 1 used: no SMP yet, the others stay halted\n", cpus);
    else
        kprintf("cpus: %s, 1 used\n", cpus == 1 ? "1 found (ACPI MADT)" : "unknown (no ACPI MADT)");
    kprintf("protection: W^X kernel map, page 0 unmapped, SMEP %s, SMAP %s\n",
            cpu_smep_enabled() ? "on" : "off (not supported)",
            cpu_smap_enabled() ? "on" : "off (not supported)");
}

static void initrd_init(void)
{
    const struct boot_module *m = boot_module_find("initrd");
    if (!m) {
        /* GRUB adds initrd=no-room when the module did not fit
         * (tools/grub.cfg.in). */
        char why[16];
        struct frame_stats fs;
        frame_stats(&fs);
        if (boot_cmdline_get("initrd", why, sizeof(why)) && strcmp(why, "no-room") == 0)
            pr_err("initrd: not loaded: out of memory (the boot loader found no room for it in "
                   "%lu MiB; give QEMU more, e.g. -m 64); the file system is empty\n",
                   fs.total * PAGE_SIZE >> 20);
        else
            pr_warn("initrd: the boot loader passed no 'initrd' module; the file system is empty\n");
        return;
    }
    int err = fs_mount_initrd((const void *)m->start, (size_t)(m->end - m->start));
    if (err)
        pr_err("initrd: %s (%s); continuing with an empty file system\n",
               fs_mount_error(), errstr(err));
}

static void loglevel_init(void)
{
    char buf[8];
    unsigned long long lvl;
    if (boot_cmdline_get("loglevel", buf, sizeof(buf)) && str_to_u64(buf, &lvl) == 0)
        log_set_level(lvl > LOG_DEBUG ? LOG_DEBUG : (enum log_level)lvl);
}

void kmain(uint32_t magic, uint64_t mbi);
void kmain(uint32_t magic, uint64_t mbi)
{
    uint64_t entry_tsc = rdtsc();       /* for the boot figure of `bench` */
    serial_init();
    vga_init();
    if (multiboot_parse(magic, mbi) < 0)
        panic("%s: bad Multiboot2 information (magic %#x)", __func__, magic);
    loglevel_init();
    percpu_init();
    gdt_init();
    idt_init();
    pic_init();
    memory_init();
    aspace_init();
    cpu_protect_init();
    sched_init();
    syscall_init();
    proc_init();
    lapic_timer_init(SCHED_HZ, sched_tick);
    serial_enable_irq();
    kbd_init();
    sti();

    banner();
    initrd_init();
    tmpfs_init();
    root_shell_main(entry_tsc);
}
