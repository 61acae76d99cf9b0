/*
 * User-level page-fault handling (JOS lab 4, part B).
 *
 * The kernel enters _pgfault_upcall on the exception stack with %rsp
 * pointing at a struct UTrapframe (docs/fork.md has the picture). The
 * upcall calls the C handler with that pointer, then returns to the
 * faulting instruction with every register and the flags as they were:
 *
 *   1. write utf_rip into a scratch word 136 bytes below the trap-time
 *      %rsp (under the 128-byte red zone the interrupted code may be
 *      using, so nothing of its own is overwritten);
 *   2. point utf_rsp at that word;
 *   3. pop the 15 registers, skip utf_rip, popfq (after it no instruction
 *      may change the flags), pop %rsp (= the scratch word);
 *   4. `ret $128`: %rip = utf_rip, %rsp = scratch + 8 + 128 = trap-time %rsp.
 */
#include <jos.h>

void (*_pgfault_handler)(struct UTrapframe *utf);

_Static_assert(sizeof(struct UTrapframe) == 160 && UPCALL_SCRATCH == 136, "the upcall's numbers below");
_Static_assert(__builtin_offsetof(struct UTrapframe, utf_rip) == 136, "utf_rip");
_Static_assert(__builtin_offsetof(struct UTrapframe, utf_rsp) == 152, "utf_rsp");
_Static_assert(__builtin_offsetof(struct PushRegs, reg_r15) == 0 &&
               __builtin_offsetof(struct PushRegs, reg_rax) == 112, "pop order");

__asm__(
    ".text\n"
    ".globl _pgfault_upcall\n"
    ".type _pgfault_upcall, @function\n"
    "_pgfault_upcall:\n"
    "    mov %rsp, %rdi\n"                  /* the UTrapframe (16-byte aligned) */
    "    call *_pgfault_handler(%rip)\n"
    "    mov 152(%rsp), %rax\n"             /* trap-time rsp */
    "    sub $136, %rax\n"                  /* UPCALL_SCRATCH: under its red zone */
    "    mov 136(%rsp), %rbx\n"             /* trap-time rip */
    "    mov %rbx, (%rax)\n"
    "    mov %rax, 152(%rsp)\n"
    "    add $16, %rsp\n"                   /* past utf_fault_va, utf_err */
    "    pop %r15\n"
    "    pop %r14\n"
    "    pop %r13\n"
    "    pop %r12\n"
    "    pop %r11\n"
    "    pop %r10\n"
    "    pop %r9\n"
    "    pop %r8\n"
    "    pop %rsi\n"
    "    pop %rdi\n"
    "    pop %rbp\n"
    "    pop %rdx\n"
    "    pop %rcx\n"
    "    pop %rbx\n"
    "    pop %rax\n"
    "    add $8, %rsp\n"                    /* past utf_rip */
    "    popfq\n"
    "    pop %rsp\n"
    "    ret $128\n"
    ".size _pgfault_upcall, . - _pgfault_upcall\n");

void
set_pgfault_handler(void (*handler)(struct UTrapframe *utf))
{
    int r;

    if (_pgfault_handler == 0) {
        // First time through: the exception stack and the upcall.
        if ((r = sys_mem_alloc(0, (void *) (UXSTACKTOP - PGSIZE), PTE_P | PTE_U | PTE_W)) < 0)
            panic("set_pgfault_handler: allocating the exception stack: %e", r);
        _pgfault_handler = handler;
        if ((r = sys_set_pgfault_handler(0, _pgfault_upcall, (void *) UXSTACKTOP)) < 0)
            panic("set_pgfault_handler: %e", r);
    }
    _pgfault_handler = handler;
}
