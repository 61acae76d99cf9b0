/*
 * brkpt: int3 with a handler. int3 is a trap: the saved rip is already past
 * the instruction, so the handler just returns and the program resumes.
 * Expected: "brkpt: caught SIGTRAP" then "brkpt: resumed".
 */
#include <ulib.h>

static volatile int hits;

static void handler(int sig, uint64_t fault_addr, struct sigcontext *ctx)
{
    if (sig != SIGTRAP) {
        printf("brkpt: unexpected signal %d (rip %#lx)\n", sig, ctx->rip);
        exit(1);
    }
    hits++;
    printf("brkpt: caught SIGTRAP\n");
}

int main(int argc, char **argv)
{
    int r = signal(handler);
    if (r < 0) {
        printf("brkpt: signal failed: %s\n", errstr(r));
        return 1;
    }
    printf("brkpt: executing int3\n");
    __asm__ volatile("int3" ::: "memory");
    if (hits != 1) {
        printf("brkpt: handler ran %d times\n", hits);
        return 1;
    }
    printf("brkpt: resumed\n");
    return 0;
}
