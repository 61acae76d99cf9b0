/*
 * The console's line discipline: what a user process reading the console
 * gets, as the mode says (uapi/console.h), and Ctrl-C for the foreground
 * process group.
 *
 * Cooked reads run the line editor (include/lineedit.h) over the input
 * ring in the reader's own thread: what is typed is echoed when a reader
 * takes it, so bytes typed ahead of a read appear when the read comes.
 * A finished line waits in `ready` until it has been read whole. Ctrl-C
 * is looked at as it arrives, in the input interrupt: with CONSOLE_ISIG
 * and a live foreground group, it becomes SIGINT for the group (through
 * the hook the process layer installs) and never reaches the ring.
 *
 * Invariants:
 *  - mode, fg_pgid, ready_*, and discard are changed with interrupts off
 *    (the input interrupt reads or sets them);
 *  - only the thread holding the reader lock (reader_busy) touches the
 *    editor and takes from `ready`, so two readers never split a line;
 *  - ready_pos <= ready_len <= sizeof(ready).
 */
#include <console.h>
#include <lineedit.h>
#include <waitq.h>
#include <string.h>
#include <arch/cpu.h>
#include <uapi/console.h>
#include <uapi/errno.h>

#define KEY_INTR    0x03        /* Ctrl-C */

static uint32_t mode = CONSOLE_COOKED;
static int fg_pgid;                     /* 0: no foreground group */
static console_intr_fn intr_hook;

static struct lineedit editor;          /* the cooked line being typed */
static bool editor_ready;               /* lineedit_init has run */
static bool discard;                    /* a Ctrl-C dropped the line being typed */
static char ready[LINEEDIT_LINE_MAX + 1];   /* a finished line and its "\n" */
static size_t ready_pos, ready_len;

static bool reader_busy;
static struct waitq reader_wq = WAITQ_INIT(reader_wq);

void console_set_intr_hook(console_intr_fn fn)
{
    intr_hook = fn;
}

uint32_t console_mode_get(void)
{
    return mode;
}

uint32_t console_mode_set(uint32_t new_mode)
{
    bool f = irq_save();
    uint32_t old = mode;
    mode = new_mode & CONSOLE_MODES;
    if ((old ^ mode) & CONSOLE_CANON)
        discard = true;         /* a line half typed in the other mode is gone */
    irq_restore(f);
    return old;
}

int console_fg_get(void)
{
    return fg_pgid;
}

int console_fg_set(int pgid)
{
    bool f = irq_save();
    int old = fg_pgid;
    fg_pgid = pgid;
    irq_restore(f);
    return old;
}

bool console_ldisc_intr(char c)
{
    if (c != KEY_INTR || !(mode & CONSOLE_ISIG) || !fg_pgid || !intr_hook)
        return false;
    if (intr_hook(fg_pgid) == 0)
        return false;           /* nobody in the group: the byte goes to the reader */
    console_input_flush();
    discard = true;
    ready_pos = ready_len = 0;
    if (mode & CONSOLE_ECHO)
        console_write("^C\n", 3);
    return true;
}

/* ---- the reader lock ---- */

/* The wait condition of reader_lock. */
static bool reader_free(void *arg)
{
    return !reader_busy;
}

/* Become the one reader. 0, or -EINTR (not the reader). */
static int reader_lock(void)
{
    for (;;) {
        bool f = irq_save();
        if (!reader_busy) {
            reader_busy = true;
            irq_restore(f);
            return 0;
        }
        irq_restore(f);
        int err = waitq_wait_interruptible(&reader_wq, reader_free, NULL);
        if (err)
            return err;
    }
}

/* Let the next reader in. */
static void reader_unlock(void)
{
    reader_busy = false;
    waitq_wake_all(&reader_wq);
}

/* ---- reads ---- */

/* The editor's output: to the screen with CONSOLE_ECHO, else nowhere. */
static void ldisc_echo(void *ctx, const char *s, size_t n)
{
    if (mode & CONSOLE_ECHO)
        console_write(s, n);
}

/* Take up to n bytes of the finished line: how many (0: none waits). */
static size_t ready_take(char *buf, size_t n)
{
    bool f = irq_save();
    size_t k = MIN(n, ready_len - ready_pos);
    memcpy(buf, ready + ready_pos, k);
    ready_pos += k;
    if (ready_pos == ready_len)
        ready_pos = ready_len = 0;
    irq_restore(f);
    return k;
}

/* A Ctrl-C dropped the line being typed: start a new one. */
static void editor_discard_check(void)
{
    bool f = irq_save();
    if (discard) {
        discard = false;
        lineedit_start(&editor);
    }
    irq_restore(f);
}

/* What a read gets first: the rest of a finished line (> 0: its length),
 * else the next byte typed, waited for (*c), or -EINTR. */
static long ldisc_next(char *buf, size_t n, int *c)
{
    size_t k = ready_take(buf, n);
    if (k)
        return (long)k;
    *c = console_getc_interruptible();
    return *c < 0 ? *c : 0;
}

/* With the reader lock: the bytes of a finished line, or edit a new one
 * (0 at Ctrl-D on an empty one). */
static long ldisc_read_cooked(char *buf, size_t n)
{
    if (!editor_ready) {
        lineedit_init(&editor, NULL, ldisc_echo, NULL);
        editor_ready = true;
    }
    for (;;) {
        int c;
        editor_discard_check();
        long r = ldisc_next(buf, n, &c);
        if (r)
            return r;
        editor_discard_check();     /* a Ctrl-C came while we waited: c is typed after it */
        switch (lineedit_feed(&editor, (char)c)) {
        case LINEEDIT_DONE:
        case LINEEDIT_TOO_LONG: {       /* what fitted: the rest was never echoed */
            bool f = irq_save();
            memcpy(ready, editor.buf, editor.len);
            ready[editor.len] = '\n';
            ready_pos = 0;
            ready_len = editor.len + 1;
            irq_restore(f);
            lineedit_start(&editor);
            break;
        }
        case LINEEDIT_EOF:
            return 0;
        default:                        /* MORE; CANCEL: Ctrl-C nobody took, the line is dropped */
            break;
        }
    }
}

/* With the reader lock: what is waiting (at least one byte), unedited. */
static long ldisc_read_raw(char *buf, size_t n)
{
    int c;
    long r = ldisc_next(buf, n, &c);     /* a cooked line not read whole comes first */
    if (r)
        return r;
    size_t k = 0;
    buf[k++] = (char)c;
    while (k < n && (c = console_trygetc()) >= 0)
        buf[k++] = (char)c;
    if (mode & CONSOLE_ECHO)
        console_write(buf, k);
    return (long)k;
}

long console_ldisc_read(char *buf, size_t n)
{
    int err = reader_lock();
    if (err)
        return err;
    long r = (mode & CONSOLE_CANON) ? ldisc_read_cooked(buf, n) : ldisc_read_raw(buf, n);
    reader_unlock();
    return r;
}
