/* threadtest: the kernel-thread self-test (create/join, preemption, sleep). */
#include <shell.h>
#include <selftest.h>
#include <thread.h>
#include <sched.h>
#include <heap.h>
#include <frame.h>
#include <log.h>
#include <string.h>
#include <uapi/errno.h>

/* ---- threadtest ---- */
static void *return_double(void *arg)
{
    return (void *)((uint64_t)arg * 2);
}

static void test_many(struct selftest *c, int n)
{
    struct frame_stats f0, f1;
    struct heap_stats h0, h1;
    struct thread **ts = kzalloc(sizeof(*ts) * (size_t)n);
    if (!ts) {
        selftest_check(c, false, "%s", "allocate the thread table");
        return;
    }
    frame_stats(&f0);
    heap_stats(&h0);
    int created = 0, values_ok = 0;
    for (int i = 0; i < n; i++)
        if (thread_create("worker", thread_current()->aspace, return_double, (void *)(uint64_t)i,
                          THREAD_JOINABLE, &ts[i]) == 0)
            created++;
    for (int i = 0; i < created; i++) {
        void *v;
        if (thread_join(ts[i], &v) == 0 && (uint64_t)v == (uint64_t)i * 2)
            values_ok++;
    }
    frame_stats(&f1);
    heap_stats(&h1);
    kprintf("  %d threads created, %d joined with the right value\n", created, values_ok);
    selftest_check(c, created == n && values_ok == n, "%s", "create and join many threads");
    kprintf("  heap in use %lu -> %lu bytes, free frames %lu -> %lu\n",
            h0.bytes_in_use, h1.bytes_in_use, f0.free, f1.free);
    selftest_check(c, h0.bytes_in_use == h1.bytes_in_use && f0.free == f1.free,
          "heap and free frames back to their starting figures");
    kfree(ts);
}

static volatile bool busy_stop;

static void *busy_loop(void *arg)
{
    volatile uint64_t *counter = arg;
    while (!busy_stop)
        (*counter)++;       /* never yields: only preemption lets others run */
    return NULL;
}

static void test_preempt(struct selftest *c)
{
    static volatile uint64_t counts[2];
    struct thread *t[2];
    counts[0] = counts[1] = 0;
    busy_stop = false;
    int e0 = thread_create("busy0", thread_current()->aspace, busy_loop, (void *)&counts[0],
                           THREAD_JOINABLE, &t[0]);
    int e1 = thread_create("busy1", thread_current()->aspace, busy_loop, (void *)&counts[1],
                           THREAD_JOINABLE, &t[1]);
    if (e0 || e1) {
        selftest_check(c, false, "%s", "create two busy threads");
        return;
    }
    thread_sleep_ms(200, SCHED_SLEEP_UNINTERRUPTIBLE);
    uint64_t mid0 = counts[0], mid1 = counts[1];
    thread_sleep_ms(200, SCHED_SLEEP_UNINTERRUPTIBLE);
    busy_stop = true;
    thread_join(t[0], NULL);
    thread_join(t[1], NULL);
    kprintf("  busy0 counted %lu (%lu at half time), busy1 counted %lu (%lu at half time)\n",
            counts[0], mid0, counts[1], mid1);
    selftest_check(c, mid0 > 0 && mid1 > 0 && counts[0] > mid0 && counts[1] > mid1,
          "two busy threads both make progress (preemption)");
}

static void test_sleep(struct selftest *c, uint64_t ms)
{
    uint64_t t0 = sched_ticks();
    thread_sleep_ms(ms, SCHED_SLEEP_UNINTERRUPTIBLE);
    uint64_t elapsed_ms = (sched_ticks() - t0) * 1000 / SCHED_HZ;
    kprintf("  slept %lu ms, %lu ms of timer ticks elapsed\n", ms, elapsed_ms);
    selftest_check(c, elapsed_ms >= ms, "%s", "sleep lasts at least the time asked");
}

static void test_join_errors(struct selftest *c)
{
    selftest_check(c, thread_join(thread_current(), NULL) == -EINVAL, "joining oneself is -EINVAL");
}

/* threadtest [all|many [N]|preempt|sleep [MS]]: N threads (1..10000,
 * default 200) or a sleep of MS milliseconds (0..10000, default 100). */
static int cmd_threadtest(int argc, char **argv)
{
    struct selftest c = { 0, 0 };
    const char *which = argc > 1 ? argv[1] : "all";
    bool all = strcmp(which, "all") == 0, many = strcmp(which, "many") == 0;
    bool sleep = strcmp(which, "sleep") == 0;
    if (!all && !many && !sleep && strcmp(which, "preempt"))
        return shell_usage_print(argv[0]);
    if (argc > 2 && !many && !sleep)
        return shell_usage_print(argv[0]);
    unsigned long long n = many ? 200 : 100;
    if (argc > 2) {
        unsigned long long lo = many ? 1 : 0;
        if (str_to_u64(argv[2], &n) < 0 || n < lo || n > 10000) {
            kprintf("threadtest: %s must be %llu..10000 %s\n", many ? "N" : "MS", lo,
                    many ? "threads" : "milliseconds");
            return -EINVAL;
        }
    }
    if (all || many)
        test_many(&c, (int)(many ? n : 200));
    if (all || !strcmp(which, "preempt"))
        test_preempt(&c);
    if (all || sleep)
        test_sleep(&c, sleep ? n : 100);
    if (all)
        test_join_errors(&c);
    return selftest_report(&c, "threadtest");
}
SHELL_COMMAND(threadtest, "threadtest", "threadtest [all|many [N]|preempt|sleep [MS]]",
              "self-test of threads: create/join, preemption, sleep", cmd_threadtest);
