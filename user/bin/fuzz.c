/*
 * fuzz: random and hostile system calls, in batches run by children.
 *
 *   fuzz [-s SEED] [-k SEEDS] [-n CALLS] [-b BATCH] [-j JOBS]
 *       The campaign: for each of SEEDS seeds from SEED (default 1 and 1),
 *       CALLS calls (default 10000) split into batches of BATCH (default
 *       1000). Each batch runs in a child (`fuzz -c SEED BATCH CALLS`), so a
 *       call that gets it killed (unmapping its own stack, a forged
 *       sigreturn...) ends only that batch; JOBS of them at once (default
 *       1, at most 8: then the kernel also sees them interleave, and a
 *       batch alone may not reproduce what they did together). Prints one
 *       line per seed and
 *           fuzz: done: seeds A..B, calls N, batches N, exits N, kills N,
 *                 accepted N, spawn failures N
 *       ("calls" counts the calls planned: a killed batch stops early).
 *       Exit status 1 if a call was accepted (below) or a batch could not
 *       be spawned, else 0.
 *   fuzz -c SEED BATCH CALLS [-v]
 *                               one batch, reproducible from its numbers;
 *                               -v: then print, per call, how often it
 *                               succeeded and failed
 *   fuzz -e DIR                 spawn every file in DIR (the malformed ELF
 *                               files in /bad), one line per outcome
 *   fuzz -x                     heap and frame exhaustion, each in a child
 *
 * A call is a system-call number (mostly valid, sometimes out of range)
 * and six arguments, each drawn for its parameter's type either from
 * hostile values (kernel, non-canonical, never-mapped, wrapping and huge
 * addresses and lengths, negative and huge integers, random bits) or from
 * plausible ones (the batch's own buffers, existing paths, open
 * descriptors), made through `syscall` or `int $0x80` at random.
 *
 * Left out, so that no batch can stall the campaign: exit (the batch ends
 * by itself), getc and read from descriptor 0 (they wait for console
 * input), and spawn of anything that could run for long (the only paths
 * offered are /bin/exitcode, the files of /bad, and paths that cannot
 * run); a spawned child is waited for at once, so wait never blocks.
 * Console output comes only from a buffer of '.' characters, at most 8 at
 * a time, so the serial log stays readable.
 *
 * Oracle: a call that has to use a pointer to a kernel, non-canonical or
 * never-mapped address (a buffer with a nonzero length, a path, a status,
 * a record) must fail. If it succeeds, the batch prints
 *     fuzz: ACCEPTED seed S batch B call K: sys N (a1, a2, a3) = R
 * and exits with status 3.
 */
#include <ulib.h>

#define DEFAULT_CALLS   10000
#define DEFAULT_BATCH   1000
#define EXIT_ACCEPTED   3
#define JOBS_MAX        8       /* batches running at once, at most */
#define MAX_FDS         16      /* the kernel's per-process table (PROC_MAX_FILES) */

/* The batch's own memory, each in a mapping with nothing after it, far
 * from where map(0, ...) puts things: writes past the end fault. */
#define SCRATCH_VA      0xffffc00001000000ull
#define SCRATCH_LEN     (64 * 1024)
#define EDGE_BUF_VA     0xffffc00002000000ull   /* one page each: */
#define EDGE_PATH_VA    0xffffc00003000000ull   /*   all '/', no NUL */
#define EDGE_ARGV_VA    0xffffc00004000000ull   /*   argv[0] in the last slot, no NULL */
#define PAGE            4096ull
#define NEVER_MAPPED    (USER_START + 0x1000)   /* below USER_LOAD_MIN: map() refuses it */

/* ---- random numbers (xorshift64*, seeded through splitmix64) ---- */

static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    rng_state = (z ^ (z >> 31)) | 1;
}

static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t below(uint64_t n) { return rnd() % n; }
static bool one_in(uint64_t n) { return below(n) == 0; }
#define PICK(a) ((a)[below(ARRAY_SIZE(a))])

/* ---- arguments ---- */

