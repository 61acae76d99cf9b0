/*
 * Host test of the ustar parser (kernel/lib/tar.c): archives made by the host's
 * GNU tar, and hand-built headers for every kind of corruption. Archives are
 * copied into buffers of exactly their size, so ASan flags any read past the
 * end; the truncation and mutation sweeps run the parser over thousands of
 * damaged archives for the same reason.
 */
/* host-test-sources: kernel/lib/tar.c */
#include <stdio.h>
#include <stdlib.h>
#include <tar.h>
#include <string.h>     /* the kernel's header; libc supplies the functions */
#include <uapi/errno.h>
#include "check.h"

#define MAX_ENTRIES 64

/* ---- archive building ------------------------------------------------------ */

struct arc {
    uint8_t *buf;
    size_t len, cap;
};

static void arc_put(struct arc *a, const void *p, size_t n)
{
    if (a->len + n > a->cap) {
        a->cap = (a->len + n) * 2 + 1024;
        a->buf = realloc(a->buf, a->cap);
        if (!a->buf)
            abort();
    }
    if (p)
        memcpy(a->buf + a->len, p, n);
    else
        memset(a->buf + a->len, 0, n);
    a->len += n;
}

/* Copy exactly len bytes of s (NUL-padded) into field h[off..off+len). */
static void field_set(uint8_t *h, size_t off, size_t len, const char *s)
{
    size_t n = strlen(s);
    memset(h + off, 0, len);
    memcpy(h + off, s, n < len ? n : len);
}

/* Store the unsigned header checksum. */
static void hdr_sum(uint8_t *h)
{
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    char f[8];
    snprintf(f, sizeof(f), "%06o", sum);
    memcpy(h + 148, f, 7);      /* six digits, NUL, keep the trailing space */
}

/* A valid POSIX ustar header for name/type/size (checksum included). */
static void hdr_make(uint8_t *h, const char *name, char type, unsigned long long size)
{
    char f[16];
    memset(h, 0, 512);
    field_set(h, 0, 100, name);
    field_set(h, 100, 8, "0000644");
    field_set(h, 108, 8, "0000000");
    field_set(h, 116, 8, "0000000");
    snprintf(f, sizeof(f), "%011llo", size);
    field_set(h, 124, 12, f);
    field_set(h, 136, 12, "00000000000");
    h[156] = (uint8_t)type;
    memcpy(h + 257, "ustar\0" "00", 8);
    hdr_sum(h);
}

/* Append header h and n bytes of data (NULL: zeros), padded to a block. */
static void arc_add(struct arc *a, const uint8_t *h, const void *data, size_t n)
{
    arc_put(a, h, 512);
    arc_put(a, data, n);
    arc_put(a, NULL, (512 - n % 512) % 512);
}

static void arc_add_file(struct arc *a, const char *name, const char *text)
{
    uint8_t h[512];
    hdr_make(h, name, '0', strlen(text));
    arc_add(a, h, text, strlen(text));
}

static void arc_end(struct arc *a)
{
    arc_put(a, NULL, 1024);
}

/* A malloc'd copy of exactly n bytes (n may be 0), for ASan. */
static uint8_t *exact_copy(const void *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    if (!b)
        abort();
    memcpy(b, p, n);
    return b;
}

/* ---- host tar ---------------------------------------------------------------- */

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
    snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
    FILE *f = fopen(path, "wb");
    if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
        printf("cannot write %s\n", path);
        exit(2);
    }
}

/* Run tar in tmpdir/src over `what`; return the archive in an exact buffer. */
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

/* ---- helpers ----------------------------------------------------------------- */

struct listing {
    int count;
    int result;                 /* final tar_iter_next result */
    struct tar_error err;
    struct tar_entry e[MAX_ENTRIES];
};

static void list_all(const void *b, size_t n, struct listing *l)
{
    struct tar_iter it;
    tar_iter_init(&it, b, n);
    l->count = 0;
    while ((l->result = tar_iter_next(&it, &l->e[l->count])) > 0)
        if (++l->count == MAX_ENTRIES)
            break;
    l->err = it.error;
}

static int contains(const char *hay, const char *needle)
{
    if (!hay)
        return 0;
    size_t n = strlen(needle);
    for (; *hay; hay++)
        if (strncmp(hay, needle, n) == 0)
            return 1;
    return 0;
}

/* Entry named name in l, or NULL. */
static const struct tar_entry *find(const struct listing *l, const char *name)
{
    for (int i = 0; i < l->count; i++)
        if (strcmp(l->e[i].name, name) == 0)
            return &l->e[i];
    return NULL;
}

