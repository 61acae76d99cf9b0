/* The user address-space layout (docs/user-layout.md), shared with user code. */
#ifndef STRATA_UAPI_LAYOUT_H
#define STRATA_UAPI_LAYOUT_H

#define USER_START          0xffff800000000000ull   /* first user address */
#define USER_SCRATCH        0xffff800000200000ull   /* 2 MiB left free for scratch pages (JOS's UTEMP) */
#define USER_SCRATCH_END    0xffff800000400000ull
#define USER_LOAD_MIN       0xffff800000400000ull   /* lowest ELF segment address */
/* The read-only view of the environment table (struct Env envs[NENV],
 * uapi/env.h, 64 KiB). Within 2 GiB of the program image, because user
 * code reaches `envs` with RIP-relative addressing. */
#define USER_ENVS           0xffff800070000000ull
#define USER_ENVS_END       0xffff800070010000ull
#define USER_MMAP_BASE      0xffffa00000000000ull   /* map() area */
#define USER_MMAP_END       0xffffff0000000000ull
#define USER_INFO_PAGE      0xffffff7fffefe000ull   /* read-only info page */
#define USER_XSTACK         0xffffff7ffff00000ull   /* exception stack page */
#define USER_XSTACK_TOP     0xffffff7ffff01000ull   /* its top: JOS's UXSTACKTOP */
#define USER_STACK_GUARD    0xffffff7ffff01000ull   /* unmapped */
#define USER_STACK_BOTTOM   0xffffff7ffff02000ull
#define USER_STACK_TOP      0xffffff8000000000ull
#define USER_END            0xffffff8000000000ull   /* nothing user above */

#endif
