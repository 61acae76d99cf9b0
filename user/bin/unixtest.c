/*
 * unixtest: the Unix layer's edge cases, one subcommand each; every
 * subcommand prints "unixtest: NAME: ok (...)" when all its checks held,
 * or one "unixtest: NAME: FAILED: ..." line per broken check and exits 1.
 * tests/integration/test_unix.py runs them from the user shell and counts
 * free frames and tmpfs pages around them.
 *
 *   dup2             descriptors out of range, dup2 onto itself, lowest free
 *   fds              open until the table is full; pipe and dup at the limit
 *   pipe             no readers (-EPIPE), no writers (end of file), a read
 *                    into unwritable memory takes nothing, 256 KiB
 *                    through a pipe, PIPE_BUF writes of two writers intact,
 *                    a writer blocked on a full pipe whose reader goes away
 *   exec             hostile paths and argv, /bad/refuse-* in place: every
 *                    exec fails and the caller's memory and files are intact
 *   execkeep         exec keeps pid, parent and open files (with their
 *                    offsets) and resets the signal handler (execkept: the
 *                    new image's half; it ends killed by SIGSEGV)
 *   tmpfill          write a /tmp file until -ENOSPC, remove it, write again
 *   sparse           files of one byte written 120 MiB out, until -ENOSPC:
 *                    their page indexes count against /tmp's cap
 *   unlinkopen N     N times: create, write, unlink while open, read, close
 *   forkmany N       fork N children, wait for each, check each status
 *   forklazy         fork leaves the parent's untouched read-only pages lazy
 *   mapfile          map_file and read agree (initrd and /tmp); a private
 *                    mapping is a snapshot; refusals
 */
#include <ulib.h>
#include <uapi/vm.h>

static const char *test = "?";
static int failures;

#define CHECK(cond, ...) do {                                              \
        if (!(cond)) {                                                     \
            printf("unixtest: %s: FAILED: ", test);                        \
            printf(__VA_ARGS__);                                           \
            printf(" (line %d)\n", __LINE__);                              \
            failures++;                                                    \
        }                                                                  \
    } while (0)

/* The result r of a call must be the error e. */
#define CHECK_ERR(r, e, what) \
    CHECK((long)(r) == -(long)(e), "%s = %ld, expected -%s", what, (long)(r), errname(e))

static uint8_t pattern_byte(uint64_t i, unsigned seed)
{
    return (uint8_t)((i * 131u + seed * 7u + (i >> 9)) & 0xff);
}

/* ---- descriptors ---- */

static void test_dup2(void)
{
    CHECK_ERR(dup2(1, -1), EBADF, "dup2(1, -1)");
    CHECK_ERR(dup2(1, 1000), EBADF, "dup2(1, 1000)");
    CHECK_ERR(dup2(1, 1 << 30), EBADF, "dup2(1, 1 << 30)");
    CHECK_ERR(dup2(-5, 3), EBADF, "dup2(-5, 3)");
    CHECK_ERR(dup2(77, 3), EBADF, "dup2(77, 3) (77 not open)");
    CHECK_ERR(dup2(20, 3), EBADF, "dup2(20, 3) (20 not open)");
    CHECK(dup2(1, 1) == 1, "dup2(1, 1) is not 1");
    /* The highest descriptor there is: dup until the table is full. */
    int top = -1, fd;
    while ((fd = dup(1)) >= 0)
        top = fd;
    CHECK_ERR(fd, EMFILE, "dup(1) with a full table");
    for (int i = 3; i <= top; i++)
        close(i);
    CHECK(top > 3, "only %d descriptors", top + 1);
    CHECK_ERR(dup2(1, top + 1), EBADF, "dup2 one past the table");
    CHECK(dup2(1, top) == top, "dup2(1, %d) (the last slot) failed", top);
    CHECK(write(top, "", 0) == 0, "write to the dup2'd descriptor failed");
    CHECK(close(top) == 0, "close(%d) failed", top);
    CHECK_ERR(close(top), EBADF, "a second close");
    CHECK(dup(1) == 3, "dup(1) is not the lowest free descriptor (3)");
    CHECK(dup2(0, 3) == 3, "dup2 onto an open descriptor failed");
    struct fs_stat st;
    CHECK(fstat(3, &st) == 0 && st.type == FS_TYPE_CHAR, "fd 3 is not the console after dup2(0, 3)");
    close(3);
    if (!failures)
        printf("unixtest: dup2: ok (%d descriptors)\n", top + 1);
}

