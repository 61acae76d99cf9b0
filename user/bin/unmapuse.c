/* unmapuse: map a page, use it, unmap it, touch it again: killed by SIGSEGV. */
#include <ulib.h>

int main(int argc, char **argv)
{
    volatile long *p = map(NULL, 4096, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("unmapuse: map failed: %s\n", errstr((int)PTR_ERR(p)));
        return 1;
    }
    p[0] = 42;
    int r = unmap((void *)p, 4096);
    if (r < 0) {
        printf("unmapuse: unmap failed: %s\n", errstr(r));
        return 1;
    }
    printf("unmapuse: touching %p after unmap\n", (void *)p);
    long v = p[0];
    printf("unmapuse: survived?! (read %ld)\n", v);
    return 1;
}
