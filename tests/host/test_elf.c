/*
 * Host test of the ELF64 validator (kernel/lib/elf.c): elf_header_check() and
 * elf_segments_check().
 *
 *  - a valid synthetic executable (3 PT_LOAD segments, like the user
 *    programs: text R X, rodata R, data+bss RW) is accepted, and so are
 *    the legal edge cases (16 headers, headers ending at the end of the
 *    file, segments at the edges of the window, unaligned but congruent
 *    segments, ignored header types);
 *  - every way a header can be wrong is refused with -ENOEXEC and a reason,
 *    at the right stage (file header or program headers);
 *  - a fuzz loop mutates the header and program headers 100000 times: the
 *    validator must never crash (ASan/UBSan) and whatever it accepts must
 *    really be inside the file and inside the window [lo, hi);
 *  - the real programs in build/user/bin/ (when built) are accepted with
 *    the window exec uses: [USER_LOAD_MIN, USER_MMAP_BASE).
 *
 * The file header and program headers are copied into buffers of exactly
 * their size (as exec reads them), so ASan catches any read past them.
 */
/* host-test-sources: kernel/lib/elf.c */
#include <stdio.h>
#include <stdlib.h>
#include <dirent.h>
#include <sys/stat.h>
#include <elf.h>        /* the kernel's include/elf.h (-Iinclude comes first) */
#include <string.h>     /* the kernel's header; libc supplies the functions */
#include <uapi/errno.h>
#include <uapi/layout.h>
#include "check.h"

#define PG          4096ull
#define LO          USER_LOAD_MIN
#define HI          USER_MMAP_BASE
#define PHSZ        sizeof(Elf64_Phdr)
#define USER_BIN    "build/user/bin"

/* ---- a synthetic executable -------------------------------------------------- */

struct exe {
    Elf64_Ehdr eh;
    Elf64_Phdr ph[ELF_MAX_PHDRS + 4];   /* room for phnum > 16 tests */
    uint64_t size;                      /* file size */
};

/* Three segments as the linker lays out a user program:
 *   text    file 0x1000+0x1800  at LO          R X   (entry LO + 0x10)
 *   rodata  file 0x3000+0x0400  at LO + 0x3000 R
 *   data    file 0x4000+0x0080  at LO + 0x4000 RW    memsz 0x2100 (bss)
 * File: 0x4080 bytes, program headers right after the file header. */
static struct exe valid(void)
{
    struct exe x;
    memset(&x, 0, sizeof(x));
    unsigned char *id = x.eh.e_ident;
    id[0] = 0x7f; id[1] = 'E'; id[2] = 'L'; id[3] = 'F';
    id[4] = ELFCLASS64; id[5] = ELFDATA2LSB; id[6] = EV_CURRENT;
    x.eh.e_type = ET_EXEC;
    x.eh.e_machine = EM_X86_64;
    x.eh.e_version = EV_CURRENT;
    x.eh.e_entry = LO + 0x10;
    x.eh.e_phoff = sizeof(Elf64_Ehdr);
    x.eh.e_ehsize = sizeof(Elf64_Ehdr);
    x.eh.e_phentsize = PHSZ;
    x.eh.e_phnum = 3;
    x.ph[0] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_X, .p_offset = 0x1000,
                            .p_vaddr = LO, .p_paddr = LO, .p_filesz = 0x1800,
                            .p_memsz = 0x1800, .p_align = PG };
    x.ph[1] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_offset = 0x3000,
                            .p_vaddr = LO + 0x3000, .p_filesz = 0x400, .p_memsz = 0x400,
                            .p_align = PG };
    x.ph[2] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R | PF_W, .p_offset = 0x4000,
                            .p_vaddr = LO + 0x4000, .p_filesz = 0x80, .p_memsz = 0x2100,
                            .p_align = PG };
    x.size = 0x4080;
    return x;
}

/* Run both checks the way exec does, on exact-size copies. stage: 0 if
 * accepted, 1 if the file header was refused, 2 if the program headers. */
struct verdict {
    int rc, stage;
    const char *why;
    struct elf_image img;
};

static struct verdict run_checks(const struct exe *x, uint64_t lo, uint64_t hi)
{
    struct verdict v;
    memset(&v, 0, sizeof(v));
    Elf64_Ehdr *eh = malloc(sizeof(*eh));
    memcpy(eh, &x->eh, sizeof(*eh));
    v.why = NULL;
    v.rc = elf_header_check(eh, x->size, &v.why);
    if (v.rc != 0) {
        v.stage = 1;
        free(eh);
        return v;
    }
    size_t n = eh->e_phnum;
    Elf64_Phdr *ph = malloc(n * PHSZ);
    memcpy(ph, x->ph, n * PHSZ);
    v.why = NULL;
    v.rc = elf_segments_check(eh, ph, x->size, lo, hi, &v.img, &v.why);
    v.stage = v.rc ? 2 : 0;
    free(ph);
    free(eh);
    return v;
}

static int contains(const char *s, const char *needle)
{
    if (!s)
        return 0;
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* Accepted, in window [lo, hi). */
#define ACCEPT_IN(x, lo, hi, name) __extension__ ({                         \
    struct verdict v_ = run_checks(&(x), (lo), (hi));                       \
    check_result_(v_.rc == 0, __FILE__, __LINE__,                           \
                  "%s: refused (rc %d, stage %d, why \"%s\")", (name),      \
                  v_.rc, v_.stage, v_.why ? v_.why : "(NULL)");             \
    v_; })
