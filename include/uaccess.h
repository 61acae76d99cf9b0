/*
 * Accesses that may fault and are recovered instead of panicking (through
 * the exception table). The kernel's user-copy routines and the self-tests
 * are built on these.
 */
#ifndef STRATA_UACCESS_H
#define STRATA_UACCESS_H

#include <compiler.h>

/* Copy n bytes; returns how many were NOT copied (0 on success). */
size_t uaccess_copy(void *dst, const void *src, size_t n);
/* Make n > 0 bytes at dst writable now, as stores would, changing none of
 * them; returns how many bytes, from the first page that failed, cannot
 * be (0 on success). */
size_t uaccess_fault_in_writable(void *dst, size_t n);
/* strnlen that may fault: length, max if no NUL within max, or -EFAULT. */
long uaccess_strnlen(const char *s, size_t max);

/* One-byte probes: the byte read / 0 written, or -EFAULT. */
int probe_read(const void *addr);
int probe_write(void *addr, uint8_t v);
/* Call addr (expected to hold `ret`): 0, or -EFAULT if the fetch faulted. */
int probe_exec(void *addr);

#endif
