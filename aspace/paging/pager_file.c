/*
 * The file pager: page k of the region holds the file's bytes
 * [file_offset + k*4096, +4096), read into a private frame on first touch;
 * bytes past the end of the file, or past file_len bytes of the region,
 * read as zero (so an ELF segment's bss tail in its last file page is 0). The region holds its
 * own reference to the file (include/file.h), so the caller may close theirs.
 */
#include "pager.h"
#include <frame.h>
#include <file.h>
#include <string.h>
#include <uapi/errno.h>

static int file_fill(const struct region *r, uint64_t va, enum pager_fill_mode mode,
                     struct pager_fill *out)
{
    uint64_t f = frame_alloc(FRAME_NONE);     /* only the tail is zeroed below */
    if (!f)
        return -ENOMEM;
    uint64_t k = va - r->va_start;          /* offset of this page in the region */
    uint64_t want = PAGE_SIZE;
    if (r->file_len)
        want = k >= r->file_len ? 0 : MIN(PAGE_SIZE, r->file_len - k);
    long n = want ? file_pread(r->file, phys_to_virt(f), want, r->file_offset + k) : 0;
    if (n < 0) {
        frame_unref(f);
        return (int)n;
    }
    memset((uint8_t *)phys_to_virt(f) + n, 0, PAGE_SIZE - (uint64_t)n);
    *out = (struct pager_fill){ va, f, PAGE_SIZE };
    return 0;
}

static int file_attach(struct region *r)
{
    file_get(r->file);
    return 0;
}

static void file_detach(struct region *r)
{
    file_put(r->file);
    r->file = NULL;
}

const struct pager pager_file = {
    .name = "file",
    .fill = file_fill,
    .release = pager_frames_release,
    .attach = file_attach,
    .detach = file_detach,
};
