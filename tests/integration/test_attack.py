"""A hostile program (user/bin/attack.c) against the SIGINT machinery of
issue 13: a signal due at the end of a fast-path system call (the exit
diverted through syscall_fast_iret), handlers that make system calls,
single-stepping, fork's copy-on-write (read-only regions included), and
signal frames that cannot be written (the offender alone dies, with the
kernel's message).

Every test is one user session (integration.common.user_session): `ps`
shows nothing before and after, the free frame count after `exit` is the
one before `urun`, and nothing panicked."""

import re
import time

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import URUN_TIMEOUT, leave_user, user_session
from integration.fuzzing import console_resync

CTRL_C = '\x03'
INTERRUPT_TIMEOUT = 30      # seconds from the last Ctrl-C to the verdict (TCG, a loaded machine)


def session(m, body):
    user_session(m, body, lambda m: leave_user(m, 'exit 0'), ['FAILED'])


def flood(m, line, ready, done, per=3, rounds=400, pause=0.05):
    """Run line, wait for `ready`, then press Ctrl-C `per` at a time until
    `done` shows; the prompt must come back. What it printed."""
    m.sendline(line)
    m.expect(ready, URUN_TIMEOUT)
    mark = m.mark()
    for _ in range(rounds):
        if done in m.output_since(mark) or 'FAILED' in m.output_since(mark):
            break
        m.send(CTRL_C * per)
        time.sleep(pause)
    out = m.output_since(mark)
    check_not_contains(out, 'FAILED', line)
    m.expect(done, INTERRUPT_TIMEOUT)
    m.wait_prompt(INTERRUPT_TIMEOUT)
    console_resync(m, True)
    return m.output_since(mark)


def ctrl_c_once(m, line, ready, presses=1, pause=0.1):
    """Run line, wait for `ready`, press Ctrl-C once (or `presses` times,
    `pause` seconds apart): the prompt must come back. What it printed from
    `ready` on."""
    m.sendline(line)
    m.expect(ready, URUN_TIMEOUT)
    mark = m.mark()
    time.sleep(0.2)             # into its loop
    for _ in range(presses):
        m.send(CTRL_C)
        time.sleep(pause)
    m.wait_prompt(INTERRUPT_TIMEOUT)
    out = m.output_since(mark)
    console_resync(m, True)
    return out


def test_sigint_at_fast_call_exit(m):
    """A console read that Ctrl-C interrupts, getpid and yield in a loop,
    under Ctrl-C: the registers the system-call ABI keeps, rcx and r11 come
    back from the diverted exit, the handler sees exactly the call's exit
    (-EINTR for the read), and the divert mark (VM) never reaches the user."""
    def body():
        out = flood(m, 'attack regs read 10', 'attack: regs read: waiting for 10',
                    'attack: regs read: ok', per=1, pause=0.2)
        got = check_match(out, r'attack: regs read: ok \((\d+) caught, (\d+) at the call', 'regs read')
        # Most land in the blocked read (a Ctrl-C typed while the program
        # is between two reads comes through the interrupt path instead).
        if int(got.group(2)) < 5:
            raise TestFailure(f'only {got.group(2)} of the SIGINTs came at the read\'s exit:\n{out}')
        out = flood(m, 'attack regs spin 30', 'attack: regs spin: waiting for 30',
                    'attack: regs spin: ok')
        check_match(out, r'attack: regs spin: ok \(\d+ caught', 'regs spin')
    session(m, body)


def test_handler_syscalls_and_tf(m):
    """A handler that makes calls and sleeps under a flood (the sleep is not
    interrupted, nothing nests), single-stepping through fast calls while
    SIGINTs come, and three forked processes catching them."""
    def body():
        flood(m, 'attack hsys 5', 'attack: hsys: waiting for 5', 'attack: hsys: ok', pause=0.1)
        out = flood(m, 'attack tf 5', 'attack: tf: waiting for 10', 'attack: tf: ok', per=1, pause=0.2)
        check_match(out, r"attack: tf: ok \(\d+ caught, [1-9]\d* at a call's exit, [1-9]\d* steps\)",
                    'attack tf')
        check_not_contains(out, 'killed', 'attack tf')
        flood(m, 'attack fork 5', 'attack: fork: waiting for 5', 'attack: fork: ok', pause=0.1)
    session(m, body)


def test_fork_keeps_read_only_memory(m):
    """fork shares read-only regions copy-on-write: neither the parent nor
    the child can store into them after (SIGSEGV): ELF rodata and text, a
    read-only map() page, present or lazy; a read(2) into them is -EFAULT."""
    def body():
        out = m.cmd('attack rocow', URUN_TIMEOUT)
        check_contains(out, 'attack: rocow: ok (8 stores after fork killed)', 'attack rocow')
    session(m, body)


STACK_KINDS = ['kernel', 'noncanon', 'zero', 'unmapped', 'ro', 'guard', 'above']


