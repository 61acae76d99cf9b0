/* The texts and names of the error codes, from the one table in
 * uapi/errno.h. */
#include <errstr.h>
#include <uapi/errno.h>

const char *errstr(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
    case 0: return "success";
#define ERRSTR_CASE_(name, number, text) case name: return text;
    ERRNO_LIST(ERRSTR_CASE_)
#undef ERRSTR_CASE_
    default: return "unknown error";
    }
}

const char *errname(int err)
{
    if (err < 0)
        err = -err;
    switch (err) {
#define ERRNAME_CASE_(name, number, text) case name: return #name;
    ERRNO_LIST(ERRNAME_CASE_)
#undef ERRNAME_CASE_
    default: return "E?";
    }
}