/* What an argument is, for the oracle. */
enum arg_class {
    ARG_PLAIN,          /* anything the call may accept */
    ARG_KERNEL,         /* outside the user half: every range check refuses it */
    ARG_UNMAPPED,       /* user half, never mapped: every access faults */
};

struct arg {
    uint64_t v;
    enum arg_class cls;
};

static const uint64_t kernel_ptrs[] = {
    0, 1, 0xfff, 0x1000, 0xb8000, 0x100000, 0x100000 + 0x1234, 0x200000,
    0xfee00000, 0x7ffffffff000, 0x00007fffffffffff,
    0x0000800000000000, 0x8000000000000000, 0xffff7ffffffff000,     /* non-canonical */
    USER_END, USER_END + 0x1000, 0xfffffffffffff000, 0xffffffffffffffff,
};

static const uint64_t odd_user_ptrs[] = {
    USER_LOAD_MIN,              /* our text: readable, not writable */
    USER_STACK_GUARD, USER_XSTACK, USER_INFO_PAGE,
    USER_END - 8, USER_END - 16, USER_STACK_BOTTOM,
    USER_MMAP_BASE, USER_MMAP_END - 0x1000,
    EDGE_BUF_VA + PAGE - 1, EDGE_BUF_VA + PAGE - 8,
};

static const uint64_t lengths[] = {
    0, 1, 7, 8, 255, 256, 4095, 4096, 4097, 65536, SYSCALL_IO_MAX, SYSCALL_IO_MAX + 1,
    1ull << 31, 1ull << 32, 1ull << 40, 1ull << 63, 0x7fffffffffffffff, ~0ull, -4096ull,
    USER_END - USER_START, USER_END - USER_START + 1,
};

static const int64_t ints[] = {
    0, 1, 2, 3, 4, 15, 16, 17, 255, 1000, -1, -2, -4096,
    0x7fffffff, -0x80000000ll, 1ll << 32, INT64_MAX, INT64_MIN,
};

static struct arg plain(uint64_t v) { return (struct arg){ v, ARG_PLAIN }; }

/* A hostile pointer of any kind. */
static struct arg hostile_ptr(void)
{
    switch (below(4)) {
    case 0:
        return (struct arg){ PICK(kernel_ptrs), ARG_KERNEL };
    case 1:
        return (struct arg){ NEVER_MAPPED + below(USER_LOAD_MIN - NEVER_MAPPED), ARG_UNMAPPED };
    case 2:
        return plain(PICK(odd_user_ptrs));
    default: {
        uint64_t v = one_in(2) ? rnd() : USER_START + (rnd() & (USER_END - USER_START - 1));
        bool user = v >= USER_START && v < USER_END;
        return (struct arg){ v, user ? ARG_PLAIN : ARG_KERNEL };
    }
    }
}

static uint64_t any_int(void)
{
    return one_in(4) ? rnd() : (uint64_t)PICK(ints);
}

static uint64_t any_len(void)
{
    switch (below(3)) {
    case 0:  return PICK(lengths);
    case 1:  return below(SCRATCH_LEN + 1);
    default: return one_in(2) ? rnd() : below(64);
    }
}

/* ---- the batch's state ---- */

static uint8_t *scratch;                /* SCRATCH_LEN bytes, kernel-writable */
static char dots[64];                   /* console output: '.' only */
static char garbage[320];               /* random path-like strings */
static char long_path[1100];            /* longer than FS_PATH_MAX */
static int fds[MAX_FDS];
static int nfds;
static uint64_t maps[16];               /* recent map() results, for unmap */
static uint64_t map_lens[16];
static int map_next;

#define BAD_MAX 48
static char bad_paths[BAD_MAX][FS_NAME_MAX + 8];   /* /bad/<name>, found at start */
static int nbad;

static const char *const paths[] = {
    "/", "/bin", "/etc", "/etc/motd", "/bin/hello", "/bin/exitcode", "/bad", "",
    "//bin//hello", "/bin/../bin/hello", "/nosuch", "/etc/motd/x", "bin/hello",
    "/bin/", ".", "..", "/init",
};