#define ACCEPT(x, name) ACCEPT_IN(x, LO, HI, name)

/* Refused with -ENOEXEC, at `stage`, with a reason containing `word`. */
#define REJECT_IN(x, lo, hi, stg, word, name) do {                        \
    struct verdict v_ = run_checks(&(x), (lo), (hi));                       \
    check_result_(v_.rc == -ENOEXEC && v_.why != NULL && v_.why[0] &&       \
                  v_.stage == (stg) && contains(v_.why, (word)),          \
                  __FILE__, __LINE__,                                       \
                  "%s: rc %d (want %d), stage %d (want %d), why \"%s\" "    \
                  "(want a reason with \"%s\")", (name), v_.rc, -ENOEXEC,   \
                  v_.stage, (stg), v_.why ? v_.why : "(NULL)", (word));   \
} while (0)
#define REJECT_HDR(x, word, name)  REJECT_IN(x, LO, HI, 1, word, name)
#define REJECT_SEG(x, word, name)  REJECT_IN(x, LO, HI, 2, word, name)

/* ---- accepted --------------------------------------------------------------- */

TEST(valid_three_segments)
{
    struct exe x = valid();
    struct verdict v = ACCEPT(x, "valid executable");
    if (v.rc)
        return;
    CHECK_EQ_INT(v.img.nseg, 3);
    CHECK_EQ_INT(v.img.entry, LO + 0x10);
    for (unsigned i = 0; i < 3 && i < v.img.nseg; i++) {
        CHECK_EQ_INT(v.img.seg[i].vaddr, x.ph[i].p_vaddr);
        CHECK_EQ_INT(v.img.seg[i].memsz, x.ph[i].p_memsz);
        CHECK_EQ_INT(v.img.seg[i].offset, x.ph[i].p_offset);
        CHECK_EQ_INT(v.img.seg[i].filesz, x.ph[i].p_filesz);
        CHECK_EQ_INT(v.img.seg[i].flags, x.ph[i].p_flags);
    }
}

TEST(accepted_edge_cases)
{
    struct exe x;

    /* Ignored header types among the loads; a PT_LOAD with memsz 0 maps
     * nothing and is skipped. */
    x = valid();
    x.ph[3] = (Elf64_Phdr){ .p_type = PT_NULL };
    x.ph[4] = (Elf64_Phdr){ .p_type = 0x6474e551 /* PT_GNU_STACK */, .p_flags = PF_R | PF_W };
    x.ph[5] = (Elf64_Phdr){ .p_type = 4 /* PT_NOTE */, .p_offset = 0x40, .p_filesz = 0x10 };
    x.ph[6] = (Elf64_Phdr){ .p_type = PT_LOAD, .p_flags = PF_R, .p_vaddr = LO + 0x100000 };
    x.eh.e_phnum = 7;
    struct verdict v = ACCEPT(x, "ignored header types");
    CHECK_EQ_INT(v.img.nseg, 3);

    /* The maximum number of program headers, ending exactly at the end of
     * the file. */
    x = valid();
    x.eh.e_phnum = ELF_MAX_PHDRS;
    x.eh.e_phoff = 0x4080;
    x.size = 0x4080 + ELF_MAX_PHDRS * PHSZ;
    ACCEPT(x, "16 program headers ending at the end of the file");

    /* A segment whose file part ends exactly at the end of the file. */
    x = valid();
    x.size = 0x4080;
    ACCEPT(x, "data ending exactly at the end of the file");

    /* Segment starting exactly at lo (the text already does) and a data
     * segment with an unaligned but congruent address/offset. */
    x = valid();
    x.ph[2].p_offset = 0x4234;
    x.ph[2].p_vaddr = LO + 0x5234;
    x.size = 0x4234 + 0x80;
    v = ACCEPT(x, "unaligned, congruent data segment");
    CHECK_EQ_INT(v.img.seg[2].vaddr, LO + 0x5234);

    /* Segments in consecutive pages (no page shared). */
    x = valid();
    x.ph[0].p_memsz = x.ph[0].p_filesz = 0x2000;       /* text ends at LO+0x2000 */
    x.ph[1].p_vaddr = LO + 0x2000;                     /* rodata next page... */
    x.ph[1].p_offset = 0x3000 - 0x1000;                /* ...congruent */
    ACCEPT(x, "segments in adjacent pages");

    /* Entry at the last byte of the text segment. */
    x = valid();
    x.eh.e_entry = LO + 0x17ff;
    ACCEPT(x, "entry at the last byte of text");

    /* Entry in the bss part (memsz past filesz) of an executable segment. */
    x = valid();
    x.ph[0].p_filesz = 0x800;
    x.eh.e_entry = LO + 0x1000;
    ACCEPT(x, "entry in the zero-filled tail of text");

    /* A pure-bss segment (filesz 0, offset anything congruent). */
    x = valid();
    x.ph[2].p_offset = 0;
    x.ph[2].p_filesz = 0;
    ACCEPT(x, "bss-only data segment");

    /* Only one segment: text. */
    x = valid();
    x.eh.e_phnum = 1;
    ACCEPT(x, "a single text segment");

    /* Read-only text without PF_R is still just a text (PF_X only). */
    x = valid();
    x.ph[0].p_flags = PF_X;
    ACCEPT(x, "execute-only text");

    /* A window that is not the exec one (data's page-rounded end
     * LO + 0x7000, a page below hi). */
    x = valid();
    ACCEPT_IN(x, LO, LO + 0x8000, "a small window");
}

