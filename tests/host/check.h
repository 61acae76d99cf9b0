/*
 * check.h - a tiny header-only unit-test framework for the host tests.
 *
 *     #include "check.h"
 *
 *     TEST(addition) {
 *         CHECK(1 + 1 == 2);
 *         CHECK_EQ_INT(2 + 2, 4);
 *         CHECK_EQ_STR(greeting(), "hello");
 *     }
 *
 *     int main(void) { return check_run_all(); }
 *
 * A failing check prints "file:line: [test] message" and the test goes on.
 * check_run_all() runs every TEST in definition order and returns
 * check_summary(), which prints the last line "N passed, N failed" (the
 * test runner parses it) and returns the process exit code: 0 if nothing
 * failed, else 1. Tests may also be plain functions called from main();
 * then end main with `return check_summary();`.
 *
 * One header per test program: everything here is static.
 */
#ifndef STRATA_CHECK_H
#define STRATA_CHECK_H

#include <stdarg.h>
#include <stdio.h>

#define CHECK_UNUSED_ __attribute__((unused))

static int check_passed_ CHECK_UNUSED_;
static int check_failed_ CHECK_UNUSED_;
static const char *check_current_ CHECK_UNUSED_ = "main";

/* Record one check's result; prints a message if it failed. Returns ok so
 * callers can skip dependent checks: if (!CHECK(p != NULL)) return; */
CHECK_UNUSED_ __attribute__((format(printf, 4, 5)))
static int check_result_(int ok, const char *file, int line, const char *fmt, ...)
{
    if (ok) {
        check_passed_++;
        return 1;
    }
    check_failed_++;
    va_list ap;
    va_start(ap, fmt);
    printf("%s:%d: [%s] ", file, line, check_current_);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    return 0;
}

/* (The header uses only stdio.h: with -Iinclude, <string.h> would be the
 * kernel's own.) */
CHECK_UNUSED_ static int check_streq_(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

#define CHECK(cond) \
    check_result_(!!(cond), __FILE__, __LINE__, "CHECK(%s) failed", #cond)

/* Integers of any type up to 64 bits (compared as long long). */
#define CHECK_EQ_INT(a, b) __extension__ ({                                 \
    long long a_ = (long long)(a), b_ = (long long)(b);                     \
    check_result_(a_ == b_, __FILE__, __LINE__,                             \
                  "CHECK_EQ_INT(%s, %s) failed: %lld != %lld",              \
                  #a, #b, a_, b_); })

/* NUL-terminated strings; NULL equals only NULL. */
#define CHECK_EQ_STR(a, b) __extension__ ({                                 \
    const char *a_ = (a), *b_ = (b);                                        \
    check_result_(check_streq_(a_, b_), __FILE__, __LINE__,                 \
                  "CHECK_EQ_STR(%s, %s) failed: \"%s\" != \"%s\"",          \
                  #a, #b, a_ ? a_ : "(NULL)", b_ ? b_ : "(NULL)"); })

/* ---- registration -------------------------------------------------------- */

#define CHECK_MAX_TESTS 256

struct check_test_ {
    const char *name;
    void (*fn)(void);
};
static struct check_test_ check_tests_[CHECK_MAX_TESTS] CHECK_UNUSED_;
static int check_ntests_ CHECK_UNUSED_;

CHECK_UNUSED_ static void check_register_(const char *name, void (*fn)(void))
{
    if (check_ntests_ == CHECK_MAX_TESTS) {
        printf("check.h: more than %d tests\n", CHECK_MAX_TESTS);
        check_failed_++;
        return;
    }
    check_tests_[check_ntests_].name = name;
    check_tests_[check_ntests_].fn = fn;
    check_ntests_++;
}

/* TEST(name) { body } defines and registers a test function. */
#define TEST(name)                                                          \
    static void test_##name(void);                                          \
    __attribute__((constructor)) static void check_reg_##name(void)         \
    { check_register_(#name, test_##name); }                                \
    static void test_##name(void)

/* Print the final line and return the exit code. */
CHECK_UNUSED_ static int check_summary(void)
{
    printf("%d passed, %d failed\n", check_passed_, check_failed_);
    fflush(stdout);
    return check_failed_ ? 1 : 0;
}

CHECK_UNUSED_ static int check_run_all(void)
{
    for (int i = 0; i < check_ntests_; i++) {
        int failed_before = check_failed_;
        check_current_ = check_tests_[i].name;
        check_tests_[i].fn();
        printf("%s %s\n", check_failed_ == failed_before ? "ok  " : "FAIL",
               check_tests_[i].name);
        fflush(stdout);
    }
    check_current_ = "main";
    return check_summary();
}

#endif
