/*
 * The line editor (contract and key map in include/lineedit.h). Pure: the
 * only effects are on *ed, its history and the out callback.
 */
#include <lineedit.h>
#include <string.h>

#define KEY_CTRL(c)     ((c) & 0x1f)
#define KEY_ESC         0x1b
#define KEY_DEL         0x7f
#define ESC_PARAM_MAX   1000        /* larger parameters are clamped: none is meaningful */

/* Send n bytes to the terminal (nothing for 0). */
static void out(struct lineedit *ed, const char *s, size_t n)
{
    if (n)
        ed->out(ed->out_ctx, s, n);
}

/* Send a C string to the terminal. */
static void out_str(struct lineedit *ed, const char *s)
{
    out(ed, s, strlen(s));
}

/* CSI n D: move the terminal's cursor n columns left (nothing for 0). */
static void cursor_left(struct lineedit *ed, size_t n)
{
    char seq[24];
    char digits[20];
    size_t k = 0, i = 0;
    if (!n)
        return;
    do {
        digits[k++] = (char)('0' + n % 10);
        n /= 10;
    } while (n);
    seq[i++] = KEY_ESC;
    seq[i++] = '[';
    while (k)
        seq[i++] = digits[--k];
    seq[i++] = 'D';
    out(ed, seq, i);
}

/* Redraw from the cursor to the end of the line, clear what is beyond, and
 * put the terminal's cursor back at the editor's. */
static void redraw_tail(struct lineedit *ed)
{
    out(ed, ed->buf + ed->cursor, ed->len - ed->cursor);
    out_str(ed, "\x1b[K");
    cursor_left(ed, ed->len - ed->cursor);
}

/* Replace the whole line by text (cut to fit) with the cursor at its end. */
static void line_replace(struct lineedit *ed, const char *text)
{
    size_t n = strlen(text);
    if (n >= sizeof(ed->buf))
        n = sizeof(ed->buf) - 1;
    cursor_left(ed, ed->cursor);
    memcpy(ed->buf, text, n);
    ed->buf[n] = '\0';
    ed->len = n;
    ed->cursor = 0;
    redraw_tail(ed);
    out(ed, ed->buf, ed->len);
    ed->cursor = ed->len;
}

/* Insert c at the cursor and redraw the rest; a line that is full
 * refuses it and remembers that (overflow). */
static void line_insert(struct lineedit *ed, char c)
{
    if (ed->len + 1 >= sizeof(ed->buf)) {
        ed->overflow = true;
        return;
    }
    memmove(ed->buf + ed->cursor + 1, ed->buf + ed->cursor, ed->len - ed->cursor);
    ed->buf[ed->cursor] = c;
    ed->buf[++ed->len] = '\0';
    out(ed, &c, 1);
    ed->cursor++;
    if (ed->cursor < ed->len)
        redraw_tail(ed);
}

/* Delete the n characters from pos (within the line) and redraw from the
 * cursor, which the caller has put at or before pos. A line emptied is no
 * longer too long: what was refused is forgotten with the rest. */
static void line_delete(struct lineedit *ed, size_t pos, size_t n)
{
    memmove(ed->buf + pos, ed->buf + pos + n, ed->len - pos - n);
    ed->len -= n;
    ed->buf[ed->len] = '\0';
    if (ed->len == 0)
        ed->overflow = false;
    redraw_tail(ed);
}

/* Cursor to the start of the line. */
static void cursor_home(struct lineedit *ed)
{
    cursor_left(ed, ed->cursor);
    ed->cursor = 0;
}

/* Cursor to the end of the line (by printing what it passes over). */
static void cursor_end(struct lineedit *ed)
{
    out(ed, ed->buf + ed->cursor, ed->len - ed->cursor);
    ed->cursor = ed->len;
}

/* Show the next older (dir < 0) or newer (dir > 0) line of the history;
 * the line being edited is saved on the way up and comes back below the
 * newest. Nothing happens past either end, or without a history. */
static void history_browse(struct lineedit *ed, int dir)
{
    struct lineedit_history *h = ed->hist;
    if (!h)
        return;
    unsigned oldest = h->count > LINEEDIT_HISTORY ? h->count - LINEEDIT_HISTORY : 0;
    if (dir < 0 && ed->hist_pos > oldest) {
        if (ed->hist_pos == h->count)
            memcpy(ed->saved, ed->buf, ed->len + 1);    /* keep the line being edited */
        ed->hist_pos--;
    } else if (dir > 0 && ed->hist_pos < h->count) {
        ed->hist_pos++;
    } else {
        return;
    }
    line_replace(ed, ed->hist_pos == h->count ? ed->saved : h->lines[ed->hist_pos % LINEEDIT_HISTORY]);
}

/* The final byte of ESC [ params final (or ESC O final). */
static void escape_final(struct lineedit *ed, unsigned param, char final)
{
    switch (final) {
    case 'A': history_browse(ed, -1); break;
    case 'B': history_browse(ed, +1); break;
    case 'C':
        if (ed->cursor < ed->len) {
            out_str(ed, "\x1b[C");
            ed->cursor++;
        }
        break;
    case 'D':
        if (ed->cursor > 0) {
            cursor_left(ed, 1);
            ed->cursor--;
        }
        break;
    case 'H': cursor_home(ed); break;
    case 'F': cursor_end(ed); break;
    case '~':
        if (param == 3 && ed->cursor < ed->len)
            line_delete(ed, ed->cursor, 1);
        else if (param == 1 || param == 7)
            cursor_home(ed);
        else if (param == 4 || param == 8)
            cursor_end(ed);
        break;
    default:
        break;      /* an unknown sequence: ignored */
    }
}

