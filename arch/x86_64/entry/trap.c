/*
 * The IDT and the C side of every interrupt and exception.
 *
 * Handlers registered with trap_register() run first. An exception with no
 * handler (or whose handler returns without resolving it, see aspace/) gets
 * an exception-table fixup if one covers its rip, else a full report and a
 * panic. Device IRQs from the PICs are acknowledged after their handler.
 * A fault of the iretq back to user mode kills the process it was
 * returning to (trap_bad_return). NMI, double fault and machine check take
 * the paranoid path instead (paranoid.c).
 */
#include <arch/trap.h>
#include <arch/irq.h>
#include <arch/gdt.h>
#include <arch/cpu.h>
#include <log.h>
#include <panic.h>
#include <ksyms.h>
#include <uapi/signal.h>
#include <uapi/layout.h>

/* isr.asm and syscall.asm address the frame through trapframe.inc. */
_Static_assert(offsetof(struct trap_frame, r11) == 4 * 8, "TF_R11 in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, rcx) == 12 * 8, "TF_RCX in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, rax) == 14 * 8, "TF_RAX in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, vector) == 15 * 8, "TF_VECTOR in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, error) == 16 * 8, "TF_ERROR in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, rip) == 17 * 8, "TF_RIP in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, cs) == 18 * 8, "TF_CS in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, rflags) == 19 * 8, "TF_RFLAGS in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, rsp) == 20 * 8, "TF_RSP in trapframe.inc");
_Static_assert(offsetof(struct trap_frame, ss) == 21 * 8, "TF_SS in trapframe.inc");
_Static_assert(sizeof(struct trap_frame) == 22 * 8, "TF_SIZE in trapframe.inc");
_Static_assert(SEL_UCODE32 == 0x18 && SEL_UDATA == 0x20 && SEL_UCODE == 0x28 && RPL_USER == 3,
               "selectors in trapframe.inc");
_Static_assert(RFLAGS_TF == 0x100 && RFLAGS_IF == 0x200 && RFLAGS_IOPL == 0x3000 &&
               RFLAGS_RF == 0x10000 && RFLAGS_VM == 0x20000 && RFLAGS_FIXED == 2,
               "RFLAGS bits in trapframe.inc");
_Static_assert(USER_START == 0xffff800000000000ull && USER_END == 0xffffff8000000000ull,
               "the user half in trapframe.inc");

struct idt_gate {
    uint16_t offset_lo;
    uint16_t selector;
    uint8_t ist;
    uint8_t type_attr;
    uint16_t offset_mid;
    uint32_t offset_hi;
    uint32_t reserved;
} __packed;

struct idt_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

#define GATE_INTERRUPT_DPL0 0x8E
#define GATE_INTERRUPT_DPL3 0xEE

extern const uint64_t isr_stub_table[256];
static struct idt_gate idt[256] __aligned(16);
static trap_handler_fn handlers[256];
static trap_user_fault_fn user_fault_hook;
static trap_preempt_fn preempt_hook;
static trap_user_return_fn user_return_hook;

static const char *const exception_names[32] = {
    [VEC_DE] = "divide error",          [VEC_DB] = "debug",
    [VEC_NMI] = "non-maskable interrupt", [VEC_BP] = "breakpoint",
    [VEC_OF] = "overflow",              [VEC_BR] = "bound range exceeded",
    [VEC_UD] = "invalid opcode",        [VEC_NM] = "device not available",
    [VEC_DF] = "double fault",          [9] = "coprocessor segment overrun",
    [VEC_TS] = "invalid TSS",           [VEC_NP] = "segment not present",
    [VEC_SS] = "stack-segment fault",   [VEC_GP] = "general protection fault",
    [VEC_PF] = "page fault",            [VEC_MF] = "x87 floating-point error",
    [VEC_AC] = "alignment check",       [VEC_MC] = "machine check",
    [VEC_XM] = "SIMD floating-point error", [VEC_VE] = "virtualization exception",
    [VEC_CP] = "control protection",
};

static void idt_set(unsigned vec, uint64_t handler, uint8_t attr, enum ist_slot ist)
{
    idt[vec] = (struct idt_gate){
        .offset_lo = handler & 0xFFFF,
        .selector = SEL_KCODE,
        .ist = ist,
        .type_attr = attr,
        .offset_mid = (handler >> 16) & 0xFFFF,
        .offset_hi = handler >> 32,
    };
}

