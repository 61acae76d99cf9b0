/*
 * Copying between the kernel and the current process's user memory.
 *
 * A user range is accepted only if it lies entirely inside the user half
 * [USER_START, USER_END) without wrapping. The copy then runs with the
 * process's translation: a lazy page is filled by the address space as
 * usual; an access the address space refuses (no region, write to a
 * read-only page: CR0.WP applies to the kernel too) is caught by the
 * exception table and becomes -EFAULT. The kernel half is never reached.
 */
#ifndef STRATA_USERCOPY_H
#define STRATA_USERCOPY_H

#include <compiler.h>

/* Is [uaddr, uaddr+len) inside the user half? (len 0: uaddr itself.) */
bool user_range_ok(uint64_t uaddr, uint64_t len);

/* 0 or -EFAULT. */
int copy_from_user(void *dst, uint64_t usrc, size_t len);
int copy_to_user(uint64_t udst, const void *src, size_t len);

/* Make [udst, udst+len) writable now, as copy_to_user would, without
 * changing its bytes: 0 or -EFAULT. For a source that cannot give back
 * what it hands out (a pipe, the console): check before taking. Another
 * thread may still unmap the range before the copy. */
int user_prepare_write(uint64_t udst, size_t len);

/* Copy a NUL-terminated string of at most max-1 characters into dst
 * (max bytes). Returns its length, -EFAULT, or -ENAMETOOLONG if no NUL
 * comes within max bytes. */
long strncpy_from_user(char *dst, uint64_t usrc, size_t max);

#endif
