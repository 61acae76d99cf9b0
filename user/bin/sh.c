/*
 * /sh: the user shell.
 *
 *   sh                 read commands from the console (prompt "user# "), or
 *                      from standard input when that is not the console
 *   sh -c 'LINE'       run one command line and exit with its status
 *
 * A line is a list of pipelines separated by `;` (run one after the other)
 * or `&` (run in the background). A pipeline is commands joined by `|`.
 * A command is words and redirections: `< FILE`, `> FILE`, `>> FILE`,
 * `2> FILE`. Words are separated by blanks; 'single quotes' keep
 * everything, "double quotes" keep everything but $?, which is the exit
 * status of the last foreground pipeline; a backslash keeps the next
 * character. A name without '/' runs /bin/<name>. There is no working
 * directory (paths are absolute; a relative one is taken from /).
 *
 * A command has at most 16 words (what exec takes), the name included.
 *
 * Each command runs in a process of its own made with fork and exec (xv6
 * and the 6.828 lecture's way); a pipeline is one job (process group): the
 * shell waits for its processes and for whatever they started.
 *
 * On the console the shell edits its lines with readline (user/lib/
 * readline.c: arrows, Home/End, Delete, Ctrl-A/E/U/K, history with up and
 * down), and does job control: the console's foreground group is the
 * running foreground job's, so Ctrl-C (SIGINT) interrupts that job, in
 * cooked mode; the shell itself ignores SIGINT, and Ctrl-C while it edits
 * abandons the line. A non-interactive shell (sh -c, a script on standard
 * input) that leads the foreground job hands the console to its own jobs
 * the same way, and stops (status 130) when one of them is interrupted.
 *
 * Built in: exit [STATUS], wait (every background job), kill PID.
 *
 * Reports: "sh: NAME: command not found", "sh: NAME: killed by signal N
 * (SIGNAME)", "sh: NAME: exit status N" (nonzero), and for background jobs
 * that ended, before the next prompt, "[N] done NAME" (or its status).
 */
#include <ulib.h>

#define LINE_MAX    LINEEDIT_LINE_MAX
#define MAX_WORDS   SYSCALL_ARGV_MAX    /* words of one command: what exec takes */
#define MAX_CMDS    8           /* commands in one pipeline */
#define MAX_JOBS    16
#define PROMPT      "user# "

struct cmd {
    char *argv[MAX_WORDS + 1];
    int argc;
    char *in, *out, *err;       /* redirections, or NULL */
    bool append;                /* out with >> */
};

struct pipeline {
    struct cmd cmd[MAX_CMDS];
    int n;
    bool background;
};

struct job {
    int pids[MAX_CMDS];         /* 0: done or free */
    int n;
    char name[32];
};

/* Whether the shell moves the console's foreground group with its jobs. */
enum job_control { JOB_CONTROL_OFF, JOB_CONTROL_ON };

static struct job jobs[MAX_JOBS];
static int last_status;         /* $? */
static char words_buf[LINE_MAX * 2];    /* the words of the line being run */
static bool interactive;        /* reading the console: prompts, editing */
static enum job_control job_control;
static int shell_pgid;          /* the shell's group (with job control) */
static int fg_at_start;         /* the foreground group found at start, given back at exit */
static bool sigint_ignored;     /* we ignore SIGINT: our children must not */

/* ---- reporting ---- */

static void status_report(const char *prefix, const char *name, int status)
{
    if (WIFSIGNALED(status))
        dprintf(2, "%s%s: killed by signal %d (%s)\n", prefix, name, WTERMSIG(status),
                signame(WTERMSIG(status)));
    else if (WEXITSTATUS(status) != 0 && WEXITSTATUS(status) != 126 && WEXITSTATUS(status) != 127)
        dprintf(2, "%s%s: exit status %d\n", prefix, name, WEXITSTATUS(status));
    /* 126 and 127: the shell's child has said why already (cannot run, not found) */
}

static int exit_code_of(int status)
{
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
}

