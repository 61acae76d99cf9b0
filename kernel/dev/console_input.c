/*
 * Console input: one ring of bytes filled by the input devices' interrupt
 * handlers and drained by console_getc(), which sleeps while it is empty.
 *
 * Invariant: the ring and the drop counter are modified only with
 * interrupts disabled (the IRQ handlers that fill them run that way too).
 */
#include <console.h>
#include <waitq.h>
#include <log.h>
#include <lineedit.h>
#include <arch/cpu.h>
#include <uapi/errno.h>

static char input_ring[CONSOLE_INPUT_SIZE];
static unsigned input_head, input_tail;    /* head: next write; tail: next read */
static uint64_t input_dropped, input_dropped_reported;
static struct waitq input_waiters = WAITQ_INIT(input_waiters);

_Static_assert((CONSOLE_INPUT_SIZE & (CONSOLE_INPUT_SIZE - 1)) == 0,
               "the ring index arithmetic needs a power of two");

void console_input_push(char c)
{
    if (console_ldisc_intr(c))
        return;                 /* Ctrl-C, taken as a signal */
    if (input_head - input_tail < CONSOLE_INPUT_SIZE) {
        input_ring[input_head % CONSOLE_INPUT_SIZE] = c;
        input_head++;
    } else {
        input_dropped++;
    }
    waitq_wake_all(&input_waiters);
}

void console_input_flush(void)
{
    bool f = irq_save();
    input_tail = input_head;
    irq_restore(f);
}

uint64_t console_input_dropped(void)
{
    return input_dropped;
}

static bool console_input_ready(void *arg)
{
    return input_head != input_tail;
}

/* Take the next byte, sleeping while there is none: the byte, or -EINTR
 * if an interruptible wait was interrupted. */
static int console_input_take(bool interruptible)
{
    for (;;) {
        bool f = irq_save();
        uint64_t dropped = input_dropped - input_dropped_reported;
        input_dropped_reported = input_dropped;
        bool have = input_head != input_tail;
        char c = have ? input_ring[input_tail++ % CONSOLE_INPUT_SIZE] : 0;
        irq_restore(f);
        if (dropped)
            pr_warn("console: %lu input byte(s) dropped: the input buffer (%u bytes) was full\n",
                    dropped, CONSOLE_INPUT_SIZE);
        if (have)
            return (unsigned char)c;
        if (!interruptible)
            waitq_wait_until(&input_waiters, console_input_ready, NULL);
        else if (waitq_wait_interruptible(&input_waiters, console_input_ready, NULL) < 0)
            return -EINTR;
    }
}

char console_getc(void)
{
    return (char)console_input_take(false);
}

int console_getc_interruptible(void)
{
    return console_input_take(true);
}

int console_trygetc(void)
{
    bool f = irq_save();
    int c = input_head != input_tail ? (unsigned char)input_ring[input_tail++ % CONSOLE_INPUT_SIZE] : -1;
    irq_restore(f);
    return c;
}

void console_line_echo(void *ctx, const char *s, size_t n)
{
    console_write(s, n);
}

enum console_line_status console_line_read(struct lineedit *ed, const char *prompt,
                                           enum console_wait wait)
{
    for (;;) {
        kprintf("%s", prompt);
        lineedit_start(ed);
        enum lineedit_status st;
        do {
            int c = console_input_take(wait == CONSOLE_WAIT_INTERRUPTIBLE);
            if (c < 0)
                return CONSOLE_LINE_INTERRUPTED;
            st = lineedit_feed(ed, (char)c);
        } while (st == LINEEDIT_MORE || st == LINEEDIT_EOF);  /* Ctrl-D: nothing to end here */
        if (st != LINEEDIT_CANCEL)
            return st == LINEEDIT_DONE ? CONSOLE_LINE_DONE : CONSOLE_LINE_TOO_LONG;
    }
}
