/*
 * The monitor for user programs (include/monitor.h, docs/monitor.md).
 *
 * A stop prints one line (where, why) and reads commands from the console
 * with the shells' line editor until one resumes the program. It runs in
 * the stopped process's thread, in the trap that stopped it, with
 * interrupts on: memory is read through the process's own address space
 * as user code would see it (the user half only, never a kernel-only
 * region: uaccess_copy's exception-table path makes an unmapped address
 * an error, never a kernel fault).
 *
 * Planted breakpoints: `break` writes int3 (0xCC) over the first byte of
 * an instruction through process_aspace_write's debugger mode, which
 * gives the page a private frame first if another mapping shares it (the
 * text is read-only, and may be shared copy-on-write with a fork). When
 * the program reaches one, the trap's rip is one past it: rip goes back
 * to the breakpoint. Resuming from a breakpoint's address puts the
 * original byte back, single-steps that one instruction with the trap
 * flag, writes int3 again at the next trap (replant) and goes on.
 *
 * Invariants: outside a step (step NONE) every set breakpoint's byte in
 * memory is 0xCC; during one, only `replant`'s holds its original byte,
 * and the trap flag in the frame is the monitor's.
 */
#include <monitor.h>
#include <proc.h>
#include <usyms.h>
#include <aspace.h>
#include <console.h>
#include <lineedit.h>
#include <usercopy.h>
#include <uaccess.h>
#include <heap.h>
#include <mm.h>
#include <log.h>
#include <fmt.h>
#include <argv.h>
#include <string.h>
#include <errstr.h>
#include <arch/trap.h>
#include <arch/cpu.h>
#include <uapi/console.h>
#include <uapi/signal.h>
#include <uapi/syscall.h>
#include <uapi/fs.h>
#include <uapi/errno.h>

#define MONITOR_PROMPT      "monitor> "
#define MONITOR_BREAKPOINTS 8
#define MONITOR_ARGS        3       /* words of a command, its name included */
#define MONITOR_X_DEFAULT   4       /* words `x` shows without a count */
#define MONITOR_X_MAX       64      /* ... at most */
#define MONITOR_BT_MAX      32      /* frames `bt` shows */
#define MONITOR_WHERE_MAX   80      /* " <symbol+0x...>" */
#define INSN_INT3           0xCC

struct monitor_bp {
    uint64_t addr;
    uint8_t orig;               /* the byte int3 replaced */
    bool set;
};

enum monitor_step {
    MONITOR_STEP_NONE,
    MONITOR_STEP_STOP,          /* `step`: stop after one instruction */
    MONITOR_STEP_RESUME,        /* stepping over a breakpoint for `continue` */
};

struct monitor {
    char path[FS_PATH_MAX];     /* the program file (symbols) */
    struct usyms syms;
    bool syms_tried;            /* usyms_load ran: syms is what there is */
    struct monitor_bp bp[MONITOR_BREAKPOINTS];
    enum monitor_step step;
    uint64_t replant;           /* breakpoint to write again after the step; 0: none */
    struct lineedit ed;
    struct lineedit_history hist;
};

/* One stop: what the commands work on. */
struct monitor_stop {
    struct process *p;
    struct monitor *m;
    struct trap_frame *tf;
};

/* What a command asks of the stop. */
enum monitor_next {
    MONITOR_NEXT_STAY,          /* read another command */
    MONITOR_NEXT_CONTINUE,
    MONITOR_NEXT_STEP,
    MONITOR_NEXT_KILL,
};

/* ---- attaching ---- */

int monitor_attach(struct process *p, const char *path)
{
    struct monitor *m = kzalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    strlcpy(m->path, path, sizeof(m->path));
    lineedit_init(&m->ed, &m->hist, console_line_echo, NULL);
    p->monitor = m;
    return 0;
}

void monitor_release(struct process *p)
{
    struct monitor *m = p->monitor;
    if (!m)
        return;
    usyms_free(&m->syms);
    kfree(m);
    p->monitor = NULL;
}

