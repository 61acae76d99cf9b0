/*
 * stackoverflow: unbounded recursion runs into the guard page below the
 * stack: killed by SIGSEGV (11). With a handler ("stackoverflow handler")
 * the kernel cannot push a signal frame on the full stack either, so the
 * result must be the same (or, if the kernel delivers on another stack,
 * "stackoverflow: handler ran" and exit 0).
 */
#include <ulib.h>

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    printf("stackoverflow: handler ran (signal %d at %#lx)\n", sig,
           (unsigned long)fault_addr);
    exit(0);
}

static __attribute__((noinline)) long recurse(long depth)
{
    volatile char pad[512];
    pad[0] = (char)depth;
    pad[511] = (char)depth;
    if (depth < 0)              /* never: keeps GCC from calling it infinite */
        return 0;
    return recurse(depth + 1) + pad[0] + pad[511];
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "handler") == 0) {
        int r = signal(handler);
        if (r < 0) {
            printf("stackoverflow: signal failed: %s\n", errstr(r));
            return 1;
        }
    }
    printf("stackoverflow: recursing\n");
    long r = recurse(0);
    printf("stackoverflow: survived?! (%ld)\n", r);
    return 1;
}
