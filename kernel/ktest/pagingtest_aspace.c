/*
 * `aspacetest`: self-test of the address-space registry and of the checks
 * the aspace_* wrappers make before any implementation is called (see
 * include/aspace.h): unknown implementations, singletons, names, the boot
 * address space, destroying an address space that is in use. One PASS/FAIL
 * line per check, then "aspacetest: N passed, N failed".
 */
#include <shell.h>
#include <selftest.h>
#include <aspace.h>
#include <pt.h>
#include <kstack.h>
#include <paging.h>
#include <uaccess.h>
#include <frame.h>
#include <heap.h>
#include <thread.h>
#include <log.h>
#include <fmt.h>
#include <string.h>
#include <errstr.h>
#include <uapi/errno.h>

/* Create, expecting an error: if it unexpectedly succeeds, destroy it. */
static void create_fails(struct selftest *c, const char *impl, const char *name, int want,
                         const char *what)
{
    struct aspace *as = NULL;
    int err = aspace_create(impl, name, &as);
    selftest_check_err(c, err, want, what);
    if (err == 0)
        aspace_destroy(as);
}

static void test_registry(struct selftest *c)
{
    selftest_check(c, aspace_impl_find("base") && aspace_impl_find("paging") && !aspace_impl_find("nosuch"),
          "implementations 'base' and 'paging' are registered, 'nosuch' is not");
    create_fails(c, "nosuch", "astest", -ENOENT, "create with an unknown implementation");
    create_fails(c, "base", "base2", -EBUSY, "create a second instance of singleton 'base'");
    create_fails(c, "paging", "boot", -EEXIST, "create with the name of an existing address space");
    struct aspace *cur = thread_current()->aspace;
    if (cur && cur != aspace_boot())
        create_fails(c, "paging", cur->name, -EEXIST, "create with the caller's address-space name");

    char name[ASPACE_NAME_MAX + 1];
    memset(name, 'n', ASPACE_NAME_MAX);
    name[ASPACE_NAME_MAX] = '\0';
    create_fails(c, "paging", name, -EINVAL, "create with a 32-character name (too long)");
    create_fails(c, "paging", "", -EINVAL, "create with an empty name");
    create_fails(c, "paging", NULL, -EINVAL, "create with a NULL name");

    name[ASPACE_NAME_MAX - 1] = '\0';       /* 31 characters: the longest allowed */
    struct aspace *as = NULL;
    int err = aspace_create("paging", name, &as);
    selftest_check_err(c, err, 0, "create with a 31-character name");
    if (err == 0) {
        selftest_check(c, aspace_find(name) == as && as->nthreads == 0 && as->state == ASPACE_LIVE &&
              strcmp(as->impl->name, "paging") == 0,
              "it is registered, live, empty, of implementation 'paging'");
        create_fails(c, "paging", name, -EEXIST, "create a second one with that name");
        selftest_check_err(c, aspace_destroy(as), 0, "destroy it");
        selftest_check(c, aspace_find(name) == NULL, "it is no longer registered");
        err = aspace_create("paging", name, &as);
        selftest_check_err(c, err, 0, "the name can be used again");
        if (err == 0)
            aspace_destroy(as);
    }
}

static void test_boot(struct selftest *c)
{
    struct aspace *boot = aspace_boot();
    selftest_check(c, boot && strcmp(boot->name, "boot") == 0 && strcmp(boot->impl->name, "base") == 0,
          "the boot address space is 'boot' of implementation 'base'");
    struct region r = { .va_start = GiB(64), .pa_start = 0, .len = GiB(1),
                        .flags = REGION_READ | REGION_KERN };
    selftest_check_err(c, aspace_region_add(boot, &r), -ENOTSUP, "add a region to 'boot'");
    r.len = PAGE_SIZE;
    selftest_check_err(c, aspace_region_add(boot, &r), -EALIGN,
              "add a 4 KiB region to 'boot' (granularity 1 GiB)");
    selftest_check_err(c, aspace_region_remove(boot, 0), -ENOTSUP, "remove a region of 'boot'");
    selftest_check_err(c, aspace_region_move(boot, 0, GiB(1)), -ENOTSUP, "move a region of 'boot'");
    selftest_check_err(c, aspace_region_protect(boot, 0, REGION_READ), -ENOTSUP, "protect a region of 'boot'");
    selftest_check_err(c, aspace_destroy(boot), -EPERM, "destroy 'boot'");

    struct aspace *prev = thread_current()->aspace;
    int e1 = aspace_thread_move(NULL);
    bool in_boot = aspace_current() == boot && thread_current()->aspace == boot;
    int e2 = aspace_thread_move(prev);
    selftest_check(c, e1 == 0 && in_boot && e2 == 0 && aspace_current() == prev,
          "move into 'boot' (NULL) and back to '%s' (%d, %d)", prev->name, e1, e2);
    if (prev != boot)
        selftest_check_err(c, aspace_destroy(prev), -EBUSY, "destroy the caller's own address space");
}