void monitor_exec(struct process *p, const char *path)
{
    struct monitor *m = p->monitor;
    if (!m)
        return;
    usyms_free(&m->syms);
    m->syms_tried = false;
    memset(m->bp, 0, sizeof(m->bp));
    m->step = MONITOR_STEP_NONE;
    m->replant = 0;
    strlcpy(m->path, path, sizeof(m->path));
}

void monitor_fork(struct process *parent, struct process *child, uint64_t va, uint64_t len)
{
    struct monitor *m = parent->monitor;
    if (!m)
        return;
    for (int i = 0; i < MONITOR_BREAKPOINTS; i++) {
        struct monitor_bp *bp = &m->bp[i];
        if (!bp->set || bp->addr - va >= len)
            continue;
        int err = process_aspace_write(child->as, bp->addr, &bp->orig, 1, PROCESS_WRITE_POKE);
        if (err)
            kprintf("monitor: pid %d's copy keeps the int3 of breakpoint %d at %#lx: %s\n",
                    child->pid, i + 1, bp->addr, errstr(err));
    }
}

/* ---- symbols and user memory ---- */

/* The program's symbols, loaded at the first need (a failure is said
 * once; the monitor works without names). */
static const struct usyms *monitor_syms(struct monitor *m)
{
    if (!m->syms_tried) {
        const char *why = NULL;
        m->syms_tried = true;
        int err = usyms_load(m->path, &m->syms, &why);
        if (err)
            kprintf("monitor: no symbols from %s: %s\n", m->path, why ? why : errstr(err));
    }
    return &m->syms;
}

/* " <symbol+0xoff>" for addr into buf (empty if no symbol covers it). */
static const char *monitor_where(struct monitor *m, uint64_t addr, char *buf, size_t size)
{
    uint64_t off;
    const char *name = usyms_lookup(monitor_syms(m), addr, &off);
    buf[0] = '\0';
    if (name && off)
        snprintf(buf, size, " <%s+%#lx>", name, off);
    else if (name)
        snprintf(buf, size, " <%s>", name);
    return buf;
}

/* Read len bytes at va of p's memory with the program's rights: its user
 * half, outside kernel-only regions. 0; else *bad is the first address
 * that could not be read and the error says why: -EPERM (outside the
 * user half: a kernel address), -EACCES (a kernel-only region), -EFAULT
 * (nothing mapped, or the page cannot be read). buf may be partly filled. */
static int monitor_user_read(struct process *p, uint64_t va, void *buf, size_t len, uint64_t *bad)
{
    size_t done = 0;
    while (done < len) {
        uint64_t at = va + done;
        size_t piece = (size_t)MIN((uint64_t)(len - done), PAGE_SIZE - (at & (PAGE_SIZE - 1)));
        struct region r;
        *bad = at;
        if (!user_range_ok(at, piece))
            return -EPERM;
        if (aspace_region_query(p->as, at, REGION_QUERY_AT, &r) < 0)
            return -EFAULT;
        if (r.flags & REGION_KERN)
            return -EACCES;
        if (uaccess_copy((uint8_t *)buf + done, (const void *)at, piece))
            return -EFAULT;
        done += piece;
    }
    return 0;
}

/* Say why monitor_user_read failed, as command `who`'s error. */
static void monitor_read_error(const char *who, int err, uint64_t bad)
{
    if (err == -EPERM)
        kprintf("%s: %#lx is not a user address (the program cannot read the kernel, nor can its monitor)\n",
                who, bad);
    else if (err == -EACCES)
        kprintf("%s: %#lx is in a kernel-only region\n", who, bad);
    else
        kprintf("%s: %#lx: nothing the program can read is mapped there\n", who, bad);
}

