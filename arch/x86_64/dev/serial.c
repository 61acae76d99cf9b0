/* COM1 16550 UART: polled output, interrupt-driven input (IRQ 4). */
#include <console.h>
#include <arch/cpu.h>
#include <arch/irq.h>

#define COM1        0x3F8
#define REG_DATA    0
#define REG_IER     1       /* interrupt enable */
#define REG_FCR     2       /* FIFO control */
#define REG_LCR     3       /* line control */
#define REG_MCR     4       /* modem control */
#define REG_LSR     5       /* line status */
#define LSR_DATA_READY  0x01
#define LSR_THR_EMPTY   0x20

static void serial_putc(char c)
{
    while (!(inb(COM1 + REG_LSR) & LSR_THR_EMPTY))
        cpu_relax();
    outb(COM1 + REG_DATA, (uint8_t)c);
}

/* A serial terminal needs CR LF to start a new line. */
static void serial_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            serial_putc('\r');
        serial_putc(s[i]);
    }
}

static struct console_dev serial_console = { .name = "com1", .write = serial_write };

void serial_init(void)
{
    outb(COM1 + REG_IER, 0x00);
    outb(COM1 + REG_LCR, 0x80);     /* DLAB: set divisor */
    outb(COM1 + REG_DATA, 1);       /* 115200 baud */
    outb(COM1 + REG_IER, 0);
    outb(COM1 + REG_LCR, 0x03);     /* 8N1 */
    outb(COM1 + REG_FCR, 0xC7);     /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + REG_MCR, 0x0B);     /* DTR, RTS, OUT2 (routes the IRQ) */
    console_register(&serial_console);
}

static void serial_irq(struct trap_frame *tf)
{
    while (inb(COM1 + REG_LSR) & LSR_DATA_READY)
        console_input_push((char)inb(COM1 + REG_DATA));
}

void serial_enable_irq(void)
{
    irq_register(IRQ_COM1, serial_irq);
    outb(COM1 + REG_IER, 0x01);     /* data available */
    irq_unmask(IRQ_COM1);
}