static const char *const spawn_paths[] = {
    "/bin/exitcode", "/bin/exitcode", "/etc/motd", "/bin", "/nosuch", "", "/bad",
    "//bin/exitcode", "/bin/exitcode/", "exitcode",
};

static char str_300[300];
static char *argv_exit[] = { "exitcode", "7", NULL };
static char *argv_empty[] = { NULL };
static char *argv_long[] = { "exitcode", str_300, NULL };
static char *argv_many[] = { "x", "x", "x", "x", "x", "x", "x", "x", "x",
                             "x", "x", "x", "x", "x", "x", "x", "x", NULL };
static char *argv_bad[] = { "exitcode", (char *)0x100000, NULL };
static char *argv_unterminated_src[] = { "exitcode" };

/* Map len bytes at va (a fixed address with nothing after it). */
static void *batch_map(uint64_t va, uint64_t len)
{
    void *p = map((void *)va, len, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("fuzz: cannot map the batch's buffers: %s\n", errstr(PTR_ERR(p)));
        exit(2);
    }
    return p;
}

static void batch_setup(void)
{
    scratch = batch_map(SCRATCH_VA, SCRATCH_LEN);
    batch_map(EDGE_BUF_VA, PAGE);
    /* A path and an argv array that run off the end of their page. */
    memset(batch_map(EDGE_PATH_VA, PAGE), '/', PAGE);
    char **argv_edge = batch_map(EDGE_ARGV_VA, PAGE);
    argv_edge[PAGE / 8 - 1] = argv_unterminated_src[0];
    memset(dots, '.', sizeof(dots));
    memset(str_300, 'a', sizeof(str_300) - 1);
    memset(long_path, 'p', sizeof(long_path) - 1);
    long_path[0] = '/';

    struct fs_dirent d;
    for (size_t i = 0; nbad < BAD_MAX && readdir("/bad", i, &d) == 0; i++)
        snprintf(bad_paths[nbad++], sizeof(bad_paths[0]), "/bad/%s", d.name);
}

static const char *garbage_string(void)
{
    size_t n = 1 + below(sizeof(garbage) - 1);
    for (size_t i = 0; i < n; i++)
        garbage[i] = (char)(one_in(8) ? '/' : 0x20 + below(0x5f));
    garbage[n] = '\0';
    return garbage;
}

/* ---- one argument per parameter type ---- */

enum param {
    P_NONE, P_INT, P_FD, P_READ_FD, P_BUF_OUT, P_BUF_IN, P_CONS_BUF, P_LEN,
    P_PATH, P_SPAWN_PATH, P_ARGV, P_PID, P_STATUS, P_HINT, P_MAP_LEN, P_PROT,
    P_UNMAP_ADDR, P_OFF, P_WHENCE, P_CODE, P_CTX,
};

