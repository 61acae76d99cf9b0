/* Until the process layer exists, no code runs in user mode. */
#include <aspace.h>
#include <panic.h>
#include <arch/trap.h>

void process_fault_signal(struct trap_frame *tf, int signo, uint64_t addr, const char *why)
{
    trap_dump(tf);
    panic("%s: user-mode fault (%s) without a process layer", __func__, why);
}
