/*
 * The console as a terminal, shared by the kernel and the user library:
 * the modes of SYS_CONSOLE_MODE and the foreground group of SYS_CONSOLE_FG
 * (the kernel side is kernel/dev/console_ldisc.c; docs/unix.md, "Line
 * editing and Ctrl-C", tells the story).
 *
 * The mode is one for the whole console, as a terminal's is. Cooked
 * (CONSOLE_COOKED, the mode at boot) is what a program reading standard
 * input expects: the console echoes and edits a line (include/lineedit.h)
 * and a read returns it whole, "\n" included, at Enter; Ctrl-D on an empty
 * line is the end of file (a read returns 0); Ctrl-C sends SIGINT to every
 * process of the foreground group. Raw (0) is what an editor wants: a read
 * returns the bytes typed, unechoed, as soon as there is one, and Ctrl-C is
 * the byte 0x03. The user shell reads its lines raw (user/lib/readline.c)
 * and runs its programs cooked.
 *
 * SYS_GETC and SYS_CGETC bypass all this: they take the next raw byte.
 */
#ifndef STRATA_UAPI_CONSOLE_H
#define STRATA_UAPI_CONSOLE_H

#define CONSOLE_ECHO        0x1     /* echo what is typed */
#define CONSOLE_CANON       0x2     /* a line at a time, edited; Ctrl-D: end of file */
#define CONSOLE_ISIG        0x4     /* Ctrl-C: SIGINT to the foreground group */
#define CONSOLE_RAW         0
#define CONSOLE_COOKED      (CONSOLE_ECHO | CONSOLE_CANON | CONSOLE_ISIG)
#define CONSOLE_MODES       CONSOLE_COOKED  /* every mode bit */

/* console_mode(fd, CONSOLE_MODE_GET) reads the mode without changing it. */
#define CONSOLE_MODE_GET    (-1)

#endif
