/*
 * A line editor for a terminal, as pure code: it is fed the bytes the user
 * types, one at a time, and answers with the bytes that redraw the line.
 * Shared by the kernel shell (kernel/shell/shell.c), the console's cooked
 * mode (kernel/dev/console_ldisc.c) and the user library's readline
 * (user/lib/readline.c); tested on the host (tests/host/test_lineedit.c).
 *
 * Input is what a serial terminal sends (the PS/2 driver translates its
 * keys to the same): printable ASCII is inserted at the cursor; Enter is
 * CR, LF or CRLF (the LF of a CRLF is skipped, even across two lines);
 *
 *   Backspace (DEL or BS)  delete before the cursor
 *   Delete: ESC [ 3 ~      delete under the cursor; Ctrl-D too on a line
 *                          that is not empty (on an empty one: end of file)
 *   Left/Right: ESC [ D/C  move the cursor
 *   Home: ESC [ H, ESC O H, ESC [ 1 ~, ESC [ 7 ~, Ctrl-A
 *   End:  ESC [ F, ESC O F, ESC [ 4 ~, ESC [ 8 ~, Ctrl-E
 *   Up/Down: ESC [ A/B     older/newer history line (the line being edited
 *                          comes back below the newest)
 *   Ctrl-U / Ctrl-K        delete from the start to the cursor / from the
 *                          cursor to the end
 *   Ctrl-C                 abandon the line
 *
 * Other control bytes and unknown escape sequences are ignored. A control
 * byte inside an escape sequence ends the sequence and counts as itself,
 * so Enter and Ctrl-C always work. A character that does not fit is
 * refused, and the line is reported too long when Enter comes (unless it
 * was emptied in between).
 *
 * Output (through the out callback) is the echo and ANSI cursor motion:
 * CSI n D (left), CSI C (right), CSI K (clear to the end of the line).
 *
 * Invariants: len < LINEEDIT_LINE_MAX, cursor <= len, buf[len] == '\0'
 * after every feed; the terminal's cursor stands where `cursor` says,
 * relative to where the line started.
 */
#ifndef STRATA_LINEEDIT_H
#define STRATA_LINEEDIT_H

#include <stddef.h>
#include <stdbool.h>

#define LINEEDIT_LINE_MAX   256     /* bytes of a line, the NUL included */
#define LINEEDIT_HISTORY    16      /* lines a history keeps */

/* The lines entered, newest last; the oldest go when it is full. */
struct lineedit_history {
    char lines[LINEEDIT_HISTORY][LINEEDIT_LINE_MAX];
    unsigned count;                 /* lines ever added */
};

/* What a byte did to the line. */
enum lineedit_status {
    LINEEDIT_MORE,          /* the line goes on: feed the next byte */
    LINEEDIT_DONE,          /* Enter: the line is in buf ("\n" echoed) */
    LINEEDIT_TOO_LONG,      /* Enter, but characters were refused: buf
                               holds what fitted ("\n" echoed) */
    LINEEDIT_CANCEL,        /* Ctrl-C: the line is abandoned ("^C\n" echoed) */
    LINEEDIT_EOF,           /* Ctrl-D on an empty line (nothing echoed) */
};

/* Where the editor's output goes: n bytes at s. */
typedef void (*lineedit_out_fn)(void *ctx, const char *s, size_t n);

/* Where a byte goes in the escape-sequence parser. */
enum lineedit_esc {
    LINEEDIT_ESC_NONE,      /* not in a sequence */
    LINEEDIT_ESC_START,     /* after ESC */
    LINEEDIT_ESC_PARAMS,    /* after ESC [ or ESC O: parameters, then a final byte */
};

struct lineedit {
    char buf[LINEEDIT_LINE_MAX];
    size_t len, cursor;
    bool overflow;                  /* a character was refused */
    bool last_was_cr;               /* the previous byte was CR (kept across lines) */
    enum lineedit_esc esc;
    unsigned esc_param;             /* the first parameter, at most 1000 */
    bool esc_param_done;            /* a ';' ended the first parameter */
    struct lineedit_history *hist;  /* NULL: no history */
    unsigned hist_pos;              /* line shown: hist->count is the one edited */
    char saved[LINEEDIT_LINE_MAX];  /* the line edited, while browsing the history */
    lineedit_out_fn out;
    void *out_ctx;
};

/* Set ed up with a history (or NULL) and an output; an empty line. */
void lineedit_init(struct lineedit *ed, struct lineedit_history *hist,
                   lineedit_out_fn out, void *out_ctx);

/* Begin a new, empty line (the caller has printed its prompt). The CR
 * state is kept, so the LF of a CRLF that ended the last line is skipped. */
void lineedit_start(struct lineedit *ed);

/* Take one input byte: echo what it changes and say where the line is. */
enum lineedit_status lineedit_feed(struct lineedit *ed, char c);

/* Add a line to the history: not an empty one, nor the same as the newest;
 * a line longer than a history entry is cut. */
void lineedit_history_add(struct lineedit_history *h, const char *line);

#endif