/* The stopped program's registers by name, for $NAME in addresses. */
static const struct { const char *name; size_t off; } monitor_regs[] = {
    { "rip", offsetof(struct trap_frame, rip) }, { "rsp", offsetof(struct trap_frame, rsp) },
    { "rbp", offsetof(struct trap_frame, rbp) }, { "rax", offsetof(struct trap_frame, rax) },
    { "rbx", offsetof(struct trap_frame, rbx) }, { "rcx", offsetof(struct trap_frame, rcx) },
    { "rdx", offsetof(struct trap_frame, rdx) }, { "rsi", offsetof(struct trap_frame, rsi) },
    { "rdi", offsetof(struct trap_frame, rdi) }, { "r8", offsetof(struct trap_frame, r8) },
    { "r9", offsetof(struct trap_frame, r9) },   { "r10", offsetof(struct trap_frame, r10) },
    { "r11", offsetof(struct trap_frame, r11) }, { "r12", offsetof(struct trap_frame, r12) },
    { "r13", offsetof(struct trap_frame, r13) }, { "r14", offsetof(struct trap_frame, r14) },
    { "r15", offsetof(struct trap_frame, r15) },
};

/* Parse an address: a number (decimal, or hex with 0x), a symbol of the
 * program, or $REG, a register of the stop (as in GDB: x $rsp). 0 and
 * *addr, or -EINVAL after saying why. */
static int monitor_addr_parse(struct monitor_stop *st, const char *who, const char *s, uint64_t *addr)
{
    unsigned long long v;
    if (str_to_u64(s, &v) == 0) {
        *addr = v;
        return 0;
    }
    if (s[0] == '$') {
        for (size_t i = 0; i < ARRAY_SIZE(monitor_regs); i++)
            if (strcmp(s + 1, monitor_regs[i].name) == 0) {
                *addr = *(const uint64_t *)((const char *)st->tf + monitor_regs[i].off);
                return 0;
            }
        kprintf("%s: '%s' is not a register (rip, rsp, rbp, rax ... r15)\n", who, s);
        return -EINVAL;
    }
    if (usyms_address(monitor_syms(st->m), s, addr) == 0)
        return 0;
    kprintf("%s: '%s' is neither a number, a symbol of the program nor a $register\n", who, s);
    return -EINVAL;
}

/* ---- breakpoints ---- */

/* The index of the set breakpoint at addr, or -1. */
static int monitor_bp_find(const struct monitor *m, uint64_t addr)
{
    for (int i = 0; i < MONITOR_BREAKPOINTS; i++)
        if (m->bp[i].set && m->bp[i].addr == addr)
            return i;
    return -1;
}

/* Write one byte of p's code (the debugger's write). 0, -EFAULT, -ENOMEM. */
static int monitor_code_poke(struct process *p, uint64_t addr, uint8_t byte)
{
    return process_aspace_write(p->as, addr, &byte, 1, PROCESS_WRITE_POKE);
}

/* Write int3 again at the breakpoint a step went over. If that fails
 * (out of memory) the breakpoint is dropped, with a message: the memory
 * holds its original byte, which keeps the invariant. */
static void monitor_replant(struct process *p, struct monitor *m)
{
    int i = monitor_bp_find(m, m->replant);
    if (i >= 0 && monitor_code_poke(p, m->replant, INSN_INT3) < 0) {
        kprintf("monitor: cannot plant breakpoint %d at %#lx again (out of memory): deleted\n",
                i + 1, m->replant);
        m->bp[i].set = false;
    }
    m->replant = 0;
}

/* Undo what `read` shows of planted breakpoints: buf holds len bytes read
 * at va, with the program's own bytes where int3s were planted. */
static void monitor_bp_hide(const struct monitor *m, uint64_t va, uint8_t *buf, size_t len)
{
    for (int i = 0; i < MONITOR_BREAKPOINTS; i++)
        if (m->bp[i].set && m->bp[i].addr - va < len)
            buf[m->bp[i].addr - va] = m->bp[i].orig;
}

/* ---- commands ---- */

static enum monitor_next monitor_cmd_help(struct monitor_stop *s, int argc, char **argv);

static enum monitor_next monitor_cmd_regs(struct monitor_stop *s, int argc, char **argv)
{
    char where[MONITOR_WHERE_MAX];
    const struct trap_frame *tf = s->tf;
    kprintf("RIP 0x%016lx%s\n", tf->rip, monitor_where(s->m, tf->rip, where, sizeof(where)));
    kprintf("RFLAGS %#lx  CS %#lx  SS %#lx\n", tf->rflags, tf->cs, tf->ss);
    trap_regs_print(tf);
    return MONITOR_NEXT_STAY;
}

