/*
 * ELF64 validation (pure: no kernel state, host-tested in
 * tests/host/test_elf.c). Every arithmetic check is written so it cannot
 * overflow: a hostile header must give -ENOEXEC, never a wrapped range.
 */
#include <elf.h>
#include <uapi/errno.h>

#define ELF_PAGE    4096ull

static int refuse(const char **why, const char *reason)
{
    *why = reason;
    return -ENOEXEC;
}

/* [off, off+len) within [0, size), without overflow. */
static bool range_within(uint64_t off, uint64_t len, uint64_t size)
{
    return off <= size && len <= size - off;
}

int elf_header_check(const Elf64_Ehdr *eh, uint64_t file_size, const char **why)
{
    const unsigned char *id = eh->e_ident;
    if (file_size < sizeof(*eh))
        return refuse(why, "file too small for an ELF header");
    if (id[0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return refuse(why, "not an ELF file (bad magic)");
    if (id[4] != ELFCLASS64)
        return refuse(why, "not a 64-bit ELF file");
    if (id[5] != ELFDATA2LSB)
        return refuse(why, "not little-endian");
    if (id[6] != EV_CURRENT || eh->e_version != EV_CURRENT)
        return refuse(why, "unknown ELF version");
    if (eh->e_type != ET_EXEC)
        return refuse(why, "not an executable (ET_EXEC) file");
    if (eh->e_machine != EM_X86_64)
        return refuse(why, "not an x86-64 program");
    if (eh->e_ehsize < sizeof(*eh))
        return refuse(why, "bad ELF header size");
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return refuse(why, "bad program header size");
    if (eh->e_phnum == 0 || eh->e_phnum > ELF_MAX_PHDRS)
        return refuse(why, "too many or no program headers");
    if (!range_within(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(Elf64_Phdr), file_size))
        return refuse(why, "program headers outside the file");
    return 0;
}

int elf_segments_check(const Elf64_Ehdr *eh, const Elf64_Phdr *ph, uint64_t file_size,
                       uint64_t lo, uint64_t hi, struct elf_image *img, const char **why)
{
    bool entry_ok = false;

    img->nseg = 0;
    img->entry = eh->e_entry;
    for (unsigned i = 0; i < eh->e_phnum; i++) {
        const Elf64_Phdr *p = &ph[i];
        if (p->p_type == PT_INTERP || p->p_type == PT_DYNAMIC)
            return refuse(why, "dynamically linked programs are not supported");
        if (p->p_type != PT_LOAD)
            continue;
        if (p->p_memsz == 0)
            continue;
        if (p->p_filesz > p->p_memsz)
            return refuse(why, "segment file size larger than memory size");
        if (!range_within(p->p_offset, p->p_filesz, file_size))
            return refuse(why, "segment outside the file");
        /* Against the page-aligned top, so the page-rounded end fits too. */
        uint64_t hi_page = hi & ~(ELF_PAGE - 1);
        if (p->p_vaddr < lo || p->p_vaddr >= hi_page || p->p_memsz > hi_page - p->p_vaddr)
            return refuse(why, "segment outside the user address range");
        if ((p->p_vaddr ^ p->p_offset) & (ELF_PAGE - 1))
            return refuse(why, "segment offset and address not congruent modulo the page size");
        if ((p->p_flags & PF_W) && (p->p_flags & PF_X))
            return refuse(why, "writable and executable segment");

        uint64_t start = p->p_vaddr & ~(ELF_PAGE - 1);
        uint64_t end = (p->p_vaddr + p->p_memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
        for (unsigned j = 0; j < img->nseg; j++) {
            const struct elf_segment *q = &img->seg[j];
            uint64_t qs = q->vaddr & ~(ELF_PAGE - 1);
            uint64_t qe = (q->vaddr + q->memsz + ELF_PAGE - 1) & ~(ELF_PAGE - 1);
            if (start < qe && qs < end)
                return refuse(why, "segments overlap (or share a page)");
        }
        img->seg[img->nseg++] = (struct elf_segment){
            .vaddr = p->p_vaddr, .memsz = p->p_memsz,
            .offset = p->p_offset, .filesz = p->p_filesz, .flags = p->p_flags,
        };
        if ((p->p_flags & PF_X) && eh->e_entry >= p->p_vaddr &&
            eh->e_entry - p->p_vaddr < p->p_memsz)
            entry_ok = true;
    }
    if (img->nseg == 0)
        return refuse(why, "no loadable segment");
    if (!entry_ok)
        return refuse(why, "entry point outside every executable segment");
    return 0;
}
