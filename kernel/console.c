/*
 * Console multiplexer: writes go to COM1 and VGA; input from COM1 and the
 * keyboard is queued in a ring that console_getc() drains.
 *
 * Invariant: the ring is only modified with interrupts disabled (the IRQ
 * handlers that fill it run with interrupts disabled too).
 */
#include <console.h>
#include <spinlock.h>
#include <waitq.h>

#define INPUT_RING_SIZE 256     /* power of two */

static char input_ring[INPUT_RING_SIZE];
static unsigned input_head, input_tail;    /* head: next write; tail: next read */
static struct spinlock console_lock = SPINLOCK_INIT("console");
static struct waitq input_waiters = WAITQ_INIT(input_waiters);

void console_init(void)
{
    serial_init();
    vga_init();
}

void console_write(const char *s, size_t n)
{
    bool f = spin_lock_irqsave(&console_lock);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
        vga_putc(s[i]);
    }
    spin_unlock_irqrestore(&console_lock, f);
}

void console_input_push(char c)
{
    if (input_head - input_tail < INPUT_RING_SIZE) {
        input_ring[input_head % INPUT_RING_SIZE] = c;
        input_head++;
    }
    waitq_wake_all(&input_waiters);
}

static bool console_input_ready(void *arg)
{
    return input_head != input_tail;
}

char console_getc(void)
{
    for (;;) {
        bool f = irq_save();
        if (input_head != input_tail) {
            char c = input_ring[input_tail % INPUT_RING_SIZE];
            input_tail++;
            irq_restore(f);
            return c;
        }
        irq_restore(f);
        waitq_wait_until(&input_waiters, console_input_ready, NULL);
    }
}