static enum monitor_next monitor_cmd_x(struct monitor_stop *s, int argc, char **argv)
{
    uint64_t addr, bad;
    unsigned long long count = MONITOR_X_DEFAULT;
    char where[MONITOR_WHERE_MAX];
    if (argc < 2) {
        kprintf("usage: x ADDR|SYMBOL [N]\n");
        return MONITOR_NEXT_STAY;
    }
    if (monitor_addr_parse(s, "x", argv[1], &addr) < 0)
        return MONITOR_NEXT_STAY;
    if (argc > 2 && (str_to_u64(argv[2], &count) < 0 || count < 1 || count > MONITOR_X_MAX)) {
        kprintf("x: the count must be 1..%d (8-byte words)\n", MONITOR_X_MAX);
        return MONITOR_NEXT_STAY;
    }
    for (unsigned long long i = 0; i < count; i += 2) {
        uint64_t va = addr + i * 8, w[2];
        size_t n = count - i >= 2 ? 2 : 1;
        int err = monitor_user_read(s->p, va, w, n * 8, &bad);
        if (err) {
            monitor_read_error("x", err, bad);
            break;
        }
        monitor_bp_hide(s->m, va, (uint8_t *)w, n * 8);
        kprintf("0x%016lx%s:", va, monitor_where(s->m, va, where, sizeof(where)));
        for (size_t k = 0; k < n; k++)
            kprintf("  0x%016lx", w[k]);
        kprintf("\n");
    }
    return MONITOR_NEXT_STAY;
}

/* One backtrace line. */
static void monitor_bt_line(struct monitor *m, int n, uint64_t rip)
{
    char where[MONITOR_WHERE_MAX];
    kprintf("#%-2d 0x%016lx%s\n", n, rip, monitor_where(m, rip, where, sizeof(where)));
}

static enum monitor_next monitor_cmd_bt(struct monitor_stop *s, int argc, char **argv)
{
    uint64_t fp = s->tf->rbp, bad, off, ret;
    int n = 0;
    monitor_bt_line(s->m, n++, s->tf->rip);
    /* At a function's first instruction its frame is not built yet: the
     * return address is at rsp, and rbp is still the caller's. */
    if (usyms_lookup(monitor_syms(s->m), s->tf->rip, &off) && off == 0) {
        int err = monitor_user_read(s->p, s->tf->rsp, &ret, 8, &bad);
        if (err) {
            monitor_read_error("bt", err, bad);
            return MONITOR_NEXT_STAY;
        }
        monitor_bt_line(s->m, n++, ret);
    }
    while (fp && n < MONITOR_BT_MAX) {
        uint64_t frame[2];          /* the saved rbp, the return address */
        int err = monitor_user_read(s->p, fp, frame, sizeof(frame), &bad);
        if (err) {
            kprintf("bt: the frame pointer %#lx leads nowhere readable: the walk stops\n", fp);
            break;
        }
        if (!frame[1])
            break;
        monitor_bt_line(s->m, n++, frame[1]);
        if (frame[0] && frame[0] <= fp) {
            kprintf("bt: the next frame pointer %#lx is not above %#lx: the walk stops\n",
                    frame[0], fp);
            break;
        }
        fp = frame[0];
    }
    if (fp && n == MONITOR_BT_MAX)
        kprintf("bt: (%d frames shown, the walk stops)\n", MONITOR_BT_MAX);
    return MONITOR_NEXT_STAY;
}

/* `break` alone: the breakpoints set. */
static void monitor_bp_list(struct monitor *m)
{
    char where[MONITOR_WHERE_MAX];
    bool any = false;
    for (int i = 0; i < MONITOR_BREAKPOINTS; i++) {
        if (!m->bp[i].set)
            continue;
        kprintf("breakpoint %d at %#lx%s\n", i + 1, m->bp[i].addr,
                monitor_where(m, m->bp[i].addr, where, sizeof(where)));
        any = true;
    }
    if (!any)
        kprintf("no breakpoints\n");
}

