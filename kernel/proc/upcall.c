/*
 * JOS's user-level page-fault upcall (contract in include/proc.h, the frame
 * in include/uapi/upcall.h, pictures in docs/fork.md).
 *
 * The kernel never checks the upcall address: if it is not user code the
 * hardware faults when the environment resumes there, that fault is on the
 * exception stack, so its frame goes below the last one, and the
 * environment dies when the page is used up (faultbadhandler,
 * faultevilhandler). What the kernel does check, because it writes there
 * itself, is the exception stack: the whole frame must lie in the page
 * below xstacktop, inside the user half, and be writable, or the
 * environment is destroyed (faultnostack).
 */
#include <proc.h>
#include <trace.h>
#include <usercopy.h>
#include <log.h>
#include <string.h>
#include <mm.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <uapi/upcall.h>
#include <uapi/signal.h>
#include <uapi/syscall.h>

/* The handler starts with these flags cleared: single-stepping the
 * faulting code must not step through the handler, and C code expects DF
 * clear (SysV). */
#define UPCALL_CLEAR_FLAGS  ((1ull << 8) | (1ull << 10) | (1ull << 16))   /* TF, DF, RF */

static void utf_fill(struct UTrapframe *u, const struct trap_frame *tf, uint64_t fault_va)
{
    memset(u, 0, sizeof(*u));
    u->utf_fault_va = fault_va;
    u->utf_err = tf->error;
    u->utf_regs = (struct PushRegs){
        .reg_r15 = tf->r15, .reg_r14 = tf->r14, .reg_r13 = tf->r13, .reg_r12 = tf->r12,
        .reg_r11 = tf->r11, .reg_r10 = tf->r10, .reg_r9 = tf->r9, .reg_r8 = tf->r8,
        .reg_rsi = tf->rsi, .reg_rdi = tf->rdi, .reg_rbp = tf->rbp, .reg_rdx = tf->rdx,
        .reg_rcx = tf->rcx, .reg_rbx = tf->rbx, .reg_rax = tf->rax,
    };
    u->utf_rip = tf->rip;
    u->utf_rflags = tf->rflags;
    u->utf_rsp = tf->rsp;
}

/* The environment's exception stack cannot take the frame at va: it dies
 * (JOS's user_mem_assert on the exception stack). */
static __noreturn void upcall_fail(struct process *p, uint64_t va, const char *why)
{
    if (p->env_flags & PROC_ENV_JOS)
        kprintf("[%08x] user_mem_check assertion failure for va %08lx\n", p->pid, va);
    else
        kprintf("[pid %d] %s: page-fault upcall: %s at %#lx\n", p->pid, p->name, why, va);
    process_exit(WAIT_SIGNALED(SIGSEGV));
}

bool process_upcall(struct process *p, struct trap_frame *tf, uint64_t fault_va)
{
    if (!p->pgfault_upcall)
        return false;
    uint64_t top = p->pgfault_xstacktop, bottom = top - PAGE_SIZE;
    /* Recursive: the handler faulted on the exception stack. Its frame
     * goes below the interrupted one, past its red zone and the return
     * address's scratch word. */
    bool recursive = tf->rsp >= bottom && tf->rsp < top && bottom < top;
    uint64_t end = recursive ? tf->rsp - UPCALL_SCRATCH : top;
    uint64_t frame = ALIGN_DOWN(end - sizeof(struct UTrapframe), 16);
    if (frame < bottom || frame > end)
        upcall_fail(p, frame, "the exception stack overflows");
    struct UTrapframe u;
    utf_fill(&u, tf, fault_va);
    if (copy_to_user(frame, &u, sizeof(u)) < 0)
        upcall_fail(p, frame, "the exception stack is not mapped and writable");
    trace_note(p, TRACE_UPCALL, 0, fault_va, tf->error);
    tf->rip = p->pgfault_upcall;
    tf->rsp = frame;
    tf->rflags &= ~UPCALL_CLEAR_FLAGS;
    return true;
}
