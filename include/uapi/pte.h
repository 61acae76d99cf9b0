/*
 * Page permissions of the page-granular memory calls (JOS's PTE_* bits,
 * the low bits of an x86 page-table entry), shared with user programs.
 * They describe a page to the kernel; the kernel maps them onto its own
 * region flags and page-table entries.
 */
#ifndef STRATA_UAPI_PTE_H
#define STRATA_UAPI_PTE_H

#define PTE_P       0x001       /* present: required in every perm */
#define PTE_W       0x002       /* writable */
#define PTE_U       0x004       /* user: required in every perm */
#define PTE_AVAIL   0xE00       /* for the program's own use (bits 9-11) */
#define PTE_COW     0x800       /* copy-on-write: one of the available bits */
/* Every bit a program may pass. */
#define PTE_SYSCALL (PTE_P | PTE_W | PTE_U | PTE_AVAIL)

#endif
