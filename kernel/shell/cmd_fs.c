/*
 * Shell commands over the initrd file system: ls and cat.
 *
 * Invariants: every file opened here is closed before the handler returns;
 * errors are printed as "cmd: path: reason" and returned as negative codes.
 */
#include <shell.h>
#include <fs.h>
#include <log.h>
#include <console.h>
#include <errstr.h>
#include <uapi/errno.h>

#define CMD_FS_CHUNK    512     /* cat's read size: small enough for the stack */

/* Print one ls line: size, two spaces, name, '/' after directories. */
static void cmd_ls_line_print(const char *name, uint32_t type, uint64_t size)
{
    kprintf("%8llu  %s%s\n", (unsigned long long)size, name,
            type == FS_TYPE_DIR ? "/" : "");
}

/* List the directory at path, one entry per line. Returns 0 or a negative
 * error (already printed). */
static int cmd_ls_dir_list(const char *path)
{
    struct file *dir;
    int r = fs_open(path, &dir);
    if (r < 0) {
        kprintf("ls: %s: %s\n", path, errstr(r));
        return r;
    }
    struct fs_dirent d;
    size_t i = 0;
    while ((r = fs_freaddir(dir, i, &d)) == 0) {
        cmd_ls_line_print(d.name, d.type, d.size);
        i++;
    }
    fs_close(dir);
    if (r != -ENOENT) {         /* -ENOENT is the normal end */
        kprintf("ls: %s: %s\n", path, errstr(r));
        return r;
    }
    return 0;
}

/* ls [path]: list a directory (default "/"), or describe a single file. */
static int cmd_ls(int argc, char **argv)
{
    if (argc > 2) {
        kprintf("usage: ls [path]\n");
        return -EINVAL;
    }
    const char *path = argc == 2 ? argv[1] : "/";
    struct fs_stat st;
    int r = fs_stat(path, &st);
    if (r < 0) {
        kprintf("ls: %s: %s\n", path, errstr(r));
        return r;
    }
    if (st.type != FS_TYPE_DIR) {
        cmd_ls_line_print(path, st.type, st.size);
        return 0;
    }
    return cmd_ls_dir_list(path);
}

/* Copy one file to the console. Returns 0 or a negative error (printed). */
static int cmd_cat_file(const char *path)
{
    struct file *f;
    int r = fs_open(path, &f);
    if (r < 0) {
        kprintf("cat: %s: %s\n", path, errstr(r));
        return r;
    }
    char buf[CMD_FS_CHUNK];
    long n;
    while ((n = fs_read(f, buf, sizeof(buf))) > 0)
        console_write(buf, (size_t)n);      /* raw: files may hold NULs */
    fs_close(f);
    if (n < 0) {
        kprintf("cat: %s: %s\n", path, errstr((int)n));
        return (int)n;
    }
    return 0;
}

/* cat path...: print files; continues past errors, returns the last one. */
static int cmd_cat(int argc, char **argv)
{
    if (argc < 2) {
        kprintf("usage: cat path\n");
        return -EINVAL;
    }
    int result = 0;
    for (int i = 1; i < argc; i++) {
        int r = cmd_cat_file(argv[i]);
        if (r < 0)
            result = r;
    }
    return result;
}

SHELL_COMMAND(ls, "ls", "ls [path]", "list a directory of the initrd", cmd_ls);
SHELL_COMMAND(cat, "cat", "cat path...", "print files of the initrd", cmd_cat);
