/*
 * badptr: hostile arguments to every system call. Each call must fail with
 * a negative error and the kernel must survive. Prints one line per call,
 *     NAME = RESULT              e.g.  write(NULL) = -14
 * plus "badptr: ACCEPTED NAME" for a call that succeeded and "badptr: note:
 * NAME: expected -E, got -F" for an unexpected (but negative) code. Ends with
 *     badptr: all rejected                     (every call < 0)
 *     badptr: all error codes as expected      (and every code matched)
 * or "badptr: FAILED: N of M calls accepted".
 *
 * Pointers used: NULL; KPTR (0x100000, the kernel image, low half);
 * UNMAPPED (USER_START + 0x1000, never mapped); NONCANON (0x0000800000000000);
 * WRAP (0xfffffffffffffff0 with length 0x100: the range wraps past 2^64);
 * RODATA / TEXT (the program's own read-only segments, as output buffers);
 * STACKTOP (16 bytes below USER_END, length 0x100: runs off the top of the
 * user half); huge lengths (1 << 62) with a valid buffer; an unterminated
 * string / argv array ending at the end of a mapping (edge page).
 */
#include <ulib.h>

#define KPTR        ((void *)0x100000ul)
#define UNMAPPED    ((void *)(USER_START + 0x1000))
#define NONCANON    ((void *)0x0000800000000000ul)
#define WRAP        ((void *)0xfffffffffffffff0ul)
#define STACKTOP    ((void *)(USER_END - 16))
#define HUGE        (1ul << 62)
#define ANY         0           /* any negative code is fine */

static int total, accepted, unexpected;

static void check(const char *name, long r, long expect)
{
    total++;
    printf("%s = %ld\n", name, r);
    if (r >= 0) {
        accepted++;
        printf("badptr: ACCEPTED %s\n", name);
    } else if (expect != ANY && r != expect) {
        unexpected++;
        printf("badptr: note: %s: expected %ld, got %ld\n", name, expect, r);
    }
}

static const char ro_buf[512] = "read-only data";   /* .rodata */
static char bss_buf[4096];                          /* .bss: last page of the program */

/* A page from map() whose last bytes hold an unterminated string and an
 * argv array without its NULL (the page after it is not mapped). */
static char *edge_page;

static void setup_edge_page(void)
{
    char *p = map(NULL, 4096, PROT_READ | PROT_WRITE);
    if (IS_ERR(p)) {
        printf("badptr: map failed: %s (edge cases skipped)\n", errstr((int)PTR_ERR(p)));
        return;
    }
    /* If the next map lands right after, drop it so the page after is unmapped. */
    char *q = map(NULL, 4096, PROT_READ | PROT_WRITE);
    if (!IS_ERR(q) && q == p + 4096)
        unmap(q, 4096);
    edge_page = p;
}

/* The last 64 bytes of the edge page as a string without its NUL. */
static char *edge_string(void)
{
    memset(edge_page + 4096 - 64, 'a', 64);
    return edge_page + 4096 - 64;
}

/* The last 8 slots of the edge page as an argv array without its NULL. */
static char **edge_argv(void)
{
    char **argv = (char **)(edge_page + 4096 - 64);
    for (int i = 0; i < 8; i++)
        argv[i] = (char *)"x";
    return argv;
}

static void test_io(int fd)
{
    printf("-- write/read/cwrite\n");
    check("write(NULL)", write(FD_STDOUT, NULL, 10), -EFAULT);
    check("write(KPTR)", write(FD_STDOUT, KPTR, 10), -EFAULT);
    check("write(UNMAPPED)", write(FD_STDOUT, UNMAPPED, 10), -EFAULT);
    check("write(NONCANON)", write(FD_STDOUT, NONCANON, 10), -EFAULT);
    check("write(WRAP, 0x100)", write(FD_STDOUT, WRAP, 0x100), -EFAULT);
    check("write(STACKTOP, 0x100)", write(FD_STDOUT, STACKTOP, 0x100), -EFAULT);
    check("write(buf, 1<<62)", write(FD_STDOUT, bss_buf, HUGE), ANY);
    check("write(buf, -1)", write(FD_STDOUT, bss_buf, (size_t)-1), ANY);
    check("write(bad fd 999)", write(999, "x", 1), -EBADF);
    check("write(bad fd -1)", write(-1, "x", 1), -EBADF);

    check("cwrite(NULL)", cwrite(NULL, 10), -EFAULT);
    check("cwrite(KPTR)", cwrite(KPTR, 10), -EFAULT);
    check("cwrite(UNMAPPED)", cwrite(UNMAPPED, 10), -EFAULT);
    check("cwrite(NONCANON)", cwrite(NONCANON, 10), -EFAULT);
    check("cwrite(WRAP, 0x100)", cwrite(WRAP, 0x100), -EFAULT);
    check("cwrite(STACKTOP, 0x100)", cwrite(STACKTOP, 0x100), -EFAULT);
    check("cwrite(buf, 1<<62)", cwrite(bss_buf, HUGE), ANY);

    if (fd < 0) {
        printf("badptr: no file to read (read cases skipped)\n");
        return;
    }
    check("read(NULL)", read(fd, NULL, 10), -EFAULT);
    check("read(KPTR)", read(fd, KPTR, 10), -EFAULT);
    check("read(UNMAPPED)", read(fd, UNMAPPED, 10), -EFAULT);
    check("read(NONCANON)", read(fd, NONCANON, 10), -EFAULT);
    check("read(WRAP, 0x100)", read(fd, WRAP, 0x100), -EFAULT);
    check("read(STACKTOP, 0x100)", read(fd, STACKTOP, 0x100), -EFAULT);
    check("read(RODATA)", read(fd, (void *)ro_buf, 10), -EFAULT);
    check("read(TEXT)", read(fd, (void *)(uintptr_t)test_io, 10), -EFAULT);
    check("read(buf, 1<<62)", read(fd, bss_buf, HUGE), ANY);
    check("read(bad fd 999)", read(999, bss_buf, 10), -EBADF);
    check("seek(bad fd 999)", seek(999, 0, SEEK_SET), -EBADF);
    check("seek(fd, -100, SEEK_SET)", seek(fd, -100, SEEK_SET), -EINVAL);
    check("seek(fd, 0, whence 7)", seek(fd, 0, 7), -EINVAL);
    check("close(999)", close(999), -EBADF);
    check("close(-1)", close(-1), -EBADF);
}

