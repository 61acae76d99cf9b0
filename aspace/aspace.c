/*
 * The address-space registry and the wrappers every caller goes through
 * (contract in include/aspace.h).
 *
 * Invariants:
 *  - every struct aspace on all_aspaces has magic ASPACE_MAGIC; a destroyed
 *    one has ASPACE_DEAD_MAGIC until its memory is reused;
 *  - t->aspace == as  <=>  t is on as->threads; nthreads counts them;
 *  - this_cpu()->aspace is the address space whose translation is loaded.
 */
#include <aspace.h>
#include <ktrace.h>
#include <thread.h>
#include <percpu.h>
#include <string.h>
#include <panic.h>
#include <log.h>
#include <pt.h>
#include <mm.h>
#include <frame.h>
#include <kstack.h>
#include <kmap.h>
#include <uapi/errno.h>

extern const struct aspace_impl *const __aspace_impls_start[], *const __aspace_impls_end[];

static struct list_node all_aspaces = LIST_INIT(all_aspaces);
static struct spinlock registry_lock = SPINLOCK_INIT("aspace-registry");
static struct aspace *boot_aspace;
static int next_aspace_id;

/* ---- implementations ---- */

static void aspace_impl_check(const struct aspace_impl *impl)
{
    const struct aspace_ops *o = impl->ops;
    if (!impl->name || !o || !o->create || !o->destroy || !o->switch_to)
        panic("%s: implementation '%s' lacks a required slot", __func__,
              impl->name ? impl->name : "?");
    if (!impl->granularity || (impl->granularity & (impl->granularity - 1)))
        panic("%s: '%s' has a bad granularity", __func__, impl->name);
}

const struct aspace_impl *aspace_impl_find(const char *name)
{
    for (const struct aspace_impl *const *p = __aspace_impls_start; p < __aspace_impls_end; p++)
        if (strcmp((*p)->name, name) == 0)
            return *p;
    return NULL;
}

void aspace_impl_for_each(void (*fn)(const struct aspace_impl *impl, void *arg), void *arg)
{
    for (const struct aspace_impl *const *p = __aspace_impls_start; p < __aspace_impls_end; p++)
        fn(*p, arg);
}

/* ---- address spaces ---- */

void aspace_check(const struct aspace *as, const char *caller)
{
    if (!as || as->magic != ASPACE_MAGIC)
        panic("%s: bad address space %p (magic %#x)", caller, as, as ? as->magic : 0);
}

struct aspace *aspace_boot(void)
{
    return boot_aspace;
}

struct aspace *aspace_current(void)
{
    return this_cpu()->aspace;
}

static struct aspace *aspace_find_locked(const char *name)
{
    list_for_each(n, &all_aspaces) {
        struct aspace *as = list_entry(n, struct aspace, link);
        if (strcmp(as->name, name) == 0)
            return as;
    }
    return NULL;
}

struct aspace *aspace_find(const char *name)
{
    bool f = spin_lock_irqsave(&registry_lock);
    struct aspace *as = aspace_find_locked(name);
    spin_unlock_irqrestore(&registry_lock, f);
    return as;
}

static bool impl_has_instance(const struct aspace_impl *impl)
{
    list_for_each(n, &all_aspaces)
        if (list_entry(n, struct aspace, link)->impl == impl)
            return true;
    return false;
}

int aspace_create(const char *impl_name, const char *name, struct aspace **out)
{
    const struct aspace_impl *impl = aspace_impl_find(impl_name);
    if (!impl)
        return -ENOENT;
    if (!name || !name[0] || strlen(name) >= ASPACE_NAME_MAX)
        return -EINVAL;

    /* create() may allocate and so runs without the registry lock; the
     * name and singleton checks are repeated under the lock below. */
    if (aspace_find(name))
        return -EEXIST;
    struct aspace *as = impl->ops->create();
    if (!as)
        return -ENOMEM;

    as->magic = ASPACE_MAGIC;
    as->state = ASPACE_LIVE;
    as->impl = impl;
    strlcpy(as->name, name, sizeof(as->name));
    as->lock = (struct spinlock)SPINLOCK_INIT("aspace");
    list_init(&as->threads);
    as->nthreads = 0;
    as->cpus_loaded = 0;
    as->policy = 0;
    struct frame_stats fs;
    frame_stats(&fs);
    as->frame_limit = fs.total;         /* generous: all of memory */

    bool f = spin_lock_irqsave(&registry_lock);
    int err = 0;
    if (aspace_find_locked(name))
        err = -EEXIST;
    else if ((impl->impl_flags & ASPACE_IMPL_SINGLETON) && impl_has_instance(impl))
        err = -EBUSY;
    if (!err) {
        as->id = next_aspace_id++;
        list_push_back(&all_aspaces, &as->link);
    }
    spin_unlock_irqrestore(&registry_lock, f);
    if (err) {
        impl->ops->destroy(as);
        return err;
    }
    *out = as;
    return 0;
}

