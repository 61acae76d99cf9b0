/*
 * Kernel console output and log levels. kprintf goes to every console
 * (COM1 and VGA); klog prefixes a level tag and is filtered by the
 * "loglevel=N" command-line setting (default LOG_INFO).
 */
#ifndef STRATA_LOG_H
#define STRATA_LOG_H

#include <stdarg.h>
#include <compiler.h>

enum log_level { LOG_ERR = 0, LOG_WARN = 1, LOG_INFO = 2, LOG_DEBUG = 3 };

int kprintf(const char *fmt, ...) __printf(1, 2);
int kvprintf(const char *fmt, va_list ap);
void klog(enum log_level level, const char *fmt, ...) __printf(2, 3);
void log_set_level(enum log_level level);

#define pr_err(...)   klog(LOG_ERR, __VA_ARGS__)
#define pr_warn(...)  klog(LOG_WARN, __VA_ARGS__)
#define pr_info(...)  klog(LOG_INFO, __VA_ARGS__)
#define pr_debug(...) klog(LOG_DEBUG, __VA_ARGS__)

#endif