/* A thread that enters an address space and stays until told to leave. */
struct sitter {
    struct aspace *as;
    volatile int stage;         /* 1: inside (or failed), 2: may leave */
    int err;
};

static void *sitter_main(void *arg)
{
    struct sitter *s = arg;
    struct aspace *prev = thread_current()->aspace;
    s->err = aspace_thread_move(s->as);
    s->stage = 1;
    while (s->stage != 2)
        thread_sleep_ms(5, SCHED_SLEEP_UNINTERRUPTIBLE);
    if (s->err == 0)
        aspace_thread_move(prev);
    return NULL;
}

static void test_busy(struct selftest *c)
{
    struct sitter s = { .stage = 0 };
    struct thread *t;
    int err = shell_aspace_create("astest-busy", &s.as);
    selftest_check_err(c, err, 0, "create 'astest-busy' with the kernel map");
    if (err)
        return;
    err = thread_create("sitter", thread_current()->aspace, sitter_main, &s, THREAD_JOINABLE, &t);
    if (err) {
        selftest_check(c, false, "create a thread: %s", errstr(err));
        aspace_destroy(s.as);
        return;
    }
    for (int i = 0; i < 1000 && s.stage != 1; i++)
        thread_sleep_ms(5, SCHED_SLEEP_UNINTERRUPTIBLE);
    selftest_check(c, s.stage == 1 && s.err == 0 && s.as->nthreads == 1,
          "a thread moved into it (%d thread(s))", s.as->nthreads);
    selftest_check_err(c, aspace_destroy(s.as), -EBUSY, "destroy it while a thread is inside");
    /* A physical range the CPU cannot address would make a malformed entry. */
    struct region far = { .va_start = PT_KMAP_BASE + PT_KMAP_SIZE + GiB(64), .pa_start = ALIGN_DOWN(pt_phys_limit(), PAGE_SIZE),
                          .len = PAGE_SIZE, .flags = REGION_READ | REGION_KERN };
    selftest_check_err(c, aspace_region_add(s.as, &far), -EINVAL,
              "add a region beyond the CPU's physical address limit");
    far.pa_start = 0;
    selftest_check_err(c, aspace_region_add(s.as, &far), 0, "add a small physical region");
    selftest_check_err(c, aspace_region_move(s.as, far.va_start, pt_phys_limit()), -EINVAL,
              "move it beyond the physical address limit");
    selftest_check(c, aspace_find("astest-busy") == s.as, "it is still registered");
    s.stage = 2;
    thread_join(t, NULL);
    selftest_check(c, s.as->nthreads == 0, "the thread left (%d thread(s))", s.as->nthreads);
    selftest_check_err(c, aspace_destroy(s.as), 0, "destroy it once the thread is gone");
}

static void *kwin_thread_main(void *arg)
{
    return NULL;
}

/* Every paging address space has the kernel stack window as a pinned
 * region of its own kind, and every thread's stack is mapped there, with
 * an unmapped guard page below, in every address space. */
static void test_kstack_window(struct selftest *c)
{
    struct aspace *as;
    int err = shell_aspace_create("astest-kwin", &as);
    selftest_check_err(c, err, 0, "create 'astest-kwin' with the kernel map");
    if (err)
        return;
    struct region r = { 0 };
    err = aspace_region_query(as, PT_KWIN_BASE + PAGE_SIZE, REGION_QUERY_AT, &r);
    uint32_t want = REGION_KSTACKS | REGION_PIN | REGION_KERN;
    selftest_check(c, err == 0 && r.va_start == PT_KWIN_BASE && r.len == PT_KWIN_SIZE &&
                   (r.flags & want) == want,
                   "the region map shows the kernel stack window (err %d, [%#lx +%#lx) flags %#x)",
                   err, r.va_start, r.len, r.flags);
    selftest_check_err(c, aspace_region_remove(as, PT_KWIN_BASE), -EPERM, "remove the window");
    selftest_check_err(c, aspace_region_move(as, PT_KWIN_BASE, 0), -EPERM, "move the window");
    selftest_check_err(c, aspace_region_protect(as, PT_KWIN_BASE, REGION_READ), -EPERM,
                       "protect (unpin) the window");
    struct region in = { .va_start = PT_KWIN_BASE + GiB(1), .len = PAGE_SIZE,
                         .flags = REGION_READ | REGION_KERN | REGION_ANON };
    selftest_check_err(c, aspace_region_add(as, &in), -EEXIST, "add a region inside the window");
    in.flags |= REGION_KSTACKS;
    selftest_check_err(c, aspace_region_add(as, &in), -EINVAL, "add a region of the window's kind");

    struct thread *t;
    if ((err = thread_create("kwin-probe", thread_current()->aspace, kwin_thread_main, NULL, THREAD_SUSPENDED, &t)) == 0) {
        uint64_t base = (uint64_t)t->kstack, pa = 0;
        bool top = paging_translate(as, base + THREAD_STACK_SIZE - 1, &pa, NULL, NULL);
        bool bottom = paging_translate(as, base, NULL, NULL, NULL);
        bool guard = paging_translate(as, base - 1, NULL, NULL, NULL);
        const char *owner = kstack_guard_owner(base - 1, NULL, NULL);
        selftest_check(c, base >= PT_KWIN_BASE && base < PT_KWIN_BASE + PT_KWIN_SIZE && top &&
                       bottom && !guard && owner && strcmp(owner, "kwin-probe") == 0,
                       "a new thread's stack at %#lx is mapped here too, its guard page not "
                       "(owner '%s')", base, owner ? owner : "none");
        thread_resume(t);
        thread_join(t, NULL);
    } else {
        selftest_check(c, false, "create a thread: %s", errstr(err));
    }
    selftest_check_err(c, aspace_destroy(as), 0, "destroy 'astest-kwin'");
}