static void test_fds(void)
{
    int n = 0, fd;
    while ((fd = open("/bin/hello", O_RDONLY)) >= 0)
        n++;
    CHECK_ERR(fd, EMFILE, "open with a full table");
    int fds[2] = { -1, -1 };
    CHECK_ERR(pipe(fds), EMFILE, "pipe with a full table");
    CHECK_ERR(dup(0), EMFILE, "dup with a full table");
    /* One slot free: pipe needs two, so it fails, and gives the slot back. */
    int last = 2 + n;
    close(last);
    CHECK_ERR(pipe(fds), EMFILE, "pipe with one free slot");
    CHECK(open("/bin/hello", O_RDONLY) == last, "the free slot was not given back by pipe");
    for (int i = 3; i <= last; i++)
        CHECK(close(i) == 0, "close(%d)", i);
    CHECK(pipe(fds) == 0 && fds[0] == 3 && fds[1] == 4, "pipe after closing all: %d %d", fds[0], fds[1]);
    close(3);
    close(4);
    if (!failures)
        printf("unixtest: fds: ok (%d files opened, then %s)\n", n, errstr(-EMFILE));
}

/* ---- pipes ---- */

static void pipe_write_records(int fd, char c, int n)
{
    char rec[64];
    memset(rec, c, sizeof(rec) - 1);
    rec[sizeof(rec) - 1] = '\n';
    for (int i = 0; i < n; i++)
        if (write(fd, rec, sizeof(rec)) != (long)sizeof(rec))
            exit(3);
}

