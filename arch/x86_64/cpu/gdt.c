/*
 * GDT with kernel/user segments and a 64-bit TSS carrying the IST stacks.
 *
 * There is no 32-bit user code segment: its slot (SEL_UCODE32, where
 * SYSRET's layout puts it) is an empty, not-present descriptor, so a far
 * jump or return into it faults in user mode, and no user code runs in
 * compatibility mode (where `syscall` would enter at MSR_CSTAR and an
 * iretq to a 32-bit segment with a 64-bit rip could fault in the kernel).
 */
#include <arch/gdt.h>
#include <string.h>

#define IST_STACK_SIZE  16384

static uint8_t ist_stacks[3][IST_STACK_SIZE] __aligned(16);
struct tss tss;
static uint64_t gdt[8];

struct gdt_ptr {
    uint16_t limit;
    uint64_t base;
} __packed;

void gdt_init(void)
{
    gdt[0] = 0;
    gdt[SEL_KCODE / 8]   = 0x00AF9A000000FFFFull;  /* 64-bit code, DPL 0 */
    gdt[SEL_KDATA / 8]   = 0x00CF92000000FFFFull;  /* data, DPL 0 */
    gdt[SEL_UCODE32 / 8] = 0;                      /* not present: no 32-bit user code */
    gdt[SEL_UDATA / 8]   = 0x00CFF2000000FFFFull;  /* data, DPL 3 */
    gdt[SEL_UCODE / 8]   = 0x00AFFA000000FFFFull;  /* 64-bit code, DPL 3 */

    memset(&tss, 0, sizeof(tss));
    for (int i = 0; i < 3; i++)
        tss.ist[i] = (uint64_t)&ist_stacks[i][IST_STACK_SIZE];
    tss.iomap_base = sizeof(tss);       /* no I/O permission bitmap */

    uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
    gdt[SEL_TSS / 8] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) |
                       (0x89ull << 40) |                 /* present, 64-bit TSS */
                       (((limit >> 16) & 0xF) << 48) |
                       (((base >> 24) & 0xFF) << 56);
    gdt[SEL_TSS / 8 + 1] = base >> 32;

    struct gdt_ptr p = { sizeof(gdt) - 1, (uint64_t)gdt };
    __asm__ volatile(
        "lgdt %0\n\t"
        "pushq %1\n\t"
        "leaq 1f(%%rip), %%rax\n\t"
        "pushq %%rax\n\t"
        "lretq\n"
        "1:\n\t"
        "movw %w2, %%ax\n\t"
        "movw %%ax, %%ds\n\t"
        "movw %%ax, %%es\n\t"
        "movw %%ax, %%ss\n\t"
        "ltr %w3\n\t"
        :: "m"(p), "i"(SEL_KCODE), "i"(SEL_KDATA), "r"((uint16_t)SEL_TSS)
        : "rax", "memory");
}

void tss_ist_bounds(enum ist_slot slot, uint64_t *lo, uint64_t *hi)
{
    *lo = (uint64_t)ist_stacks[slot - 1];
    *hi = *lo + IST_STACK_SIZE;
}
