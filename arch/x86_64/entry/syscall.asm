; System-call entry through the `syscall` instruction, and the first entry
; into user mode.
;
; `syscall` leaves rip in rcx and rflags in r11, clears the RFLAGS bits in
; MSR_FMASK (syscall_init: IF, TF, DF, AC, NT, IOPL, RF, ID, as Linux) and
; does not switch stacks. We switch to the thread's kernel stack (per-CPU
; kernel_rsp, kept equal to TSS.rsp0 by the scheduler) and take one of two
; paths, chosen by the call number alone (syscall_fast_calls, which
; syscall_init fills from the call table):
;
;  - the fast path, for every call that does not need the user's complete
;    register state: it saves only what the C ABI lets C code clobber and
;    the user must get back (rip, rflags, rsp and the six argument
;    registers: the ABI preserves everything but rax, rcx and r11) in a
;    small save area, and calls syscall_dispatch with tf = NULL. rbx, rbp
;    and r12-r15 stay in their registers: C preserves them. The save area
;    never reaches C, so nothing can change the rip and rflags sysret will
;    load, but the user chose them: the way out still checks both
;    (SYSRET_FAST_CHECK) and leaves through iretq when they fail.
;  - the full path, for the calls that read or rewrite the whole user
;    context (sigreturn, exofork: SYSCALL_FULL_FRAME in syscall.c) and for
;    numbers the dispatcher will refuse: a struct trap_frame exactly like
;    the interrupt path's, passed to syscall_dispatch. The way back is
;    decided from the frame alone, whatever C did to it: `sysret` only for
;    a plain return (SYSRET_CHECK), every other frame through the interrupt
;    path's iretq.
;
; sysret trusts rcx: with a non-canonical one, Intel CPUs raise #GP in
; ring 0 on the user's stack (CVE-2012-0217), so nothing unchecked may
; reach it, on either path.
;
; A `syscall` from compatibility mode enters at MSR_CSTAR instead. There
; is no 32-bit code segment (gdt.c), so it cannot happen; should it ever,
; syscall_compat_entry builds the full frame with its own marker and
; syscall_dispatch kills the process.

bits 64
%include "arch/x86_64/entry/trapframe.inc"
%include "arch/x86_64/cfi.inc"
section .text

PERCPU_KSP      equ 8
PERCPU_USP      equ 16
VEC_SYSCALL_INSN equ 0x100      ; marks frames built here (not a real vector)
VEC_SYSCALL_COMPAT equ 0x101    ; ... by a syscall from compatibility mode
SYSCALL_FAST_MAX equ 64         ; syscall_fast_calls has one bit per call below this

; The fast path's save area, lowest address first (rsp points at FAST_TF
; during the call).
FAST_TF         equ 0 * 8       ; syscall_dispatch's tf argument: 0 (and the pad
                                ; that keeps the call 16-byte aligned)
FAST_R9         equ 1 * 8
FAST_R8         equ 2 * 8
FAST_R10        equ 3 * 8
FAST_RDX        equ 4 * 8
FAST_RSI        equ 5 * 8
FAST_RDI        equ 6 * 8
FAST_RIP        equ 7 * 8       ; rcx at entry
FAST_RFLAGS     equ 8 * 8       ; r11 at entry
FAST_RSP        equ 9 * 8
FAST_SIZE       equ 10 * 8
; Set in the area's saved rflags by syscall_fast_exit_divert: VM, which a
; 64-bit `syscall` never saves set, fails SYSRET_FAST_CHECK at no extra
; cost on the fast path; syscall_fast_iret clears it again.
FAST_DIVERT     equ RFLAGS_VM
FAST_DIVERT_BIT equ 17

extern syscall_dispatch
extern syscall_fast_exit_work
extern interrupted_user_code
extern trap_return
global syscall_entry
global syscall_compat_entry
global syscall_frame_sysret_ok
global syscall_fast_exit_divert
global syscall_fast_calls
global user_enter
global user_enter_frame

section .data
align 8
; Bit n set: call n takes the fast path. Written once by syscall_init.
syscall_fast_calls: dq 0

section .text

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

; SYSRET_FAST_CHECK area, fail, scratch: the same verdict for the fast
; path's save area, where rcx == rip, r11 == rflags and the selectors hold
; by construction (the area has one copy of each, and sysret loads the
; selectors from MSR_STAR): the rip must be in the user half and the flags
; exactly IF among IF, TF, RF, IOPL and VM. rip is in the user half when
; rip >> 39, taken as signed, lies in [USER_START >> 39, USER_END >> 39),
; that is [-256, -1): one unsigned compare after adding 256.
%macro SYSRET_FAST_CHECK 3
    mov %3, [%1 + FAST_RFLAGS]
    and %3, RFLAGS_TF | RFLAGS_RF | RFLAGS_IOPL | RFLAGS_VM | RFLAGS_IF
    cmp %3, RFLAGS_IF
    jne %2
    mov %3, [%1 + FAST_RIP]
    sar %3, 39
    add %3, 256
    cmp %3, (USER_END - USER_START) >> 39
    jae %2
%endmacro

