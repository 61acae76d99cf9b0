/*
 * Shell commands over the initrd file system: ls and cat.
 *
 * Invariants: every file opened here is closed before the handler returns;
 * errors are printed as "cmd: path: reason" and returned as negative codes;
 * cat sends a binary file's bytes to the terminal only when forced (-f):
 * a terminal takes some of them for commands.
 */
#include <shell.h>
#include <fs.h>
#include <log.h>
#include <console.h>
#include <errstr.h>
#include <string.h>
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

/* Whether buf looks like the start of a binary file: a NUL, or a control
 * byte that text does not use (anything below space but tab, newline,
 * carriage return, form feed, backspace and escape). */
static bool cmd_cat_binary(const char *buf, long n)
{
    for (long i = 0; i < n; i++) {
        unsigned char c = (unsigned char)buf[i];
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\b' &&
            c != 0x1b)
            return true;
    }
    return false;
}

/* Copy one file to the console; a binary one only if force is set (else a
 * one-line note). Returns 0 or a negative error (printed). */
static int cmd_cat_file(const char *path, bool force)
{
    struct file *f;
    int r = fs_open(path, &f);
    if (r < 0) {
        kprintf("cat: %s: %s\n", path, errstr(r));
        return r;
    }
    char buf[CMD_FS_CHUNK];
    long n = fs_read(f, buf, sizeof(buf));
    if (n > 0 && !force && cmd_cat_binary(buf, n)) {
        struct fs_stat st;
        r = fs_fstat(f, &st);
        fs_close(f);
        kprintf("cat: %s: binary file (%llu bytes); cat -f to print it anyway\n", path,
                r < 0 ? 0ull : (unsigned long long)st.size);
        return 0;
    }
    for (; n > 0; n = fs_read(f, buf, sizeof(buf)))
        console_write(buf, (size_t)n);      /* raw: files may hold NULs */
    fs_close(f);
    if (n < 0) {
        kprintf("cat: %s: %s\n", path, errstr((int)n));
        return (int)n;
    }
    return 0;
}

/* cat [-f] path...: print files; continues past errors, returns the last
 * one. */
static int cmd_cat(int argc, char **argv)
{
    bool force = argc > 1 && strcmp(argv[1], "-f") == 0;
    int first = force ? 2 : 1;
    if (argc <= first)
        return shell_usage_print(argv[0]);
    int result = 0;
    for (int i = first; i < argc; i++) {
        int r = cmd_cat_file(argv[i], force);
        if (r < 0)
            result = r;
    }
    return result;
}

SHELL_COMMAND(ls, "ls", "ls [path]", "list a directory of the initrd", cmd_ls);
SHELL_COMMAND(cat, "cat", "cat [-f] path...", "print files (-f: binary ones too)", cmd_cat);
