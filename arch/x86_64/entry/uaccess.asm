; Memory accesses that may fault on purpose, recovered through the
; exception table (__ex_table: pairs of faulting rip, resume rip; see
; trap_fixup in trap.c). Used by copy-from/to-user and by self-tests that
; check a forbidden access really faults.
;
; uaccess_copy and uaccess_strnlen are the only kernel code that may touch
; user pages: with SMAP on they open the window with stac and close it with
; clac on every way out (the fault path included). The probes do not: a
; probe of a user page faults under SMAP, which is how the self-tests
; check that SMAP is on.

bits 64
%include "arch/x86_64/entry/smap.inc"
section .text

EFAULT equ 14

%macro EX_ENTRY 2
    section __ex_table
    dq %1, %2
    section .text
%endmacro

; size_t uaccess_copy(void *dst, const void *src, size_t n)
; Returns the number of bytes NOT copied: 0 on success.
global uaccess_copy
uaccess_copy:
    SMAP_STAC
    mov rcx, rdx
.copy:
    rep movsb
    SMAP_CLAC
    mov rax, rcx
    ret
.fault:
    SMAP_CLAC
    mov rax, rcx                ; rep movsb leaves the remaining count in rcx
    ret
EX_ENTRY uaccess_copy.copy, uaccess_copy.fault

; size_t uaccess_fault_in_writable(void *dst, size_t n)
; Make [dst, dst + n) writable now, as a store would (filling a lazy page,
; breaking copy-on-write), without changing a byte: `lock or` of 0 into one
; byte of each page is an atomic read-modify-write of the same value, so a
; store another thread makes meanwhile is never undone. Returns the number
; of bytes from the first page that cannot be written (0: all can). n > 0.
global uaccess_fault_in_writable
uaccess_fault_in_writable:
    SMAP_STAC
    lea rcx, [rdi + rsi]            ; the end
.touch:
    lock or byte [rdi], 0
    and rdi, -4096                  ; the next page's start
    add rdi, 4096
    cmp rdi, rcx
    jb .touch
    SMAP_CLAC
    xor eax, eax
    ret
.fault:
    SMAP_CLAC
    mov rax, rcx
    sub rax, rdi                    ; from the faulting byte to the end
    ret
EX_ENTRY uaccess_fault_in_writable.touch, uaccess_fault_in_writable.fault

; long uaccess_strnlen(const char *s, size_t max)
; Length of s if a NUL comes within max bytes, max if none does, -EFAULT
; if an unreadable byte comes first.
global uaccess_strnlen
uaccess_strnlen:
    SMAP_STAC
    xor eax, eax
.loop:
    cmp rax, rsi
    je .done
.load:
    cmp byte [rdi + rax], 0
    je .done
    inc rax
    jmp .loop
.done:
    SMAP_CLAC
    ret
.fault:
    SMAP_CLAC
    mov rax, -EFAULT
    ret
EX_ENTRY uaccess_strnlen.load, uaccess_strnlen.fault

; int probe_read(const void *addr): the byte at addr, or -EFAULT.
global probe_read
probe_read:
.load:
    movzx eax, byte [rdi]
    ret
.fault:
    mov eax, -EFAULT
    ret
EX_ENTRY probe_read.load, probe_read.fault

; int probe_write(void *addr, uint8_t v): 0, or -EFAULT.
global probe_write
probe_write:
.store:
    mov [rdi], sil
    xor eax, eax
    ret
.fault:
    mov eax, -EFAULT
    ret
EX_ENTRY probe_write.store, probe_write.fault

; int probe_exec(void *addr): call addr (which should hold a `ret`);
; 0, or -EFAULT if fetching the instruction faulted. The fault's rip is addr
; itself, which no table entry can name, so trap_fixup recognises this probe
; by its return address on the stack (probe_exec_return).
global probe_exec
global probe_exec_return
global probe_exec_fault
probe_exec:
    call rdi
probe_exec_return:
    xor eax, eax
    ret
probe_exec_fault:
    mov eax, -EFAULT
    ret

section .note.GNU-stack noalloc noexec nowrite progbits
