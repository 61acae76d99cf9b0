/*
 * What the ACPI tables say about the machine, as far as Strata needs it:
 * how many CPUs there are. Only the boot CPU runs (no SMP yet); the count
 * lets the boot banner say so instead of leaving "-smp 2" unnoticed.
 */
#ifndef STRATA_ARCH_ACPI_H
#define STRATA_ARCH_ACPI_H

#include <compiler.h>

/* The number of usable CPUs (enabled or online-capable local APICs) in the
 * ACPI MADT, found through the RSDP the boot loader passed
 * (boot_info.acpi_rsdt/acpi_xsdt). -ENOENT when there is no RSDP, no MADT
 * or a table fails its checks. Reads the tables in place; changes nothing. */
int acpi_cpu_count(void);

#endif
