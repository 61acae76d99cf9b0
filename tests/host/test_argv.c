/* Host tests of argv_split (kernel/lib/argv.c), used by both shells. */
/* host-test-sources: kernel/lib/argv.c */
#include "check.h"
#include <argv.h>
#include <uapi/errno.h>

static int split(const char *text, char *buf, char **argv, int max)
{
    int i = 0;
    for (; text[i]; i++)
        buf[i] = text[i];
    buf[i] = '\0';
    return argv_split(buf, argv, max);
}

TEST(words_and_blanks)
{
    char buf[64], *argv[5];
    CHECK_EQ_INT(split("  ls \t -l   /etc  ", buf, argv, 4), 3);
    CHECK_EQ_STR(argv[0], "ls");
    CHECK_EQ_STR(argv[1], "-l");
    CHECK_EQ_STR(argv[2], "/etc");
    CHECK(argv[3] == NULL);
    CHECK_EQ_INT(split("", buf, argv, 4), 0);
    CHECK(argv[0] == NULL);
    CHECK_EQ_INT(split(" \t ", buf, argv, 4), 0);
}

TEST(quotes)
{
    char buf[64], *argv[5];
    CHECK_EQ_INT(split("echo \"a  b\" c", buf, argv, 4), 3);
    CHECK_EQ_STR(argv[1], "a  b");
    CHECK_EQ_STR(argv[2], "c");
    CHECK_EQ_INT(split("echo \"\"", buf, argv, 4), 2);
    CHECK_EQ_STR(argv[1], "");
    CHECK_EQ_INT(split("echo \"open", buf, argv, 4), -EINVAL);
}

TEST(limits)
{
    char buf[64], *argv[4];
    CHECK_EQ_INT(split("a b c", buf, argv, 3), 3);
    CHECK(argv[3] == NULL);
    CHECK_EQ_INT(split("a b c d", buf, argv, 3), -E2BIG);
}

int main(void) { return check_run_all(); }