void idt_init(void)
{
    for (unsigned v = 0; v < 256; v++)
        idt_set(v, isr_stub_table[v], GATE_INTERRUPT_DPL0, IST_NONE);
    /* User code may raise these directly. */
    idt_set(VEC_BP, isr_stub_table[VEC_BP], GATE_INTERRUPT_DPL3, IST_NONE);
    idt_set(VEC_SYSCALL, isr_stub_table[VEC_SYSCALL], GATE_INTERRUPT_DPL3, IST_NONE);
    /* These must work even when the current stack is unusable. */
    idt_set(VEC_DF, isr_stub_table[VEC_DF], GATE_INTERRUPT_DPL0, IST_DOUBLE_FAULT);
    idt_set(VEC_NMI, isr_stub_table[VEC_NMI], GATE_INTERRUPT_DPL0, IST_NMI);
    idt_set(VEC_MC, isr_stub_table[VEC_MC], GATE_INTERRUPT_DPL0, IST_MACHINE_CHECK);

    struct idt_ptr p = { sizeof(idt) - 1, (uint64_t)idt };
    __asm__ volatile("lidt %0" :: "m"(p));
}

void trap_register(unsigned vector, trap_handler_fn fn)
{
    handlers[vector] = fn;
}

trap_handler_fn trap_handler(unsigned vector)
{
    return handlers[vector & 255];
}

const char *trap_name(unsigned vector)
{
    return vector < 32 ? exception_names[vector] : NULL;
}

struct ex_entry {
    uint64_t fault_rip;
    uint64_t fixup_rip;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

extern const char probe_exec_return[], probe_exec_fault[];

bool trap_fixup(struct trap_frame *tf)
{
    /* probe_exec: the fetch at the called address faulted, so rip is that
     * address and the top of the stack is probe_exec's return address. */
    if (tf->vector == VEC_PF && (tf->error & PF_INSTR) && tf->rip == read_cr2() &&
        *(uint64_t *)tf->rsp == (uint64_t)probe_exec_return) {
        tf->rsp += 8;
        tf->rip = (uint64_t)probe_exec_fault;
        return true;
    }
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->fault_rip == tf->rip) {
            tf->rip = e->fixup_rip;
            return true;
        }
    }
    return false;
}

void trap_regs_print(const struct trap_frame *tf)
{
    kprintf("RAX %016lx  RBX %016lx  RCX %016lx  RDX %016lx\n", tf->rax, tf->rbx, tf->rcx, tf->rdx);
    kprintf("RSI %016lx  RDI %016lx  RBP %016lx  RSP %016lx\n", tf->rsi, tf->rdi, tf->rbp, tf->rsp);
    kprintf("R8  %016lx  R9  %016lx  R10 %016lx  R11 %016lx\n", tf->r8, tf->r9, tf->r10, tf->r11);
    kprintf("R12 %016lx  R13 %016lx  R14 %016lx  R15 %016lx\n", tf->r12, tf->r13, tf->r14, tf->r15);
}

void trap_dump(const struct trap_frame *tf)
{
    const char *name = trap_name(tf->vector);
    uint64_t off;
    const char *sym = ksyms_lookup(tf->rip, &off);

    kprintf("\n*** %s (vector %lu, error code %#lx) in %s mode\n",
            name ? name : "interrupt", tf->vector, tf->error,
            trap_from_user(tf) ? "user" : "kernel");
    if (sym)
        kprintf("RIP %#018lx <%s+%#lx>\n", tf->rip, sym, off);
    else
        kprintf("RIP %#018lx\n", tf->rip);
    kprintf("CR2 0x%016lx  CR3 0x%016lx  CS %#lx  SS %#lx  RFLAGS %#lx\n",
            read_cr2(), read_cr3(), tf->cs, tf->ss, tf->rflags);
    trap_regs_print(tf);
    if (!trap_from_user(tf))
        backtrace_print(tf->rip, tf->rbp);
}

void trap_set_user_fault_hook(trap_user_fault_fn fn)
{
    user_fault_hook = fn;
}

void trap_set_user_return_hook(trap_user_return_fn fn)
{
    user_return_hook = fn;
}

