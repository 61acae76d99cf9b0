/*
 * Trace events as strace prints them (include/trace_format.h): names,
 * argument types and result kinds all come from SYSCALL_LIST
 * (uapi/syscall.h). Strings and buffers are escaped and cut at 32 bytes
 * ("..."), flags decoded, pointers in hex.
 */
#include <trace_format.h>
#include <compiler.h>
#include <fmt.h>
#include <string.h>
#include <errstr.h>
#include <signame.h>
#include <uapi/syscall.h>
#include <uapi/fs.h>
#include <uapi/pte.h>

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

/* One line, built up in the caller's buffer. */
struct out {
    char *buf;
    size_t size, n;
};

static void put(struct out *o, const char *fmt, ...) __printf(2, 3);
static void put(struct out *o, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(o->buf + o->n, o->size - o->n, fmt, ap);
    va_end(ap);
    if (n > 0)
        o->n = MIN(o->n + (size_t)n, o->size - 1);
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

/* " = result", the '=' in column TRACE_FORMAT_COLUMN if the call is shorter. */
static void put_result(struct out *o, const struct trace_event *ev)
{
    if (o->n < TRACE_FORMAT_COLUMN)
        put(o, "%*s", (int)(TRACE_FORMAT_COLUMN - o->n), "");
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

size_t trace_event_format(const struct trace_event *ev, char *buf, size_t size)
{
    struct out o = { buf, size, 0 };
    buf[0] = '\0';
    switch (ev->kind) {
    case TRACE_SYSCALL:
        if (ev->nr >= SYS_COUNT) {
            put(&o, "syscall_%u(%#lx, %#lx, %#lx)", ev->nr, ev->args[0], ev->args[1], ev->args[2]);
        } else {
            put(&o, "%s(", names[ev->nr]);
            for (int i = 0; i < 5 && types[ev->nr][i] != SA_NONE; i++) {
                put(&o, "%s", i ? ", " : "");
                put_arg(&o, ev, i, types[ev->nr][i]);
            }
            put(&o, ")");
        }
        put_result(&o, ev);
        break;
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
    return o.n;
}

const char *trace_syscall_name(unsigned nr)
{
    return nr < SYS_COUNT ? names[nr] : NULL;
}
