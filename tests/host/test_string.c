/*
 * Host test of kernel/lib/string.c's memory functions against byte-at-a-time
 * references, for every size 0..300, every source and destination offset
 * 0..15, and overlapping memmove in both directions. The file is included
 * with its functions renamed (k_memcpy, ...), so that the test's own libc
 * and the sanitizers keep theirs.
 */
/* host-test-sources: */
#include "check.h"
#include <stdlib.h>

#define memcpy k_memcpy
#define memmove k_memmove
#define memset k_memset
#define memcmp k_memcmp
#define strlen k_strlen
#define strnlen k_strnlen
#define strcmp k_strcmp
#define strncmp k_strncmp
#define strchr k_strchr
#define strrchr k_strrchr
#define strlcpy k_strlcpy
#include "../../kernel/lib/string.c"

#define MAXN    300
#define SLACK   32

static unsigned char buf_a[MAXN + 2 * SLACK], buf_b[MAXN + 2 * SLACK];
static unsigned char want[MAXN + 2 * SLACK];

static void fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
}

static int same(const unsigned char *p, const unsigned char *q, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != q[i])
            return 0;
    return 1;
}

TEST(memset_every_size_and_offset)
{
    int bad = 0;
    for (size_t n = 0; n <= MAXN; n++) {
        for (size_t off = 0; off < 16; off++) {
            fill(buf_a, sizeof(buf_a), (unsigned)n);
            fill(want, sizeof(want), (unsigned)n);
            int c = (int)(n * 37 + off) - 128;          /* negative too */
            for (size_t i = 0; i < n; i++)
                want[SLACK + off + i] = (unsigned char)c;
            void *r = k_memset(buf_a + SLACK + off, c, n);
            if (r != buf_a + SLACK + off || !same(buf_a, want, sizeof(want)))
                bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(memcpy_every_size_and_offsets)
{
    int bad = 0;
    for (size_t n = 0; n <= MAXN; n++) {
        for (size_t so = 0; so < 16; so++) {
            for (size_t d = 0; d < 16; d += 3) {
                fill(buf_a, sizeof(buf_a), (unsigned)(n + so));
                fill(buf_b, sizeof(buf_b), 99);
                fill(want, sizeof(want), 99);
                for (size_t i = 0; i < n; i++)
                    want[SLACK + d + i] = buf_a[SLACK + so + i];
                void *r = k_memcpy(buf_b + SLACK + d, buf_a + SLACK + so, n);
                if (r != buf_b + SLACK + d || !same(buf_b, want, sizeof(want)))
                    bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
}

TEST(memmove_overlapping_both_ways)
{
    int bad = 0;
    for (size_t n = 0; n <= MAXN - 2 * SLACK; n++) {
        for (int shift = -19; shift <= 19; shift++) {
            fill(buf_a, sizeof(buf_a), (unsigned)n);
            for (size_t i = 0; i < sizeof(buf_a); i++)
                want[i] = buf_a[i];
            unsigned char *src = buf_a + 2 * SLACK, *dst = src + shift;
            unsigned char tmp[MAXN];
            for (size_t i = 0; i < n; i++)
                tmp[i] = src[i];
            for (size_t i = 0; i < n; i++)
                want[2 * SLACK + shift + i] = tmp[i];
            void *r = k_memmove(dst, src, n);
            if (r != dst || !same(buf_a, want, sizeof(want)))
                bad++;
        }
    }
    CHECK_EQ_INT(bad, 0);
}

static int sign(int v) { return (v > 0) - (v < 0); }

TEST(memcmp_finds_the_first_difference)
{
    int bad = 0;
    for (size_t n = 0; n <= 80; n++) {
        for (size_t pos = 0; pos <= n; pos++) {             /* pos == n: equal */
            for (int delta = -1; delta <= 1; delta += 2) {
                fill(buf_a, sizeof(buf_a), 5);
                fill(buf_b, sizeof(buf_b), 5);
                size_t off = (n + pos) % 8;
                if (pos < n) {
                    buf_b[off + pos] = (unsigned char)(buf_a[off + pos] + delta);
                    buf_b[off + n - 1] ^= pos + 1 < n ? 0x5a : 0;  /* a later difference too */
                }
                int want_sign = pos == n ? 0 : (buf_a[off + pos] < buf_b[off + pos] ? -1 : 1);
                if (sign(k_memcmp(buf_a + off, buf_b + off, n)) != want_sign)
                    bad++;
            }
        }
    }
    CHECK_EQ_INT(bad, 0);
    /* Bytes compare unsigned. */
    unsigned char x[9] = { 0 }, y[9] = { 0 };
    x[8] = 0x80;
    y[8] = 0x7f;
    CHECK(k_memcmp(x, y, 9) > 0);
    x[3] = 0x01;
    y[3] = 0xff;
    CHECK(k_memcmp(x, y, 9) < 0);
}

int main(void)
{
    return check_run_all();
}