/* elf.h: every segment inside the window [lo, hi). A segment ending exactly
 * at hi (or in the page before it) is inside the window. */
TEST(segment_ending_at_hi)
{
    struct exe x = valid();
    x.ph[2].p_vaddr = HI - 0x2000;
    x.ph[2].p_offset = 0x4000;
    x.ph[2].p_memsz = 0x2000;                   /* ends exactly at hi */
    ACCEPT(x, "data ending exactly at hi (inside [lo, hi))");

    x.ph[2].p_memsz = 0x1f80;                   /* ends 0x80 below hi */
    ACCEPT(x, "data ending 0x80 below hi (its last page ends at hi)");
}

/* ---- refused: the file header ------------------------------------------------ */

TEST(header_rejections)
{
    struct exe x;

    x = valid(); x.size = sizeof(Elf64_Ehdr) - 1;
    REJECT_HDR(x, "too small", "file shorter than a header");
    x = valid(); x.size = 0;
    REJECT_HDR(x, "too small", "empty file");

    for (int i = 0; i < 4; i++) {
        x = valid();
        x.eh.e_ident[i] ^= 0x20;
        REJECT_HDR(x, "magic", "bad magic byte");
    }
    x = valid(); memcpy(x.eh.e_ident, "#!/b", 4);
    REJECT_HDR(x, "magic", "a script");

    x = valid(); x.eh.e_ident[4] = 1;           /* ELFCLASS32 */
    REJECT_HDR(x, "64-bit", "class 32");
    x = valid(); x.eh.e_ident[4] = 0;
    REJECT_HDR(x, "64-bit", "class none");
    x = valid(); x.eh.e_ident[4] = 3;
    REJECT_HDR(x, "64-bit", "class 3");

    x = valid(); x.eh.e_ident[5] = 2;           /* ELFDATA2MSB */
    REJECT_HDR(x, "endian", "big endian");
    x = valid(); x.eh.e_ident[5] = 0;
    REJECT_HDR(x, "endian", "data encoding none");

    x = valid(); x.eh.e_ident[6] = 0;
    REJECT_HDR(x, "version", "ident version 0");
    x = valid(); x.eh.e_ident[6] = 2;
    REJECT_HDR(x, "version", "ident version 2");
    x = valid(); x.eh.e_version = 0;
    REJECT_HDR(x, "version", "e_version 0");
    x = valid(); x.eh.e_version = 2;
    REJECT_HDR(x, "version", "e_version 2");

    static const uint16_t types[] = { 0, 1 /* REL */, 3 /* DYN */, 4 /* CORE */, 0xfe00, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(types); i++) {
        x = valid(); x.eh.e_type = types[i];
        REJECT_HDR(x, "ET_EXEC", "not ET_EXEC");
    }

    static const uint16_t machines[] = { 0, 3 /* 386 */, 40 /* ARM */, 183 /* AARCH64 */,
                                         243 /* RISCV */, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(machines); i++) {
        x = valid(); x.eh.e_machine = machines[i];
        REJECT_HDR(x, "x86-64", "wrong machine");
    }

    x = valid(); x.eh.e_ehsize = sizeof(Elf64_Ehdr) - 1;
    REJECT_HDR(x, "header size", "e_ehsize too small");
    x = valid(); x.eh.e_ehsize = 0;
    REJECT_HDR(x, "header size", "e_ehsize 0");

    static const uint16_t phents[] = { 0, 32 /* Elf32_Phdr */, PHSZ - 1, PHSZ + 1, 0xffff };
    for (size_t i = 0; i < ARRAY_SIZE(phents); i++) {
        x = valid(); x.eh.e_phentsize = phents[i];
        REJECT_HDR(x, "program header size", "bad e_phentsize");
    }

    x = valid(); x.eh.e_phnum = 0;
    REJECT_HDR(x, "program headers", "phnum 0");
    x = valid(); x.eh.e_phnum = ELF_MAX_PHDRS + 1; x.size = 0x100000;
    REJECT_HDR(x, "program headers", "phnum 17");
    x = valid(); x.eh.e_phnum = 0xffff; x.size = 0x1000000;
    REJECT_HDR(x, "program headers", "phnum 0xffff");

    x = valid(); x.eh.e_phoff = x.size;
    REJECT_HDR(x, "outside the file", "phoff at the end of the file");
    x = valid(); x.eh.e_phoff = x.size - 3 * PHSZ + 1;
    REJECT_HDR(x, "outside the file", "program headers one byte past the end");
    x = valid(); x.eh.e_phoff = x.size + 0x1000;
    REJECT_HDR(x, "outside the file", "phoff beyond the file");
    x = valid(); x.eh.e_phoff = UINT64_MAX - 8;
    REJECT_HDR(x, "outside the file", "phoff + size overflows");
    x = valid(); x.eh.e_phoff = UINT64_MAX;
    REJECT_HDR(x, "outside the file", "phoff = 2^64 - 1");
    x = valid(); x.eh.e_phoff = UINT64_MAX - 3 * PHSZ + 1;
    REJECT_HDR(x, "outside the file", "phoff + size wraps to 0");
    x = valid(); x.eh.e_phoff = 1ull << 63;
    REJECT_HDR(x, "outside the file", "phoff 2^63");
}

