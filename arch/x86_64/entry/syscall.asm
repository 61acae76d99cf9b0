; System-call entry through the `syscall` instruction, and the first entry
; into user mode.
;
; `syscall` leaves rip in rcx and rflags in r11 and does not switch stacks.
; We switch to the thread's kernel stack (per-CPU kernel_rsp, kept equal to
; TSS.rsp0 by the scheduler), build a struct trap_frame exactly like the
; interrupt path does, and call syscall_dispatch(frame). If it returns 0 we
; leave by `sysret`; otherwise (the frame was rewritten wholesale, e.g. by
; sigreturn, so rcx and r11 matter) by the interrupt path's iretq.

bits 64
%include "arch/x86_64/entry/trapframe.inc"
section .text

SEL_UCODE       equ 0x28
SEL_UDATA       equ 0x20
PERCPU_KSP      equ 8
PERCPU_USP      equ 16
VEC_SYSCALL_INSN equ 0x100      ; marks frames built here (not a real vector)

extern syscall_dispatch
extern trap_return
global syscall_entry
global user_enter

syscall_entry:
    swapgs
    mov [gs:PERCPU_USP], rsp
    mov rsp, [gs:PERCPU_KSP]
    push qword SEL_UDATA | 3        ; ss
    push qword [gs:PERCPU_USP]      ; rsp
    push r11                        ; rflags
    push qword SEL_UCODE | 3        ; cs
    push rcx                        ; rip
    push qword 0                    ; error code
    push qword VEC_SYSCALL_INSN     ; vector
    TRAPFRAME_PUSH_REGS
    xor ebp, ebp                    ; backtraces stop at the user boundary
    mov rdi, rsp
    call syscall_dispatch           ; enables interrupts while it works
    cli
    test eax, eax
    jnz trap_return                 ; full restore through iretq
    TRAPFRAME_POP_REGS
    add rsp, 16                     ; vector, error code
    mov rcx, [rsp]                  ; user rip
    mov r11, [rsp + 16]             ; user rflags
    mov rsp, [rsp + 24]             ; user rsp
    swapgs
    o64 sysret

; void user_enter(uint64_t entry, uint64_t sp): build an iretq frame to
; user mode on the current stack and leave through trap_return (which swaps
; GS because the frame's CS is a user selector). All registers start at 0.
user_enter:
    cli
    push qword SEL_UDATA | 3        ; ss
    push rsi                        ; rsp
    push qword 0x202                ; rflags: IF
    push qword SEL_UCODE | 3        ; cs
    push rdi                        ; rip
    push qword 0                    ; error code
    push qword 0                    ; vector
    xor eax, eax
    mov ecx, 15
.zero:
    push rax
    loop .zero
    jmp trap_return

section .note.GNU-stack noalloc noexec nowrite progbits
