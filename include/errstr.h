/* Human-readable names for error codes. */
#ifndef STRATA_ERRSTR_H
#define STRATA_ERRSTR_H

/* Return a short description of error code err (positive or negative). */
const char *errstr(int err);
/* The symbolic name of error code err ("ENOENT"), or "E?" if unknown. */
const char *errname(int err);

#endif