/* ---- refused: the program headers -------------------------------------------- */

TEST(segment_file_rejections)
{
    struct exe x;

    x = valid(); x.ph[2].p_filesz = x.ph[2].p_memsz + 1;
    REJECT_SEG(x, "file size larger", "filesz > memsz");
    x = valid(); x.ph[1].p_filesz = UINT64_MAX; x.ph[1].p_memsz = 0x1000;
    REJECT_SEG(x, "file size larger", "filesz 2^64-1");

    x = valid(); x.ph[2].p_filesz = 0x81;
    REJECT_SEG(x, "outside the file", "data one byte past the end of the file");
    x = valid(); x.ph[2].p_offset = 0x5000; x.ph[2].p_vaddr = LO + 0x5000;
    REJECT_SEG(x, "outside the file", "offset beyond the file");
    x = valid();
    x.ph[2].p_offset = 0xfffffffffffff000ull;   /* congruent with LO + 0x4000 */
    x.ph[2].p_filesz = 0x2000; x.ph[2].p_memsz = 0x2100;
    REJECT_SEG(x, "outside the file", "offset + filesz wraps");
    x = valid();
    x.ph[2].p_offset = 0x4000;
    x.ph[2].p_filesz = UINT64_MAX - 0x3fff;     /* offset + filesz = 2^64 exactly */
    x.ph[2].p_memsz = UINT64_MAX - 0x3fff;
    REJECT_SEG(x, "outside the file", "offset + filesz = 2^64");
    x = valid();
    x.ph[0].p_filesz = x.ph[0].p_memsz = 0x3081;        /* text runs past EOF */
    x.ph[1].p_type = PT_NULL; x.ph[2].p_type = PT_NULL;
    REJECT_SEG(x, "outside the file", "text runs past the end of the file");
}

TEST(segment_window_rejections)
{
    struct exe x;

    x = valid(); x.ph[0].p_vaddr = LO - PG; x.eh.e_entry = LO - PG + 0x10;
    REJECT_SEG(x, "address range", "vaddr a page below lo");
    x = valid(); x.ph[0].p_vaddr = LO - 1;             /* one byte below, congruent */
    x.ph[0].p_offset = 0x1fff;
    REJECT_SEG(x, "address range", "vaddr just below lo");
    x = valid(); x.ph[0].p_vaddr = 0; x.eh.e_entry = 0x10;
    REJECT_SEG(x, "address range", "vaddr 0");
    x = valid(); x.ph[0].p_vaddr = 0x400000; x.eh.e_entry = 0x400010;
    REJECT_SEG(x, "address range", "vaddr in the low (kernel) half");

    x = valid(); x.ph[2].p_vaddr = HI;
    REJECT_SEG(x, "address range", "vaddr = hi");
    x = valid(); x.ph[2].p_vaddr = HI + 0x4000;
    REJECT_SEG(x, "address range", "vaddr above hi");
    x = valid(); x.ph[2].p_vaddr = USER_END;
    REJECT_SEG(x, "address range", "vaddr at the end of the user half");
    x = valid(); x.ph[2].p_vaddr = 0xfffffffffffff000ull;
    REJECT_SEG(x, "address range", "vaddr at the top of the address space");
    x = valid(); x.ph[2].p_vaddr = HI - 0x1000; x.ph[2].p_memsz = 0x1001;
    REJECT_SEG(x, "address range", "memory image crossing hi by one byte");
    x = valid(); x.ph[2].p_vaddr = HI - 0x1000; x.ph[2].p_memsz = 0x100000;
    REJECT_SEG(x, "address range", "bss crossing hi");
    x = valid(); x.ph[2].p_memsz = UINT64_MAX;
    REJECT_SEG(x, "address range", "memsz 2^64-1");
    x = valid(); x.ph[2].p_memsz = 1ull << 63;
    REJECT_SEG(x, "address range", "memsz 2^63");
    x = valid(); x.ph[2].p_memsz = UINT64_MAX - (LO + 0x4000) + 1;   /* end wraps to 0 */
    REJECT_SEG(x, "address range", "vaddr + memsz = 2^64");

    /* Wrapping windows: hi at the very top, segment running past 2^64. */
    x = valid(); x.ph[2].p_vaddr = 0xfffffffffffff000ull; x.ph[2].p_memsz = 0x2000;
    REJECT_IN(x, LO, UINT64_MAX, 2, "address range", "segment wrapping past 2^64");
    x = valid(); x.ph[2].p_vaddr = 0xfffffffffffff000ull; x.ph[2].p_memsz = 0x1000;
    REJECT_IN(x, LO, UINT64_MAX, 2, "address range",
              "segment ending at 2^64 (its end is not representable)");
    x = valid(); x.ph[2].p_vaddr = 0xffffffffffffe000ull; x.ph[2].p_memsz = 0x1ffe;
    REJECT_IN(x, LO, UINT64_MAX, 2, "address range",
              "segment whose page-rounded end is 2^64");

    /* An empty or inverted window refuses everything. */
    x = valid();
    REJECT_IN(x, LO, LO, 2, "address range", "empty window");
    REJECT_IN(x, HI, LO, 2, "address range", "inverted window");
}