/* ---- the lexer and parser ---- */

enum tok { T_WORD, T_PIPE, T_IN, T_OUT, T_APPEND, T_ERR, T_SEMI, T_AMP, T_END, T_BAD };

struct lexer {
    const char *p;
    char *out;                  /* where the next word's characters go */
    char *end;
    const char *error;
};

/* The next token; a word's text (NUL-terminated) is at *word. */
static enum tok lex(struct lexer *lx, char **word)
{
    while (*lx->p == ' ' || *lx->p == '\t')
        lx->p++;
    char c = *lx->p;
    switch (c) {
    case '\0': return T_END;
    case '|': lx->p++; return T_PIPE;
    case ';': lx->p++; return T_SEMI;
    case '&': lx->p++; return T_AMP;
    case '<': lx->p++; return T_IN;
    case '>':
        lx->p++;
        if (*lx->p == '>') {
            lx->p++;
            return T_APPEND;
        }
        return T_OUT;
    case '2':
        if (lx->p[1] == '>') {
            lx->p += 2;
            return T_ERR;
        }
        break;
    }
    *word = lx->out;
    char quote = 0;
    for (;;) {
        c = *lx->p;
        if (c == '\0') {
            if (quote) {
                lx->error = "unterminated quote";
                return T_BAD;
            }
            break;
        }
        if (!quote && strchr(" \t|;&<>", c))
            break;
        lx->p++;
        if (quote == '\'' && c != '\'') {
            /* literal */
        } else if (c == '\'' || c == '"') {
            if (!quote) {
                quote = c;
                continue;
            }
            if (quote == c) {
                quote = 0;
                continue;
            }
        } else if (c == '\\' && quote != '\'' && *lx->p) {
            c = *lx->p++;
        } else if (c == '$' && *lx->p == '?' && quote != '\'') {
            lx->p++;
            char num[12];
            int n = snprintf(num, sizeof(num), "%d", last_status);
            if (lx->out + n >= lx->end) {
                lx->error = "line too long";
                return T_BAD;
            }
            memcpy(lx->out, num, (size_t)n);
            lx->out += n;
            continue;
        }
        if (lx->out + 1 >= lx->end) {
            lx->error = "line too long";
            return T_BAD;
        }
        *lx->out++ = c;
    }
    *lx->out++ = '\0';
    return T_WORD;
}

/* Parse one pipeline; *sep is the token that ended it (T_SEMI, T_AMP or
 * T_END). false with an error message printed. */
static bool parse_pipeline(struct lexer *lx, struct pipeline *pl, enum tok *sep)
{
    memset(pl, 0, sizeof(*pl));
    struct cmd *c = &pl->cmd[0];
    pl->n = 1;
    for (;;) {
        char *w;
        enum tok t = lex(lx, &w);
        switch (t) {
        case T_WORD:
            if (c->argc == MAX_WORDS) {
                dprintf(2, "sh: too many arguments (at most %d words, the command's name included)\n",
                        MAX_WORDS);
                return false;
            }
            c->argv[c->argc++] = w;
            break;
        case T_IN: case T_OUT: case T_APPEND: case T_ERR:
            if (lex(lx, &w) != T_WORD) {
                dprintf(2, "sh: %s\n", lx->error ? lx->error : "a redirection needs a file name");
                return false;
            }
            if (t == T_IN)
                c->in = w;
            else if (t == T_ERR)
                c->err = w;
            else {
                c->out = w;
                c->append = t == T_APPEND;
            }
            break;
        case T_PIPE:
            if (c->argc == 0) {
                dprintf(2, "sh: a pipe needs a command on each side\n");
                return false;
            }
            if (pl->n == MAX_CMDS) {
                dprintf(2, "sh: too many commands in one pipeline (max %d)\n", MAX_CMDS);
                return false;
            }
            c = &pl->cmd[pl->n++];
            break;
        case T_BAD:
            dprintf(2, "sh: %s\n", lx->error);
            return false;
        default:    /* T_SEMI, T_AMP, T_END */
            if (c->argc == 0 && (pl->n > 1 || c->in || c->out || c->err)) {
                dprintf(2, "sh: a command is missing\n");
                return false;
            }
            pl->background = t == T_AMP;
            *sep = t;
            return true;
        }
    }
}

