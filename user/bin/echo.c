/* echo: print the arguments separated by spaces, in one write (as Unix's
 * echo: a line written to a pipe arrives whole). */
#include <ulib.h>

int main(int argc, char **argv)
{
    size_t n = 1;
    for (int i = 1; i < argc; i++)
        n += strlen(argv[i]) + 1;
    char *line = malloc(n);
    if (!line) {
        dprintf(2, "echo: out of memory\n");
        return 1;
    }
    size_t at = 0;
    for (int i = 1; i < argc; i++) {
        size_t len = strlen(argv[i]);
        memcpy(line + at, argv[i], len);
        at += len;
        if (i + 1 < argc)
            line[at++] = ' ';
    }
    line[at++] = '\n';
    return write_all(1, line, at) == (long)at ? 0 : 1;
}
