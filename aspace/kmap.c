/* The kernel map: see include/kmap.h. */
#include <kmap.h>
#include <aspace.h>
#include <frame.h>

uint64_t kmap_size(void)
{
    return ALIGN_UP(MAX(frame_phys_end(), GiB(4)), GiB(1));
}

int kmap_add(struct aspace *as)
{
    struct region r = {
        .va_start = 0, .pa_start = 0, .len = kmap_size(),
        .flags = REGION_READ | REGION_WRITE | REGION_EXEC | REGION_PIN |
                 REGION_KERN | REGION_EAGER,
    };
    return aspace_region_add(as, &r);
}