/* Can a breakpoint go at addr: user code, nothing there yet? 0, or -EINVAL
 * after saying why not. */
static int monitor_bp_check(struct monitor_stop *s, uint64_t addr, int *slot)
{
    struct region r;
    if (!user_range_ok(addr, 1)) {
        kprintf("break: %#lx is not a user address (the kernel's code is not the program's)\n", addr);
        return -EINVAL;
    }
    if (aspace_region_query(s->p->as, addr, REGION_QUERY_AT, &r) < 0) {
        kprintf("break: %#lx: nothing is mapped there\n", addr);
        return -EINVAL;
    }
    if ((r.flags & REGION_KERN) || !(r.flags & REGION_EXEC)) {
        kprintf("break: %#lx is not in the program's code (region %#lx-%#lx is not executable)\n",
                addr, r.va_start, region_end(&r));
        return -EINVAL;
    }
    if ((*slot = monitor_bp_find(s->m, addr)) >= 0) {
        kprintf("break: breakpoint %d is already at %#lx\n", *slot + 1, addr);
        return -EINVAL;
    }
    for (*slot = 0; *slot < MONITOR_BREAKPOINTS; (*slot)++)
        if (!s->m->bp[*slot].set)
            return 0;
    kprintf("break: all %d breakpoints are in use (delete one)\n", MONITOR_BREAKPOINTS);
    return -EINVAL;
}

static enum monitor_next monitor_cmd_break(struct monitor_stop *s, int argc, char **argv)
{
    uint64_t addr, bad;
    uint8_t orig;
    char where[MONITOR_WHERE_MAX];
    int slot, err;
    if (argc < 2) {
        monitor_bp_list(s->m);
        return MONITOR_NEXT_STAY;
    }
    if (monitor_addr_parse(s, "break", argv[1], &addr) < 0 || monitor_bp_check(s, addr, &slot) < 0)
        return MONITOR_NEXT_STAY;
    if ((err = monitor_user_read(s->p, addr, &orig, 1, &bad)) < 0) {
        monitor_read_error("break", err, bad);
        return MONITOR_NEXT_STAY;
    }
    if (orig == INSN_INT3) {
        kprintf("break: the program has an int3 of its own at %#lx\n", addr);
        return MONITOR_NEXT_STAY;
    }
    if ((err = monitor_code_poke(s->p, addr, INSN_INT3)) < 0) {
        kprintf("break: cannot write the int3 at %#lx: %s\n", addr, errstr(err));
        return MONITOR_NEXT_STAY;
    }
    s->m->bp[slot] = (struct monitor_bp){ .addr = addr, .orig = orig, .set = true };
    kprintf("breakpoint %d at %#lx%s\n", slot + 1, addr, monitor_where(s->m, addr, where, sizeof(where)));
    return MONITOR_NEXT_STAY;
}

static enum monitor_next monitor_cmd_delete(struct monitor_stop *s, int argc, char **argv)
{
    unsigned long long n;
    if (argc < 2 || str_to_u64(argv[1], &n) < 0 || n < 1 || n > MONITOR_BREAKPOINTS ||
        !s->m->bp[n - 1].set) {
        kprintf("delete: give the number of a breakpoint ('break' lists them)\n");
        return MONITOR_NEXT_STAY;
    }
    struct monitor_bp *bp = &s->m->bp[n - 1];
    int err = monitor_code_poke(s->p, bp->addr, bp->orig);
    if (err < 0) {
        kprintf("delete: cannot restore the byte at %#lx: %s\n", bp->addr, errstr(err));
        return MONITOR_NEXT_STAY;
    }
    bp->set = false;
    kprintf("deleted breakpoint %llu at %#lx\n", n, bp->addr);
    return MONITOR_NEXT_STAY;
}

static enum monitor_next monitor_cmd_step(struct monitor_stop *s, int argc, char **argv)
{
    return MONITOR_NEXT_STEP;
}