static struct arg arg_for(enum param p)
{
    bool hostile = one_in(3);
    switch (p) {
    case P_NONE:
        return plain(rnd());
    case P_INT: case P_OFF: case P_WHENCE: case P_PROT:
        if (p == P_WHENCE && !hostile)
            return plain(below(4));
        if (p == P_PROT && !hostile)
            return plain(below(8));
        if (p == P_INT && !hostile)
            return plain(below(16));
        return plain(any_int());
    case P_FD: case P_READ_FD: {
        uint64_t fd = hostile ? any_int() : nfds && one_in(2) ? (uint64_t)fds[below(nfds)] : below(18);
        if (p == P_READ_FD && fd == 0)
            fd = 1;                     /* fd 0 would wait for console input */
        return plain(fd);
    }
    case P_BUF_OUT: case P_BUF_IN:
        if (hostile)
            return hostile_ptr();
        if (map_next && one_in(4))      /* untouched, read-only or unmapped since */
            return plain(maps[below(MIN(map_next, 16))] + below(2 * PAGE));
        return plain(one_in(8) ? EDGE_BUF_VA + PAGE - below(64) : (uint64_t)scratch + below(SCRATCH_LEN));
    case P_CONS_BUF:
        return hostile ? hostile_ptr() : plain((uint64_t)dots);
    case P_LEN:
        return plain(any_len());
    case P_PATH: case P_SPAWN_PATH:
        if (hostile)
            return one_in(4) ? plain(EDGE_PATH_VA + PAGE - 1 - below(300)) : hostile_ptr();
        switch (below(5)) {
        case 0:  return plain((uint64_t)garbage_string());
        case 1:  return plain((uint64_t)(one_in(2) ? long_path : str_300));
        case 2:  if (nbad) return plain((uint64_t)bad_paths[below(nbad)]);
                 /* fall through */
        default: return plain((uint64_t)(p == P_PATH ? PICK(paths) : PICK(spawn_paths)));
        }
    case P_ARGV:
        if (hostile)
            return one_in(3) ? plain(EDGE_ARGV_VA + PAGE - 8) : hostile_ptr();
        switch (below(6)) {
        case 0:  return plain(0);
        case 1:  return plain((uint64_t)argv_empty);
        case 2:  return plain((uint64_t)argv_long);
        case 3:  return plain((uint64_t)argv_many);
        case 4:  return plain((uint64_t)argv_bad);
        default: return plain((uint64_t)argv_exit);
        }
    case P_PID:
        return plain(hostile ? any_int() : (uint64_t)(int64_t)(one_in(2) ? -1 : (int)below(8)));
    case P_STATUS:
        if (hostile)
            return hostile_ptr();
        return plain(one_in(3) ? 0 : (uint64_t)scratch + below(SCRATCH_LEN));
    case P_HINT:
        if (hostile)
            return hostile_ptr();
        if (one_in(2))
            return plain(0);
        return plain(USER_MMAP_BASE + (below(1u << 20) << 12) + (one_in(8) ? below(4096) : 0));
    case P_MAP_LEN:
        return plain(hostile ? any_len() : 4096 * (1 + below(16)));
    case P_UNMAP_ADDR:
        if (hostile)
            return hostile_ptr();
        return plain(one_in(8) ? USER_STACK_BOTTOM : USER_MMAP_BASE + (below(64) << 12));
    case P_CODE:
        if (!hostile && one_in(2))
            return plain(0);
        return hostile_ptr();
    case P_CTX:
        if (hostile)
            return hostile_ptr();
        for (size_t i = 0; i < sizeof(struct sigcontext); i += 8)
            *(uint64_t *)(scratch + i) = one_in(2) ? rnd() : PICK(kernel_ptrs);
        return plain((uint64_t)scratch);
    }
    return plain(0);
}

/* ---- calls ---- */

/* Each system call's parameters, and how often it is made (relative). A
 * forged sigreturn usually ends the batch, so call_number makes it 16
 * times rarer still. */
struct sys_desc {
    const char *name;
    uint16_t weight;
    enum param p[3];
};

static const struct sys_desc sys_descs[SYS_COUNT] = {
    [SYS_EXIT]      = { "exit",      0, { P_INT } },                  /* ends the batch */
    [SYS_SPAWN]     = { "spawn",     12, { P_SPAWN_PATH, P_ARGV } },
    [SYS_WAIT]      = { "wait",      16, { P_PID, P_STATUS } },
    [SYS_GETPID]    = { "getpid",    8, { P_NONE, P_NONE, P_NONE } },
    [SYS_YIELD]     = { "yield",     8, { P_NONE, P_NONE, P_NONE } },
    [SYS_GETC]      = { "getc",      0, { P_NONE } },                 /* waits for input */
    [SYS_CWRITE]    = { "cwrite",    24, { P_CONS_BUF, P_LEN } },
    [SYS_OPEN]      = { "open",      40, { P_PATH } },
    [SYS_CLOSE]     = { "close",     24, { P_FD } },
    [SYS_READ]      = { "read",      40, { P_READ_FD, P_BUF_OUT, P_LEN } },
    [SYS_WRITE]     = { "write",     24, { P_FD, P_CONS_BUF, P_LEN } },
    [SYS_SEEK]      = { "seek",      24, { P_FD, P_OFF, P_WHENCE } },
    [SYS_STAT]      = { "stat",      40, { P_PATH, P_BUF_OUT } },
    [SYS_READDIR]   = { "readdir",   40, { P_PATH, P_INT, P_BUF_OUT } },
    [SYS_MAP]       = { "map",       32, { P_HINT, P_MAP_LEN, P_PROT } },
    [SYS_UNMAP]     = { "unmap",     24, { P_UNMAP_ADDR, P_MAP_LEN } },
    [SYS_SIGNAL]    = { "signal",    8, { P_CODE, P_CODE } },
    [SYS_SIGRETURN] = { "sigreturn", 1, { P_CTX } },
};

