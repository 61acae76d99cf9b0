/* Path names (kernel/lib/path.c: pure code, host-tested). */
#ifndef STRATA_PATH_H
#define STRATA_PATH_H

#include <stddef.h>
#include <stdbool.h>

/* Normalise path lexically into out (size bytes): absolute ("a/b" is
 * "/a/b": there is no working directory), single slashes, no "." or ".."
 * (".." at the root stays at the root), no trailing slash but for "/"
 * itself. *dir_only is set if path ended with '/' (it must name a
 * directory). Returns the length, -EINVAL for NULL, -ENOENT for "",
 * -ENAMETOOLONG if out is too small (for the result, or for any prefix
 * of it on the way: a component that ".." removes must fit too). */
int path_normalize(const char *path, char *out, size_t size, bool *dir_only);

/* If the normalised path p lies in the mount at prefix ("/tmp"), the rest
 * of it below the mount ("" for the mount itself, "a/b" below); else NULL. */
const char *path_below(const char *p, const char *prefix);

#endif
