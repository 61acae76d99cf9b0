/*
 * The environment layer (kernel/proc/env.c): JOS's environments carried by
 * Strata's processes. Every process holds one slot of a table of NENV, and
 * its pid is the slot's environment id (uapi/env.h). A read-only view of
 * the table (struct Env envs[NENV]) is mapped into every process at
 * USER_ENVS; the kernel keeps it current.
 *
 * Locking: env_lock (interrupts off) protects the table, the view, each
 * process's env_alive/killed fields and its IPC state (include/ipc.h).
 * It is never held while sleeping. Lock order: env_lock before any address
 * space's lock (IPC page transfer maps pages with env_lock held); never the
 * other way round. proc_lock (kernel/proc/proc.c) before env_lock: a
 * signal to a process group walks the processes under proc_lock.
 *
 * Lifetime rule: with env_lock held, a process found through the table and
 * env_alive cannot be freed: it must first exit (which clears env_alive
 * under env_lock) and then be reaped (which clears its slot under
 * env_lock).
 */
#ifndef STRATA_ENV_H
#define STRATA_ENV_H

#include <compiler.h>
#include <spinlock.h>
#include <uapi/env.h>

struct process;
struct aspace;

extern struct spinlock env_lock;

/* Which environments a call may name (JOS's envid2env checkperm). */
enum env_check {
    ENV_CHECK_NONE,             /* any live environment (IPC) */
    ENV_CHECK_SELF_OR_CHILD,    /* the caller or its immediate child */
};

/* Allocate the view's frames. Once, at boot. */
void env_init(void);

/* Give p a slot: sets p->pid (its environment id) and p->view, fills the
 * view slot (status ENV_FREE until env_start: nobody can name it yet). 0,
 * or -E_NO_FREE_ENV when every slot is taken (nothing changes). */
int env_slot_alloc(struct process *p, struct process *parent);

/* The process is fully built: from now on the table finds it, and its
 * view reads status (ENV_RUNNABLE, or ENV_NOT_RUNNABLE for an exofork
 * child that waits for sys_set_env_status). */
void env_start(struct process *p, uint32_t status);

/* Free p's slot (its id is dead already). Called when p is reaped. */
void env_slot_free(struct process *p);

/* Add the read-only view of the table at USER_ENVS to as. 0 or the error
 * of aspace_region_add. */
int env_view_add(struct aspace *as);

/* With env_lock held: the live process named by id (0: self), if check
 * allows self to name it; NULL otherwise (JOS's -E_BAD_ENV). */
struct process *env_lookup(int id, struct process *self, enum env_check check);

/* The environment is ending: it can no longer be named, its view slot
 * reads ENV_FREE, and every sender queued on it fails with -E_BAD_ENV.
 * Called once, by the process itself, from process_exit. */
void env_exit(struct process *p);

/* p's program changed (exec): its view shows the new name. */
void env_rename(struct process *p);

/* Set p's view status (ENV_RUNNABLE / ENV_NOT_RUNNABLE). env_lock held. */
void env_view_status(struct process *p, uint32_t status);

/* ---- JOS's console lines (docs/environments.md) ---- */

/* Does p print JOS's lifecycle lines? (Started from /jos/, a descendant of
 * one, or `envlog on` for everyone.) */
bool env_logged(const struct process *p);
void env_log_all(bool on);
bool env_log_all_enabled(void);

#endif
