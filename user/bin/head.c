/* head [-n N] [FILE]: the first N lines (10) of a file or standard input. */
#include <ulib.h>

int main(int argc, char **argv)
{
    long want = 10;
    int i = 1;
    if (i + 1 < argc && strcmp(argv[i], "-n") == 0) {
        if (parse_long(argv[i + 1], &want) < 0 || want < 0) {
            dprintf(2, "head: bad line count '%s'\n", argv[i + 1]);
            return 2;
        }
        i += 2;
    }
    if (argc - i > 1) {
        dprintf(2, "usage: head [-n N] [FILE]\n");
        return 2;
    }
    int fd = 0;
    if (i < argc && (fd = open(argv[i], O_RDONLY)) < 0) {
        dprintf(2, "head: %s: %s\n", argv[i], errstr(fd));
        return 1;
    }
    static char buf[512];
    long lines = 0, n;
    while (lines < want && (n = read(fd, buf, sizeof(buf))) > 0) {
        long k = 0;
        while (k < n && lines < want)
            if (buf[k++] == '\n')
                lines++;
        write_all(1, buf, (size_t)k);
    }
    return 0;
}
