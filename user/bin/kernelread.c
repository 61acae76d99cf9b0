/*
 * kernelread: read kernel memory (the kernel image at 1 MiB, and with an
 * argument any address): killed by SIGSEGV (11).
 */
#include <ulib.h>

int main(int argc, char **argv)
{
    unsigned long long addr = 0x100000;
    if (argc > 1 && str_to_u64(argv[1], &addr) < 0) {
        printf("usage: kernelread [ADDRESS]\n");
        return 2;
    }
    printf("kernelread: reading kernel memory at %#llx\n", addr);
    long v = *(volatile long *)(uintptr_t)addr;
    printf("kernelread: LEAKED %#lx\n", (unsigned long)v);
    return 1;
}
