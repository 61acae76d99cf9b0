/*
 * /sh: the user shell.
 *
 * Prompt "user# ", one command per line: words separated by spaces or tabs,
 * double quotes group words. A name without '/' runs /bin/<name>. Built in:
 * `exit [status]`. After a command the shell reports an abnormal end:
 *     sh: NAME: command not found
 *     sh: NAME: killed by signal N
 *     sh: NAME: exit status N         (nonzero only)
 *     sh: NAME: ERROR                 (spawn failed for another reason)
 */
#include <ulib.h>
#include <argv.h>

#define LINE_MAX    256
#define MAX_WORDS   32      /* more than spawn accepts: the kernel says E2BIG */
#define PROMPT      "user# "

static void run(int argc, char **argv)
{
    char path[SYSCALL_PATH_MAX];
    const char *name = argv[0];

    if (strchr(name, '/')) {
        if (strlcpy(path, name, sizeof(path)) >= sizeof(path)) {
            printf("sh: %s: %s\n", name, errstr(-ENAMETOOLONG));
            return;
        }
    } else if ((size_t)snprintf(path, sizeof(path), "/bin/%s", name) >= sizeof(path)) {
        printf("sh: %s: %s\n", name, errstr(-ENAMETOOLONG));
        return;
    }

    int pid = spawn(path, argv);
    if (pid == -ENOENT || pid == -ENOTDIR) {
        printf("sh: %s: command not found\n", name);
        return;
    }
    if (pid < 0) {
        printf("sh: %s: %s\n", name, errstr(pid));
        return;
    }
    int status;
    int r = wait(pid, &status);
    if (r < 0) {
        printf("sh: %s: wait: %s\n", name, errstr(r));
        return;
    }
    if (WIFSIGNALED(status))
        printf("sh: %s: killed by signal %d\n", name, WTERMSIG(status));
    else if (WEXITSTATUS(status) != 0)
        printf("sh: %s: exit status %d\n", name, WEXITSTATUS(status));
}

int main(int argc, char **argv)
{
    static char line[LINE_MAX];
    char *words[MAX_WORDS + 1];

    for (;;) {
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
        if (nw == 0)
            continue;
        if (strcmp(words[0], "exit") == 0) {
            long code = 0;
            if (nw > 1 && parse_long(words[1], &code) < 0) {
                printf("sh: exit: bad status '%s'\n", words[1]);
                continue;
            }
            return (int)code;
        }
        run(nw, words);
    }
}
