/* Local APIC: the scheduler's periodic timer, calibrated against the PIT. */
#ifndef STRATA_ARCH_LAPIC_H
#define STRATA_ARCH_LAPIC_H

#include <compiler.h>

/* Enable the local APIC, measure its timer and the TSC against the PIT,
 * and start a periodic interrupt at hz calling tick() each time. */
void lapic_timer_init(unsigned hz, void (*tick)(void));
void lapic_eoi(void);
uint64_t lapic_timer_hz(void);

#endif
