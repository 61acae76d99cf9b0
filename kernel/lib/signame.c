/* The names of the signals, from the one table in uapi/signal.h. */
#include <signame.h>
#include <uapi/signal.h>

const char *signame(int signo)
{
    switch (signo) {
#define SIGNAME_CASE_(name) case name: return #name;
    SIGNAL_LIST(SIGNAME_CASE_)
#undef SIGNAME_CASE_
    default: return "SIG?";
    }
}
