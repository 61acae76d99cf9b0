/* panic(), backtraces and the QEMU exit port. */
#include <panic.h>
#include <log.h>
#include <console.h>
#include <ksyms.h>
#include <bootinfo.h>
#include <arch/cpu.h>
#include <stdarg.h>

extern const char _kernel_start[];
static volatile int panicking;

void qemu_exit(uint32_t value)
{
    outl(DEBUG_EXIT_PORT, value);
}

/* A frame pointer we can safely read: aligned, in the identity-mapped low
 * memory the kernel uses for its stacks. */
static bool frame_pointer_plausible(uint64_t rbp)
{
    return rbp >= 0x1000 && rbp < GiB(4) && IS_ALIGNED(rbp, 8);
}

void backtrace_print(uint64_t rip, uint64_t rbp)
{
    uint64_t off;
    const char *sym;

    kprintf("backtrace:\n");
    sym = ksyms_lookup(rip, &off);
    kprintf("  [0] %#018lx %s+%#lx\n", rip, sym ? sym : "?", sym ? off : 0);
    for (int depth = 1; depth < 32 && frame_pointer_plausible(rbp); depth++) {
        uint64_t *frame = (uint64_t *)rbp;
        uint64_t ret = frame[1];
        if (ret == 0)
            break;
        /* Look up ret-1: a call at the very end of a function returns to
         * the next function's first byte. */
        sym = ksyms_lookup(ret - 1, &off);
        kprintf("  [%d] %#018lx %s+%#lx\n", depth, ret, sym ? sym : "?", sym ? off + 1 : 0);
        if (frame[0] <= rbp)        /* stacks grow down: callers are higher */
            break;
        rbp = frame[0];
    }
}

void panic_halt(void)
{
    cli();
    if (boot_cmdline_has("panic=exit"))
        qemu_exit(DEBUG_EXIT_FAILURE);
    for (;;)
        hlt();
}

void panic(const char *fmt, ...)
{
    va_list ap;

    cli();
    console_panic_mode();
    if (panicking++) {
        kprintf("\nPANIC while panicking\n");
        panic_halt();
    }
    kprintf("\nPANIC: ");
    va_start(ap, fmt);
    kvprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
    backtrace_print((uint64_t)panic, (uint64_t)__builtin_frame_address(0));
    kprintf("System halted.\n");
    panic_halt();
}