static void test_pipe(void)
{
    int fds[2];
    char buf[4096];

    /* No readers: -EPIPE. No writers: end of file. */
    CHECK(pipe(fds) == 0, "pipe");
    close(fds[0]);
    CHECK_ERR(write(fds[1], "x", 1), EPIPE, "write with no reader");
    close(fds[1]);
    CHECK(pipe(fds) == 0, "pipe");
    CHECK(write(fds[1], "abc", 3) == 3, "write 3 bytes");
    close(fds[1]);
    CHECK(read(fds[0], buf, sizeof(buf)) == 3, "read what was written before the close");
    CHECK(read(fds[0], buf, sizeof(buf)) == 0, "no end of file with no writer");
    close(fds[0]);
    CHECK_ERR(read(fds[0], buf, 1), EBADF, "read of a closed end");

    /* A read into memory the reader cannot write fails before it takes
     * anything: the bytes stay in the pipe for the next read. */
    CHECK(pipe(fds) == 0, "pipe");
    CHECK(write(fds[1], "keep", 4) == 4, "write 4 bytes");
    CHECK_ERR(read(fds[0], (void *)test_pipe, 4), EFAULT, "read into the program's text");
    char *gone = map(NULL, 4096, PROT_READ | PROT_WRITE);
    CHECK(!IS_ERR(gone) && unmap(gone, 4096) == 0, "map and unmap a page");
    CHECK_ERR(read(fds[0], gone, 4), EFAULT, "read into an unmapped page");
    CHECK_ERR(read(fds[0], gone - 2, 4), EFAULT, "read straddling into an unmapped page");
    CHECK(read(fds[0], buf, sizeof(buf)) == 4 && memcmp(buf, "keep", 4) == 0,
          "the bytes stayed in the pipe");
    close(fds[0]);
    close(fds[1]);

    /* 256 KiB through a pipe: the reader waits for the writer and the
     * writer for the reader many times. */
    const uint64_t total = 256 * 1024;
    CHECK(pipe(fds) == 0, "pipe");
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        uint64_t off = 0;
        for (unsigned k = 1; off < total; k++) {
            size_t n = MIN((size_t)(k * 997 % 4000 + 1), (size_t)(total - off));
            for (size_t i = 0; i < n; i++)
                buf[i] = (char)pattern_byte(off + i, 1);
            if (write_all(fds[1], buf, n) != (long)n)
                exit(2);
            off += n;
        }
        exit(0);
    }
    close(fds[1]);
    uint64_t got = 0;
    bool same = true;
    long r;
    while ((r = read(fds[0], buf, sizeof(buf))) > 0) {
        for (long i = 0; i < r; i++)
            same &= (uint8_t)buf[i] == pattern_byte(got + (uint64_t)i, 1);
        got += (uint64_t)r;
    }
    int st;
    CHECK(wait(pid, &st) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer status %#x", st);
    CHECK(r == 0 && got == total && same, "read %lu of %lu bytes (%s), last read %ld", got, total,
          same ? "intact" : "CORRUPT", r);
    close(fds[0]);

    /* Two writers of 64-byte records (at most PIPE_BUF: atomic): every
     * record comes out whole. */
    CHECK(pipe(fds) == 0, "pipe");
    int w[2];
    for (int k = 0; k < 2; k++) {
        w[k] = fork();
        if (w[k] == 0) {
            close(fds[0]);
            pipe_write_records(fds[1], k ? 'B' : 'A', 500);
            exit(0);
        }
    }
    close(fds[1]);
    char rec[64];
    int counts[2] = { 0, 0 }, torn = 0;
    size_t have = 0;
    while ((r = read(fds[0], rec + have, sizeof(rec) - have)) > 0) {
        have += (size_t)r;
        if (have < sizeof(rec))
            continue;
        have = 0;
        bool whole = rec[63] == '\n' && (rec[0] == 'A' || rec[0] == 'B');
        for (int i = 1; whole && i < 63; i++)
            whole = rec[i] == rec[0];
        if (whole)
            counts[rec[0] == 'B']++;
        else
            torn++;
    }
    for (int k = 0; k < 2; k++)
        CHECK(wait(w[k], &st) == w[k] && st == 0, "record writer %d status %#x", k, st);
    CHECK(torn == 0 && counts[0] == 500 && counts[1] == 500, "records: %d A, %d B, %d torn",
          counts[0], counts[1], torn);
    close(fds[0]);

    /* A writer blocked on a full pipe: when the last reader goes, it wakes
     * with a short count, then -EPIPE. */
    CHECK(pipe(fds) == 0, "pipe");
    pid = fork();
    if (pid == 0) {
        close(fds[0]);
        static char big[65536];
        long n = write(fds[1], big, sizeof(big));
        long again = write(fds[1], big, 1);
        exit(n > 0 && n < (long)sizeof(big) && again == -EPIPE ? 0 : 1);
    }
    close(fds[1]);
    sleep_ms(50);                       /* let it fill the pipe and block */
    close(fds[0]);
    CHECK(wait(pid, &st) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "blocked writer: status %#x (expected a short write, then -EPIPE)", st);
    if (!failures)
        printf("unixtest: pipe: ok (%lu bytes, %d records, no reader, no writer)\n", total, 1000);
}

/* ---- exec ---- */

static uint64_t canary_data[512];       /* .bss */

static uint64_t image_sum(const uint64_t *p, size_t n)
{
    uint64_t s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + p[i];
    return s;
}

static void test_exec(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(canary_data); i++)
        canary_data[i] = i * 0x9e3779b97f4a7c15ull;
    uint64_t *heap = malloc(64 * 1024);
    for (size_t i = 0; i < 8192; i++)
        heap[i] = ~i;
    uint64_t sum_data = image_sum(canary_data, ARRAY_SIZE(canary_data));
    uint64_t sum_heap = image_sum(heap, 8192);
    int fd = open("/bin/hello", O_RDONLY);
    CHECK(fd == 3, "open /bin/hello: %d", fd);
    int calls = 0;
    long r;

    char *ok_argv[] = { "hello", NULL };
