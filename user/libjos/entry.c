/*
 * Start-up of a JOS program: the kernel enters _start with argc at [rsp]
 * and argv after it (as for every Strata program, user/lib/crt0.c);
 * libmain points `env` at this environment's slot of the read-only table,
 * records the program's name and runs umain, then exits (JOS's libmain).
 */
#include <jos.h>

/* In a page of its own (user/user.ld): sfork shares everything else. */
const volatile struct Env *env __attribute__((section(".data.private")));
const char *binaryname = "(unknown)";

void libmain(int argc, char **argv);

__asm__(
    ".pushsection .text.start, \"ax\", @progbits\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "    xor %ebp, %ebp\n"              /* end of the frame-pointer chain */
    "    mov (%rsp), %rdi\n"            /* argc */
    "    lea 8(%rsp), %rsi\n"           /* argv */
    "    and $-16, %rsp\n"
    "    call libmain\n"
    "    ud2\n"
    ".size _start, . - _start\n"
    ".popsection\n");

void libmain(int argc, char **argv)
{
    env = &envs[ENVX(sys_getenvid())];
    if (argc > 0 && argv[0])
        binaryname = argv[0];
    umain(argc, argv);
    exit();
}

void exit(void)
{
    for (;;)
        sys_env_destroy(0);
}
