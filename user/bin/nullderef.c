/*
 * nullderef: read address 0. Address 0 is in the low (kernel) half here,
 * supervisor-only: a protection fault, killed by SIGSEGV (11). With the
 * argument "user" it reads USER_START (the never-mapped bottom of the user
 * half, where "null + offset" lands) instead: a not-present fault.
 */
#include <ulib.h>

int main(int argc, char **argv)
{
    uintptr_t addr = 0;
    if (argc > 1 && strcmp(argv[1], "user") == 0)
        addr = USER_START;
    printf("nullderef: reading address %#lx\n", (unsigned long)addr);
    long v = *(volatile long *)addr;
    printf("nullderef: survived?! (read %#lx)\n", (unsigned long)v);
    return 1;
}
