"""User processes from the root shell: `urun` starts /init, which greets and
runs the user shell (/sh, prompt 'user# '); the programs in /bin; `urun
PATH` straight from the root shell; errors; `ps` and the free frame count
once every process has ended; `pagingtest` after user processes ran.

Every test ends with check_alive(): QEMU still running, no panic, the root
shell answering."""

import glob
import os
import re

from harness import ROOT, TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, selftest, check_alive, check_frames, check_no_processes,
                                enter_user, free_frames, leave_user)


# ---- helpers ------------------------------------------------------------------

def user_programs():
    """The names the initrd's /bin holds: every user/bin/*.c but init (which
    the Makefile moves to /init)."""
    names = [os.path.basename(p)[:-2] for p in glob.glob(os.path.join(ROOT, 'user', 'bin', '*.c'))]
    return sorted(n for n in names if n != 'init')


def ucmd(m, line, timeout=URUN_TIMEOUT):
    """A command at the user prompt."""
    return m.cmd(line, timeout=timeout)


# ---- the user shell --------------------------------------------------------------

def test_user_shell_programs(m):
    enter_user(m)

    out = ucmd(m, 'help')
    check_contains(out, 'Programs in /bin', 'help program')
    for name in user_programs():
        # Listed, with a description of its own.
        check_match(out, r'(?m)^\s+' + re.escape(name) + r'\s+\S', f'help program ({name})')
    check_not_contains(out, 'sh: help', 'help program')

    out = ucmd(m, 'hello')
    check_contains(out, 'Hello, world!', 'hello')
    check_match(out, r'hello: my pid is \d+\n', 'hello')

    out = ucmd(m, 'echo a b c')
    if out != 'a b c\n':
        raise TestFailure(f"echo a b c printed {out!r}, expected 'a b c\\n'")
    out = ucmd(m, 'echo')
    if out != '\n':
        raise TestFailure(f"echo (no arguments) printed {out!r}, expected an empty line")

    out = ucmd(m, 'cat /etc/motd')
    check_contains(out, 'Welcome to Strata', 'cat /etc/motd')
    check_not_contains(out, 'sh: cat', 'cat /etc/motd')

    out = ucmd(m, 'ls /')
    for entry in ['bin/', 'etc/', 'init', 'sh']:
        check_match(out, r'(?m)^\s*\d+\s+' + re.escape(entry) + r'$', f'ls / ({entry})')

    out = ucmd(m, 'ls /bin')
    for name in user_programs():
        mm = check_match(out, r'(?m)^\s*(\d+)\s+' + re.escape(name) + r'$', f'ls /bin ({name})')
        if int(mm.group(1)) == 0:
            raise TestFailure(f'ls /bin shows {name} with size 0:\n{out}')

    out = ucmd(m, 'args a "b c" ""')
    want = 'argc=4\nargv[0]="args"\nargv[1]="a"\nargv[2]="b c"\nargv[3]=""\nargv[argc]=NULL\n'
    if out != want:
        raise TestFailure(f'args a "b c" "" printed:\n{out}\nexpected:\n{want}')

    out = ucmd(m, '/bin/hello')             # a path instead of a name
    check_contains(out, 'Hello, world!', '/bin/hello')

    out = leave_user(m)
    if out.strip():
        raise TestFailure(f'urun printed after a clean exit:\n{out}')
    check_alive(m)


