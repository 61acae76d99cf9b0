/*
 * hack: a program trying to break out.
 *   1. map 64 KiB and check the kernel handed over zeroed memory
 *   2. register a fault handler
 *   3. write to kernel memory (0x100000, the kernel image in the low half)
 * The handler prints "Hit signal handler due to permission denial" and
 * exits 0. "Wow, that actually worked!" must never appear.
 */
#include <ulib.h>

#define MAP_LEN     (64 * 1024)
#define KERNEL_ADDR 0x100000ul

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    printf("Hit signal handler due to permission denial\n");
    printf("hack: signal %d, fault address %#lx\n", sig, (unsigned long)fault_addr);
    exit(0);
}

int main(int argc, char **argv)
{
    unsigned char *p = map(NULL, MAP_LEN, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("hack: map failed: %s\n", errstr((int)PTR_ERR(p)));
        return 1;
    }
    for (size_t i = 0; i < MAP_LEN; i++) {
        if (p[i] != 0) {
            printf("hack: mapped memory is NOT zeroed (offset %zu = %#x)\n", i, p[i]);
            return 1;
        }
    }
    printf("hack: mapped memory is zeroed\n");

    int r = signal(handler);
    if (r < 0) {
        printf("hack: signal failed: %s\n", errstr(r));
        return 1;
    }
    printf("hack: writing to kernel memory at %#lx\n", KERNEL_ADDR);
    *(volatile long *)KERNEL_ADDR = 1;
    printf("Wow, that actually worked!\n");
    return 1;
}
