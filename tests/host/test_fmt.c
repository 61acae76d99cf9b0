/*
 * Host test of the kernel formatter (kernel/lib/fmt.c), compared with the C
 * library's snprintf wherever C defines the result, and with the kernel's
 * documented behaviour (include/fmt.h) where it differs on purpose (%p).
 *
 * kernel/lib/fmt.c is #included below with its snprintf/vsnprintf renamed to
 * k_snprintf/k_vsnprintf, so the C library's stay available as the
 * reference; hence no extra sources to link:
 */
/* host-test-sources: kernel/lib/errstr.c */
#define snprintf  k_snprintf
#define vsnprintf k_vsnprintf
#include "../../kernel/lib/fmt.c"
#undef snprintf
#undef vsnprintf

#include <errstr.h>
#include <uapi/errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include "check.h"

#define BUFSZ 768

/* ---- helpers ------------------------------------------------------------- */

static int bytes_equal(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] != b[i])
            return 0;
    return 1;
}

/* Printable rendering of up to n bytes (NULs as \0), for messages. */
static const char *show(const char *s, int n, char *out, size_t outsz)
{
    size_t o = 0;
    for (int i = 0; i < n && o + 3 < outsz; i++) {
        if (s[i] == 0) {
            out[o++] = '\\';
            out[o++] = '0';
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = 0;
    return out;
}

/* Format with both implementations into buffers of `size` bytes (through
 * the v* entry points); return 1 if results and buffers agree, else print
 * both and return 0. Bytes past `size` must stay untouched. */
static int compare_v(const char *file, int line, size_t size, const char *fmt, va_list ap)
{
    char kb[BUFSZ + 8], lb[BUFSZ + 8];
    va_list ap2;

    for (size_t i = 0; i < sizeof kb; i++)
        kb[i] = lb[i] = '#';
    va_copy(ap2, ap);
    int kn = k_vsnprintf(size ? kb : NULL, size, fmt, ap);
    int ln = vsnprintf(size ? lb : NULL, size, fmt, ap2);
    va_end(ap2);

    int ok = kn == ln && bytes_equal(kb, lb, sizeof kb);
    if (!ok) {
        char ks[2 * BUFSZ], ls[2 * BUFSZ];
        /* show the written part and its NUL */
        int shown = size ? (int)MIN((size_t)MAX(kn, ln), size - 1) + 1 : 0;
        check_result_(0, file, line,
                      "format \"%s\" size %zu: kernel \"%s\" returned %d, libc \"%s\" returned %d",
                      fmt, size, show(kb, shown, ks, sizeof ks), kn,
                      show(lb, shown, ls, sizeof ls), ln);
    }
    return ok;
}

/* Compare with a buffer of `size` bytes; one check per call. */
static int same_sized(const char *file, int line, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int ok = compare_v(file, line, size, fmt, ap);
    va_end(ap);
    if (ok)
        check_passed_++;
    return ok;
}

/* For the generated formats: no pass counted (the loop counts one per
 * format), no message (the loop reports the first few). */
static int same_quiet(size_t size, const char *fmt, ...)
{
    char kb[BUFSZ], lb[BUFSZ];
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int kn = k_vsnprintf(kb, size, fmt, ap);
    int ln = vsnprintf(lb, size, fmt, ap2);
    va_end(ap2);
    va_end(ap);
    return kn == ln && check_streq_(kb, lb);
}

#define SAME(fmt, ...)  same_sized(__FILE__, __LINE__, BUFSZ, fmt, ##__VA_ARGS__)
#define SAME_N(size, fmt, ...) same_sized(__FILE__, __LINE__, size, fmt, ##__VA_ARGS__)

/* Kernel result must be exactly `want` (and the return value its length). */
static void expect_k(const char *file, int line, const char *want, const char *fmt, ...)
{
    char kb[BUFSZ];
    va_list ap;
    va_start(ap, fmt);
    int kn = k_vsnprintf(kb, sizeof kb, fmt, ap);
    va_end(ap);
    int wn = 0;
    while (want[wn])
        wn++;
    check_result_(kn == wn && check_streq_(kb, want), file, line,
                  "format \"%s\": kernel \"%s\" returned %d, want \"%s\" (%d)",
                  fmt, kb, kn, want, wn);
}
#define EXPECT_K(want, fmt, ...) expect_k(__FILE__, __LINE__, want, fmt, ##__VA_ARGS__)

/* ---- generated integer formats ------------------------------------------ */

static const char *const convs[] = { "d", "i", "u", "x", "X", "o" };

struct star { const char *text; int star; int value; };
static const struct star widths[] = {
    { "", 0, 0 }, { "1", 0, 0 }, { "6", 0, 0 }, { "25", 0, 0 },
    { "*", 1, 9 }, { "*", 1, -9 },
};
static const struct star precs[] = {
    { "", 0, 0 }, { ".", 0, 0 }, { ".0", 0, 0 }, { ".1", 0, 0 }, { ".5", 0, 0 },
    { ".30", 0, 0 }, { ".*", 1, 3 }, { ".*", 1, -1 },
};

static const int int_vals[] = {
    0, 1, -1, 7, 8, 42, -42, 127, 128, 255, 256, -128, -129, 32767, 32768,
    65535, 65536, -32769, INT_MAX, INT_MIN, 0x12345678, 07777, -0x1000,
};
static const long long ll_vals[] = {
    0, 1, -1, 8, 42, -42, INT_MAX, (long long)INT_MAX + 1, INT_MIN,
    (long long)UINT_MAX, (long long)UINT_MAX + 1, LLONG_MAX, LLONG_MIN,
    0x0123456789abcdefLL, -0x0123456789abcdefLL, 01234567012345670123LL,
};

/* One format against one value, passing the * arguments it needs. The value
 * is passed as int for "", hh and h, else as long long (all the 64-bit
 * length modifiers take a 64-bit argument on x86-64). */
static int one_int(const char *fmt, const struct star *w, const struct star *p,
                   int is64, long long v)
{
    if (is64) {
        if (w->star && p->star) return same_quiet(BUFSZ, fmt, w->value, p->value, v);
        if (w->star)            return same_quiet(BUFSZ, fmt, w->value, v);
        if (p->star)            return same_quiet(BUFSZ, fmt, p->value, v);
        return same_quiet(BUFSZ, fmt, v);
    }
    int iv = (int)v;
    if (w->star && p->star) return same_quiet(BUFSZ, fmt, w->value, p->value, iv);
    if (w->star)            return same_quiet(BUFSZ, fmt, w->value, iv);
    if (p->star)            return same_quiet(BUFSZ, fmt, p->value, iv);
    return same_quiet(BUFSZ, fmt, iv);
}

/* Every combination of flags (all 32 subsets of "-0+ #"), width, precision
 * and conversion for the given length modifiers; one check per format
 * string (all values), reporting only the first differing value. */
static void int_matrix(const char *const *lengths, int nlengths, int is64, int all_flags)
{
    static const char flagchars[] = "-0+ #";
    int reported = 0;
    for (int f = 0; f < 32; f++) {
        if (!all_flags && f != 0 && f != 1 && f != 2 && f != 16 && f != 18)
            continue;   /* none, -, 0, #, #0 */
        char flags[8];
        int nf = 0;
        for (int b = 0; b < 5; b++)
            if (f & (1 << b))
                flags[nf++] = flagchars[b];
        flags[nf] = 0;
        for (size_t wi = 0; wi < ARRAY_SIZE(widths); wi++)
            for (size_t pi = 0; pi < ARRAY_SIZE(precs); pi++)
                for (int li = 0; li < nlengths; li++)
                    for (size_t ci = 0; ci < ARRAY_SIZE(convs); ci++) {
                        char fmt[32];
                        k_snprintf(fmt, sizeof fmt, "[%%%s%s%s%s%s]", flags,
                                   widths[wi].text, precs[pi].text, lengths[li], convs[ci]);
                        size_t nv = is64 ? ARRAY_SIZE(ll_vals) : ARRAY_SIZE(int_vals);
                        for (size_t vi = 0; vi < nv; vi++) {
                            long long v = is64 ? ll_vals[vi] : int_vals[vi];
                            if (one_int(fmt, &widths[wi], &precs[pi], is64, v))
                                continue;
                            /* report the first few differing formats in full */
                            if (++reported <= 4) {
                                if (widths[wi].star && precs[pi].star)
                                    same_sized(__FILE__, __LINE__, BUFSZ, fmt,
                                               widths[wi].value, precs[pi].value, v);
                                else if (widths[wi].star || precs[pi].star)
                                    same_sized(__FILE__, __LINE__, BUFSZ, fmt,
                                               widths[wi].star ? widths[wi].value
                                                               : precs[pi].value, v);
                                else
                                    same_sized(__FILE__, __LINE__, BUFSZ, fmt, v);
                                printf("    (value %lld passed as %s", v,
                                       is64 ? "long long" : "int");
                                if (widths[wi].star)
                                    printf(", width argument %d", widths[wi].value);
                                if (precs[pi].star)
                                    printf(", precision argument %d", precs[pi].value);
                                printf(")\n");
                            } else {
                                check_failed_++;
                            }
                            goto next;
                        }
                        check_passed_++;
                    next:;
                    }
    }
    if (reported > 4)
        printf("    ... and %d more differing formats\n", reported - 4);
}

TEST(int_all_flags_plain_and_ll)
{
    static const char *const lens[] = { "", "ll" };
    int_matrix(lens, 1, 0, 1);
    int_matrix(lens + 1, 1, 1, 1);
}

TEST(int_length_modifiers)
{
    static const char *const lens32[] = { "hh", "h" };
    static const char *const lens64[] = { "l", "z", "j", "t" };
    int_matrix(lens32, 2, 0, 0);
    int_matrix(lens64, 4, 1, 0);
}

/* ---- hand-written cases -------------------------------------------------- */

TEST(integers)
{
    SAME("%d", 0);
    SAME("%d %i %u", 123, -456, 789u);
    SAME("%x %X %o", 0xbeefu, 0xbeefu, 0755u);
    SAME("%5d|%-5d|%05d", 42, 42, 42);
    SAME("%+d % d %+d % d", 5, 5, -5, -5);
    SAME("%+ d", 5);
    SAME("%#x %#X %#o", 255u, 255u, 8u);
    SAME("%#x %#o", 0u, 0u);
    SAME("%#10x|%-#10x|%#010x", 0x2au, 0x2au, 0x2au);
    SAME("%.3d|%8.3d|%-8.3d|%08.3d", 7, -7, 7, 7);
    SAME("%hhd %hhu %hhx", 200, 300, 0x1ff);
    SAME("%hd %hu %hx", 40000, 70000, 0x12345);
    SAME("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
    SAME("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, ULLONG_MAX, ULLONG_MAX);
    SAME("%lld", (long long)INT64_MIN);
    SAME("%ld", (long)INT64_MIN);
    SAME("%zu %zx %zd", (size_t)SIZE_MAX, (size_t)0x1000, (ssize_t)-3);
    SAME("%jd %ju", (intmax_t)INTMAX_MIN, (uintmax_t)UINTMAX_MAX);
    SAME("%td", (ptrdiff_t)-12345);
    SAME("%*d|%-*d|%*d", 6, 1, 6, 2, -6, 3);
    SAME("%.*d|%.*d", 4, 5, -1, 5);
    SAME("%*.*x", 10, 6, 0xabcu);
    SAME("%300d", 1);
    SAME("%.300d", -1);
}

TEST(zero_with_precision_zero)
{
    SAME("[%.0d]", 0);
    SAME("[%.0i][%.0u][%.0x][%.0X][%.0o]", 0, 0u, 0u, 0u, 0u);
    SAME("[%5.0d][%-5.0d]", 0, 0);
    SAME("[%+.0d][% .0d]", 0, 0);
    SAME("[%#.0x][%#.0o][%#5.0o]", 0u, 0u, 0u);
    SAME("[%.0d]", 1);
    SAME("[%.d]", 0);
}

TEST(octal_alternate_form)
{
    SAME("[%#o]", 8u);
    SAME("[%#.2o]", 8u);
    SAME("[%#.5o]", 8u);
    SAME("[%#5o]", 8u);
    SAME("[%#-5o]", 8u);
    SAME("[%#08o]", 8u);    /* zero padding must survive the '#' */
    SAME("[%#08o]", 0u);
    SAME("[%#0*o]", 6, 1u);
}

TEST(strings_and_chars)
{
    SAME("%s", "hello");
    SAME("%s|%s", "", "x");
    SAME("%10s|%-10s|", "abc", "abc");
    SAME("%.2s|%10.2s|%-10.2s|", "abcdef", "abcdef", "abcdef");
    SAME("%.0s|%.s|", "abc", "abc");
    SAME("%.10s", "abc");
    SAME("%*s|%-*s|%*s|", 5, "a", 5, "b", -5, "c");
    SAME("%.*s|%.*s", 2, "abcdef", -1, "abcdef");
    SAME("%2s", "longer than width");
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("%5c|%-5c|", 'x', 'y');
    SAME("%c", 0x80 | 'a');
    SAME("a%cb", 0);            /* a NUL character counts */
    SAME("[%3c][%-3c]", 0, 0);
    SAME("%%");
    SAME("100%% of %d%%", 5);
    SAME("no conversions at all");
    SAME("");
    SAME("x=%d y=%s z=%c %#x %%", -1, "str", 'q', 48879u);
}

TEST(null_string)
{
    const char *null = NULL;
    SAME("%s", null);
    SAME("[%10s][%-10s]", null, null);
    /* glibc prints "" for a NULL with precision < 6; the kernel truncates */
    EXPECT_K("(nu", "%.3s", null);
}

TEST(pointers)
{
    /* Kernel: "0x" and 16 digits always (differs from glibc on purpose). */
    EXPECT_K("0x0000000000000000", "%p", NULL);
    EXPECT_K("0x00000000deadbeef", "%p", (void *)0xdeadbeefUL);
    EXPECT_K("0xffffffff80001000", "%p", (void *)0xffffffff80001000UL);
    EXPECT_K("[0x0000000000000010]", "[%p]", (void *)16);
    /* same length as a 64-bit %#018lx */
    void *p = (void *)0x123456789aUL;
    char a[64], b[64];
    k_snprintf(a, sizeof a, "%p", p);
    snprintf(b, sizeof b, "%#018lx", (unsigned long)(uintptr_t)p);
    CHECK_EQ_STR(a, b);
}

TEST(unusual_formats)
{
    /* Documented kernel behaviour: an unknown conversion prints verbatim, a
     * lone '%' at the end is dropped. (Formats held in volatile pointers
     * so the compiler does not warn about them.) */
    const char *volatile unknown = "a%yb";
    const char *volatile trailing = "abc%";
    const char *volatile trailing2 = "abc%-5";
    const char *volatile trailing3 = "abc%ll";
    char buf[32];
    CHECK_EQ_INT(k_snprintf(buf, sizeof buf, unknown), 4);
    CHECK_EQ_STR(buf, "a%yb");
    CHECK_EQ_INT(k_snprintf(buf, sizeof buf, trailing), 3);
    CHECK_EQ_STR(buf, "abc");
    CHECK_EQ_INT(k_snprintf(buf, sizeof buf, trailing2), 3);
    CHECK_EQ_STR(buf, "abc");
    CHECK_EQ_INT(k_snprintf(buf, sizeof buf, trailing3), 3);
    CHECK_EQ_STR(buf, "abc");
}

TEST(truncation_and_return_value)
{
    /* Every buffer size from 0 (NULL buffer) to past the full length. */
    for (size_t size = 0; size <= 40; size++) {
        SAME_N(size, "%d-%s-%#x|%c", -12345, "truncate me", 0xabcu, 'Z');
        SAME_N(size, "%20s", "pad");
        SAME_N(size, "%-8d|", 42);
        SAME_N(size, "%%%%%%");
    }
    SAME_N(0, "%s", "anything");
    SAME_N(1, "%s", "anything");
    SAME_N(1, "");
    SAME_N(5, "%600d", 7);      /* result longer than the buffer */
    SAME_N(BUFSZ, "%1000d", 7);

    char small[4] = { 'x', 'x', 'x', 'x' };
    CHECK_EQ_INT(k_snprintf(small, 3, "%d", 12345), 5);
    CHECK_EQ_STR(small, "12");
    CHECK_EQ_INT(small[3], 'x');
    CHECK_EQ_INT(k_snprintf(NULL, 0, "%s%d", "abc", 100), 6);
}

TEST(error_conversion)
{
    /* JOS's %e: an error code, negative or not, as errstr() describes it;
     * width and '-' apply as to %s. (Formats in volatile pointers: the
     * compiler's checker knows only C's floating %e.) */
    const char *volatile e = "%e", *volatile wide = "[%-12e]", *volatile right = "[%30e]";
    char buf[64];
    CHECK_EQ_INT(k_snprintf(buf, sizeof buf, e, -ENOENT), 25);
    CHECK_EQ_STR(buf, "no such file or directory");
    k_snprintf(buf, sizeof buf, e, ENOMEM);
    CHECK_EQ_STR(buf, "out of memory");
    k_snprintf(buf, sizeof buf, e, -9999);
    CHECK_EQ_STR(buf, "unknown error");
    k_snprintf(buf, sizeof buf, e, 0);
    CHECK_EQ_STR(buf, "success");
    k_snprintf(buf, sizeof buf, wide, -EIO);
    CHECK_EQ_STR(buf, "[I/O error   ]");
    k_snprintf(buf, sizeof buf, right, -EPIPE);
    CHECK_EQ_STR(buf, "[                   broken pipe]");
    CHECK_EQ_INT(k_snprintf(buf, 4, e, -EPIPE), 11);
    CHECK_EQ_STR(buf, "bro");
    /* Every code of the table has a text and a name of its own. */
#define ERR_TEXT_(name, number, text) CHECK_EQ_STR(errstr(-number), text); CHECK_EQ_STR(errname(number), #name);
    ERRNO_LIST(ERR_TEXT_)
#undef ERR_TEXT_
}

/* fmt_vformat with a custom sink: the count matches what it emitted. */
struct sink { char buf[256]; int n; };
static void sink_out(char c, void *ctx)
{
    struct sink *s = ctx;
    if (s->n < (int)sizeof s->buf - 1)
        s->buf[s->n] = c;
    s->n++;
}
static int via_sink(struct sink *s, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    s->n = 0;
    int r = fmt_vformat(sink_out, s, fmt, ap);
    va_end(ap);
    s->buf[s->n < (int)sizeof s->buf ? s->n : (int)sizeof s->buf - 1] = 0;
    return r;
}

TEST(fmt_vformat_sink)
{
    struct sink s;
    CHECK_EQ_INT(via_sink(&s, "%s=%5d%c", "key", -3, '!'), 10);
    CHECK_EQ_INT(s.n, 10);
    CHECK_EQ_STR(s.buf, "key=   -3!");
    CHECK_EQ_INT(via_sink(&s, "%c", 0), 1);
    CHECK_EQ_INT(s.n, 1);
    CHECK_EQ_INT(via_sink(&s, ""), 0);
    CHECK_EQ_INT(s.n, 0);
}

int main(void)
{
    return check_run_all();
}
