/*
 * ls [PATH...]: list directories (default /) like the kernel shell's ls:
 * "%8llu  NAME" per entry, '/' after directories. With several paths each
 * listing starts with "PATH:". A file is shown as one line.
 */
#include <ulib.h>

static void line(const char *name, uint32_t type, uint64_t size)
{
    printf("%8llu  %s%s\n", (unsigned long long)size, name,
           type == FS_TYPE_DIR ? "/" : "");
}

static int ls(const char *path, bool header)
{
    struct fs_stat st;
    int r = stat(path, &st);
    if (r < 0) {
        printf("ls: %s: %s\n", path, errstr(r));
        return r;
    }
    if (st.type != FS_TYPE_DIR) {
        line(path, st.type, st.size);
        return 0;
    }
    if (header)
        printf("%s:\n", path);
    struct fs_dirent d;
    size_t i;
    for (i = 0; (r = readdir(path, i, &d)) == 0; i++)
        line(d.name, d.type, d.size);
    if (r != -ENOENT) {
        printf("ls: %s: %s\n", path, errstr(r));
        return r;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return ls("/", false) < 0;
    int status = 0;
    for (int i = 1; i < argc; i++)
        if (ls(argv[i], argc > 2) < 0)
            status = 1;
    return status;
}
