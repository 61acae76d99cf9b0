/*
 * The program Linux's spawn_wait starts (user/bench/linux.c): exits with
 * status 0 at once, with no C library to start, like Strata's
 * /bin/exitcode does with its small one. Built with -nostdlib -static.
 */
void _start(void)
{
    __asm__ volatile("mov $60, %eax\n\t"       /* exit */
                     "xor %edi, %edi\n\t"
                     "syscall");
    for (;;)
        ;
}
