/*
 * Counting CPUs in the ACPI MADT (ACPI 6.x, section 5.2.12): the RSDT or
 * XSDT lists the tables; the one signed "APIC" has one entry per processor.
 *
 * Invariants: tables are read in place through the kernel's identity map
 * (every address below 4 GiB is mapped); a table is trusted only after its
 * signature, length (36 bytes .. 1 MiB, below 4 GiB) and checksum have
 * been checked, and no entry is read past its table's length.
 */
#include <arch/acpi.h>
#include <bootinfo.h>
#include <string.h>
#include <mm.h>
#include <uapi/errno.h>

#define ACPI_TABLE_MAX      MiB(1)
#define MADT_LAPIC          0           /* processor local APIC */
#define MADT_X2APIC         9           /* processor local x2APIC */
#define MADT_CPU_ENABLED    (1u << 0)
#define MADT_CPU_ONLINE_CAPABLE (1u << 1)

struct acpi_header {
    char sig[4];
    uint32_t len;
    uint8_t rev, checksum;
    char oem[6], oem_table[8];
    uint32_t oem_rev, creator, creator_rev;
} __packed;

/* The table at physical pa if it is signed sig and passes the checks at
 * the top; NULL otherwise. */
static const struct acpi_header *acpi_table_check(uint64_t pa, const char *sig)
{
    if (pa == 0 || pa + sizeof(struct acpi_header) > GiB(4))
        return NULL;
    const struct acpi_header *h = phys_to_virt(pa);
    if (memcmp(h->sig, sig, 4) != 0 || h->len < sizeof(*h) || h->len > ACPI_TABLE_MAX ||
        pa + h->len > GiB(4))
        return NULL;
    uint8_t sum = 0;
    for (uint32_t i = 0; i < h->len; i++)
        sum += ((const uint8_t *)h)[i];
    return sum == 0 ? h : NULL;
}

/* Count the usable processors among the MADT's entries. */
static int acpi_madt_cpus(const struct acpi_header *madt)
{
    const uint8_t *p = (const uint8_t *)madt + sizeof(*madt) + 8;  /* after LAPIC address and flags */
    const uint8_t *end = (const uint8_t *)madt + madt->len;
    int cpus = 0;
    while (p + 2 <= end && p[1] >= 2 && p + p[1] <= end) {
        uint32_t flags;
        if (p[0] == MADT_LAPIC && p[1] >= 8) {
            memcpy(&flags, p + 4, 4);
            cpus += (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)) != 0;
        } else if (p[0] == MADT_X2APIC && p[1] >= 16) {
            memcpy(&flags, p + 8, 4);
            cpus += (flags & (MADT_CPU_ENABLED | MADT_CPU_ONLINE_CAPABLE)) != 0;
        }
        p += p[1];
    }
    return cpus;
}

int acpi_cpu_count(void)
{
    bool x = boot_info.acpi_xsdt != 0;
    const struct acpi_header *root = x ? acpi_table_check(boot_info.acpi_xsdt, "XSDT")
                                       : acpi_table_check(boot_info.acpi_rsdt, "RSDT");
    if (!root)
        return -ENOENT;
    size_t entry = x ? 8 : 4;
    const uint8_t *e = (const uint8_t *)root + sizeof(*root);
    for (size_t i = 0; i < (root->len - sizeof(*root)) / entry; i++) {
        uint64_t pa = 0;
        memcpy(&pa, e + i * entry, entry);
        const struct acpi_header *madt = acpi_table_check(pa, "APIC");
        if (madt && madt->len >= sizeof(*madt) + 8) {
            int n = acpi_madt_cpus(madt);
            return n > 0 ? n : -ENOENT;
        }
    }
    return -ENOENT;
}
