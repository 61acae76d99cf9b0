/*
 * maplimit: the per-process limits. map() one page at a time until the
 * kernel refuses: it must say -ELIMIT (not run the kernel heap dry), at the
 * same count every time; after an unmap one more map() fits again. Then
 * open() until -EMFILE (32 descriptors, stdin, stdout and stderr included).
 * Everything is given back before the end.
 *
 * Prints "maplimit: regions: limit after N map()s (ELIMIT)", "maplimit:
 * descriptors: limit after N open()s (EMFILE)" and "maplimit: ok".
 */
#include <ulib.h>

#define TRY_MAX     4096        /* well past any sane limit */

static void *pages[TRY_MAX];

static int fill(long *err)
{
    int n = 0;
    for (; n < TRY_MAX; n++) {
        void *p = map(NULL, 4096, PROT_READ | PROT_WRITE);
        if (IS_ERR(p)) {
            *err = PTR_ERR(p);
            return n;
        }
        pages[n] = p;
    }
    *err = 0;
    return n;
}

static void drain(int n)
{
    for (int i = 0; i < n; i++)
        unmap(pages[i], 4096);
}

int main(int argc, char **argv)
{
    long err, err2;
    int n = fill(&err);
    if (err != -ELIMIT) {
        printf("maplimit: regions: %d map()s, then %s: expected %s\n", n,
               err ? errstr((int)err) : "no limit at all", errstr(-ELIMIT));
        drain(n);
        return 1;
    }
    printf("maplimit: regions: limit after %d map()s (%s)\n", n, errstr((int)err));
    unmap(pages[--n], 4096);
    void *p = map(NULL, 4096, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("maplimit: regions: map() after an unmap: %s\n", errstr((int)PTR_ERR(p)));
        drain(n);
        return 1;
    }
    pages[n++] = p;
    drain(n);
    int n2 = fill(&err2);
    drain(n2);
    if (n2 != n || err2 != -ELIMIT) {
        printf("maplimit: regions: second round %d map()s (%s), first %d\n", n2,
               errstr((int)err2), n);
        return 1;
    }

    int fds[64], nfd = 0, r = 0;
    while (nfd < 64 && (r = open("/etc/motd", O_RDONLY)) >= 0)
        fds[nfd++] = r;
    for (int i = 0; i < nfd; i++)
        close(fds[i]);
    if (nfd == 64 || r != -EMFILE) {
        printf("maplimit: descriptors: %d open()s, then %s\n", nfd,
               nfd == 64 ? "no limit" : errstr(r));
        return 1;
    }
    printf("maplimit: descriptors: limit after %d open()s (%s)\n", nfd, errstr(r));
    r = open("/etc/motd", O_RDONLY);
    if (r < 0) {
        printf("maplimit: descriptors: open() after closing them: %s\n", errstr(r));
        return 1;
    }
    close(r);
    printf("maplimit: ok\n");
    return 0;
}
