/* tee [-a] [FILE...]: copy standard input to standard output and to each
 * file (created or emptied; -a: appended). */
#include <ulib.h>

#define MAX_FILES 8

int main(int argc, char **argv)
{
    int fds[MAX_FILES], nf = 0, i = 1, status = 0;
    int mode = O_TRUNC;
    if (i < argc && strcmp(argv[i], "-a") == 0) {
        mode = O_APPEND;
        i++;
    }
    for (; i < argc; i++) {
        if (nf == MAX_FILES) {
            dprintf(2, "tee: at most %d files\n", MAX_FILES);
            return 2;
        }
        int fd = open(argv[i], O_WRONLY | O_CREAT | mode, 0644);
        if (fd < 0) {
            dprintf(2, "tee: %s: %s\n", argv[i], errstr(fd));
            status = 1;
            continue;
        }
        fds[nf++] = fd;
    }
    static char buf[4096];
    long n;
    while ((n = read(0, buf, sizeof(buf))) > 0) {
        write_all(1, buf, (size_t)n);
        for (int k = 0; k < nf; k++)
            if (write_all(fds[k], buf, (size_t)n) < 0)
                status = 1;
    }
    for (int k = 0; k < nf; k++)
        close(fds[k]);
    return status;
}