/* Validate an exact copy of a; expect error -EIO at offset with reason. */
static void expect_corrupt(const struct arc *a, size_t offset, const char *reason)
{
    uint8_t *b = exact_copy(a->buf, a->len);
    struct tar_error err = { 0, NULL };
    CHECK_EQ_INT(tar_validate(b, a->len, &err), -EIO);
    CHECK_EQ_INT(err.offset, offset);
    if (!CHECK(contains(err.reason, reason)))
        printf("    reason was: %s (wanted: %s)\n", err.reason ? err.reason : "(null)", reason);
    free(b);
}

/* ---- archives from the host tar ---------------------------------------------- */

static const char long_dir[] =
    "a_rather_long_directory_name_that_is_sixty_characters_long_x";

static uint8_t big[1500];

/* Create the source tree tmpdir/src that the real-archive tests pack. */
static void fixture_create(void)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd), "mkdir -p %s/src/etc %s/src/a/b/c %s/src/empty_dir "
             "%s/src/%s/%s", tmpdir, tmpdir, tmpdir, tmpdir, long_dir, long_dir);
    sh(cmd);
    write_file("src/etc/motd", "hello\n", 6);
    write_file("src/etc/hostname", "strata\n", 7);
    write_file("src/a/b/c/deep.txt", "deep", 4);
    write_file("src/zero", "", 0);
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (uint8_t)(i * 7);
    write_file("src/big.bin", big, sizeof(big));
    snprintf(cmd, sizeof(cmd), "src/%s/%s/file_in_long_path.txt", long_dir, long_dir);
    write_file(cmd, "long", 4);
    snprintf(cmd, sizeof(cmd), "chmod 0640 %s/src/etc/motd", tmpdir);
    sh(cmd);
}

TEST(real_archive_listing)
{
    char cmd[1024];
    size_t n;
    uint8_t *b = tar_real(".", &n);
    struct listing *l = calloc(1, sizeof(*l));
    CHECK_EQ_INT(tar_validate(b, n, NULL), 0);
    list_all(b, n, l);
    CHECK_EQ_INT(l->result, 0);
    CHECK_EQ_INT(l->count, 14);

    const struct tar_entry *e = find(l, "");
    CHECK(e && e->type == TAR_TYPE_DIR);        /* "./" is the root */
    e = find(l, "etc/motd");
    if (CHECK(e)) {
        CHECK_EQ_INT(e->type, TAR_TYPE_FILE);
        CHECK_EQ_INT(e->size, 6);
        CHECK_EQ_INT(e->mode, 0640);
        CHECK(memcmp(e->data, "hello\n", 6) == 0);
        CHECK_EQ_INT(e->mtime, 0);
    }
    e = find(l, "a/b/c");
    CHECK(e && e->type == TAR_TYPE_DIR && e->size == 0);
    e = find(l, "a/b/c/deep.txt");
    CHECK(e && e->size == 4 && memcmp(e->data, "deep", 4) == 0);
    e = find(l, "zero");
    CHECK(e && e->type == TAR_TYPE_FILE && e->size == 0);
    e = find(l, "big.bin");
    CHECK(e && e->size == sizeof(big) && memcmp(e->data, big, sizeof(big)) == 0);
    CHECK(find(l, "empty_dir") && find(l, "empty_dir")->type == TAR_TYPE_DIR);

    /* The long path does not fit the 100-byte name: tar used the prefix. */
    snprintf(cmd, sizeof(cmd), "%s/%s/file_in_long_path.txt", long_dir, long_dir);
    e = find(l, cmd);
    if (CHECK(e)) {
        CHECK(e->size == 4 && memcmp(e->data, "long", 4) == 0);
        const uint8_t *h = (const uint8_t *)e->data - 512;
        CHECK(h[345] != 0);     /* prefix field in use */
    }
    free(l);
    free(b);
}

/* Every truncation of a real archive ends cleanly or with an error. */
TEST(real_archive_truncations)
{
    size_t n;
    uint8_t *full = tar_real(".", &n);
    int ends = 0, errors = 0, bad = 0;
    for (size_t cut = 0; cut <= n; cut++) {
        uint8_t *b = exact_copy(full, cut);
        struct tar_error err = { 0, NULL };
        int r = tar_validate(b, cut, &err);
        if (r == 0)
            ends++;
        else if (r == -EIO && err.reason && err.offset < cut)
            errors++;
        else
            bad++;
        free(b);
    }
    CHECK_EQ_INT(bad, 0);
    CHECK(ends > 0 && errors > 0);
    free(full);
}

