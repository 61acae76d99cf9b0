/* User-memory copies (see include/usercopy.h). */
#include <usercopy.h>
#include <uaccess.h>
#include <uapi/layout.h>
#include <uapi/errno.h>

bool user_range_ok(uint64_t uaddr, uint64_t len)
{
    if (uaddr < USER_START || uaddr >= USER_END)
        return false;
    return len <= USER_END - uaddr;
}

int copy_from_user(void *dst, uint64_t usrc, size_t len)
{
    if (!user_range_ok(usrc, len))
        return -EFAULT;
    return uaccess_copy(dst, (const void *)usrc, len) ? -EFAULT : 0;
}

int copy_to_user(uint64_t udst, const void *src, size_t len)
{
    if (!user_range_ok(udst, len))
        return -EFAULT;
    return uaccess_copy((void *)udst, src, len) ? -EFAULT : 0;
}

long strncpy_from_user(char *dst, uint64_t usrc, size_t max)
{
    if (max == 0 || !user_range_ok(usrc, 1))
        return -EFAULT;
    /* Never scan past the end of the user half. */
    size_t limit = (size_t)MIN((uint64_t)max, USER_END - usrc);
    long n = uaccess_strnlen((const char *)usrc, limit);
    if (n < 0)
        return n;
    if ((size_t)n >= max)
        return -ENAMETOOLONG;
    if ((size_t)n == limit)
        return -EFAULT;         /* the string runs off the user half */
    if (uaccess_copy(dst, (const void *)usrc, (size_t)n + 1))
        return -EFAULT;
    dst[n] = '\0';              /* the user may have changed it meanwhile */
    return n;
}
