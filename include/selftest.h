/*
 * Helpers for the kernel's self-test commands (threadtest, pagingtest,
 * aspacetest): one "  PASS: ..." or "  FAIL: ..." line per check, and a
 * closing "NAME: N passed, N failed" line that the integration tests read.
 */
#ifndef STRATA_SELFTEST_H
#define STRATA_SELFTEST_H

#include <compiler.h>

struct selftest {
    int passed, failed;
};

/* Record one check; fmt describes it (printed in either case). */
void selftest_check(struct selftest *t, bool ok, const char *fmt, ...) __printf(3, 4);

/* A check that an operation returned want: "what -> got (meaning)". */
void selftest_check_err(struct selftest *t, int got, int want, const char *what);

/* Print "name: N passed, N failed"; returns 0, or -EIO if any failed. */
int selftest_report(const struct selftest *t, const char *name);

#endif