/* The per-address-space frame limit: faults that would fill more than the
 * limit are refused, without leaking, and go through again once it is
 * raised. */
static void test_frame_limit(struct selftest *c)
{
    struct aspace *as, *home = thread_current()->aspace;
    int err = shell_aspace_create("astest-limit", &as);
    selftest_check_err(c, err, 0, "create 'astest-limit' with the kernel map");
    if (err)
        return;
    struct paging_stats st;
    paging_stats(as, &st);
    selftest_check_err(c, aspace_set_frame_limit(as, 0), -EINVAL, "set a frame limit of 0");
    selftest_check_err(c, aspace_set_frame_limit(as, st.frames + 4), 0,
                       "limit it to 4 frames more than it owns");
    const uint64_t va = GiB(64) * 8;        /* far from the kernel map */
    struct region r = { .va_start = va, .len = 8 * PAGE_SIZE,
                        .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON };
    selftest_check_err(c, aspace_region_add(as, &r), 0, "add an 8-page ANON region");
    struct frame_stats f0, f1;
    frame_stats(&f0);
    int ok = 0, refused = 0;
    if ((err = aspace_thread_move(as)) == 0) {
        /* The first page also needs 3 table pages: one page fits. */
        for (int i = 0; i < 8; i++)
            *(probe_write((void *)(va + i * PAGE_SIZE), 1) == 0 ? &ok : &refused) += 1;
        aspace_thread_move(home);
    }
    frame_stats(&f1);
    selftest_check(c, err == 0 && ok == 1 && refused == 7 && f0.free - f1.free == 4,
                   "faults past the limit are refused (%d filled, %d refused, %lu frames taken)",
                   ok, refused, f0.free - f1.free);
    aspace_set_frame_limit(as, st.frames + 16);
    ok = refused = 0;
    if ((err = aspace_thread_move(as)) == 0) {
        for (int i = 0; i < 8; i++)
            *(probe_write((void *)(va + i * PAGE_SIZE), 1) == 0 ? &ok : &refused) += 1;
        aspace_thread_move(home);
    }
    selftest_check(c, err == 0 && ok == 8, "with a higher limit all 8 pages fill (%d)", ok);
    struct region eager = { .va_start = va + GiB(1), .len = 16 * PAGE_SIZE,
                            .flags = REGION_READ | REGION_WRITE | REGION_KERN | REGION_ANON | REGION_EAGER };
    selftest_check_err(c, aspace_region_add(as, &eager), -ENOMEM, "an eager ANON add past the limit");
    uint64_t regions_before = st.regions;     /* the kernel map's and the window */
    paging_stats(as, &st);
    selftest_check(c, st.regions == regions_before + 1,
                   "and is not there (%lu regions: kernel map, window, ANON)",
                   st.regions);
    selftest_check_err(c, aspace_destroy(as), 0, "destroy 'astest-limit'");
}

static int cmd_aspacetest(int argc, char **argv)
{
    struct selftest c = { 0, 0 };
    struct frame_stats f0, f1;
    struct heap_stats h0, h1;
    frame_stats(&f0);
    heap_stats(&h0);
    test_registry(&c);
    test_boot(&c);
    test_busy(&c);
    test_kstack_window(&c);
    test_frame_limit(&c);
    frame_stats(&f1);
    heap_stats(&h1);
    selftest_check(&c, f1.free == f0.free && h1.bytes_in_use == h0.bytes_in_use,
          "free frames and heap back to their starting figures (%lu -> %lu frames, %lu -> %lu bytes)",
          f0.free, f1.free, h0.bytes_in_use, h1.bytes_in_use);
    return selftest_report(&c, "aspacetest");
}
SHELL_COMMAND(aspacetest, "aspacetest", "aspacetest",
              "self-test of the address-space registry and wrapper checks", cmd_aspacetest);
