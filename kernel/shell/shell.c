/*
 * The kernel shell: a line editor over the console (include/lineedit.h:
 * the same editor as the user shell's), a history per nesting level, and a
 * dispatcher over the commands registered with SHELL_COMMAND().
 *
 * The editor understands what both a serial terminal and the keyboard
 * driver send: printable bytes, Backspace, Enter (CR, LF or CRLF),
 * Ctrl-A/E/C/U/K/D, and ANSI escape sequences for the arrows, Home, End
 * and Delete. Any other control byte or escape sequence is ignored. A line
 * longer than the buffer is refused as a whole when Enter is pressed.
 */
#include <shell.h>
#include <console.h>
#include <lineedit.h>
#include <string.h>
#include <log.h>
#include <errstr.h>
#include <argv.h>
#include <usage.h>
#include <uapi/errno.h>

_Static_assert(SHELL_LINE_MAX == LINEEDIT_LINE_MAX, "the shell's lines are the editor's");

#define SHELL_DEPTHS 4      /* nesting levels with a history of their own */

extern const struct shell_cmd __shell_cmds_start[], __shell_cmds_end[];

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
    static struct lineedit_history histories[SHELL_DEPTHS];
    struct lineedit ed_storage, *ed = &ed_storage;
    lineedit_init(ed, &histories[depth < SHELL_DEPTHS ? depth : SHELL_DEPTHS - 1],
                  console_line_echo, NULL);

    for (;;) {
        if (console_line_read(ed, prompt, CONSOLE_WAIT_UNINTERRUPTIBLE) != CONSOLE_LINE_DONE) {
            kprintf("shell: line too long (max %d characters); ignored\n", SHELL_LINE_MAX - 1);
            continue;
        }
        lineedit_history_add(ed->hist, ed->buf);
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
