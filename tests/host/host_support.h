/*
 * host_support.h - shared helpers for the host tests of the memory code
 * (test_frame.c, test_heap.c, test_pt.c).
 *
 *  - simulated physical memory: sim_mem_init(bytes) allocates a page-aligned
 *    buffer and points host_phys_base (include/mm.h) at it, so physical
 *    address x is byte x of the buffer;
 *  - panic(): prints and aborts, unless a test armed EXPECT_PANIC(stmt), in
 *    which case it jumps back there (the statement is abandoned half way,
 *    which is fine for the checks done here: the kernel code checks and
 *    panics before it changes anything);
 *  - frame-hogging helpers to run out of memory on purpose;
 *  - a tiny deterministic PRNG.
 *
 * Include it once, after check.h, from the test's .c file (it defines
 * functions and globals).
 */
#ifndef STRATA_HOST_SUPPORT_H
#define STRATA_HOST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>     /* the kernel's header; libc supplies the functions */
#include <frame.h>
#include <panic.h>

/* ---- simulated physical memory ------------------------------------------- */

uint8_t *host_phys_base;            /* used by phys_to_virt() under HOST_TEST */
static uint64_t sim_size;

/* (Re)create simulated physical memory of `bytes`, filled with 0xA5 so that
 * "was this zeroed?" checks mean something. */
CHECK_UNUSED_ static void sim_mem_init(uint64_t bytes)
{
    free(host_phys_base);
    host_phys_base = aligned_alloc(4096, bytes);
    if (!host_phys_base) {
        fprintf(stderr, "host_support: cannot allocate %lu bytes\n", (unsigned long)bytes);
        abort();
    }
    memset(host_phys_base, 0xA5, bytes);
    sim_size = bytes;
}

/* Simulated memory of `bytes` with a PC-like map: low memory below the
 * 640 KiB hole, the rest from 1 MiB, and [1 MiB, 2 MiB) reserved as the
 * "kernel image"; then frame_init over it. */
CHECK_UNUSED_ static void sim_frames_init(uint64_t bytes)
{
    sim_mem_init(bytes);
    struct phys_range avail[] = { { 0, 0x9F000 }, { 1ull << 20, bytes } };
    struct phys_range resv[] = { { 1ull << 20, 2ull << 20 } };
    if (frame_init(avail, 2, resv, 1) != 0)
        abort();
}

/* ---- panic ------------------------------------------------------------------ */

static jmp_buf *panic_jmp;          /* armed by EXPECT_PANIC */
static char panic_msg[512];
static int panic_count;

void panic(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(panic_msg, sizeof(panic_msg), fmt, ap);
    va_end(ap);
    panic_count++;
    if (panic_jmp) {
        jmp_buf *j = panic_jmp;
        panic_jmp = NULL;
        longjmp(*j, 1);
    }
    fprintf(stderr, "kernel panic: %s\n", panic_msg);
    fflush(stdout);
    abort();
}

/* Run stmt; CHECK that it panicked. Evaluates to 1 if it did. */
#define EXPECT_PANIC(stmt) __extension__ ({                                 \
    jmp_buf jb_;                                                            \
    volatile int got_ = 0;                                                  \
    if (setjmp(jb_) == 0) {                                                 \
        panic_jmp = &jb_;                                                   \
        stmt;                                                               \
        panic_jmp = NULL;                                                   \
    } else {                                                                \
        got_ = 1;                                                           \
    }                                                                       \
    check_result_(got_, __FILE__, __LINE__, "expected a panic from: %s", #stmt); })

/* ---- PRNG (xorshift64*) --------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

CHECK_UNUSED_ static void rng_seed(uint64_t s) { rng_state = s ? s : 1; }

static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

/* Uniform in [0, n) (n > 0; the tiny modulo bias does not matter here). */
CHECK_UNUSED_ static uint64_t rng_below(uint64_t n) { return rng_next() % n; }

/* ---- frame helpers ------------------------------------------------------ */

CHECK_UNUSED_ static uint64_t frames_free(void)
{
    struct frame_stats st;
    frame_stats(&st);
    return st.free;
}

/* Take every free frame, then give back `keep` of them: afterwards exactly
 * `keep` frames are free. unhog() returns the rest. */
static uint64_t *hog_list;
static uint64_t hog_n;

CHECK_UNUSED_ static void hog_frames(uint64_t keep)
{
    uint64_t n = frames_free();
    free(hog_list);
    hog_list = malloc((n + 1) * sizeof(*hog_list));
    hog_n = 0;
    uint64_t pa;
    while ((pa = frame_alloc(FRAME_NONE)) != 0)
        hog_list[hog_n++] = pa;
    for (uint64_t i = 0; i < keep && hog_n > 0; i++)
        frame_unref(hog_list[--hog_n]);
}

CHECK_UNUSED_ static void unhog(void)
{
    while (hog_n > 0)
        frame_unref(hog_list[--hog_n]);
}

#endif
