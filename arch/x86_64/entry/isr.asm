; Interrupt and exception entry stubs for all 256 vectors, and the two
; common paths behind them.
;
; Each stub makes the stack look the same (error code, or a zero where the
; CPU pushes none, then the vector number) and jumps to a common path,
; which saves the general registers in the order of struct trap_frame
; (include/arch/trap.h) and calls C with a pointer to the frame.
;
; GS. User code runs with the user's GS base, the kernel with its per-CPU
; area's; swapgs exchanges the two. Each path must know which one is live:
;  - isr_common (every vector but the three below) trusts the interrupted
;    CS: every gate is an interrupt gate and the kernel's swapgs windows
;    (syscall entry and exit, the end of trap_return) run with interrupts
;    off, so nothing maskable and no ordinary exception lands inside them,
;    except the fault of the iretq back to user mode itself ("bad iret":
;    the user frame it pops is refused), which is recognised by its
;    address: GS is already the user's there.
;  - paranoid_common (NMI, double fault, machine check) cannot trust CS:
;    these arrive at any instruction, inside the swapgs windows too, on
;    their own IST stacks. It reads MSR_GS_BASE: the per-CPU areas are in
;    the kernel image (low half, never 0), and a user GS base is 0 or a
;    user-half address (nothing lets a user set any other: no WRGSBASE, and
;    every descriptor a user may load has base 0). Anything but a kernel
;    address means swapgs on entry, and swapgs back on exit.
;
; RFLAGS. An interrupt gate clears IF, TF, NT, RF and VM, but leaves AC, DF,
; IOPL and the arithmetic flags of whatever it interrupted. Both paths load
; a clean RFLAGS (RFLAGS_KERNEL) before any C code runs: the kernel never
; runs with a user's AC (it would defeat SMAP) or DF. No CPUID test is
; needed, unlike clac.

bits 64
%include "arch/x86_64/entry/trapframe.inc"
%include "arch/x86_64/entry/smap.inc"
%include "arch/x86_64/cfi.inc"
section .text
extern trap_dispatch
extern trap_paranoid_dispatch
global isr_stub_table
global trap_return
global trap_return_user_iretq
global interrupted_user_code

MSR_GS_BASE     equ 0xC0000101

; ISR vector, has_error_code, common path
%macro ISR 3
isr_stub_%1:
  %if %2 == 0
    push qword 0
  %endif
    push qword %1
    jmp %3
%endmacro

%assign i 0
%rep 256
  %if i == 2 || i == 18
    ISR i, 0, paranoid_common           ; NMI, machine check
  %elif i == 8
    ISR i, 1, paranoid_common           ; double fault
  %elif i == 10 || i == 11 || i == 12 || i == 13 || i == 14 || i == 17 || i == 21 || i == 29 || i == 30
    ISR i, 1, isr_common
  %else
    ISR i, 0, isr_common
  %endif
  %assign i i + 1
%endrep

isr_common:
    test qword [rsp + TF_CS - TF_VECTOR], 3
    jnz .user_gs                    ; from user mode
    cmp qword [rsp + TF_RIP - TF_VECTOR], trap_return_user_iretq
    jne .gs_ok                      ; from the kernel, with its GS
.user_gs:
    swapgs
.gs_ok:
    TRAPFRAME_PUSH_REGS
    push qword RFLAGS_KERNEL
    popfq
.frame:                             ; rsp = the frame until trap_return
    mov rdi, rsp
    call trap_dispatch
; Also the path by which new threads and user processes first reach their
; context, and the syscall path's return when sysret will not do: RSP must
; point at a struct trap_frame.
trap_return:
    TRAPFRAME_POP_REGS
    test qword [rsp + TF_CS - TF_VECTOR], 3
    jz trap_return_kernel
    ; The last word on the flags user code gets, whoever built the frame:
    ; interrupts on, no I/O privilege.
    and qword [rsp + TF_RFLAGS - TF_VECTOR], ~RFLAGS_IOPL
    or qword [rsp + TF_RFLAGS - TF_VECTOR], RFLAGS_IF
    swapgs
    add rsp, 16                     ; vector and error code
trap_return_user_iretq:             ; a fault here is a "bad iret" (see the top)
    iretq
trap_return_kernel:
    add rsp, 16
    iretq

; NMI, double fault, machine check: the GS base decides (see the top). The
; decision lives in rbx, which the C code preserves (callee-saved).
paranoid_common:
    TRAPFRAME_PUSH_REGS
    push qword RFLAGS_KERNEL
    popfq
.frame:                             ; rsp = the frame until .restore
    xor ebx, ebx
    mov ecx, MSR_GS_BASE
    rdmsr
    shl rdx, 32
    or rax, rdx
    test rax, rax
    jg .kernel_gs                   ; nonzero and in the low half: the kernel's
    swapgs
    mov ebx, 1
.kernel_gs:
    mov rdi, rsp
    mov esi, ebx                    ; tell C whether GS was the user's
    call trap_paranoid_dispatch
    test ebx, ebx
    jz .restore
    swapgs                          ; give back exactly the GS we found
.restore:
    TRAPFRAME_POP_REGS
    add rsp, 16
    iretq

; For GDB: a backtrace from C goes on into the interrupted kernel code.
; The range takes in trap_return's first byte (the return address of the
; call; rsp is still the frame there).
CFI_TRAP_FRAME isr_common.frame, trap_return + 1
CFI_TRAP_FRAME paranoid_common.frame, paranoid_common.restore

; Never runs: what GDB shows in place of interrupted user code, and where
; its backtraces end (arch/x86_64/cfi.inc).
interrupted_user_code:
    ud2
.end:
CFI_OUTERMOST interrupted_user_code, interrupted_user_code.end

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 256
    dq isr_stub_ %+ i
  %assign i i + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
