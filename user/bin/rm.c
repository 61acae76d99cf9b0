/* rm FILE...: remove files (or empty directories) of /tmp. */
#include <ulib.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        dprintf(2, "usage: rm FILE...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int r = unlink(argv[i]);
        if (r < 0) {
            dprintf(2, "rm: %s: %s\n", argv[i], errstr(r));
            status = 1;
        }
    }
    return status;
}
