/*
 * mapreserved: map() over the reserved pages below the stack (the
 * information page, the page below the exception stack, the exception
 * stack, the stack's guard page; uapi/layout.h) must be refused with
 * -EPERM, alone or as part of a larger range; the page just below them
 * may be mapped. Prints one line per attempt and "mapreserved: ok".
 */
#include <ulib.h>

static int bad;

static void try_map(const char *what, uint64_t va, size_t len, long want)
{
    void *p = map((void *)va, len, PROT_READ | PROT_WRITE);
    long got = IS_ERR(p) ? PTR_ERR(p) : 0;
    printf("mapreserved: map(%s, %#lx, %zu) = %s\n", what, (unsigned long)va, len,
           IS_ERR(p) ? errstr((int)got) : "mapped");
    if (!IS_ERR(p)) {
        if (want) {
            printf("mapreserved: %s: ACCEPTED, expected %s\n", what, errstr((int)want));
            bad++;
        }
        unmap(p, len);
    } else if (got != want) {
        printf("mapreserved: %s: got %ld, expected %ld\n", what, got, want);
        bad++;
    }
}

int main(int argc, char **argv)
{
    try_map("info page", USER_INFO_PAGE, 4096, -EPERM);
    try_map("below the exception stack", USER_INFO_PAGE + 4096, 4096, -EPERM);
    try_map("exception stack", USER_XSTACK, 4096, -EPERM);
    try_map("stack guard", USER_STACK_GUARD, 4096, -EPERM);
    try_map("all reserved pages", USER_INFO_PAGE, USER_STACK_BOTTOM - USER_INFO_PAGE, -EPERM);
    try_map("a range ending in the info page", USER_INFO_PAGE - 0x10000, 0x11000, -EPERM);
    try_map("the stack", USER_STACK_BOTTOM, 4096, -EEXIST);
    try_map("the page below the info page", USER_INFO_PAGE - 4096, 4096, 0);
    if (bad) {
        printf("mapreserved: FAILED (%d)\n", bad);
        return 1;
    }
    printf("mapreserved: ok\n");
    return 0;
}
