/*
 * ELF64 executables: the structures (from the System V ABI) and a pure
 * validator used by exec (kernel/proc/exec.c) and by the host tests.
 */
#ifndef STRATA_ELF_H
#define STRATA_ELF_H

#include <compiler.h>

#define EI_NIDENT   16
#define ELFCLASS64  2
#define ELFDATA2LSB 1
#define EV_CURRENT  1
#define ET_EXEC     2
#define EM_X86_64   62
#define PT_NULL     0
#define PT_LOAD     1
#define PT_DYNAMIC  2
#define PT_INTERP   3
#define PF_X        1
#define PF_W        2
#define PF_R        4

typedef struct {
    unsigned char e_ident[EI_NIDENT];
    uint16_t e_type, e_machine;
    uint32_t e_version;
    uint64_t e_entry, e_phoff, e_shoff;
    uint32_t e_flags;
    uint16_t e_ehsize, e_phentsize, e_phnum, e_shentsize, e_shnum, e_shstrndx;
} Elf64_Ehdr;

typedef struct {
    uint32_t p_type, p_flags;
    uint64_t p_offset, p_vaddr, p_paddr, p_filesz, p_memsz, p_align;
} Elf64_Phdr;

#define ELF_MAX_PHDRS   16

/* Section headers and symbols: only the monitor reads them (a program's
 * .symtab and its .strtab, kernel/proc/usyms.c); exec never does. */
#define SHT_SYMTAB      2
#define SHN_UNDEF       0
#define SHN_LORESERVE   0xff00      /* from here on: ABS, COMMON..., no section */
#define STT_NOTYPE      0
#define STT_OBJECT      1
#define STT_FUNC        2
#define ELF64_ST_TYPE(info)     ((info) & 0xf)

typedef struct {
    uint32_t sh_name, sh_type;
    uint64_t sh_flags, sh_addr, sh_offset, sh_size;
    uint32_t sh_link, sh_info;
    uint64_t sh_addralign, sh_entsize;
} Elf64_Shdr;

typedef struct {
    uint32_t st_name;
    unsigned char st_info, st_other;
    uint16_t st_shndx;
    uint64_t st_value, st_size;
} Elf64_Sym;

/* A loadable segment, checked. */
struct elf_segment {
    uint64_t vaddr, memsz;      /* memory image [vaddr, vaddr+memsz) */
    uint64_t offset, filesz;    /* file bytes [offset, offset+filesz) */
    uint32_t flags;             /* PF_R | PF_W | PF_X */
};

struct elf_image {
    uint64_t entry;
    struct elf_segment seg[ELF_MAX_PHDRS];
    unsigned nseg;
};

/* Check the file header of a file of file_size bytes. 0, or -ENOEXEC
 * with *why set to a short reason. */
int elf_header_check(const Elf64_Ehdr *eh, uint64_t file_size, const char **why);

/* Check the program headers ph[0..eh->e_phnum) and collect the PT_LOAD
 * segments into img: every segment inside the file and inside the virtual
 * window [lo, hi), offsets congruent to addresses modulo the page size, no
 * two segments sharing a page, no writable+executable segment, no dynamic
 * linking, and the entry point inside an executable segment.
 * 0, or -ENOEXEC with *why set. */
int elf_segments_check(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
                       uint64_t lo, uint64_t hi, struct elf_image *img, const char **why);

#endif