struct call {
    uint64_t nr;
    struct arg a[6];
    bool int80;
};

static uint64_t call_number(void)
{
    static unsigned total;
    if (!total)
        for (int i = 0; i < SYS_COUNT; i++)
            total += sys_descs[i].weight;
    for (;;) {
        if (one_in(40))
            return one_in(2) ? SYS_COUNT + below(4) : rnd() | (1ull << 32);  /* never valid */
        unsigned w = (unsigned)below(total);
        int i = 0;
        while (w >= sys_descs[i].weight)
            w -= sys_descs[i++].weight;
        if (i != SYS_SIGRETURN || one_in(16))
            return (uint64_t)i;
    }
}

static void call_make(struct call *c)
{
    c->nr = call_number();
    c->int80 = one_in(4);
    for (int i = 0; i < 6; i++) {
        enum param p = c->nr < SYS_COUNT && i < 3 ? sys_descs[c->nr].p[i] : P_NONE;
        c->a[i] = arg_for(p);
    }
    /* Console output that could succeed prints a few dots, no more, so
     * the log stays readable. */
    int buf = c->nr == SYS_CWRITE ? 0 : c->nr == SYS_WRITE ? 1 : -1;
    if (buf >= 0 && c->a[buf].cls == ARG_PLAIN) {
        c->a[buf] = plain((uint64_t)dots);
        c->a[buf + 1] = plain(below(9));
    }
    /* Half the unmaps name a mapping we made, with its length. */
    if (c->nr == SYS_UNMAP && map_next && one_in(2)) {
        int i = (int)below(MIN(map_next, 16));
        c->a[0] = plain(maps[i]);
        c->a[1] = plain(map_lens[i]);
    }
}

static bool bad_ptr(const struct arg *a) { return a->cls != ARG_PLAIN && a->v != 0; }
static bool kernel_ptr(const struct arg *a) { return a->cls == ARG_KERNEL && a->v != 0; }

/* Must this call fail, given its arguments? (see the oracle above) */
static bool call_must_fail(const struct call *c, long r)
{
    const struct arg *a = c->a;
    switch (c->nr) {
    case SYS_SPAWN:   return (bad_ptr(&a[0]) || a[0].v == 0) || bad_ptr(&a[1]);
    case SYS_WAIT:    return bad_ptr(&a[1]);
    case SYS_CWRITE:  return bad_ptr(&a[0]) && a[1].v > 0;
    case SYS_WRITE:   return bad_ptr(&a[1]) && a[2].v > 0;
    case SYS_OPEN:    return bad_ptr(&a[0]) || a[0].v == 0;
    case SYS_READ:    return bad_ptr(&a[1]) && a[2].v > 0 && r > 0;   /* EOF may return 0 */
    case SYS_STAT:    return bad_ptr(&a[0]) || a[0].v == 0 || bad_ptr(&a[1]) || a[1].v == 0;
    case SYS_READDIR: return bad_ptr(&a[0]) || a[0].v == 0 || bad_ptr(&a[2]) || a[2].v == 0;
    case SYS_MAP:     return kernel_ptr(&a[0]);
    case SYS_UNMAP:   return bad_ptr(&a[0]) || a[0].v == 0;
    case SYS_SIGNAL:  return a[0].v > SIG_IGN &&      /* SIG_DFL and SIG_IGN need no pointer */
                             (kernel_ptr(&a[0]) || kernel_ptr(&a[1]) || a[1].v == 0);
    default:          return c->nr >= SYS_COUNT;
    }
}

