/*
 * Supervisor-mode execution and access prevention (SMEP, SMAP): the CPU's
 * guard against the kernel running or touching user memory by mistake
 * (arch/x86_64/cpu/protect.c).
 */
#ifndef STRATA_ARCH_PROTECT_H
#define STRATA_ARCH_PROTECT_H

#include <compiler.h>

#define CR4_SMEP    (1ull << 20)
#define CR4_SMAP    (1ull << 21)
#define RFLAGS_AC   (1ull << 18)    /* with SMAP: the kernel may access user pages */

/* Turn on SMEP and SMAP where CPUID reports them. Called once at boot,
 * after the kernel map is in place and before any user page exists. */
void cpu_protect_init(void);

/* Whether each protection is on (false before cpu_protect_init). */
bool cpu_smep_enabled(void);
bool cpu_smap_enabled(void);

#endif
