"""JOS lab 4 parts B and C on Strata: user-level page-fault upcalls and
copy-on-write fork in user space. Each program's output is matched with the
lab text's expected lines (addresses are JOS's plus 0xffff800000000000, ids
are hex patterns), and the free frame count must come back after each run.

Every test ends with check_alive(): QEMU still running, no panic, the root
shell answering."""

import re

from harness import TestFailure, check_contains, check_match, check_not_contains
from integration.common import (URUN_TIMEOUT, check_alive, check_frames, enter_user,
                                free_frames, leave_user, selftest)

ID = r'([0-9a-f]{8})'
HEX = r'([0-9a-f]+)'


def run(m, prog, timeout=URUN_TIMEOUT):
    """`urun /jos/PROG` from the root shell: its output, and the id of the
    environment it started (JOS's "[00000000] new env ID" line)."""
    out = m.cmd(f'urun /jos/{prog}', timeout=timeout)
    envid = check_match(out, r'\[00000000\] new env ' + ID, prog).group(1)
    return out, envid


def expect_lines(out, patterns, what):
    """Each regex in patterns matches a line of out, in this order."""
    lines = [l for l in out.split('\n') if l.strip()]
    i = 0
    for p in patterns:
        while i < len(lines) and not re.fullmatch(p, lines[i]):
            i += 1
        if i == len(lines):
            raise TestFailure(f'{what}: no line matching {p!r} (in order) in:\n{out}')
        i += 1


def check_graceful(out, envid, what):
    check_contains(out, f'[{envid}] exiting gracefully', what)
    check_contains(out, f'[{envid}] free env {envid}', what)
    check_not_contains(out, 'user panic', what)


def with_frames(fn):
    """Run fn(m) between two free-frame counts that must agree."""
    def test(m):
        before, before_out = free_frames(m)
        fn(m)
        check_frames(m, before, before_out)
        check_alive(m)
    test.__name__ = fn.__name__
    test.__doc__ = fn.__doc__
    return test


# ---- part B: upcalls -------------------------------------------------------------

@with_frames
def test_faultdie(m):
    out, e = run(m, 'faultdie')
    expect_lines(out, [r'i faulted at va ffff8000deadbeef, err 6'], 'faultdie')
    check_graceful(out, e, 'faultdie')


@with_frames
def test_faultalloc(m):
    out, e = run(m, 'faultalloc')
    expect_lines(out, [r'fault ffff8000deadbeef',
                       r'this string was faulted in at ffff8000deadbeef',
                       r'fault ffff8000cafebffe',
                       r'fault ffff8000cafec000',
                       r'this string was faulted in at ffff8000cafebffe'], 'faultalloc')
    check_graceful(out, e, 'faultalloc')


@with_frames
def test_faultallocbad(m):
    out, e = run(m, 'faultallocbad')
    check_contains(out, f'[{e}] user_mem_check assertion failure for va ffff8000deadbeef', 'faultallocbad')
    check_contains(out, f'[{e}] free env {e}', 'faultallocbad')
    check_not_contains(out, 'fault ffff', 'faultallocbad (the handler must not run)')


@with_frames
def test_bad_exception_stacks_and_handlers(m):
    for prog in ('faultnostack', 'faultbadhandler', 'faultevilhandler'):
        out, e = run(m, prog)
        check_match(out, r'\[' + e + r'\] user_mem_check assertion failure for va ffffff7fff[ef][0-9a-f]{4}',
                    f'{prog}: destroyed for its exception stack')
        check_contains(out, f'[{e}] free env {e}', prog)
        check_not_contains(out, 'exiting gracefully', prog)


@with_frames
def test_faultregs(m):
    out, e = run(m, 'faultregs')
    check_contains(out, 'Registers in UTrapframe OK', 'faultregs')
    check_contains(out, 'Registers after page-fault OK', 'faultregs')
    check_not_contains(out, 'MISMATCH', 'faultregs')
    check_graceful(out, e, 'faultregs')


# ---- part C: fork ------------------------------------------------------------------

@with_frames
def test_dumbfork(m):
    out, e = run(m, 'dumbfork')
    child = check_match(out, r'\[' + e + r'\] new env ' + ID, 'dumbfork').group(1)
    parent_lines = re.findall(r'^(\d+): I am the parent!$', out, re.M)
    child_lines = re.findall(r'^(\d+): I am the child!$', out, re.M)
    if [int(i) for i in parent_lines] != list(range(10)) or [int(i) for i in child_lines] != list(range(20)):
        raise TestFailure(f'dumbfork: expected parent 0..9 and child 0..19:\n{out}')
    check_graceful(out, e, 'dumbfork parent')
    check_graceful(out, child, 'dumbfork child')


