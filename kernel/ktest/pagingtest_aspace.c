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
    struct region far = { .va_start = GiB(64), .pa_start = ALIGN_DOWN(pt_phys_limit(), PAGE_SIZE),
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
    frame_stats(&f1);
    heap_stats(&h1);
    selftest_check(&c, f1.free == f0.free && h1.bytes_in_use == h0.bytes_in_use,
          "free frames and heap back to their starting figures (%lu -> %lu frames, %lu -> %lu bytes)",
          f0.free, f1.free, h0.bytes_in_use, h1.bytes_in_use);
    return selftest_report(&c, "aspacetest");
}
SHELL_COMMAND(aspacetest, "aspacetest", "aspacetest",
              "self-test of the address-space registry and wrapper checks", cmd_aspacetest);
