/* The anonymous pager: every page is a fresh zeroed frame on first touch. */
#include "pager.h"
#include <frame.h>
#include <uapi/errno.h>

static int anon_fill(const struct region *r, uint64_t va, enum pager_fill_mode mode,
                     struct pager_fill *out)
{
    uint64_t f = frame_alloc(FRAME_ZERO);
    if (!f)
        return -ENOMEM;
    *out = (struct pager_fill){ va, f, PAGE_SIZE };
    return 0;
}

/* The release of every pager whose pieces are single frames it allocated
 * (ANON and FILE): drop those references, a batch under one lock. */
void pager_frames_release(const struct region *r, const struct pt_piece *pieces, size_t n)
{
    frame_unref_many(&pieces[0].pa, n, sizeof(*pieces) / sizeof(uint64_t));
}

const struct pager pager_anon = {
    .name = "anon",
    .fill = anon_fill,
    .release = pager_frames_release,
};
