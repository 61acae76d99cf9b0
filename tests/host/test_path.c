/*
 * Host test of path names (kernel/lib/path.c): lexical normalisation with
 * no working directory, and the mount test the VFS uses for /tmp.
 */
/* host-test-sources: kernel/lib/path.c */
#include <path.h>
#include <string.h>
#include <uapi/errno.h>
#include "check.h"

/* Normalise p into a buffer of size bytes; the result or an error text. */
static const char *norm(const char *p, size_t size, bool *dir_only)
{
    static char out[512];
    static char err[32];
    char buf[512];
    memset(buf, '#', sizeof(buf));
    int r = path_normalize(p, buf, size, dir_only);
    if (r < 0) {
        snprintf(err, sizeof(err), "error %d", r);
        return err;
    }
    CHECK_EQ_INT(r, strlen(buf));
    CHECK(size >= sizeof(buf) || buf[size] == '#');    /* nothing past size */
    strcpy(out, buf);
    return out;
}

TEST(normalise)
{
    bool d;
    CHECK_EQ_STR(norm("/", 64, &d), "/");
    CHECK(d);                                   /* ends with '/': the root is one */
    CHECK_EQ_STR(norm("/bin/hello", 64, &d), "/bin/hello");
    CHECK(!d);
    CHECK_EQ_STR(norm("bin/hello", 64, NULL), "/bin/hello");     /* no cwd: from / */
    CHECK_EQ_STR(norm("//bin///hello", 64, NULL), "/bin/hello");
    CHECK_EQ_STR(norm("/bin/./hello/.", 64, NULL), "/bin/hello");
    CHECK_EQ_STR(norm("/tmp/a/../b", 64, NULL), "/tmp/b");
    CHECK_EQ_STR(norm("/../../..", 64, NULL), "/");               /* .. at the root stays */
    CHECK_EQ_STR(norm("/a/b/c/../../..", 64, NULL), "/");
    CHECK_EQ_STR(norm("/a/..b/.c/...", 64, NULL), "/a/..b/.c/...");  /* only . and .. are special */
    CHECK_EQ_STR(norm("/tmp/dir/", 64, &d), "/tmp/dir");
    CHECK(d);
    CHECK_EQ_STR(norm("/tmp/dir/.", 64, &d), "/tmp/dir");
    CHECK(!d);
    CHECK_EQ_STR(norm(".", 64, NULL), "/");
    CHECK_EQ_STR(norm("./", 64, &d), "/");
    CHECK(d);
}

TEST(errors)
{
    char buf[8];
    CHECK_EQ_INT(path_normalize(NULL, buf, sizeof(buf), NULL), -EINVAL);
    CHECK_EQ_INT(path_normalize("", buf, sizeof(buf), NULL), -ENOENT);
    CHECK_EQ_INT(path_normalize("/", buf, 1, NULL), -ENAMETOOLONG);
    CHECK_EQ_INT(path_normalize("/", buf, 0, NULL), -ENAMETOOLONG);
    /* Exactly fitting, and one byte short. */
    CHECK_EQ_STR(norm("/abcdef", 8, NULL), "/abcdef");
    CHECK_EQ_STR(norm("/abcdefg", 8, NULL), "error -36");
    CHECK_EQ_STR(norm("/a/b/c/d", 8, NULL), "error -36");
    CHECK_EQ_STR(norm("/a/b/c", 7, NULL), "/a/b/c");
    /* A long input that shrinks to fit, once every component fitted. */
    CHECK_EQ_STR(norm("/aaaaa/../bbbbb/../x/./.", 8, NULL), "/x");
    /* Every step must fit: ".." cannot undo a component that did not. */
    CHECK_EQ_STR(norm("/aaaaaaaaaaaaaaaaaaaaaaaaaaaa/../x", 8, NULL), "error -36");
}

TEST(mount_prefix)
{
    CHECK_EQ_STR(path_below("/tmp", "/tmp"), "");
    CHECK_EQ_STR(path_below("/tmp/a/b", "/tmp"), "a/b");
    CHECK(path_below("/tmpx", "/tmp") == NULL);
    CHECK(path_below("/tm", "/tmp") == NULL);
    CHECK(path_below("/bin/tmp", "/tmp") == NULL);
    CHECK(path_below("/", "/tmp") == NULL);
}

int main(void)
{
    return check_run_all();
}
