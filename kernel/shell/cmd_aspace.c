/* Shell commands about address spaces: asis, ases, shell. */
#include <shell.h>
#include <aspace.h>
#include <thread.h>
#include <log.h>
#include <string.h>
#include <fmt.h>
#include <errstr.h>
#include <uapi/errno.h>

static void impl_count(struct aspace *as, void *arg)
{
    struct { const struct aspace_impl *impl; int n; } *c = arg;
    if (as->impl == c->impl)
        c->n++;
}

static void impl_print(const struct aspace_impl *impl, void *arg)
{
    struct { const struct aspace_impl *impl; int n; } c = { impl, 0 };
    uint32_t sf = impl->supported_flags;
    char kinds[64];
    aspace_for_each(impl_count, &c);
    snprintf(kinds, sizeof(kinds), "%s%s%s%s%s%s", sf & REGION_WRITE ? "write " : "",
             sf & REGION_EXEC ? "exec " : "", sf & REGION_PIN ? "pin " : "",
             sf & REGION_EAGER ? "eager+lazy " : "", sf & REGION_ANON ? "anon " : "",
             sf & REGION_FILE ? "file" : "");
    kprintf("%-8s granularity %#lx, alignment %#lx, %d instance(s)%s\n", impl->name,
            impl->granularity, impl->alignment, c.n,
            impl->impl_flags & ASPACE_IMPL_SINGLETON ? ", singleton" : "");
    kprintf("         regions: %s; %s\n", sf ? kinds : "none (fixed map)", impl->description);
}

static int cmd_asis(int argc, char **argv)
{
    aspace_impl_for_each(impl_print, NULL);
    return 0;
}
SHELL_COMMAND(asis, "asis", "asis", "list address-space implementations", cmd_asis);

static void aspace_print_one(struct aspace *as, void *arg)
{
    int detail = *(int *)arg;
    aspace_print(as, detail);
    if (detail <= 0)
        return;
    bool f = irq_save();
    list_for_each(n, &as->threads) {
        struct thread *t = list_entry(n, struct thread, aspace_link);
        kprintf("  thread %d '%s' %s\n", t->tid, t->name, thread_state_name(t->state));
    }
    irq_restore(f);
}

static int cmd_ases(int argc, char **argv)
{
    int detail = argc > 1 && strcmp(argv[1], "detail") == 0;
    if (argc > 1 && !detail)
        return shell_usage_print(argv[0]);
    aspace_for_each(aspace_print_one, &detail);
    return 0;
}
SHELL_COMMAND(ases, "ases", "ases [detail]", "list address spaces (detail: regions and threads)", cmd_ases);

/* ---- nested shells ---- */

static int shell_depth;

struct nested_shell {
    char prompt[40];
    struct aspace *as;
    int depth;
};

static void *nested_shell_main(void *arg)
{
    struct nested_shell *n = arg;
    if (n->as) {
        int err = aspace_thread_move(n->as);
        if (err)
            kprintf("shell: cannot enter address space '%s': %s\n", n->as->name, errstr(err));
    }
    shell_loop(n->prompt, n->depth);
    aspace_thread_move(NULL);
    return NULL;
}

static int cmd_shell(int argc, char **argv)
{
    static int serial;
    struct nested_shell n;
    char name[ASPACE_NAME_MAX];
    struct thread *t;

    if (shell_depth >= 3) {
        kprintf("shell: too deeply nested (max 3)\n");
        return -EBUSY;
    }
    if (argc > 1 && strlen(argv[1]) >= ASPACE_NAME_MAX) {
        kprintf("shell: name too long (max %d characters)\n", ASPACE_NAME_MAX - 1);
        return -ENAMETOOLONG;
    }
    if (argc > 1)
        strlcpy(name, argv[1], sizeof(name));
    else
        snprintf(name, sizeof(name), "shell%d", ++serial);
    n.depth = shell_depth + 1;
    snprintf(n.prompt, sizeof(n.prompt), "%s> ", name);
    int err = shell_aspace_create(name, &n.as);
    if (err) {
        kprintf("shell: cannot create address space '%s': %s\n", name,
                err == -EEXIST ? "already exists" : errstr(err));
        return err;
    }
    kprintf("[%s: nested shell in address space '%s'; 'exit' returns]\n", name,
            n.as ? n.as->name : "boot");
    err = thread_create(name, thread_current()->aspace, nested_shell_main, &n, THREAD_JOINABLE, &t);
    if (err) {
        kprintf("shell: cannot create thread: %s\n", errstr(err));
        if (n.as)
            aspace_destroy(n.as);
        return err;
    }
    shell_depth++;
    thread_join(t, NULL);
    shell_depth--;
    if (n.as && (err = aspace_destroy(n.as)) < 0)
        kprintf("shell: cannot destroy address space '%s': %s\n", name, errstr(err));
    return 0;
}
SHELL_COMMAND(shell, "shell", "shell [name]", "start a nested shell in an address space of its own", cmd_shell);
