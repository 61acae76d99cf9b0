/*
 * Page faults and general protection faults, routed through the current
 * address space's exception slot (see include/aspace.h), and double faults
 * (a kernel stack overflow, see include/kstack.h).
 *
 * Order of resolution:
 *   1. the address space fills the mapping (lazy, ANON, FILE regions);
 *   2. a fault in user mode becomes a signal to the process;
 *   3. a kernel access that expects to fault (copy to/from user, probes)
 *      resumes at its exception-table fixup;
 *   4. anything else is a kernel bug: a clear report, then a panic.
 */
#include <aspace.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <ksyms.h>
#include <log.h>
#include <panic.h>
#include <thread.h>
#include <percpu.h>
#include <kstack.h>
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

static void aspace_trap(struct trap_frame *tf)
{
    struct aspace_fault f;
    struct fault_detail d;              /* region only read if has_region */
    d.reason = NULL;
    d.has_region = false;
    struct aspace *as = aspace_current();
    enum fault_response r = FAULT_SIGNAL;

    fault_decode(tf, &f);
    if (as && as->impl->ops->exception)
        r = as->impl->ops->exception(as, &f, &d);
    if (r == FAULT_RESOLVED)
        return;
    if (!d.reason && f.kind == FAULT_PAGE && kstack_guard_owner(f.address, NULL, NULL))
        d.reason = "kernel stack guard page";   /* e.g. in an address space without a map */
    if (trap_from_user(tf)) {
        const char *why = d.reason ? d.reason : fault_response_name(r);
        trap_user_fault(tf, SIGSEGV, f.address, why);
        return;
    }
    if (trap_fixup(tf))
        return;
    aspace_fault_report(&f, r, &d);
    trap_dump(tf);
    panic("%s: unresolved %s in kernel mode", __func__,
          f.kind == FAULT_PAGE ? "page fault" : "general protection fault");
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
    trap_dump(tf);
    panic("%s: unhandled double fault in thread %d '%s'", __func__,
          t ? t->tid : 0, t ? t->name : "?");
}

void aspace_fault_init(void)
{
    trap_register(VEC_PF, aspace_trap);
    trap_register(VEC_GP, aspace_trap);
    trap_register(VEC_DF, aspace_double_fault);
}
