; Interrupt entry stubs for all 256 vectors.
;
; Each stub makes the stack look the same (error code, then vector number)
; and jumps to isr_common, which saves the general registers in the order of
; struct trap_frame (include/arch/trap.h) and calls trap_dispatch(frame).
; Entries from user mode (CS.RPL == 3) swap GS so the kernel's per-CPU GS
; base is live, and swap it back on the way out. Every entry clears
; RFLAGS.AC (SMAP_CLAC): the CPU keeps it across the gate, and neither a
; user that set it nor an interrupted user copy may lend it to the handler
; (iretq restores the interrupted value).

bits 64
%include "arch/x86_64/entry/trapframe.inc"
%include "arch/x86_64/entry/smap.inc"
section .text
extern trap_dispatch
global isr_stub_table
global trap_return

%macro ISR_NOERR 1
isr_stub_%1:
    push qword 0
    push qword %1
    jmp isr_common
%endmacro

%macro ISR_ERR 1
isr_stub_%1:
    push qword %1
    jmp isr_common
%endmacro

%assign i 0
%rep 256
  %if i == 8 || i == 10 || i == 11 || i == 12 || i == 13 || i == 14 || i == 17 || i == 21 || i == 29 || i == 30
    ISR_ERR i
  %else
    ISR_NOERR i
  %endif
  %assign i i + 1
%endrep

isr_common:
    SMAP_CLAC
    test qword [rsp + 24], 3        ; CS of the interrupted context
    jz .kernel_entry
    swapgs
.kernel_entry:
    TRAPFRAME_PUSH_REGS
    cld
    mov rdi, rsp
    call trap_dispatch
; Also the path by which new threads and user processes first reach their
; context: RSP must point at a struct trap_frame.
trap_return:
    TRAPFRAME_POP_REGS
    test qword [rsp + 24], 3
    jz .kernel_exit
    swapgs
.kernel_exit:
    add rsp, 16                     ; vector and error code
    iretq

section .rodata
align 8
isr_stub_table:
%assign i 0
%rep 256
    dq isr_stub_ %+ i
  %assign i i + 1
%endrep

section .note.GNU-stack noalloc noexec nowrite progbits
