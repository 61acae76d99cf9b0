/*
 * Formatted output, independent of any device: the kernel console, the
 * user library and the host tests all build on fmt_vformat.
 *
 * Conversions: d i u x X o p s c %, flags - 0 + space #, width and precision
 * (numbers or *), length modifiers hh h l ll z t j. %p prints 0x and 16 digits.
 */
#ifndef STRATA_FMT_H
#define STRATA_FMT_H

#include <stdarg.h>
#include <stddef.h>
#include <compiler.h>

typedef void (*fmt_out_fn)(char c, void *ctx);

/* Format into out(); returns the number of characters produced. */
int fmt_vformat(fmt_out_fn out, void *ctx, const char *fmt, va_list ap);

/* Like C's vsnprintf: writes at most size-1 characters plus a NUL (if size > 0)
 * and returns the length the full result would have had. */
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
