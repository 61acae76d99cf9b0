/*
 * `envs`: the read-only view of the environment table, at a fixed address
 * (uapi/layout.h). It is an absolute symbol defined here, in a file of its
 * own, so that other objects reach it through a link-time RIP-relative
 * relocation (the view lies within 2 GiB of every program for that).
 */
#include <uapi/layout.h>

#define STR_(x) #x
#define STR(x) STR_(x)
__asm__(".globl envs\n"
        ".set envs, " STR(USER_ENVS) "\n");
