/*
 * Host test of the initrd file system (kernel/fs/fs.c over kernel/lib/tar.c).
 * kmalloc/kfree/klog are supplied here: the allocator counts live blocks
 * (leak checks after every unmount-by-remount) and can be told to fail the
 * Nth allocation, to test the out-of-memory paths.
 */
/* host-test-sources: kernel/fs/fs.c kernel/lib/tar.c */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <fs.h>
#include <heap.h>
#include <log.h>
#include <string.h>     /* the kernel's header; libc supplies the functions */
#include <uapi/errno.h>
#include "check.h"

/* ---- kernel services for fs.c --------------------------------------------- */

static long live_allocs;
static long fail_countdown = -1;    /* fail when it reaches 0; < 0: never */
static int warnings;

void *kmalloc(size_t size)
{
    if (fail_countdown >= 0 && fail_countdown-- == 0)
        return NULL;
    void *p = malloc(size);
    if (p)
        live_allocs++;
    return p;
}

void *kzalloc(size_t size)
{
    void *p = kmalloc(size);
    if (p)
        memset(p, 0, size);
    return p;
}

void kfree(void *p)
{
    if (p)
        live_allocs--;
    free(p);
}

void klog(enum log_level level, const char *fmt, ...)
{
    (void)level;
    (void)fmt;
    warnings++;
}

/* ---- archives ------------------------------------------------------------ */

static char tmpdir[64];

static void sh(const char *cmd)
{
    if (system(cmd) != 0) {
        printf("command failed: %s\n", cmd);
        exit(2);
    }
}

static void write_file(const char *rel, const void *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/src/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0)
        exit(2);
}

/* Run the host tar in tmpdir/src over `what`; the archive in an exact-size
 * malloc'd buffer (ASan catches reads past it). */
static uint8_t *tar_real(const char *what, size_t *len)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "cd %s/src && tar --format=ustar --owner=0 --group=0 --numeric-owner "
             "--sort=name --mtime=@0 -cf %s/out.tar %s", tmpdir, tmpdir, what);
    sh(cmd);
    snprintf(cmd, sizeof(cmd), "%s/out.tar", tmpdir);
    FILE *f = fopen(cmd, "rb");
    if (!f)
        exit(2);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *b = malloc((size_t)n);
    if (!b || fread(b, 1, (size_t)n, f) != (size_t)n)
        exit(2);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static uint8_t binary[3000];

/* tmpdir/src: etc/{motd,hostname}, bin/init (binary), docs/ (empty),
 * a/b/c/deep.txt, zero (empty file), a symlink. */
static void fixture_create(void)
{
    char cmd[512];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/src/etc %s/src/bin %s/src/docs "
             "%s/src/a/b/c && ln -s etc/motd %s/src/link",
             tmpdir, tmpdir, tmpdir, tmpdir, tmpdir);
    sh(cmd);
    write_file("etc/motd", "Welcome to Strata\n", 18);
    write_file("etc/hostname", "strata\n", 7);
    for (size_t i = 0; i < sizeof(binary); i++)
        binary[i] = (uint8_t)(i * 13 + (i >> 8));
    binary[5] = 0;
    write_file("bin/init", binary, sizeof(binary));
    write_file("a/b/c/deep.txt", "deep", 4);
    write_file("zero", "", 0);
    snprintf(cmd, sizeof(cmd), "chmod 0644 %s/src/etc/motd %s/src/etc/hostname",
             tmpdir, tmpdir);
    sh(cmd);
}

/* Minimal header builder for archives the host tar will not write. */
static void hdr_make(uint8_t *h, const char *name, char type, size_t size)
{
    memset(h, 0, 512);
    memcpy(h, name, strlen(name));
    memcpy(h + 100, "0000644", 7);
    snprintf((char *)h + 124, 12, "%011o", (unsigned)(size & 07777777777));
    memcpy(h + 136, "00000000000", 11);
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar\0" "00", 8);
    memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
}

/* An archive of n entries {name, type, text}; text is NULL for dirs. */
struct ent { const char *name; char type; const char *text; };

static uint8_t *arc_build(const struct ent *e, int n, size_t *len)
{
    size_t total = 1024;
    for (int i = 0; i < n; i++)
        total += 512 + (e[i].text ? (strlen(e[i].text) + 511) / 512 * 512 : 0);
    uint8_t *b = calloc(1, total), *p = b;
    for (int i = 0; i < n; i++) {
        size_t sz = e[i].text ? strlen(e[i].text) : 0;
        hdr_make(p, e[i].name, e[i].type, sz);
        if (sz)
            memcpy(p + 512, e[i].text, sz);
        p += 512 + (sz + 511) / 512 * 512;
    }
    *len = total;
    return b;
}

