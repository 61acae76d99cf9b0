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

static void anon_release(const struct region *r, uint64_t va, uint64_t pa, uint64_t size)
{
    frame_unref(pa);
}

const struct pager pager_anon = {
    .name = "anon",
    .fill = anon_fill,
    .release = anon_release,
};