#define EXEC_REFUSED(path, argv, ...) do {                                   \
        r = exec(path, argv);                                                \
        calls++;                                                             \
        long allowed[] = { __VA_ARGS__ };                                    \
        bool known = false;                                                  \
        for (size_t k = 0; k < ARRAY_SIZE(allowed); k++)                     \
            known |= r == -allowed[k];                                       \
        CHECK(known, "exec case %d returned %ld (%s)", calls, r, errname((int)r)); \
    } while (0)

    /* Paths. */
    EXEC_REFUSED(NULL, ok_argv, EFAULT);
    EXEC_REFUSED((const char *)0x100000, ok_argv, EFAULT);            /* the kernel's image */
    EXEC_REFUSED((const char *)0xffff800000000000ull, ok_argv, EFAULT, ENOENT);  /* a user page, no NUL? */
    EXEC_REFUSED((const char *)0x0000800000000000ull, ok_argv, EFAULT); /* non-canonical */
    EXEC_REFUSED((const char *)-1L, ok_argv, EFAULT);
    /* A page with no mapping after it: strings and arrays running off it. */
    char *page = map(NULL, 8192, PROT_READ | PROT_WRITE);
    CHECK(!IS_ERR(page) && unmap(page, 8192) == 0, "map");
    page = map(page, 4096, PROT_READ | PROT_WRITE);
    CHECK(!IS_ERR(page), "map");
    memset(page, 'a', 4096);
    EXEC_REFUSED(page, ok_argv, EFAULT, ENAMETOOLONG);
    memset(page, '/', 300);
    page[300] = 0;
    EXEC_REFUSED(page, ok_argv, ENAMETOOLONG);
    EXEC_REFUSED("", ok_argv, ENOENT);
    EXEC_REFUSED("/bin/nosuchprogram", ok_argv, ENOENT);
    EXEC_REFUSED("/bin/hello/x", ok_argv, ENOENT, ENOTDIR);
    EXEC_REFUSED("/bin", ok_argv, EISDIR, EACCES, ENOEXEC);
    EXEC_REFUSED("/etc/motd", ok_argv, ENOEXEC);
    EXEC_REFUSED("/tmp", ok_argv, EISDIR, EACCES, ENOEXEC);

    /* Argument vectors. */
    /* (argv NULL or { NULL } is allowed: argv is then { path }.) */
    EXEC_REFUSED("/bin/hello", (char **)0x100000, EFAULT);
    EXEC_REFUSED("/bin/hello", (char **)(page + 4096), EFAULT);
    char *bad_str[] = { "hello", (char *)1, NULL };
    EXEC_REFUSED("/bin/hello", bad_str, EFAULT);
    char *kern_str[] = { "hello", (char *)0x100000, NULL };
    EXEC_REFUSED("/bin/hello", kern_str, EFAULT);
    char *many[40];
    for (int i = 0; i < 39; i++)
        many[i] = "x";
    many[39] = NULL;
    EXEC_REFUSED("/bin/hello", many, E2BIG);
    memset(page, 'y', 4000);
    page[4000] = 0;
    char *long_arg[] = { "hello", page, NULL };
    EXEC_REFUSED("/bin/hello", long_arg, E2BIG);
    /* An array of valid pointers with no NULL before the unmapped page. */
    char **arr = (char **)page;
    for (size_t i = 0; i < 4096 / sizeof(char *); i++)
        arr[i] = "z";
    EXEC_REFUSED("/bin/hello", arr, EFAULT, E2BIG);

    /* Malformed executables, in place. */
    struct fs_dirent d;
    char path[FS_NAME_MAX + 8];
    int bad = 0;
    for (size_t i = 0; readdir("/bad", i, &d) == 0; i++) {
        if (strncmp(d.name, "refuse-", 7) != 0)
            continue;
        snprintf(path, sizeof(path), "/bad/%s", d.name);
        char *argv[] = { d.name, NULL };
        r = exec(path, argv);
        calls++;
        bad++;
        CHECK(r < 0, "exec %s returned %ld", path, r);
    }
    CHECK(bad >= 30, "only %d /bad/refuse-* files", bad);

    /* Everything is as it was. */
    CHECK(image_sum(canary_data, ARRAY_SIZE(canary_data)) == sum_data, ".bss changed by failed execs");
    CHECK(image_sum(heap, 8192) == sum_heap, "the heap changed by failed execs");
    struct fs_stat st;
    CHECK(fstat(fd, &st) == 0 && st.type == FS_TYPE_FILE, "fd 3 lost by failed execs");
    char c;
    CHECK(read(fd, &c, 1) == 1 && c == 0x7f, "fd 3 does not read the ELF magic");
    close(fd);
    free(heap);
    unmap(page, 4096);
    if (!failures)
        printf("unixtest: exec: ok (%d hostile execs refused, %d of them malformed ELF files; "
               "image and files intact)\n", calls, bad);
}

