; Strata boot path: Multiboot2 header, 32-bit protected mode -> 64-bit long mode.
;
; GRUB enters _start in 32-bit protected mode with paging off, EAX holding the
; Multiboot2 magic and EBX the physical address of the boot information.
; We check that the CPU can do long mode, build page tables that identity-map
; the first 4 GiB with 2 MiB pages (supervisor-only), enable PAE, EFER.LME and
; (if the CPU has it) EFER.NXE, turn paging on with CR0.WP, load a 64-bit GDT
; and far-jump into 64-bit code, which calls kmain(magic, mbi).
;
; These boot tables are temporary: the "base" address space replaces them.

MB2_MAGIC       equ 0xE85250D6
MB2_ARCH_I386   equ 0
MB2_BOOT_MAGIC  equ 0x36d76289

COM1            equ 0x3F8
VGA_TEXT        equ 0xB8000

CR0_PG          equ 1 << 31
CR0_WP          equ 1 << 16
CR4_PAE         equ 1 << 5
MSR_EFER        equ 0xC0000080
EFER_LME        equ 1 << 8
EFER_NXE        equ 1 << 11

PTE_P           equ 1 << 0
PTE_W           equ 1 << 1
PTE_PS          equ 1 << 7

BOOT_STACK_SIZE equ 16384

%include "arch/x86_64/cfi.inc"

global _start
global boot_pml4
global boot_stack_top
global boot_stack
global boot_nx_enabled
extern kmain

section .multiboot_header
align 8
mb2_header:
    dd MB2_MAGIC
    dd MB2_ARCH_I386
    dd mb2_header_end - mb2_header
    dd 0x100000000 - (MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
    ; end tag: type 0, flags 0, size 8
    align 8
    dw 0
    dw 0
    dd 8
mb2_header_end:

section .boot.text progbits alloc exec nowrite
bits 32
_start:
    cli
    cld
    mov esp, boot_stack_top
    mov edi, eax                    ; Multiboot2 magic (kept for kmain)
    mov esi, ebx                    ; boot information (physical)

    cmp eax, MB2_BOOT_MAGIC
    jne .not_multiboot

    ; CPUID is available iff EFLAGS.ID (bit 21) can be toggled.
    pushfd
    pop eax
    mov ecx, eax
    xor eax, 1 << 21
    push eax
    popfd
    pushfd
    pop eax
    push ecx
    popfd
    cmp eax, ecx
    je .no_long_mode

    mov eax, 0x80000000
    cpuid
    cmp eax, 0x80000001
    jb .no_long_mode
    mov eax, 0x80000001
    cpuid
    test edx, 1 << 29               ; LM
    jz .no_long_mode
    mov ebp, edx                    ; remember bit 20 (NX)

    ; PML4[0] -> PDPT, PDPT[0..3] -> PD0..PD3, each PD maps 1 GiB in 2 MiB pages.
    mov eax, boot_pdpt
    or eax, PTE_P | PTE_W
    mov [boot_pml4], eax
    xor ecx, ecx
.fill_pdpt:
    mov eax, ecx
    shl eax, 12
    add eax, boot_pd
    or eax, PTE_P | PTE_W
    mov [boot_pdpt + ecx * 8], eax
    inc ecx
    cmp ecx, 4
    jne .fill_pdpt

    xor ecx, ecx                    ; ecx = 2 MiB page index, 0..2047
.fill_pd:
    mov eax, ecx
    shl eax, 21
    or eax, PTE_P | PTE_W | PTE_PS
    mov [boot_pd + ecx * 8], eax
    mov eax, ecx
    shr eax, 11                     ; bits 32+ of the physical address
    mov [boot_pd + ecx * 8 + 4], eax
    inc ecx
    cmp ecx, 2048
    jne .fill_pd

    mov eax, cr4
    or eax, CR4_PAE
    mov cr4, eax
    mov eax, boot_pml4
    mov cr3, eax

    mov ecx, MSR_EFER
    rdmsr
    or eax, EFER_LME
    test ebp, 1 << 20
    jz .no_nx
    or eax, EFER_NXE
    mov byte [boot_nx_enabled], 1
.no_nx:
    wrmsr

    mov eax, cr0
    or eax, CR0_PG | CR0_WP
    mov cr0, eax

    lgdt [boot_gdt_ptr]
    jmp 0x08:long_mode_entry

.not_multiboot:
    mov esi, msg_not_multiboot
    jmp fatal32
.no_long_mode:
    mov esi, msg_no_long_mode
    jmp fatal32

; Print the NUL-terminated string at ESI on COM1 and the VGA screen, then halt.
fatal32:
    ; COM1: 38400 8N1, FIFO on.
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 0x80
    out dx, al
    mov dx, COM1
    mov al, 3
    out dx, al
    mov dx, COM1 + 1
    xor al, al
    out dx, al
    mov dx, COM1 + 3
    mov al, 3
    out dx, al
    mov edi, VGA_TEXT
.next:
    lodsb
    test al, al
    jz .halt
    mov ah, 0x4F                    ; white on red
    mov [edi], ax
    add edi, 2
    mov bl, al
    mov dx, COM1 + 5
.wait_tx:
    in al, dx
    test al, 0x20
    jz .wait_tx
    mov dx, COM1
    mov al, bl
    out dx, al
    jmp .next
.halt:
    cli
    hlt
    jmp .halt

section .boot.rodata progbits alloc noexec nowrite
msg_not_multiboot:
    db "Strata: not started by a Multiboot2 boot loader; halting.", 13, 10, 0
msg_no_long_mode:
    db "Strata: this CPU does not support 64-bit long mode (CPUID 0x80000001 EDX.LM); halting.", 13, 10, 0

align 8
boot_gdt:
    dq 0                            ; null
    dq 0x00AF9A000000FFFF           ; 0x08: 64-bit code, DPL 0
    dq 0x00CF92000000FFFF           ; 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_ptr:
    dw boot_gdt_end - boot_gdt - 1
    dq boot_gdt

; In .boot.text too: NASM's DWARF describes one code section per file
; well; with two, GDB warns at every stop ("pc ... not in symtab").
section .boot.text
bits 64
long_mode_entry:
    mov ax, 0x10
    mov ds, ax
    mov es, ax
    mov ss, ax
    xor ax, ax
    mov fs, ax
    mov gs, ax
    mov rsp, boot_stack_top
    xor ebp, ebp                    ; terminates backtraces
    ; edi = magic, esi = mbi (zero-extended by the 32-bit moves above)
    mov edi, edi
    mov esi, esi
    call kmain
.hang:
    cli
    hlt
    jmp .hang
.end:
CFI_OUTERMOST long_mode_entry, long_mode_entry.end   ; GDB's backtraces end here

section .data
boot_nx_enabled:
    db 0

section .bss
align 4096
boot_pml4:
    resb 4096
boot_pdpt:
    resb 4096
boot_pd:
    resb 4096 * 4
align 16
boot_stack:
    resb BOOT_STACK_SIZE
boot_stack_top:
