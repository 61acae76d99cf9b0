/* Command-line splitting (see include/argv.h). */
#include <argv.h>
#include <stddef.h>
#include <uapi/errno.h>

int argv_split(char *line, char **argv, int max)
{
    int argc = 0;
    char *p = line;
    for (;;) {
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p)
            break;
        if (argc == max)
            return -E2BIG;
        if (*p == '"') {
            argv[argc++] = ++p;
            while (*p && *p != '"')
                p++;
            if (!*p)
                return -EINVAL;
        } else {
            argv[argc++] = p;
            while (*p && *p != ' ' && *p != '\t')
                p++;
            if (!*p)
                break;
        }
        *p++ = '\0';
    }
    argv[argc] = NULL;
    return argc;
}
