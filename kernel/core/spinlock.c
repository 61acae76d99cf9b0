/* Interrupt-disabling spinlocks. */
#include <spinlock.h>
#include <panic.h>

bool spin_lock_irqsave(struct spinlock *l)
{
    bool f = irq_save();
    if (l->locked && l->holder)
        /* With one CPU and interrupts off, a held lock can only mean we hold it. */
        panic("%s: recursive acquire of lock '%s'", __func__, l->name);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        cpu_relax();
    l->holder = __builtin_return_address(0);
    return f;
}

void spin_unlock_irqrestore(struct spinlock *l, bool irq_was_enabled)
{
    if (!l->locked)
        panic("%s: lock '%s' is not held", __func__, l->name);
    l->holder = NULL;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    irq_restore(irq_was_enabled);
}

bool spin_is_locked(const struct spinlock *l)
{
    return l->locked;
}
