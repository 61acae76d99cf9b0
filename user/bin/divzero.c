/* divzero: integer division by zero with no handler: killed by SIGFPE (8). */
#include <ulib.h>

int main(int argc, char **argv)
{
    volatile int zero = 0;
    printf("divzero: dividing by zero\n");
    int q = 1 / zero;
    printf("divzero: survived?! (result %d)\n", q);
    return 1;
}
