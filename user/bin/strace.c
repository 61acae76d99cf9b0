/*
 * strace [-f] PROG [ARGS...]: run PROG and print every system call it
 * makes, one per line, on standard error:
 *
 *     write(1, "Hello, world!\n", 14)         = 14
 *     open("/tmp/x", O_RDWR|O_CREAT|O_EXCL, 0600) = -1 EEXIST (Already exists or overlaps)
 *
 * Names and argument types come from the one table of uapi/syscall.h, the
 * same the kernel dispatches with. Strings and buffers are escaped and cut
 * at 32 bytes ("..."), flags decoded, pointers in hex. -f follows the
 * processes PROG starts, each line of theirs with a "[pid N] " prefix.
 * Signals and upcalls show as "--- SIGSEGV {...} ---", the end as
 * "+++ exited with N +++" or "+++ killed by SIGN +++".
 *
 * How: a pipe; the child asks the kernel to trace it into the pipe's write
 * end (SYS_TRACE, uapi/trace.h) and execs PROG; strace reads the events
 * from the read end until every traced process has gone.
 */
#include <ulib.h>
#include <uapi/trace.h>
#include <uapi/pte.h>

#define COLUMN 40               /* where " = result" goes, as strace's */

static const char *const names[SYS_COUNT] = {
#define NAME_(NAME, name, ret, a0, a1, a2, a3, a4, doc) [SYS_##NAME] = #name,
    SYSCALL_LIST(NAME_)
#undef NAME_
};
static const uint8_t rets[SYS_COUNT] = {
#define RET_(NAME, name, ret, a0, a1, a2, a3, a4, doc) [SYS_##NAME] = ret,
    SYSCALL_LIST(RET_)
#undef RET_
};
static const uint8_t types[SYS_COUNT][5] = {
#define TYPES_(NAME, name, ret, a0, a1, a2, a3, a4, doc) [SYS_##NAME] = { a0, a1, a2, a3, a4 },
    SYSCALL_LIST(TYPES_)
#undef TYPES_
};

/* One output line, built up and written at once. */
struct out {
    char buf[512];
    size_t n;
};

static void put(struct out *o, const char *fmt, ...) __printf(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->n, sizeof(o->buf) - o->n, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->n = MIN(o->n + (size_t)n, sizeof(o->buf) - 1);
}

/* A string or buffer, C-escaped and quoted; "..." if it was cut. */
static void put_bytes(struct out *o, const char *s, size_t len, bool cut)
{
    put(o, "\"");
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '\n': put(o, "\\n"); break;
        case '\t': put(o, "\\t"); break;
        case '\r': put(o, "\\r"); break;
        case '"':  put(o, "\\\""); break;
        case '\\': put(o, "\\\\"); break;
        case '\v': put(o, "\\v"); break;
        case '\f': put(o, "\\f"); break;
        default:
            /* Octal as strace: as short as it can be, three digits when
             * an octal digit follows (\0 then '1' would read as \01). */
            if (c >= 0x20 && c < 0x7f)
                put(o, "%c", c);
            else if (i + 1 < len && s[i + 1] >= '0' && s[i + 1] <= '7')
                put(o, "\\%03o", c);
            else
                put(o, "\\%o", c);
        }
    }
    put(o, "\"%s", cut ? "..." : "");
}

struct flag {
    uint64_t bit;
    const char *name;
};

static void put_oflags(struct out *o, uint64_t v)
{
    static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE" };
    static const struct flag f[] = {
        { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" }, { O_APPEND, "O_APPEND" },
    };
    put(o, "%s", acc[v & O_ACCMODE]);
    v &= ~(uint64_t)O_ACCMODE;
    for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
        if (v & f[i].bit) {
            put(o, "|%s", f[i].name);
            v &= ~f[i].bit;
        }
    }
    if (v)
        put(o, "|%#lx", v);
}

static void put_bitset(struct out *o, uint64_t v, const struct flag *f, size_t nf, const char *zero)
{
    if (v == 0) {
        put(o, "%s", zero);
        return;
    }
    const char *sep = "";
    for (size_t i = 0; i < nf; i++) {
        if (v & f[i].bit) {
            put(o, "%s%s", sep, f[i].name);
            v &= ~f[i].bit;
            sep = "|";
        }
    }
    if (v)
        put(o, "%s%#lx", sep, v);
}

