/* cat [FILE...]: copy files (standard input without one, or for "-") to
 * standard output; "cat: PATH: ERROR" on standard error on failure. */
#include <ulib.h>

static int cat_fd(int fd, const char *path)
{
    static char buf[4096];
    long n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        long w = write_all(FD_STDOUT, buf, (size_t)n);
        if (w < 0) {
            n = w;
            break;
        }
    }
    if (n < 0) {
        dprintf(2, "cat: %s: %s\n", path, errstr((int)n));
        return (int)n;
    }
    return 0;
}

static int cat_file(const char *path)
{
    if (strcmp(path, "-") == 0)
        return cat_fd(0, "standard input");
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
        dprintf(2, "cat: %s: %s\n", path, errstr(fd));
        return fd;
    }
    int r = cat_fd(fd, path);
    close(fd);
    return r;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return cat_fd(0, "standard input") < 0;
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (cat_file(argv[i]) < 0)
            status = 1;
    return status;
}