void trap_set_preempt_hook(trap_preempt_fn fn)
{
    preempt_hook = fn;
}

static void trap_user_fault_call(struct trap_frame *tf, int signo, uint64_t addr,
                                 const char *why, enum trap_fault_action action)
{
    if (!user_fault_hook) {
        trap_dump(tf);
        panic("%s: user-mode exception before the process layer is up", __func__);
    }
    user_fault_hook(tf, signo, addr, why, action);
}

void trap_user_fault(struct trap_frame *tf, int signo, uint64_t addr, const char *why)
{
    trap_user_fault_call(tf, signo, addr, why, TRAP_FAULT_SIGNAL);
}

void trap_user_kill(struct trap_frame *tf, int signo, uint64_t addr, const char *why)
{
    trap_user_fault_call(tf, signo, addr, why, TRAP_FAULT_KILL);
    panic("%s: the process layer did not kill the process", __func__);
}

/* "Bad iret": the iretq back to user mode faulted (#GP for a non-canonical
 * rip or a refused selector, #NP for a segment not present, #SS), so the
 * user context it was restoring cannot run. isr.asm, recognising the
 * address, has already switched back to the kernel's GS. The registers in
 * tf are the user's (restored just before the iretq) and the five words
 * the iretq was popping sit at the faulting rsp: tf becomes that user
 * context, for the report, and its process is killed (a signal handler
 * would have to be entered through the same kind of frame). Returns false
 * if tf is no such fault. */
static bool trap_bad_return(struct trap_frame *tf)
{
    if (trap_from_user(tf) || tf->rip != (uint64_t)trap_return_user_iretq)
        return false;
    const uint64_t *iret = (const uint64_t *)tf->rsp;
    const char *name = trap_name((unsigned)tf->vector);
    kprintf("trap: the return to user mode faulted (%s, error %#lx): "
            "rip %#lx cs %#lx rflags %#lx rsp %#lx ss %#lx\n", name ? name : "?", tf->error,
            iret[0], iret[1], iret[2], iret[3], iret[4]);
    tf->rip = iret[0];
    tf->cs = iret[1];
    tf->rflags = iret[2];
    tf->rsp = iret[3];
    tf->ss = iret[4];
    trap_user_kill(tf, SIGSEGV, 0, "the CPU refused the return to user mode");
}

/* The signal a user-mode exception turns into. */
static int trap_signal_of(unsigned vector)
{
    switch (vector) {
    case VEC_DE: case VEC_MF: case VEC_XM: return SIGFPE;
    case VEC_UD:                           return SIGILL;
    case VEC_BP: case VEC_DB:              return SIGTRAP;
    default:                               return SIGSEGV;
    }
}

/* An exception nobody resolved: a signal for user code; for the kernel, a
 * fixup if the faulting instruction has one, else a report and a panic. */
static void trap_unhandled(struct trap_frame *tf)
{
    if (trap_from_user(tf)) {
        trap_user_fault(tf, trap_signal_of((unsigned)tf->vector), tf->rip,
                        trap_name((unsigned)tf->vector));
        return;
    }
    if (!trap_from_user(tf) && trap_fixup(tf))
        return;
    trap_dump(tf);
    panic("unhandled %s", trap_name(tf->vector) ? trap_name(tf->vector) : "interrupt");
}

void trap_dispatch(struct trap_frame *tf)
{
    unsigned vec = (unsigned)tf->vector;
    trap_handler_fn fn = handlers[vec];

    if (trap_bad_return(tf))
        return;         /* not reached: the process was killed */
    if (vec >= VEC_IRQ_BASE && vec < VEC_IRQ_BASE + 16) {
        unsigned irq = vec - VEC_IRQ_BASE;
        if (fn)
            fn(tf);
        pic_eoi(irq);   /* spurious IRQ 7/15 are harmless to acknowledge here */
    } else if (fn) {
        fn(tf);
    } else if (vec < 32) {
        trap_unhandled(tf);
    }
    /* Only when returning to a context that had interrupts enabled, never
     * in the middle of a critical section (nor with a lock held): the NMI
     * report, then the preemption point. */
    if (tf->rflags & RFLAGS_IF) {
        trap_nmi_report();
        if (preempt_hook)
            preempt_hook();
    }
    if (trap_from_user(tf) && user_return_hook)
        user_return_hook(tf);
}
