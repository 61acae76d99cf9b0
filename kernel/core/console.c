/*
 * Console output: a list of registered devices, written in order under one
 * lock so that lines from different threads do not interleave mid-byte.
 *
 * Invariant: devices are only ever added (never removed), at boot, before
 * other CPUs or threads write, so the list can be walked under the lock
 * without further care.
 */
#include <console.h>
#include <spinlock.h>

static struct console_dev *devices;
static struct console_dev **devices_tail = &devices;
static struct spinlock console_lock = SPINLOCK_INIT("console");
static volatile bool panic_mode;
static char last_byte = '\n';          /* of the output so far */

void console_register(struct console_dev *dev)
{
    bool f = spin_lock_irqsave(&console_lock);
    dev->next = NULL;
    *devices_tail = dev;
    devices_tail = &dev->next;
    spin_unlock_irqrestore(&console_lock, f);
}

void console_panic_mode(void)
{
    panic_mode = true;
}

bool console_busy(void)
{
    return !panic_mode && spin_is_locked(&console_lock);
}

void console_write(const char *s, size_t n)
{
    /* A panic may strike with the lock held (even by the panicking code
     * itself): then write without it rather than deadlock or recurse. */
    if (panic_mode) {
        for (struct console_dev *d = devices; d; d = d->next)
            d->write(s, n);
        return;
    }
    bool f = spin_lock_irqsave(&console_lock);
    for (struct console_dev *d = devices; d; d = d->next)
        d->write(s, n);
    if (n)
        last_byte = s[n - 1];
    spin_unlock_irqrestore(&console_lock, f);
}

bool console_at_line_start(void)
{
    return last_byte == '\n';
}
