/*
 * The console.
 *
 * Output (kernel/core/console.c): devices register a struct console_dev
 * (COM1 and the VGA text screen do at boot); console_write sends every
 * byte to each of them, in registration order, under the console lock.
 * After console_panic_mode() the lock is ignored, so a panic that strikes
 * while the lock is held can still print.
 *
 * Input (kernel/dev/console_input.c): input devices (COM1, the PS/2
 * keyboard) push bytes from their interrupt handlers into one ring that
 * console_getc() drains. Keyboard arrow keys are translated to the ANSI
 * sequences a serial terminal sends, so readers see a single input
 * language. Bytes that arrive while the ring is full are dropped and
 * counted; the next reader reports the count.
 */
#ifndef STRATA_CONSOLE_H
#define STRATA_CONSOLE_H

#include <compiler.h>

struct console_dev {
    const char *name;
    /* Write n bytes; "\n" is a plain line feed (the device adds a CR if
     * its terminal needs one). Called with the console lock held. */
    void (*write)(const char *s, size_t n);
    struct console_dev *next;       /* the console's list */
};

/* Add an output device; everything written from now on reaches it. */
void console_register(struct console_dev *dev);
void console_write(const char *s, size_t n);
/* From now on write without taking the console lock (panics only). */
void console_panic_mode(void);

/* ---- input ---- */
#define CONSOLE_INPUT_SIZE  4096    /* bytes queued before drops (a pasted screenful) */

/* Called from interrupt handlers: queue one input byte (dropped and
 * counted if the ring is full). */
void console_input_push(char c);

/* Block until an input byte is available and return it. */
char console_getc(void);
/* The same for user processes: the byte (0-255), or -EINTR if the thread
 * is interrupted (its process is being killed) while it waits. */
int console_getc_interruptible(void);
/* The next byte if one is waiting (0-255), else -1; never blocks. */
int console_trygetc(void);

/* Bytes dropped because the ring was full, since boot. */
uint64_t console_input_dropped(void);

/* A new open file on the console (kernel/dev/console_file.c), opened
 * O_RDONLY, O_WRONLY or O_RDWR: reads take one input byte (sleeping,
 * interruptibly), writes print. 0 or -ENOMEM. */
struct file;
int console_file_open(uint32_t flags, struct file **out);

/* ---- devices (arch/x86_64/dev/) ---- */
void serial_init(void);             /* registers COM1 for output */
void serial_enable_irq(void);       /* COM1 input */
void vga_init(void);                /* registers the VGA text screen */
void kbd_init(void);                /* PS/2 keyboard input */

#endif
