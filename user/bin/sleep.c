/* sleep SECONDS[.FRACTION] (or NUMBERms): sleep that long. */
#include <ulib.h>

int main(int argc, char *argv[])
{
    long ms = 0;
    if (argc != 2) {
        dprintf(2, "usage: sleep SECONDS | MILLISECONDSms\n");
        return 2;
    }
    size_t n = strlen(argv[1]);
    char buf[32];
    if (n > 2 && n < sizeof(buf) && strcmp(argv[1] + n - 2, "ms") == 0) {
        memcpy(buf, argv[1], n - 2);
        buf[n - 2] = '\0';
        if (parse_long(buf, &ms) < 0 || ms < 0) {
            dprintf(2, "sleep: bad duration '%s'\n", argv[1]);
            return 2;
        }
    } else if (parse_long(argv[1], &ms) == 0 && ms >= 0 && ms <= 3600) {
        ms *= 1000;
    } else {
        dprintf(2, "sleep: bad duration '%s'\n", argv[1]);
        return 2;
    }
    int r = sleep_ms((unsigned)ms);
    if (r < 0) {
        dprintf(2, "sleep: %s\n", errstr(r));
        return 1;
    }
    return 0;
}
