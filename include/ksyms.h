/* The kernel's own symbol table (generated at link time by tools/gen-ksyms.py). */
#ifndef STRATA_KSYMS_H
#define STRATA_KSYMS_H

#include <compiler.h>

/* Find the function containing addr. Returns its name and sets *offset,
 * or returns NULL if addr is not inside the kernel's code. */
const char *ksyms_lookup(uint64_t addr, uint64_t *offset);

/* Address of a symbol by exact name, or 0. */
uint64_t ksyms_address(const char *name);

#endif
