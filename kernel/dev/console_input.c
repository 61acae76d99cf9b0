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
#include <arch/cpu.h>

static char input_ring[CONSOLE_INPUT_SIZE];
static unsigned input_head, input_tail;    /* head: next write; tail: next read */
static uint64_t input_dropped, input_dropped_reported;
static struct waitq input_waiters = WAITQ_INIT(input_waiters);

_Static_assert((CONSOLE_INPUT_SIZE & (CONSOLE_INPUT_SIZE - 1)) == 0,
               "the ring index arithmetic needs a power of two");

void console_input_push(char c)
{
    if (input_head - input_tail < CONSOLE_INPUT_SIZE) {
        input_ring[input_head % CONSOLE_INPUT_SIZE] = c;
        input_head++;
    } else {
        input_dropped++;
    }
    waitq_wake_all(&input_waiters);
}

uint64_t console_input_dropped(void)
{
    return input_dropped;
}

static bool console_input_ready(void *arg)
{
    return input_head != input_tail;
}

char console_getc(void)
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
            return c;
        waitq_wait_until(&input_waiters, console_input_ready, NULL);
    }
}
