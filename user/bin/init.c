/*
 * /init: the first user process. Greets, runs the shell (/sh) and exits
 * with the shell's status (128 + signal if the shell was killed).
 */
#include <ulib.h>

int main(int argc, char **argv)
{
    printf("Hello from userspace!\n");
    printf("[init] starting shell (/sh). Run the 'help' program for help\n");

    char *sh_argv[] = { "sh", NULL };
    int pid = spawn("/sh", sh_argv);
    if (pid < 0) {
        printf("[init] cannot start /sh: %s\n", errstr(pid));
        return 1;
    }
    int status;
    int r = wait(pid, &status);
    if (r < 0) {
        printf("[init] wait for /sh failed: %s\n", errstr(r));
        return 1;
    }
    if (WIFSIGNALED(status)) {
        printf("[init] shell killed by signal %d\n", WTERMSIG(status));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}
