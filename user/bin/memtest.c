/*
 * memtest: malloc/free/calloc/realloc stress and map/unmap checks.
 * Prints a line per phase ("memtest: PHASE ok") and finally "memtest: ok";
 * on a problem "memtest: FAIL: ..." and exit status 1.
 *
 * Phases: random malloc/free with per-block patterns checked before each
 * free; calloc of recycled (dirty) memory; realloc growth keeps contents;
 * large blocks (own mappings, freed with unmap); map/unmap cycles that
 * touch every page and check that fresh mappings are zeroed even when
 * the kernel recycles frames that held 0xAA bytes.
 */
#include <ulib.h>

#define SLOTS       256
#define OPS         4000
#define CYCLES      32
#define CYCLE_LEN   (1024 * 1024)

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static int failures;

static __printf(1, 2) void fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("memtest: FAIL: ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    failures++;
}

static unsigned char pattern(size_t slot, size_t i)
{
    return (unsigned char)(slot * 31 + i * 7 + 1);
}

static bool check_block(const unsigned char *p, size_t n, size_t slot)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != pattern(slot, i)) {
            fail("slot %zu: byte %zu of %zu is %#x, expected %#x",
                 slot, i, n, p[i], pattern(slot, i));
            return false;
        }
    return true;
}

static void fill_block(unsigned char *p, size_t n, size_t slot)
{
    for (size_t i = 0; i < n; i++)
        p[i] = pattern(slot, i);
}

static void phase_random(void)
{
    static unsigned char *ptr[SLOTS];
    static size_t len[SLOTS];

    for (int op = 0; op < OPS && !failures; op++) {
        size_t s = rnd() % SLOTS;
        if (ptr[s]) {
            check_block(ptr[s], len[s], s);
            free(ptr[s]);
            ptr[s] = NULL;
            continue;
        }
        size_t n = rnd() % 4 == 0 ? rnd() % 8192 : rnd() % 256;
        ptr[s] = malloc(n);
        len[s] = n;
        if (!ptr[s]) {
            fail("malloc(%zu) returned NULL", n);
            return;
        }
        if ((uintptr_t)ptr[s] % 16)
            fail("malloc(%zu) = %p is not 16-byte aligned", n, (void *)ptr[s]);
        fill_block(ptr[s], n, s);
    }
    for (size_t s = 0; s < SLOTS; s++) {
        if (ptr[s]) {
            check_block(ptr[s], len[s], s);
            free(ptr[s]);
            ptr[s] = NULL;
        }
    }
    if (!failures)
        printf("memtest: malloc/free ok (%d operations)\n", OPS);
}

static void phase_calloc(void)
{
    /* Dirty some memory, free it, and calloc it back. */
    void *dirty[16];
    for (int i = 0; i < 16; i++) {
        dirty[i] = malloc(1000);
        if (dirty[i])
            memset(dirty[i], 0xee, 1000);
    }
    for (int i = 0; i < 16; i++)
        free(dirty[i]);
    for (int i = 0; i < 16; i++) {
        unsigned char *p = calloc(250, 4);
        if (!p) {
            fail("calloc(250, 4) returned NULL");
            return;
        }
        for (int j = 0; j < 1000; j++)
            if (p[j]) {
                fail("calloc memory not zero at %d", j);
                break;
            }
        dirty[i] = p;
    }
    for (int i = 0; i < 16; i++)
        free(dirty[i]);
    if (calloc(SIZE_MAX / 2, 4) != NULL)
        fail("calloc overflow not detected");
    if (!failures)
        printf("memtest: calloc ok\n");
}

static void phase_realloc(void)
{
    unsigned char *p = NULL;
    size_t n = 0;
    for (size_t want = 8; want <= 256 * 1024; want *= 2) {
        unsigned char *q = realloc(p, want);
        if (!q) {
            fail("realloc(%zu) returned NULL", want);
            free(p);
            return;
        }
        if (n && !check_block(q, n, 7)) {
            free(q);
            return;
        }
        fill_block(q, want, 7);
        p = q;
        n = want;
    }
    free(p);
    if (!failures)
        printf("memtest: realloc ok\n");
}

static void phase_large(void)
{
    for (int round = 0; round < 8; round++) {
        size_t n = (size_t)(256 + round * 256) * 1024;
        unsigned char *p = malloc(n);
        if (!p) {
            fail("malloc(%zu) returned NULL", n);
            return;
        }
        fill_block(p, n, (size_t)round);
        if (!check_block(p, n, (size_t)round))
            return;
        free(p);
    }
    if (!failures)
        printf("memtest: large blocks ok\n");
}

static void phase_map(void)
{
    for (int c = 0; c < CYCLES; c++) {
        unsigned char *p = map(NULL, CYCLE_LEN, PROT_READ | PROT_WRITE);
        if (IS_ERR(p)) {
            fail("map(%d) cycle %d: %s", CYCLE_LEN, c, errstr((int)PTR_ERR(p)));
            return;
        }
        for (size_t off = 0; off < CYCLE_LEN; off += 4096) {
            for (size_t i = 0; i < 4096; i += 512)
                if (p[off + i] != 0) {
                    fail("fresh mapping not zeroed: cycle %d offset %zu = %#x",
                         c, off + i, p[off + i]);
                    unmap(p, CYCLE_LEN);
                    return;
                }
            memset(p + off, 0xaa, 4096);
        }
        int r = unmap(p, CYCLE_LEN);
        if (r < 0) {
            fail("unmap cycle %d: %s", c, errstr(r));
            return;
        }
    }
    printf("memtest: map/unmap ok (%d x %d KiB, zeroed every time)\n",
           CYCLES, CYCLE_LEN / 1024);
}

int main(int argc, char **argv)
{
    phase_random();
    if (!failures)
        phase_calloc();
    if (!failures)
        phase_realloc();
    if (!failures)
        phase_large();
    if (!failures)
        phase_map();
    if (failures)
        return 1;
    printf("memtest: ok\n");
    return 0;
}
