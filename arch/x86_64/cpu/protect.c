/*
 * SMEP and SMAP: the CPU's protections against the kernel using user
 * memory by mistake.
 *
 *   SMEP (CR4.SMEP): an instruction fetch in supervisor mode from a user
 *        page faults, so a kernel jump through a corrupted pointer never
 *        runs user-supplied code with kernel privilege.
 *   SMAP (CR4.SMAP): a supervisor data access to a user page faults unless
 *        RFLAGS.AC is set. The user-copy routines (uaccess_copy,
 *        uaccess_strnlen in arch/x86_64/entry/uaccess.asm) are the only
 *        code that sets it (stac), for the length of the copy, and they
 *        clear it (clac) on both ways out; every interrupt and exception
 *        entry clears it too (isr.asm; `syscall` clears it through
 *        MSR_FMASK), so a user that sets AC cannot lend it to the kernel.
 *
 * Both are reported by CPUID leaf 7, sub-leaf 0, EBX bits 7 (SMEP) and 20
 * (SMAP). stac and clac are invalid opcodes without SMAP, so the assembly
 * runs them only when cpu_smap_on is set (SMAP_STAC/SMAP_CLAC in
 * arch/x86_64/entry/smap.inc).
 *
 * A fault either one raises is a page fault with the present bit set on a
 * page the region allows: aspace/fault.c recognises it by the page being a
 * user page and reports it by name instead of asking the address space to
 * fix it.
 */
#include <arch/protect.h>
#include <arch/cpu.h>

#define CPUID7_EBX_SMEP (1u << 7)
#define CPUID7_EBX_SMAP (1u << 20)

/* Read by SMAP_STAC/SMAP_CLAC in assembly: a byte, 1 when SMAP is on. */
uint8_t cpu_smap_on;
static bool smep_on;

void cpu_protect_init(void)
{
    uint32_t max, ebx, ecx, edx, eax;
    cpuid(0, 0, &max, &ebx, &ecx, &edx);
    if (max < 7)
        return;
    cpuid(7, 0, &eax, &ebx, &ecx, &edx);
    uint64_t cr4 = read_cr4();
    if (ebx & CPUID7_EBX_SMEP)
        cr4 |= CR4_SMEP;
    if (ebx & CPUID7_EBX_SMAP)
        cr4 |= CR4_SMAP;
    write_cr4(cr4);
    smep_on = cr4 & CR4_SMEP;
    cpu_smap_on = (cr4 & CR4_SMAP) != 0;
    /* The boot loader's RFLAGS.AC is not ours to trust. */
    if (cpu_smap_on)
        __asm__ volatile("clac" ::: "memory");
}

bool cpu_smep_enabled(void)
{
    return smep_on;
}

bool cpu_smap_enabled(void)
{
    return cpu_smap_on;
}
