/*
 * Fatal errors. A broken invariant panics with the function's name:
 *     if (r->magic != REGION_MAGIC) panic("%s: bad region magic", __func__);
 * A panic prints the message and a backtrace, then halts the machine; with
 * "panic=exit" on the kernel command line it also makes QEMU exit with
 * status 35 (isa-debug-exit), which the tests rely on.
 */
#ifndef STRATA_PANIC_H
#define STRATA_PANIC_H

#include <compiler.h>

void panic(const char *fmt, ...) __noreturn __printf(1, 2);
/* Halt after a report has been printed (or exit QEMU with panic=exit). */
void panic_halt(void) __noreturn;

/* Print the frames of a frame-pointer chain starting at rbp (rip first). */
void backtrace_print(uint64_t rip, uint64_t rbp);

#define ASSERT(cond)                                                          \
    do {                                                                      \
        if (unlikely(!(cond)))                                                \
            panic("%s: assertion failed: %s (%s:%d)", __func__, #cond,        \
                  __FILE__, __LINE__);                                        \
    } while (0)

/* QEMU isa-debug-exit: QEMU exits with status (value << 1) | 1. */
#define DEBUG_EXIT_PORT     0xf4
#define DEBUG_EXIT_SUCCESS  0x10    /* QEMU exit status 33 */
#define DEBUG_EXIT_FAILURE  0x11    /* QEMU exit status 35 */
void qemu_exit(uint32_t value);

#endif