/* ---- running commands ---- */

/* In the child: apply one redirection (open path, dup2 onto fd). */
static void redirect(const char *path, int flags, int fd)
{
    int f = open(path, flags, 0644);
    if (f < 0) {
        dprintf(2, "sh: %s: %s\n", path, errstr(f));
        exit(1);
    }
    if (f != fd) {
        dup2(f, fd);
        close(f);
    }
}

/* In the child: redirections, then exec; never returns. */
static __noreturn void child_exec(struct cmd *c)
{
    char path[SYSCALL_PATH_MAX];
    if (c->in)
        redirect(c->in, O_RDONLY, 0);
    if (c->out)
        redirect(c->out, O_WRONLY | O_CREAT | (c->append ? O_APPEND : O_TRUNC), 1);
    if (c->err)
        redirect(c->err, O_WRONLY | O_CREAT | O_TRUNC, 2);
    const char *name = c->argv[0];
    if ((strchr(name, '/') ? strlcpy(path, name, sizeof(path))
                           : (size_t)snprintf(path, sizeof(path), "/bin/%s", name)) >= sizeof(path)) {
        dprintf(2, "sh: %s: %s\n", name, errstr(-ENAMETOOLONG));
        exit(127);
    }
    int err = exec(path, c->argv);
    if (err == -ENOENT || err == -ENOTDIR) {
        dprintf(2, "sh: %s: command not found\n", name);
        exit(127);
    }
    dprintf(2, "sh: %s: %s\n", name, errstr(err));
    exit(126);
}

static bool builtin(struct cmd *c, bool *quit);

/* Wait for a pipeline's processes: each in turn, the last one also for
 * everything its job started. Returns the last one's status. */
static int pipeline_wait(int *pids, int n, const char *name)
{
    int status = 0;
    for (int i = 0; i < n; i++) {
        if (!pids[i])
            continue;
        int st;
        int r = waitpid(pids[i], &st, i == n - 1 ? WJOB : 0);
        if (r < 0) {
            dprintf(2, "sh: %s: wait: %s\n", name, errstr(r));
            st = WAIT_EXITED(1);
        }
        if (i == n - 1)
            status = st;
    }
    return status;
}

static void job_add(int *pids, int n, const char *name)
{
    for (int j = 0; j < MAX_JOBS; j++) {
        if (jobs[j].n == 0) {
            memcpy(jobs[j].pids, pids, sizeof(int) * (size_t)n);
            jobs[j].n = n;
            strlcpy(jobs[j].name, name, sizeof(jobs[j].name));
            printf("[%d] %d\n", j + 1, pids[n - 1]);
            return;
        }
    }
    /* No slot: wait now, as for a foreground one. */
    dprintf(2, "sh: %s: too many background jobs (max %d); waiting for it\n", name, MAX_JOBS);
    pipeline_wait(pids, n, name);
}

/* Collect background jobs that have ended (all of them, waiting, if block). */
static void jobs_reap(bool block)
{
    for (int j = 0; j < MAX_JOBS; j++) {
        struct job *jb = &jobs[j];
        if (jb->n == 0)
            continue;
        if (!block) {
            int st;
            int r = waitpid(jb->pids[jb->n - 1], &st, WNOHANG | WJOB);
            if (r == 0)
                continue;
            jb->pids[jb->n - 1] = 0;
            if (r > 0 && (WIFSIGNALED(st) || WEXITSTATUS(st))) {
                char prefix[16];
                snprintf(prefix, sizeof(prefix), "[%d] ", j + 1);
                status_report(prefix, jb->name, st);
                pipeline_wait(jb->pids, jb->n, jb->name);
                jb->n = 0;
                continue;
            }
        }
        int st = pipeline_wait(jb->pids, jb->n, jb->name);
        if (WIFSIGNALED(st) || WEXITSTATUS(st)) {
            char prefix[16];
            snprintf(prefix, sizeof(prefix), "[%d] ", j + 1);
            status_report(prefix, jb->name, st);
        } else {
            printf("[%d] done %s\n", j + 1, jb->name);
        }
        jb->n = 0;
    }
}

