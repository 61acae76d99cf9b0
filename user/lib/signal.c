/*
 * Signal registration (a handler for the fault signals and SIGINT, or
 * SIG_DFL / SIG_IGN) and the return trampoline.
 *
 * ---- Signal frame contract (kernel <-> user library) ----------------------
 *
 * On a fault with a handler registered (and no handler already running),
 * the kernel builds this frame on the user stack, below the interrupted
 * rsp minus the 128-byte red zone:
 *
 *     handler entry rsp  ->  [rsp + 0]   return address = the trampoline
 *                                        registered with SYS_SIGNAL
 *                            [rsp + 8]   struct sigcontext (uapi/signal.h),
 *                                        the interrupted registers
 *     (higher addresses)     ...         the red zone, then the
 *                                        interrupted stack
 *
 * with (rsp + 8) % 16 == 0 at handler entry (the SysV rule: rsp is 16-byte
 * aligned before the `call` that pushed the return address), and enters
 *
 *     handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
 *
 * with rdi = sig, rsi = fault_addr, rdx = ctx = rsp + 8, rip = handler.
 * When the handler returns, its `ret` pops the trampoline address, so the
 * trampoline starts with rsp == ctx. It does not use any register the
 * handler may have clobbered:
 *
 *     __sigtramp:  mov  %rsp, %rdi          ; rdi = ctx
 *                  mov  $SYS_SIGRETURN, %eax
 *                  syscall                  ; does not return
 *                  ud2
 *
 * SYS_SIGRETURN(ctx) restores every register in *ctx (including rax, rcx
 * and r11: the kernel returns through iretq unless sysret restores the
 * same state), after checking what the user may have edited: rip and rsp
 * must be user addresses (else the process is killed with SIGSEGV, as it
 * is for an unreadable ctx), and rflags is sanitised: only CF PF AF ZF SF
 * DF OF, TF and AC (mask 0x40dd5) are taken from ctx, IF is forced on,
 * everything else (IOPL, NT, RF, VM, ID...) is zero. The handler itself
 * always runs as 64-bit code (CS and SS are the 64-bit user selectors,
 * whatever the interrupted code had) with DF, TF and RF clear: a
 * single-stepping program's handler does not trap, and a context that
 * keeps TF goes on stepping after sigreturn.
 * Then the handler counts as finished and the next fault is delivered
 * again. A fault while the handler runs, or a frame that cannot be written
 * (e.g. stack overflow), kills the process.
 * --------------------------------------------------------------------------
 */
#include <ulib.h>

_Static_assert(SYS_SIGRETURN == 17, "update the trampoline below");
_Static_assert(sizeof(struct sigcontext) % 16 == 0,
               "sigcontext must keep the stack 16-byte aligned");

__asm__(
    ".text\n"
    ".globl __sigtramp\n"
    ".type __sigtramp, @function\n"
    "__sigtramp:\n"
    "    mov %rsp, %rdi\n"
    "    mov $17, %eax\n"           /* SYS_SIGRETURN */
    "    syscall\n"
    "    ud2\n"                     /* sigreturn refused the context */
    ".size __sigtramp, . - __sigtramp\n");

int signal(sighandler_t handler)
{
    return (int)syscall(SYS_SIGNAL, (long)handler, (long)__sigtramp);
}

int signal_default(void)
{
    return (int)syscall(SYS_SIGNAL, (long)SIG_DFL, 0L);
}

int signal_ignore(void)
{
    return (int)syscall(SYS_SIGNAL, (long)SIG_IGN, 0L);
}

void sigcontext_forge(struct sigcontext *ctx, void (*rip)(void), void *stack_end)
{
    memset(ctx, 0, sizeof(*ctx));
    ctx->rip = (uintptr_t)rip;
    ctx->rsp = (uintptr_t)stack_end - 8;
    ctx->rflags = 0x200;                    /* IF */
}
