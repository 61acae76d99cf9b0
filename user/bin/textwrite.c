/* textwrite: write to its own (read-only, executable) code: killed by SIGSEGV. */
#include <ulib.h>

int main(int argc, char **argv)
{
    volatile unsigned char *code = (volatile unsigned char *)(uintptr_t)main;
    printf("textwrite: writing to own text at %p\n", (void *)code);
    code[0] = 0xc3;
    printf("textwrite: survived?!\n");
    return 1;
}
