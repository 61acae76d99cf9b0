/*
 * Segment selectors, the GDT and the TSS.
 *
 * The order of the user selectors is fixed by SYSRET, which loads
 * CS = STAR[63:48] + 16 and SS = STAR[63:48] + 8.
 */
#ifndef STRATA_ARCH_GDT_H
#define STRATA_ARCH_GDT_H

#include <compiler.h>

#define SEL_KCODE   0x08
#define SEL_KDATA   0x10
#define SEL_UCODE32 0x18    /* SYSRET's layout needs the slot; not present */
#define SEL_UDATA   0x20
#define SEL_UCODE   0x28
#define SEL_TSS     0x30
#define RPL_USER    3

enum ist_slot { IST_NONE = 0, IST_DOUBLE_FAULT = 1, IST_NMI = 2, IST_MACHINE_CHECK = 3 };

/* The 64-bit task state segment (Intel SDM vol. 3, 8.7): only the stack
 * pointers are used, rsp[0] for interrupts from user mode, ist[] for the
 * vectors that must not trust the current stack. */
struct tss {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __packed;

extern struct tss tss;      /* the CPU's TSS (gdt.c) */

void gdt_init(void);
/* Kernel stack used when an interrupt arrives in user mode. Inline: the
 * scheduler sets it on every switch. */
static inline void tss_set_rsp0(uint64_t rsp0)
{
    tss.rsp[0] = rsp0;
}
/* [lo, hi) of IST stack slot, for recognising them in backtraces. */
void tss_ist_bounds(enum ist_slot slot, uint64_t *lo, uint64_t *hi);

#endif
