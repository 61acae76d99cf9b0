; Kernel context switch.
;
; void context_switch(uint64_t *save_rsp, uint64_t new_rsp)
;   Saves the callee-saved registers on the current stack, stores RSP in
;   *save_rsp, loads new_rsp and restores that thread's callee-saved
;   registers, returning into it. Everything else is caller-saved by the C ABI.
;   Called with interrupts off; the thread switched to resumes with a clean
;   RFLAGS (interrupts still off): no flag of one thread, such as an NT or
;   AC a user program managed to leave in the kernel, ever reaches another.
;
; A new thread's stack is prepared (thread.c) so that the pops below find
; zeros and `ret` lands in thread_start.

bits 64
%include "arch/x86_64/entry/trapframe.inc"     ; RFLAGS_KERNEL
%include "arch/x86_64/cfi.inc"
section .text

global context_switch
global thread_start

context_switch:
    push rbp
    push rbx
    push r12
    push r13
    push r14
    push r15
    mov [rdi], rsp
    mov rsp, rsi
    push qword RFLAGS_KERNEL
    popfq
    pop r15
    pop r14
    pop r13
    pop r12
    pop rbx
    pop rbp
    ret

; First instructions of every new kernel thread: r12 = the argument and
; r13 = the C function to call with it (set up by the thread code, so that
; this layer does not name a function of the layers above).
thread_start:
    mov rdi, r12
    xor ebp, ebp                    ; end of backtraces
    call r13
    ud2                             ; the function never returns
.end:
CFI_OUTERMOST thread_start, thread_start.end  ; GDB's backtraces end here

section .note.GNU-stack noalloc noexec nowrite progbits
