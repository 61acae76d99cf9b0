/*
 * Program entry.
 *
 * The kernel enters _start in user mode with
 *     [rsp]      = argc
 *     [rsp + 8]  = argv[0], argv[1], ..., argv[argc - 1]
 *     then       = NULL
 * (the strings themselves are higher up the stack). Other registers hold
 * nothing useful. _start calls main(argc, argv) on a 16-byte aligned stack
 * (the SysV rule at a call) and passes its return value to exit().
 */
#include <ulib.h>

int main(int argc, char **argv);

__asm__(
    ".pushsection .text.start, \"ax\", @progbits\n"
    ".globl _start\n"
    ".type _start, @function\n"
    "_start:\n"
    "    xor %ebp, %ebp\n"              /* end of the frame-pointer chain */
    "    mov (%rsp), %rdi\n"            /* argc */
    "    lea 8(%rsp), %rsi\n"           /* argv */
    "    and $-16, %rsp\n"
    "    call main\n"
    "    mov %eax, %edi\n"
    "    call exit\n"
    "    ud2\n"
    ".size _start, . - _start\n"
    ".popsection\n");
