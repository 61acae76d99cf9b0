/*
 * envtest: hostile and edge cases of the environment and IPC calls, run as
 * an ordinary Strata program (it gets error codes; JOS programs would die
 * of bad pointers instead). Prints "  PASS: ..." / "  FAIL: ..." lines and
 * "envtest: N passed, N failed" last.
 *
 *   envtest            every case
 *   envtest full       also fill the environment table (slow under TCG)
 *
 * It runs copies of itself in helper roles (argv[1] names the role):
 *   idle               yield forever (never receives)
 *   recv N             yield N times, receive one value, exit with it
 *   send ID VALUE      blocking send to ID; exit 0 if it failed with
 *                      -E_BAD_ENV, 1 if it was delivered, 2 otherwise
 *   writeenvs          write to the read-only envs[] (must be killed)
 *   xsend              receive a partner's id, wait a little, then a blocking
 *                      send to it (two of them deadlock)
 */
#include <ulib.h>
#include <uapi/env.h>
#include <uapi/pte.h>

static int passed, failed;

static void check(bool ok, const char *what, long got)
{
    if (ok) {
        passed++;
        printf("  PASS: %s\n", what);
    } else {
        failed++;
        printf("  FAIL: %s (got %ld)\n", what, got);
    }
}

static void check_err(long got, long want, const char *what)
{
    char buf[160];
    snprintf(buf, sizeof(buf), "%s -> %s", what, want ? errstr((int)want) : "0");
    check(got == want, buf, got);
}

static long sys(long n, long a, long b, long c, long d)
{
    return syscall(n, a, b, c, d);
}

static int spawn_role(char *const *argv)
{
    int pid = spawn("/bin/envtest", argv);
    if (pid < 0)
        printf("envtest: spawn %s: %s\n", argv[1], errstr(pid));
    return pid;
}