def test_user_shell_errors(m):
    enter_user(m)

    out = ucmd(m, 'nosuchprogram')
    check_contains(out, 'sh: nosuchprogram: command not found', 'unknown program')
    out = ucmd(m, '/no/such/path')
    check_contains(out, 'command not found', 'unknown path')
    out = ucmd(m, '/etc/motd')
    check_match(out, r'sh: /etc/motd: .*(?i:exec format|not an ELF)', 'running a text file')

    out = ucmd(m, 'cat /nonexistent')
    check_match(out, r'(?i)cat: /nonexistent: no such file', 'cat of a missing file')
    check_contains(out, 'sh: cat: exit status 1', 'cat of a missing file')
    out = ucmd(m, 'ls /nonexistent')
    check_match(out, r'(?i)ls: /nonexistent: no such file', 'ls of a missing directory')

    out = ucmd(m, 'exitcode 5')
    check_contains(out, 'sh: exitcode: exit status 5', 'exitcode 5')
    out = ucmd(m, 'exitcode 0')
    if out.strip():
        raise TestFailure(f'exitcode 0 printed {out!r}')

    out = ucmd(m, 'echo "unterminated')
    check_contains(out, 'unterminated quote', 'unterminated quote')

    # The shell still works after all that.
    check_contains(ucmd(m, 'echo still here'), 'still here', 'echo after the errors')

    out = leave_user(m, 'exit 7')           # /init passes the shell's status on
    check_match(out, r'urun: /init \(pid \d+\) exited with status 7', 'exit 7')
    check_no_processes(m)
    check_alive(m)


def test_exit_frees_everything(m):
    """Free frames before urun == after the user shell exits, with ordinary,
    killed and memory-hungry programs run in between; ps shows nothing."""
    check_no_processes(m)
    before, before_out = free_frames(m)
    enter_user(m)
    for line, expect in [('hello', 'Hello, world!'),
                         ('echo x', 'x'),
                         ('cat /etc/motd', 'Welcome to Strata'),
                         ('ls /bin', 'hello'),
                         ('divzero', 'killed by signal 8'),
                         ('kernelread', 'killed by signal 11'),
                         ('hack', 'Hit signal handler due to permission denial'),
                         ('stackoverflow', 'killed by signal 11'),
                         ('memtest', 'memtest: ok'),
                         ('spawnrec 4', 'spawnrec: ok (depth 4)')]:
        check_contains(ucmd(m, line, timeout=120), expect, line)
    out = leave_user(m)
    if out.strip():
        raise TestFailure(f'urun printed after a clean exit:\n{out}')
    check_no_processes(m)
    check_frames(m, before, before_out)

    # A second session: nothing left over from the first gets in the way.
    enter_user(m)
    check_contains(ucmd(m, 'hello'), 'Hello, world!', 'hello in a second session')
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)


# ---- urun from the root shell ---------------------------------------------------

def test_urun_direct(m):
    before, before_out = free_frames(m)

    out = m.cmd('urun /bin/hello', timeout=URUN_TIMEOUT)
    check_contains(out, 'Hello, world!', 'urun /bin/hello')
    check_match(out, r'hello: my pid is \d+', 'urun /bin/hello')
    check_not_contains(out, 'urun:', 'urun /bin/hello (exit status 0: no report)')

    out = m.cmd('urun hello', timeout=URUN_TIMEOUT)     # a name without '/' is in /bin
    check_contains(out, 'Hello, world!', 'urun hello')
    check_not_contains(out, 'urun:', 'urun hello')

    out = m.cmd('urun /bin/echo x y', timeout=URUN_TIMEOUT)
    if out != 'x y\n':
        raise TestFailure(f"urun /bin/echo x y printed {out!r}, expected 'x y\\n'")

    out = m.cmd('urun /bin/exitcode 3', timeout=URUN_TIMEOUT)
    check_match(out, r'urun: /bin/exitcode \(pid \d+\) exited with status 3', 'urun exitcode 3')

    out = m.cmd('urun /bin/divzero', timeout=URUN_TIMEOUT)
    check_match(out, r'\[pid \d+\] divzero killed by SIGFPE \(8\)', 'urun /bin/divzero')
    check_match(out, r'urun: /bin/divzero \(pid \d+\) was killed by signal 8', 'urun /bin/divzero')

    out = m.cmd('urun /nonexistent', timeout=URUN_TIMEOUT)
    check_match(out, r'(?i)urun: /nonexistent: no such file or directory', 'urun /nonexistent')

    out = m.cmd('urun /etc/motd', timeout=URUN_TIMEOUT)
    check_match(out, r'(?i)not an ELF', 'urun /etc/motd (reason)')
    check_match(out, r'(?i)urun: /etc/motd: exec format error', 'urun /etc/motd')

    out = m.cmd('urun /bin', timeout=URUN_TIMEOUT)
    check_match(out, r'urun: /bin: \S', 'urun /bin (a directory)')
    check_not_contains(out, 'killed', 'urun /bin')

    out = m.cmd('urun /etc', timeout=URUN_TIMEOUT)
    check_match(out, r'urun: /etc: \S', 'urun /etc (a directory)')

    # The root shell goes on: commands work, nothing is left running.
    check_contains(m.cmd('cat /etc/motd'), 'Welcome to Strata', 'root shell cat')
    check_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m)