int aspace_destroy(struct aspace *as)
{
    aspace_check(as, __func__);
    if (as == boot_aspace)
        return -EPERM;
    bool f = spin_lock_irqsave(&registry_lock);
    if (as->nthreads > 0 || as->cpus_loaded > 0 || as->state != ASPACE_LIVE) {
        spin_unlock_irqrestore(&registry_lock, f);
        return -EBUSY;
    }
    as->state = ASPACE_DYING;
    list_remove(&as->link);
    spin_unlock_irqrestore(&registry_lock, f);

    as->magic = ASPACE_DEAD_MAGIC;
    as->impl->ops->destroy(as);
    return 0;
}

void aspace_for_each(void (*fn)(struct aspace *as, void *arg), void *arg)
{
    bool f = spin_lock_irqsave(&registry_lock);
    list_for_each(n, &all_aspaces)
        fn(list_entry(n, struct aspace, link), arg);
    spin_unlock_irqrestore(&registry_lock, f);
}

/* ---- region wrappers ---- */

static int check_range(const struct aspace *as, uint64_t va, uint64_t len)
{
    uint64_t g = as->impl->granularity;
    if (len == 0 || va + len < va)
        return -EINVAL;
    if (!va_is_canonical(va) || !va_is_canonical(va + len - 1))
        return -ENONCANON;
    /* The range may not straddle the non-canonical hole. */
    if ((va < USER_HALF_START) != (va + len - 1 < USER_HALF_START))
        return -ENONCANON;
    if (!IS_ALIGNED(va, g) || !IS_ALIGNED(len, g))
        return -EALIGN;
    return 0;
}

int aspace_region_add(struct aspace *as, const struct region *r)
{
    aspace_check(as, __func__);
    if (!r)
        return -EINVAL;
    int err = check_range(as, r->va_start, r->len);
    if (err)
        return err;
    if (r->flags & ~REGION_FLAGS_ALL)
        return -EINVAL;
    bool anon = r->flags & REGION_ANON, file = r->flags & REGION_FILE;
    if (anon && file)
        return -EINVAL;
    if (file && (!r->file || !IS_ALIGNED(r->file_offset, 4096)))
        return -EINVAL;
    if (!anon && !file) {
        if (r->pa_start + r->len < r->pa_start || r->pa_start + r->len > pt_phys_limit())
            return -EINVAL;     /* wraps, or beyond what the CPU can address */
        if (!IS_ALIGNED(r->pa_start, as->impl->alignment))
            return -EALIGN;
    }
    if ((r->flags & ~as->impl->supported_flags) || !as->impl->ops->add_region)
        return -ENOTSUP;

    bool f = spin_lock_irqsave(&as->lock);
    err = as->impl->ops->add_region(as, r);
    spin_unlock_irqrestore(&as->lock, f);
    return err;
}

/* Common shape of remove/move/protect: check, lock, call. */
#define ASPACE_REGION_CALL(as, slot, ...)                                     \
    ({                                                                        \
        int __err;                                                            \
        aspace_check(as, __func__);                                           \
        if (!(as)->impl->ops->slot) {                                         \
            __err = -ENOTSUP;                                                 \
        } else {                                                              \
            bool __f = spin_lock_irqsave(&(as)->lock);                        \
            __err = (as)->impl->ops->slot(as, __VA_ARGS__);                   \
            spin_unlock_irqrestore(&(as)->lock, __f);                         \
        }                                                                     \
        __err;                                                                \
    })

int aspace_region_remove(struct aspace *as, uint64_t va)
{
    if (!va_is_canonical(va))
        return -ENONCANON;
    return ASPACE_REGION_CALL(as, remove_region, va);
}

int aspace_region_move(struct aspace *as, uint64_t va, uint64_t new_pa)
{
    if (!va_is_canonical(va))
        return -ENONCANON;
    if (!IS_ALIGNED(new_pa, as->impl->alignment))
        return -EALIGN;
    if (new_pa >= pt_phys_limit())
        return -EINVAL;     /* the slot checks new_pa + len against it too */
    return ASPACE_REGION_CALL(as, move_region, va, new_pa);
}

int aspace_region_protect(struct aspace *as, uint64_t va, uint32_t flags)
{
    if (!va_is_canonical(va))
        return -ENONCANON;
    if (flags & ~REGION_FLAGS_ALL)
        return -EINVAL;
    return ASPACE_REGION_CALL(as, protect_region, va, flags);
}

