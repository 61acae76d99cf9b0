/* wc [FILE...]: lines, words and bytes of each file (standard input
 * without one), as "%7ld %7ld %7ld [NAME]", and a total for several. */
#include <ulib.h>

struct counts {
    long lines, words, bytes;
};

static int wc_fd(int fd, struct counts *c)
{
    static char buf[4096];
    bool in_word = false;
    long n;
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        for (long i = 0; i < n; i++) {
            char ch = buf[i];
            c->bytes++;
            if (ch == '\n')
                c->lines++;
            bool space = ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' || ch == '\v' || ch == '\f';
            if (!space && !in_word)
                c->words++;
            in_word = !space;
        }
    }
    return n < 0 ? (int)n : 0;
}

static void show(const struct counts *c, const char *name)
{
    printf("%7ld %7ld %7ld%s%s\n", c->lines, c->words, c->bytes, name ? " " : "", name ? name : "");
}

int main(int argc, char **argv)
{
    struct counts total = { 0, 0, 0 };
    int status = 0;
    if (argc < 2) {
        if (wc_fd(0, &total) < 0)
            return 1;
        show(&total, NULL);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        struct counts c = { 0, 0, 0 };
        int fd = open(argv[i], O_RDONLY);
        int r = fd < 0 ? fd : wc_fd(fd, &c);
        if (fd >= 0)
            close(fd);
        if (r < 0) {
            dprintf(2, "wc: %s: %s\n", argv[i], errstr(r));
            status = 1;
            continue;
        }
        show(&c, argv[i]);
        total.lines += c.lines;
        total.words += c.words;
        total.bytes += c.bytes;
    }
    if (argc > 2)
        show(&total, "total");
    return status;
}
