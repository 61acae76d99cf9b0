/* Shell commands about address spaces: asis, ases (and pictures of a
 * region's page tables), shell. */
#include <shell.h>
#include <aspace.h>
#include <thread.h>
#include <log.h>
#include <string.h>
#include <fmt.h>
#include <errstr.h>
#include <proc.h>
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

static void aspace_threads_print(struct aspace *as)
{
    bool f = irq_save();
    list_for_each(n, &as->threads) {
        struct thread *t = list_entry(n, struct thread, aspace_link);
        kprintf("  thread %d '%s' %s\n", t->tid, t->name, thread_state_name(t->state));
    }
    irq_restore(f);
}

static void aspace_print_one(struct aspace *as, void *arg)
{
    int detail = *(int *)arg;
    aspace_print(as, detail);
    if (detail > 0)
        aspace_threads_print(as);
}

/* ---- ases detail NAME: one address space and pictures of its regions ---- */

struct ases_pick {
    char name[ASPACE_NAME_MAX];     /* the address space wanted */
    uint64_t va;                    /* a region of it (with one_region) */
    bool one_region;
    bool found;
    int err;                        /* of the last draw that failed */
};

/* The address space of process pid, by name (names are unique). */
static void ases_pid_name(struct process *p, void *arg)
{
    struct { int pid; char *name; } *q = arg;
    if (p->pid == q->pid && p->as)
        strlcpy(q->name, p->as->name, ASPACE_NAME_MAX);
}

/* Every region's picture from the lowest up (or the one at pick->va).
 * Called under the registry lock: as cannot be destroyed meanwhile. */
static void ases_regions_draw(struct aspace *as, struct ases_pick *pick)
{
    if (pick->one_region) {
        pick->err = aspace_region_draw(as, pick->va);
        return;
    }
    struct region r;
    uint64_t va = 0;
    int qerr;
    while ((qerr = aspace_region_query(as, va, REGION_QUERY_FROM, &r)) == 0) {
        int err = aspace_region_draw(as, r.va_start);
        if (err) {
            pick->err = err;
            return;
        }
        if (region_end(&r) <= va || region_end(&r) == 0)
            return;                             /* the top of memory */
        va = region_end(&r);
        if (!va_is_canonical(va))
            va = USER_HALF_START;               /* across the hole */
    }
    if (qerr == -ENOTSUP)
        pick->err = qerr;                       /* no regions to walk (base) */
}

static void ases_pick_one(struct aspace *as, void *arg)
{
    struct ases_pick *pick = arg;
    if (strcmp(as->name, pick->name) != 0)
        return;
    pick->found = true;
    aspace_print(as, 0);            /* the figures; the regions come drawn */
    aspace_threads_print(as);
    ases_regions_draw(as, pick);
}

static int ases_detail_named(const char *who, const char *where)
{
    struct ases_pick pick = { .one_region = where != NULL };
    unsigned long long v;
    if (where && (str_to_u64(where, &v) < 0 || !va_is_canonical(v))) {
        kprintf("ases: '%s' is no address (a number, 0x for hex)\n", where);
        return shell_usage_print("ases");
    }
    pick.va = where ? v : 0;
    if (str_to_u64(who, &v) == 0) {
        struct { int pid; char *name; } q = { (int)v, pick.name };
        if (v > INT32_MAX)
            q.pid = -1;
        process_for_each(ases_pid_name, &q);
        if (!pick.name[0]) {
            kprintf("ases: no process %s\n", who);
            return -ESRCH;
        }
    } else {
        strlcpy(pick.name, who, sizeof(pick.name));
    }
    aspace_for_each(ases_pick_one, &pick);
    if (!pick.found) {
        kprintf("ases: no address space '%s'\n", who);
        return -ENOENT;
    }
    if (pick.err == -ENOENT)
        kprintf("ases: no region of '%s' contains %#llx\n", pick.name, (unsigned long long)pick.va);
    else if (pick.err)
        kprintf("ases: cannot draw the regions of '%s': %s\n", pick.name, errstr(pick.err));
    return pick.err;
}

static int cmd_ases(int argc, char **argv)
{
    int detail = argc > 1 && strcmp(argv[1], "detail") == 0;
    if (argc > 1 && !detail)
        return shell_usage_print(argv[0]);
    if (detail)
        kprintf("%s\n", region_flags_legend());
    if (argc > 2)
        return ases_detail_named(argv[2], argc > 3 ? argv[3] : NULL);
    aspace_for_each(aspace_print_one, &detail);
    return 0;
}
SHELL_COMMAND(ases, "ases", "ases [detail [PID|NAME [ADDRESS]]]",
              "list address spaces (detail: regions and threads; with a process or address space: "
              "the page tables of each region, or of the one at ADDRESS)", cmd_ases);

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