/* Did the call succeed? map() returns an address, which is negative as a
 * long: only the top 4095 values are errors. */
static bool call_ok(const struct call *c, long r)
{
    return c->nr == SYS_MAP ? !IS_ERR(r) : r >= 0;
}

/* Keep track of what the call made: descriptors, mappings, children. */
static void call_after(const struct call *c, long r)
{
    if (!call_ok(c, r))
        return;
    if (c->nr == SYS_OPEN && nfds < MAX_FDS)
        fds[nfds++] = (int)r;
    if (c->nr == SYS_MAP) {
        maps[map_next % 16] = (uint64_t)r;
        map_lens[map_next % 16] = c->a[1].v;
        map_next++;
    }
    if (c->nr == SYS_SPAWN && r > 0)
        wait((int)r, NULL);
}

static void batch_print_counts(const uint32_t ok[], const uint32_t failed[])
{
    for (int i = 0; i <= SYS_COUNT; i++)
        if (ok[i] || failed[i])
            printf("fuzz: %-9s %5u ok %5u failed\n", i < SYS_COUNT ? sys_descs[i].name : "(invalid)",
                   ok[i], failed[i]);
}

static int batch_run(uint64_t seed, uint64_t batch, uint64_t calls, bool verbose)
{
    uint32_t ok[SYS_COUNT + 1] = { 0 }, failed[SYS_COUNT + 1] = { 0 };
    int accepted = 0;
    rng_seed(seed * 1000003 + batch);
    batch_setup();
    for (uint64_t k = 0; k < calls; k++) {
        struct call c;
        call_make(&c);
        long (*sc)(long, ...) = c.int80 ? syscall_int80 : syscall;
        long r = sc((long)c.nr, c.a[0].v, c.a[1].v, c.a[2].v, c.a[3].v, c.a[4].v, c.a[5].v);
        call_after(&c, r);
        (call_ok(&c, r) ? ok : failed)[MIN(c.nr, (uint64_t)SYS_COUNT)]++;
        if (call_ok(&c, r) && call_must_fail(&c, r)) {
            printf("fuzz: ACCEPTED seed %lu batch %lu call %lu: %s (%#lx, %#lx, %#lx) = %ld\n",
                   seed, batch, k, c.nr < SYS_COUNT ? sys_descs[c.nr].name : "?",
                   c.a[0].v, c.a[1].v, c.a[2].v, r);
            accepted++;
        }
    }
    if (verbose)
        batch_print_counts(ok, failed);
    return accepted ? EXIT_ACCEPTED : 0;
}

/* ---- the campaign ---- */

struct tally {
    uint64_t calls, batches, exits, kills, accepted, spawn_failures;
};

struct running {
    int pid;
    uint64_t batch, calls;
};

/* Start batch b of seed (n calls) in a child: its pid, or a negative error. */
static int batch_spawn(uint64_t seed, uint64_t b, uint64_t n)
{
    char sseed[24], sbatch[24], scalls[24];
    snprintf(sseed, sizeof(sseed), "%lu", seed);
    snprintf(sbatch, sizeof(sbatch), "%lu", b);
    snprintf(scalls, sizeof(scalls), "%lu", n);
    char *argv[] = { "fuzz", "-c", sseed, sbatch, scalls, NULL };
    return spawn("/bin/fuzz", argv);
}

/* Count a batch that ended with status. */
static void batch_count(struct tally *s, uint64_t seed, const struct running *r, int status)
{
    s->batches++;
    s->calls += r->calls;
    if (WIFSIGNALED(status))
        s->kills++;
    else
        s->exits++;
    if (WIFEXITED(status) && WEXITSTATUS(status) == EXIT_ACCEPTED)
        s->accepted++;
    else if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
        printf("fuzz: seed %lu batch %lu: exit status %d\n", seed, r->batch, WEXITSTATUS(status));
}