/* ---- job control ---- */

/* Take the console's foreground, if we may: an interactive shell always
 * (in a group of its own, ignoring SIGINT), a non-interactive one only
 * when it leads the foreground job (sh -c typed at a prompt). */
static void job_control_start(void)
{
    int fg = console_fg(FD_STDIN, 0);
    if (fg < 0)
        return;                 /* standard input is not the console */
    if (interactive) {
        signal_ignore();
        sigint_ignored = true;
        setpgid(0, 0);
    } else if (fg != getpid()) {
        return;                 /* not ours to move */
    }
    shell_pgid = getpid();
    if (console_fg(FD_STDIN, shell_pgid) < 0)
        return;
    fg_at_start = fg;
    job_control = JOB_CONTROL_ON;
}

/* Give the foreground back to the group that had it (if it still may
 * have it: it is refused when that group is not ours). */
static void job_control_end(void)
{
    if (job_control == JOB_CONTROL_ON && fg_at_start)
        console_fg(FD_STDIN, fg_at_start);
}

/* Run a pipeline; false if the shell should exit (`exit`). */
static bool run_pipeline(struct pipeline *pl, bool *quit)
{
    if (pl->cmd[0].argc == 0)
        return true;
    if (pl->n == 1 && !pl->background && builtin(&pl->cmd[0], quit))
        return !*quit;
    int pids[MAX_CMDS] = { 0 };
    int prev_read = -1, leader = 0;
    bool fg_job = !pl->background && job_control == JOB_CONTROL_ON;
    if (fg_job)
        console_mode(FD_STDIN, CONSOLE_COOKED);     /* what a program reading lines expects */
    for (int i = 0; i < pl->n; i++) {
        int fds[2] = { -1, -1 };
        if (i < pl->n - 1 && pipe(fds) < 0) {
            dprintf(2, "sh: pipe: out of descriptors or memory\n");
            break;
        }
        int pid = fork();
        if (pid == 0) {
            setpgid(0, leader);
            if (sigint_ignored)
                signal_default();
            if (fg_job)             /* as the parent does: whoever runs first */
                console_fg(FD_STDIN, leader ? leader : getpid());
            if (prev_read >= 0) {
                dup2(prev_read, 0);
                close(prev_read);
            }
            if (fds[1] >= 0) {
                dup2(fds[1], 1);
                close(fds[1]);
                close(fds[0]);
            }
            child_exec(&pl->cmd[i]);
        }
        if (pid < 0) {
            dprintf(2, "sh: fork: %s\n", errstr(pid));
        } else {
            if (!leader)
                leader = pid;
            setpgid(pid, leader);       /* also here: no race with the child */
            if (fg_job && i == 0)
                console_fg(FD_STDIN, leader);
            pids[i] = pid;
        }
        if (prev_read >= 0)
            close(prev_read);
        if (fds[1] >= 0)
            close(fds[1]);
        prev_read = fds[0];
        if (pid < 0)
            break;
    }
    if (prev_read >= 0)
        close(prev_read);
    const char *name = pl->cmd[pl->n - 1].argv[0];
    if (pl->background) {
        job_add(pids, pl->n, pl->cmd[0].argv[0]);
        return true;
    }
    int status = pipeline_wait(pids, pl->n, name);
    if (fg_job)
        console_fg(FD_STDIN, shell_pgid);
    status_report("sh: ", name, status);
    last_status = exit_code_of(status);
    /* A script stops when Ctrl-C interrupted one of its commands. */
    if (!interactive && WIFSIGNALED(status) && WTERMSIG(status) == SIGINT) {
        *quit = true;
        return false;
    }
    return true;
}

