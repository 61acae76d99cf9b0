/*
 * What the boot loader told us, parsed from the Multiboot2 information into
 * plain structures (kernel/core/multiboot.c). Filled once at boot, read-only after.
 */
#ifndef STRATA_BOOTINFO_H
#define STRATA_BOOTINFO_H

#include <compiler.h>

#define BOOT_MAX_MMAP       64
#define BOOT_MAX_MODULES    8
#define BOOT_CMDLINE_MAX    256

enum boot_mem_type {
    BOOT_MEM_AVAILABLE = 1,
    BOOT_MEM_RESERVED = 2,
    BOOT_MEM_ACPI_RECLAIMABLE = 3,
    BOOT_MEM_NVS = 4,
    BOOT_MEM_BADRAM = 5,
};

struct boot_mmap_entry {
    uint64_t base;
    uint64_t len;
    uint32_t type;          /* enum boot_mem_type */
};

struct boot_module {
    uint64_t start;         /* physical, inclusive */
    uint64_t end;           /* physical, exclusive */
    char name[64];          /* the module's command line, e.g. "initrd" */
};

struct boot_info {
    char cmdline[BOOT_CMDLINE_MAX];
    char loader[64];
    struct boot_mmap_entry mmap[BOOT_MAX_MMAP];
    int mmap_count;
    struct boot_module modules[BOOT_MAX_MODULES];
    int module_count;
    uint64_t mbi_start, mbi_end;    /* the Multiboot2 information itself */
    uint64_t mem_lower_kib, mem_upper_kib;
    uint64_t acpi_rsdt, acpi_xsdt;  /* from the RSDP the loader copied; 0: none */
};

extern struct boot_info boot_info;

/* Parse the Multiboot2 information at physical address mbi. Returns 0 or
 * -EINVAL if magic is wrong or the structure is malformed. */
int multiboot_parse(uint32_t magic, uint64_t mbi);

/* Find a module by name; NULL if absent. */
const struct boot_module *boot_module_find(const char *name);

/* Kernel command-line flags: "panic=exit loglevel=4". */
bool boot_cmdline_has(const char *word);            /* exact word, e.g. "quiet" */
const char *boot_cmdline_get(const char *key, char *buf, size_t size); /* "key=value" */

#endif
