/* cp SOURCE DEST: copy a file (DEST is created or emptied). */
#include <ulib.h>

int main(int argc, char **argv)
{
    if (argc != 3) {
        dprintf(2, "usage: cp SOURCE DEST\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    if (in < 0) {
        dprintf(2, "cp: %s: %s\n", argv[1], errstr(in));
        return 1;
    }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) {
        dprintf(2, "cp: %s: %s\n", argv[2], errstr(out));
        return 1;
    }
    static char buf[4096];
    long n;
    while ((n = read(in, buf, sizeof(buf))) > 0) {
        long w = write_all(out, buf, (size_t)n);
        if (w < 0) {
            dprintf(2, "cp: %s: %s\n", argv[2], errstr((int)w));
            return 1;
        }
    }
    if (n < 0) {
        dprintf(2, "cp: %s: %s\n", argv[1], errstr((int)n));
        return 1;
    }
    close(in);
    close(out);
    return 0;
}
