/* Reading a command's usage line ("crash ud|pf|null", "ls [path]"): pure
 * code, host-tested (tests/host/test_usage.c). */
#ifndef STRATA_USAGE_H
#define STRATA_USAGE_H

#define USAGE_UNBOUNDED (-1)

/* The most arguments (words after the command name) that usage allows, or
 * USAGE_UNBOUNDED when a word ends in "...". The grammar: words separated
 * by spaces; [x] is optional; a|b|c are alternatives, each running to the
 * next '|' or to the end of the enclosing brackets (as in a regular
 * expression: "[many [N]|sleep]" allows 2). An unmatched ']' ends the
 * line; a missing one is taken as closed at the end. */
int usage_max_args(const char *usage);

#endif