TEST(segment_layout_rejections)
{
    struct exe x;

    x = valid(); x.ph[0].p_offset = 0x1001;
    REJECT_SEG(x, "congruent", "text offset off by one");
    x = valid(); x.ph[2].p_offset = 0x4800; x.size = 0x5000;
    REJECT_SEG(x, "congruent", "data offset half a page off");
    x = valid(); x.ph[1].p_vaddr = LO + 0x3008;
    REJECT_SEG(x, "congruent", "rodata vaddr off by 8");

    x = valid(); x.ph[0].p_flags = PF_R | PF_W | PF_X;
    REJECT_SEG(x, "writable and executable", "RWX text");
    x = valid(); x.ph[2].p_flags = PF_R | PF_W | PF_X;
    REJECT_SEG(x, "writable and executable", "RWX data");
    x = valid(); x.ph[1].p_flags = PF_W | PF_X;
    REJECT_SEG(x, "writable and executable", "WX rodata");

    x = valid(); x.ph[3] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x40, .p_filesz = 0x1c };
    x.eh.e_phnum = 4;
    REJECT_SEG(x, "dynamic", "PT_INTERP after the loads");
    x = valid(); x.ph[3] = x.ph[0];
    x.ph[0] = (Elf64_Phdr){ .p_type = PT_INTERP, .p_offset = 0x40, .p_filesz = 0x1c };
    x.eh.e_phnum = 4;
    REJECT_SEG(x, "dynamic", "PT_INTERP first");
    x = valid(); x.ph[3] = (Elf64_Phdr){ .p_type = PT_DYNAMIC, .p_offset = 0x4000,
                                         .p_vaddr = LO + 0x4000, .p_filesz = 0x80,
                                         .p_memsz = 0x80 };
    x.eh.e_phnum = 4;
    REJECT_SEG(x, "dynamic", "PT_DYNAMIC");

    /* Overlaps: a later segment inside, across, or sharing a page with an
     * earlier one (any order). */
    x = valid(); x.ph[1].p_vaddr = LO + 0x1000; x.ph[1].p_offset = 0x2000;
    REJECT_SEG(x, "overlap", "rodata inside text");
    x = valid(); x.ph[1] = x.ph[0]; x.ph[1].p_flags = PF_R;
    REJECT_SEG(x, "overlap", "two identical segments");
    x = valid(); x.ph[0].p_filesz = x.ph[0].p_memsz = 0x800;     /* text ends at LO+0x800 */
    x.ph[1].p_vaddr = LO + 0x900; x.ph[1].p_offset = 0x3900; x.ph[1].p_filesz = 0x100;
    x.ph[1].p_memsz = 0x100;
    REJECT_SEG(x, "overlap", "rodata sharing the last page of text");
    x = valid(); x.ph[1].p_vaddr = LO + 0x1800; x.ph[1].p_offset = 0x2800;
    REJECT_SEG(x, "overlap", "rodata starting right where text ends (same page)");
    x = valid(); x.ph[2].p_memsz = 0x100000; x.ph[1].p_vaddr = LO + 0x20000;
    x.ph[1].p_offset = 0x3000;
    {   /* move rodata after data in the header table: data then rodata */
        Elf64_Phdr t = x.ph[1]; x.ph[1] = x.ph[2]; x.ph[2] = t;
    }
    REJECT_SEG(x, "overlap", "rodata inside an earlier big bss");
    x = valid(); x.ph[0].p_memsz = 0x10000;     /* text's bss covers rodata and data */
    REJECT_SEG(x, "overlap", "text memory image covering the later segments");
    x = valid(); x.ph[2].p_vaddr = LO + 0x3400; x.ph[2].p_offset = 0x4400;
    x.size = 0x4480;
    REJECT_SEG(x, "overlap", "data starting in rodata's page");

    /* Entry point. */
    x = valid(); x.eh.e_entry = LO + 0x3000;
    REJECT_SEG(x, "entry", "entry in rodata");
    x = valid(); x.eh.e_entry = LO + 0x4000;
    REJECT_SEG(x, "entry", "entry in data");
    x = valid(); x.eh.e_entry = LO + 0x1800;
    REJECT_SEG(x, "entry", "entry one past the end of text");
    x = valid(); x.eh.e_entry = LO - 1;
    REJECT_SEG(x, "entry", "entry just below text");
    x = valid(); x.eh.e_entry = 0;
    REJECT_SEG(x, "entry", "entry 0");
    x = valid(); x.eh.e_entry = 0x100000;
    REJECT_SEG(x, "entry", "entry in the kernel");
    x = valid(); x.eh.e_entry = UINT64_MAX;
    REJECT_SEG(x, "entry", "entry 2^64-1");
    x = valid(); x.ph[0].p_flags = PF_R;
    REJECT_SEG(x, "entry", "no executable segment");
    x = valid(); x.ph[0].p_type = PT_NULL;
    REJECT_SEG(x, "entry", "text not a PT_LOAD");

    /* No loadable segment at all. */
    x = valid();
    for (int i = 0; i < 3; i++)
        x.ph[i].p_type = PT_NULL;
    REJECT_SEG(x, "no loadable", "only PT_NULL headers");
    x = valid();
    for (int i = 0; i < 3; i++)
        x.ph[i].p_memsz = x.ph[i].p_filesz = 0;
    REJECT_SEG(x, "no loadable", "only empty PT_LOADs");
    x = valid();
    x.ph[0].p_type = 0x6474e551; x.ph[1].p_type = 4; x.ph[2].p_type = 0x70000000;
    REJECT_SEG(x, "no loadable", "GNU_STACK, NOTE and a processor-specific header");
}

