/* help: list the programs in /bin with a one-line description. */
#include <ulib.h>

static const struct {
    const char *name;
    const char *what;
} known[] = {
    { "args",          "print argc and each argument (argv test)" },
    { "attack",        "hostile: SIGINT at a system call's exit, bad signal stacks, TF, fork: attack MODE" },
    { "badptr",        "hostile: bad pointers/lengths to every syscall" },
    { "badsig",        "hostile: forged signal contexts and sigreturn (badsig all)" },
    { "bigargv",       "hostile: oversized and malformed spawn arguments" },
    { "brkpt",         "int3 with a SIGTRAP handler, then resume" },
    { "cat",           "print files, or standard input: cat [FILE...]" },
    { "consoletest",   "hostile: console_mode and console_fg (foreground group) edge cases" },
    { "cp",            "copy a file: cp FROM TO" },
    { "debugme",       "for the monitor (urun -d debugme): int3, calls to break on: debugme [nobreak|handler|fork]" },
    { "divzero",       "divide by zero without a handler (killed, SIGFPE)" },
    { "echo",          "print the arguments" },
    { "envtest",       "hostile: environment ids, IPC and env_destroy edge cases" },
    { "exitcode",      "exit with the status given: exitcode N" },
    { "false",         "exit with status 1" },
    { "farret",        "hostile: far returns into other segments (handler in 64-bit mode)" },
    { "fuzz",          "random system calls, console bytes and ELF files: fuzz -h" },
    { "grep",          "lines containing a string: grep [-v] [-c] [-n] PATTERN [FILE...]" },
    { "hack",          "map memory, then try to write kernel memory" },
    { "head",          "the first lines: head [-n N] [FILE]" },
    { "hello",         "print a greeting and the pid" },
    { "hello-write",   "write(1, \"Hello, world!\\n\", 14) (the 6.828 lecture)" },
    { "help",          "this list" },
    { "illegal",       "execute ud2 without a handler (killed, SIGILL)" },
    { "init",          "the first process: starts /sh" },
    { "kernelread",    "read kernel memory (killed, SIGSEGV)" },
    { "loadcheck",     "check the ELF loader: data, zeroed bss, alignment" },
    { "ls",            "list directories: ls [PATH...]" },
    { "maplimit",      "hostile: map() and open() until the per-process limits" },
    { "mapreserved",   "hostile: map() over the reserved pages below the stack" },
    { "memtest",       "malloc/free and map/unmap stress test" },
    { "mkdir",         "make directories in /tmp: mkdir DIR..." },
    { "mkstemp-alike", "create /tmp/jos-Fl9E8n with O_CREAT|O_EXCL (the lecture)" },
    { "ntflag",        "hostile: RFLAGS.NT set, then sigreturn/yield/syscalls" },
    { "nullderef",     "read address 0 (killed, SIGSEGV)" },
    { "privinsn",      "privileged instructions must fault (handler skips them)" },
    { "readdirleak",   "hostile: readdir/stat must not leak kernel bytes" },
    { "rm",            "remove files or empty directories of /tmp: rm PATH..." },
    { "run-fork",      "fork, exec `sh -c ls`, wait (the lecture)" },
    { "sh",            "the user shell: line editing, history, Ctrl-C, pipes, < > >> 2>, ; &, quotes, $?" },
    { "sigfault",      "SIGSEGV handler that skips the faulting instruction" },
    { "sigint",        "a SIGINT handler catching Ctrl-C in a loop, a sleep, a read: sigint [-n N]" },
    { "singlestep",    "single-step with TF and a SIGTRAP handler" },
    { "sleep",         "sleep: sleep SECONDS | sleep NUMBERms" },
    { "spawnexit",     "hostile: spawn a child and exit at once, reaped at once" },
    { "spawnrec",      "spawn itself recursively: spawnrec [DEPTH]" },
    { "spin",          "yield in a loop: spin [N] | spin -b [MILLIONS]" },
    { "stackoverflow", "unbounded recursion into the stack guard (killed)" },
    { "strace",        "trace a program's system calls: strace [-f] PROG [ARGS]" },
    { "sysbench",      "system-call, IPC and fork figures (make bench)" },
    { "tee",           "copy standard input to files and standard output: tee FILE..." },
    { "textwrite",     "write to its own code (killed, SIGSEGV)" },
    { "touch",         "create empty files in /tmp: touch FILE..." },
    { "true",          "exit with status 0" },
    { "unixtest",      "Unix layer edge cases: unixtest dup2|fds|pipe|exec|... (no args: usage)" },
    { "unmapuse",      "touch memory after unmap (killed, SIGSEGV)" },
    { "vmtest",        "hostile: the page-granular memory calls and batches" },
    { "wc",            "count lines, words, bytes: wc [FILE...]" },
};

static const char *describe(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].what;
    return "";
}

#define MAX_PROGS 128

int main(int argc, char **argv)
{
    static char names[MAX_PROGS][FS_NAME_MAX];
    struct fs_dirent d;
    size_t i, n = 0;
    int r;

    for (i = 0; n < MAX_PROGS && (r = readdir("/bin", i, &d)) == 0; i++)
        if (d.type == FS_TYPE_FILE)
            strlcpy(names[n++], d.name, FS_NAME_MAX);
    if (n < MAX_PROGS && r != -ENOENT) {
        printf("help: /bin: %s\n", errstr(r));
        return 1;
    }
    /* sorted by name (insertion sort: a few dozen entries) */
    static char tmp[FS_NAME_MAX];
    for (i = 1; i < n; i++) {
        size_t j = i;
        strlcpy(tmp, names[i], sizeof(tmp));
        for (; j > 0 && strcmp(names[j - 1], tmp) > 0; j--)
            strlcpy(names[j], names[j - 1], FS_NAME_MAX);
        strlcpy(names[j], tmp, FS_NAME_MAX);
    }
    printf("Programs in /bin (type a name to run it; 'exit' leaves the shell):\n");
    for (i = 0; i < n; i++)
        printf("  %-14s %s\n", names[i], describe(names[i]));
    printf("Line editing: arrows, Home/End, Delete, Backspace, Ctrl-A/E/U/K; up/down: history.\n"
           "Ctrl-C interrupts the program running in the foreground (the shell ignores it).\n");
    return 0;
}
