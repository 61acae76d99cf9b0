/*
 * readdirleak: every byte that readdir and stat copy out must be what the
 * kernel meant to give. The buffers are filled with 0xa5 first; after
 * readdir, every byte of struct fs_dirent past the name's NUL must be 0
 * (the kernel copies the whole struct: what it did not fill must not be
 * kernel stack), and stat must overwrite all of struct fs_stat.
 *
 * Prints "readdirleak: ok (N entries, M stats, no stray bytes)", or a
 * "LEAKED" line with the offending bytes and exit status 1.
 */
#include <ulib.h>

#define FILL 0xa5

static int problems;

static void dump(const unsigned char *p, size_t from, size_t to)
{
    size_t n = 0;
    printf("    bytes %zu..%zu:", from, to);
    for (size_t i = from; i < to && n < 32; i++, n++)
        printf(" %02x", p[i]);
    printf("\n");
}

static int check_dir(const char *path)
{
    struct fs_dirent d;
    int n = 0;
    for (size_t i = 0;; i++) {
        memset(&d, FILL, sizeof(d));
        int r = readdir(path, i, &d);
        if (r == -ENOENT)
            break;
        if (r < 0) {
            printf("readdirleak: readdir(%s, %zu): %s\n", path, i, errstr(r));
            problems++;
            break;
        }
        n++;
        size_t len = strnlen(d.name, sizeof(d.name));
        if (len == sizeof(d.name)) {
            printf("readdirleak: %s entry %zu: name not terminated\n", path, i);
            problems++;
            continue;
        }
        const unsigned char *b = (const unsigned char *)&d;
        size_t start = offsetof(struct fs_dirent, name) + len + 1, bad = 0, first = 0;
        for (size_t k = start; k < sizeof(d); k++) {
            if (b[k] && !bad++)
                first = k;
        }
        if (bad) {
            printf("readdirleak: %s entry %zu '%s': LEAKED %zu non-zero bytes after the name\n",
                   path, i, d.name, bad);
            dump(b, first, sizeof(d));
            problems++;
        }
    }
    return n;
}

static int check_stat(const char *path)
{
    struct fs_stat st;
    memset(&st, FILL, sizeof(st));
    int r = stat(path, &st);
    if (r < 0) {
        printf("readdirleak: stat(%s): %s\n", path, errstr(r));
        problems++;
        return 0;
    }
    if ((st.type != FS_TYPE_FILE && st.type != FS_TYPE_DIR) || (st.mode & ~07777u) ||
        (st.type == FS_TYPE_DIR && st.size != 0)) {
        printf("readdirleak: stat(%s): LEAKED or garbage fields: type %u mode %#x size %lu\n",
               path, st.type, st.mode, (unsigned long)st.size);
        problems++;
    }
    return 1;
}

int main(int argc, char **argv)
{
    static const char *const dirs[] = { "/", "/bin", "/etc" };
    int entries = 0, stats = 0;
    for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
        entries += check_dir(dirs[i]);
        stats += check_stat(dirs[i]);
    }
    stats += check_stat("/bin/readdirleak");
    stats += check_stat("/etc/motd");
    if (problems) {
        printf("readdirleak: FAILED (%d problems)\n", problems);
        return 1;
    }
    printf("readdirleak: ok (%d entries, %d stats, no stray bytes)\n", entries, stats);
    return 0;
}
