/*
 * Loading an ELF program into an address space (as xv6's exec). Nothing is
 * copied: each PT_LOAD becomes a FILE region demand-paged from the initrd
 * (private frames, so writes to data stay in the process), and the part
 * of the memory image past the file's bytes becomes an ANON region.
 */
#include <proc.h>
#include <elf.h>
#include <fs.h>
#include <aspace.h>
#include <mm.h>
#include <uapi/layout.h>
#include <uapi/errno.h>
#include <uapi/fs.h>

static uint32_t region_prot_of(uint32_t pf)
{
    uint32_t f = REGION_READ;
    if (pf & PF_W)
        f |= REGION_WRITE;
    if (pf & PF_X)
        f |= REGION_EXEC;
    return f;
}

/* Map one checked segment: FILE pages for its file bytes, ANON after.
 * Counts the regions it adds in *nregions. */
static int exec_segment_map(struct aspace *as, struct file *f, const struct elf_segment *s,
                            int *nregions)
{
    uint64_t va = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
    uint64_t file_end = ALIGN_UP(s->vaddr + s->filesz, PAGE_SIZE);
    uint64_t mem_end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
    uint32_t prot = region_prot_of(s->flags);
    int err;

    if (s->filesz > 0) {
        struct region r = {
            .va_start = va, .len = file_end - va, .flags = prot | REGION_FILE,
            .file = f, .file_offset = ALIGN_DOWN(s->offset, PAGE_SIZE),
            .file_len = (s->vaddr - va) + s->filesz,
        };
        if ((err = aspace_region_add(as, &r)) < 0)
            return err;
        (*nregions)++;
    } else {
        file_end = va;
    }
    if (mem_end > file_end) {
        struct region r = { .va_start = file_end, .len = mem_end - file_end,
                            .flags = prot | REGION_ANON };
        if ((err = aspace_region_add(as, &r)) < 0)
            return err;
        (*nregions)++;
    }
    return 0;
}

int exec_load(struct aspace *as, const char *path, uint64_t *entry, int *nregions,
              const char **why)
{
    struct file *f;
    struct fs_stat st;
    Elf64_Ehdr eh;
    Elf64_Phdr ph[ELF_MAX_PHDRS];
    struct elf_image img;
    int err;

    *why = NULL;
    if ((err = fs_open(path, &f)) < 0)
        return err;
    if ((err = fs_fstat(f, &st)) < 0)
        goto out;
    if (st.type != FS_TYPE_FILE) {
        err = -EACCES;
        *why = "not a regular file";
        goto out;
    }
    err = -ENOEXEC;
    if (fs_pread(f, &eh, sizeof(eh), 0) != (long)sizeof(eh)) {
        *why = "file too small for an ELF header";
        goto out;
    }
    if ((err = elf_header_check(&eh, st.size, why)) < 0)
        goto out;
    size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (fs_pread(f, ph, phbytes, eh.e_phoff) != (long)phbytes) {
        err = -ENOEXEC;
        *why = "cannot read the program headers";
        goto out;
    }
    if ((err = elf_segments_check(&eh, ph, st.size, USER_LOAD_MIN, USER_MMAP_BASE, &img, why)) < 0)
        goto out;
    for (unsigned i = 0; i < img.nseg; i++)
        if ((err = exec_segment_map(as, f, &img.seg[i], nregions)) < 0)
            goto out;
    *entry = img.entry;
    err = 0;
out:
    fs_close(f);        /* FILE regions hold their own handles */
    return err;
}
