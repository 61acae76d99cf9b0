/*
 * The kernel shell: a line editor over the console, a history, and a
 * dispatcher over the commands registered with SHELL_COMMAND().
 *
 * The editor understands what both a serial terminal and the keyboard
 * driver send: printable bytes, Backspace (DEL or BS), Enter (CR, LF or
 * CRLF), Ctrl-A/E/C/U, and ANSI escape sequences for the arrows, Home, End
 * and Delete. Any other control byte or escape sequence is ignored. A line
 * longer than the buffer is refused as a whole when Enter is pressed.
 */
#include <shell.h>
#include <console.h>
#include <string.h>
#include <log.h>
#include <errstr.h>
#include <argv.h>
#include <usage.h>
#include <uapi/errno.h>

#define HISTORY_SIZE 16

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

struct line_editor {
    char buf[SHELL_LINE_MAX];
    size_t len, cursor;
    bool overflow;              /* a character was refused: line too long */
    char history[HISTORY_SIZE][SHELL_LINE_MAX];
    unsigned hist_count;        /* entries ever added */
    unsigned hist_pos;          /* browsing position (== hist_count: editing) */
};

const struct shell_cmd *shell_cmd_find(const char *name)
{
    for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
        if (strcmp(c->name, name) == 0)
            return c;
    return NULL;
}

int shell_usage_print(const char *name)
{
    const struct shell_cmd *c = shell_cmd_find(name);
    kprintf("usage: %s\n", c ? c->usage : name);
    return -EINVAL;
}

/* ---- line editing ---- */

static void echo(const char *s, size_t n)
{
    console_write(s, n);
}

static void cursor_left(size_t n)
{
    if (n)
        kprintf("\x1b[%zuD", n);
}

/* Redraw from the cursor to the end of the line, clear what is beyond, and
 * put the terminal cursor back where the editor's cursor is. */
static void redraw_tail(struct line_editor *ed)
{
    echo(ed->buf + ed->cursor, ed->len - ed->cursor);
    kprintf("\x1b[K");
    cursor_left(ed->len - ed->cursor);
}

static void line_replace(struct line_editor *ed, const char *text)
{
    cursor_left(ed->cursor);
    ed->len = strlcpy(ed->buf, text, sizeof(ed->buf));
    if (ed->len >= sizeof(ed->buf))
        ed->len = sizeof(ed->buf) - 1;
    ed->cursor = 0;
    redraw_tail(ed);
    echo(ed->buf, ed->len);
    ed->cursor = ed->len;
}

static void line_insert(struct line_editor *ed, char c)
{
    if (ed->len + 1 >= sizeof(ed->buf)) {
        ed->overflow = true;
        return;
    }
    memmove(ed->buf + ed->cursor + 1, ed->buf + ed->cursor, ed->len - ed->cursor);
    ed->buf[ed->cursor] = c;
    ed->len++;
    echo(&c, 1);
    ed->cursor++;
    if (ed->cursor < ed->len)
        redraw_tail(ed);
}

static void line_delete_at(struct line_editor *ed, size_t pos)
{
    memmove(ed->buf + pos, ed->buf + pos + 1, ed->len - pos - 1);
    ed->len--;
}

static void history_browse(struct line_editor *ed, int dir)
{
    unsigned oldest = ed->hist_count > HISTORY_SIZE ? ed->hist_count - HISTORY_SIZE : 0;
    if (dir < 0 && ed->hist_pos > oldest)
        ed->hist_pos--;
    else if (dir > 0 && ed->hist_pos < ed->hist_count)
        ed->hist_pos++;
    else
        return;
    line_replace(ed, ed->hist_pos == ed->hist_count ? "" : ed->history[ed->hist_pos % HISTORY_SIZE]);
}

static void history_add(struct line_editor *ed, const char *line)
{
    if (!line[0])
        return;
    if (ed->hist_count && strcmp(ed->history[(ed->hist_count - 1) % HISTORY_SIZE], line) == 0)
        return;
    strlcpy(ed->history[ed->hist_count % HISTORY_SIZE], line, SHELL_LINE_MAX);
    ed->hist_count++;
}

/* Handle the final byte of an escape sequence ESC [ params final. */
static void line_escape(struct line_editor *ed, unsigned param, char final)
{
    switch (final) {
    case 'A': history_browse(ed, -1); break;
    case 'B': history_browse(ed, +1); break;
    case 'C':
        if (ed->cursor < ed->len) {
            kprintf("\x1b[C");
            ed->cursor++;
        }
        break;
    case 'D':
        if (ed->cursor > 0) {
            cursor_left(1);
            ed->cursor--;
        }
        break;
    case 'H':
        cursor_left(ed->cursor);
        ed->cursor = 0;
        break;
    case 'F':
        echo(ed->buf + ed->cursor, ed->len - ed->cursor);
        ed->cursor = ed->len;
        break;
    case '~':
        if (param == 3 && ed->cursor < ed->len) {      /* Delete */
            line_delete_at(ed, ed->cursor);
            redraw_tail(ed);
        } else if (param == 1 || param == 7) {          /* Home */
            line_escape(ed, 0, 'H');
        } else if (param == 4 || param == 8) {          /* End */
            line_escape(ed, 0, 'F');
        }
        break;
    default:
        break;      /* unknown sequence: ignored */
    }
}

