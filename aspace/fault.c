/*
 * Page faults and general protection faults, routed through the current
 * address space's exception slot (see include/aspace.h), and double faults
 * (a kernel stack overflow, see include/kstack.h).
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
#include <fmt.h>
#include <panic.h>
#include <thread.h>
#include <percpu.h>
#include <kstack.h>
#include <ktrace.h>
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

/* Inlined in both copies of the handler (aspace_trap), as it was in the
 * one there was before tracing: a call here costs the untraced fault. */
static inline __attribute__((always_inline)) void fault_decode(struct trap_frame *tf,
                                                               struct aspace_fault *f)
{
    f->tf = tf;
    f->error_code = tf->error;
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
 * i.e. outside the user-copy routines. Fills *d (reason, region) and
 * returns true if so. */
static inline __attribute__((always_inline)) bool fault_is_smep_smap(struct aspace *as,
                                                                     const struct aspace_fault *f,
                                                                     struct fault_detail *d)
{
    if (f->kind != FAULT_PAGE || (f->error_code & PF_USER) || !(f->access & FAULT_PROTECTION))
        return false;
    bool fetch = f->access & FAULT_EXEC;
    bool implicit = f->access & FAULT_USER;
    if (fetch ? !cpu_smep_enabled() :
                (!cpu_smap_enabled() || (!implicit && (f->tf->rflags & RFLAGS_AC))))
        return false;
    if (!as || aspace_region_query(as, f->address, REGION_QUERY_AT, &d->region) < 0 ||
        (d->region.flags & REGION_KERN))
        return false;
    d->has_region = true;
    d->reason = fetch    ? "kernel instruction fetch from a user page (SMEP)" :
                implicit ? "implicit supervisor access to a user page (SMAP)" :
                           "kernel access to a user page outside the user-copy routines (SMAP)";
    return true;
}

void aspace_fault_report(const struct aspace_fault *f, enum fault_response r,
                         const struct fault_detail *d)
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
            d->reason ? ": " : "", d->reason ? d->reason : "");
    if (d->has_region) {
        char fl[16];
        kprintf("  region [%#lx-%#lx) %s\n", d->region.va_start, region_end(&d->region),
                region_flags_str(d->region.flags, fl));
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

/* `trace faults`: one line for fault f, whose handling (up to the
 * verdict, not what follows: a signal, a fixup) took `cycles`. */
static __attribute__((noinline)) void aspace_fault_trace(const struct aspace_fault *f,
                                                         enum fault_response r,
                                                         const struct fault_detail *d,
                                                         uint64_t cycles)
{
    struct thread *t = this_cpu()->current;
    char region[64] = "none", fl[16];
    if (d->has_region)
        snprintf(region, sizeof(region), "[0x%lx-0x%lx) %s", d->region.va_start,
                 region_end(&d->region), region_flags_str(d->region.flags, fl));
    if (f->kind != FAULT_PAGE) {
        ktrace_printf(KTRACE_FAULTS, "fault #GP %s error=0x%lx verdict=%s%s%s cycles=%lu thread=%d '%s'",
                      f->access & FAULT_USER ? "user" : "kernel", f->error_code,
                      fault_response_name(r), d->reason ? ": " : "", d->reason ? d->reason : "",
                      cycles, t ? t->tid : 0, t ? t->name : "?");
        return;
    }
    ktrace_printf(KTRACE_FAULTS, "fault va=0x%lx %s,%s%s verdict=%s%s%s region=%s pager=%s "
                  "cycles=%lu thread=%d '%s'", f->address,
                  f->access & FAULT_WRITE ? "w" : f->access & FAULT_EXEC ? "x" : "r",
                  f->access & FAULT_USER ? "user" : "kernel",
                  f->access & FAULT_PROTECTION ? ",present" : "",
                  fault_response_name(r), d->reason ? ": " : "", d->reason ? d->reason : "",
                  region, d->pager ? d->pager : "none", cycles, t ? t->tid : 0, t ? t->name : "?");
}

/* The fault handler; mode is a constant in each of its two copies
 * (aspace_trap): traced, the cost is measured around the verdict and the
 * line printed after it, before a signal or a fixup. */
static inline __attribute__((always_inline)) void aspace_trap_handle(struct trap_frame *tf,
                                                                     enum fault_detail_mode mode)
{
    struct aspace_fault f;
    struct fault_detail d;              /* region only read if has_region */
    uint64_t t0 = mode == FAULT_DETAIL_ALWAYS ? rdtsc() : 0;
    d.reason = NULL;
    d.pager = NULL;
    d.has_region = false;
    struct aspace *as = aspace_current();
    enum fault_response r = FAULT_SIGNAL;

    fault_decode(tf, &f);
    f.detail = mode;
    if (fault_is_smep_smap(as, &f, &d))
        r = FAULT_SIGNAL;
    else if (as && as->impl->ops->exception)
        r = as->impl->ops->exception(as, &f, &d);
    if (mode == FAULT_DETAIL_ALWAYS)
        aspace_fault_trace(&f, r, &d, rdtsc() - t0);
    if (r == FAULT_RESOLVED)
        return;
    if (!d.reason && f.kind == FAULT_PAGE && kstack_guard_owner(f.address, NULL, NULL))
        d.reason = "kernel stack guard page";   /* e.g. in an address space without a map */
    if (trap_from_user(tf)) {
        const char *why = d.reason ? d.reason : fault_response_name(r);
        /* No frame for a page the program may use: no handler of its
         * can make one, so it is not offered one (JOS's upcall would only
         * see a fault it did not cause). */
        if (r == FAULT_OUT_OF_MEMORY) {
            char oom[96];
            snprintf(oom, sizeof(oom), "out of memory (%s)", why);
            trap_user_kill(tf, SIGSEGV, f.address, oom);
        }
        trap_user_fault(tf, SIGSEGV, f.address, why);
        return;
    }
    if (trap_fixup(tf))
        return;
    aspace_fault_report(&f, r, &d);
    trap_dump(tf);
    panic("%s: unresolved %s in kernel mode", "aspace_trap",
          f.kind == FAULT_PAGE ? "page fault" : "general protection fault");
}

static __attribute__((noinline)) void aspace_trap_traced(struct trap_frame *tf)
{
    aspace_trap_handle(tf, FAULT_DETAIL_ALWAYS);
}

/* #PF and #GP. `trace faults` off costs one test of the mask here. */
static void aspace_trap(struct trap_frame *tf)
{
    if (ktrace_on(KTRACE_FAULTS))
        aspace_trap_traced(tf);
    else
        aspace_trap_handle(tf, FAULT_DETAIL_FAILURES);
}

/* A double fault: the CPU could not deliver an exception. The usual cause
 * in a kernel thread is running off the bottom of its stack: the write to
 * the guard page faulted, and pushing that page fault's frame on the same
 * stack faulted again. CR2 then holds a guard-page address. This handler
 * runs on its own IST stack (the TSS's), so it can still say so. */
static void aspace_double_fault(struct trap_frame *tf)
{
    uint64_t cr2 = read_cr2(), lo, hi;
    const char *owner = kstack_guard_owner(cr2, &lo, &hi);
    struct thread *t = this_cpu()->current;
    if (owner && !trap_from_user(tf)) {
        kprintf("kernel stack overflow: thread %d '%s' ran off the bottom of its stack "
                "[%#lx-%#lx) into the guard page at %#lx (stack of '%s'; rsp %#lx)\n",
                t ? t->tid : 0, t ? t->name : "?", lo, hi, cr2, owner, tf->rsp);
        trap_dump(tf);
        panic("%s: kernel stack overflow in thread %d '%s'", __func__,
              t ? t->tid : 0, t ? t->name : "?");
    }
    /* Anything else: the entry's own report (registers, GS) and panic. */
}

void aspace_fault_init(void)
{
    trap_register(VEC_PF, aspace_trap);
    trap_register(VEC_GP, aspace_trap);
    trap_register(VEC_DF, aspace_double_fault);
}
