/* run-fork: fork, exec `sh -c ls` in the child, wait (the 6.828 shell lecture). */
#include <ulib.h>

int main(int argc, char *argv[])
{
    int status;
    int pid = fork();
    if (pid == 0) {
        char *args[] = { "sh", "-c", "ls", 0 };
        execv("/bin/sh", args);
        dprintf(2, "run-fork: exec /bin/sh failed\n");
        exit(127);
    }
    if (pid < 0) {
        dprintf(2, "run-fork: fork: %s\n", errstr(pid));
        return 1;
    }
    wait(pid, &status);
    return 0;
}
