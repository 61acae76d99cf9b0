/*
 * `pagingtest fault` and `pagingtest fault-ro` (dispatched from
 * kernel/ktest/cmd_pagingtest.c): a kernel thread enters a paging address space
 * and makes an access no region allows, on purpose. Nothing recovers a
 * kernel thread's fault, so the kernel must print its fault report (the
 * address, "page not present" or the access, the region or "none covers
 * this address", the faulting function) and panic.
 *
 *   fault      read of an address no region covers
 *   fault-ro   write to a read-only region
 */
#include <shell.h>
#include <aspace.h>
#include <frame.h>
#include <thread.h>
#include <log.h>
#include <errstr.h>
#include <uapi/errno.h>
#include "pagingtest.h"

#define FAULT_VA_RO     (USER_HALF_START + GiB(64))  /* the read-only region */
#define FAULT_VA_NONE   0x00007f0000000000ull   /* no region covers it */

struct fault_job {
    struct aspace *as;
    uint64_t va;
    bool write;
};

static __attribute__((noinline)) void pagingtest_fault_touch(uint64_t va, bool write)
{
    if (write)
        *(volatile uint8_t *)va = 0x42;
    else
        (void)*(volatile uint8_t *)va;
}

static void *pagingtest_fault_thread(void *arg)
{
    struct fault_job *j = arg;
    struct aspace *prev = thread_current()->aspace;
    int err = aspace_thread_move(j->as);
    if (err) {
        kprintf("pagingtest: cannot enter '%s': %s\n", j->as->name, errstr(err));
        return NULL;
    }
    kprintf("pagingtest: kernel thread %s %#lx in address space '%s'\n",
            j->write ? "writing to" : "reading", j->va, j->as->name);
    pagingtest_fault_touch(j->va, j->write);
    kprintf("pagingtest: FAIL: the access did not fault\n");
    aspace_thread_move(prev);
    return NULL;
}

int pagingtest_fault(bool readonly)
{
    struct fault_job j = { .va = FAULT_VA_NONE, .write = readonly };
    struct thread *t;
    uint64_t frame = 0;
    int err = shell_aspace_create("kfault", &j.as);
    if (err) {
        kprintf("pagingtest: cannot create address space 'kfault': %s\n", errstr(err));
        return err;
    }
    if (readonly) {
        frame = frame_alloc(FRAME_ZERO);
        j.va = FAULT_VA_RO;
        struct region r = { .va_start = j.va, .pa_start = frame, .len = PAGE_SIZE,
                           .flags = REGION_READ | REGION_KERN };
        err = frame ? aspace_region_add(j.as, &r) : -ENOMEM;
    }
    if (!err)
        err = thread_create("kfault", thread_current()->aspace, pagingtest_fault_thread, &j,
                            THREAD_JOINABLE, &t);
    if (err) {
        kprintf("pagingtest: cannot set up the fault: %s\n", errstr(err));
    } else {
        thread_join(t, NULL);   /* only returns if the access did not fault */
        err = -EIO;
    }
    aspace_destroy(j.as);
    if (frame)
        frame_unref(frame);
    return err;
}
