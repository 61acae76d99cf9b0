/* help: list the programs in /bin with a one-line description. */
#include <ulib.h>

static const struct {
    const char *name;
    const char *what;
} known[] = {
    { "args",          "print argc and each argument (argv test)" },
    { "badptr",        "hostile: bad pointers/lengths to every syscall" },
    { "badsig",        "hostile: forged signal contexts and sigreturn (badsig all)" },
    { "bigargv",       "hostile: oversized and malformed spawn arguments" },
    { "brkpt",         "int3 with a SIGTRAP handler, then resume" },
    { "cat",           "print files: cat FILE..." },
    { "divzero",       "divide by zero without a handler (killed, SIGFPE)" },
    { "echo",          "print the arguments" },
    { "exitcode",      "exit with the status given: exitcode N" },
    { "hack",          "map memory, then try to write kernel memory" },
    { "hello",         "print a greeting and the pid" },
    { "help",          "this list" },
    { "illegal",       "execute ud2 without a handler (killed, SIGILL)" },
    { "init",          "the first process: starts /sh" },
    { "kernelread",    "read kernel memory (killed, SIGSEGV)" },
    { "ls",            "list directories: ls [PATH...]" },
    { "loadcheck",     "check the ELF loader: data, zeroed bss, alignment" },
    { "memtest",       "malloc/free and map/unmap stress test" },
    { "nullderef",     "read address 0 (killed, SIGSEGV)" },
    { "privinsn",      "privileged instructions must fault (handler skips them)" },
    { "sh",            "the user shell" },
    { "sigfault",      "SIGSEGV handler that skips the faulting instruction" },
    { "spawnrec",      "spawn itself recursively: spawnrec [DEPTH]" },
    { "spin",          "yield in a loop: spin [N] | spin -b [MILLIONS]" },
    { "stackoverflow", "unbounded recursion into the stack guard (killed)" },
    { "sysbench",      "cycles per getpid: syscall vs int $0x80" },
    { "textwrite",     "write to its own code (killed, SIGSEGV)" },
    { "unmapuse",      "touch memory after unmap (killed, SIGSEGV)" },
};

static const char *describe(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(known); i++)
        if (strcmp(known[i].name, name) == 0)
            return known[i].what;
    return "";
}

int main(int argc, char **argv)
{
    struct fs_dirent d;
    int r;
    size_t i;

    printf("Programs in /bin (type a name to run it; 'exit' leaves the shell):\n");
    for (i = 0; (r = readdir("/bin", i, &d)) == 0; i++) {
        if (d.type != FS_TYPE_FILE)
            continue;
        printf("  %-14s %s\n", d.name, describe(d.name));
    }
    if (r != -ENOENT) {
        printf("help: /bin: %s\n", errstr(r));
        return 1;
    }
    return 0;
}
