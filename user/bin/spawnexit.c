/*
 * spawnexit [N]: N rounds of a process P that spawns a child C and exits
 * at once, reaped by this program while C has not run yet.
 *
 * The order is arranged, not hoped for: P first spawns a child D and
 * yields; D exits, which wakes this program (blocked in wait(P)) and puts
 * it on the run queue ahead of what P does next. P then spawns C and
 * exits, so this program reaps P before C's thread has run a single
 * instruction. A kernel that starts C's thread in P's address space and
 * moves it later finds P's address space busy at that point.
 *
 * C and D are orphans once P exits: the kernel's reaper frees them.
 * Prints "spawnexit: ok (N rounds)".
 */
#include <ulib.h>

static int spawn_self(const char *role)
{
    char *argv[] = { "spawnexit", (char *)role, NULL };
    return spawn("/bin/spawnexit", argv);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "-c") == 0)
        return 0;                       /* C and D: exit at once */
    if (argc > 1 && strcmp(argv[1], "-p") == 0) {
        if (spawn_self("-c") < 0)       /* D */
            return 3;
        yield();                        /* D runs and exits */
        return spawn_self("-c") < 0 ? 3 : 0;   /* C, then exit at once */
    }
    long rounds = 20;
    if (argc > 1 && (parse_long(argv[1], &rounds) < 0 || rounds < 1)) {
        printf("usage: spawnexit [ROUNDS]\n");
        return 2;
    }
    for (long i = 0; i < rounds; i++) {
        int pid = spawn_self("-p"), status;
        if (pid < 0) {
            printf("spawnexit: spawn failed: %s\n", errstr(pid));
            return 1;
        }
        int r = wait(pid, &status);
        if (r != pid || status != 0) {
            printf("spawnexit: round %ld: wait %d, status %#x\n", i, r, status);
            return 1;
        }
    }
    printf("spawnexit: ok (%ld rounds)\n", rounds);
    return 0;
}