/* Random byte damage never crashes the parser or yields out-of-range data. */
TEST(mutation_sweep)
{
    size_t n;
    uint8_t *full = tar_real(".", &n);
    uint8_t *b = exact_copy(full, n);
    unsigned seed = 12345;
    int bad = 0;
    for (int round = 0; round < 3000; round++) {
        memcpy(b, full, n);
        for (int k = 0; k < 1 + round % 4; k++) {
            seed = seed * 1103515245u + 12345u;
            size_t pos = (seed >> 8) % (n < 4096 ? n : 4096);  /* headers live early */
            b[pos] = (uint8_t)(seed >> 3);
        }
        struct tar_iter it;
        struct tar_entry e;
        tar_iter_init(&it, b, n);
        int r;
        while ((r = tar_iter_next(&it, &e)) > 0) {
            const uint8_t *d = e.data;
            if (d < b || d + e.size > b + n)
                bad++;
        }
        if (r < 0 && !it.error.reason)
            bad++;
    }
    CHECK_EQ_INT(bad, 0);
    free(b);
    free(full);
}

/* ---- hand-built archives ------------------------------------------------------- */

TEST(prefix_and_name_fields)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, "file.txt", '0', 3);
    field_set(h, 345, 155, "some/long/dir");
    hdr_sum(h);
    arc_add(&a, h, "abc", 3);

    char name100[101];
    memset(name100, 'n', 100);
    name100[100] = '\0';
    hdr_make(h, name100, '0', 0);       /* fills the field: no NUL */
    arc_add(&a, h, NULL, 0);

    char prefix155[156];
    memset(prefix155, 'p', 155);
    prefix155[155] = '\0';
    hdr_make(h, name100, '0', 0);
    memcpy(h + 345, prefix155, 155);     /* full prefix, no NUL either */
    hdr_sum(h);
    arc_add(&a, h, NULL, 0);
    arc_end(&a);

    uint8_t *b = exact_copy(a.buf, a.len);
    struct listing *l = calloc(1, sizeof(*l));
    list_all(b, a.len, l);
    CHECK_EQ_INT(l->result, 0);
    CHECK_EQ_INT(l->count, 3);
    CHECK_EQ_STR(l->e[0].name, "some/long/dir/file.txt");
    CHECK_EQ_STR(l->e[1].name, name100);
    CHECK_EQ_INT(strlen(l->e[2].name), 256);
    CHECK(l->e[2].name[155] == '/' && l->e[2].name[0] == 'p' && l->e[2].name[255] == 'n');
    free(l);
    free(b);
    free(a.buf);
}

TEST(old_gnu_magic_ignores_prefix)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, "gnu.txt", '0', 0);
    memcpy(h + 257, "ustar  \0", 8);
    field_set(h, 345, 12, "garbage");   /* atime etc. in GNU format */
    hdr_sum(h);
    arc_add(&a, h, NULL, 0);
    arc_end(&a);
    struct listing l;
    list_all(a.buf, a.len, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 1);
    CHECK_EQ_STR(l.e[0].name, "gnu.txt");
    free(a.buf);
}

TEST(name_normalization)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, ".", '5', 0);
    arc_add(&a, h, NULL, 0);
    hdr_make(h, "./a//b/./c/", '5', 0);
    arc_add(&a, h, NULL, 0);
    arc_add_file(&a, "/abs/path", "x");
    hdr_make(h, "olddir/", '0', 0);     /* pre-POSIX directory */
    arc_add(&a, h, NULL, 0);
    hdr_make(h, "/", '5', 0);
    arc_add(&a, h, NULL, 0);
    arc_add_file(&a, "./x..y/..z", "");  /* dots inside names are fine */
    arc_end(&a);
    struct listing l;
    list_all(a.buf, a.len, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 6);
    CHECK_EQ_STR(l.e[0].name, "");
    CHECK_EQ_STR(l.e[1].name, "a/b/c");
    CHECK_EQ_STR(l.e[2].name, "abs/path");
    CHECK_EQ_STR(l.e[3].name, "olddir");
    CHECK_EQ_INT(l.e[3].type, TAR_TYPE_DIR);
    CHECK_EQ_STR(l.e[4].name, "");
    CHECK_EQ_STR(l.e[5].name, "x..y/..z");
    free(a.buf);
}

