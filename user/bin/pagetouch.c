/*
 * pagetouch PAGES MS [INDEX...]: map PAGES lazy anonymous pages (read and
 * write), write one byte to each page INDEX, print where the mapping is,
 * then sleep MS milliseconds and exit. For watching page faults (`trace
 * faults on`) and drawing a lazy region (`ases detail PID ADDR`) from the
 * root shell: run it in the background of a user shell that exits, and
 * it lives on for MS milliseconds.
 *
 * Prints "pagetouch PID: region ADDR, PAGES pages, N touched", then
 * "pagetouch PID: done" at the end; usage errors exit with status 2.
 */
#include <ulib.h>

#define PAGETOUCH_MAX_PAGES 65536       /* 256 MiB of address space */

static int usage(void)
{
    dprintf(2, "usage: pagetouch PAGES MS [INDEX...] (1 <= PAGES <= %d, 0 <= INDEX < PAGES)\n",
            PAGETOUCH_MAX_PAGES);
    return 2;
}

int main(int argc, char **argv)
{
    long pages, ms;
    if (argc < 3 || parse_long(argv[1], &pages) < 0 || pages < 1 || pages > PAGETOUCH_MAX_PAGES ||
        parse_long(argv[2], &ms) < 0 || ms < 0 || ms > 3600 * 1000)
        return usage();
    for (int i = 3; i < argc; i++) {
        long idx;
        if (parse_long(argv[i], &idx) < 0 || idx < 0 || idx >= pages)
            return usage();
    }
    char *base = map(NULL, (size_t)pages * 4096, PROT_READ | PROT_WRITE);
    if (IS_ERR(base)) {
        dprintf(2, "pagetouch: map: %s\n", errstr(PTR_ERR(base)));
        return 1;
    }
    for (int i = 3; i < argc; i++)
        base[atoi(argv[i]) * 4096L] = 1;
    int pid = getpid();
    printf("pagetouch %d: region %p, %ld pages, %d touched\n", pid, base, pages, argc - 3);
    int r = sleep_ms((unsigned)ms);
    if (r < 0) {
        dprintf(2, "pagetouch: sleep: %s\n", errstr(r));
        return 1;
    }
    printf("pagetouch %d: done\n", pid);
    return 0;
}