static void put_arg(struct out *o, const struct trace_event *ev, int i, int type)
{
    uint64_t v = ev->args[i];
    const struct trace_arg *a = &ev->arg[i];
    bool bad = a->flags & TRACE_ARG_BAD;
    static const struct flag prot[] = { { PROT_READ, "PROT_READ" }, { PROT_WRITE, "PROT_WRITE" },
                                        { PROT_EXEC, "PROT_EXEC" } };
    static const struct flag waitopt[] = { { WNOHANG, "WNOHANG" }, { WJOB, "WJOB" } };
    static const struct flag perm[] = { { PTE_P, "PTE_P" }, { PTE_W, "PTE_W" }, { PTE_U, "PTE_U" },
                                        { PTE_COW, "PTE_COW" }, { 0x200, "PTE_AVAIL0" },
                                        { 0x400, "PTE_AVAIL1" } };
    switch (type) {
    case SA_INT:   put(o, "%ld", (long)v); break;
    case SA_UINT:
    case SA_LEN:   put(o, "%lu", v); break;
    case SA_FD:
    case SA_PID:   put(o, "%d", (int)v); break;
    case SA_ENVID: put(o, "%d", (int)v); break;        /* = the pid */
    case SA_MODE:  put(o, "%#lo", v); break;
    case SA_OFLAGS: put_oflags(o, v); break;
    case SA_PROT:  put_bitset(o, v, prot, ARRAY_SIZE(prot), "PROT_NONE"); break;
    case SA_WAITOPT: put_bitset(o, v, waitopt, ARRAY_SIZE(waitopt), "0"); break;
    case SA_PERM:  put_bitset(o, v, perm, ARRAY_SIZE(perm), "0"); break;
    case SA_WHENCE:
        put(o, "%s", v == SEEK_SET ? "SEEK_SET" : v == SEEK_CUR ? "SEEK_CUR" : v == SEEK_END ? "SEEK_END" : "?");
        break;
    case SA_STR:
    case SA_BUF_IN:
        if (bad)
            put(o, "%#lx", v);
        else
            put_bytes(o, ev->data + a->off, a->len, a->flags & TRACE_ARG_CUT);
        break;
    case SA_BUF_OUT:
        if (ev->result > 0 && !bad)
            put_bytes(o, ev->data + a->off, a->len, a->flags & TRACE_ARG_CUT);
        else
            put(o, "%#lx", v);
        break;
    case SA_ARGV: {
        if (!v || bad) {
            put(o, v ? "%#lx" : "NULL", v);
            break;
        }
        put(o, "[");
        const char *s = ev->data + a->off;
        for (int k = 0; k < a->count; k++) {
            put(o, "%s", k ? ", " : "");
            put_bytes(o, s, strlen(s), a->flags & TRACE_ARGV_CUT(k));
            s += strlen(s) + 1;
        }
        put(o, "%s]", (a->flags & TRACE_ARGV_MORE) ? ", ..." : "");
        break;
    }
    case SA_FDPAIR:
        if (ev->result == 0 && !bad && a->len == 2 * sizeof(int)) {
            int fds[2];
            memcpy(fds, ev->data + a->off, sizeof(fds));
            put(o, "[%d, %d]", fds[0], fds[1]);
        } else {
            put(o, "%#lx", v);
        }
        break;
    default:       put(o, v ? "%#lx" : "NULL", v); break;
    }
}

/* " = result", the '=' in column COLUMN if the call is shorter. */
static void put_result(struct out *o, const struct trace_event *ev)
{
    if (o->n < COLUMN)
        put(o, "%*s", (int)(COLUMN - o->n), "");
    else
        put(o, " ");
    long r = (long)ev->result;
    int ret = ev->nr < SYS_COUNT ? rets[ev->nr] : SR_INT;
    bool self_destroy = ev->nr == SYS_ENV_DESTROY && ((int)ev->args[0] == 0 || (int)ev->args[0] == ev->pid);
    if ((ret == SR_NONE && (ev->nr == SYS_EXIT || r >= 0)) || self_destroy) {
        put(o, "= ?");
        return;
    }
    if (r < 0 && r > -4096) {
        const char *d = errstr((int)r);
        put(o, "= -1 %s (%c%s)", errname((int)r), d[0] >= 'a' && d[0] <= 'z' ? d[0] - 32 : d[0], d + 1);
    } else if (ret == SR_PTR) {
        put(o, "= %#lx", (unsigned long)r);
    } else {
        put(o, "= %ld", r);
    }
}

