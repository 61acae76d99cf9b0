/*
 * Multiboot2 boot information parser (Multiboot2 specification, section 3.6).
 * Everything needed later is copied into boot_info, so the original
 * structure can be reclaimed once the frame allocator runs.
 */
#include <bootinfo.h>
#include <string.h>
#include <mm.h>
#include <uapi/errno.h>

#define MB2_BOOTLOADER_MAGIC    0x36d76289
#define TAG_END         0
#define TAG_CMDLINE     1
#define TAG_LOADER      2
#define TAG_MODULE      3
#define TAG_MEMINFO     4
#define TAG_MMAP        6
#define TAG_ACPI_OLD    14      /* a copy of the ACPI 1.0 RSDP */
#define TAG_ACPI_NEW    15      /* a copy of the ACPI 2.0+ RSDP (has the XSDT) */
#define RSDP_RSDT_OFF   16
#define RSDP_XSDT_OFF   24

struct mb2_tag {
    uint32_t type;
    uint32_t size;
};

struct boot_info boot_info;

int multiboot_parse(uint32_t magic, uint64_t mbi)
{
    if (magic != MB2_BOOTLOADER_MAGIC)
        return -EINVAL;
    const uint8_t *base = phys_to_virt(mbi);
    uint32_t total = *(const uint32_t *)base;
    if (total < 16 || total > MiB(1))
        return -EINVAL;
    boot_info.mbi_start = mbi;
    boot_info.mbi_end = mbi + total;

    for (uint32_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
        const struct mb2_tag *tag = (const void *)(base + off);
        if (tag->size < 8 || off + tag->size > total)
            return -EINVAL;
        const uint8_t *body = (const uint8_t *)tag + 8;
        uint32_t body_len = tag->size - 8;

        switch (tag->type) {
        case TAG_END:
            return 0;
        case TAG_CMDLINE:
            strlcpy(boot_info.cmdline, (const char *)body,
                    MIN((size_t)body_len + 1, sizeof(boot_info.cmdline)));
            break;
        case TAG_LOADER:
            strlcpy(boot_info.loader, (const char *)body,
                    MIN((size_t)body_len + 1, sizeof(boot_info.loader)));
            break;
        case TAG_MODULE:
            if (boot_info.module_count < BOOT_MAX_MODULES && body_len >= 8) {
                struct boot_module *m = &boot_info.modules[boot_info.module_count++];
                m->start = ((const uint32_t *)body)[0];
                m->end = ((const uint32_t *)body)[1];
                strlcpy(m->name, (const char *)body + 8,
                        MIN((size_t)body_len - 8 + 1, sizeof(m->name)));
            }
            break;
        case TAG_MEMINFO:
            if (body_len >= 8) {
                boot_info.mem_lower_kib = ((const uint32_t *)body)[0];
                boot_info.mem_upper_kib = ((const uint32_t *)body)[1];
            }
            break;
        case TAG_MMAP: {
            uint32_t entry_size = ((const uint32_t *)body)[0];
            if (entry_size < 24)
                return -EINVAL;
            for (uint32_t e = 8; e + entry_size <= body_len &&
                 boot_info.mmap_count < BOOT_MAX_MMAP; e += entry_size) {
                const uint8_t *ent = body + e;
                struct boot_mmap_entry *m = &boot_info.mmap[boot_info.mmap_count++];
                memcpy(&m->base, ent, 8);
                memcpy(&m->len, ent + 8, 8);
                memcpy(&m->type, ent + 16, 4);
            }
            break;
        }
        case TAG_ACPI_OLD:
        case TAG_ACPI_NEW:
            if (body_len >= RSDP_RSDT_OFF + 4) {
                uint32_t rsdt;
                memcpy(&rsdt, body + RSDP_RSDT_OFF, 4);
                boot_info.acpi_rsdt = rsdt;
            }
            if (tag->type == TAG_ACPI_NEW && body_len >= RSDP_XSDT_OFF + 8)
                memcpy(&boot_info.acpi_xsdt, body + RSDP_XSDT_OFF, 8);
            break;
        default:
            break;
        }
        off += ALIGN_UP(tag->size, 8);
    }
    return -EINVAL;     /* no end tag */
}

const struct boot_module *boot_module_find(const char *name)
{
    for (int i = 0; i < boot_info.module_count; i++)
        if (strcmp(boot_info.modules[i].name, name) == 0)
            return &boot_info.modules[i];
    return NULL;
}

/* Find word w (delimited by spaces) in the command line; NULL if absent. */
static const char *cmdline_word(const char *w, size_t wlen, bool prefix)
{
    const char *p = boot_info.cmdline;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *start = p;
        while (*p && *p != ' ')
            p++;
        size_t len = (size_t)(p - start);
        if (prefix ? (len >= wlen && strncmp(start, w, wlen) == 0)
                   : (len == wlen && strncmp(start, w, wlen) == 0))
            return start;
    }
    return NULL;
}

bool boot_cmdline_has(const char *word)
{
    return cmdline_word(word, strlen(word), false) != NULL;
}

const char *boot_cmdline_get(const char *key, char *buf, size_t size)
{
    char pat[64];
    size_t klen = strlen(key);
    if (klen + 2 > sizeof(pat) || size == 0)
        return NULL;
    memcpy(pat, key, klen);
    pat[klen] = '=';
    const char *w = cmdline_word(pat, klen + 1, true);
    if (!w)
        return NULL;
    w += klen + 1;
    size_t n = 0;
    while (w[n] && w[n] != ' ' && n + 1 < size) {
        buf[n] = w[n];
        n++;
    }
    buf[n] = '\0';
    return buf;
}
