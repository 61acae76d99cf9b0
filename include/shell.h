/*
 * The kernel shell. Commands register themselves with SHELL_COMMAND(); the
 * shell finds them through a linker section, so adding a command means
 * adding one file, never editing a central list.
 */
#ifndef STRATA_SHELL_H
#define STRATA_SHELL_H

#include <compiler.h>

#define SHELL_MAX_ARGS  16
#define SHELL_LINE_MAX  256     /* including the terminating NUL */

/* A command handler: argv[0] is the command name. Returns 0 on success or a
 * negative error code (the shell prints nothing extra; handlers print their
 * own messages). */
typedef int (*shell_cmd_fn)(int argc, char **argv);

/* The usage line is also the contract on the argument count: the shell
 * refuses more arguments than it allows (include/usage.h has its grammar:
 * [optional], a|b alternatives, "words..." for any number) with the usage
 * line, before calling the handler. */
struct shell_cmd {
    const char *name;
    const char *usage;      /* e.g. "ls [path]" */
    const char *help;       /* one line */
    shell_cmd_fn fn;
};

#define SHELL_COMMAND(ident, name_, usage_, help_, fn_)                       \
    static const struct shell_cmd __shell_cmd_##ident                         \
        __used __section(".shell_cmds." #ident) __aligned(8) = {              \
        .name = name_, .usage = usage_, .help = help_, .fn = fn_ }

/* Look a command up by name; NULL if there is none. */
const struct shell_cmd *shell_cmd_find(const char *name);

/* Print "usage: <usage line of command name>"; returns -EINVAL, for
 * handlers to return. */
int shell_usage_print(const char *name);

/* Run one command line (already read); returns the command's result,
 * or -ENOENT for an unknown command (after printing a message). */
int shell_run_line(char *line);

/* Read-eval loop with prompt `prompt` until the user types `exit` (returns)
 * or the machine powers off. depth is the nesting level (0 = root shell). */
void shell_loop(const char *prompt, int depth);

/* Create the address space a shell runs in, named name: a "paging"
 * address space with the kernel map (include/kmap.h). *out is
 * NULL when no implementation for it exists, in which case the shell stays
 * in its creator's address space. Returns 0 or a negative error. */
struct aspace;
int shell_aspace_create(const char *name, struct aspace **out);

/* The boot thread's last act: set up the root shell and run it forever.
 * entry_tsc: the TSC at kmain's entry, for the boot figures below. */
void root_shell_main(uint64_t entry_tsc) __noreturn;

/* TSC ticks (instructions under -icount) from kmain's entry to the first
 * prompt, and of the root shell's self-check of its address space (a part
 * of it): the boot figures of `bench`. */
struct boot_figures {
    uint64_t to_prompt;
    uint64_t root_check;
};
void root_shell_boot_figures(struct boot_figures *out);

#endif
