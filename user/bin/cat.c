/* cat FILE...: copy files to the console; "cat: PATH: ERROR" on failure. */
#include <ulib.h>

static int cat_file(const char *path)
{
    static char buf[4096];
    int fd = open(path);
    if (fd < 0) {
        printf("cat: %s: %s\n", path, errstr(fd));
        return fd;
    }
    long n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        long w = write_all(FD_STDOUT, buf, (size_t)n);
        if (w < 0) {
            n = w;
            break;
        }
    }
    close(fd);
    if (n < 0) {
        printf("cat: %s: %s\n", path, errstr((int)n));
        return (int)n;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        printf("usage: cat FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (cat_file(argv[i]) < 0)
            status = 1;
    return status;
}
