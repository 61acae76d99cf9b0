/*
 * The IST vectors: NMI, double fault, machine check.
 *
 * They arrive on their own stacks (TSS IST slots) at any instruction, even
 * with interrupts off and inside the swapgs windows of the entry code, so
 * isr.asm's paranoid_common decides GS from MSR_GS_BASE rather than from
 * the interrupted CS, and tells us what it found.
 *
 * An NMI interrupts code that may hold any lock, the console's included:
 * the handler only counts (the counters are written here and nowhere
 * else), and trap_nmi_report() prints on the way out of a later ordinary
 * interrupt that arrived with interrupts enabled, where no spinlock can
 * be held. Nothing here may fault: the iretq of a nested exception would
 * unmask NMIs while this one still uses the NMI stack.
 *
 * A double fault or a machine check is fatal: report (through the handler
 * registered for it, if any), then panic.
 */
#include <arch/trap.h>
#include <arch/cpu.h>
#include <percpu.h>
#include <console.h>
#include <log.h>
#include <ksyms.h>
#include <panic.h>
#include <uapi/layout.h>

static struct trap_nmi_stats nmi_seen;         /* written by the NMI handler only */
static uint64_t nmi_reported;                   /* nmi_seen.total at the last report */

static void trap_nmi(const struct trap_frame *tf, bool user_gs)
{
    nmi_seen.total++;
    if (trap_from_user(tf))
        nmi_seen.from_user++;
    else if (user_gs) {
        nmi_seen.kernel_user_gs++;
        nmi_seen.window_rip = tf->rip;
    }
}

void trap_nmi_stats(struct trap_nmi_stats *out)
{
    *out = nmi_seen;            /* an NMI landing mid-copy only skews a count by one */
}

void trap_nmi_report(void)
{
    struct trap_nmi_stats s = nmi_seen;
    if (s.total == nmi_reported)
        return;
    uint64_t off = 0;
    const char *sym = s.kernel_user_gs ? ksyms_lookup(s.window_rip, &off) : NULL;
    kprintf("NMI: %lu received, no known source: ignored (so far %lu: %lu in user mode, "
            "%lu in the kernel with the user's GS", s.total - nmi_reported, s.total,
            s.from_user, s.kernel_user_gs);
    if (sym)
        kprintf(", the last at %s+%#lx", sym, off);
    kprintf(")\n");
    nmi_reported = s.total;
}

/* Double fault, machine check: the machine state cannot be trusted. A
 * handler registered for the vector is asked first (the double fault's
 * recognises a kernel stack overflow, aspace/fault.c, and panics naming
 * the thread); if it returns, the report below and the panic follow. */
static __noreturn void trap_fatal(struct trap_frame *tf, bool user_gs)
{
    console_panic_mode();       /* the console lock may be held by what we interrupted */
    trap_handler_fn fn = trap_handler((unsigned)tf->vector);
    if (fn)
        fn(tf);
    trap_dump(tf);
    kprintf("GS: %s (per-CPU area %#lx)\n",
            user_gs ? "the user's at entry, swapped to the kernel's" : "the kernel's",
            rdmsr(MSR_GS_BASE));
    panic("%s: %s", __func__, trap_name((unsigned)tf->vector));
}

void trap_paranoid_dispatch(struct trap_frame *tf, bool user_gs)
{
    /* The entry's rule, checked: a kernel address, and the area it names
     * knows itself. */
    uint64_t base = rdmsr(MSR_GS_BASE);
    if (base == 0 || base >= USER_START || this_cpu() != (struct cpu *)base)
        panic("%s: GS base %#lx is no per-CPU area after entry", __func__, base);
    if (tf->vector == VEC_NMI)
        trap_nmi(tf, user_gs);
    else
        trap_fatal(tf, user_gs);
}