def check_pingpong(out, parent, what):
    child = check_match(out, r'\[' + parent + r'\] new env ' + ID, what).group(1)
    p, c = parent.lstrip('0'), child.lstrip('0')
    check_contains(out, f'send 0 from {p} to {c}', what)
    got = re.findall(HEX + r' got (\d+) from ' + HEX, out)
    want = [(c if i % 2 == 0 else p, str(i), p if i % 2 == 0 else c) for i in range(11)]
    if got != want:
        raise TestFailure(f'{what}: the bounce is {got}, expected {want}:\n{out}')
    check_graceful(out, parent, what)
    check_graceful(out, child, what)


@with_frames
def test_pingpong1(m):
    out, e = run(m, 'pingpong1')
    check_pingpong(out, e, 'pingpong1')


@with_frames
def test_pingpong(m):
    out, e = run(m, 'pingpong')
    check_pingpong(out, e, 'pingpong')


@with_frames
def test_pingpongs(m):
    out, e = run(m, 'pingpongs')
    child = check_match(out, r'\[' + e + r'\] new env ' + ID, 'pingpongs').group(1)
    p, c = e.lstrip('0'), child.lstrip('0')
    check_match(out, r'i am ' + e + r'; thisenv is 0x[0-9a-f]+', 'pingpongs')
    got = re.findall(HEX + r' got (\d+) from ' + HEX + r' \(thisenv is 0x([0-9a-f]+) ' + HEX + r'\)', out)
    if [int(v) for _, v, _, _, _ in got] != list(range(11)):
        raise TestFailure(f'pingpongs: the shared counter did not go 0..10:\n{out}')
    for me, _, frm, view, envid in got:
        if me != envid or {me, frm} != {p, c}:
            raise TestFailure(f'pingpongs: thisenv of {me} names {envid}:\n{out}')
    check_graceful(out, e, 'pingpongs')
    check_graceful(out, child, 'pingpongs')


@with_frames
def test_primes(m):
    out, e = run(m, 'primes')
    primes = [int(p) for p in re.findall(r'^(\d+) \[' + ID + r'\] new env', out, re.M) for p in [p[0]]]
    want = [n for n in range(2, 100) if all(n % d for d in range(2, n))]
    if primes != want:
        raise TestFailure(f'primes: {primes}, expected {want}:\n{out}')
    check_not_contains(out, 'user panic', 'primes')


@with_frames
def test_forktree(m):
    out, e = run(m, 'forktree')
    names = sorted(re.findall(r"^[0-9a-f]{4,}: I am '([01]*)'$", out, re.M))
    want = sorted([''] + [format(i, f'0{n}b') for n in (1, 2, 3) for i in range(2 ** n)])
    if names != want:
        raise TestFailure(f'forktree: {names}, expected {want}:\n{out}')
    check_not_contains(out, 'user panic', 'forktree')


@with_frames
def test_spin(m):
    out, e = run(m, 'spin')
    child = check_match(out, r'\[' + e + r'\] new env ' + ID, 'spin').group(1)
    expect_lines(out, [r'I am the parent\.  Forking the child\.\.\.',
                       r'I am the parent\.  Running the child\.\.\.',
                       r'I am the parent\.  Killing the child\.\.\.',
                       r'\[' + e + r'\] destroying ' + child,
                       r'\[' + e + r'\] free env ' + child,
                       r'\[' + e + r'\] exiting gracefully',
                       r'\[' + e + r'\] free env ' + e], 'spin')
    check_contains(out, 'I am the child.  Spinning...', 'spin')


@with_frames
def test_fork_bomb(m):
    out, e = run(m, 'forkbomb', timeout=URUN_TIMEOUT * 4)
    check_match(out, r'forkbomb: fork failed \((resource temporarily unavailable|out of memory)',
                'forkbomb')
    check_not_contains(out, 'user panic', 'forkbomb')


@with_frames
def test_fork_under_memory_exhaustion(m):
    out, e = run(m, 'forkmem 200', timeout=URUN_TIMEOUT * 4)
    check_match(out, r'forkmem: \d+ pages allocated', 'forkmem')
    # Whoever cannot get a frame for a copy dies with a message; nothing else.
    check_match(out, r'(out of memory|wrote all)', 'forkmem')


def test_vmtest_hostile_calls(m):
    before, before_out = free_frames(m)
    enter_user(m)
    selftest(m, 'vmtest', 'vmtest', 60, timeout=URUN_TIMEOUT * 2)
    leave_user(m)
    check_frames(m, before, before_out)
    check_alive(m)