/* A byte inside an escape sequence: true if the sequence took it, false if
 * it ended the sequence without being part of it (a control byte, which
 * the caller then handles as itself). */
static bool escape_feed(struct lineedit *ed, unsigned char c)
{
    if (c < 0x20 || c == KEY_DEL) {
        ed->esc = LINEEDIT_ESC_NONE;
        return false;       /* handled as itself (an ESC starts a new sequence) */
    }
    if (ed->esc == LINEEDIT_ESC_START) {
        if (c == '[' || c == 'O') {
            ed->esc = LINEEDIT_ESC_PARAMS;
            ed->esc_param = 0;
            ed->esc_param_done = false;
        } else {
            ed->esc = LINEEDIT_ESC_NONE;    /* ESC x: ignored */
        }
        return true;
    }
    if (c >= '0' && c <= '9') {
        if (!ed->esc_param_done) {
            ed->esc_param = ed->esc_param * 10 + (unsigned)(c - '0');
            if (ed->esc_param > ESC_PARAM_MAX)
                ed->esc_param = ESC_PARAM_MAX;
        }
    } else if (c == ';') {
        ed->esc_param_done = true;
    } else if (c >= 0x40 && c <= 0x7e) {
        ed->esc = LINEEDIT_ESC_NONE;
        escape_final(ed, ed->esc_param, (char)c);
    } else if (c >= 0x80) {
        ed->esc = LINEEDIT_ESC_NONE;        /* not a terminal's: dropped */
    }
    /* other parameter and intermediate bytes (0x20-0x3f): skipped */
    return true;
}

void lineedit_init(struct lineedit *ed, struct lineedit_history *hist,
                   lineedit_out_fn out_fn, void *out_ctx)
{
    memset(ed, 0, sizeof(*ed));
    ed->hist = hist;
    ed->out = out_fn;
    ed->out_ctx = out_ctx;
    lineedit_start(ed);
}

void lineedit_start(struct lineedit *ed)
{
    ed->len = ed->cursor = 0;
    ed->buf[0] = '\0';
    ed->saved[0] = '\0';
    ed->overflow = false;
    ed->esc = LINEEDIT_ESC_NONE;
    ed->hist_pos = ed->hist ? ed->hist->count : 0;
}

enum lineedit_status lineedit_feed(struct lineedit *ed, char ch)
{
    unsigned char c = (unsigned char)ch;
    if (ed->esc != LINEEDIT_ESC_NONE && escape_feed(ed, c))
        return LINEEDIT_MORE;
    if (c == '\n' && ed->last_was_cr) {     /* the LF of a CRLF */
        ed->last_was_cr = false;
        return LINEEDIT_MORE;
    }
    ed->last_was_cr = c == '\r';
    switch (c) {
    case '\r':
    case '\n':
        out_str(ed, "\n");
        return ed->overflow ? LINEEDIT_TOO_LONG : LINEEDIT_DONE;
    case KEY_DEL:
    case '\b':
        if (ed->cursor > 0) {
            cursor_left(ed, 1);
            ed->cursor--;
            line_delete(ed, ed->cursor, 1);
        }
        break;
    case KEY_ESC:
        ed->esc = LINEEDIT_ESC_START;
        break;
    case KEY_CTRL('A'):
        cursor_home(ed);
        break;
    case KEY_CTRL('E'):
        cursor_end(ed);
        break;
    case KEY_CTRL('C'):
        out_str(ed, "^C\n");
        lineedit_start(ed);
        return LINEEDIT_CANCEL;
    case KEY_CTRL('D'):
        if (ed->len == 0)
            return LINEEDIT_EOF;
        if (ed->cursor < ed->len)
            line_delete(ed, ed->cursor, 1);
        break;
    case KEY_CTRL('K'):
        if (ed->cursor < ed->len)
            line_delete(ed, ed->cursor, ed->len - ed->cursor);
        break;
    case KEY_CTRL('U'): {
        size_t n = ed->cursor;
        cursor_home(ed);
        if (n)
            line_delete(ed, 0, n);
        break;
    }
    default:
        if (c >= 0x20 && c < KEY_DEL)
            line_insert(ed, (char)c);
        break;      /* any other control byte, or a byte >= 0x80: ignored */
    }
    return LINEEDIT_MORE;
}

void lineedit_history_add(struct lineedit_history *h, const char *line)
{
    size_t n = strlen(line);
    if (n == 0)
        return;
    if (h->count && strcmp(h->lines[(h->count - 1) % LINEEDIT_HISTORY], line) == 0)
        return;
    if (n >= LINEEDIT_LINE_MAX)
        n = LINEEDIT_LINE_MAX - 1;
    char *slot = h->lines[h->count % LINEEDIT_HISTORY];
    memcpy(slot, line, n);
    slot[n] = '\0';
    h->count++;
}
