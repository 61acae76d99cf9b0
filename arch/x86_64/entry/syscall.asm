; System-call entry through the `syscall` instruction, and the first entry
; into user mode.
;
; `syscall` leaves rip in rcx and rflags in r11, clears the RFLAGS bits in
; MSR_FMASK (syscall_init: IF, TF, DF, AC, NT, IOPL, RF, ID, as Linux) and
; does not switch stacks. We switch to the thread's kernel stack (per-CPU
; kernel_rsp, kept equal to TSS.rsp0 by the scheduler), build a struct
; trap_frame exactly like the interrupt path does, and call
; syscall_dispatch(frame).
;
; The way back is decided here, from the frame alone, whatever C did to
; it: `sysret` only for a plain return (SYSRET_CHECK below), every other
; frame through the interrupt path's iretq. sysret trusts rcx: with a
; non-canonical one, Intel CPUs raise #GP in ring 0 on the user's stack
; (CVE-2012-0217), so nothing unchecked may reach it.
;
; A `syscall` from compatibility mode enters at MSR_CSTAR instead. There
; is no 32-bit code segment (gdt.c), so it cannot happen; should it ever,
; syscall_compat_entry builds the same frame with its own marker and
; syscall_dispatch kills the process.

bits 64
%include "arch/x86_64/entry/trapframe.inc"
%include "arch/x86_64/cfi.inc"
section .text

PERCPU_KSP      equ 8
PERCPU_USP      equ 16
VEC_SYSCALL_INSN equ 0x100      ; marks frames built here (not a real vector)
VEC_SYSCALL_COMPAT equ 0x101    ; ... by a syscall from compatibility mode

extern syscall_dispatch
extern interrupted_user_code
extern trap_return
global syscall_entry
global syscall_compat_entry
global syscall_frame_sysret_ok
global user_enter
global user_enter_frame

; SYSRET_CHECK frame, fail: fall through if the trap frame at `frame` can
; leave by sysret, else jump to `fail`. Clobbers rax, rcx, rdx.
; sysret loads rip from rcx and rflags from r11 (IOPL, NT, TF, AC included,
; RF and VM cleared), CS and SS from MSR_STAR: it restores the frame
; faithfully only if rcx == rip and r11 == rflags (true after every
; `syscall`: those are what it saved), rip is a user address (canonical,
; which is what sysret does not check), the selectors are the 64-bit user
; ones, interrupts are on, and none of TF (single-stepping: iretq traps
; after the next instruction, sysret at once), RF (sysret drops it), IOPL
; or VM is set.
%macro SYSRET_CHECK 2
    mov rcx, [%1 + TF_RCX]
    cmp rcx, [%1 + TF_RIP]
    jne %2
    mov rdx, [%1 + TF_R11]
    cmp rdx, [%1 + TF_RFLAGS]
    jne %2
    mov rax, USER_START
    cmp rcx, rax
    jb %2
    mov rax, USER_END
    cmp rcx, rax
    jae %2
    cmp qword [%1 + TF_CS], SEL_UCODE | RPL_USER
    jne %2
    cmp qword [%1 + TF_SS], SEL_UDATA | RPL_USER
    jne %2
    test edx, RFLAGS_TF | RFLAGS_RF | RFLAGS_IOPL | RFLAGS_VM
    jnz %2
    test edx, RFLAGS_IF
    jz %2
%endmacro

; SYSCALL_FRAME vector, cs: on the per-CPU kernel stack, the frame of a
; `syscall` (user rsp saved in the per-CPU area meanwhile).
%macro SYSCALL_FRAME 2
    swapgs
    mov [gs:PERCPU_USP], rsp
    mov rsp, [gs:PERCPU_KSP]
    push qword SEL_UDATA | RPL_USER ; ss
    push qword [gs:PERCPU_USP]      ; rsp
    push r11                        ; rflags
    push qword %2                   ; cs
    push rcx                        ; rip
    push qword 0                    ; error code
    push qword %1                   ; vector
    TRAPFRAME_PUSH_REGS
%endmacro

syscall_compat_entry:
    SYSCALL_FRAME VEC_SYSCALL_COMPAT, SEL_UCODE32 | RPL_USER
    jmp syscall_common

syscall_entry:
    SYSCALL_FRAME VEC_SYSCALL_INSN, SEL_UCODE | RPL_USER
syscall_common:
    xor ebp, ebp                    ; backtraces stop at the user boundary
    mov rdi, rsp
    call syscall_dispatch           ; enables interrupts while it works
    cli
    SYSRET_CHECK rsp, trap_return   ; anything unusual: iretq
.pop:
    TRAPFRAME_POP_REGS              ; rcx = rip, r11 = rflags (checked)
    add rsp, 16                     ; vector, error code
    mov rsp, [rsp + TF_RSP - TF_RIP]
    swapgs
    o64 sysret

; For GDB: a backtrace from the system call's C code ends in the user code
; that called it (arch/x86_64/cfi.inc).
CFI_TRAP_FRAME syscall_common, syscall_common.pop

; bool syscall_frame_sysret_ok(const struct trap_frame *tf): the verdict of
; the exit path's SYSRET_CHECK on tf (the same instructions), for the
; entry self-test.
syscall_frame_sysret_ok:
    SYSRET_CHECK rdi, .no
    mov eax, 1
    ret
.no:
    xor eax, eax
    ret

; void user_enter_frame(const struct trap_frame *tf): leave for user mode
; with every register as *tf says (an exofork child resumes its parent's
; system call this way): copy the frame to this stack and leave through
; trap_return, which checks it and swaps GS like any return to user mode.
user_enter_frame:
    cli
    sub rsp, TF_SIZE
    mov rsi, rdi
    mov rdi, rsp
    mov ecx, TF_SIZE / 8
    rep movsq
    jmp trap_return

; void user_enter(uint64_t entry, uint64_t sp): build an iretq frame to
; user mode on the current stack and leave through trap_return (which swaps
; GS because the frame's CS is a user selector). All registers start at 0.
user_enter:
    cli
    push qword SEL_UDATA | RPL_USER ; ss
    push rsi                        ; rsp
    push qword RFLAGS_IF | RFLAGS_FIXED ; rflags
    push qword SEL_UCODE | RPL_USER ; cs
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
