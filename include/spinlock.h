/*
 * Spinlocks that also disable interrupts on the local CPU.
 *
 * Strata runs on one CPU today; the lock still records its holder so a
 * recursive acquire panics at once instead of deadlocking silently, and the
 * atomic exchange is already what SMP will need.
 */
#ifndef STRATA_SPINLOCK_H
#define STRATA_SPINLOCK_H

#include <compiler.h>
#include <arch/cpu.h>

struct spinlock {
    volatile uint32_t locked;
    const char *name;
    void *holder;           /* return address of the acquirer, for debugging */
};

#define SPINLOCK_INIT(n) { 0, n, NULL }

#ifdef HOST_TEST
/* Host unit tests are single-threaded user programs: locks are no-ops. */
static inline bool spin_lock_irqsave(struct spinlock *l) { l->locked = 1; return false; }
static inline void spin_unlock_irqrestore(struct spinlock *l, bool f) { l->locked = 0; }
static inline bool spin_is_locked(const struct spinlock *l) { return l->locked; }
#else
/* Disable interrupts, take the lock; returns the previous interrupt state. */
bool spin_lock_irqsave(struct spinlock *l);
void spin_unlock_irqrestore(struct spinlock *l, bool irq_was_enabled);
bool spin_is_locked(const struct spinlock *l);
#endif

#endif
