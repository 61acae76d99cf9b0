/*
 * fork and sfork in user space (JOS lab 4, part C), on Strata's regions.
 *
 * The parent walks its own regions (sys_vm_region) and gives the child a
 * copy of each with sys_vm_copy: the child gets the same region, so a
 * page nobody has touched yet stays lazy in both and costs no frame, and
 * every page that exists is shared: read-only ones as they are, writable
 * ones copy-on-write (read-only with PTE_COW in both). The exception
 * stack is not shared (the handler runs on it): the child gets a fresh
 * one. The first write to a COW page faults into pgfault() below, which
 * copies it. All of a fork's calls after sys_env_alloc go to the kernel in
 * one sys_batch (JOS's batching challenge); fork_batched = 0 makes them
 * one call each, for comparison (the forkbench program).
 */
#include <jos.h>
#include <sysc.h>

extern unsigned char __private_start[], __private_end[];
int fork_batched = 1;          /* 0: one system call per step */

/* The COW handler: a write to a copy-on-write page gets a private copy. */
static void
pgfault(struct UTrapframe *utf)
{
    void *addr = (void *) ROUNDDOWN(utf->utf_fault_va, PGSIZE);
    uint32_t perm = vm_page_perm(addr);
    int r;

    if (!(utf->utf_err & FEC_WR) || !(perm & PTE_COW))
        panic("fault at va %lx ip %lx (err %lx, page perm %x): not a write to a copy-on-write page",
              utf->utf_fault_va, utf->utf_rip, utf->utf_err, perm);
    if ((r = sys_mem_alloc(0, PFTEMP, PTE_P | PTE_U | PTE_W)) < 0)
        panic("pgfault: sys_mem_alloc: %e", r);
    memcpy(PFTEMP, addr, PGSIZE);
    if ((r = sys_mem_map(0, PFTEMP, 0, addr, PTE_P | PTE_U | PTE_W | (perm & (PTE_AVAIL & ~PTE_COW)))) < 0)
        panic("pgfault: sys_mem_map: %e", r);
    if ((r = sys_mem_unmap(0, PFTEMP)) < 0)
        panic("pgfault: sys_mem_unmap: %e", r);
}

/* The calls that build the child, collected to run as one batch. */
struct plan {
    struct sysreq req[SYSCALL_BATCH_MAX];
    int n;
    int err;
};

static void
plan_flush(struct plan *p)
{
    if (p->n == 0 || p->err)
        return;
    if (fork_batched) {
        int done = sys_batch(p->req, p->n);
        if (done < 0)
            p->err = done;
        else if (done < p->n)
            p->err = (int) p->req[done].result;
    } else {
        for (int i = 0; i < p->n && !p->err; i++) {
            struct sysreq *q = &p->req[i];
            long r = sc5((long) q->nr, (long) q->args[0], (long) q->args[1], (long) q->args[2],
                         (long) q->args[3], (long) q->args[4]);
            if (r < 0)
                p->err = (int) r;
        }
    }
    p->n = 0;
}

static void
plan_add(struct plan *p, uint64_t nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3)
{
    if (p->n == SYSCALL_BATCH_MAX)
        plan_flush(p);
    struct sysreq *q = &p->req[p->n++];
    *q = (struct sysreq) { .nr = nr, .args = { a0, a1, a2, a3, 0 } };
}

/* Copy [lo, hi) of the parent into child as mode says (nothing if empty). */
static void
plan_copy(struct plan *p, envid_t child, uintptr_t lo, uintptr_t hi, int mode)
{
    if (lo < hi)
        plan_add(p, SYS_VM_COPY, child, lo, hi - lo, mode);
}

/* Give child every region of ours but the exception stack and the
 * kernel's: read-only ones shared, writable ones copy-on-write, or shared
 * too with share_writable (sfork) except the stack; the private range
 * [priv_lo, priv_hi) always copy-on-write. */
static void
plan_regions(struct plan *p, envid_t child, bool share_writable, uintptr_t priv_lo, uintptr_t priv_hi)
{
    const uintptr_t xlo = UXSTACKTOP - PGSIZE, xhi = UXSTACKTOP;
    struct vm_region r;

    for (uintptr_t va = USER_START; va < UTOP && sys_vm_region((void *) va, &r) == 0; va = r.end) {
        if (r.flags & (VM_PINNED | VM_KERNEL))
            continue;
        bool stack = r.end == USTACKTOP;
        // Read-only regions too are copied with COW: their existing pages
        // are shared as they are (nothing to write-protect) and their lazy
        // pages stay lazy; SHARE would fill every page first.
        int mode = share_writable && !stack && (r.flags & VM_WRITE) ? VM_COPY_SHARE : VM_COPY_COW;
        // Cut out the exception stack page and the private range.
        uintptr_t cuts[4] = { xlo, xhi, priv_lo, priv_hi };
        uintptr_t lo = r.start;
        while (lo < r.end) {
            uintptr_t hi = r.end;
            int m = mode;
            for (int i = 0; i < 4; i += 2) {
                if (cuts[i] <= lo && lo < cuts[i + 1]) {
                    hi = MIN(hi, cuts[i + 1]);
                    m = i == 0 ? -1 : VM_COPY_COW;      // -1: skip the exception stack
                } else if (lo < cuts[i] && cuts[i] < hi) {
                    hi = cuts[i];
                }
            }
            if (m >= 0)
                plan_copy(p, child, lo, hi, m);
            lo = hi;
        }
    }
}

static envid_t
fork_common(bool share)
{
    envid_t child;
    struct plan p = { .n = 0, .err = 0 };

    set_pgfault_handler(pgfault);
    if ((child = sys_env_alloc()) < 0)
        return child;
    if (child == 0) {
        env = &envs[ENVX(sys_getenvid())];
        return 0;
    }
    plan_regions(&p, child, share, (uintptr_t) __private_start, (uintptr_t) __private_end);
    plan_add(&p, SYS_MEM_ALLOC, child, UXSTACKTOP - PGSIZE, PTE_P | PTE_U | PTE_W, 0);
    plan_add(&p, SYS_SET_PGFAULT_HANDLER, child, (uintptr_t) _pgfault_upcall, UXSTACKTOP, 0);
    plan_add(&p, SYS_SET_ENV_STATUS, child, ENV_RUNNABLE, 0, 0);
    plan_flush(&p);
    if (p.err) {
        sys_env_destroy(child);
        return p.err;
    }
    return child;
}

envid_t
fork(void)
{
    return fork_common(false);
}

envid_t
sfork(void)
{
    return fork_common(true);
}
