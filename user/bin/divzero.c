/* divzero: integer division by zero with no handler: killed by SIGFPE (8). */
#include <ulib.h>

int main(int argc, char **argv)
{
    volatile unsigned zero = 0;
    unsigned q = 42;
    printf("divzero: dividing by zero\n");
    /* In assembly: GCC turns a C division by a variable into tricks. */
    __asm__ volatile("xor %%edx, %%edx\n\tdivl %1" : "+a"(q) : "r"(zero) : "rdx");
    printf("divzero: survived?! (result %u)\n", q);
    return 1;
}