static bool builtin(struct cmd *c, bool *quit)
{
    const char *name = c->argv[0];
    if (strcmp(name, "exit") == 0) {
        long code = last_status;
        if (c->argc > 2 || (c->argc == 2 && parse_long(c->argv[1], &code) < 0)) {
            dprintf(2, "sh: exit: usage: exit [STATUS]\n");
            last_status = 2;
            return true;
        }
        last_status = (int)code;
        *quit = true;
        return true;
    }
    if (strcmp(name, "wait") == 0) {
        jobs_reap(true);
        last_status = 0;
        return true;
    }
    if (strcmp(name, "kill") == 0) {
        long pid;
        if (c->argc != 2 || parse_long(c->argv[1], &pid) < 0 || pid <= 0) {
            dprintf(2, "sh: kill: usage: kill PID\n");
            last_status = 2;
            return true;
        }
        int r = kill((int)pid);
        if (r < 0)
            dprintf(2, "sh: kill %ld: %s\n", pid, errstr(r));
        last_status = r < 0;
        return true;
    }
    if (strcmp(name, "cd") == 0) {
        dprintf(2, "sh: cd: there is no working directory (use absolute paths)\n");
        last_status = 1;
        return true;
    }
    return false;
}

/* Run one line; false if the shell should exit. */
static bool run_line(const char *line)
{
    struct lexer lx = { .p = line, .out = words_buf, .end = words_buf + sizeof(words_buf) };
    static struct pipeline pl;
    for (;;) {
        enum tok sep;
        if (!parse_pipeline(&lx, &pl, &sep)) {
            last_status = 2;
            return true;
        }
        bool quit = false;
        if (!run_pipeline(&pl, &quit))
            return false;
        if (sep == T_END)
            return true;
    }
}

/* A line from standard input when it is not the console (a script, a
 * pipe): the length, or -1 at the end. */
static long line_read_fd(char *buf, size_t n)
{
    size_t len = 0;
    for (;;) {
        char c;
        long r = read(0, &c, 1);
        if (r <= 0)
            return len ? (long)len : -1;
        if (c == '\n')
            break;
        if (len + 1 < n)
            buf[len++] = c;
    }
    buf[len] = '\0';
    return (long)len;
}

/* Read and run lines from the console until `exit`. */
static int shell_interactive(void)
{
    static char line[LINE_MAX];
    for (;;) {
        jobs_reap(false);
        int st = readline(PROMPT, line, sizeof(line));
        if (st == LINEEDIT_TOO_LONG) {
            dprintf(2, "sh: line too long (max %d characters); ignored\n", LINE_MAX - 1);
            continue;
        }
        if (st == LINEEDIT_CANCEL)
            continue;           /* Ctrl-C: the line is abandoned, a new prompt */
        if (st == LINEEDIT_EOF) {
            dprintf(2, "\nsh: use \"exit\" to leave the shell\n");
            continue;
        }
        if (st < 0) {
            dprintf(2, "sh: cannot read the console: %s\n", errstr(st));
            return 1;
        }
        if (!run_line(line))
            return last_status;
    }
}

/* Read and run lines from a standard input that is not the console. */
static int shell_script(void)
{
    static char line[LINE_MAX];
    for (;;) {
        jobs_reap(false);
        if (line_read_fd(line, sizeof(line)) < 0) {
            jobs_reap(true);
            return last_status;
        }
        if (!run_line(line))
            return last_status;
    }
}

int main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "-c") == 0) {
        if (argc != 3) {
            dprintf(2, "usage: sh [-c LINE]\n");
            return 2;
        }
        job_control_start();
        run_line(argv[2]);
        job_control_end();
        return last_status;
    }
    struct fs_stat st;
    interactive = fstat(0, &st) == 0 && st.type == FS_TYPE_CHAR;
    job_control_start();
    int status = interactive ? shell_interactive() : shell_script();
    job_control_end();
    return status;
}