/* ---- the fuzz loop ------------------------------------------------------------ */

static uint64_t rng = 0x243F6A8885A308D3ull;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1Dull;
}

static uint64_t below(uint64_t n) { return n ? rnd() % n : 0; }

static uint64_t interesting64(uint64_t size)
{
    static const uint64_t v[] = {
        0, 1, 0xfff, 0x1000, 0x1001, 0x7fffffffffffffffull, 0x8000000000000000ull,
        UINT64_MAX, UINT64_MAX - 0xfff, UINT64_MAX - 0x1000, UINT64_MAX - 55,
        LO, LO - 1, LO + 0x1000, LO + 0x10, HI, HI - 1, HI - 0x1000, HI - 0x2000,
        USER_START, USER_END, 0x100000, 0x4000, 0x4080,
    };
    switch (below(4)) {
    case 0: return v[below(ARRAY_SIZE(v))];
    case 1: return size + below(3) - 1;
    case 2: return LO + below(0x10000);
    default: return rnd();
    }
}

/* Mutate the raw bytes of the header + program header table. */
static void mutate(unsigned char *raw, size_t rawlen, uint64_t *size)
{
    int n = 1 + (int)below(6);
    for (int k = 0; k < n; k++) {
        switch (below(8)) {
        case 0: case 1:                 /* flip one bit */
            raw[below(rawlen)] ^= (unsigned char)(1u << below(8));
            break;
        case 2: {                       /* a byte to an interesting value */
            static const unsigned char b[] = { 0, 1, 2, 3, 7, 0x10, 0x11, 0x38, 0x40,
                                               0x7f, 0x80, 0xfe, 0xff };
            raw[below(rawlen)] = b[below(sizeof(b))];
            break;
        }
        case 3: case 4: {               /* an aligned 64-bit program header field */
            size_t ph = sizeof(Elf64_Ehdr) + below(4) * PHSZ;
            size_t off = ph + 8 + 8 * below(6);     /* offset..align */
            uint64_t val = interesting64(*size);
            if (below(2)) {             /* small step from the current value */
                memcpy(&val, raw + off, 8);
                val += below(0x2001) - 0x1000;
            }
            memcpy(raw + off, &val, 8);
            break;
        }
        case 5: {                       /* a program header's type or flags */
            size_t ph = sizeof(Elf64_Ehdr) + below(4) * PHSZ;
            static const uint32_t t[] = { PT_NULL, PT_LOAD, PT_DYNAMIC, PT_INTERP, 4, 6,
                                          0x6474e551, 0xffffffff };
            uint32_t val = below(2) ? t[below(ARRAY_SIZE(t))] : (uint32_t)below(8);
            memcpy(raw + ph + 4 * below(2), &val, 4);
            break;
        }
        case 6: {                       /* a header field: entry, phoff, phnum, ... */
            static const size_t offs[] = { 24, 32 };
            uint64_t val = interesting64(*size);
            memcpy(raw + offs[below(2)], &val, 8);
            if (below(2)) {
                uint16_t n16 = (uint16_t)below(20);
                memcpy(raw + 56, &n16, 2);  /* e_phnum */
            }
            break;
        }
        default:                        /* the file size */
            *size = below(3) ? *size + below(0x201) - 0x100 : below(0x5000);
            if (*size > 0x5000)
                *size = 0x5000;
            break;
        }
    }
}

static int fuzz_bad;    /* invariant violations (reported only the first few) */

#define FUZZ_CHECK(cond, iter, ...) do {                                    \
    if (!(cond)) {                                                          \
        if (fuzz_bad++ < 10) {                                              \
            printf("fuzz iteration %d: ", (iter));                          \
            printf(__VA_ARGS__);                                            \
            printf("\n");                                                   \
        }                                                                   \
    }                                                                       \
} while (0)

