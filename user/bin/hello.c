/* hello: the smallest program. */
#include <ulib.h>

int main(int argc, char **argv)
{
    printf("Hello, world!\n");
    printf("hello: my pid is %d\n", getpid());
    return 0;
}
