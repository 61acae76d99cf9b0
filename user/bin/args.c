/* args: print argc and every argument, to check argument passing. */
#include <ulib.h>

int main(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    for (int i = 0; i < argc; i++)
        printf("argv[%d]=\"%s\"\n", i, argv[i]);
    printf("argv[argc]=%s\n", argv[argc] ? "NOT NULL" : "NULL");
    return 0;
}