#define KEEP_FD 7

/* Registered before exec; exec must forget it. The new image is this same
 * program, so the address would still hold this code if it did not. */
static void keep_handler(int sig, uint64_t addr, struct sigcontext *ctx)
{
    printf("unixtest: execkept: FAILED: the signal handler survived exec\n");
    exit(1);
}

static void test_execkeep(void)
{
    int fd = open("/tmp/unixtest-keep", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "open /tmp/unixtest-keep: %s", errstr(fd));
    CHECK(dup2(fd, KEEP_FD) == KEEP_FD, "dup2");
    close(fd);
    CHECK(write(KEEP_FD, "before exec\n", 12) == 12, "write before exec");
    CHECK(signal(keep_handler) == 0, "signal");           /* must not survive exec */
    char pid[16], ppid[16];
    snprintf(pid, sizeof(pid), "%d", getpid());
    snprintf(ppid, sizeof(ppid), "%d", getppid());
    char *argv[] = { "unixtest", "execkept", pid, ppid, NULL };
    long r = exec("/bin/unixtest", argv);
    CHECK(0, "exec /bin/unixtest: %s", errstr((int)r));
}

static void test_execkept(int argc, char **argv)
{
    long pid, ppid;
    CHECK(argc == 4 && parse_long(argv[2], &pid) == 0 && parse_long(argv[3], &ppid) == 0, "usage");
    if (failures)
        return;
    CHECK(getpid() == pid, "pid %d after exec, %ld before", getpid(), pid);
    CHECK(getppid() == ppid, "parent %d after exec, %ld before", getppid(), ppid);
    CHECK(write(KEEP_FD, "after exec\n", 11) == 11, "fd %d not kept across exec", KEEP_FD);
    char buf[64] = { 0 };
    CHECK(seek(KEEP_FD, 0, SEEK_SET) == 0, "seek");
    long n = read(KEEP_FD, buf, sizeof(buf) - 1);
    CHECK(n == 23 && strcmp(buf, "before exec\nafter exec\n") == 0,
          "the file holds %ld bytes: %s", n, buf);
    close(KEEP_FD);
    unlink("/tmp/unixtest-keep");
    if (failures)
        return;
    printf("unixtest: execkept: ok (pid, parent and descriptors kept; now a fault with no handler)\n");
    volatile uintptr_t addr = 8;
    *(volatile int *)addr = 1;          /* the old handler is gone: SIGSEGV kills us */
    printf("unixtest: execkept: FAILED: the fault returned\n");
    failures++;
}

/* ---- /tmp ---- */

