/* touch FILE...: create empty files that do not exist (in /tmp). */
#include <ulib.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        dprintf(2, "usage: touch FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int fd = open(argv[i], O_WRONLY | O_CREAT, 0644);
        if (fd < 0) {
            dprintf(2, "touch: %s: %s\n", argv[i], errstr(fd));
            status = 1;
            continue;
        }
        close(fd);
    }
    return status;
}
