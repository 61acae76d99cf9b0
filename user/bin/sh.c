/*
 * /sh: the user shell.
 *
 * Prompt "user# ". A line holds commands separated by `&`: every command
 * followed by `&` starts in the background, the last one (if no `&` ends
 * the line) runs in the foreground and the shell waits for it and for the
 * processes it started (its job: a JOS program's forked children
 * included). Words are separated by spaces or tabs; double quotes group
 * words. A name without '/' runs /bin/<name>.
 *
 * Built in:
 *     exit [status]    leave the shell
 *     wait             wait for every background job
 *     kill PID         destroy a job the shell started (sys_env_destroy)
 *
 * After a command the shell reports an abnormal end:
 *     sh: NAME: command not found
 *     sh: NAME: killed by signal N
 *     sh: NAME: exit status N         (nonzero only)
 *     sh: NAME: ERROR                 (spawn failed for another reason)
 * and, before the next prompt, background jobs that have finished:
 *     [N] done NAME                   (or: [N] NAME: killed by signal N)
 */
#include <ulib.h>
#include <argv.h>

#define LINE_MAX    256
#define MAX_WORDS   32      /* more than spawn accepts: the kernel says E2BIG */
#define MAX_JOBS    16
#define PROMPT      "user# "

struct job {
    int pid;                /* 0: free slot */
    char name[32];
};

static struct job jobs[MAX_JOBS];

/* Report how a command ended, if it did not end well. */
static void status_report(const char *prefix, const char *name, int status)
{
    if (WIFSIGNALED(status))
        printf("%s%s: killed by signal %d\n", prefix, name, WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        printf("%s%s: exit status %d\n", prefix, name, WEXITSTATUS(status));
}

/* Start argv[0] (a path, or a name in /bin): its pid, or -1 after saying why. */
static int start(char **argv)
{
    char path[SYSCALL_PATH_MAX];
    const char *name = argv[0];

    if (strchr(name, '/')) {
        if (strlcpy(path, name, sizeof(path)) >= sizeof(path)) {
            printf("sh: %s: %s\n", name, errstr(-ENAMETOOLONG));
            return -1;
        }
    } else if ((size_t)snprintf(path, sizeof(path), "/bin/%s", name) >= sizeof(path)) {
        printf("sh: %s: %s\n", name, errstr(-ENAMETOOLONG));
        return -1;
    }
    int pid = spawn(path, argv);
    if (pid == -ENOENT || pid == -ENOTDIR) {
        printf("sh: %s: command not found\n", name);
        return -1;
    }
    if (pid < 0) {
        printf("sh: %s: %s\n", name, errstr(pid));
        return -1;
    }
    return pid;
}

static void run_foreground(char **argv)
{
    int pid = start(argv);
    if (pid < 0)
        return;
    int status;
    int r = waitpid(pid, &status, WJOB);
    if (r < 0) {
        printf("sh: %s: wait: %s\n", argv[0], errstr(r));
        return;
    }
    status_report("sh: ", argv[0], status);
}

static void run_background(char **argv)
{
    int slot = 0;
    while (slot < MAX_JOBS && jobs[slot].pid)
        slot++;
    if (slot == MAX_JOBS) {
        printf("sh: %s: too many background jobs (max %d); type wait\n", argv[0], MAX_JOBS);
        return;
    }
    int pid = start(argv);
    if (pid < 0)
        return;
    jobs[slot].pid = pid;
    strlcpy(jobs[slot].name, argv[0], sizeof(jobs[slot].name));
    printf("[%d] %d\n", slot + 1, pid);
}

/* Collect background jobs that have ended (all of them if block). */
static void jobs_reap(int options)
{
    for (int i = 0; i < MAX_JOBS; i++) {
        if (!jobs[i].pid)
            continue;
        int status;
        int r = waitpid(jobs[i].pid, &status, options | WJOB);
        if (r == 0)
            continue;           /* WNOHANG: still running */
        if (r < 0) {
            printf("[%d] %s: wait: %s\n", i + 1, jobs[i].name, errstr(r));
        } else if (WIFSIGNALED(status) || WEXITSTATUS(status) != 0) {
            char prefix[16];
            snprintf(prefix, sizeof(prefix), "[%d] ", i + 1);
            status_report(prefix, jobs[i].name, status);
        } else {
            printf("[%d] done %s\n", i + 1, jobs[i].name);
        }
        jobs[i].pid = 0;
    }
}

static void builtin_kill(int argc, char **argv)
{
    long pid;
    if (argc != 2 || parse_long(argv[1], &pid) < 0 || pid <= 0) {
        printf("usage: kill PID\n");
        return;
    }
    int r = kill((int)pid);
    if (r < 0)
        printf("sh: kill %ld: %s\n", pid, errstr(r));
}

/* Run one command (words[0..n), NULL-terminated by the caller). Returns
 * false for `exit` (with *code set). */
static bool run(int n, char **words, bool background, int *code)
{
    if (strcmp(words[0], "exit") == 0) {
        long c = 0;
        if (n > 1 && parse_long(words[1], &c) < 0) {
            printf("sh: exit: bad status '%s'\n", words[1]);
            return true;
        }
        *code = (int)c;
        return false;
    }
    if (strcmp(words[0], "wait") == 0) {
        jobs_reap(0);
        return true;
    }
    if (strcmp(words[0], "kill") == 0) {
        builtin_kill(n, words);
        return true;
    }
    if (background)
        run_background(words);
    else
        run_foreground(words);
    return true;
}

/* Split off a trailing '&' glued to a word ("prog&"): words[] has room. */
static int ampersands_split(char **words, int nw, int max)
{
    for (int i = 0; i < nw; i++) {
        size_t len = strlen(words[i]);
        if (len > 1 && words[i][len - 1] == '&' && nw < max) {
            words[i][len - 1] = '\0';
            for (int j = nw; j > i + 1; j--)
                words[j] = words[j - 1];
            words[i + 1] = "&";
            nw++;
            i++;
        }
    }
    words[nw] = NULL;
    return nw;
}

int main(int argc, char **argv)
{
    static char line[LINE_MAX];
    char *words[MAX_WORDS + 1];

    for (;;) {
        jobs_reap(WNOHANG);
        printf("%s", PROMPT);
        long n = readline(line, sizeof(line));
        if (n == -E2BIG) {
            printf("sh: line too long (max %d characters); ignored\n", LINE_MAX - 1);
            continue;
        }
        if (n < 0) {
            printf("sh: cannot read the console: %s\n", errstr((int)n));
            return 1;
        }
        int nw = argv_split(line, words, MAX_WORDS);
        if (nw == -E2BIG) {
            printf("sh: too many words (max %d)\n", MAX_WORDS);
            continue;
        }
        if (nw == -EINVAL) {
            printf("sh: unterminated quote\n");
            continue;
        }
        nw = ampersands_split(words, nw, MAX_WORDS);
        /* Commands separated by '&': each before an '&' runs in the background. */
        for (int start = 0; start < nw;) {
            int end = start;
            while (end < nw && strcmp(words[end], "&") != 0)
                end++;
            bool background = end < nw;
            words[end] = NULL;
            int code;
            if (end > start && !run(end - start, words + start, background, &code))
                return code;
            start = end + 1;
        }
    }
}
