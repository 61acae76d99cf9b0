/* Path names (see include/path.h). Pure: host-tested in tests/host/test_path.c. */
#include <path.h>
#include <string.h>
#include <uapi/errno.h>

int path_normalize(const char *path, char *out, size_t size, bool *dir_only)
{
    if (!path)
        return -EINVAL;
    if (!*path)
        return -ENOENT;             /* POSIX: the empty path names nothing */
    if (size < 2)
        return -ENAMETOOLONG;
    size_t len = 0;                 /* out holds "" or "/a/b" (no trailing '/') */
    const char *p = path;
    while (*p) {
        while (*p == '/')
            p++;
        const char *c = p;
        while (*p && *p != '/')
            p++;
        size_t clen = (size_t)(p - c);
        if (clen == 0 || (clen == 1 && c[0] == '.'))
            continue;
        if (clen == 2 && c[0] == '.' && c[1] == '.') {
            while (len > 0 && out[len - 1] != '/')
                len--;
            if (len > 0)
                len--;              /* the slash before the dropped component */
            continue;
        }
        if (len + 1 + clen + 1 > size)
            return -ENAMETOOLONG;
        out[len++] = '/';
        memcpy(out + len, c, clen);
        len += clen;
    }
    if (len == 0)
        out[len++] = '/';
    out[len] = '\0';
    if (dir_only) {
        size_t n = strlen(path);
        *dir_only = n > 0 && path[n - 1] == '/';
    }
    return (int)len;
}

const char *path_below(const char *p, const char *prefix)
{
    size_t n = strlen(prefix);
    if (strncmp(p, prefix, n) != 0)
        return NULL;
    if (p[n] == '\0')
        return p + n;
    return p[n] == '/' ? p + n + 1 : NULL;
}
