/*
 * malloc over map(): a first-fit free list with boundary headers.
 *
 * Small blocks are carved out of arenas (ARENA_SIZE mappings that are never
 * returned). Each block starts with a 16-byte header (its total size and a
 * tag); free blocks are kept on one address-ordered list and merged with
 * their neighbours on free. Requests of LARGE_MIN bytes or more get a
 * mapping of their own, unmapped again by free().
 *
 * Invariants: block sizes are multiples of ALIGN and at least MIN_BLOCK;
 * the free list is sorted by address and no two free blocks touch (they
 * would have been merged); every returned pointer is 16-byte aligned.
 * Tags catch double frees and wild pointers (abort with a message).
 */
#include <ulib.h>

#define ALIGN       16
#define HDR_SIZE    16
#define MIN_BLOCK   32
#define ARENA_SIZE  (256 * 1024)
#define LARGE_MIN   (64 * 1024)
#define PAGE_SIZE   4096

#define TAG_USED    0x55534544a110c8edull
#define TAG_FREE    0x46524545f4eeb10cull
#define TAG_LARGE   0x4c41524745b16b10ull

struct block {
    size_t size;            /* whole block, header included */
    uint64_t tag;
    struct block *next;     /* free blocks only (payload) */
};

_Static_assert(offsetof(struct block, next) == HDR_SIZE, "header size");

static struct block *free_list;

static __noreturn void heap_corrupt(const char *what, void *p)
{
    dprintf(FD_STDERR, "malloc: %s: %p\n", what, p);
    exit(134);
}

/* Put b on the free list, merging it with touching neighbours. */
static void free_insert(struct block *b)
{
    struct block *prev = NULL, *cur = free_list;
    while (cur && cur < b) {
        prev = cur;
        cur = cur->next;
    }
    b->tag = TAG_FREE;
    b->next = cur;
    if (cur && (char *)b + b->size == (char *)cur) {
        b->size += cur->size;
        b->next = cur->next;
        cur->tag = 0;
    }
    if (prev && (char *)prev + prev->size == (char *)b) {
        prev->size += b->size;
        prev->next = b->next;
        b->tag = 0;
    } else if (prev) {
        prev->next = b;
    } else {
        free_list = b;
    }
}

static bool arena_grow(void)
{
    void *p = map(NULL, ARENA_SIZE, PROT_READ | PROT_WRITE);
    if (IS_ERR(p))
        return false;
    struct block *b = p;
    b->size = ARENA_SIZE;
    free_insert(b);
    return true;
}

static void *large_alloc(size_t need)
{
    size_t len = ALIGN_UP(need, (size_t)PAGE_SIZE);
    if (len < need)
        return NULL;
    void *p = map(NULL, len, PROT_READ | PROT_WRITE);
    if (IS_ERR(p))
        return NULL;
    struct block *b = p;
    b->size = len;
    b->tag = TAG_LARGE;
    return (char *)b + HDR_SIZE;
}

void *malloc(size_t n)
{
    if (n > SIZE_MAX / 2)
        return NULL;
    size_t need = ALIGN_UP(n + HDR_SIZE, (size_t)ALIGN);
    if (need < MIN_BLOCK)
        need = MIN_BLOCK;
    if (need >= LARGE_MIN)
        return large_alloc(need);

    for (int attempt = 0; attempt < 2; attempt++) {
        struct block *prev = NULL;
        for (struct block *b = free_list; b; prev = b, b = b->next) {
            if (b->size < need)
                continue;
            if (b->size - need >= MIN_BLOCK) {      /* split: keep the tail free */
                struct block *rest = (struct block *)((char *)b + need);
                rest->size = b->size - need;
                rest->tag = TAG_FREE;
                rest->next = b->next;
                b->size = need;
                if (prev)
                    prev->next = rest;
                else
                    free_list = rest;
            } else if (prev) {
                prev->next = b->next;
            } else {
                free_list = b->next;
            }
            b->tag = TAG_USED;
            return (char *)b + HDR_SIZE;
        }
        if (!arena_grow())
            return NULL;
    }
    return NULL;
}

void free(void *p)
{
    if (!p)
        return;
    if ((uintptr_t)p % ALIGN)
        heap_corrupt("free of an unaligned pointer", p);
    struct block *b = (struct block *)((char *)p - HDR_SIZE);
    switch (b->tag) {
    case TAG_USED:
        free_insert(b);
        return;
    case TAG_LARGE: {
        b->tag = 0;
        int r = unmap(b, b->size);
        if (r < 0)
            heap_corrupt("unmap of a large block failed", p);
        return;
    }
    case TAG_FREE:
        heap_corrupt("double free", p);
    default:
        heap_corrupt("free of a pointer malloc did not return", p);
    }
}

void *calloc(size_t nmemb, size_t size)
{
    if (size && nmemb > SIZE_MAX / size)
        return NULL;
    size_t n = nmemb * size;
    void *p = malloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void *realloc(void *p, size_t n)
{
    if (!p)
        return malloc(n);
    if (n == 0) {
        free(p);
        return NULL;
    }
    struct block *b = (struct block *)((char *)p - HDR_SIZE);
    if (b->tag != TAG_USED && b->tag != TAG_LARGE)
        heap_corrupt("realloc of a pointer malloc did not return", p);
    size_t have = b->size - HDR_SIZE;
    if (n <= have)
        return p;
    void *q = malloc(n);
    if (!q)
        return NULL;
    memcpy(q, p, have);
    free(p);
    return q;
}
