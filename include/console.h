/*
 * The console: output goes to every output device (COM1 and the VGA text
 * screen); input bytes from every input device (COM1 and the PS/2 keyboard)
 * are queued in one ring and read by whoever reads the console.
 *
 * Keyboard arrow keys are translated to the same ANSI escape sequences a
 * serial terminal sends, so readers see a single input language.
 */
#ifndef STRATA_CONSOLE_H
#define STRATA_CONSOLE_H

#include <compiler.h>

void console_init(void);
void console_write(const char *s, size_t n);

/* Called from interrupt handlers: queue one input byte (dropped if full). */
void console_input_push(char c);

/* Block until an input byte is available and return it. */
char console_getc(void);

/* Low-level devices. */
void serial_init(void);
void serial_putc(char c);
void serial_enable_irq(void);
void vga_init(void);
void vga_putc(char c);
void kbd_init(void);

#endif
