/*
 * A user program's symbols, read from the .symtab and .strtab of its ELF
 * file (kernel/proc/usyms.c), for the monitor (include/monitor.h): names
 * for addresses in its backtraces and stop lines, addresses for `break
 * SYMBOL`. Functions, objects and plain labels that belong to a section
 * are kept; undefined and absolute symbols are not.
 */
#ifndef STRATA_USYMS_H
#define STRATA_USYMS_H

#include <compiler.h>

#define USYMS_MAX           8192            /* symbols kept: more is -ERANGE */
#define USYMS_STRTAB_MAX    (256 * 1024)    /* bytes of names: more is -ERANGE */

struct usym {
    uint64_t addr, size;        /* [addr, addr + size); size 0: a label */
    uint32_t name;              /* offset in usyms.names */
    uint8_t type;               /* STT_FUNC, STT_OBJECT or STT_NOTYPE */
};

struct usyms {
    struct usym *syms;          /* kmalloc'd, NULL when n is 0 */
    size_t n;
    char *names;                /* the .strtab, NUL-terminated */
};

/* Read the symbols of the ELF file at path into *out (zeroed first).
 * 0 (a file without .symtab gives n 0); -ENOENT or another open error;
 * -EACCES with *why (not a regular file);
 * -ENOEXEC with *why set (a malformed header or symbol table); -ERANGE
 * with *why (more than the limits above); -ENOMEM. On failure *out holds nothing. */
int usyms_load(const char *path, struct usyms *out, const char **why);

/* Free what usyms_load allocated; *s is empty afterwards. */
void usyms_free(struct usyms *s);

/* The name of the function or object containing addr (or of a label at
 * exactly addr) and *offset into it, or NULL. */
const char *usyms_lookup(const struct usyms *s, uint64_t addr, uint64_t *offset);

/* The address of the symbol called name: 0 and *addr, or -ENOENT. */
int usyms_address(const struct usyms *s, const char *name, uint64_t *addr);

#endif
