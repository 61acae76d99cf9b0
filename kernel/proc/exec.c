/*
 * Loading an ELF program into an address space, and exec (as xv6's).
 * Nothing is copied: each PT_LOAD becomes a FILE region demand-paged from
 * the file (private frames, so writes to data stay in the process), and
 * the part of the memory image past the file's bytes becomes an ANON
 * region. The file may come from the initrd or from /tmp; a /tmp file
 * (one that can still be written) is read in at exec, as map_file does,
 * so that writing it later cannot change a running program.
 */
#include <proc.h>
#include <elf.h>
#include <vfs.h>
#include <file.h>
#include <env.h>
#include <monitor.h>
#include <thread.h>
#include <string.h>
#include <fmt.h>
#include <log.h>
#include <panic.h>
#include <arch/gdt.h>
#include <arch/cpu.h>
#include <aspace.h>
#include <mm.h>
#include <uapi/layout.h>
#include <uapi/errno.h>
#include <uapi/signal.h>
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
            .va_start = va, .len = file_end - va,
            .flags = prot | REGION_FILE | (file_can_change(f) ? REGION_EAGER : 0),
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

int exec_file_open(const char *path, struct file **out, uint64_t *size, const char **why)
{
    struct file *f;
    struct fs_stat st;
    int err;

    *why = NULL;
    if ((err = vfs_open(path, O_RDONLY, 0, &f)) < 0)
        return err;
    if ((err = f->ops->fstat(f, &st)) < 0)
        goto fail;
    if (st.type != FS_TYPE_FILE) {
        err = -EACCES;
        *why = "not a regular file";
        goto fail;
    }
    *out = f;
    *size = st.size;
    return 0;

fail:
    file_put(f);
    return err;
}

int exec_load(struct aspace *as, const char *path, uint64_t *entry, int *nregions,
              const char **why)
{
    struct file *f;
    uint64_t size;
    Elf64_Ehdr eh;
    Elf64_Phdr ph[ELF_MAX_PHDRS];
    struct elf_image img;
    int err;

    if ((err = exec_file_open(path, &f, &size, why)) < 0)
        return err;
    err = -ENOEXEC;
    if (file_pread(f, &eh, sizeof(eh), 0) != (long)sizeof(eh)) {
        *why = "file too small for an ELF header";
        goto out;
    }
    if ((err = elf_header_check(&eh, size, why)) < 0)
        goto out;
    size_t phbytes = (size_t)eh.e_phnum * sizeof(Elf64_Phdr);
    if (file_pread(f, ph, phbytes, eh.e_phoff) != (long)phbytes) {
        err = -ENOEXEC;
        *why = "cannot read the program headers";
        goto out;
    }
    if ((err = elf_segments_check(&eh, ph, size, USER_LOAD_MIN, USER_MMAP_BASE, &img, why)) < 0)
        goto out;
    for (unsigned i = 0; i < img.nseg; i++)
        if ((err = exec_segment_map(as, f, &img.seg[i], nregions)) < 0)
            goto out;
    *entry = img.entry;
    err = 0;
out:
    file_put(f);        /* FILE regions hold their own handles */
    return err;
}

/* ---- exec ---- */

/* The registers a program starts with: zeroes, but for the entry point,
 * the stack pointer and the flags (interrupts on). */
static void exec_frame_set(struct trap_frame *tf, uint64_t entry, uint64_t sp)
{
    memset(tf, 0, sizeof(*tf));
    tf->rip = entry;
    tf->rsp = sp;
    tf->rflags = RFLAGS_IF | (1ull << 1);
    tf->cs = SEL_UCODE | RPL_USER;
    tf->ss = SEL_UDATA | RPL_USER;
}

int process_exec(struct process *p, const char *path, int argc, char *const argv[],
                 struct trap_frame *tf)
{
    char asname[ASPACE_NAME_MAX];
    const char *why = NULL;
    struct aspace *as;
    uint64_t entry, sp;
    int nregions = 1, err;

    /* 1. The whole new image, in an address space of its own. */
    snprintf(asname, sizeof(asname), "proc%d.%u", p->pid, ++p->exec_count);
    if ((err = aspace_create("paging", asname, &as)) < 0)
        return err;
    if ((err = process_aspace_base(as)) < 0 || (err = process_stack_add(as)) < 0 ||
        (err = exec_load(as, path, &entry, &nregions, &why)) < 0 ||
        (err = process_args_place(as, argc, argv, &sp)) < 0) {
        if (why)
            kprintf("exec: %s: %s\n", path, why);
        aspace_destroy(as);
        return err;
    }

    /* 2. Nothing can fail any more: commit. The thread moves into the new
     * address space (loading it), then the old one, now empty, goes. */
    struct aspace *old = p->as;
    p->as = as;
    if (aspace_thread_move(as) < 0)
        panic("%s: cannot enter the new address space of pid %d", __func__, p->pid);
    if (aspace_destroy(old) < 0)
        panic("%s: the old address space of pid %d is still in use", __func__, p->pid);

    /* 3. What POSIX resets: handlers (a signal handler's address means
     * nothing in the new image), the JOS upcall. Kept: pid, parent, job,
     * open files, the trace. */
    const char *base = strrchr(path, '/');
    strlcpy(p->name, base ? base + 1 : path, sizeof(p->name));
    env_rename(p);
    /* A program from /jos/ makes its process a JOS environment (its lines,
     * its fault rules), as spawning it would have. */
    if (strncmp(path, "/jos/", 5) == 0 && !(p->env_flags & PROC_ENV_JOS)) {
        p->env_flags |= PROC_ENV_JOS;
        kprintf("[%08x] new env %08x\n", p->parent ? p->parent->pid : 0, p->pid);
    }
    p->nregions = nregions;
    /* A handler is gone with the image; SIG_IGN stays (POSIX). */
    if (p->sig_handler != SIG_IGN)
        p->sig_handler = SIG_DFL;
    p->sig_trampoline = 0;
    p->in_handler = false;
    p->pgfault_upcall = p->pgfault_xstacktop = 0;
    p->entry = entry;
    monitor_exec(p, path);
    exec_frame_set(tf, entry, sp);
    return 0;
}