/* All batches of one seed, up to `jobs` at a time. */
static void campaign_seed(uint64_t seed, uint64_t calls, uint64_t batch_len, unsigned jobs,
                          struct tally *t)
{
    struct tally s = { 0 };
    struct running run[JOBS_MAX];
    unsigned nrun = 0;
    uint64_t nbatches = (calls + batch_len - 1) / batch_len, next = 0;
    while (next < nbatches || nrun > 0) {
        if (next < nbatches && nrun < jobs) {
            uint64_t n = MIN(batch_len, calls - next * batch_len);
            int pid = batch_spawn(seed, next, n);
            if (pid < 0) {
                printf("fuzz: seed %lu batch %lu: spawn failed: %s\n", seed, next, errstr(pid));
                s.spawn_failures++;
            } else {
                run[nrun++] = (struct running){ pid, next, n };
            }
            next++;
            continue;
        }
        int status = 0;
        int pid = wait(-1, &status);
        unsigned i = 0;
        while (i < nrun && run[i].pid != pid)
            i++;
        if (i == nrun) {
            printf("fuzz: seed %lu: wait(-1) = %d, not one of our batches\n", seed, pid);
            s.spawn_failures += nrun;
            break;
        }
        batch_count(&s, seed, &run[i], status);
        run[i] = run[--nrun];
    }
    printf("fuzz: seed %lu: %lu batches, %lu calls, %lu exits, %lu kills, %lu accepted\n",
           seed, s.batches, s.calls, s.exits, s.kills, s.accepted);
    t->calls += s.calls;
    t->batches += s.batches;
    t->exits += s.exits;
    t->kills += s.kills;
    t->accepted += s.accepted;
    t->spawn_failures += s.spawn_failures;
}

/* ---- malformed executables ---- */

static int elf_dir_run(const char *dir)
{
    struct fs_dirent d;
    char path[FS_NAME_MAX + 64];
    int files = 0, refused = 0, exited = 0, killed = 0;
    for (size_t i = 0; readdir(dir, i, &d) == 0; i++) {
        if (d.type != FS_TYPE_FILE)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, d.name);
        char *argv[] = { d.name, NULL };
        files++;
        int pid = spawn(path, argv);
        if (pid < 0) {
            printf("fuzz: %s: refused: %s\n", path, errstr(pid));
            refused++;
            continue;
        }
        int status = 0;
        int r = wait(pid, &status);
        if (r < 0) {
            printf("fuzz: %s: wait failed: %s\n", path, errstr(r));
            return 1;
        }
        if (WIFSIGNALED(status)) {
            printf("fuzz: %s: killed by signal %d\n", path, WTERMSIG(status));
            killed++;
        } else {
            printf("fuzz: %s: exit %d\n", path, WEXITSTATUS(status));
            exited++;
        }
    }
    printf("fuzz: elf: %d files: %d refused, %d exited, %d killed\n", files, refused, exited, killed);
    return files ? 0 : 1;
}

/* ---- exhaustion ---- */

/* Heap: one-page mappings (a region each, kernel heap only: never touched)
 * until map() fails: at the per-process region limit (-ELIMIT), or earlier
 * if the kernel heap runs out (-ENOMEM). Frames: touch a 1 GiB mapping until none is left;
 * the kernel kills us. Both run in children of exhaustion_run. */
static int exhaust_heap(void)
{
    uint64_t n = 0;
    long err = 0;
    /* Fault in the code and stack that the report below needs: afterwards
     * there may be no frame left to do it. */
    printf("fuzz: heap: one-page mappings until map() fails (%s or %s?)\n",
           errstr(-ELIMIT), errstr(-ENOMEM));
    for (;; n++) {
        void *p = map((void *)(USER_MMAP_BASE + n * 8192), 4096, PROT_READ);
        if (IS_ERR(p)) {
            err = PTR_ERR(p);
            break;
        }
    }
    printf("fuzz: heap: %lu mappings, then %s\n", n, errstr((int)err));
    return err == -ENOMEM || err == -ELIMIT ? 0 : 1;
}

static int exhaust_frames(void)
{
    uint8_t *p = map(NULL, 1ull << 30, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("fuzz: frames: map failed: %s\n", errstr(PTR_ERR(p)));
        return 1;
    }
    for (uint64_t off = 0; off < (1ull << 30); off += 4096)
        p[off] = 1;
    printf("fuzz: frames: touched 1 GiB without running out\n");
    return 0;
}