void aspace_policy_set(struct aspace *as, uint32_t bits, bool on)
{
    aspace_check(as, __func__);
    bool f = spin_lock_irqsave(&as->lock);
    as->policy = on ? as->policy | bits : as->policy & ~bits;
    spin_unlock_irqrestore(&as->lock, f);
}

int aspace_region_query(struct aspace *as, uint64_t va, enum region_query_mode mode,
                        struct region *out)
{
    if (!out || (mode != REGION_QUERY_AT && mode != REGION_QUERY_FROM))
        return -EINVAL;
    if (!va_is_canonical(va))
        return -ENONCANON;
    return ASPACE_REGION_CALL(as, query_region, va, mode, out);
}

int aspace_find_gap(struct aspace *as, uint64_t lo, uint64_t hi, uint64_t len, uint64_t *va)
{
    if (!va || len == 0 || lo >= hi)
        return -EINVAL;
    if (!va_is_canonical(lo) || !va_is_canonical(hi - 1))
        return -ENONCANON;
    if (!IS_ALIGNED(len, as->impl->granularity))
        return -EALIGN;
    return ASPACE_REGION_CALL(as, find_gap, lo, hi, len, va);
}

/* A user page address for the page-granular slots: 0, -EALIGN, -EFAULT. */
static int check_user_page(uint64_t va)
{
    if (!IS_ALIGNED(va, PAGE_SIZE))
        return -EALIGN;
    if (va < USER_HALF_START || !va_is_canonical(va) || va + PAGE_SIZE - 1 < va)
        return -EFAULT;
    return 0;
}

int aspace_page_lookup(struct aspace *as, uint64_t va, uint64_t *pa, uint32_t *flags)
{
    int err = check_user_page(va);
    if (err)
        return err;
    return ASPACE_REGION_CALL(as, page_lookup, va, pa, flags);
}

int aspace_page_query(struct aspace *as, uint64_t va, uint32_t *flags)
{
    int err = check_user_page(va);
    if (err)
        return err;
    return ASPACE_REGION_CALL(as, page_query, va, flags);
}

int aspace_page_insert(struct aspace *as, uint64_t va, uint64_t pa, uint32_t flags)
{
    int err = check_user_page(va);
    if (err)
        return err;
    if ((flags & ~(uint32_t)PAGE_FLAGS_ALL) || !IS_ALIGNED(pa, PAGE_SIZE))
        return -EINVAL;
    return ASPACE_REGION_CALL(as, page_insert, va, pa, flags);
}

int aspace_page_remove(struct aspace *as, uint64_t va)
{
    int err = check_user_page(va);
    if (err)
        return err;
    return ASPACE_REGION_CALL(as, page_remove, va);
}

int aspace_range_copy(struct aspace *src, struct aspace *dst, uint64_t va, uint64_t len,
                      enum aspace_copy_mode mode)
{
    aspace_check(src, __func__);
    aspace_check(dst, __func__);
    if (src == dst || src->impl != dst->impl || len == 0 || va + len < va ||
        (mode != ASPACE_COPY_COW && mode != ASPACE_COPY_SHARE))
        return -EINVAL;
    if (!IS_ALIGNED(va | len, PAGE_SIZE))
        return -EALIGN;
    if (va < USER_HALF_START || !va_is_canonical(va) || !va_is_canonical(va + len - 1))
        return -EFAULT;
    if (!src->impl->ops->range_copy)
        return -ENOTSUP;
    /* Two locks: always the lower id first, so two copies cannot deadlock. */
    struct aspace *first = src->id < dst->id ? src : dst, *second = first == src ? dst : src;
    bool f = spin_lock_irqsave(&first->lock);
    spin_lock_irqsave(&second->lock);
    int err = src->impl->ops->range_copy(src, dst, va, len, mode);
    spin_unlock_irqrestore(&second->lock, false);
    spin_unlock_irqrestore(&first->lock, f);
    return err;
}

int aspace_set_frame_limit(struct aspace *as, uint64_t frames)
{
    aspace_check(as, __func__);
    if (frames == 0)
        return -EINVAL;
    bool f = spin_lock_irqsave(&as->lock);
    as->frame_limit = frames;
    spin_unlock_irqrestore(&as->lock, f);
    return 0;
}

void aspace_print(struct aspace *as, int detail)
{
    aspace_check(as, __func__);
    kprintf("aspace %d '%s' (impl %s): %d thread(s)%s\n", as->id, as->name,
            as->impl->name, as->nthreads, as == aspace_current() ? ", loaded" : "");
    if (as->impl->ops->print) {
        bool f = spin_lock_irqsave(&as->lock);
        as->impl->ops->print(as, detail);
        spin_unlock_irqrestore(&as->lock, f);
    }
}