static void test_paths(void)
{
    struct fs_stat st;
    struct fs_dirent d;

    printf("-- open/stat/readdir\n");
    check("open(NULL, O_RDONLY)", open(NULL, O_RDONLY), -EFAULT);
    check("open(KPTR, O_RDONLY)", open(KPTR, O_RDONLY), -EFAULT);
    check("open(UNMAPPED, O_RDONLY)", open(UNMAPPED, O_RDONLY), -EFAULT);
    check("open(NONCANON, O_RDONLY)", open(NONCANON, O_RDONLY), -EFAULT);
    check("open(WRAP, O_RDONLY)", open(WRAP, O_RDONLY), -EFAULT);
    if (edge_page)
        check("open(unterminated)", open(edge_string(), O_RDONLY), -EFAULT);

    check("stat(NULL, &st)", stat(NULL, &st), -EFAULT);
    check("stat(KPTR, &st)", stat(KPTR, &st), -EFAULT);
    check("stat(UNMAPPED, &st)", stat(UNMAPPED, &st), -EFAULT);
    check("stat(\"/\", NULL)", stat("/", NULL), -EFAULT);
    check("stat(\"/\", KPTR)", stat("/", KPTR), -EFAULT);
    check("stat(\"/\", UNMAPPED)", stat("/", UNMAPPED), -EFAULT);
    check("stat(\"/\", NONCANON)", stat("/", NONCANON), -EFAULT);
    check("stat(\"/\", WRAP)", stat("/", WRAP), -EFAULT);
    check("stat(\"/\", RODATA)", stat("/", (void *)ro_buf), -EFAULT);
    check("stat(\"/\", TEXT)", stat("/", (void *)(uintptr_t)test_paths), -EFAULT);

    check("readdir(NULL)", readdir(NULL, 0, &d), -EFAULT);
    check("readdir(KPTR)", readdir(KPTR, 0, &d), -EFAULT);
    check("readdir(\"/\", 0, NULL)", readdir("/", 0, NULL), -EFAULT);
    check("readdir(\"/\", 0, KPTR)", readdir("/", 0, KPTR), -EFAULT);
    check("readdir(\"/\", 0, UNMAPPED)", readdir("/", 0, UNMAPPED), -EFAULT);
    check("readdir(\"/\", 0, WRAP)", readdir("/", 0, WRAP), -EFAULT);
    check("readdir(\"/\", 0, RODATA)", readdir("/", 0, (void *)ro_buf), -EFAULT);
    check("readdir(\"/\", 1<<62, &d)", readdir("/", HUGE, &d), -ENOENT);
}

/* Reap a child a bad call may have started anyway. */
static void reap_if_started(long pid)
{
    if (pid > 0) {
        int st;
        wait((int)pid, &st);
    }
}

