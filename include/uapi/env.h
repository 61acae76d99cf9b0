/*
 * Environments (JOS's name for a process), shared by the kernel and user
 * programs: ids, the status values, and the read-only view of the whole
 * environment table that every process sees at UENVS (uapi/layout.h).
 *
 * Every Strata process is an environment, and its pid IS its environment
 * id. An id carries the slot in its low bits (ENVX) and, above them, a
 * generation that changes every time any slot is handed out (a global
 * sequence, as in the 2003 JOS whose ids read 00000800, 00001001,
 * 00001802...), so the id of a process that is gone never names the
 * slot's next occupant. Ids are positive; 0 means "the caller" in every
 * call that takes one.
 */
#ifndef STRATA_UAPI_ENV_H
#define STRATA_UAPI_ENV_H

#include <stdint.h>

typedef int32_t envid_t;

#define LOG2NENV        10
#define NENV            (1 << LOG2NENV)
#define ENVX(envid)     ((envid) & (NENV - 1))
#define ENVGENSHIFT     11              /* the generation starts at bit 11 */

/* env_status */
#define ENV_FREE            0   /* slot unused, or its process has exited */
#define ENV_RUNNABLE        1   /* running or ready to run */
#define ENV_NOT_RUNNABLE    2   /* blocked in sys_ipc_recv, or stopped */

/* One slot of the view. The kernel writes it; user code only reads it
 * (the pages are mapped read-only). 64 bytes, naturally aligned. */
struct Env {
    envid_t  env_id;            /* the slot's current or last id */
    envid_t  env_parent_id;     /* 0: started by the kernel */
    uint32_t env_status;        /* ENV_* */
    uint32_t env_runs;          /* times the scheduler switched to it */
    uint32_t env_ipc_recving;   /* 1 while blocked in sys_ipc_recv */
    uint32_t env_ipc_dstva_set; /* the receiver asked for a page */
    uint64_t env_ipc_value;     /* the last value received */
    envid_t  env_ipc_from;      /* who sent it */
    uint32_t env_ipc_perm;      /* the page's permissions, 0 if no page came */
    char     env_name[24];      /* the program's name (NUL-terminated) */
};

_Static_assert(sizeof(struct Env) == 64, "struct Env is part of the ABI");

#endif