static uint8_t *arc_main;           /* the fixture, packed from "." */
static size_t arc_main_len;

/* Remount the fixture archive; every test starts from it. */
static void mount_main(void)
{
    CHECK_EQ_INT(fs_mount_initrd(arc_main, arc_main_len), 0);
}

static int contains(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* ---- tests ------------------------------------------------------------------ */

TEST(mount_and_list_root)
{
    warnings = 0;
    mount_main();
    CHECK_EQ_INT(warnings, 1);          /* the symlink was skipped */
    CHECK_EQ_STR(fs_mount_error(), "");
    static const char *names[] = { "a", "bin", "docs", "etc", "zero" };
    static const uint32_t types[] = { FS_TYPE_DIR, FS_TYPE_DIR, FS_TYPE_DIR,
                                      FS_TYPE_DIR, FS_TYPE_FILE };
    struct fs_dirent d;
    for (size_t i = 0; i < 5; i++) {
        if (!CHECK_EQ_INT(fs_readdir("/", i, &d), 0))
            return;
        CHECK_EQ_STR(d.name, names[i]);
        CHECK_EQ_INT(d.type, types[i]);
    }
    CHECK_EQ_INT(fs_readdir("/", 5, &d), -ENOENT);
    CHECK_EQ_INT(fs_readdir("/", 1000, &d), -ENOENT);
    CHECK_EQ_INT(fs_readdir("/docs", 0, &d), -ENOENT);     /* empty dir */
    CHECK_EQ_INT(fs_readdir("/etc", 0, &d), 0);
    CHECK_EQ_STR(d.name, "hostname");
    CHECK_EQ_INT(d.size, 7);
    CHECK_EQ_INT(fs_readdir("/etc/motd", 0, &d), -ENOTDIR);
    CHECK_EQ_INT(fs_readdir("/nope", 0, &d), -ENOENT);
}

TEST(read_whole_files)
{
    mount_main();
    struct file *f;
    char buf[64];
    if (!CHECK_EQ_INT(fs_open("/etc/motd", &f), 0))
        return;
    CHECK_EQ_INT(fs_read(f, buf, sizeof(buf)), 18);
    CHECK(memcmp(buf, "Welcome to Strata\n", 18) == 0);
    CHECK_EQ_INT(fs_read(f, buf, sizeof(buf)), 0);          /* EOF */
    fs_close(f);

    /* A binary file, read in odd-sized chunks. */
    static uint8_t got[sizeof(binary)];
    CHECK_EQ_INT(fs_open("/bin/init", &f), 0);
    size_t total = 0;
    long n;
    while ((n = fs_read(f, got + total, MIN(77, sizeof(got) - total + 10))) > 0)
        total += (size_t)n;
    CHECK_EQ_INT(n, 0);
    CHECK_EQ_INT(total, sizeof(binary));
    CHECK(memcmp(got, binary, sizeof(binary)) == 0);
    const void *data;
    size_t size;
    CHECK_EQ_INT(fs_file_data(f, &data, &size), 0);
    CHECK(size == sizeof(binary) && memcmp(data, binary, size) == 0);
    CHECK((const uint8_t *)data > arc_main && (const uint8_t *)data < arc_main + arc_main_len);
    fs_close(f);

    CHECK_EQ_INT(fs_open("/zero", &f), 0);
    CHECK_EQ_INT(fs_read(f, buf, sizeof(buf)), 0);
    struct fs_stat st;
    CHECK_EQ_INT(fs_fstat(f, &st), 0);
    CHECK(st.type == FS_TYPE_FILE && st.size == 0);
    fs_close(f);
    CHECK_EQ_INT(fs_open_count(), 0);
}

TEST(seek_and_pread)
{
    mount_main();
    struct file *f;
    char buf[32];
    if (!CHECK_EQ_INT(fs_open("/etc/motd", &f), 0))
        return;
    CHECK_EQ_INT(fs_seek(f, 11, SEEK_SET), 11);
    CHECK_EQ_INT(fs_read(f, buf, 6), 6);
    CHECK(memcmp(buf, "Strata", 6) == 0);
    CHECK_EQ_INT(fs_seek(f, -7, SEEK_CUR), 10);
    CHECK_EQ_INT(fs_seek(f, -1, SEEK_END), 17);
    CHECK_EQ_INT(fs_read(f, buf, 10), 1);
    CHECK_EQ_INT(buf[0], '\n');
    CHECK_EQ_INT(fs_seek(f, 100, SEEK_END), 118);          /* past the end */
    CHECK_EQ_INT(fs_read(f, buf, 10), 0);
    CHECK_EQ_INT(fs_seek(f, -1, SEEK_SET), -EINVAL);
    CHECK_EQ_INT(fs_seek(f, -119, SEEK_CUR), -EINVAL);
    CHECK_EQ_INT(fs_seek(f, 0, SEEK_CUR), 118);            /* unchanged */
    CHECK_EQ_INT(fs_seek(f, 0, 3), -EINVAL);
    CHECK_EQ_INT(fs_seek(f, LONG_MAX, SEEK_SET), LONG_MAX);
    CHECK_EQ_INT(fs_seek(f, 1, SEEK_CUR), -EINVAL);        /* overflow */
    CHECK_EQ_INT(fs_read(f, buf, 10), 0);
    CHECK_EQ_INT(fs_seek(f, LONG_MIN, SEEK_END), -EINVAL);

    CHECK_EQ_INT(fs_seek(f, 3, SEEK_SET), 3);
    CHECK_EQ_INT(fs_pread(f, buf, 7, 0), 7);               /* position untouched */
    CHECK(memcmp(buf, "Welcome", 7) == 0);
    CHECK_EQ_INT(fs_pread(f, buf, 100, 15), 3);
    CHECK_EQ_INT(fs_pread(f, buf, 10, 18), 0);
    CHECK_EQ_INT(fs_pread(f, buf, 10, UINT64_MAX), 0);
    CHECK_EQ_INT(fs_read(f, buf, 4), 4);
    CHECK(memcmp(buf, "come", 4) == 0);
    fs_close(f);
}

TEST(path_resolution)
{
    mount_main();
    struct fs_stat st;
    CHECK_EQ_INT(fs_stat("/etc/motd", &st), 0);
    CHECK(st.type == FS_TYPE_FILE && st.size == 18 && st.mode == 0644);
    CHECK_EQ_INT(fs_stat("//etc///motd", &st), 0);
    CHECK_EQ_INT(fs_stat("/./etc/./motd", &st), 0);
    CHECK_EQ_INT(fs_stat("/../../etc/../etc/motd", &st), 0);
    CHECK_EQ_INT(fs_stat("etc/motd", &st), 0);             /* from the root */
    CHECK_EQ_INT(fs_stat("/a/b/c/../../b/c/deep.txt", &st), 0);
    CHECK_EQ_INT(st.size, 4);
    CHECK_EQ_INT(fs_stat("/", &st), 0);
    CHECK_EQ_INT(st.type, FS_TYPE_DIR);
    CHECK_EQ_INT(fs_stat("/..", &st), 0);
    CHECK_EQ_INT(fs_stat("/etc/", &st), 0);
    CHECK_EQ_INT(st.type, FS_TYPE_DIR);

    CHECK_EQ_INT(fs_stat("/etc/motd/", &st), -ENOTDIR);
    CHECK_EQ_INT(fs_stat("/etc/motd/x", &st), -ENOTDIR);
    CHECK_EQ_INT(fs_stat("/etc/motd/..", &st), -ENOTDIR);
    CHECK_EQ_INT(fs_stat("/etc/nope", &st), -ENOENT);
    CHECK_EQ_INT(fs_stat("/nope/motd", &st), -ENOENT);
    CHECK_EQ_INT(fs_stat("/link", &st), -ENOENT);          /* symlink skipped */
    CHECK_EQ_INT(fs_stat("/etc/mot", &st), -ENOENT);
    CHECK_EQ_INT(fs_stat("/etc/motdx", &st), -ENOENT);
    CHECK_EQ_INT(fs_stat("", &st), -ENOENT);
    CHECK_EQ_INT(fs_stat(NULL, &st), -EINVAL);

    static char path[FS_PATH_MAX + 10];
    memset(path, '/', sizeof(path));
    path[FS_PATH_MAX - 1] = '\0';                           /* longest allowed */
    CHECK_EQ_INT(fs_stat(path, &st), 0);
    path[FS_PATH_MAX - 1] = '/';
    path[FS_PATH_MAX] = '\0';
    CHECK_EQ_INT(fs_stat(path, &st), -ENAMETOOLONG);
    memset(path, 'n', FS_NAME_MAX - 1);
    path[FS_NAME_MAX - 1] = '\0';
    CHECK_EQ_INT(fs_stat(path, &st), -ENOENT);              /* 255: fine */
    memset(path, 'n', FS_NAME_MAX);
    path[FS_NAME_MAX] = '\0';
    CHECK_EQ_INT(fs_stat(path, &st), -ENAMETOOLONG);

    struct file *f = NULL;
    CHECK_EQ_INT(fs_open("/nope", &f), -ENOENT);
    CHECK(f == NULL);
    CHECK_EQ_INT(fs_open_count(), 0);
}

TEST(directories)
{
    mount_main();
    struct file *d;
    char buf[8];
    if (!CHECK_EQ_INT(fs_open("/etc", &d), 0))
        return;
    CHECK_EQ_INT(fs_read(d, buf, sizeof(buf)), -EISDIR);
    CHECK_EQ_INT(fs_pread(d, buf, sizeof(buf), 0), -EISDIR);
    const void *data;
    size_t size;
    CHECK_EQ_INT(fs_file_data(d, &data, &size), -EISDIR);
    struct fs_stat st;
    CHECK_EQ_INT(fs_fstat(d, &st), 0);
    CHECK(st.type == FS_TYPE_DIR && st.size == 0);

    struct fs_dirent e;
    CHECK_EQ_INT(fs_freaddir(d, 1, &e), 0);                 /* out of order */
    CHECK_EQ_STR(e.name, "motd");
    CHECK_EQ_INT(fs_freaddir(d, 0, &e), 0);
    CHECK_EQ_STR(e.name, "hostname");
    CHECK_EQ_INT(fs_freaddir(d, 1, &e), 0);
    CHECK_EQ_STR(e.name, "motd");
    CHECK_EQ_INT(e.size, 18);
    CHECK_EQ_INT(e.mode, 0644);
    CHECK_EQ_INT(fs_freaddir(d, 2, &e), -ENOENT);
    CHECK_EQ_INT(fs_freaddir(d, 1, &e), 0);                 /* cursor still valid */
    CHECK_EQ_STR(e.name, "motd");
    fs_close(d);

    struct file *f;
    CHECK_EQ_INT(fs_open("/etc/motd", &f), 0);
    CHECK_EQ_INT(fs_freaddir(f, 0, &e), -ENOTDIR);
    fs_close(f);

    CHECK_EQ_INT(fs_read(NULL, buf, 1), -EBADF);
    CHECK_EQ_INT(fs_seek(NULL, 0, SEEK_SET), -EBADF);
    CHECK_EQ_INT(fs_fstat(NULL, &st), -EBADF);
    fs_close(NULL);
}

TEST(implied_directories)
{
    size_t len;
    uint8_t *b = tar_real("etc/motd a/b/c/deep.txt", &len);    /* no dir entries */
    if (!CHECK_EQ_INT(fs_mount_initrd(b, len), 0))
        return;
    struct fs_stat st;
    CHECK_EQ_INT(fs_stat("/a/b", &st), 0);
    CHECK(st.type == FS_TYPE_DIR && st.mode == 0755);
    CHECK_EQ_INT(fs_stat("/a/b/c/deep.txt", &st), 0);
    struct fs_dirent d;
    CHECK_EQ_INT(fs_readdir("/", 0, &d), 0);
    CHECK_EQ_STR(d.name, "a");
    CHECK_EQ_INT(fs_readdir("/", 1, &d), 0);
    CHECK_EQ_STR(d.name, "etc");
    CHECK_EQ_INT(fs_readdir("/", 2, &d), -ENOENT);
    free(b);
}

TEST(duplicates_and_conflicts)
{
    static const struct ent dup[] = {
        { "z", '0', "first" }, { "d", '5', NULL }, { "b", '0', "b" },
        { "d/", '5', NULL }, { "z", '0', "second" }, { "./d/x", '0', "x" },
    };
    size_t len;
    uint8_t *b = arc_build(dup, 6, &len);
    CHECK_EQ_INT(fs_mount_initrd(b, len), 0);
    struct file *f;
    char buf[16];
    if (CHECK_EQ_INT(fs_open("/z", &f), 0)) {
        CHECK_EQ_INT(fs_read(f, buf, sizeof(buf)), 6);     /* the later entry wins */
        CHECK(memcmp(buf, "second", 6) == 0);
        fs_close(f);
    }
    struct fs_dirent d;     /* sorted even though the archive was not */
    CHECK(fs_readdir("/", 0, &d) == 0 && strcmp(d.name, "b") == 0);
    CHECK(fs_readdir("/", 1, &d) == 0 && strcmp(d.name, "d") == 0);
    CHECK(fs_readdir("/", 2, &d) == 0 && strcmp(d.name, "z") == 0);
    CHECK_EQ_INT(fs_readdir("/", 3, &d), -ENOENT);
    free(b);

    static const struct ent conflict1[] = { { "a", '0', "x" }, { "a", '5', NULL } };
    b = arc_build(conflict1, 2, &len);
    CHECK_EQ_INT(fs_mount_initrd(b, len), -EIO);
    CHECK(contains(fs_mount_error(), "conflicts"));
    CHECK_EQ_INT(live_allocs, 0);
    free(b);

    static const struct ent conflict2[] = { { "a", '0', "x" }, { "a/b", '0', "y" } };
    b = arc_build(conflict2, 2, &len);
    CHECK_EQ_INT(fs_mount_initrd(b, len), -EIO);
    CHECK(contains(fs_mount_error(), "'a/b'"));
    CHECK(contains(fs_mount_error(), "parent is a file"));
    CHECK_EQ_INT(fs_readdir("/", 0, &d), -ENOENT);          /* root left empty */
    CHECK_EQ_INT(live_allocs, 0);
    free(b);
}

TEST(corrupt_archive_leaves_empty_root)
{
    uint8_t *b = malloc(arc_main_len);
    memcpy(b, arc_main, arc_main_len);
    b[512 * 3 + 10] ^= 1;                   /* damage a later header's name */
    CHECK_EQ_INT(fs_mount_initrd(b, arc_main_len), -EIO);
    CHECK(contains(fs_mount_error(), "corrupt archive at offset 1536"));
    CHECK(contains(fs_mount_error(), "checksum"));
    struct fs_dirent d;
    CHECK_EQ_INT(fs_readdir("/", 0, &d), -ENOENT);
    CHECK_EQ_INT(live_allocs, 0);
    struct file *f;
    CHECK_EQ_INT(fs_open("/", &f), 0);      /* the empty root still works */
    fs_close(f);

    CHECK_EQ_INT(fs_mount_initrd(b, 700), -EIO);            /* truncated */
    CHECK(contains(fs_mount_error(), "truncated"));
    CHECK_EQ_INT(fs_mount_initrd(NULL, 512), -EINVAL);
    CHECK_EQ_INT(fs_mount_initrd(NULL, 0), 0);              /* empty archive */
    CHECK_EQ_STR(fs_mount_error(), "");
    CHECK_EQ_INT(live_allocs, 0);
    free(b);
}

TEST(mount_refused_while_open)
{
    mount_main();
    struct file *f;
    CHECK_EQ_INT(fs_open("/etc/motd", &f), 0);
    CHECK_EQ_INT(fs_open_count(), 1);
    CHECK_EQ_INT(fs_mount_initrd(NULL, 0), -EBUSY);
    struct fs_stat st;
    CHECK_EQ_INT(fs_stat("/etc/motd", &st), 0);             /* tree untouched */
    fs_close(f);
    CHECK_EQ_INT(fs_open_count(), 0);
    CHECK_EQ_INT(fs_mount_initrd(NULL, 0), 0);
    CHECK_EQ_INT(live_allocs, 0);
}

TEST(out_of_memory)
{
    int failures = 0;
    for (long k = 0; k < 40; k++) {
        fail_countdown = k;
        int r = fs_mount_initrd(arc_main, arc_main_len);
        fail_countdown = -1;
        if (r == 0)
            break;
        failures++;
        CHECK_EQ_INT(r, -ENOMEM);
        CHECK_EQ_INT(live_allocs, 0);
        CHECK(contains(fs_mount_error(), "out of memory"));
    }
    CHECK(failures > 5);
    struct fs_stat st;
    CHECK_EQ_INT(fs_stat("/bin/init", &st), 0);

    fail_countdown = 0;
    struct file *f = NULL;
    CHECK_EQ_INT(fs_open("/etc/motd", &f), -ENOMEM);
    fail_countdown = -1;
    CHECK_EQ_INT(fs_open_count(), 0);
}

/* Last test: an empty mount frees the whole tree. */
TEST(zz_final_unmount_frees_everything)
{
    CHECK_EQ_INT(fs_mount_initrd(arc_main, arc_main_len), 0);
    CHECK(live_allocs > 10);
    CHECK_EQ_INT(fs_mount_initrd(NULL, 0), 0);
    CHECK_EQ_INT(live_allocs, 0);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/strata-test-fs-XXXXXX");
    if (!mkdtemp(tmpdir))
        return 2;
    fixture_create();
    arc_main = tar_real(".", &arc_main_len);
    int r = check_run_all();
    free(arc_main);
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    sh(cmd);
    return r;
}