TEST(unsupported_types_are_reported)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, "link", '2', 0);
    field_set(h, 157, 100, "target");
    hdr_sum(h);
    arc_add(&a, h, NULL, 0);
    hdr_make(h, "PaxHeaders/x", 'x', 20);       /* extension header with data */
    arc_add(&a, h, "20 path=whatever...\n", 20);
    arc_add_file(&a, "after", "ok");
    arc_end(&a);
    struct listing l;
    list_all(a.buf, a.len, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 3);
    CHECK_EQ_INT(l.e[0].type, TAR_TYPE_OTHER);
    CHECK_EQ_INT(l.e[0].typeflag, '2');
    CHECK_EQ_INT(l.e[1].type, TAR_TYPE_OTHER);
    CHECK_EQ_STR(l.e[2].name, "after");
    CHECK(l.e[2].size == 2 && memcmp(l.e[2].data, "ok", 2) == 0);
    free(a.buf);
}

TEST(signed_checksum_accepted)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, "caf\xe9\xff", '0', 0);
    /* Recompute the checksum with signed bytes, as old Sun tar did. */
    memset(h + 148, ' ', 8);
    int sum = 0;
    for (int i = 0; i < 512; i++)
        sum += (int8_t)h[i];
    char f[8];
    snprintf(f, sizeof(f), "%06o", sum);
    memcpy(h + 148, f, 7);
    arc_add(&a, h, NULL, 0);
    arc_end(&a);
    CHECK_EQ_INT(tar_validate(a.buf, a.len, NULL), 0);
    free(a.buf);
}

TEST(end_markers)
{
    struct arc a = { 0 };
    arc_add_file(&a, "one", "1");
    arc_end(&a);
    arc_add_file(&a, "ignored", "after the end");
    struct listing l;
    list_all(a.buf, a.len, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 1);

    /* One zero block followed by the end of the buffer ends the archive. */
    uint8_t *b = exact_copy(a.buf, 1024 + 512);
    CHECK_EQ_INT(tar_validate(b, 1024 + 512, NULL), 0);
    free(b);
    /* ... and so does a partial block after it. */
    b = exact_copy(a.buf, 1024 + 512 + 100);
    CHECK_EQ_INT(tar_validate(b, 1024 + 512 + 100, NULL), 0);
    free(b);
    free(a.buf);

    /* A lone zero block followed by another header is corruption. */
    struct arc c = { 0 };
    arc_add_file(&c, "one", "1");
    arc_put(&c, NULL, 512);
    arc_add_file(&c, "two", "2");
    arc_end(&c);
    expect_corrupt(&c, 1024, "lone zero block");
    free(c.buf);

    /* Empty buffer and NULL buffer of size 0: empty archives. */
    CHECK_EQ_INT(tar_validate(NULL, 0, NULL), 0);
    struct tar_error err;
    CHECK_EQ_INT(tar_validate(NULL, 512, &err), -EINVAL);
}

TEST(data_ending_at_buffer_end)
{
    struct arc a = { 0 };
    uint8_t h[512];
    hdr_make(h, "exact", '0', 512);     /* data fills its block exactly */
    arc_put(&a, h, 512);
    uint8_t data[512];
    memset(data, 'd', sizeof(data));
    arc_put(&a, data, 512);
    uint8_t *b = exact_copy(a.buf, a.len);
    struct listing l;
    list_all(b, a.len, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 1);
    CHECK(l.e[0].size == 512 && ((const uint8_t *)l.e[0].data)[511] == 'd');
    free(b);

    /* Unpadded: 100 bytes of data end the buffer mid-block. */
    hdr_make(h, "short", '0', 100);
    memcpy(a.buf, h, 512);
    b = exact_copy(a.buf, 612);
    list_all(b, 612, &l);
    CHECK_EQ_INT(l.result, 0);
    CHECK_EQ_INT(l.count, 1);
    CHECK_EQ_INT(l.e[0].size, 100);
    free(b);

    /* One byte short of the declared size: an error, not a read past the end. */
    b = exact_copy(a.buf, 611);
    struct tar_error err = { 0, NULL };
    CHECK_EQ_INT(tar_validate(b, 611, &err), -EIO);
    CHECK(contains(err.reason, "past the end"));
    free(b);
    free(a.buf);
}

TEST(zero_length_file)
{
    struct arc a = { 0 };
    arc_add_file(&a, "empty", "");
    arc_add_file(&a, "next", "n");
    arc_end(&a);
    struct listing l;
    list_all(a.buf, a.len, &l);
    CHECK_EQ_INT(l.count, 2);
    CHECK_EQ_INT(l.e[0].size, 0);
    CHECK(l.e[0].data == a.buf + 512);
    CHECK_EQ_INT(l.e[1].offset, 512);   /* no data blocks for an empty file */
    free(a.buf);
}