int aspace_region_draw(struct aspace *as, uint64_t va)
{
    if (!va_is_canonical(va))
        return -ENONCANON;
    return ASPACE_REGION_CALL(as, region_draw, va);
}

/* ---- threads and switching ---- */

void aspace_thread_attach(struct aspace *as, struct thread *t)
{
    if (!as)
        as = boot_aspace;
    aspace_check(as, __func__);
    bool f = spin_lock_irqsave(&as->lock);
    t->aspace = as;
    list_push_back(&as->threads, &t->aspace_link);
    as->nthreads++;
    if (as->impl->ops->add_thread)
        as->impl->ops->add_thread(as, t);
    spin_unlock_irqrestore(&as->lock, f);
}

void aspace_thread_detach(struct aspace *as, struct thread *t)
{
    if (!as)
        as = boot_aspace;
    aspace_check(as, __func__);
    if (t->aspace != as)
        panic("%s: thread %d is not in aspace '%s'", __func__, t->tid, as->name);
    bool f = spin_lock_irqsave(&as->lock);
    list_remove(&t->aspace_link);
    as->nthreads--;
    if (as->impl->ops->remove_thread)
        as->impl->ops->remove_thread(as, t);
    spin_unlock_irqrestore(&as->lock, f);
    /* t->aspace is kept: a dying thread still runs on this translation. */
}

/* `trace switches`: one line per switch; t is the thread that the switch
 * is for (the scheduler sets it current first). */
static __attribute__((noinline)) void aspace_switch_trace(const struct aspace *from,
                                                          const struct aspace *to,
                                                          const struct thread *t)
{
    ktrace_printf(KTRACE_SWITCHES, "switch '%s' -> '%s' thread=%d '%s'", from ? from->name : "-",
                  to->name, t ? t->tid : 0, t ? t->name : "?");
}

void aspace_switch(struct aspace *to)
{
    struct cpu *cpu = this_cpu();
    struct aspace *from = cpu->aspace;
    if (!to)
        to = boot_aspace;
    if (to == from)
        return;
    aspace_check(to, __func__);
    if (from) {
        if (from->impl->ops->switch_from)
            from->impl->ops->switch_from(from);
        from->cpus_loaded--;
    }
    to->impl->ops->switch_to(to);
    to->cpus_loaded++;
    cpu->aspace = to;
    if (ktrace_on(KTRACE_SWITCHES))
        aspace_switch_trace(from, to, cpu->current);
}

int aspace_thread_move(struct aspace *as)
{
    struct thread *self = this_cpu()->current;
    if (!as)
        as = boot_aspace;
    aspace_check(as, __func__);
    if (as->state != ASPACE_LIVE)
        return -EBUSY;
    bool f = irq_save();
    aspace_thread_detach(self->aspace, self);
    aspace_thread_attach(as, self);
    aspace_switch(as);
    irq_restore(f);
    return 0;
}

const char *region_flags_str(uint32_t flags, char *buf)
{
    buf[0] = 'r';
    buf[1] = flags & REGION_WRITE ? 'w' : '-';
    buf[2] = flags & REGION_EXEC ? 'x' : '-';
    buf[3] = ' ';
    buf[4] = flags & REGION_PIN ? 'P' : '-';
    buf[5] = flags & REGION_KERN ? 'K' : 'U';
    buf[6] = flags & REGION_EAGER ? 'E' : 'L';
    buf[7] = ' ';
    const char *kind = flags & REGION_ANON ? "anon" : flags & REGION_FILE ? "file" :
                       flags & REGION_KSTACKS ? "kstack" : "phys";
    strlcpy(buf + 8, kind, 8);
    return buf;
}

const char *region_flags_legend(void)
{
    /* Kept beside region_flags_str: the two say the same. */
    return "flags: r always, w writable, x executable; P pinned; K kernel-only, U user; "
           "E eager, L lazy (filled on fault); kind phys|anon|file|kstack";
}

void aspace_init(void)
{
    for (const struct aspace_impl *const *p = __aspace_impls_start; p < __aspace_impls_end; p++)
        aspace_impl_check(*p);
    /* The shared windows first: every page-table tree made from now on
     * links them, so the kernel and every kernel stack are visible
     * everywhere. */
    kmap_init();
    if (kstack_init() < 0)
        panic("%s: cannot create the kernel stack window", __func__);
    int err = aspace_create("base", "boot", &boot_aspace);
    if (err)
        panic("%s: cannot create the boot address space: %d", __func__, err);
    aspace_switch(boot_aspace);
    aspace_fault_init();
}