/* An accepted image: every promise elf.h makes. */
static void check_accepted(int iter, const Elf64_Ehdr *eh, const Elf64_Phdr *ph,
                           uint64_t size, uint64_t lo, uint64_t hi, const struct elf_image *img)
{
    FUZZ_CHECK(img->nseg >= 1 && img->nseg <= eh->e_phnum && img->nseg <= ELF_MAX_PHDRS,
               iter, "nseg %u with phnum %u", img->nseg, eh->e_phnum);
    FUZZ_CHECK(img->entry == eh->e_entry, iter, "entry %#lx != e_entry %#lx",
               (unsigned long)img->entry, (unsigned long)eh->e_entry);
    for (unsigned i = 0; i < eh->e_phnum; i++)
        FUZZ_CHECK(ph[i].p_type != PT_INTERP && ph[i].p_type != PT_DYNAMIC, iter,
                   "accepted with a PT_INTERP/PT_DYNAMIC header");
    int entry_ok = 0;
    for (unsigned i = 0; i < img->nseg && i < ELF_MAX_PHDRS; i++) {
        const struct elf_segment *s = &img->seg[i];
        FUZZ_CHECK(s->memsz > 0, iter, "segment %u: memsz 0", i);
        FUZZ_CHECK(s->filesz <= s->memsz, iter, "segment %u: filesz > memsz", i);
        FUZZ_CHECK(s->offset <= size && s->filesz <= size - s->offset, iter,
                   "segment %u: file bytes [%#lx, +%#lx) outside a file of %#lx", i,
                   (unsigned long)s->offset, (unsigned long)s->filesz, (unsigned long)size);
        FUZZ_CHECK(s->vaddr >= lo && s->vaddr < hi && s->memsz <= hi - s->vaddr, iter,
                   "segment %u: [%#lx, +%#lx) outside the window", i,
                   (unsigned long)s->vaddr, (unsigned long)s->memsz);
        /* Page-rounded, as exec maps it: still inside the window. */
        uint64_t end = s->vaddr + s->memsz;
        FUZZ_CHECK(end <= UINT64_MAX - (PG - 1) && ALIGN_UP(end, PG) <= hi, iter,
                   "segment %u: page-rounded end %#lx beyond hi", i, (unsigned long)end);
        FUZZ_CHECK(((s->vaddr ^ s->offset) & (PG - 1)) == 0, iter,
                   "segment %u: offset and address not congruent", i);
        FUZZ_CHECK(!((s->flags & PF_W) && (s->flags & PF_X)), iter, "segment %u: W+X", i);
        if ((s->flags & PF_X) && eh->e_entry >= s->vaddr && eh->e_entry - s->vaddr < s->memsz)
            entry_ok = 1;
        /* It is one of the PT_LOAD headers, unchanged. */
        int found = 0;
        for (unsigned j = 0; j < eh->e_phnum; j++)
            if (ph[j].p_type == PT_LOAD && ph[j].p_vaddr == s->vaddr &&
                ph[j].p_memsz == s->memsz && ph[j].p_offset == s->offset &&
                ph[j].p_filesz == s->filesz && ph[j].p_flags == s->flags)
                found = 1;
        FUZZ_CHECK(found, iter, "segment %u matches no PT_LOAD header", i);
        for (unsigned j = 0; j < i; j++) {
            const struct elf_segment *q = &img->seg[j];
            uint64_t s0 = ALIGN_DOWN(s->vaddr, PG), s1 = ALIGN_UP(end, PG);
            uint64_t q0 = ALIGN_DOWN(q->vaddr, PG), q1 = ALIGN_UP(q->vaddr + q->memsz, PG);
            FUZZ_CHECK(s1 <= q0 || q1 <= s0, iter, "segments %u and %u share a page", j, i);
        }
    }
    FUZZ_CHECK(entry_ok, iter, "entry %#lx in no executable segment",
               (unsigned long)eh->e_entry);
}

/* Run the checks on a raw header + program headers (as exec: the header
 * copied out, the program headers copied out of the "file" only once the
 * header says where they are). Returns 1 if accepted. */
static int fuzz_one(int iter, const unsigned char *file, uint64_t size, uint64_t lo, uint64_t hi)
{
    const char *why = NULL;
    Elf64_Ehdr *eh = malloc(sizeof(*eh));
    memcpy(eh, file, sizeof(*eh));      /* the file buffer is >= 64 bytes */
    int rc = elf_header_check(eh, size, &why);
    FUZZ_CHECK(rc == 0 || (rc == -ENOEXEC && why && why[0]), iter,
               "header check: rc %d why %s", rc, why ? why : "(NULL)");
    if (rc) {
        free(eh);
        return 0;
    }
    FUZZ_CHECK(eh->e_phnum >= 1 && eh->e_phnum <= ELF_MAX_PHDRS &&
               eh->e_phentsize == PHSZ && eh->e_phoff <= size &&
               eh->e_phnum * PHSZ <= size - eh->e_phoff, iter,
               "header accepted with phoff %#lx phnum %u phentsize %u, size %#lx",
               (unsigned long)eh->e_phoff, eh->e_phnum, eh->e_phentsize,
               (unsigned long)size);
    if (!(eh->e_phnum >= 1 && eh->e_phnum <= ELF_MAX_PHDRS && eh->e_phoff <= size &&
          eh->e_phnum * PHSZ <= size - eh->e_phoff)) {
        free(eh);               /* reading them would overrun the file */
        return 0;
    }
    size_t n = eh->e_phnum;
    Elf64_Phdr *ph = malloc(n * PHSZ);
    memcpy(ph, file + eh->e_phoff, n * PHSZ);
    struct elf_image img;
    why = NULL;
    rc = elf_segments_check(eh, ph, size, lo, hi, &img, &why);
    FUZZ_CHECK(rc == 0 || (rc == -ENOEXEC && why && why[0]), iter,
               "segments check: rc %d why %s", rc, why ? why : "(NULL)");
    if (rc == 0)
        check_accepted(iter, eh, ph, size, lo, hi, &img);
    free(ph);
    free(eh);
    return rc == 0;
}

#define FUZZ_FILE   0x5000      /* the fuzzed "file" buffer: >= any size used */

