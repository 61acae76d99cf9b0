/* Pipes (kernel/fs/pipe.c): a bounded buffer between a read end and a write end. */
#ifndef STRATA_PIPE_H
#define STRATA_PIPE_H

#include <compiler.h>

#define PIPE_SIZE   8192        /* bytes a pipe holds before writers wait */

struct file;

/* A new pipe: two open files, *read_end (O_RDONLY) and *write_end
 * (O_WRONLY), one reference each. 0 or -ENOMEM (nothing allocated). */
int pipe_create(struct file **read_end, struct file **write_end);

#endif
