/*
 * readline: a line from standard input, edited with the line editor of
 * include/lineedit.h (kernel/lib/lineedit.c, compiled into this library
 * too: the root shell's editor), with a history.
 *
 * When standard input is the console, readline puts it in raw mode for the
 * time the line is edited (the editor echoes, and Ctrl-C must come as a
 * byte, not as SIGINT), before the prompt is printed, so nothing the user
 * types after seeing the prompt is cooked; it gives the console its mode
 * back before returning, so the program the caller runs next finds it as
 * it was. Bytes are read one at a time: what is typed after Enter stays in
 * the console for whoever reads next.
 *
 * Invariant: `editor` is set up once and kept between calls (its CR state
 * skips the LF of a CRLF that ended the previous line).
 */
#include <ulib.h>

static struct lineedit_history history;
static struct lineedit editor;
static bool editor_ready;
static bool echo_on;        /* standard input is the console: prompt and echo */

static void readline_echo(void *ctx, const char *s, size_t n)
{
    if (echo_on)
        write_all(FD_STDOUT, s, n);
}

struct lineedit_history *readline_history(void)
{
    return &history;
}

int readline(const char *prompt, char *buf, size_t n)
{
    if (n == 0)
        return -EINVAL;
    if (!editor_ready) {
        lineedit_init(&editor, &history, readline_echo, NULL);
        editor_ready = true;
    }
    int old_mode = console_mode(FD_STDIN, CONSOLE_RAW);    /* < 0: not the console */
    echo_on = old_mode >= 0;
    if (echo_on && prompt)
        write_all(FD_STDOUT, prompt, strlen(prompt));
    lineedit_start(&editor);
    int st;
    for (;;) {
        char c;
        long r = read(FD_STDIN, &c, 1);
        if (r <= 0) {
            st = r < 0 ? (int)r : LINEEDIT_EOF;
            break;
        }
        if ((st = lineedit_feed(&editor, c)) != LINEEDIT_MORE)
            break;
    }
    if (old_mode >= 0)
        console_mode(FD_STDIN, old_mode);
    size_t len = st == LINEEDIT_DONE || st == LINEEDIT_TOO_LONG ? editor.len : 0;
    if (len >= n)
        len = n - 1;
    memcpy(buf, editor.buf, len);
    buf[len] = '\0';
    if (st == LINEEDIT_DONE)
        lineedit_history_add(&history, buf);
    return st;
}
