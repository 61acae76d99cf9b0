/* Names of signals (the table is SIGNAL_LIST in uapi/signal.h). */
#ifndef STRATA_SIGNAME_H
#define STRATA_SIGNAME_H

/* "SIGSEGV" for SIGSEGV, or "SIG?" for a number that is no signal. */
const char *signame(int signo);

#endif