static void test_spawn_wait(void)
{
    char *ok_argv[] = { "exitcode", "0", NULL };
    char *kptr_argv[] = { "exitcode", KPTR, NULL };
    char *unmapped_argv[] = { "exitcode", UNMAPPED, NULL };
    long r;

    printf("-- spawn/wait\n");
    check("spawn(NULL)", r = spawn(NULL, ok_argv), -EFAULT);
    reap_if_started(r);
    check("spawn(KPTR)", r = spawn(KPTR, ok_argv), -EFAULT);
    reap_if_started(r);
    check("spawn(UNMAPPED)", r = spawn(UNMAPPED, ok_argv), -EFAULT);
    reap_if_started(r);
    check("spawn(WRAP)", r = spawn(WRAP, ok_argv), -EFAULT);
    reap_if_started(r);
    check("spawn(path, argv=KPTR)", r = spawn("/bin/exitcode", KPTR), -EFAULT);
    reap_if_started(r);
    check("spawn(path, argv=UNMAPPED)", r = spawn("/bin/exitcode", UNMAPPED), -EFAULT);
    reap_if_started(r);
    check("spawn(path, argv=WRAP)", r = spawn("/bin/exitcode", WRAP), -EFAULT);
    reap_if_started(r);
    check("spawn(path, argv[1]=KPTR)", r = spawn("/bin/exitcode", kptr_argv), -EFAULT);
    reap_if_started(r);
    check("spawn(path, argv[1]=UNMAPPED)", r = spawn("/bin/exitcode", unmapped_argv), -EFAULT);
    reap_if_started(r);
    if (edge_page) {
        check("spawn(unterminated path)", r = spawn(edge_string(), ok_argv), -EFAULT);
        reap_if_started(r);
        check("spawn(path, unterminated argv)",
              r = spawn("/bin/exitcode", edge_argv()), -EFAULT);
        reap_if_started(r);
    }
    check("spawn(\"/bin\")", r = spawn("/bin", ok_argv), ANY);
    reap_if_started(r);
    check("spawn(\"/etc/motd\")", r = spawn("/etc/motd", ok_argv), -ENOEXEC);
    reap_if_started(r);

    int st;
    check("wait(no such pid 54321)", wait(54321, &st), -ECHILD);
    check("wait(own pid)", wait(getpid(), &st), -ECHILD);
    int pid = spawn("/bin/exitcode", ok_argv);
    if (pid < 0) {
        printf("badptr: spawn /bin/exitcode failed: %s (wait cases skipped)\n", errstr(pid));
        return;
    }
    check("wait(pid, KPTR)", wait(pid, KPTR), -EFAULT);
    check("wait(pid, UNMAPPED)", wait(pid, UNMAPPED), -EFAULT);
    check("wait(pid, RODATA)", wait(pid, (int *)ro_buf), -EFAULT);
    check("wait(pid, WRAP)", wait(pid, WRAP), -EFAULT);
    r = wait(pid, &st);
    printf("badptr: child %d reaped: %ld (not counted)\n", pid, r);
}

static void test_memory(void)
{
    printf("-- map/unmap\n");
    check("map(len 0)", (long)map(NULL, 0, PROT_READ | PROT_WRITE), -EINVAL);
    void *p = map(NULL, HUGE, PROT_READ | PROT_WRITE);
    check("map(len 1<<62)", (long)p, ANY);
    if (!IS_ERR(p))
        unmap(p, HUGE);
    p = map(NULL, (size_t)-4096, PROT_READ | PROT_WRITE);
    check("map(len -4096)", (long)p, ANY);
    check("unmap(KPTR)", unmap(KPTR, 4096), ANY);
    check("unmap(UNMAPPED)", unmap(UNMAPPED, 4096), ANY);
    check("unmap(NONCANON)", unmap(NONCANON, 4096), ANY);
    check("unmap(WRAP)", unmap((void *)0xfffffffffffff000ul, 0x2000), ANY);
    if (edge_page)
        check("unmap(page + 1)", unmap(edge_page + 1, 4096), ANY);
}

static void test_numbers(void)
{
    printf("-- system call numbers\n");
    check("syscall(9999)", syscall(9999), -EINVAL);
    check("syscall(SYS_COUNT)", syscall(SYS_COUNT), -EINVAL);
    check("syscall(-1)", syscall(-1), -EINVAL);
    check("syscall(1<<32 | SYS_GETPID)", syscall((1l << 32) | SYS_GETPID), -EINVAL);
    printf("-- int $0x80\n");
    check("int80(9999)", syscall_int80(9999), -EINVAL);
    check("int80 write(KPTR)", syscall_int80(SYS_WRITE, FD_STDOUT, KPTR, 10), -EFAULT);
    check("int80 cwrite(WRAP)", syscall_int80(SYS_CWRITE, WRAP, 0x100), -EFAULT);
    check("int80 open(NULL, O_RDONLY)", syscall_int80(SYS_OPEN, NULL), -EFAULT);
    check("int80 stat(\"/\", KPTR)", syscall_int80(SYS_STAT, "/", KPTR), -EFAULT);
}

int main(int argc, char **argv)
{
    printf("badptr: pid %d\n", getpid());
    setup_edge_page();
    int fd = open("/etc/motd", O_RDONLY);
    if (fd < 0)
        fd = open("/bin/hello", O_RDONLY);
    test_io(fd);
    if (fd >= 0)
        close(fd);
    test_paths();
    test_spawn_wait();
    test_memory();
    test_numbers();
    /* Last, because a kernel that truncates the number to 32 bits exits here. */
    check("syscall(1<<32 | SYS_EXIT)", syscall((1l << 32) | SYS_EXIT, 77), -EINVAL);

    if (accepted) {
        printf("badptr: FAILED: %d of %d calls accepted\n", accepted, total);
        return 1;
    }
    printf("badptr: all rejected\n");
    if (unexpected)
        printf("badptr: %d of %d calls returned an unexpected error code (see notes)\n",
               unexpected, total);
    else
        printf("badptr: all error codes as expected\n");
    return 0;
}
