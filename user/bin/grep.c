/* grep [-v] [-c] [-n] PATTERN [FILE...]: print the lines that contain
 * PATTERN (a plain string; -v: that do not; -c: count them; -n: with line
 * numbers). Standard input without a file. Exit 0 if a line matched, 1 if
 * none did, 2 on an error. */
#include <ulib.h>

#define LINE 1024

static bool invert, count_only, numbers;

/* Read one line (without '\n') from fd into buf: its length, or -1 at the
 * end. A longer line is cut (the rest is read and dropped). */
static long line_get(int fd, char *buf, size_t n)
{
    static char in[512];
    static size_t have, at;
    static int from = -1;
    if (from != fd) {
        from = fd;
        have = at = 0;
    }
    size_t len = 0;
    for (;;) {
        if (at == have) {
            long r = read(fd, in, sizeof(in));
            if (r <= 0)
                return len ? (long)len : -1;
            have = (size_t)r;
            at = 0;
        }
        char c = in[at++];
        if (c == '\n')
            break;
        if (len + 1 < n)
            buf[len++] = c;
    }
    buf[len] = '\0';
    return (long)len;
}

static bool contains(const char *s, const char *pat)
{
    size_t m = strlen(pat);
    for (; *s; s++)
        if (strncmp(s, pat, m) == 0)
            return true;
    return m == 0;
}

static long grep_fd(int fd, const char *pat, const char *label)
{
    static char line[LINE];
    long matches = 0, lineno = 0;
    while (line_get(fd, line, sizeof(line)) >= 0) {
        lineno++;
        if (contains(line, pat) == invert)
            continue;
        matches++;
        if (count_only)
            continue;
        if (label)
            printf("%s:", label);
        if (numbers)
            printf("%ld:", lineno);
        printf("%s\n", line);
    }
    if (count_only)
        printf(label ? "%s:%ld\n" : "%s%ld\n", label ? label : "", matches);
    return matches;
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        for (const char *o = argv[i] + 1; *o; o++) {
            if (*o == 'v') invert = true;
            else if (*o == 'c') count_only = true;
            else if (*o == 'n') numbers = true;
            else {
                dprintf(2, "grep: unknown option -%c\nusage: grep [-v] [-c] [-n] PATTERN [FILE...]\n", *o);
                return 2;
            }
        }
    }
    if (i >= argc) {
        dprintf(2, "usage: grep [-v] [-c] [-n] PATTERN [FILE...]\n");
        return 2;
    }
    const char *pat = argv[i++];
    long matches = 0;
    int status = 0;
    if (i == argc)
        matches = grep_fd(0, pat, NULL);
    for (int k = i; k < argc; k++) {
        int fd = open(argv[k], O_RDONLY);
        if (fd < 0) {
            dprintf(2, "grep: %s: %s\n", argv[k], errstr(fd));
            status = 2;
            continue;
        }
        matches += grep_fd(fd, pat, argc - i > 1 ? argv[k] : NULL);
        close(fd);
    }
    return status ? status : matches ? 0 : 1;
}