/* Build "good" then a damaged second header; expect the error at 1024. */
static void check_damage(void (*damage)(uint8_t *h), int fix_sum, const char *reason)
{
    struct arc a = { 0 };
    arc_add_file(&a, "good", "fine");
    uint8_t h[512];
    hdr_make(h, "bad", '0', 5);
    damage(h);
    if (fix_sum)
        hdr_sum(h);
    arc_add(&a, h, "hello", 5);
    arc_end(&a);
    expect_corrupt(&a, 1024, reason);
    free(a.buf);
}

static void dmg_flip_name(uint8_t *h)    { h[1] ^= 0x20; }
static void dmg_size_alpha(uint8_t *h)   { h[124 + 5] = 'x'; }
static void dmg_size_eight(uint8_t *h)   { h[124 + 10] = '8'; }
static void dmg_size_empty(uint8_t *h)   { memset(h + 124, 0, 12); }
static void dmg_size_b256(uint8_t *h)    { memset(h + 124, 0, 12); h[124] = 0x80; h[135] = 5; }
static void dmg_size_spaces(uint8_t *h)  { memcpy(h + 124, "  5 1       ", 12); }
static void dmg_size_huge(uint8_t *h)    { memcpy(h + 124, "77777777777", 12); }
static void dmg_size_full(uint8_t *h)    { memcpy(h + 124, "777777777777", 12); }
static void dmg_size_over(uint8_t *h)    { memcpy(h + 124, "00000010000", 12); }
static void dmg_mode(uint8_t *h)         { memcpy(h + 100, "06-4\0\0\0", 8); }
static void dmg_mtime(uint8_t *h)        { memcpy(h + 136, "1234567890a", 12); }
static void dmg_chksum(uint8_t *h)       { memcpy(h + 148, "12z456\0 ", 8); }
static void dmg_magic(uint8_t *h)        { memcpy(h + 257, "USTAR\0" "00", 8); }
static void dmg_dotdot(uint8_t *h)       { field_set(h, 0, 100, "a/../../etc/passwd"); }
static void dmg_empty_name(uint8_t *h)   { memset(h, 0, 100); }
static void dmg_root_file(uint8_t *h)    { field_set(h, 0, 100, "./"); h[156] = '7'; }
static void dmg_dir_size(uint8_t *h)     { h[156] = '5'; }

TEST(corruptions)
{
    check_damage(dmg_flip_name, 0, "bad header checksum");
    check_damage(dmg_chksum, 0, "checksum field is not an octal");
    check_damage(dmg_size_alpha, 1, "size field is not an octal");
    check_damage(dmg_size_eight, 1, "size field is not an octal");
    check_damage(dmg_size_empty, 1, "size field is not an octal");
    check_damage(dmg_size_b256, 1, "size field is not an octal");
    check_damage(dmg_size_spaces, 1, "size field is not an octal");
    check_damage(dmg_size_huge, 1, "past the end");
    check_damage(dmg_size_full, 1, "past the end");
    check_damage(dmg_size_over, 1, "past the end");
    check_damage(dmg_mode, 1, "mode field is not an octal");
    check_damage(dmg_mtime, 1, "mtime field is not an octal");
    check_damage(dmg_magic, 1, "bad magic");
    check_damage(dmg_dotdot, 1, "'..'");
    check_damage(dmg_empty_name, 1, "empty name");
    check_damage(dmg_root_file, 1, "root");
    check_damage(dmg_dir_size, 1, "directory entry with nonzero size");
}

TEST(truncated_header_and_sticky_error)
{
    struct arc a = { 0 };
    arc_add_file(&a, "one", "1");
    arc_add_file(&a, "two", "2");
    uint8_t *b = exact_copy(a.buf, 1024 + 300);
    struct tar_iter it;
    struct tar_entry e;
    tar_iter_init(&it, b, 1024 + 300);
    CHECK_EQ_INT(tar_iter_next(&it, &e), 1);
    CHECK_EQ_INT(tar_iter_next(&it, &e), -EIO);
    CHECK_EQ_INT(it.error.offset, 1024);
    CHECK(contains(it.error.reason, "truncated header"));
    CHECK_EQ_INT(tar_iter_next(&it, &e), -EIO);     /* stays failed */

    tar_iter_init(&it, b, 1024);                    /* clean end: stays ended */
    CHECK_EQ_INT(tar_iter_next(&it, &e), 1);
    CHECK_EQ_INT(tar_iter_next(&it, &e), 0);
    CHECK_EQ_INT(tar_iter_next(&it, &e), 0);
    free(b);
    free(a.buf);
}

int main(void)
{
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/strata-test-tar-XXXXXX");
    if (!mkdtemp(tmpdir)) {
        printf("mkdtemp failed\n");
        return 2;
    }
    fixture_create();
    int r = check_run_all();
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
    sh(cmd);
    return r;
}
