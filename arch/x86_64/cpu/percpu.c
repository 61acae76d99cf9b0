/* Per-CPU areas (one CPU for now) and the GS base that points at them. */
#include <percpu.h>
#include <arch/cpu.h>

static struct cpu cpu0;

void percpu_init(void)
{
    cpu0.self = &cpu0;
    cpu0.id = 0;
    wrmsr(MSR_GS_BASE, (uint64_t)&cpu0);
    wrmsr(MSR_KERNEL_GS_BASE, 0);   /* user GS base until a process sets one */
}