static int exit_code(int pid)
{
    int st;
    if (wait(pid, &st) != pid)
        return -1000;
    return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static void yield_n(int n)
{
    for (int i = 0; i < n; i++)
        yield();
}

/* ---- roles ---- */

static int role(int argc, char **argv)
{
    if (strcmp(argv[1], "idle") == 0) {
        for (;;)
            yield();
    }
    if (strcmp(argv[1], "recv") == 0 && argc == 3) {
        yield_n(atoi(argv[2]));
        if (sys(SYS_IPC_RECV, 0, 0, 0, 0) < 0)
            return 100;
        const volatile struct Env *e = &((const volatile struct Env *)USER_ENVS)[ENVX(getpid())];
        return (int)e->env_ipc_value;
    }
    if (strcmp(argv[1], "send") == 0 && argc == 4) {
        long r = sys(SYS_IPC_SEND, atoi(argv[2]), atoi(argv[3]), 0, 0);
        return r == -E_BAD_ENV ? 0 : r == 0 ? 1 : 2;
    }
    if (strcmp(argv[1], "writeenvs") == 0) {
        ((volatile struct Env *)USER_ENVS)[ENVX(getpid())].env_runs = 0;
        return 0;           /* not reached: the view is read-only */
    }
    if (strcmp(argv[1], "xsend") == 0) {
        sys(SYS_IPC_RECV, 0, 0, 0, 0);
        const volatile struct Env *e = &((const volatile struct Env *)USER_ENVS)[ENVX(getpid())];
        yield_n(30);        /* the partner gets our id meanwhile and stops receiving */
        sys(SYS_IPC_SEND, (long)e->env_ipc_value, 1, 0, 0);
        return 3;
    }
    printf("envtest: unknown role %s\n", argv[1]);
    return 99;
}

/* ---- cases ---- */

static void test_ids(void)
{
    int self = getpid();
    const volatile struct Env *envs = (const volatile struct Env *)USER_ENVS;
    check(envs[ENVX(self)].env_id == self && envs[ENVX(self)].env_status == ENV_RUNNABLE,
          "my slot of envs[] shows my id, runnable", envs[ENVX(self)].env_status);
    check(envs[ENVX(self)].env_runs > 0, "env_runs counts my runs", envs[ENVX(self)].env_runs);
    char *wa[] = { "envtest", "writeenvs", NULL };
    check(exit_code(spawn_role(wa)) == -SIGSEGV, "a write to envs[] faults (SIGSEGV)", 0);

    /* A finished child's id is stale: refused, never aimed at a new occupant. */
    char *ra[] = { "envtest", "recv", "0", NULL };
    int child = spawn_role(ra);
    sys(SYS_IPC_SEND, child, 5, 0, 0);
    check(exit_code(child) == 5, "a child receives a value sent with sys_ipc_send", 0);
    check(envs[ENVX(child)].env_status == ENV_FREE, "its slot reads ENV_FREE once it is gone",
          envs[ENVX(child)].env_status);
    check_err(sys(SYS_ENV_DESTROY, child, 0, 0, 0), -E_BAD_ENV, "env_destroy(stale id)");
    check_err(sys(SYS_IPC_CAN_SEND, child, 1, 0, 0), -E_BAD_ENV, "ipc_can_send(stale id)");
    check_err(sys(SYS_IPC_SEND, child, 1, 0, 0), -E_BAD_ENV, "ipc_send(stale id)");
    int reused = child + (1 << ENVGENSHIFT);
    check_err(sys(SYS_ENV_DESTROY, reused, 0, 0, 0), -E_BAD_ENV, "env_destroy(made-up generation)");

    /* Bad ids. */
    long bad[] = { -1, -(1L << 40), 1, NENV - 1, 0x7fffffff, (1L << 32) | (unsigned)self,
                   (long)0x8000000000000000ul };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        char what[64];
        snprintf(what, sizeof(what), "env_destroy(%#lx)", bad[i]);
        check_err(sys(SYS_ENV_DESTROY, bad[i], 0, 0, 0), -E_BAD_ENV, what);
        snprintf(what, sizeof(what), "ipc_can_send(%#lx)", bad[i]);
        check_err(sys(SYS_IPC_CAN_SEND, bad[i], 1, 0, 0), -E_BAD_ENV, what);
    }

    /* Foreign: my parent (the shell) is alive but not my child. */
    int parent = envs[ENVX(self)].env_parent_id;
    check(parent != 0, "my parent's id is in my slot", parent);
    check_err(sys(SYS_ENV_DESTROY, parent, 0, 0, 0), -E_BAD_ENV, "env_destroy(my parent: not mine)");
    /* It is alive and not receiving. */
    check_err(sys(SYS_IPC_CAN_SEND, parent, 1, 0, 0), -E_IPC_NOT_RECV,
              "ipc_can_send(a live environment that is not receiving)");
    /* Myself. */
    check_err(sys(SYS_IPC_CAN_SEND, 0, 1, 0, 0), -E_IPC_NOT_RECV, "ipc_can_send(0 = myself)");
    check_err(sys(SYS_IPC_CAN_SEND, self, 1, 0, 0), -E_IPC_NOT_RECV, "ipc_can_send(my id)");
    check_err(sys(SYS_IPC_SEND, self, 1, 0, 0), -E_INVAL, "ipc_send to myself (would wait forever)");
}

static void test_addresses(void)
{
    uint64_t bad[] = { 1, USER_START + 1, 0x1000, 0x100000, 0x0000800000000000ull,
                       0xffff7ffffffff000ull, USER_END, 0xfffffffffffff000ull };
    for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
        char what[64];
        snprintf(what, sizeof(what), "ipc_recv(dstva %#lx)", bad[i]);
        check_err(sys(SYS_IPC_RECV, (long)bad[i], 0, 0, 0), -E_INVAL, what);
        snprintf(what, sizeof(what), "ipc_can_send(srcva %#lx)", bad[i]);
        check_err(sys(SYS_IPC_CAN_SEND, getpid(), 0, (long)bad[i], PTE_P | PTE_U), -E_INVAL, what);
    }
}

