/* exitcode [N]: exit with status N (default 0); prints nothing. */
#include <ulib.h>

int main(int argc, char **argv)
{
    long code = 0;
    if (argc > 1 && parse_long(argv[1], &code) < 0) {
        printf("exitcode: bad number '%s'\n", argv[1]);
        return 2;
    }
    exit((int)code);
}
