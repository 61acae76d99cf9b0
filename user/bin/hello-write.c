/* hello-write: "Hello, world!" with one write(1, ...) (the 6.828 shell lecture). */
#include <ulib.h>

int main(int argc, char *argv[])
{
    const char hello[] = "Hello, world!\n";
    write(1, hello, sizeof(hello) - 1);
    return 0;
}