def test_urun_matches_root_shell(m):
    """The user programs show the same initrd as the root shell."""
    root_ls = m.cmd('ls /')
    root_ls_bin = m.cmd('ls /bin')
    root_motd = m.cmd('cat /etc/motd')
    enter_user(m)
    for line, root in [('ls /', root_ls), ('ls /bin', root_ls_bin),
                       ('cat /etc/motd', root_motd)]:
        out = ucmd(m, line)
        if out.strip() != root.strip():
            raise TestFailure(f'{line!r} differs between the root shell and the user '
                              f'shell:\n--- root ---\n{root}--- user ---\n{out}')
    leave_user(m)
    check_alive(m)


def test_pagingtest_after_user_processes(m):
    """pagingtest (if this kernel has it) still passes once user processes
    have run and ended."""
    if not re.search(r'(?m)^\s*pagingtest\b', m.cmd('help')):
        return                              # no such command: nothing to check
    check_contains(m.cmd('urun /bin/hello', timeout=URUN_TIMEOUT), 'Hello, world!',
                   'urun /bin/hello')
    enter_user(m)
    check_contains(ucmd(m, 'memtest', timeout=120), 'memtest: ok', 'memtest')
    leave_user(m)
    selftest(m, 'pagingtest', 'pagingtest', 100, timeout=120)
    check_alive(m)


def test_strace_both_entry_paths(m):
    """strace sees the calls of both system-call entry paths: the fast path
    (write, exit: no trap frame) and the full one (exec, which replaces the
    frame; sigreturn, which restores a context into it), with the right
    arguments and results, and the traced program still works (sigfault's
    handler repairs its context through sigreturn, registers intact)."""
    before, before_out = free_frames(m)
    out = m.cmd('urun /bin/strace /bin/hello', timeout=URUN_TIMEOUT)
    check_match(out, r'exec\("/bin/hello", \["/bin/hello"\]\)\s+= 0', 'strace hello: exec (full path)')
    check_match(out, r'write\(1, "Hello, world!\\n", 14\)\s+= 14', 'strace hello: write (fast path)')
    check_match(out, r'getpid\(\)\s+= \d+', 'strace hello: getpid (fast path)')
    check_contains(out, '+++ exited with 0 +++', 'strace hello: the end')
    out = m.cmd('urun /bin/strace /bin/sigfault', timeout=URUN_TIMEOUT)
    check_contains(out, 'sigfault: ok (3 faults handled, registers intact)', 'strace sigfault')
    check_match(out, r'--- SIGSEGV', 'strace sigfault: the signal')
    if len(re.findall(r'(?m)^sigreturn\(0x[0-9a-f]+\)', out)) != 3:
        raise TestFailure(f'strace sigfault: expected three sigreturn lines:\n{out}')
    check_contains(out, '+++ exited with 0 +++', 'strace sigfault: the end')
    check_no_processes(m)
    check_frames(m, before, before_out)
    check_alive(m)