static enum monitor_next monitor_cmd_continue(struct monitor_stop *s, int argc, char **argv)
{
    return MONITOR_NEXT_CONTINUE;
}

static enum monitor_next monitor_cmd_kill(struct monitor_stop *s, int argc, char **argv)
{
    return MONITOR_NEXT_KILL;
}

struct monitor_cmd {
    const char *name, *alias;
    const char *usage, *help;
    enum monitor_next (*fn)(struct monitor_stop *s, int argc, char **argv);
};

static const struct monitor_cmd monitor_cmds[] = {
    { "help",     NULL, "help",               "this list", monitor_cmd_help },
    { "regs",     NULL, "regs",               "the program's registers", monitor_cmd_regs },
    { "x",        NULL, "x ADDR|SYMBOL|$REG [N]", "N 8-byte words of the program's memory at ADDR "
                                              "(default 4, at most 64)", monitor_cmd_x },
    { "bt",       NULL, "bt",                 "backtrace: walk the frame pointers", monitor_cmd_bt },
    { "break",    "b",  "break [ADDR|SYMBOL|$REG]", "plant an int3 at ADDR; alone: list the breakpoints",
      monitor_cmd_break },
    { "delete",   NULL, "delete N",           "remove breakpoint N", monitor_cmd_delete },
    { "step",     "s",  "step",               "run one instruction, then stop", monitor_cmd_step },
    { "continue", "c",  "continue",           "let the program run on", monitor_cmd_continue },
    { "kill",     NULL, "kill",               "end the program (killed by signal 9)", monitor_cmd_kill },
};

static enum monitor_next monitor_cmd_help(struct monitor_stop *s, int argc, char **argv)
{
    kprintf("Monitor commands (numbers: decimal, or hex with 0x):\n");
    for (size_t i = 0; i < ARRAY_SIZE(monitor_cmds); i++) {
        const struct monitor_cmd *c = &monitor_cmds[i];
        kprintf("  %-20s %s%s%s\n", c->usage, c->help, c->alias ? "; also " : "",
                c->alias ? c->alias : "");
    }
    return MONITOR_NEXT_STAY;
}

/* Run one command line. */
static enum monitor_next monitor_line_run(struct monitor_stop *s, char *line)
{
    char *argv[MONITOR_ARGS + 1];
    int argc = argv_split(line, argv, MONITOR_ARGS);
    if (argc == -E2BIG) {
        kprintf("monitor: too many words (a command takes at most %d arguments)\n", MONITOR_ARGS - 1);
        return MONITOR_NEXT_STAY;
    }
    if (argc == -EINVAL) {
        kprintf("monitor: unterminated quote\n");
        return MONITOR_NEXT_STAY;
    }
    if (argc <= 0)
        return MONITOR_NEXT_STAY;
    for (size_t i = 0; i < ARRAY_SIZE(monitor_cmds); i++) {
        const struct monitor_cmd *c = &monitor_cmds[i];
        if (strcmp(argv[0], c->name) == 0 || (c->alias && strcmp(argv[0], c->alias) == 0))
            return c->fn(s, argc, argv);
    }
    kprintf("monitor: unknown command '%s' (try 'help')\n", argv[0]);
    return MONITOR_NEXT_STAY;
}

/* ---- stopping and resuming ---- */

/* Set the frame up for what the person chose. A resume from a planted
 * breakpoint's address first puts the program's byte back and steps over
 * it (monitor_trap writes int3 again). 0, or the error of that write (the
 * program stays stopped). */
static int monitor_resume(struct monitor_stop *s, enum monitor_next next)
{
    struct monitor *m = s->m;
    int i = monitor_bp_find(m, s->tf->rip);
    if (i >= 0) {
        int err = monitor_code_poke(s->p, s->tf->rip, m->bp[i].orig);
        if (err < 0) {
            kprintf("monitor: cannot step over breakpoint %d: %s\n", i + 1, errstr(err));
            return err;
        }
        m->replant = s->tf->rip;
    }
    if (next == MONITOR_NEXT_STEP || i >= 0) {
        m->step = next == MONITOR_NEXT_STEP ? MONITOR_STEP_STOP : MONITOR_STEP_RESUME;
        s->tf->rflags |= RFLAGS_TF;
    }
    return 0;
}

