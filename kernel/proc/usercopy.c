/* User-memory copies (see include/usercopy.h). */
#include <usercopy.h>
#include <proc.h>
#include <uaccess.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

bool user_range_ok(uint64_t uaddr, uint64_t len)
{
    if (uaddr < USER_START || uaddr >= USER_END)
        return false;
    return len <= USER_END - uaddr;
}

/* A user access failed at uaddr: tell the process layer (JOS's
 * user_mem_check rule needs the address), return -EFAULT. */
static int uaccess_fail(uint64_t uaddr)
{
    process_uaccess_failed(uaddr);
    return -EFAULT;
}

int copy_from_user(void *dst, uint64_t usrc, size_t len)
{
    if (!user_range_ok(usrc, len))
        return uaccess_fail(usrc);
    size_t left = uaccess_copy(dst, (const void *)usrc, len);
    return left ? uaccess_fail(usrc + (len - left)) : 0;
}

int copy_to_user(uint64_t udst, const void *src, size_t len)
{
    if (!user_range_ok(udst, len))
        return uaccess_fail(udst);
    size_t left = uaccess_copy((void *)udst, src, len);
    return left ? uaccess_fail(udst + (len - left)) : 0;
}

int user_prepare_write(uint64_t udst, size_t len)
{
    if (!user_range_ok(udst, len))
        return uaccess_fail(udst);
    if (len == 0)
        return 0;
    size_t left = uaccess_fault_in_writable((void *)udst, len);
    return left ? uaccess_fail(udst + (len - left)) : 0;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
    if (max == 0 || !user_range_ok(usrc, 1))
        return uaccess_fail(usrc);
    /* Never scan past the end of the user half. */
    size_t limit = (size_t)MIN((uint64_t)max, USER_END - usrc);
    long n = uaccess_strnlen((const char *)usrc, limit);
    if (n < 0)
        return uaccess_fail(usrc);
    if ((size_t)n >= max)
        return -ENAMETOOLONG;
    if ((size_t)n == limit)
        return uaccess_fail(usrc + n);      /* the string runs off the user half */
    if (uaccess_copy(dst, (const void *)usrc, (size_t)n + 1))
        return uaccess_fail(usrc);
    dst[n] = '\0';              /* the user may have changed it meanwhile */
    return n;
}
