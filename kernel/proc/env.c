/*
 * Environments: the table of NENV slots behind every process, environment
 * ids, the user-visible view of the table, and JOS's lifecycle lines
 * (contract in include/env.h, design in docs/environments.md).
 *
 * Invariants (env_lock held):
 *  - slots[i] is the process holding slot i, or NULL; a process holds its
 *    slot from env_slot_alloc until it is reaped (env_slot_free), so its
 *    pid stays unique while a parent may still wait for it;
 *  - ENVX(p->pid) == p's slot, and view[slot].env_id == p->pid;
 *  - env_lookup finds only processes with env_alive set: from env_start
 *    until env_exit. A slot whose process has exited reads ENV_FREE in the
 *    view even while its zombie waits to be reaped (JOS frees it at once).
 */
#include <env.h>
#include <ipc.h>
#include <proc.h>
#include <aspace.h>
#include <frame.h>
#include <string.h>
#include <panic.h>
#include <log.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

#define VIEW_BYTES      (NENV * sizeof(struct Env))
#define VIEW_PAGES      (VIEW_BYTES / PAGE_SIZE)

_Static_assert(VIEW_BYTES == USER_ENVS_END - USER_ENVS, "the layout reserves the view's size");
_Static_assert(VIEW_BYTES % PAGE_SIZE == 0, "the view is whole pages");

struct spinlock env_lock = SPINLOCK_INIT("env");
static struct process *slots[NENV];
static struct Env *view;            /* kernel pointer to the view's frames */
static uint64_t view_pa;
static uint32_t next_generation = 1;
static bool log_everyone;

void env_init(void)
{
    view_pa = frame_alloc_contig(VIEW_PAGES, FRAME_ZERO);
    if (!view_pa)
        panic("%s: no %lu contiguous frames for the environment view", __func__, VIEW_PAGES);
    view = phys_to_virt(view_pa);
}

int env_view_add(struct aspace *as)
{
    struct region r = {
        .va_start = USER_ENVS, .pa_start = view_pa, .len = VIEW_BYTES,
        .flags = REGION_READ | REGION_PIN | REGION_EAGER,   /* user read-only, NX */
    };
    return aspace_region_add(as, &r);
}

/* The next id for slot i: a fresh generation above the slot bits. The
 * generation wraps before the id would turn negative. */
static int env_id_make(unsigned slot)
{
    uint32_t gen = next_generation++;
    if (next_generation >= (1u << (31 - ENVGENSHIFT)))
        next_generation = 1;
    return (int)((gen << ENVGENSHIFT) | slot);
}

int env_slot_alloc(struct process *p, struct process *parent)
{
    bool f = spin_lock_irqsave(&env_lock);
    unsigned slot = 0;
    while (slot < NENV && slots[slot])
        slot++;
    if (slot == NENV) {
        spin_unlock_irqrestore(&env_lock, f);
        return -E_NO_FREE_ENV;
    }
    slots[slot] = p;
    p->pid = env_id_make(slot);
    p->view = &view[slot];
    p->env_alive = false;
    struct Env *e = p->view;
    memset(e, 0, sizeof(*e));
    e->env_id = p->pid;
    e->env_parent_id = parent ? parent->pid : 0;
    e->env_status = ENV_FREE;       /* until env_start: it cannot be named yet */
    strlcpy(e->env_name, p->name, sizeof(e->env_name));
    spin_unlock_irqrestore(&env_lock, f);
    return 0;
}

void env_start(struct process *p, uint32_t status)
{
    bool f = spin_lock_irqsave(&env_lock);
    p->env_alive = true;
    p->view->env_status = status;
    spin_unlock_irqrestore(&env_lock, f);
}

void env_slot_free(struct process *p)
{
    bool f = spin_lock_irqsave(&env_lock);
    unsigned slot = ENVX(p->pid);
    if (slots[slot] != p || p->env_alive)
        panic("%s: slot %u does not hold the dead pid %d", __func__, slot, p->pid);
    slots[slot] = NULL;
    p->view = NULL;
    spin_unlock_irqrestore(&env_lock, f);
}

struct process *env_lookup(int id, struct process *self, enum env_check check)
{
    if (!spin_is_locked(&env_lock))
        panic("%s: env_lock not held", __func__);
    if (id == 0)
        return self;
    if (id < 0)
        return NULL;
    struct process *p = slots[ENVX(id)];
    if (!p || p->pid != id || !p->env_alive)
        return NULL;        /* free, reused (stale id) or exited */
    if (check == ENV_CHECK_SELF_OR_CHILD && p != self && p->parent != self)
        return NULL;
    return p;
}

void env_rename(struct process *p)
{
    bool f = spin_lock_irqsave(&env_lock);
    strlcpy(p->view->env_name, p->name, sizeof(p->view->env_name));
    spin_unlock_irqrestore(&env_lock, f);
}

void env_view_status(struct process *p, uint32_t status)
{
    p->view->env_status = status;
}

void env_exit(struct process *p)
{
    bool f = spin_lock_irqsave(&env_lock);
    p->env_alive = false;
    p->view->env_status = ENV_FREE;
    p->view->env_ipc_recving = 0;
    ipc_endpoint_close(p);
    spin_unlock_irqrestore(&env_lock, f);
}

bool env_logged(const struct process *p)
{
    return log_everyone || (p->env_flags & PROC_ENV_JOS);
}

void env_log_all(bool on)
{
    log_everyone = on;
}

bool env_log_all_enabled(void)
{
    return log_everyone;
}
