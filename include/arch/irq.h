/* Device interrupts through the legacy 8259 PICs (remapped to vectors 32-47). */
#ifndef STRATA_ARCH_IRQ_H
#define STRATA_ARCH_IRQ_H

#include <arch/trap.h>

enum { IRQ_PIT = 0, IRQ_KBD = 1, IRQ_CASCADE = 2, IRQ_COM1 = 4 };

void pic_init(void);
void irq_register(unsigned irq, trap_handler_fn fn);
void irq_unmask(unsigned irq);
void irq_mask(unsigned irq);
/* Acknowledge irq at the PIC(s); called by the dispatcher after the handler. */
void pic_eoi(unsigned irq);

#endif
