/* mkdir DIR...: create directories (in /tmp). */
#include <ulib.h>

int main(int argc, char **argv)
{
    if (argc < 2) {
        dprintf(2, "usage: mkdir DIR...\n");
        return 2;
    }
    int status = 0;
    for (int i = 1; i < argc; i++) {
        int r = mkdir(argv[i], 0755);
        if (r < 0) {
            dprintf(2, "mkdir: %s: %s\n", argv[i], errstr(r));
            status = 1;
        }
    }
    return status;
}
