/*
 * Symbol lookup for backtraces. The table lives in section .ksyms, sorted by
 * address; it is filled by the second link pass (see Makefile).
 */
#include <ksyms.h>
#include <string.h>

struct ksym {
    uint64_t addr;
    uint64_t name_offset;
};

extern const uint64_t ksyms_count;
extern const struct ksym ksyms_table[];
extern const char ksyms_names[];
extern const char _kernel_start[];
extern const char __etext[];

const char *ksyms_lookup(uint64_t addr, uint64_t *offset)
{
    uint64_t lo = 0, hi = ksyms_count;

    if (ksyms_count == 0 || addr < ksyms_table[0].addr || addr >= (uint64_t)__etext)
        return NULL;
    /* Last entry with .addr <= addr. */
    while (hi - lo > 1) {
        uint64_t mid = lo + (hi - lo) / 2;
        if (ksyms_table[mid].addr <= addr)
            lo = mid;
        else
            hi = mid;
    }
    *offset = addr - ksyms_table[lo].addr;
    return ksyms_names + ksyms_table[lo].name_offset;
}

uint64_t ksyms_address(const char *name)
{
    for (uint64_t i = 0; i < ksyms_count; i++)
        if (strcmp(ksyms_names + ksyms_table[i].name_offset, name) == 0)
            return ksyms_table[i].addr;
    return 0;
}