/* Senders queued on a receiver that dies get -E_BAD_ENV; a sender killed
 * while queued leaves the queue cleanly. */
static void test_queues(void)
{
    char *idle[] = { "envtest", "idle", NULL };
    int r = spawn_role(idle);
    char id[16];
    snprintf(id, sizeof(id), "%d", r);
    char *sa[] = { "envtest", "send", id, "1", NULL };
    int s1 = spawn_role(sa), s2 = spawn_role(sa), s3 = spawn_role(sa);
    yield_n(20);                        /* let them queue */
    check_err(kill(s2), 0, "destroy a sender while it is queued");
    check(exit_code(s2) == -SIGKILL, "the queued sender was killed", 0);
    check_err(kill(r), 0, "destroy the receiver with two senders queued");
    check(exit_code(r) == -SIGKILL, "the receiver was killed", 0);
    check(exit_code(s1) == 0 && exit_code(s3) == 0,
          "both remaining senders were woken with -E_BAD_ENV", 0);

    /* Many senders to one receiver that takes one message: one succeeds,
     * the rest are failed when it exits. */
    char *ra[] = { "envtest", "recv", "30", NULL };
    r = spawn_role(ra);
    snprintf(id, sizeof(id), "%d", r);
    int s[6], delivered = 0, bad_env = 0;
    for (int i = 0; i < 6; i++)
        s[i] = spawn_role(sa);
    int rc = exit_code(r);
    for (int i = 0; i < 6; i++) {
        int c = exit_code(s[i]);
        delivered += c == 1;
        bad_env += c == 0;
    }
    check(rc == 1 && delivered == 1 && bad_env == 5,
          "six senders, a receiver that takes one: one delivered, five -E_BAD_ENV", delivered);

    /* Two environments sending to each other block forever (JOS semantics);
     * the rest of the system runs on and they can be destroyed. */
    char *xa[] = { "envtest", "xsend", NULL };
    int a = spawn_role(xa), b = spawn_role(xa);
    yield_n(5);
    sys(SYS_IPC_SEND, a, b, 0, 0);
    sys(SYS_IPC_SEND, b, a, 0, 0);
    yield_n(50);
    int st;
    check(waitpid(a, &st, WNOHANG) == 0 && waitpid(b, &st, WNOHANG) == 0,
          "two environments sending to each other are both still blocked", 0);
    check(kill(a) == 0 && exit_code(a) == -SIGKILL,
          "one of the deadlocked pair can be destroyed", 0);
    check(exit_code(b) == 3, "its partner's send then fails and it goes on (to exit)", 0);
}

/* Fill the table: spawn idle children until -E_NO_FREE_ENV, then destroy them all. */
static void test_full(void)
{
    static int kids[NENV];
    int n = 0, r;
    char *idle[] = { "envtest", "idle", NULL };
    while ((r = spawn("/bin/envtest", idle)) > 0 && n < NENV)
        kids[n++] = r;
    char what[96];
    snprintf(what, sizeof(what), "spawn fails with -E_NO_FREE_ENV after %d environments", n);
    check(r == -E_NO_FREE_ENV && n > 900, what, r);
    int killed = 0;
    for (int i = 0; i < n; i++)
        killed += kill(kids[i]) == 0 && exit_code(kids[i]) == -SIGKILL;
    check(killed == n, "every one of them destroyed and reaped", killed);
    char *ra[] = { "envtest", "recv", "0", NULL };
    int c = spawn_role(ra);
    sys(SYS_IPC_SEND, c, 9, 0, 0);
    check(exit_code(c) == 9, "the table works again afterwards", 0);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "full") != 0)
        return role(argc, argv);
    test_ids();
    test_addresses();
    test_queues();
    if (argc > 1)
        test_full();
    printf("envtest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