; SYSCALL_FRAME vector, cs: on the per-CPU kernel stack (rsp already
; switched), the full frame of a `syscall` (the user rsp is in the per-CPU
; area meanwhile).
%macro SYSCALL_FRAME 2
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
    swapgs
    mov [gs:PERCPU_USP], rsp
    mov rsp, [gs:PERCPU_KSP]
    SYSCALL_FRAME VEC_SYSCALL_COMPAT, SEL_UCODE32 | RPL_USER
    jmp syscall_full_common

syscall_entry:
    swapgs
    mov [gs:PERCPU_USP], rsp
    mov rsp, [gs:PERCPU_KSP]
    cmp rax, SYSCALL_FAST_MAX
    jae syscall_full
    bt qword [syscall_fast_calls], rax
    jnc syscall_full
    ; The fast path: the save area (FAST_* above), then
    ; syscall_dispatch(a0 = rdi, a1 = rsi, a2 = rdx, a3 = r10, a4 = r8, nr = rax, tf = NULL).
    push qword [gs:PERCPU_USP]
    push r11
    push rcx
    push rdi
    push rsi
    push rdx
    push r10
    push r8
    push r9
    push qword 0                    ; tf
    mov rcx, r10
    mov r9, rax
.fast_call:
    call syscall_dispatch           ; enables interrupts while it works
    cli
.fast_called:
    SYSRET_FAST_CHECK rsp, syscall_fast_iret, rdi
    add rsp, 8                      ; tf
    pop r9
    pop r8
    pop r10
    pop rdx
    pop rsi
    pop rdi
    pop rcx                         ; rip
    pop r11                         ; rflags
    pop rsp                         ; the user's stack from here on
    swapgs
    o64 sysret

; The fast path's rare way out through iretq (e.g. the user set TF before
; the call): turn the save area and the live registers (rax = the result;
; rbx, rbp and r12-r15 are still the user's) into a full trap frame below
; it, as the full path would have built, and leave like an interrupt. A
; diverted exit (FAST_DIVERT) first has syscall_fast_exit_work(frame) run.
syscall_fast_iret:
    mov rdi, rsp
    btr qword [rdi + FAST_RFLAGS], FAST_DIVERT_BIT  ; CF = diverted; no push changes it
    push qword SEL_UDATA | RPL_USER ; ss
    push qword [rdi + FAST_RSP]
    push qword [rdi + FAST_RFLAGS]
    push qword SEL_UCODE | RPL_USER ; cs
    push qword [rdi + FAST_RIP]
    push qword 0                    ; error code
    push qword VEC_SYSCALL_INSN
    push rax
    push rbx
    push qword [rdi + FAST_RIP]     ; rcx, as after sysret
    push qword [rdi + FAST_RDX]
    push qword [rdi + FAST_RSI]
    push qword [rdi + FAST_RDI]
    push rbp
    push qword [rdi + FAST_R8]
    push qword [rdi + FAST_R9]
    push qword [rdi + FAST_R10]
    push qword [rdi + FAST_RFLAGS]  ; r11, as after sysret
    push r12
    push r13
    push r14
    push r15
    jnc trap_return
    mov rdi, rsp                    ; 16-byte aligned: 10 + 22 words below the top
    call syscall_fast_exit_work
    jmp trap_return

; void syscall_fast_exit_divert(void): mark the current fast call's save
; area (at the top of this thread's kernel stack) so that its exit fails
; SYSRET_FAST_CHECK and goes through syscall_fast_iret.
syscall_fast_exit_divert:
    mov rax, [gs:PERCPU_KSP]
    or qword [rax - FAST_SIZE + FAST_RFLAGS], FAST_DIVERT
    ret


; The full path: a complete trap frame, then
; syscall_dispatch(rdi, rsi, rdx, r10, r8, nr = rax, tf = the frame); the
; result goes into the frame's rax (a handler may have rewritten the whole
; frame: sigreturn returns the restored rax).
syscall_full:
    SYSCALL_FRAME VEC_SYSCALL_INSN, SEL_UCODE | RPL_USER
syscall_full_common:
    xor ebp, ebp                    ; backtraces stop at the user boundary
    mov rbx, rsp                    ; the frame (rbx survives the call)
    sub rsp, 8                      ; keep the call 16-byte aligned
    push rbx                        ; tf, the seventh argument
    mov rcx, r10
    mov r9, rax
.call:
    call syscall_dispatch           ; enables interrupts while it works
    cli
.called:
    mov rsp, rbx
    mov [rsp + TF_RAX], rax
    SYSRET_CHECK rsp, trap_return   ; anything unusual: iretq
.pop:
    TRAPFRAME_POP_REGS              ; rcx = rip, r11 = rflags (checked)
    add rsp, 16                     ; vector, error code
    mov rsp, [rsp + TF_RSP - TF_RIP]
    swapgs
    o64 sysret

; For GDB (arch/x86_64/cfi.inc): a backtrace from the system call's C code
; ends in the user code that called it; on the full path the frame is 16
; bytes above rsp during the call (alignment, the tf argument). The fast
; path has no trap frame to unwind through: its backtraces end at
; syscall_entry.
CFI_TRAP_FRAME syscall_full_common.call, syscall_full_common.called, 16
CFI_OUTERMOST syscall_entry.fast_call, syscall_entry.fast_called

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
