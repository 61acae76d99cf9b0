/* Host tests of usage_max_args (kernel/lib/usage.c): the root shell
 * refuses more arguments than a command's usage line allows. */
/* host-test-sources: kernel/lib/usage.c */
#include "check.h"
#include <usage.h>

TEST(plain_and_optional)
{
    CHECK_EQ_INT(usage_max_args("mem"), 0);
    CHECK_EQ_INT(usage_max_args("ls [path]"), 1);
    CHECK_EQ_INT(usage_max_args("ases [detail]"), 1);
    CHECK_EQ_INT(usage_max_args("cp from to"), 2);
    CHECK_EQ_INT(usage_max_args("  help   [command]  "), 1);
}

TEST(alternatives)
{
    CHECK_EQ_INT(usage_max_args("crash ud|pf|null|gp|de|panic"), 1);
    CHECK_EQ_INT(usage_max_args("entrytest [badiret | df | mc]"), 1);
    CHECK_EQ_INT(usage_max_args("threadtest [all|many [N]|preempt|sleep [MS]]"), 2);
    CHECK_EQ_INT(usage_max_args("x [a b|c]"), 2);
    CHECK_EQ_INT(usage_max_args("x [a|b c d] e"), 4);
}

TEST(unbounded)
{
    CHECK_EQ_INT(usage_max_args("cat [-f] path..."), USAGE_UNBOUNDED);
    CHECK_EQ_INT(usage_max_args("urun [path [args...]]"), USAGE_UNBOUNDED);
    CHECK_EQ_INT(usage_max_args("x [a|b...]"), USAGE_UNBOUNDED);
}

TEST(malformed)
{
    CHECK_EQ_INT(usage_max_args(""), 0);
    CHECK_EQ_INT(usage_max_args("x [a [b"), 2);      /* unclosed: closed at the end */
    CHECK_EQ_INT(usage_max_args("x a] b"), 1);       /* stray ']': the line ends */
    CHECK_EQ_INT(usage_max_args("x [a|"), 1);
}

int main(void) { return check_run_all(); }