static void test_tmpfill(void)
{
    static char chunk[65536];
    memset(chunk, 0x5a, sizeof(chunk));
    int fd = open("/tmp/unixtest-fill", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0, "open: %s", errstr(fd));
    uint64_t total = 0;
    long r;
    while ((r = write(fd, chunk, sizeof(chunk))) > 0)
        total += (uint64_t)r;
    CHECK_ERR(r, ENOSPC, "write to a full /tmp");
    struct fs_stat st;
    CHECK(fstat(fd, &st) == 0 && st.size == total, "size %lu, wrote %lu", st.size, total);
    CHECK(total >= 1024 * 1024, "only %lu bytes fit", total);
    /* Full: a new file cannot get its first page either. */
    int fd2 = open("/tmp/unixtest-fill2", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK(fd2 >= 0, "open a second file: %s", errstr(fd2));
    CHECK_ERR(write(fd2, chunk, 4096), ENOSPC, "write to a second file when full");
    close(fd);
    CHECK(unlink("/tmp/unixtest-fill") == 0, "unlink");
    CHECK(write(fd2, chunk, sizeof(chunk)) == (long)sizeof(chunk), "no space after the unlink");
    close(fd2);
    CHECK(unlink("/tmp/unixtest-fill2") == 0, "unlink");
    if (!failures)
        printf("unixtest: tmpfill: ok (%lu KiB, then %s; space back after unlink)\n", total / 1024,
               errstr(-ENOSPC));
}

static void test_sparse(void)
{
    char path[48];
    const long far = 120l << 20;
    int n = 0;
    long r = 0;
    for (; n < 5000; n++) {
        snprintf(path, sizeof(path), "/tmp/unixtest-s%d", n);
        int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
        if (fd < 0) {
            r = fd;
            break;
        }
        r = seek(fd, far, SEEK_SET) == far ? write(fd, "x", 1) : -EINVAL;
        close(fd);
        if (r != 1)
            break;
    }
    CHECK_ERR(r, ENOSPC, "the write that found /tmp full");
    /* 120 MiB out: an index of 30,721 entries, 61 pages with the data page;
     * half of 256 MiB of frames hold about 530 such files. */
    CHECK(n > 10 && n < 600, "%d sparse files fitted (the indexes were not counted?)", n);
    for (int i = 0; i <= n; i++) {
        snprintf(path, sizeof(path), "/tmp/unixtest-s%d", i);
        int e = unlink(path);
        CHECK(e == 0 || (i == n && e == -ENOENT), "unlink %s: %s", path, errstr(e));
    }
    if (!failures)
        printf("unixtest: sparse: ok (%d files of 120 MiB, then %s)\n", n, errstr(-ENOSPC));
}

static void test_unlinkopen(int n)
{
    static char out[5000], in[5000];
    for (int i = 0; i < n && !failures; i++) {
        for (size_t k = 0; k < sizeof(out); k++)
            out[k] = (char)pattern_byte(k, (unsigned)i);
        int fd = open("/tmp/unixtest-u", O_RDWR | O_CREAT | O_EXCL, 0600);
        CHECK(fd >= 0, "round %d: open: %s", i, errstr(fd));
        CHECK(write(fd, out, sizeof(out)) == (long)sizeof(out), "round %d: write", i);
        CHECK(unlink("/tmp/unixtest-u") == 0, "round %d: unlink", i);
        struct fs_stat st;
        CHECK_ERR(stat("/tmp/unixtest-u", &st), ENOENT, "stat after unlink");
        CHECK(seek(fd, 0, SEEK_SET) == 0, "seek");
        CHECK(read(fd, in, sizeof(in)) == (long)sizeof(in) && memcmp(in, out, sizeof(in)) == 0,
              "round %d: the unlinked file's bytes", i);
        CHECK(close(fd) == 0, "close");
    }
    if (!failures)
        printf("unixtest: unlinkopen: ok (%d files unlinked while open)\n", n);
}

/* ---- processes ---- */

static void test_forkmany(int n)
{
    int *pids = malloc(sizeof(int) * (size_t)n);
    for (int i = 0; i < n; i++) {
        pids[i] = fork();
        if (pids[i] == 0)
            exit(i & 0x7f);
        CHECK(pids[i] > 0, "fork %d: %s", i, errstr(pids[i]));
        if (pids[i] < 0)
            return;
    }
    for (int i = 0; i < n; i++) {
        int st = -1;
        CHECK(wait(pids[i], &st) == pids[i] && WIFEXITED(st) && WEXITSTATUS(st) == (i & 0x7f),
              "child %d: status %#x", i, st);
    }
    int st;
    CHECK_ERR(wait(-1, &st), ECHILD, "wait with no children left");
    free(pids);
    if (!failures)
        printf("unixtest: forkmany: ok (%d children)\n", n);
}

/* 64 pages of read-only data in the program file, never touched. */
static const char lazy_rodata[64 * 4096] __attribute__((aligned(4096))) = { 1 };

static int lazy_pages(const void *va, int n)
{
    uint32_t perms[64];
    long r = syscall(SYS_VM_PAGES, va, n, perms);
    int lazy = 0;
    for (int i = 0; r == 0 && i < n; i++)
        lazy += (perms[i] & VM_PAGE_LAZY) != 0;
    return r == 0 ? lazy : (int)r;
}

static void test_forklazy(void)
{
    const char *p = lazy_rodata + 4096;     /* page 0 may share a page with other data */
    CHECK(lazy_pages(p, 63) == 63, "the pages are not lazy before fork (%d)", lazy_pages(p, 63));
    int pid = fork();
    if (pid == 0)
        exit(lazy_pages(p, 63) == 63 ? 0 : 1);
    int st;
    CHECK(pid > 0 && wait(pid, &st) == pid && st == 0, "the child saw filled pages (status %#x)", st);
    CHECK(lazy_pages(p, 63) == 63, "fork filled %d of 63 untouched read-only pages", 63 - lazy_pages(p, 63));
    CHECK(p[100] == 0, "the data");
    if (!failures)
        printf("unixtest: forklazy: ok (63 untouched read-only pages stay lazy in both)\n");
}

/* ---- map_file ---- */

static void check_mapping(const char *what, const uint8_t *m, const uint8_t *bytes, size_t n, size_t len)
{
    CHECK(memcmp(m, bytes, n) == 0, "%s: the mapping and read() disagree", what);
    bool zero = true;
    for (size_t i = n; i < len; i++)
        zero &= m[i] == 0;
    CHECK(zero, "%s: bytes past the end of the file are not zero", what);
}

static void test_mapfile(void)
{
    /* A read-only file of the initrd. */
    int fd = open("/bin/hello", O_RDONLY);
    struct fs_stat st;
    CHECK(fd >= 0 && fstat(fd, &st) == 0, "open /bin/hello");
    size_t n = (size_t)st.size, len = ALIGN_UP(n, 4096);
    uint8_t *bytes = malloc(n);
    CHECK(read(fd, bytes, n) == (long)n, "read /bin/hello");
    uint8_t *m = map_file(NULL, len, PROT_READ, fd, 0);
    CHECK(!IS_ERR(m), "map_file /bin/hello: %s", errstr(PTR_ERR(m)));
    close(fd);                          /* the mapping keeps the file */
    if (!IS_ERR(m)) {
        check_mapping("/bin/hello", m, bytes, n, len);
        unmap(m, len);
    }
    free(bytes);

    /* A /tmp file: a snapshot, and private. */
    const size_t tn = 3 * 4096 + 100, tlen = 4 * 4096;
    uint8_t *t = malloc(tn), *back = malloc(tn);
    for (size_t i = 0; i < tn; i++)
        t[i] = pattern_byte(i, 3);
    fd = open("/tmp/unixtest-map", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0 && write(fd, t, tn) == (long)tn, "create /tmp/unixtest-map");
    m = map_file(NULL, tlen, PROT_READ | PROT_WRITE, fd, 0);
    CHECK(!IS_ERR(m), "map_file /tmp/unixtest-map: %s", errstr(PTR_ERR(m)));
    uint8_t *m2 = map_file(NULL, 4096, PROT_READ, fd, 8192);
    CHECK(!IS_ERR(m2) && memcmp(m2, t + 8192, 4096) == 0, "map_file at offset 8192");
    if (!IS_ERR(m)) {
        check_mapping("/tmp/unixtest-map", m, t, tn, tlen);
        /* Writing the file does not change the mapping ... */
        memset(back, 0xee, tn);
        CHECK(seek(fd, 0, SEEK_SET) == 0 && write(fd, back, tn) == (long)tn, "rewrite the file");
        check_mapping("mapping after the file was rewritten", m, t, tn, tlen);
        /* ... and writing the mapping does not change the file. */
        memset(m, 0x11, 4096);
        CHECK(seek(fd, 0, SEEK_SET) == 0 && read(fd, back, tn) == (long)tn, "read back");
        bool file_same = true;
        for (size_t i = 0; i < tn; i++)
            file_same &= back[i] == 0xee;
        CHECK(file_same, "a write to the private mapping reached the file");
        unmap(m, tlen);
    }
    if (!IS_ERR(m2))
        unmap(m2, 4096);
    /* Unlinked while mapped: the mapping lives on. */
    m = map_file(NULL, 4096, PROT_READ, fd, 0);
    close(fd);
    CHECK(unlink("/tmp/unixtest-map") == 0, "unlink");
    CHECK(!IS_ERR(m) && m[0] == 0xee && m[4095] == 0xee, "mapping of an unlinked file");
    if (!IS_ERR(m))
        unmap(m, 4096);
    free(t);
    free(back);

    /* Refusals. */
    int fds[2];
    CHECK(pipe(fds) == 0, "pipe");
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, fds[0], 0)), ENODEV, "map_file of a pipe");
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, 0, 0)), ENODEV, "map_file of the console");
    close(fds[0]);
    close(fds[1]);
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, 19, 0)), EBADF, "map_file of a closed fd");
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, -1, 0)), EBADF, "map_file of fd -1");
    fd = open("/tmp/unixtest-wo", O_WRONLY | O_CREAT | O_TRUNC, 0600);
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, fd, 0)), EACCES, "map_file of a write-only fd");
    close(fd);
    unlink("/tmp/unixtest-wo");
    fd = open("/bin/hello", O_RDONLY);
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, fd, 100)), EINVAL, "map_file at offset 100");
    CHECK_ERR(PTR_ERR(map_file(NULL, 0, PROT_READ, fd, 0)), EINVAL, "map_file of 0 bytes");
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, 0x80, fd, 0)), EINVAL, "map_file with bad prot");
    CHECK_ERR(PTR_ERR(map_file((void *)0x100000, 4096, PROT_READ, fd, 0)), EFAULT, "map_file over the kernel");
    CHECK_ERR(PTR_ERR(map_file(NULL, 4096, PROT_READ, fd, ~0xfffull)), EINVAL, "map_file at offset 2^64-4096");
    close(fd);
    if (!failures)
        printf("unixtest: mapfile: ok (initrd and /tmp files agree with read; private snapshots)\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        dprintf(2, "usage: unixtest dup2|fds|pipe|exec|execkeep|tmpfill|sparse|unlinkopen N|forkmany N|forklazy|mapfile\n");
        return 2;
    }
    test = argv[1];
    long n = 0;
    if (argc > 2 && strcmp(test, "execkept") != 0 && (parse_long(argv[2], &n) < 0 || n < 1 || n > 100000)) {
        dprintf(2, "unixtest: %s: bad count '%s'\n", test, argv[2]);
        return 2;
    }
    if (strcmp(test, "dup2") == 0)
        test_dup2();
    else if (strcmp(test, "fds") == 0)
        test_fds();
    else if (strcmp(test, "pipe") == 0)
        test_pipe();
    else if (strcmp(test, "exec") == 0)
        test_exec();
    else if (strcmp(test, "execkeep") == 0)
        test_execkeep();
    else if (strcmp(test, "execkept") == 0)
        test_execkept(argc, argv);
    else if (strcmp(test, "tmpfill") == 0)
        test_tmpfill();
    else if (strcmp(test, "sparse") == 0)
        test_sparse();
    else if (strcmp(test, "unlinkopen") == 0)
        test_unlinkopen(n ? (int)n : 1000);
    else if (strcmp(test, "forkmany") == 0)
        test_forkmany(n ? (int)n : 100);
    else if (strcmp(test, "forklazy") == 0)
        test_forklazy();
    else if (strcmp(test, "mapfile") == 0)
        test_mapfile();
    else {
        dprintf(2, "unixtest: unknown test '%s'\n", test);
        return 2;
    }
    return failures ? 1 : 0;
}
