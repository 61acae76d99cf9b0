/*
 * A user program's symbols from its ELF file (include/usyms.h).
 *
 * The file is read once, when the monitor first needs names: the section
 * headers, the .symtab (in pieces) and the whole .strtab it links to.
 * Every offset and size is checked against the file: a program file is
 * data, and a /tmp copy may be anything. Lookups are linear: a program
 * has a few hundred symbols and a person waits for each command anyway.
 */
#include <usyms.h>
#include <proc.h>
#include <elf.h>
#include <file.h>
#include <fs.h>
#include <heap.h>
#include <string.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

#define SHDRS_MAX       256     /* section headers read: more is malformed here */
#define SYM_CHUNK       32      /* symbols read at a time (on the stack) */

/* Is [off, off + len) inside a file of size bytes? */
static bool usyms_range_ok(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

/* Read exactly n bytes at off: 0, or -ENOEXEC with *why. */
static int usyms_read(struct file *f, void *buf, size_t n, uint64_t off, const char **why,
                      const char *what)
{
    if (file_pread(f, buf, n, off) != (long)n) {
        *why = what;
        return -ENOEXEC;
    }
    return 0;
}

/* Find the symbol table and its string table among eh's section headers:
 * 0 with *symtab and *strtab, or -ENOENT (no .symtab), -ENOEXEC (*why). */
static int usyms_sections_find(struct file *f, const Elf64_Ehdr *eh, uint64_t size,
                               Elf64_Shdr *symtab, Elf64_Shdr *strtab, const char **why)
{
    Elf64_Shdr sh;
    if (eh->e_shnum == 0)
        return -ENOENT;
    if (eh->e_shentsize != sizeof(Elf64_Shdr) || eh->e_shnum > SHDRS_MAX ||
        !usyms_range_ok(eh->e_shoff, (uint64_t)eh->e_shnum * sizeof(sh), size)) {
        *why = "bad section header table";
        return -ENOEXEC;
    }
    for (unsigned i = 0; i < eh->e_shnum; i++) {
        int err = usyms_read(f, &sh, sizeof(sh), eh->e_shoff + i * sizeof(sh), why,
                             "cannot read a section header");
        if (err)
            return err;
        if (sh.sh_type != SHT_SYMTAB)
            continue;
        if (sh.sh_entsize != sizeof(Elf64_Sym) || !usyms_range_ok(sh.sh_offset, sh.sh_size, size) ||
            sh.sh_link == 0 || sh.sh_link >= eh->e_shnum) {
            *why = "bad .symtab section";
            return -ENOEXEC;
        }
        *symtab = sh;
        err = usyms_read(f, strtab, sizeof(*strtab), eh->e_shoff + sh.sh_link * sizeof(sh), why,
                         "cannot read the .strtab header");
        if (err)
            return err;
        if (strtab->sh_size == 0 || !usyms_range_ok(strtab->sh_offset, strtab->sh_size, size)) {
            *why = "bad .strtab section";
            return -ENOEXEC;
        }
        return 0;
    }
    return -ENOENT;
}

/* Is sym one the monitor keeps: named, defined in a section, a function,
 * an object or a label? */
static bool usyms_wanted(const Elf64_Sym *sym, uint64_t strsize)
{
    unsigned type = ELF64_ST_TYPE(sym->st_info);
    return sym->st_name != 0 && sym->st_name < strsize && sym->st_shndx != SHN_UNDEF &&
           sym->st_shndx < SHN_LORESERVE &&
           (type == STT_FUNC || type == STT_OBJECT || type == STT_NOTYPE);
}

/* Fill s from the open file f (size bytes). As usyms_load. */
static int usyms_read_file(struct file *f, uint64_t size, struct usyms *s, const char **why)
{
    Elf64_Ehdr eh;
    Elf64_Shdr symtab, strtab;
    Elf64_Sym chunk[SYM_CHUNK];
    int err;

    if ((err = usyms_read(f, &eh, sizeof(eh), 0, why, "file too small for an ELF header")) < 0 ||
        (err = elf_header_check(&eh, size, why)) < 0)
        return err;
    err = usyms_sections_find(f, &eh, size, &symtab, &strtab, why);
    if (err == -ENOENT)
        return 0;               /* stripped: no names, not an error */
    if (err)
        return err;
    uint64_t total = symtab.sh_size / sizeof(Elf64_Sym);
    if (total > USYMS_MAX || strtab.sh_size > USYMS_STRTAB_MAX) {
        *why = "more symbols than the monitor keeps";
        return -ERANGE;
    }
    s->names = kmalloc(strtab.sh_size + 1);
    s->syms = kmalloc(total ? total * sizeof(*s->syms) : 1);
    if (!s->names || !s->syms)
        return -ENOMEM;
    if ((err = usyms_read(f, s->names, strtab.sh_size, strtab.sh_offset, why,
                          "cannot read .strtab")) < 0)
        return err;
    s->names[strtab.sh_size] = '\0';    /* a name running off the end stops there */
    for (uint64_t i = 0; i < total; i += SYM_CHUNK) {
        size_t k = (size_t)MIN((uint64_t)SYM_CHUNK, total - i);
        if ((err = usyms_read(f, chunk, k * sizeof(Elf64_Sym), symtab.sh_offset + i * sizeof(Elf64_Sym),
                              why, "cannot read .symtab")) < 0)
            return err;
        for (size_t j = 0; j < k; j++) {
            if (!usyms_wanted(&chunk[j], strtab.sh_size))
                continue;
            s->syms[s->n++] = (struct usym){
                .addr = chunk[j].st_value, .size = chunk[j].st_size,
                .name = chunk[j].st_name, .type = ELF64_ST_TYPE(chunk[j].st_info),
            };
        }
    }
    return 0;
}

int usyms_load(const char *path, struct usyms *out, const char **why)
{
    struct file *f;
    uint64_t size;

    memset(out, 0, sizeof(*out));
    int err = exec_file_open(path, &f, &size, why);
    if (err)
        return err;
    err = usyms_read_file(f, size, out, why);
    file_put(f);
    if (err)
        usyms_free(out);
    return err;
}

void usyms_free(struct usyms *s)
{
    kfree(s->syms);
    kfree(s->names);
    memset(s, 0, sizeof(*s));
}

const char *usyms_lookup(const struct usyms *s, uint64_t addr, uint64_t *offset)
{
    const struct usym *best = NULL;
    for (size_t i = 0; i < s->n; i++) {
        const struct usym *y = &s->syms[i];
        bool inside = y->size ? addr - y->addr < y->size : addr == y->addr;
        /* The innermost: a label inside a function names its own address. */
        if (addr >= y->addr && inside && (!best || y->addr > best->addr))
            best = y;
    }
    if (!best)
        return NULL;
    *offset = addr - best->addr;
    return s->names + best->name;
}

int usyms_address(const struct usyms *s, const char *name, uint64_t *addr)
{
    for (size_t i = 0; i < s->n; i++) {
        if (strcmp(s->names + s->syms[i].name, name) == 0) {
            *addr = s->syms[i].addr;
            return 0;
        }
    }
    return -ENOENT;
}