static void show(const struct trace_event *ev, int first_pid, bool follow)
{
    struct out o = { .n = 0 };
    if (follow && ev->pid != first_pid)
        put(&o, "[pid %d] ", ev->pid);
    switch (ev->kind) {
    case TRACE_SYSCALL: {
        /* The call on its own first: the result's column counts from its
         * start, as strace's does after a [pid N] prefix. */
        struct out call = { .n = 0 };
        if (ev->nr >= SYS_COUNT) {
            put(&call, "syscall_%u(%#lx, %#lx, %#lx)", ev->nr, ev->args[0], ev->args[1], ev->args[2]);
        } else {
            put(&call, "%s(", names[ev->nr]);
            for (int i = 0; i < 5 && types[ev->nr][i] != SA_NONE; i++) {
                put(&call, "%s", i ? ", " : "");
                put_arg(&call, ev, i, types[ev->nr][i]);
            }
            put(&call, ")");
        }
        put_result(&call, ev);
        put(&o, "%.*s", (int)call.n, call.buf);
        break;
    }
    case TRACE_SIGNAL:
        put(&o, "--- %s {si_signo=%s, si_addr=", signame((int)ev->result), signame((int)ev->result));
        put(&o, ev->addr ? "%#lx} ---" : "NULL} ---", ev->addr);
        break;
    case TRACE_UPCALL:
        put(&o, "--- page-fault upcall {va=%#lx, err=%#lx} ---", ev->addr, ev->code);
        break;
    case TRACE_EXIT:
        if (WIFSIGNALED(ev->result))
            put(&o, "+++ killed by %s +++", signame(WTERMSIG(ev->result)));
        else
            put(&o, "+++ exited with %d +++", (int)WEXITSTATUS(ev->result));
        break;
    default:
        put(&o, "--- unknown event %u ---", ev->kind);
    }
    put(&o, "\n");
    write_all(2, o.buf, o.n);
}

/* Read exactly n bytes (an event may arrive in pieces): true, or false at
 * the end of the pipe. */
static bool read_full(int fd, void *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long r = read(fd, (char *)buf + done, n - done);
        if (r <= 0)
            return false;
        done += (size_t)r;
    }
    return true;
}

int main(int argc, char **argv)
{
    bool follow = false;
    int i = 1;
    if (i < argc && strcmp(argv[i], "-f") == 0) {
        follow = true;
        i++;
    }
    if (i >= argc) {
        dprintf(2, "usage: strace [-f] PROG [ARGS...]\n");
        return 2;
    }
    char path[SYSCALL_PATH_MAX];
    if ((strchr(argv[i], '/') ? strlcpy(path, argv[i], sizeof(path))
                              : (size_t)snprintf(path, sizeof(path), "/bin/%s", argv[i])) >= sizeof(path)) {
        dprintf(2, "strace: %s: %s\n", argv[i], errstr(-ENAMETOOLONG));
        return 2;
    }
    int fds[2];
    int r = pipe(fds);
    if (r < 0) {
        dprintf(2, "strace: pipe: %s\n", errstr(r));
        return 1;
    }
    int pid = fork();
    if (pid == 0) {
        close(fds[0]);
        r = trace(fds[1], TRACE_FROM_EXEC | (follow ? TRACE_FOLLOW : 0));
        close(fds[1]);
        if (r < 0) {
            dprintf(2, "strace: trace: %s\n", errstr(r));
            exit(1);
        }
        r = exec(path, argv + i);
        dprintf(2, "strace: exec %s: %s\n", path, errstr(r));
        exit(127);
    }
    close(fds[1]);
    if (pid < 0) {
        dprintf(2, "strace: fork: %s\n", errstr(pid));
        return 1;
    }
    static struct trace_event ev;
    while (read_full(fds[0], &ev, sizeof(ev)))
        show(&ev, pid, follow);
    close(fds[0]);
    int status;
    if (wait(pid, &status) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
