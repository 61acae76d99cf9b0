/* illegal: ud2 (invalid opcode) with no handler: killed by SIGILL (4). */
#include <ulib.h>

int main(int argc, char **argv)
{
    printf("illegal: executing ud2\n");
    __asm__ volatile("ud2");
    printf("illegal: survived?!\n");
    return 1;
}
