/*
 * loadcheck: checks what the ELF loader set up. Initialised data holds
 * its values (the data segment's file part), the bss that follows it in
 * the same page and the pages after are zero (the loader must clear the
 * tail of the last file-backed page: the file continues with other bytes
 * there), data is writable, rodata readable, and the stack is 16-byte
 * aligned in main as the ABI requires. Prints "loadcheck: ok".
 */
#include <ulib.h>

static volatile uint64_t data_words[5] = {
    0x1122334455667788ull, 0x99aabbccddeeff00ull, 1, 2, 3,
};
static volatile unsigned char bss_bytes[3 * 4096 + 123];
static const char ro_text[] = "rodata is readable";

int main(int argc, char **argv)
{
    int bad = 0;

    if (data_words[0] != 0x1122334455667788ull || data_words[1] != 0x99aabbccddeeff00ull ||
        data_words[2] != 1 || data_words[3] != 2 || data_words[4] != 3) {
        printf("loadcheck: initialised data is wrong\n");
        bad++;
    }
    for (size_t i = 0; i < sizeof(bss_bytes); i++) {
        if (bss_bytes[i] != 0) {
            printf("loadcheck: bss byte %zu (at %p) is %#x, not 0\n", i,
                   (void *)&bss_bytes[i], bss_bytes[i]);
            bad++;
            break;
        }
    }
    data_words[2] = 42;
    bss_bytes[sizeof(bss_bytes) - 1] = 1;
    if (data_words[2] != 42 || bss_bytes[sizeof(bss_bytes) - 1] != 1) {
        printf("loadcheck: data/bss not writable\n");
        bad++;
    }
    if (strcmp(ro_text, "rodata is readable") != 0) {
        printf("loadcheck: rodata is wrong\n");
        bad++;
    }
    if ((uintptr_t)__builtin_frame_address(0) % 16 != 0) {
        printf("loadcheck: stack misaligned in main (rbp %p)\n", __builtin_frame_address(0));
        bad++;
    }
    if (argv[argc] != NULL) {
        printf("loadcheck: argv[argc] is not NULL\n");
        bad++;
    }
    if (bad)
        return 1;
    printf("loadcheck: ok\n");
    return 0;
}
