/*
 * The two legacy 8259 PICs, remapped to vectors 32-47. Devices that predate
 * the APIC (keyboard, COM1) use them; the local APIC timer does not.
 */
#include <arch/irq.h>
#include <arch/cpu.h>

#define PIC1_CMD    0x20
#define PIC1_DATA   0x21
#define PIC2_CMD    0xA0
#define PIC2_DATA   0xA1
#define PIC_EOI     0x20

static uint16_t pic_masks = 0xFFFF;

static void pic_write_masks(void)
{
    outb(PIC1_DATA, pic_masks & 0xFF);
    outb(PIC2_DATA, pic_masks >> 8);
}

void pic_init(void)
{
    outb(PIC1_CMD, 0x11);               /* ICW1: init, expect ICW4 */
    outb(PIC2_CMD, 0x11);
    outb(PIC1_DATA, VEC_IRQ_BASE);      /* ICW2: vector offsets */
    outb(PIC2_DATA, VEC_IRQ_BASE + 8);
    outb(PIC1_DATA, 4);                 /* ICW3: slave on IRQ2 */
    outb(PIC2_DATA, 2);
    outb(PIC1_DATA, 0x01);              /* ICW4: 8086 mode */
    outb(PIC2_DATA, 0x01);
    pic_masks = 0xFFFF & ~(1u << IRQ_CASCADE);
    pic_write_masks();
}

void irq_unmask(unsigned irq)
{
    bool f = irq_save();
    pic_masks &= ~(1u << irq);
    pic_write_masks();
    irq_restore(f);
}

void irq_mask(unsigned irq)
{
    bool f = irq_save();
    pic_masks |= 1u << irq;
    pic_write_masks();
    irq_restore(f);
}

void pic_eoi(unsigned irq)
{
    if (irq >= 8)
        outb(PIC2_CMD, PIC_EOI);
    outb(PIC1_CMD, PIC_EOI);
}

void irq_register(unsigned irq, trap_handler_fn fn)
{
    trap_register(VEC_IRQ_BASE + irq, fn);
}