/* Stop: say where and why, read commands until one resumes the program.
 * Returns to let it run on through tf; kill exits (never returns). A
 * process killed meanwhile (Ctrl-C cannot: the monitor takes it as a line
 * editor's) returns at once and dies on its way out. */
static void monitor_stop(struct process *p, struct trap_frame *tf, const char *why)
{
    struct monitor_stop s = { .p = p, .m = p->monitor, .tf = tf };
    char where[MONITOR_WHERE_MAX];
    enum monitor_next next = MONITOR_NEXT_STAY;

    sti();              /* the console's input and other threads go on */
    uint32_t mode = console_mode_get();
    console_mode_set(mode & ~(uint32_t)CONSOLE_ISIG);    /* Ctrl-C edits the line */
    kprintf("monitor: %s (pid %d) stopped at %#lx%s: %s\n", p->name, p->pid, tf->rip,
            monitor_where(s.m, tf->rip, where, sizeof(where)), why);
    while (next == MONITOR_NEXT_STAY) {
        enum console_line_status st = console_line_read(&s.m->ed, MONITOR_PROMPT,
                                                        CONSOLE_WAIT_INTERRUPTIBLE);
        if (st == CONSOLE_LINE_INTERRUPTED) {
            kprintf("monitor: %s (pid %d) was killed while stopped\n", p->name, p->pid);
            break;
        }
        if (st == CONSOLE_LINE_TOO_LONG) {
            kprintf("monitor: line too long (max %d characters); ignored\n", LINEEDIT_LINE_MAX - 1);
            continue;
        }
        lineedit_history_add(&s.m->hist, s.m->ed.buf);
        next = monitor_line_run(&s, s.m->ed.buf);
        if ((next == MONITOR_NEXT_STEP || next == MONITOR_NEXT_CONTINUE) && monitor_resume(&s, next) < 0)
            next = MONITOR_NEXT_STAY;
    }
    console_mode_set(mode);
    if (next == MONITOR_NEXT_KILL) {
        kprintf("monitor: killing %s (pid %d)\n", p->name, p->pid);
        process_exit(WAIT_SIGNALED(SIGKILL));
    }
    cli();              /* the trap's way out expects them off */
}

enum monitor_verdict monitor_trap(struct process *p, struct trap_frame *tf)
{
    struct monitor *m = p->monitor;
    char why[32];
    if (!m || (tf->vector != VEC_BP && tf->vector != VEC_DB))
        return MONITOR_PASS;
    if (p->killed)
        return MONITOR_TAKEN;       /* it exits on its way out */
    /* Any trap ends a step of the monitor's (an int3 stepped onto too). */
    enum monitor_step step = m->step;
    if (step != MONITOR_STEP_NONE) {
        tf->rflags &= ~RFLAGS_TF;
        m->step = MONITOR_STEP_NONE;
        if (m->replant)
            monitor_replant(p, m);
    }
    if (tf->vector == VEC_DB && step == MONITOR_STEP_RESUME)
        return MONITOR_TAKEN;       /* over the breakpoint: run on */
    if (tf->vector == VEC_DB && step == MONITOR_STEP_STOP) {
        monitor_stop(p, tf, "step");
        return MONITOR_TAKEN;
    }
    int i = tf->vector == VEC_BP ? monitor_bp_find(m, tf->rip - 1) : -1;
    if (i >= 0) {
        tf->rip--;                  /* int3 is a trap: rip is past it */
        snprintf(why, sizeof(why), "breakpoint %d", i + 1);
        monitor_stop(p, tf, why);
        return MONITOR_TAKEN;
    }
    if (p->sig_handler > SIG_IGN && !p->in_handler)
        return MONITOR_PASS;        /* the program's own SIGTRAP handler wins */
    monitor_stop(p, tf, tf->vector == VEC_BP ? "int3 in the program" : "trap flag set by the program");
    return MONITOR_TAKEN;
}