static int exhaustion_run(void)
{
    static const char *const modes[] = { "-xh", "-xf" };
    int bad = 0;
    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        char *argv[] = { "fuzz", (char *)modes[i], NULL };
        int pid = spawn("/bin/fuzz", argv), status = 0;
        if (pid < 0 || wait(pid, &status) < 0) {
            printf("fuzz: %s: cannot run: %s\n", modes[i], errstr(pid < 0 ? pid : -ECHILD));
            return 1;
        }
        if (WIFSIGNALED(status))
            printf("fuzz: %s: killed by signal %d\n", modes[i], WTERMSIG(status));
        else
            printf("fuzz: %s: exit %d\n", modes[i], WEXITSTATUS(status));
        bad |= WIFEXITED(status) && WEXITSTATUS(status) != 0;
    }
    char *argv[] = { "exitcode", "5", NULL };
    int pid = spawn("/bin/exitcode", argv), status = 0;
    bool again = pid > 0 && wait(pid, &status) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 5;
    printf("fuzz: exhaustion: %s\n", again && !bad ? "ok" : "FAILED");
    return again && !bad ? 0 : 1;
}

/* ---- the command line ---- */

static int usage(void)
{
    printf("usage: fuzz [-s SEED] [-k SEEDS] [-n CALLS] [-b BATCH] [-j JOBS] |\n"
           "       fuzz -c SEED BATCH CALLS [-v] |\n"
           "       fuzz -e DIR | fuzz -x\n");
    return 2;
}

static bool arg_u64(const char *s, uint64_t *out)
{
    long v;
    if (!s || parse_long(s, &v) < 0 || v < 0)
        return false;
    *out = (uint64_t)v;
    return true;
}

int main(int argc, char **argv)
{
    uint64_t seed = 1, seeds = 1, calls = DEFAULT_CALLS, batch = DEFAULT_BATCH, jobs = 1;

    if ((argc == 5 || argc == 6) && strcmp(argv[1], "-c") == 0) {
        uint64_t b, n;
        bool verbose = argc == 6 && strcmp(argv[5], "-v") == 0;
        if (!arg_u64(argv[2], &seed) || !arg_u64(argv[3], &b) || !arg_u64(argv[4], &n) ||
            (argc == 6 && !verbose))
            return usage();
        return batch_run(seed, b, n, verbose);
    }
    if (argc == 3 && strcmp(argv[1], "-e") == 0)
        return elf_dir_run(argv[2]);
    if (argc == 2 && strcmp(argv[1], "-x") == 0)
        return exhaustion_run();
    if (argc == 2 && strcmp(argv[1], "-xh") == 0)
        return exhaust_heap();
    if (argc == 2 && strcmp(argv[1], "-xf") == 0)
        return exhaust_frames();
    for (int i = 1; i < argc; i += 2) {
        uint64_t *opt = strcmp(argv[i], "-s") == 0 ? &seed : strcmp(argv[i], "-k") == 0 ? &seeds :
                        strcmp(argv[i], "-n") == 0 ? &calls : strcmp(argv[i], "-b") == 0 ? &batch :
                        strcmp(argv[i], "-j") == 0 ? &jobs : NULL;
        if (!opt || i + 1 >= argc || !arg_u64(argv[i + 1], opt))
            return usage();
    }
    if (batch == 0 || seeds == 0 || jobs == 0 || jobs > JOBS_MAX)
        return usage();

    struct tally t = { 0 };
    for (uint64_t s = seed; s < seed + seeds; s++)
        campaign_seed(s, calls, batch, (unsigned)jobs, &t);
    printf("fuzz: done: seeds %lu..%lu, calls %lu, batches %lu, exits %lu, kills %lu, "
           "accepted %lu, spawn failures %lu\n", seed, seed + seeds - 1, t.calls, t.batches,
           t.exits, t.kills, t.accepted, t.spawn_failures);
    return t.accepted || t.spawn_failures ? 1 : 0;
}
