/* Splitting a command line into words (shared by the kernel shell and the
 * user shell: pure code, also compiled into the user library). */
#ifndef STRATA_ARGV_H
#define STRATA_ARGV_H

/* Split line in place into at most max words stored in argv (which needs
 * max + 1 slots; argv[argc] is set to NULL). Words are separated by spaces
 * or tabs; "double quotes" group words. Returns the word count, -E2BIG with
 * more than max words, -EINVAL for an unterminated quote. */
int argv_split(char *line, char **argv, int max);

#endif