static void fuzz(const unsigned char *seed, size_t seedlen, uint64_t seedsize, int iters,
                 const char *what)
{
    size_t rawlen = sizeof(Elf64_Ehdr) + 4 * PHSZ;
    unsigned char *file = malloc(FUZZ_FILE);
    int accepted = 0, hdr_ok = 0;
    int bad_before = fuzz_bad;

    for (int iter = 0; iter < iters && fuzz_bad == bad_before; iter++) {
        memset(file, 0, FUZZ_FILE);
        memcpy(file, seed, seedlen < rawlen ? seedlen : rawlen);
        uint64_t size = seedsize;
        mutate(file, rawlen, &size);
        uint64_t lo = LO, hi = HI;
        if (below(8) == 0) {            /* sometimes another window */
            lo = interesting64(size) & ~(PG - 1);
            hi = below(2) ? UINT64_MAX : lo + below(0x100000);
        }
        /* The program headers must be read from within the buffer: the
         * header check guarantees phoff + len <= size <= FUZZ_FILE. */
        accepted += fuzz_one(iter, file, size, lo, hi);
        Elf64_Ehdr eh;
        memcpy(&eh, file, sizeof(eh));
        const char *why;
        hdr_ok += elf_header_check(&eh, size, &why) == 0;
    }
    printf("fuzz %s: %d iterations, %d headers and %d images accepted\n", what, iters,
           hdr_ok, accepted);
    check_result_(fuzz_bad == bad_before, __FILE__, __LINE__,
                  "fuzz %s: %d invariant violations (first ones above)", what,
                  fuzz_bad - bad_before);
    /* The fuzz must reach both verdicts to mean anything. */
    check_result_(accepted > iters / 100 && accepted < iters, __FILE__, __LINE__,
                  "fuzz %s: %d of %d accepted: mutations too weak or too strong", what,
                  accepted, iters);
    free(file);
}

TEST(fuzz_synthetic)
{
    struct exe x = valid();
    unsigned char raw[sizeof(Elf64_Ehdr) + 4 * PHSZ];
    memset(raw, 0, sizeof(raw));
    memcpy(raw, &x.eh, sizeof(x.eh));
    memcpy(raw + sizeof(x.eh), x.ph, 4 * PHSZ);
    fuzz(raw, sizeof(raw), x.size, 100000, "synthetic");
}

/* ---- the real programs -------------------------------------------------------- */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *buf = malloc(n > 0 ? (size_t)n : 1);     /* exact size: ASan */
    if (n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Check one real file as exec does; returns the verdict (img valid if 0). */
static int check_real(const unsigned char *buf, size_t len, uint64_t size,
                      struct elf_image *img, const char **why)
{
    Elf64_Ehdr eh;
    *why = NULL;
    memset(&eh, 0, sizeof(eh));
    if (len < sizeof(eh))
        return elf_header_check(&eh, len, why);
    memcpy(&eh, buf, sizeof(eh));
    int rc = elf_header_check(&eh, size, why);
    if (rc)
        return rc;
    size_t n = eh.e_phnum;
    Elf64_Phdr *ph = malloc(n * PHSZ);
    memcpy(ph, buf + eh.e_phoff, n * PHSZ);
    rc = elf_segments_check(&eh, ph, size, LO, HI, img, why);
    free(ph);
    return rc;
}

TEST(real_programs)
{
    DIR *d = opendir(USER_BIN);
    if (!d) {
        printf("note: %s not found (run make): real programs not checked\n", USER_BIN);
        return;
    }
    int files = 0;
    unsigned char *seed = NULL;
    size_t seedlen = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        char path[512];
        struct stat st;
        snprintf(path, sizeof(path), "%s/%s", USER_BIN, de->d_name);
        size_t nl = strlen(de->d_name);
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
            (nl > 4 && strcmp(de->d_name + nl - 4, ".tmp") == 0))
            continue;
        size_t len;
        unsigned char *buf = read_file(path, &len);
        if (!CHECK(buf != NULL))
            continue;
        files++;
        struct elf_image img;
        const char *why;
        int rc = check_real(buf, len, len, &img, &why);
        check_result_(rc == 0, __FILE__, __LINE__, "%s: refused: %s", path,
                      why ? why : "(no reason)");
        if (rc == 0) {
            check_result_(img.nseg >= 1 && img.nseg <= 4, __FILE__, __LINE__,
                          "%s: %u loadable segments (expected text, and rodata, data if any)",
                          path, img.nseg);
            /* Truncating the file anywhere inside the last file-backed byte
             * range must be refused. */
            uint64_t last = 0;
            for (unsigned i = 0; i < img.nseg; i++)
                if (img.seg[i].filesz && img.seg[i].offset + img.seg[i].filesz > last)
                    last = img.seg[i].offset + img.seg[i].filesz;
            struct elf_image img2;
            const char *why2;
            rc = check_real(buf, len, last - 1, &img2, &why2);
            check_result_(rc == -ENOEXEC && why2, __FILE__, __LINE__,
                          "%s truncated to %#lx bytes: rc %d (want -ENOEXEC)", path,
                          (unsigned long)(last - 1), rc);
            rc = check_real(buf, len, last, &img2, &why2);
            check_result_(rc == 0, __FILE__, __LINE__,
                          "%s truncated right after its last segment (%#lx bytes): %s",
                          path, (unsigned long)last, why2 ? why2 : "?");
        }
        if (!seed && strcmp(de->d_name, "hello") == 0 && len >= 0x200) {
            seed = buf;
            seedlen = len;
        } else {
            free(buf);
        }
    }
    closedir(d);
    CHECK(files > 0);
    printf("real programs: %d files in %s checked\n", files, USER_BIN);

    /* A shorter fuzz seeded with a real header (phdrs at offset 64). */
    if (seed) {
        uint64_t size = seedlen < FUZZ_FILE ? seedlen : FUZZ_FILE;
        fuzz(seed, seedlen, size, 20000, "/bin/hello header");
        free(seed);
    }
}

int main(void)
{
    return check_run_all();
}