/* Read an escape sequence after ESC and act on it. */
static void line_read_escape(struct line_editor *ed)
{
    char c = console_getc();
    if (c != '[' && c != 'O')
        return;                 /* ESC x: ignored */
    unsigned param = 0;
    for (;;) {
        c = console_getc();
        if (c >= '0' && c <= '9')
            param = param * 10 + (unsigned)(c - '0');
        else if (c == ';' || c == '?')
            continue;
        else if (c >= 0x40 && c <= 0x7E)
            break;
        else
            return;             /* malformed: drop it */
        if (param > 1000)
            param = 1000;
    }
    line_escape(ed, param, c);
}

/* Read one line into ed->buf. Returns false if the line was refused. */
static bool line_read(struct line_editor *ed, const char *prompt)
{
    static bool last_was_cr;

    ed->len = ed->cursor = 0;
    ed->overflow = false;
    ed->hist_pos = ed->hist_count;
    kprintf("%s", prompt);
    for (;;) {
        char c = console_getc();
        if (c == '\n' && last_was_cr) {     /* the LF of a CRLF */
            last_was_cr = false;
            continue;
        }
        last_was_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            kprintf("\n");
            ed->buf[ed->len] = '\0';
            return !ed->overflow;
        }
        if (c == 0x7F || c == '\b') {
            if (ed->cursor > 0) {
                ed->cursor--;
                cursor_left(1);
                line_delete_at(ed, ed->cursor);
                redraw_tail(ed);
            }
        } else if (c == 0x1B) {
            line_read_escape(ed);
        } else if (c == 0x01) {             /* Ctrl-A */
            line_escape(ed, 0, 'H');
        } else if (c == 0x05) {             /* Ctrl-E */
            line_escape(ed, 0, 'F');
        } else if (c == 0x03) {             /* Ctrl-C: abandon the line */
            kprintf("^C\n");
            ed->len = ed->cursor = 0;
            ed->overflow = false;
            kprintf("%s", prompt);
        } else if (c == 0x15) {             /* Ctrl-U: clear the line */
            line_replace(ed, "");
        } else if (c >= 0x20 && c < 0x7F) {
            line_insert(ed, c);
        }
        /* anything else: ignored */
    }
}

/* ---- parsing and dispatch ---- */

int shell_run_line(char *line)
{
    char *argv[SHELL_MAX_ARGS + 1];
    int argc = argv_split(line, argv, SHELL_MAX_ARGS);
    if (argc == -E2BIG) {
        kprintf("shell: too many arguments (max %d)\n", SHELL_MAX_ARGS);
        return argc;
    }
    if (argc == -EINVAL) {
        kprintf("shell: unterminated quote\n");
        return argc;
    }
    if (argc == 0)
        return 0;
    const struct shell_cmd *cmd = shell_cmd_find(argv[0]);
    if (!cmd) {
        kprintf("unknown command '%s' (try 'help')\n", argv[0]);
        return -ENOENT;
    }
    int max = usage_max_args(cmd->usage);
    if (max != USAGE_UNBOUNDED && argc - 1 > max)
        return shell_usage_print(cmd->name);
    return cmd->fn(argc, argv);
}

void shell_loop(const char *prompt, int depth)
{
    static struct line_editor editors[4];
    struct line_editor *ed = &editors[depth < 4 ? depth : 3];

    for (;;) {
        if (!line_read(ed, prompt)) {
            kprintf("shell: line too long (max %d characters); ignored\n", SHELL_LINE_MAX - 1);
            continue;
        }
        history_add(ed, ed->buf);
        char *p = ed->buf;
        while (*p == ' ')
            p++;
        if (strncmp(p, "exit", 4) == 0 && (p[4] == '\0' || p[4] == ' ')) {
            const char *rest = p + 4;
            while (*rest == ' ')
                rest++;
            if (*rest) {
                kprintf("usage: exit\n");
                continue;
            }
            if (depth == 0) {
                kprintf("exit: this is the root shell (use 'poweroff' or 'reboot')\n");
                continue;
            }
            return;
        }
        shell_run_line(ed->buf);
    }
}

static int cmd_help(int argc, char **argv)
{
    if (argc > 1) {
        const struct shell_cmd *c = shell_cmd_find(argv[1]);
        if (!c) {
            kprintf("help: no command '%s'\n", argv[1]);
            return -ENOENT;
        }
        kprintf("usage: %s\n  %s\n", c->usage, c->help);
        return 0;
    }
    kprintf("Commands:\n");
    for (const struct shell_cmd *c = __shell_cmds_start; c < __shell_cmds_end; c++)
        kprintf("  %-26s %s\n", c->usage, c->help);
    kprintf("  %-26s %s\n", "exit", "leave a nested shell");
    return 0;
}
SHELL_COMMAND(help, "help", "help [command]", "list the commands, or show one command's usage", cmd_help);
