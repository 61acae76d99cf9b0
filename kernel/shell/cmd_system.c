/* Shell commands about the machine: poweroff, reboot, mem, crash. */
#include <shell.h>
#include <log.h>
#include <frame.h>
#include <heap.h>
#include <tmpfs.h>
#include <panic.h>
#include <thread.h>
#include <string.h>
#include <uapi/errno.h>
#include <arch/cpu.h>

static int cmd_poweroff(int argc, char **argv)
{
    kprintf("Powering off.\n");
    cli();
    qemu_exit(DEBUG_EXIT_SUCCESS);      /* QEMU with isa-debug-exit: exits 33 */
    outw(0x604, 0x2000);                /* QEMU q35/piix ACPI PM1a: S5 */
    outw(0xB004, 0x2000);               /* older QEMU / Bochs */
    kprintf("poweroff: no QEMU exit device or ACPI; halting.\n");
    for (;;)
        hlt();
    return 0;
}
SHELL_COMMAND(poweroff, "poweroff", "poweroff", "power the machine off (exits QEMU)", cmd_poweroff);

static int cmd_reboot(int argc, char **argv)
{
    kprintf("Rebooting.\n");
    cli();
    /* Pulse the CPU reset line through the keyboard controller. */
    for (int i = 0; i < 100000 && (inb(0x64) & 0x02); i++)
        cpu_relax();
    outb(0x64, 0xFE);
    /* Fallback: a triple fault (an empty IDT and an exception). */
    struct { uint16_t limit; uint64_t base; } __packed null_idt = { 0, 0 };
    __asm__ volatile("lidt %0; int3" :: "m"(null_idt));
    for (;;)
        hlt();
    return 0;
}
SHELL_COMMAND(reboot, "reboot", "reboot", "reset the machine", cmd_reboot);

static int cmd_mem(int argc, char **argv)
{
    struct frame_stats fs;
    struct heap_stats hs;
    frame_stats(&fs);
    heap_stats(&hs);
    kprintf("frames: total %lu  free %lu  used %lu  reserved %lu  (4 KiB each; %lu MiB total, %lu MiB free)\n",
            fs.total, fs.free, fs.used, fs.reserved, fs.total >> 8, fs.free >> 8);
    kprintf("heap: in use %lu bytes in %lu objects; %lu slab pages, %lu large pages; "
            "%lu allocs, %lu frees, %lu failures\n",
            hs.bytes_in_use, hs.objects_in_use, hs.slab_pages, hs.large_pages,
            hs.allocs, hs.frees, hs.failures);
    uint64_t tmp_used, tmp_max;
    tmpfs_usage(&tmp_used, &tmp_max);
    kprintf("tmpfs: %lu pages in files (at most %lu)\n", tmp_used, tmp_max);
    return 0;
}
SHELL_COMMAND(mem, "mem", "mem", "show physical frames and kernel heap figures", cmd_mem);

/* Deliberate faults, to see (and test) the exception report. Each is
 * written in assembly, where the compiler cannot prove the fault away: gcc
 * may turn a C division by a volatile zero into cmov (no #DE) and a NULL
 * dereference into ud2. The faulting instruction stays inside cmd_crash
 * (the report's "ip" line names it). */

/* Load 8 bytes from addr with one instruction; never returns when addr
 * faults. */
#define CRASH_LOAD(addr) ({                                                  \
    uint64_t v_;                                                              \
    __asm__ volatile("movq (%1), %0" : "=r"(v_) : "r"((uint64_t)(addr)) : "memory"); \
    v_; })

/* Deliberate faults, to see (and test) the exception report. */
/* Recurse until the stack runs out (no tail call: the frame is still
 * used after the call; the limit is far beyond any stack). */
static volatile int stack_eater_limit = 1 << 30;

static __attribute__((noinline)) int stack_eater(int depth)
{
    volatile char frame[256];
    frame[0] = (char)depth;
    if (depth >= stack_eater_limit)
        return 0;
    return stack_eater(depth + 1) + frame[0];
}

static void *stack_overflow_main(void *arg)
{
    kprintf("crash: thread 'stack-overflow' recurses until its stack runs out\n");
    return (void *)(long)stack_eater(0);
}

static int cmd_crash(int argc, char **argv)
{
    const char *what = argc > 1 ? argv[1] : "";
    if (strcmp(what, "ud") == 0) {
        __asm__ volatile("ud2");
    } else if (strcmp(what, "null") == 0) {
        CRASH_LOAD(8);                                  /* p->b of a NULL p; page 0 is never mapped */
    } else if (strcmp(what, "pf") == 0) {
        CRASH_LOAD(0x0000700000000000ull);              /* canonical, never mapped */
    } else if (strcmp(what, "gp") == 0) {
        CRASH_LOAD(0x8000000000000000ull);              /* non-canonical */
    } else if (strcmp(what, "de") == 0) {
        uint32_t zero = 0;
        __asm__ volatile("xorl %%edx, %%edx\n\t"
                         "movl $1, %%eax\n\t"
                         "divl %0" : "+r"(zero) :: "rax", "rdx");
    } else if (strcmp(what, "panic") == 0) {
        panic("%s: requested from the shell", __func__);
    } else if (strcmp(what, "stack") == 0) {
        /* In a thread of its own: the shell's boot stack has no guard. */
        struct thread *t;
        int err = thread_create("stack-overflow", thread_current()->aspace, stack_overflow_main, NULL, THREAD_JOINABLE, &t);
        if (err)
            return err;
        thread_join(t, NULL);
    } else {
        return shell_usage_print(argv[0]);
    }
    kprintf("crash %s: the fault did not happen\n", what);
    return -EFAULT;
}
SHELL_COMMAND(crash, "crash", "crash ud|pf|null|gp|de|panic|stack", "fault on purpose to show the exception report", cmd_crash);
