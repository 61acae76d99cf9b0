/*
 * Page faults and general protection faults, routed through the current
 * address space's exception slot (see include/aspace.h).
 *
 * Order of resolution:
 *   0. a kernel access to a user page that SMEP or SMAP refused is named
 *      as such and never offered to the address space (no mapping change
 *      can make it legal);
 *   1. the address space fills the mapping (lazy, ANON, FILE regions);
 *   2. a fault in user mode becomes a signal to the process;
 *   3. a kernel access that expects to fault (copy to/from user, probes)
 *      resumes at its exception-table fixup;
 *   4. anything else is a kernel bug: a clear report, then a panic.
 */
#include <aspace.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <arch/protect.h>
#include <mm.h>
#include <ksyms.h>
#include <log.h>
#include <panic.h>
#include <thread.h>
#include <percpu.h>
#include <uapi/signal.h>

static const char *fault_response_name(enum fault_response r)
{
    switch (r) {
    case FAULT_RESOLVED:      return "resolved";
    case FAULT_SIGNAL:        return "access not allowed";
    case FAULT_OUT_OF_MEMORY: return "out of memory";
    case FAULT_KERNEL_BUG:    return "address-space bug";
    }
    return "?";
}

static void fault_decode(struct trap_frame *tf, struct aspace_fault *f)
{
    f->tf = tf;
    f->error_code = tf->error;
    f->reason = NULL;
    f->has_region = false;
    if (tf->vector == VEC_PF) {
        f->kind = FAULT_PAGE;
        f->address = read_cr2();
        f->access = (tf->error & PF_WRITE) ? FAULT_WRITE :
                    (tf->error & PF_INSTR) ? FAULT_EXEC : FAULT_READ;
        if (tf->error & PF_PRESENT)
            f->access |= FAULT_PROTECTION;
    } else {
        f->kind = FAULT_GENERAL_PROTECTION;
        f->address = 0;
        f->access = 0;
    }
    if (trap_from_user(tf))
        f->access |= FAULT_USER;
}

/* Step 0: a supervisor-mode protection fault on a user page (a region
 * without REGION_KERN) is SMEP refusing an instruction fetch or SMAP
 * refusing a data access. The error code's U bit, not the CPL, says whose
 * access it was: at CPL 3 a supervisor access is an implicit one (the CPU
 * reading a descriptor table or the TSS for the program; QEMU 7.2 also
 * pops a far return's stack this way), and SMAP refuses those whatever
 * RFLAGS.AC holds (SDM 4.6.1). At CPL 0, SMAP refuses only with AC clear,
 * i.e. outside the user-copy routines. Sets f->reason and f->region and
 * returns true if so. */
static bool fault_is_smep_smap(struct aspace *as, struct aspace_fault *f)
{
    if (f->kind != FAULT_PAGE || (f->error_code & PF_USER) || !(f->access & FAULT_PROTECTION))
        return false;
    bool fetch = f->access & FAULT_EXEC;
    bool implicit = f->access & FAULT_USER;
    if (fetch ? !cpu_smep_enabled() :
                (!cpu_smap_enabled() || (!implicit && (f->tf->rflags & RFLAGS_AC))))
        return false;
    if (!as || aspace_region_query(as, f->address, REGION_QUERY_AT, &f->region) < 0 || (f->region.flags & REGION_KERN))
        return false;
    f->has_region = true;
    f->reason = fetch    ? "kernel instruction fetch from a user page (SMEP)" :
                implicit ? "implicit supervisor access to a user page (SMAP)" :
                           "kernel access to a user page outside the user-copy routines (SMAP)";
    return true;
}

void aspace_fault_report(const struct aspace_fault *f, enum fault_response r)
{
    const struct trap_frame *tf = f->tf;
    uint64_t off;
    const char *sym = ksyms_lookup(tf->rip, &off);
    struct thread *t = this_cpu()->current;

    if (f->kind == FAULT_PAGE) {
        kprintf("%s page fault at va %#lx: %s %s, %s (error %#lx)\n",
                f->access & FAULT_USER ? "user" : "kernel", f->address,
                f->access & FAULT_USER ? "user" : "supervisor",
                f->access & FAULT_WRITE ? "write" : f->access & FAULT_EXEC ? "instruction fetch" : "read",
                f->access & FAULT_PROTECTION ? "page present (protection violation)" : "page not present",
                f->error_code);
        if (!(f->access & FAULT_USER) && f->address < PAGE_SIZE)
            kprintf("  NULL pointer dereference (page 0 is never mapped)\n");
    } else {
        kprintf("%s general protection fault (error %#lx)\n",
                f->access & FAULT_USER ? "user" : "kernel", f->error_code);
    }
    kprintf("  verdict: %s%s%s\n", fault_response_name(r),
            f->reason ? ": " : "", f->reason ? f->reason : "");
    if (f->has_region) {
        char fl[16];
        kprintf("  region [%#lx-%#lx) %s\n", f->region.va_start, region_end(&f->region),
                region_flags_str(f->region.flags, fl));
    } else if (f->kind == FAULT_PAGE) {
        kprintf("  region: none covers this address\n");
    }
    if (sym)
        kprintf("  ip %#lx <%s+%#lx>", tf->rip, sym, off);
    else
        kprintf("  ip %#lx", tf->rip);
    kprintf(" in thread %d '%s', address space '%s'\n", t ? t->tid : 0,
            t ? t->name : "?", aspace_current() ? aspace_current()->name : "?");
}

static void aspace_trap(struct trap_frame *tf)
{
    struct aspace_fault f;
    struct aspace *as = aspace_current();
    enum fault_response r = FAULT_SIGNAL;

    fault_decode(tf, &f);
    if (fault_is_smep_smap(as, &f))
        r = FAULT_SIGNAL;
    else if (as && as->impl->ops->exception)
        r = as->impl->ops->exception(as, &f);
    if (r == FAULT_RESOLVED)
        return;
    if (trap_from_user(tf)) {
        const char *why = f.reason ? f.reason : fault_response_name(r);
        trap_user_fault(tf, SIGSEGV, f.address, why);
        return;
    }
    if (trap_fixup(tf))
        return;
    aspace_fault_report(&f, r);
    trap_dump(tf);
    panic("%s: unresolved %s in kernel mode", __func__,
          f.kind == FAULT_PAGE ? "page fault" : "general protection fault");
}

void aspace_fault_init(void)
{
    trap_register(VEC_PF, aspace_trap);
    trap_register(VEC_GP, aspace_trap);
}
