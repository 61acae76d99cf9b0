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
 *
 * The line discipline (kernel/dev/console_ldisc.c) stands between the ring
 * and user processes reading the console: the mode (uapi/console.h: echo,
 * cooked lines, Ctrl-C as a signal) and the foreground process group.
 * The kernel's own readers (console_getc: the root shell) take raw bytes.
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
/* Is output being written right now (the console lock held)? With one
 * CPU and interrupts off, that writer is this very code path: a trace
 * point asks, to drop its line rather than deadlock (include/ktrace.h). */
bool console_busy(void);
/* Did the output so far end a line? (A trace line that comes in the middle
 * of an echoed command line starts a line of its own.) */
bool console_at_line_start(void);
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

/* A kernel reader's line (the root shell's, the monitor's): print prompt
 * and run the line editor ed (include/lineedit.h, set up with
 * console_line_echo as its output) over console input until Enter; Ctrl-C
 * abandons the line and prompts again, Ctrl-D on an empty line does
 * nothing. CONSOLE_LINE_DONE: the line is in ed->buf; TOO_LONG: it was
 * refused (ed->buf holds what fitted); INTERRUPTED: only with
 * CONSOLE_WAIT_INTERRUPTIBLE, the thread is being killed. */
enum console_wait {
    CONSOLE_WAIT_UNINTERRUPTIBLE,
    CONSOLE_WAIT_INTERRUPTIBLE,
};
enum console_line_status {
    CONSOLE_LINE_DONE,
    CONSOLE_LINE_TOO_LONG,
    CONSOLE_LINE_INTERRUPTED,
};
struct lineedit;
enum console_line_status console_line_read(struct lineedit *ed, const char *prompt,
                                           enum console_wait wait);
/* The line editor's output callback for console_line_read: the console. */
void console_line_echo(void *ctx, const char *s, size_t n);

/* Bytes dropped because the ring was full, since boot. */
uint64_t console_input_dropped(void);
/* Throw away every byte waiting in the ring (Ctrl-C did, as a terminal's
 * interrupt flushes its input). Interrupts off. */
void console_input_flush(void);

/* ---- the line discipline (kernel/dev/console_ldisc.c) ---- */

/* Send a signal for Ctrl-C to process group pgid: how many processes the
 * group has (0: none, nobody got it). Called from the input interrupt. */
typedef int (*console_intr_fn)(int pgid);
/* The process layer's, installed at boot (dev is below proc). */
void console_set_intr_hook(console_intr_fn fn);

/* The mode (CONSOLE_* of uapi/console.h); setting returns the old one. A
 * change of CONSOLE_CANON drops a line half typed. */
uint32_t console_mode_get(void);
uint32_t console_mode_set(uint32_t mode);

/* The foreground process group (0: none); setting returns the old one.
 * Nothing is checked here: permission is the caller's business. */
int console_fg_get(void);
int console_fg_set(int pgid);

/* Called for each input byte in interrupt context, before it is queued:
 * true if the byte was taken as Ctrl-C for the foreground group (with
 * CONSOLE_ISIG, and the group has a live process), which flushes the
 * input, drops the line being typed and echoes "^C". */
bool console_ldisc_intr(char c);

/* A user process's read of the console in the current mode: up to n bytes
 * into the kernel buffer buf, 0 for end of file (Ctrl-D, cooked), or
 * -EINTR if the reader was interrupted while it waited (what it had typed
 * of a cooked line stays for the next read). Sleeps. */
long console_ldisc_read(char *buf, size_t n);

/* A new open file on the console (kernel/dev/console_file.c), opened
 * O_RDONLY, O_WRONLY or O_RDWR: reads go through the line discipline
 * (sleeping, interruptibly), writes print. 0 or -ENOMEM. */
struct file;
int console_file_open(uint32_t flags, struct file **out);
/* Is f an open file on the console? */
bool console_file_is(const struct file *f);

/* ---- devices (arch/x86_64/dev/) ---- */
void serial_init(void);             /* registers COM1 for output */
void serial_enable_irq(void);       /* COM1 input */
void vga_init(void);                /* registers the VGA text screen */
void kbd_init(void);                /* PS/2 keyboard input */

#endif