def test_signal_frame_cannot_be_pushed(m):
    """A SIGINT handler, then rsp set to where no frame can go (kernel,
    non-canonical, 0, unmapped, read-only, straddling the stack guard,
    above the user half), in a getpid loop (the diverted fast exit) and in
    a loop with no call (the interrupt path): the kernel kills the program
    alone with SIGSEGV and says why; the shell comes back."""
    def body():
        for kind in STACK_KINDS:
            for how in ['sys', 'spin']:
                line = f'attack stack {kind} {how}'
                out = ctrl_c_once(m, line, f'attack: stack {kind} {how}: ready')
                check_match(out, r'\[pid \d+\] attack: cannot push the frame for SIGINT at rsp',
                            line)
                check_contains(out, 'sh: attack: killed by signal 11', line)
        out = ctrl_c_once(m, 'attack stackfork', 'attack: stack ro sys: ready')
        check_contains(out, 'attack: stackfork: ok (child killed by signal 11)', 'attack stackfork')
        check_match(out, r'attack: cannot push the frame for SIGINT', 'attack stackfork')
    session(m, body)


def test_ignored_sigint_does_not_interrupt(m):
    """A SIGINT that comes while a batch of long reads runs, the batch
    ending in signal(SIG_IGN): ignoring it throws it away, so the sleep
    after must not end with -EINTR (the thread's signal flag must go with
    the pending bit)."""
    def body():
        out = flood(m, 'attack ign 100', 'attack: ign: waiting (100 rounds)',
                    'attack: ign: ok', per=1, pause=0.05, rounds=1000)
        check_match(out, r'attack: ign: ok \(\d+ caught in 100 rounds\)', 'attack ign')
    session(m, body)


def test_unrunnable_handler_and_stopped(m):
    """A SIGINT handler in no-execute data or in an unmapped page, or a
    trampoline there: the Ctrl-C ends in a fault in the handler, which kills
    the program alone (SIGSEGV, "while in its signal handler"). A program
    that stopped itself (NOT_RUNNABLE) with no handler still dies of Ctrl-C."""
    def body():
        for kind in ['nx', 'unmapped', 'tramp']:
            line = f'attack handler {kind}'
            out = ctrl_c_once(m, line, f'attack: handler {kind}: ready')
            check_match(out, r'\[pid \d+\] attack killed by SIGSEGV \(11\) while in its signal handler',
                        line)
            check_contains(out, 'sh: attack: killed by signal 11', line)
        out = ctrl_c_once(m, 'attack stop', 'attack: stop: ready')
        check_contains(out, 'sh: attack: killed by signal 2 (SIGINT)', 'attack stop')
    session(m, body)


def test_sigint_during_pgfault_upcall(m):
    """Page faults taken by a JOS upcall that makes system calls on the
    exception stack while Ctrl-C floods: the SIGINT frames go on the
    exception stack, the handler returns into the upcall, the registers of
    its calls are intact, and the program ends normally."""
    def body():
        out = flood(m, 'attack upcall 10', 'attack: upcall: waiting for 10', 'attack: upcall: ok',
                    per=1, pause=0.05)
        got = check_match(out, r'attack: upcall: ok \(\d+ caught, (\d+) on the exception stack, '
                               r'(\d+) upcalls\)', 'attack upcall')
        if int(got.group(1)) < 1 or int(got.group(2)) < 1:
            raise TestFailure(f'attack upcall did not exercise the exception stack:\n{out}')
    session(m, body)


def test_out_of_memory_kills_not_handler(m):
    """A program with a handler for every signal touches 1 GiB on a
    256 MiB machine: the fault that finds no frame kills it with SIGSEGV
    ("out of memory"), its handler is never entered, and every frame comes
    back (twice: nothing is lost per run)."""
    def body():
        for _ in range(2):
            out = m.cmd('attack oom', URUN_TIMEOUT)
            check_match(out, r'\[pid \d+\] user fault va \S+ ip \S+ \(out of memory', 'attack oom')
            check_contains(out, 'sh: attack: killed by signal 11 (SIGSEGV)', 'attack oom')
    session(m, body)


def test_sigint_during_fork_and_exec(m):
    """fork (env_alloc, the copy-on-write copy, set_env_status), exec and
    wait in a loop under a Ctrl-C flood: the parent's handler runs wherever
    the signal lands, a child dies only of SIGINT (after exec put SIG_DFL
    back), and every frame comes back."""
    def body():
        out = flood(m, 'attack forkexec 1000', 'attack: forkexec: waiting (1000 rounds)',
                    'attack: forkexec: ok', per=1, pause=0.03, rounds=2000)
        check_match(out, r'attack: forkexec: ok \(1000 rounds, [1-9]\d* caught', 'attack forkexec')
    session(m, body)


def test_fork_cow_pages_cannot_be_remapped_writable(m):
    """After fork, JOS's mem_map(PTE_W) of a page shared copy-on-write (in
    place, or at another address), in the child and then in the parent:
    refused or given a private copy; the other process's copy never
    changes."""
    def body():
        out = m.cmd('attack cowmap', URUN_TIMEOUT)
        check_match(out, r'attack: cowmap: ok \(writable remappings allowed: \d in the child, '
                         r'\d in the parent; no copy changed\)', 'attack cowmap')
    session(m, body)


def test_fork_in_handler_keeps_sigint_waiting(m):
    """The SIGINT handler forks; parent and child both stay in it for a
    second under Ctrl-C: a SIGINT that comes meanwhile waits until the
    handler returns, in the child as in the parent (which shares the
    handler's frame and will sigreturn through it)."""
    def body():
        # A bounded flood: under an endless one the handler never ends.
        out = ctrl_c_once(m, 'attack nest', 'attack: nest: waiting', presses=25)
        check_not_contains(out, 'FAILED', 'attack nest')
        check_match(out, r'attack: nest: ok \([1-9]\d* caught here\)', 'attack nest')
    session(m, body)
